# zeit diff on real pools: names, packages, contents.

test_diff_names_exact_and_counts() {
	zfs create tank/d
	m=/tmp/mnt/tank/d
	mkdir "$m/etc"
	echo a >"$m/etc/modified"
	echo b >"$m/etc/removed"
	echo c >"$m/etc/renamed"
	zfs snapshot tank/d@s1
	echo changed >>"$m/etc/modified"
	rm "$m/etc/removed"
	mv "$m/etc/renamed" "$m/etc/renamed to"
	weird=("tab	in name" "new
line" 'back\slash' "café-ü" 'quote"s and $dollar' "sp ace")
	for n in "${weird[@]}"; do echo x >"$m/$n"; done
	ln -s target "$m/link"
	mkfifo "$m/fifo"
	zfs snapshot tank/d@s2
	ok "$ZEIT" -j diff tank/d@s1 tank/d@s2
	printf '%s\0' "${weird[@]}" >/tmp/weird
	python3 - "$OUT" <<'PY' || fail "JSON names: $OUT"
import json, sys
d = json.loads(sys.argv[1])
names = open("/tmp/weird", "rb").read().split(b"\0")[:-1]
got = {(c["change"], c["type"], c["path"], c.get("new_path")) for c in d["changes"]}
for n in names:
    assert ("created", "file", "/" + n.decode(), None) in got, (n, got)
assert ("modified", "file", "/etc/modified", None) in got, got
assert ("removed", "file", "/etc/removed", None) in got, got
assert ("renamed", "file", "/etc/renamed", "/etc/renamed to") in got, got
assert ("created", "symlink", "/link", None) in got, got
assert ("created", "fifo", "/fifo", None) in got, got
assert d["summary"] == {"created": 8, "modified": 3, "removed": 1, "renamed": 1}, d["summary"]  # /, /etc, /etc/modified
PY
	ok "$ZEIT" diff tank/d@s1 tank/d@s2
	has "$OUT" "R  F  /etc/renamed -> /etc/renamed to"
	has "$OUT" "+  F  /tab\\x09in name"
	has "$OUT" "+  F  /café-ü"
	has "$OUT" "8 created, 3 modified, 1 removed, 1 renamed"
	# -H: zfs's escapes, one record a line.
	ok "$ZEIT" -H diff tank/d@s1 tank/d@s2
	has "$OUT" "$(printf '+\tF\t/new\\0012line')"
	eq 13 "$(wc -l <<<"$OUT")"
	# PATH filters and --absolute.
	ok "$ZEIT" -H diff tank/d@s1 tank/d@s2 /etc
	eq 4 "$(wc -l <<<"$OUT")" "only /etc"
	ok "$ZEIT" -H diff --absolute tank/d@s1 tank/d@s2 etc/modified
	eq "$(printf 'M\tF\t/tmp/mnt/tank/d/etc/modified')" "$OUT"
	# Against the live dataset (the default).
	echo new >"$m/etc/live"
	ok "$ZEIT" -H diff tank/d@s2
	has "$OUT" "$(printf '+\tF\t/etc/live')"
}

test_cli_diff_errors() {
	zfs create tank/d
	zfs snapshot tank/d@s1
	zfs create tank/e
	zfs snapshot tank/e@s1
	zfs create -V 8M tank/vol
	zfs snapshot tank/vol@s
	rc=0; "$ZEIT" diff tank/d@s1 tank/e@s1 2>/tmp/e || rc=$?
	eq 2 "$rc"
	has "$(cat /tmp/e)" "not of one dataset"
	rc=0; "$ZEIT" diff tank/vol@s 2>/tmp/e || rc=$?
	eq 1 "$rc"
	has "$(cat /tmp/e)" "tank/vol is a volume"
	rc=0; "$ZEIT" diff tank/d@nope 2>/tmp/e || rc=$?
	eq 1 "$rc"
	rc=0; "$ZEIT" diff tank/d 2>/tmp/e || rc=$?
	eq 2 "$rc"
	has "$(cat /tmp/e)" "expected a snapshot"
	rc=0; "$ZEIT" diff --packages tank/d@s1 2>/tmp/e || rc=$?
	eq 1 "$rc"
	has "$(cat /tmp/e)" "no package database under"
}

# A boot environment: mountpoint=/, canmount=noauto, never mounted by zfs.
be_edit() { # be_edit DATASET: mount it at /tmp/be for the caller to write
	mkdir -p /tmp/be
	mount -t zfs -o zfsutil "$1" /tmp/be
}
be_done() {
	umount /tmp/be
}

test_diff_packages_dpkg_real_status() {
	zfs create -o canmount=noauto -o mountpoint=/ -p tank/ROOT/deb
	be_edit tank/ROOT/deb
	mkdir -p /tmp/be/var/lib/dpkg
	# The real status file of the machine the tests run on.
	cp /var/lib/dpkg/status /tmp/be/var/lib/dpkg/status
	be_done
	zfs snapshot tank/ROOT/deb@before
	be_edit tank/ROOT/deb
	python3 - /tmp/be/var/lib/dpkg/status <<'PY'
import sys
p = sys.argv[1]
stanzas = open(p).read().rstrip("\n").split("\n\n")
out = []
for s in stanzas:
    lines = s.split("\n")
    name = next(l[9:] for l in lines if l.startswith("Package: "))
    if name == "bash":
        lines = [("Version: 99:9.9-9" if l.startswith("Version: ") else l) for l in lines]
    if name == "coreutils":
        lines = [("Version: 0.1-1" if l.startswith("Version: ") else l) for l in lines]
    if name == "gzip":
        continue
    out.append("\n".join(lines))
out.append("Package: libvirt-zeit-test\nStatus: install ok installed\nArchitecture: amd64\nVersion: 6.5.0-1\nDescription: test\n")
open(p, "w").write("\n\n".join(out) + "\n")
PY
	be_done
	zfs snapshot tank/ROOT/deb@after
	bash_v=$(dpkg-query -W -f='${Version}' bash)
	cu_v=$(dpkg-query -W -f='${Version}' coreutils)
	gz_v=$(dpkg-query -W -f='${Version}' gzip)
	ok "$ZEIT" -H diff --packages tank/ROOT/deb@before tank/ROOT/deb@after
	eq "$(printf 'upgraded\tbash\t%s\t99:9.9-9\ndowngraded\tcoreutils\t%s\t0.1-1\nremoved\tgzip\t%s\t-\nadded\tlibvirt-zeit-test\t-\t6.5.0-1' "$bash_v" "$cu_v" "$gz_v")" "$OUT"
	ok "$ZEIT" diff --packages tank/ROOT/deb@before tank/ROOT/deb@after
	has "$OUT" "dpkg packages: 1 upgraded, 1 downgraded, 1 added, 1 removed"
	# The environment was mounted for the diff and unmounted after.
	grep -q ' /tmp/be ' /proc/self/mounts && fail "left mounted"
	grep -q 'zeit-mnt' /proc/self/mounts && fail "a temporary mount was left behind"
	true
}

test_diff_packages_xbps_pacman_apk() {
	for d in void arch alpine; do zfs create "tank/$d"; done
	v=/tmp/mnt/tank/void a=/tmp/mnt/tank/arch l=/tmp/mnt/tank/alpine
	mkdir -p "$v/var/db/xbps" "$a/var/lib/pacman/local" "$l/lib/apk/db"
	xbps() { # xbps FILE NAME-VERSION...
		local f=$1; shift
		{
			printf '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n'
			for pv in "$@"; do
				printf '\t<key>%s</key>\n\t<dict>\n\t\t<key>pkgver</key>\n\t\t<string>%s</string>\n\t\t<key>state</key>\n\t\t<string>installed</string>\n\t</dict>\n' "${pv%-*}" "$pv"
			done
			printf '</dict>\n</plist>\n'
		} >"$f"
	}
	pacman() { # pacman DIR NAME VERSION
		mkdir -p "$1/$2-$3"
		printf '%%NAME%%\n%s\n\n%%VERSION%%\n%s\n\n%%DESC%%\ntest\n\n' "$2" "$3" >"$1/$2-$3/desc"
	}
	xbps "$v/var/db/xbps/pkgdb-0.38.plist" libvirt-6.4.0_1 qemu-5.0.0_2 glibc-2.30_1
	pacman "$a/var/lib/pacman/local" libvirt 1:6.4.0-1
	pacman "$a/var/lib/pacman/local" qemu 5.0.0-2
	printf 'P:libvirt\nV:6.4.0-r0\nA:x86_64\n\nP:qemu\nV:5.0.0-r2\n\n' >"$l/lib/apk/db/installed"
	zfs snapshot tank/void@1
	zfs snapshot tank/arch@1
	zfs snapshot tank/alpine@1
	xbps "$v/var/db/xbps/pkgdb-0.38.plist" libvirt-6.5.0_1 qemu-5.0.0_1 glibc-2.30_1 musl-1.2.0_1
	rm -r "$a/var/lib/pacman/local/libvirt-1:6.4.0-1"
	pacman "$a/var/lib/pacman/local" libvirt 1:6.5.0-1
	printf 'P:libvirt\nV:6.5.0-r0\nA:x86_64\n\nP:qemu\nV:5.0.0_rc1-r0\n\n' >"$l/lib/apk/db/installed"
	zfs snapshot tank/void@2
	zfs snapshot tank/arch@2
	zfs snapshot tank/alpine@2
	ok "$ZEIT" -H diff --packages tank/void@1 tank/void@2
	eq "$(printf 'upgraded\tlibvirt\t6.4.0_1\t6.5.0_1\nadded\tmusl\t-\t1.2.0_1\ndowngraded\tqemu\t5.0.0_2\t5.0.0_1')" "$OUT" "xbps"
	ok "$ZEIT" -H diff --packages tank/arch@1 tank/arch@2
	eq "$(printf 'upgraded\tlibvirt\t1:6.4.0-1\t1:6.5.0-1')" "$OUT" "pacman"
	ok "$ZEIT" -H diff --packages tank/alpine@1 tank/alpine@2
	eq "$(printf 'upgraded\tlibvirt\t6.4.0-r0\t6.5.0-r0\ndowngraded\tqemu\t5.0.0-r2\t5.0.0_rc1-r0')" "$OUT" "apk"
	ok "$ZEIT" -j diff --packages tank/void@1 tank/void@2
	python3 -c 'import json,sys; d=json.load(sys.stdin)["packages"]; assert d[0]=={"change":"upgraded","package":"libvirt","old":"6.4.0_1","new":"6.5.0_1"}, d' <<<"$OUT" || fail "JSON: $OUT"
}

test_diff_content_of_changed_xml() {
	zfs create -o canmount=noauto -o mountpoint=/ -p tank/ROOT/void
	be_edit tank/ROOT/void
	mkdir -p /tmp/be/usr/share/libvirt/cpu_map /tmp/be/etc
	cat >/tmp/be/usr/share/libvirt/cpu_map/x86_features.xml <<'XML'
<cpus>
  <feature name='ibpb'>
    <cpuid eax_in='0x80000008' ebx='0x00001000'/>
  </feature>
</cpus>
XML
	echo "# comment" >/tmp/be/etc/libvirt.conf
	head -c 3000 /dev/urandom >/tmp/be/usr/share/libvirt/blob.bin
	printf 'untouched\n' >/tmp/be/usr/share/libvirt/same.txt
	be_done
	zfs snapshot tank/ROOT/void@good
	be_edit tank/ROOT/void
	cat >/tmp/be/usr/share/libvirt/cpu_map/x86_features.xml <<'XML'
<cpus>
  <feature name='ibpb'>
    <cpuid eax_in='0x80000008' ebx='0x00001000'/>
  </feature>
  <feature name='amd-stibp'>
    <cpuid eax_in='0x80000008' ebx='0x00008000'/>
  </feature>
</cpus>
XML
	echo "# comment changed" >/tmp/be/etc/libvirt.conf
	head -c 3000 /dev/urandom >/tmp/be/usr/share/libvirt/blob.bin
	printf 'new file\n' >/tmp/be/usr/share/libvirt/added.txt
	be_done
	zfs snapshot tank/ROOT/void@bad
	ok "$ZEIT" diff --content tank/ROOT/void@good tank/ROOT/void@bad /usr/share/libvirt
	has "$OUT" "--- a/usr/share/libvirt/cpu_map/x86_features.xml"
	has "$OUT" "+++ b/usr/share/libvirt/cpu_map/x86_features.xml"
	has "$OUT" "+  <feature name='amd-stibp'>"
	has "$OUT" "+    <cpuid eax_in='0x80000008' ebx='0x00008000'/>"
	has "$OUT" "Binary files a/usr/share/libvirt/blob.bin and b/usr/share/libvirt/blob.bin differ"
	has "$OUT" "+new file"
	hasnt "$OUT" "libvirt.conf"
	hasnt "$OUT" "same.txt"
	ok "$ZEIT" diff --content --max-size 100 tank/ROOT/void@good tank/ROOT/void@bad /usr/share/libvirt/cpu_map
	has "$OUT" "over 100 bytes"
	grep -q 'zeit-mnt' /proc/self/mounts && fail "a temporary mount was left behind"
	true
}
