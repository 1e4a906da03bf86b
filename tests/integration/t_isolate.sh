# zeit bisect isolate on real ZFS: the story's culprit day (40 changed
# files; x86_features.xml gains 12 CPU features and the VMs fail only with
# both amd-stibp and npt), two files that fail only together among changes
# of every kind, and kill -9 in the middle of a run.

ISO_R=tank/ROOT
ISO_M=/tmp/isohist

iso_env() {
	zfs create -o mountpoint=none $ISO_R
	zfs create -o mountpoint=/ -o canmount=noauto $ISO_R/void
	zpool set bootfs=$ISO_R/void tank
	mkdir -p $ISO_M
	mount -t zfs -o zfsutil $ISO_R/void $ISO_M
}

# Everything isolate may touch, to compare before and after.
iso_pool_state() {
	zfs list -H -p -o name,guid,userrefs -t all -r tank
	zfs get -H -r -s local -o name,property,value all tank
	zpool get -H -o property,value bootfs tank
}

iso_feature() { printf "  <feature name='%s'>\n    <cpuid eax_in='0x%08x' edx='0x%08x'/>\n  </feature>\n" "$1" "$2" "$3"; }

# x86_features.xml: 40 old features; with "new", 12 more, each after a
# different old one.
iso_features() {
	local i j=0
	local -a new=(amd-ssbd virt-ssbd amd-no-ssb pdpe1gb amd-stibp ibrs-all npt nrip-save svme-addr-chk lbrv tsc-scale vmcb-clean)
	echo "<cpus>"
	for i in $(seq 1 40); do
		iso_feature "old$i" "$i" "$((i * 7))"
		if [ "$1" = new ] && [ $((i % 3)) -eq 0 ] && [ $j -lt 12 ]; then
			iso_feature "${new[$j]}" "$((100 + j))" "$((j * 3))"
			j=$((j + 1))
		fi
	done
	echo "</cpus>"
}

# Days 1-4 of the environment; day 3 is the culprit: the package database,
# a new kernel and initramfs and the old ones gone, 25 /etc files with
# comment churn, 10 files under /usr/share/libvirt (x86_features.xml among
# them, a new CPU model): 40 changed files. Day 4 changes one more /etc file.
iso_story() {
	local m=$ISO_M d i
	mkdir -p $m/etc $m/var/lib/dpkg $m/boot $m/usr/share/libvirt/cpu_map $m/usr/share/libvirt/schemas
	for d in 1 2 3 4; do
		if [ $d -lt 3 ]; then
			printf 'Package: libvirt0\nVersion: 9.0.0-4\n\nPackage: linux-image-amd64\nVersion: 6.1.0-13\n' >$m/var/lib/dpkg/status
			head -c 3000 /dev/zero | tr '\0' 'k' >$m/boot/vmlinuz-6.1.0-13-amd64
			printf 'initrd\0\0binary' >$m/boot/initrd.img-6.1.0-13-amd64
			for i in $(seq 1 26); do printf '# conf %s\nkey%s = value\n' "$i" "$i" >$m/etc/conf$i.conf; done
			iso_features old >$m/usr/share/libvirt/cpu_map/x86_features.xml
			for i in $(seq 1 7); do printf '<schema n="%s"/>\n' "$i" >$m/usr/share/libvirt/schemas/s$i.rng; done
			printf '<cpus>\n  <arch name="x86"/>\n</cpus>\n' >$m/usr/share/libvirt/cpu_map/index.xml
		elif [ $d -eq 3 ]; then
			printf 'Package: libvirt0\nVersion: 9.0.0-4+deb12u1\n\nPackage: linux-image-amd64\nVersion: 6.1.0-14\n' >$m/var/lib/dpkg/status
			rm $m/boot/vmlinuz-6.1.0-13-amd64 $m/boot/initrd.img-6.1.0-13-amd64
			head -c 3000 /dev/zero | tr '\0' 'l' >$m/boot/vmlinuz-6.1.0-14-amd64
			printf 'initrd\0\0binary2' >$m/boot/initrd.img-6.1.0-14-amd64
			for i in $(seq 1 25); do printf '# conf %s, updated\nkey%s = value\n' "$i" "$i" >$m/etc/conf$i.conf; done
			iso_features new >$m/usr/share/libvirt/cpu_map/x86_features.xml
			for i in $(seq 1 7); do printf '<schema n="%s" v="2"/>\n' "$i" >$m/usr/share/libvirt/schemas/s$i.rng; done
			printf '<cpus>\n  <arch name="x86"/>\n  <include filename="x86_EPYC-Genoa.xml"/>\n</cpus>\n' >$m/usr/share/libvirt/cpu_map/index.xml
			printf '<cpus>\n  <model name="EPYC-Genoa"/>\n</cpus>\n' >$m/usr/share/libvirt/cpu_map/x86_EPYC-Genoa.xml
		else
			echo '# day 4' >>$m/etc/conf26.conf
		fi
		sync
		zfs snapshot "$ISO_R/void@day$d"
	done
}

# The user's check: the VM starts unless both amd-stibp and npt are there.
cat >/var/tmp/zeit-iso-check.sh <<'EOF'
#!/bin/sh
f=$ZEIT_BISECT_ROOT/usr/share/libvirt/cpu_map/x86_features.xml
[ -f "$ZEIT_BISECT_ROOT/etc/conf1.conf" ] || exit 125
if grep -q "name='amd-stibp'" "$f" && grep -q "name='npt'" "$f"; then exit 1; fi
exit 0
EOF
chmod +x /var/tmp/zeit-iso-check.sh

test_isolate_story_culprit_day_two_features() {
	iso_env
	iso_story
	umount $ISO_M
	ok "$ZEIT" bisect start void --good day1 --bad day4
	ok "$ZEIT" bisect run /var/tmp/zeit-iso-check.sh
	has "$OUT" "first bad snapshot: $ISO_R/void@day3"
	local before
	before=$(iso_pool_state)
	ok "$ZEIT" -j bisect isolate -- /var/tmp/zeit-iso-check.sh
	local j=$OUT
	eq 40 "$(jq .changes <<<"$j")" "changes between day2 and day3"
	eq "$ISO_R/void@day2" "$(jq -r .good <<<"$j")" "last good"
	eq "$ISO_R/void@day3" "$(jq -r .bad <<<"$j")" "first bad"
	eq 2 "$(jq '.answer | length' <<<"$j")" "answer size"
	eq "/usr/share/libvirt/cpu_map/x86_features.xml" "$(jq -r '.answer[].path' <<<"$j" | sort -u)" "the file"
	has "$(jq -r '.answer[0].lines[]' <<<"$j")" "+  <feature name='amd-stibp'>"
	has "$(jq -r '.answer[1].lines[]' <<<"$j")" "+  <feature name='npt'>"
	# ddmin: files 40 -> 1, hunks 12 -> 2, lines 6 -> 2.
	eq "40 1 12 2 6 2" "$(jq -r '[.levels[] | .units, .left] | map(tostring) | join(" ")' <<<"$j")" "levels"
	local tests
	tests=$(jq .tests <<<"$j")
	echo "isolate: $tests test runs for 40 files, 12 hunks (every subset of the files: 2^40; worst case $(jq .worst_case <<<"$j"))" >&2
	[ "$tests" -lt 80 ] || fail "$tests test runs"
	eq "$before" "$(iso_pool_state)" "pool after isolate"
	eq 0 "$(grep -c isolate /proc/mounts || true)" "isolate mounts left"
	# People's form: the files named, the hunks shown; a path filter.
	ok "$ZEIT" bisect isolate /usr/share/libvirt -- /var/tmp/zeit-iso-check.sh
	has "$OUT" "the test fails with these 2 changes (of 10)"
	has "$OUT" "/usr/share/libvirt/cpu_map/x86_features.xml: a line of hunk @@"
	has "$OUT" "+  <feature name='npt'>"
	eq "$before" "$(iso_pool_state)" "pool after the second isolate"
	ok "$ZEIT" bisect reset
}

# Two files that fail only together, among changes of every kind: a
# binary file, a link retargeted, a new link to a host file, a new FIFO, a
# new tree, a removed file, a renamed file; and a file whose change makes
# the test unable to tell (125).
test_isolate_two_files_together_among_every_kind() {
	iso_env
	local m=$ISO_M i
	mkdir -p $m/etc/app $m/srv
	for i in 1 2 3 4 5 6; do echo "x=$i" >$m/etc/app/n$i.conf; done
	echo 'mode=a' >$m/etc/app/left.conf
	echo 'mode=a' >$m/etc/app/right.conf
	printf 'bin\0ary' >$m/srv/blob
	ln -s n1.conf $m/etc/app/current
	echo gone >$m/etc/app/old.conf
	echo move >$m/etc/app/moved-from
	zfs snapshot $ISO_R/void@good
	for i in 1 2 3 4 5 6; do echo "x=$i changed" >$m/etc/app/n$i.conf; done
	echo 'mode=b' >$m/etc/app/left.conf
	echo 'mode=b' >$m/etc/app/right.conf
	printf 'bin\0ary2' >$m/srv/blob
	ln -sfn n2.conf $m/etc/app/current
	ln -s /etc/shadow $m/etc/app/shadow
	mkfifo $m/etc/app/pipe
	mkdir -p $m/etc/app/new.d/sub
	echo new >$m/etc/app/new.d/sub/file
	rm $m/etc/app/old.conf
	mv $m/etc/app/moved-from $m/etc/app/moved-to
	echo undecided >$m/etc/app/n6.conf
	zfs snapshot $ISO_R/void@bad
	umount $m
	cat >/var/tmp/zeit-iso-two.sh <<'EOF'
#!/bin/sh
d=$ZEIT_BISECT_ROOT/etc/app
grep -q undecided "$d/n6.conf" && ! grep -q 'mode=b' "$d/left.conf" && exit 125
if grep -q 'mode=b' "$d/left.conf" && grep -q 'mode=b' "$d/right.conf"; then exit 3; fi
exit 0
EOF
	chmod +x /var/tmp/zeit-iso-two.sh
	local before
	before=$(iso_pool_state)
	ok "$ZEIT" -j bisect isolate --good void@good --bad void@bad -- /var/tmp/zeit-iso-two.sh
	local j=$OUT
	echo "$(jq -c '[.changes, .tests, .levels]' <<<"$j")" >&2
	eq "/etc/app/left.conf /etc/app/right.conf" "$(jq -r '[.answer[].path] | sort | join(" ")' <<<"$j")" "the two files"
	eq "$before" "$(iso_pool_state)" "pool after isolate"
	# Every kind was applied somewhere: the full set's clone had them.
	local kinds
	kinds=$(jq -r '.answer[].change' <<<"$j" | sort -u | tr '\n' ' ')
	eq "modified " "$kinds" "answer kinds"
	# Without a bisection and with short names: the running or boot
	# environment's snapshots.
	ok "$ZEIT" bisect isolate --good good --bad bad /etc/app/left.conf /etc/app/right.conf -- /var/tmp/zeit-iso-two.sh
	has "$OUT" "the test fails with these 2 changes (of 2)"
	# A test that fails on the good snapshot itself: refused.
	fails "does not pass on a clone" "$ZEIT" bisect isolate --good good --bad bad -- /bin/false
	eq "$before" "$(iso_pool_state)" "pool after the refusal"
	# Host files untouched: the link was made as a link in the clone.
	[ -s /etc/shadow ] || fail "/etc/shadow"
}

# Killed with SIGKILL once its clone is in use: no mount is left, and the
# clone goes with the next run (which finishes) or with bisect reset.
test_isolate_kill9_leaves_nothing_next_run_and_reset_clean() {
	iso_env
	local m=$ISO_M i pid
	mkdir -p $m/etc/k
	for i in $(seq 1 8); do echo "k=$i" >$m/etc/k/f$i.conf; done
	zfs snapshot $ISO_R/void@k1
	for i in $(seq 1 8); do echo "k=$i new" >$m/etc/k/f$i.conf; done
	zfs snapshot $ISO_R/void@k2
	umount $m
	cat >/var/tmp/zeit-iso-kill.sh <<'EOF2'
#!/bin/sh
! grep -q new "$ZEIT_BISECT_ROOT/etc/k/f5.conf"
EOF2
	chmod +x /var/tmp/zeit-iso-kill.sh
	local before
	before=$(iso_pool_state)
	for i in 1 2; do
		setsid "$ZEIT" bisect isolate --good k1 --bad k2 -- /var/tmp/zeit-iso-kill.sh >/tmp/iso.out 2>&1 &
		pid=$!
		# Into the search: tests done, the clone in use.
		local waited=0
		until [ "$(grep -c '^test ' /tmp/iso.out)" -ge $((i + 1)) ] || [ $waited -ge 600 ]; do
			sleep 0.1
			waited=$((waited + 1))
		done
		kill -9 -- -$pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		hasnt "$(cat /proc/mounts)" "isolate" "a mount left after kill -9"
		if [ $i -eq 1 ]; then
			# The next run cleans up and finishes.
			ok "$ZEIT" -j bisect isolate --good k1 --bad k2 -- /var/tmp/zeit-iso-kill.sh
			eq /etc/k/f5.conf "$(jq -r '.answer[0].path' <<<"$OUT")" "answer after a kill"
		else
			exists "$(zfs list -H -o name -r $ISO_R | grep -- -isolate- | head -1)" ||
				fail "the kill left no clone: nothing for reset to do"
			ok "$ZEIT" bisect reset
		fi
		eq "$before" "$(iso_pool_state)" "pool after kill $i and clean-up"
	done
}
