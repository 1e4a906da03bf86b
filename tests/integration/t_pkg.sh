# Package transactions on real ZFS with real package managers: a boot
# environment holding Debian's minbase (built on the host by
# tests/vm/pkg-userland, with zfsutils-linux 2.3 from bookworm-backports as
# a Debian root on ZFS has it), zeit and its hooks installed in it, and
# real apt-get and pacman run inside it (chroot with /proc, /sys, /dev and
# a tmpfs /run, as booted) on .deb and .pkg.tar files built here.

R=tank/ROOT
BE=$R/debian
MNT=/tmp/be
PKG_TAR=$(bash tests/vm/pkg-userland --path)
PKG_STREAM=/var/tmp/zeit-pkg-userland.zstream

pkg_umount() {
	local m
	for m in run dev/pts dev sys proc; do
		umount "$MNT/$m" 2>/dev/null || true
	done
	umount "$MNT" 2>/dev/null || true
}

# The environment: received from the stream the first test of this boot
# made from the tar (a tar of 60k files is slow to unpack here; a stream
# is one file), zeit copied in as a package would install it.
pkg_be() {
	[ -s "$PKG_TAR" ] || fail "no Debian userland at $PKG_TAR: tests/vm/pkg-userland builds it on the host"
	trap 'pkg_umount; zvm_destroy_pools' EXIT
	zfs create -o mountpoint=none -o compression=lz4 $R
	if [ -s "$PKG_STREAM" ]; then
		zfs recv -u $BE <"$PKG_STREAM"
		zfs destroy $BE@userland
	else
		zfs create -o mountpoint=/ -o canmount=noauto $BE
		mkdir -p $MNT
		mount -t zfs -o zfsutil $BE $MNT
		tar -C $MNT -xf "$PKG_TAR"
		umount $MNT
		zfs snapshot $BE@userland
		zfs send $BE@userland >"$PKG_STREAM.tmp" && mv "$PKG_STREAM.tmp" "$PKG_STREAM"
		zfs destroy $BE@userland
	fi
	zfs set mountpoint=/ canmount=noauto $BE
	zpool set bootfs=$BE tank
	mkdir -p $MNT
	mount -t zfs -o zfsutil $BE $MNT
	install -m 0755 "$ZEIT" $MNT/usr/sbin/zeit
	install -m 0644 contrib/apt/80zeit $MNT/etc/apt/apt.conf.d/80zeit
	mount -t proc proc $MNT/proc
	mount --bind /sys $MNT/sys
	mount --bind /dev $MNT/dev
	mount -t tmpfs -o mode=0755 tmpfs $MNT/run
}

# make_deb NAME VERSION [CONTENT]: a tiny package in $MNT/tmp.
make_deb() {
	local name=$1 ver=$2 content=${3:-$1 $2} d
	d=$(mktemp -d)
	mkdir -p "$d/DEBIAN" "$d/usr/share/zt"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: zeit tests <t@example.org>\nDescription: zeit test package %s\n' \
		"$name" "$ver" "$name" >"$d/DEBIAN/control"
	printf '%s\n' "$content" >"$d/usr/share/zt/$name"
	dpkg-deb --root-owner-group -Zgzip --build "$d" "$MNT/tmp/${name}_${ver}_all.deb" >/dev/null
	rm -rf "$d"
}

# in_be CMD...: CMD inside the environment, from a parent of its own (as
# separate commands a person types come from separate invocations).
in_be() {
	bash -c 'chroot "$0" "$@"; exit $?' "$MNT" env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

apt_get() {
	in_be apt-get -y -q -o Dpkg::Use-Pty=0 "$@"
}

snaps_of() { zfs list -H -o name -t snapshot -s createtxg -d 1 $BE | grep "@zeit_$1_" || true; }
count_of() { snaps_of "$1" | grep -c . || true; }
prop() { zfs get -H -o value "$1" "$2"; }

test_pkg_apt_pairs_noop_and_burst() {
	pkg_be
	make_deb zt-a 1.0
	for i in 1 2 3 4 5; do make_deb zt-b$i 1.0; done
	# A child dataset is in the pair too, atomically.
	zfs create -o mountpoint=legacy $BE/var-log-test

	# An install: one pair, its command and delta on the post.
	ok apt_get install /tmp/zt-a_1.0_all.deb
	eq 1 "$(count_of pkgpre)" "pre snapshots after one install"
	eq 1 "$(count_of pkg)" "post snapshots after one install"
	post=$(snaps_of pkg)
	pre=$(snaps_of pkgpre)
	has "$(prop org.zeit:pkg-command "$post")" "apt-get -y -q -o Dpkg::Use-Pty=0 install /tmp/zt-a_1.0_all.deb"
	eq "+zt-a 1.0" "$(prop org.zeit:pkg-delta "$post")"
	eq "${pre#*@}" "$(prop org.zeit:pkg-pre "$post")"
	exists "$BE/var-log-test@${post#*@}" || fail "the child has no post snapshot"
	exists "$BE/var-log-test@${pre#*@}" || fail "the child has no pre snapshot"
	# The pre is the state before: no zt-a in it.
	zfs diff "$pre" "$post" | grep -q /usr/share/zt/zt-a || fail "zt-a not between pre and post"

	# zeit list shows the transaction, -j carries it.
	ok "$ZEIT" list $BE
	has "$OUT" "+zt-a 1.0"
	ok "$ZEIT" -j list $BE
	has "$OUT" '"packages":"+zt-a 1.0"'
	ok "$ZEIT" -H list $BE
	has "$OUT" "install /tmp/zt-a_1.0_all.deb"

	# A no-op install (apt runs no dpkg) and a reinstall (dpkg runs,
	# no version changes): no pair either way.
	ok apt_get install /tmp/zt-a_1.0_all.deb
	ok apt_get install --reinstall /tmp/zt-a_1.0_all.deb
	eq 1 "$(count_of pkgpre)" "pre snapshots after no-op installs"
	eq 1 "$(count_of pkg)" "post snapshots after no-op installs"

	# A removal: its own pair.
	ok apt_get remove zt-a
	eq 2 "$(count_of pkg)" "post snapshots after the removal"
	post=$(snaps_of pkg | tail -n 1)
	eq "-zt-a 1.0" "$(prop org.zeit:pkg-delta "$post")"
	has "$(prop org.zeit:pkg-command "$post")" "remove zt-a"

	# Five apt runs in quick succession under one parent (as
	# unattended-upgrades runs apt again and again): one pair.
	cat >$MNT/tmp/upgrades.sh <<'SH'
#!/bin/sh
for i in 1 2 3 4 5; do
	apt-get -y -q -o Dpkg::Use-Pty=0 install /tmp/zt-b${i}_1.0_all.deb || exit 1
done
SH
	chmod +x $MNT/tmp/upgrades.sh
	ok in_be /tmp/upgrades.sh
	eq 3 "$(count_of pkg)" "post snapshots after the burst"
	eq 3 "$(count_of pkgpre)" "pre snapshots after the burst"
	post=$(snaps_of pkg | tail -n 1)
	eq "+zt-b1 1.0, +zt-b2 1.0, +zt-b3 1.0, +zt-b4 1.0, +zt-b5 1.0" "$(prop org.zeit:pkg-delta "$post")"
	has "$(prop org.zeit:pkg-command "$post")" "zt-b1_1.0_all.deb; "
	has "$(prop org.zeit:pkg-command "$post")" "zt-b5_1.0_all.deb"
	# Its pre is from before the first of the five.
	pre=$BE@$(prop org.zeit:pkg-pre "$post")
	ok in_be dpkg-query -W zt-b1
	zfs diff "$pre" "$post" | grep -q /usr/share/zt/zt-b1 || fail "the burst's pre is not from before its first run"
	# No state is left open and nothing else was made.
	eq 6 "$(zfs list -H -t snapshot -d 1 -o name $BE | grep -c @)" "snapshots of the environment"
}

# A failing zeit never fails apt: zfs cannot reach the kernel (no
# /dev/zfs in the chroot: what a sandbox without the device gives).
test_pkg_apt_goes_on_when_zeit_fails() {
	pkg_be
	make_deb zt-c 1.0
	make_deb zt-d 1.0
	umount $MNT/dev
	mkdir -p /tmp/nodev
	mount -t tmpfs tmpfs $MNT/dev
	mknod -m 666 $MNT/dev/null c 1 3
	ok apt_get install /tmp/zt-c_1.0_all.deb
	has "$ERR" "zeit: warning: no pre snapshot"
	ok in_be dpkg-query -W zt-c
	eq 0 "$(count_of pkgpre)" "pre snapshots without /dev/zfs"
	eq 0 "$(count_of pkg)" "post snapshots without /dev/zfs"
	umount $MNT/dev
	mount --bind /dev $MNT/dev
	# And with /dev back, the next transaction has its pair.
	ok apt_get install /tmp/zt-d_1.0_all.deb
	eq 1 "$(count_of pkg)" "post snapshots once zfs works again"
	eq "+zt-d 1.0" "$(prop org.zeit:pkg-delta "$(snaps_of pkg)")"
}

# A pacman root: the environment cloned, dpkg's database gone, pacman's
# own (Debian's pacman-package-manager, in the userland), zeit's alpm
# hooks installed where pacman looks for them.
pacman_root() {
	pkg_be
	zfs snapshot $BE@base
	zfs clone -o mountpoint=/ -o canmount=noauto $BE@base $R/arch
	pkg_umount
	BE=$R/arch
	zpool set bootfs=$BE tank
	mount -t zfs -o zfsutil $BE $MNT
	rm -rf $MNT/var/lib/dpkg $MNT/etc/apt/apt.conf.d/80zeit
	mkdir -p $MNT/var/lib/pacman/local $MNT/var/cache/pacman/pkg $MNT/usr/share/libalpm/hooks
	echo 9 >$MNT/var/lib/pacman/local/ALPM_DB_VERSION
	cat >$MNT/etc/pacman.conf <<'CONF'
[options]
RootDir = /
DBPath = /var/lib/pacman/
CacheDir = /var/cache/pacman/pkg/
HookDir = /usr/share/libalpm/hooks/
Architecture = auto
SigLevel = Never
LocalFileSigLevel = Never
CONF
	install -m 0644 contrib/pacman/00-zeit-pre.hook contrib/pacman/zz-zeit-post.hook $MNT/usr/share/libalpm/hooks/
	mount -t proc proc $MNT/proc
	mount --bind /sys $MNT/sys
	mount --bind /dev $MNT/dev
	mount -t tmpfs -o mode=0755 tmpfs $MNT/run
}

# make_pkg NAME VERSION: a tiny pacman package (.PKGINFO and one file).
make_pkg() {
	local name=$1 ver=$2 d
	d=$(mktemp -d)
	mkdir -p "$d/usr/share/zt"
	printf '%s %s\n' "$name" "$ver" >"$d/usr/share/zt/$name"
	printf 'pkgname = %s\npkgbase = %s\npkgver = %s\npkgdesc = zeit test package\nurl = https://example.org\nbuilddate = 1796000000\npackager = zeit tests\nsize = 16\narch = any\nlicense = BSD\n' \
		"$name" "$name" "$ver" >"$d/.PKGINFO"
	tar -C "$d" -cf "$MNT/tmp/$name-$ver-any.pkg.tar" .PKGINFO usr
	rm -rf "$d"
}

pacman_() {
	in_be pacman --noconfirm --noprogressbar "$@"
}

test_pkg_pacman_pairs_noop_burst_and_failure() {
	pacman_root
	make_pkg zt-p 1.0-1
	for i in 1 2 3 4 5; do make_pkg zt-q$i 1.0-1; done

	ok pacman_ -U /tmp/zt-p-1.0-1-any.pkg.tar
	eq 1 "$(count_of pkgpre)" "pre snapshots after one install"
	eq 1 "$(count_of pkg)" "post snapshots after one install"
	post=$(snaps_of pkg)
	has "$(prop org.zeit:pkg-command "$post")" "pacman --noconfirm --noprogressbar -U /tmp/zt-p-1.0-1-any.pkg.tar"
	eq "+zt-p 1.0-1" "$(prop org.zeit:pkg-delta "$post")"
	eq pacman "$(prop org.zeit:pkg-manager "$post")"
	ok "$ZEIT" list $BE
	has "$OUT" "+zt-p 1.0-1"

	# Reinstalling (pacman runs the transaction, nothing changes
	# version) and --needed (no transaction at all): no pair.
	ok pacman_ -U /tmp/zt-p-1.0-1-any.pkg.tar
	ok pacman_ -U --needed /tmp/zt-p-1.0-1-any.pkg.tar
	eq 1 "$(count_of pkgpre)" "pre snapshots after no-op installs"
	eq 1 "$(count_of pkg)" "post snapshots after no-op installs"

	ok pacman_ -R zt-p
	eq 2 "$(count_of pkg)" "post snapshots after the removal"
	eq "-zt-p 1.0-1" "$(prop org.zeit:pkg-delta "$(snaps_of pkg | tail -n 1)")"

	cat >$MNT/tmp/burst.sh <<'SH'
#!/bin/sh
for i in 1 2 3 4 5; do
	pacman --noconfirm --noprogressbar -U /tmp/zt-q$i-1.0-1-any.pkg.tar || exit 1
done
SH
	chmod +x $MNT/tmp/burst.sh
	ok in_be /tmp/burst.sh
	eq 3 "$(count_of pkg)" "post snapshots after the burst"
	eq 3 "$(count_of pkgpre)" "pre snapshots after the burst"
	eq "+zt-q1 1.0-1, +zt-q2 1.0-1, +zt-q3 1.0-1, +zt-q4 1.0-1, +zt-q5 1.0-1" \
		"$(prop org.zeit:pkg-delta "$(snaps_of pkg | tail -n 1)")"

	# Without /dev/zfs zeit fails; pacman does not.
	make_pkg zt-r 1.0-1
	umount $MNT/dev
	mount -t tmpfs tmpfs $MNT/dev
	mknod -m 666 $MNT/dev/null c 1 3
	ok pacman_ -U /tmp/zt-r-1.0-1-any.pkg.tar
	has "$OUT$ERR" "zeit: warning: no pre snapshot"
	ok in_be pacman -Q zt-r
	eq 3 "$(count_of pkg)" "post snapshots without /dev/zfs"
}

# Ten transactions; the sixth upgrades zt-tool to a version that breaks
# the check. bisect over the post snapshots names it in ceil(log2 10) = 4
# steps at most, and the commands it prints boot the state before it.
test_pkg_bisect_names_the_transaction() {
	pkg_be
	make_deb zt-tool 1.0 "mode=fine"
	make_deb zt-tool 2.0 "mode=broken"
	for i in 2 3 4 5 7 8 9 10; do make_deb zt-p$i 1.0; done
	ok apt_get install /tmp/zt-tool_1.0_all.deb
	for i in 2 3 4 5; do ok apt_get install /tmp/zt-p${i}_1.0_all.deb; done
	ok apt_get install /tmp/zt-tool_2.0_all.deb
	for i in 7 8 9 10; do ok apt_get install /tmp/zt-p${i}_1.0_all.deb; done
	eq 10 "$(count_of pkg)" "one post a transaction"
	first_pre=$(snaps_of pkgpre | head -n 1)
	sixth=$(snaps_of pkg | sed -n 6p)
	sixth_pre=$BE@$(prop org.zeit:pkg-pre "$sixth")
	pkg_umount
	cat >/var/tmp/zeit-pkg-check.sh <<'SH'
#!/bin/sh
grep -q mode=fine "$ZEIT_BISECT_ROOT/usr/share/zt/zt-tool"
SH
	chmod +x /var/tmp/zeit-pkg-check.sh
	ok "$ZEIT" bisect start debian --good "${first_pre#*@}" --tier pkg
	ok "$ZEIT" bisect run /var/tmp/zeit-pkg-check.sh
	echo "$OUT" >&2
	steps=$(grep -c '^step ' <<<"$OUT" || true)
	[ "$steps" -le 4 ] || fail "$steps steps for 10 transactions"
	has "$OUT" "first bad snapshot: $sixth"
	has "$OUT" "the transaction: apt-get -y -q -o Dpkg::Use-Pty=0 install /tmp/zt-tool_2.0_all.deb"
	has "$OUT" "packages:  zt-tool 1.0 -> 2.0"
	has "$OUT" "/usr/share/zt/zt-tool"
	has "$OUT" "zeit be create debian-before-${sixth_pre#*@zeit_pkgpre_} -e $sixth_pre"
	has "$OUT" "zeit be activate --once debian-before-${sixth_pre#*@zeit_pkgpre_}"
	ok "$ZEIT" bisect reset
	# The printed commands work, and boot the state before the upgrade.
	name=debian-before-${sixth_pre#*@zeit_pkgpre_}
	ok "$ZEIT" be create "$name" -e "$sixth_pre"
	ok "$ZEIT" be activate --once "$name"
	eq "$R/$name" "$(nextboot_of $R)" "next boot"
	mount -t zfs -o zfsutil $R/$name $MNT
	has "$(cat $MNT/usr/share/zt/zt-tool)" "mode=fine"
	umount $MNT
}

# A full pool: the environment's refreservation takes all the pool has, so
# its own writes still land but zfs cannot snapshot it (out of space). apt
# installs anyway, zeit warns, and no snapshot is left.
test_pkg_apt_goes_on_when_pool_full() {
	pkg_be
	make_deb zt-e 1.0
	local avail used
	avail=$(zfs get -Hp -o value available $BE)
	used=$(zfs get -Hp -o value referenced $BE)
	zfs set refreservation=$((avail + used - 16 * 1024 * 1024)) $BE
	zfs create -o refreservation=8M tank/fill 2>/dev/null || true
	if zfs snapshot $BE@probe 2>/dev/null; then
		zfs destroy $BE@probe
		fail "the pool still takes a snapshot: the test cannot make it full"
	fi
	ok apt_get install /tmp/zt-e_1.0_all.deb
	has "$ERR" "zeit: warning"
	ok in_be dpkg-query -W zt-e
	eq 0 "$(count_of pkgpre)" "pre snapshots on a full pool"
	eq 0 "$(count_of pkg)" "post snapshots on a full pool"
}

# A root that is no ZFS dataset (the guest's own overlay root) and a
# read-only ZFS root: the hook does nothing, says nothing, exits 0.
test_pkg_hook_quiet_on_non_zfs_and_read_only_root() {
	local out
	out=$("$ZEIT" hook pre --manager apt 2>&1) || fail "hook pre on a non-ZFS root exited $?"
	eq "" "$out" "the hook's words on a non-ZFS root"
	out=$("$ZEIT" hook post --manager apt 2>&1) || fail "hook post on a non-ZFS root exited $?"
	eq "" "$out" "the hook's words on a non-ZFS root (post)"
	pkg_be
	mount -o remount,ro $MNT
	out=$(in_be /usr/sbin/zeit hook pre --manager apt 2>&1) || fail "hook pre on a read-only root exited $?"
	eq "" "$out" "the hook's words on a read-only root"
	out=$(in_be /usr/sbin/zeit hook post --manager apt 2>&1) || fail "hook post on a read-only root exited $?"
	eq "" "$out" "the hook's words on a read-only root (post)"
	eq 0 "$(zfs list -H -t snapshot -o name -r tank | grep -c . || true)" "snapshots after hooks on a read-only root"
}

# Retention of the pkg tier: 23 transactions (zeit run --keep, burst off
# so each is its own pair), prune keeps the newest 20 pairs by default,
# pkg=5 from org.zeit:keep keeps 5; -n changes nothing. Names are unique
# by the second, so quick transactions are named ahead of the clock; the
# prunes run as of two minutes on (a name in the future is kept).
test_pkg_retention_keeps_the_newest_pairs() {
	zfs create -o mountpoint=/tank/data tank/data
	printf '[pkg]\nburst = 0\n' >/tmp/zeit.conf
	local i
	for i in $(seq 1 23); do
		ok "$ZEIT" --config /tmp/zeit.conf run --keep -d tank/data -- touch /tank/data/f$i
	done
	snaps() { zfs list -H -o name -t snapshot -s createtxg -d 1 tank/data | grep "@zeit_$1_" || true; }
	eq 23 "$(snaps pkg | grep -c .)" "post snapshots before prune"
	eq 23 "$(snaps pkgpre | grep -c .)" "pre snapshots before prune"
	local oldest_kept later
	oldest_kept=$(snaps pkg | sed -n 4p)
	later=$(($(date +%s) + 120))
	ok "$ZEIT" --config /tmp/zeit.conf --now "@$later" -n prune
	eq 23 "$(snaps pkg | grep -c .)" "post snapshots after prune -n"
	ok "$ZEIT" --config /tmp/zeit.conf --now "@$later" prune
	eq 20 "$(snaps pkg | grep -c .)" "post snapshots kept by default"
	eq 20 "$(snaps pkgpre | grep -c .)" "pre snapshots kept by default"
	eq "$oldest_kept" "$(snaps pkg | head -n 1)" "the oldest post snapshot kept"
	zfs set org.zeit:keep=pkg=5 tank/data
	ok "$ZEIT" --config /tmp/zeit.conf --now "@$later" prune
	eq 5 "$(snaps pkg | grep -c .)" "post snapshots kept with pkg=5"
	eq 5 "$(snaps pkgpre | grep -c .)" "pre snapshots kept with pkg=5"
}
