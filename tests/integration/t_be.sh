# zeit be against a pool laid out like a real root: tank/ROOT/void (with
# a child for /var and /var/db), tank/ROOT/alpine, bootfs on void.

R=tank/ROOT

# A root filesystem in miniature: a kernel and its initramfs, /etc, and a
# static busybox as /bin/sh so commands can run rooted in it.
fill_root() { # fill_root DATASET KERNEL-VERSION NAME
	local m=/tmp/fill
	mkdir -p $m
	mount -t zfs -o zfsutil "$1" $m
	mkdir -p $m/boot $m/etc $m/usr/bin $m/proc $m/sys $m/dev $m/tmp
	echo "kernel $2" >$m/boot/vmlinuz-"$2"
	echo "initramfs $2" >$m/boot/initramfs-"$2".img
	echo "NAME=$3" >$m/etc/os-release
	cp /bin/busybox $m/usr/bin/busybox
	ln -s usr/bin $m/bin
	ln -s busybox $m/usr/bin/sh
	ln -s busybox $m/usr/bin/cat
	umount $m
}

make_roots() {
	zfs create -o mountpoint=none $R
	zfs create -o mountpoint=/ -o canmount=noauto -o org.zfsbootmenu:commandline=quiet $R/void
	fill_root $R/void 6.6.8_1 void
	zfs create -o canmount=noauto $R/void/var
	zfs create -o canmount=noauto $R/void/var/db
	zfs create -o mountpoint=/ -o canmount=noauto $R/alpine
	fill_root $R/alpine 6.6.20-0-lts alpine
	zfs snapshot -r $R/void@base
	zfs snapshot $R/alpine@base
	zpool set bootfs=$R/void tank
}

prop() { zfs get -H -o value "$1" "$2"; }

zfs_mounted_dir() { awk -v d="$1" '$1 == d && $3 == "zfs" { print $2 }' /proc/mounts; }

# The ACTIVE column of `zeit -H be list` for one environment.
active_of() { awk -F'\t' -v n="$2" '$1 == n { print $2 }' <<<"$1"; }

test_be_list_and_create_modes() {
	make_roots
	ok "$ZEIT" -H be list
	eq R "$(active_of "$OUT" void)"
	eq - "$(active_of "$OUT" alpine)"
	has "$OUT" "6.6.8_1"
	has "$OUT" "6.6.20-0-lts"
	ok "$ZEIT" -j be list --no-kernels
	has "$OUT" '"environments"'

	# --clone (the default) of the bootfs environment, from a snapshot
	# taken now and marked as zeit's.
	ok "$ZEIT" be create t1
	origin=$(prop origin $R/t1)
	case $origin in $R/void@zeitbe_t1_*) ;; *) fail "t1's origin is $origin" ;; esac
	eq / "$(prop mountpoint $R/t1)"
	eq noauto "$(prop canmount $R/t1)"
	eq quiet "$(prop org.zfsbootmenu:commandline $R/t1)" "carried property"
	eq no "$(prop mounted $R/t1)"
	# A clone is a throwaway: destroying it leaves its source as it was.
	before=$(zfs list -H -p -o name,guid -t snapshot -r $R/void | grep -v zeitbe_t1_)
	ok "$ZEIT" -n be destroy t1
	has "$ERR" "would destroy $R/t1"
	has "$ERR" "would destroy origin $origin"
	exists $R/t1 || fail "-n destroyed"
	ok "$ZEIT" be destroy t1
	exists $R/t1 && fail "t1 was not destroyed"
	exists "$origin" && fail "zeit's origin snapshot of t1 was left"
	eq "$before" "$(zfs list -H -p -o name,guid -t snapshot -r $R/void)"

	# -r takes the children along, from an existing snapshot.
	ok "$ZEIT" be create -r -e void@base t2
	eq $R/void/var/db@base "$(prop origin $R/t2/var/db)"
	eq noauto "$(prop canmount $R/t2/var)"
	eq no "$(prop mounted $R/t2/var)"

	# --promote swaps the origin relationship.
	ok "$ZEIT" be create --promote -e void@base p1
	eq - "$(prop origin $R/p1)"
	eq $R/p1@base "$(prop origin $R/void)"

	# --duplicate: no origin, and its blocks are its own.
	dd if=/dev/urandom of=/tmp/blob bs=1M count=4 2>/dev/null
	ok "$ZEIT" be mount alpine /tmp/am
	cp /tmp/blob /tmp/am/blob
	ok "$ZEIT" be umount alpine
	zfs snapshot $R/alpine@blob
	alloc=$(zpool get -H -p -o value allocated tank)
	ok "$ZEIT" be create --duplicate -e alpine@blob d1
	eq - "$(prop origin $R/d1)"
	eq / "$(prop mountpoint $R/d1)"
	eq - "$(prop clones $R/alpine@blob | sed 's/^$/-/')"
	zpool sync tank
	grown=$(($(zpool get -H -p -o value allocated tank) - alloc))
	[ "$grown" -gt 3000000 ] || fail "duplicate grew the pool by only $grown bytes: blocks shared?"

	# Errors: one clear line each.
	fails "already exists" "$ZEIT" be create d1
	fails "invalid boot environment name" "$ZEIT" be create 'a/b'
	fails "does not exist" "$ZEIT" be create -e nosuch x1
	fails "exclude each other" "$ZEIT" be create --clone --duplicate x2
	[ "$(wc -l <<<"$ERR")" -le 2 ] || fail "more than one error line: $ERR"
}

test_be_activate_once_and_destroy_guards() {
	make_roots
	ok "$ZEIT" be activate --once alpine
	ok "$ZEIT" -H be list --no-kernels
	eq T "$(active_of "$OUT" alpine)"
	eq R "$(active_of "$OUT" void)"
	eq $R/alpine "$(nextboot_of $R)"
	fails "chosen for the next boot" "$ZEIT" be destroy alpine
	# What the boot menu calls: prints the choice once and clears it.
	ok "$ZEIT" be next-boot --take
	eq $R/alpine "$OUT"
	ok "$ZEIT" be next-boot
	eq "" "$OUT"
	ok "$ZEIT" -H be list --no-kernels
	eq - "$(active_of "$OUT" alpine)"

	fails "bootfs" "$ZEIT" be destroy void
	exists $R/void || fail "the bootfs environment was destroyed"

	# Activating a clone promotes it, so the old environment can go.
	ok "$ZEIT" be create c1
	ok "$ZEIT" -n be activate c1
	eq $R/void "$(zpool get -H -o value bootfs tank)" "-n changed bootfs"
	ok "$ZEIT" be activate c1
	eq $R/c1 "$(zpool get -H -o value bootfs tank)"
	eq - "$(prop origin $R/c1)"
	ok "$ZEIT" be destroy void
	exists $R/void && fail "void was not destroyed"
	exists $R/c1 || fail "destroying the old environment took the new one"

	# The running environment (what is mounted at /) is refused too:
	# run zeit rooted in alpine, in a mount namespace of its own.
	repo=$(cd "$(dirname "$ZEIT")/.." && pwd)
	cat >/var/tmp/zeit-running.sh <<-EOF
		set -e
		mkdir -p /tmp/rr
		mount -t zfs -o zfsutil $R/alpine /tmp/rr
		for d in usr proc dev sys; do mkdir -p /tmp/rr/\$d; mount --rbind /\$d /tmp/rr/\$d; done
		mkdir -p /tmp/rr/run
		mount -t tmpfs tmpfs /tmp/rr/run
		for l in bin sbin lib lib64; do [ -e /tmp/rr/\$l ] || ln -s usr/\$l /tmp/rr/\$l; done
		mkdir -p /tmp/rr$repo
		mount --bind $repo /tmp/rr$repo
		chroot /tmp/rr $ZEIT -H be --root $R list --no-kernels
		chroot /tmp/rr $ZEIT be --root $R destroy alpine
	EOF
	rc=0
	out=$(unshare -m bash /var/tmp/zeit-running.sh 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "destroying the running environment succeeded: $out"
	has "$out" "running boot environment"
	eq N "$(awk -F'\t' '$1 == "alpine" { print $2 }' <<<"$out")"
	exists $R/alpine || fail "the running environment was destroyed"
}

# The one-time choice is the BE root's own org.zeit:nextboot, the same
# place on every OpenZFS (2.1 has no pool user properties): one inherited
# from above is none, and a value that names no dataset is never shown.
test_be_nextboot_is_the_roots_own() {
	make_roots
	ok "$ZEIT" be activate --once alpine
	eq $R/alpine "$(nextboot_of $R)"
	ok "$ZEIT" be rename alpine alp2
	eq $R/alp2 "$(nextboot_of $R)" "the choice follows a rename"
	ok "$ZEIT" be next-boot --take
	eq $R/alp2 "$OUT"
	eq "" "$(nextboot_of $R)" "taken"
	zfs set org.zeit:nextboot=$R/alp2 tank
	ok "$ZEIT" -H be list --no-kernels
	eq - "$(active_of "$OUT" alp2)" "an inherited choice"
	ok "$ZEIT" be next-boot
	eq "" "$OUT"
	zfs inherit org.zeit:nextboot tank
	# Another tool's bare name says the same.
	zfs set org.zeit:nextboot=alp2 $R
	ok "$ZEIT" -H be list --no-kernels
	eq T "$(active_of "$OUT" alp2)"
	zfs set org.zeit:nextboot="$R/alp2"$'\e]0;owned\a' $R
	ok "$ZEIT" -H be list --no-kernels
	eq - "$(active_of "$OUT" alp2)" "a choice that is no name"
	has "$ERR" "org.zeit:nextboot on $R names no dataset; ignored"
	ok "$ZEIT" be next-boot --take
	eq "" "$OUT"
	hasnt "$ERR" $'\e'
}

test_be_mount_chroot_rename_rollback_snapshots() {
	make_roots
	ok "$ZEIT" be mount void /tmp/vm
	eq /tmp/vm "$OUT"
	eq /tmp/vm "$(zfs_mounted_dir $R/void)"
	eq /tmp/vm/var "$(zfs_mounted_dir $R/void/var)"
	eq /tmp/vm/var/db "$(zfs_mounted_dir $R/void/var/db)"
	fails "already mounted" "$ZEIT" be mount void
	ok "$ZEIT" be umount void
	hasnt "$(grep " zfs " /proc/mounts)" "$R/void"

	# chroot runs the command inside, with /proc, and cleans up on any
	# exit status.
	ok "$ZEIT" be chroot alpine sh -c 'cat /etc/os-release; test -e /proc/self/status && echo proc-ok'
	has "$OUT" "NAME=alpine"
	has "$OUT" "proc-ok"
	rc=0
	"$ZEIT" be chroot alpine sh -c 'exit 3' || rc=$?
	eq 3 "$rc" "the command's exit status"
	hasnt "$(cat /proc/mounts)" "zeit-chroot"
	hasnt "$(grep " zfs " /proc/mounts)" "$R/alpine"
	fails "Read-only|read-only" "$ZEIT" be chroot --read-only alpine sh -c 'echo x >/etc/new'
	hasnt "$(cat /proc/mounts)" "zeit-chroot"

	# rename carries bootfs along.
	ok "$ZEIT" be rename void void2
	eq $R/void2 "$(zpool get -H -o value bootfs tank)"
	exists $R/void2/var/db || fail "children did not follow the rename"

	# snapshots: newest first, with the tier of zeit's.
	"$ZEIT" --now @1795737600 snap -t daily $R/alpine >/dev/null
	ok "$ZEIT" -H be snapshots alpine
	eq zeit_daily_20261127T000000Z "$(head -1 <<<"$OUT" | cut -f1)"
	eq daily "$(head -1 <<<"$OUT" | cut -f2)"
	eq base "$(sed -n 2p <<<"$OUT" | cut -f1)"

	# rollback: confirmation, later snapshots, kernels.
	fails "confirm with -y" "$ZEIT" be rollback alpine@base </dev/null
	fails "later snapshot" "$ZEIT" be rollback -y alpine@base
	ok "$ZEIT" be rollback -y -r alpine@base
	exists $R/alpine@zeit_daily_20261127T000000Z && fail "-r kept the later snapshot"
	zfs create -o mountpoint=/ -o canmount=noauto $R/nokernel
	zfs snapshot $R/nokernel@s
	fails "no kernel" "$ZEIT" be rollback -y nokernel@s
	ok "$ZEIT" be rollback -y --force nokernel@s
}

# Runs a command with the environment NAME as / (mounted, /usr /dev /proc
# /sys bound in, in a private mount namespace), as if NAME had booted.
as_running() { # NAME CMD...
	local name=$1 repo
	shift
	repo=$(pwd -P)
	cat >/var/tmp/zeit-as-running.sh <<-EOF
		set -e
		mkdir -p /tmp/rr
		mount -t zfs -o zfsutil $R/$name /tmp/rr
		for d in usr proc dev sys; do mkdir -p /tmp/rr/\$d; mount --rbind /\$d /tmp/rr/\$d; done
		mkdir -p /tmp/rr/run /tmp/rr/tmp
		mount -t tmpfs tmpfs /tmp/rr/run
		for l in bin sbin lib lib64; do [ -e /tmp/rr/\$l ] || ln -s usr/\$l /tmp/rr/\$l; done
		mkdir -p /tmp/rr$repo
		mount --bind $repo /tmp/rr$repo
		exec chroot /tmp/rr $*
	EOF
	unshare -m bash /var/tmp/zeit-as-running.sh
}

trial_of() { awk -F'\t' -v n="$2" '$1 == n { print $NF }' <<<"$1"; }

test_be_trial_fails_then_confirms() {
	make_roots
	# A mark inherited from the BE root (it names the root), or naming
	# another dataset, is no trial of anything.
	zfs set org.zeit:trial="failed $R" $R
	zfs set org.zeit:trial="failed $R/void" $R/alpine
	ok "$ZEIT" -H be list --no-kernels
	eq - "$(trial_of "$OUT" alpine)"
	eq - "$(trial_of "$OUT" void)"
	zfs inherit org.zeit:trial $R
	ok "$ZEIT" status
	hasnt "$OUT" "trial boot"
	zfs inherit org.zeit:trial $R/alpine

	fails "already the pool's bootfs" "$ZEIT" be activate --trial void
	fails "exclude each other" "$ZEIT" be activate --once --trial alpine
	ok "$ZEIT" -n be activate --trial alpine
	has "$ERR" "would set org.zeit:trial=pending $R/alpine"
	eq - "$(prop org.zeit:trial $R/alpine)" "-n set the mark"
	eq "" "$(nextboot_of $R)" "-n set nextboot"

	ok "$ZEIT" be activate --trial alpine
	eq "pending $R/alpine" "$(prop org.zeit:trial $R/alpine)"
	eq $R/alpine "$(nextboot_of $R)"
	ok "$ZEIT" -H be list --no-kernels
	eq pending "$(trial_of "$OUT" alpine)"
	eq T "$(active_of "$OUT" alpine)"

	# The menu takes the request and boots alpine, which never comes up;
	# the next boot is void's, the default, and its confirmation finds
	# the trial failed.
	ok "$ZEIT" be next-boot --take
	ok "$ZEIT" -H be list --no-kernels
	eq failed "$(trial_of "$OUT" alpine)"
	out=$(as_running void "$ZEIT" be --root $R confirm 2>&1) || fail "confirm in void: $out"
	has "$out" "trial of $R/alpine failed"
	eq $R/void "$(zpool get -H -o value bootfs tank)"
	eq "failed $R/alpine" "$(prop org.zeit:trial $R/alpine)"
	rc=0
	"$ZEIT" status >/tmp/st 2>&1 || rc=$?
	eq 1 "$rc" "status exit with a failed trial"
	has "$(cat /tmp/st)" "trial boot"
	# Confirming again changes nothing.
	out=$(as_running void "$ZEIT" be --root $R confirm 2>&1) || fail "confirm again: $out"
	eq $R/void "$(zpool get -H -o value bootfs tank)"

	# A good trial: it boots, confirms, and becomes bootfs; no longer a
	# trial.
	ok "$ZEIT" be activate --trial alpine
	ok "$ZEIT" be next-boot --take
	out=$(as_running alpine "$ZEIT" -H be --root $R list --no-kernels 2>&1) || fail "list in alpine: $out"
	eq unconfirmed "$(trial_of "$out" alpine)"
	out=$(as_running alpine "$ZEIT" be --root $R confirm 2>&1) || fail "confirm in alpine: $out"
	has "$out" "confirmed $R/alpine"
	eq $R/alpine "$(zpool get -H -o value bootfs tank)"
	eq - "$(prop org.zeit:trial $R/alpine)"
	ok "$ZEIT" status
	hasnt "$OUT" "trial boot"

	# Not booted from ZFS: nothing to confirm, and no error.
	ok "$ZEIT" be confirm
	eq "" "$OUT"
}
