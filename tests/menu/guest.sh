#!/usr/bin/env bash
# Runs in the zvm guest with the test disk as /dev/vda: builds the pool the
# menu boots from, or changes it between boots.
#   guest.sh setup ENVS SNAPS   rpool on /dev/vda: ENVS environments, each
#                               with its own /boot (kernel + an initramfs
#                               whose init prints "booted <dataset>" and
#                               powers off), SNAPS snapshots each; bootfs the
#                               first; exported at the end
#   guest.sh setup-real TAR     rpool on /dev/vda with one real Debian
#                               environment, rpool/ROOT/deb, extracted from
#                               TAR (tests/vm/real-be-tree), one snapshot
#                               of it; bootfs; exported at the end
#   guest.sh setup-real-enc TAR the same with rpool/ROOT encrypted
#                               (keyformat=passphrase, keylocation=prompt,
#                               the passphrase in ZEIT_TEST_PASSPHRASE): the
#                               encryption root of deb
#   guest.sh trial-setup        on that pool: zeit and zeit-boot-ok.service
#                               (from BUILD) installed in deb, whose report
#                               then shows bootfs and the environments;
#                               clones of it: good, and broken (an
#                               initramfs without /init: the kernel panics),
#                               activated with --trial
#   guest.sh zeit ARGS...       zeit ARGS... with the pool imported
#   guest.sh zeits "ARGS" ...   several zeit commands in one import, each
#                               one's output after a line "== ARGS", its
#                               exit status in a line "-- exit N"
#   guest.sh once NAME          zeit be activate --once NAME
#   guest.sh show               the pool's bootfs, next-boot and datasets
set -euo pipefail
cd "$(dirname "$0")/../.."
ZEIT=$PWD/${BUILD:-build}/zeit
R=rpool/ROOT

modprobe virtio_blk 2>/dev/null || true
for _ in $(seq 50); do [ -b /dev/vda ] && break; sleep 0.1; done
[ -b /dev/vda ] || { echo "guest.sh: no /dev/vda (ZVM_DISKS)" >&2; exit 1; }

# The initramfs each environment boots: it reports the root it was given
# and powers off, which is all a boot test needs to see.
be_initrd() { # OUT
	local d
	d=$(mktemp -d /var/tmp/be-initrd.XXXXXX)
	mkdir -p "$d/bin" "$d/proc"
	cp "$(command -v busybox)" "$d/bin/busybox"
	cat >"$d/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
for w in $(/bin/busybox cat /proc/cmdline); do
	case "$w" in
	root=zfs:* | root=ZFS=* | zfs=*) ds=${w#*=}; ds=${ds#zfs:}; ds=${ds#ZFS=} ;;
	esac
done
echo "booted ${ds:-nothing}"
echo "cmdline $(/bin/busybox cat /proc/cmdline)"
/bin/busybox poweroff -f
INIT
	chmod 0755 "$d/init"
	(cd "$d" && find . | cpio -o -H newc --quiet -R 0:0) >"$1"
	rm -rf "$d"
}

import() { zpool import -N -o cachefile=none -d /dev rpool; }

case "${1:-}" in
setup)
	envs=${2:-2} snaps=${3:-2}
	kv=$(uname -r)
	# Through a dm linear map: zpool would partition a whole disk and
	# then wait for udev, which the guest does not run. The label is the
	# same on /dev/vda, where the menu finds it.
	dmsetup create zmenu --table "0 $(blockdev --getsz /dev/vda) linear /dev/vda 0"
	dmsetup mknodes
	zpool create -f -o cachefile=none -O mountpoint=none -O canmount=off \
		-O compression=lz4 rpool /dev/mapper/zmenu
	# The environments' kernel command line, inherited from the root as
	# zfsbootmenu users set it.
	zfs create -o mountpoint=none \
		-o org.zfsbootmenu:commandline="console=ttyS0 quiet panic=-1 no_timer_check" $R
	be_initrd /var/tmp/be-initrd.img
	m=/var/tmp/be-mnt
	mkdir -p $m
	first=
	names=()
	for i in $(seq "$envs"); do
		if [ "$envs" -le 2 ]; then
			name=$([ "$i" = 1 ] && echo alpha || echo beta)
		else
			name=$(printf 'be%02d' "$i")
		fi
		names+=("$name")
		if [ -z "$first" ] || [ "$envs" -le 2 ]; then
			zfs create -o mountpoint=/ -o canmount=noauto $R/$name
			mount -t zfs -o zfsutil $R/$name $m
			mkdir -p $m/boot $m/etc
			cp /boot/vmlinuz-"$kv" $m/boot/
			cp /var/tmp/be-initrd.img $m/boot/initrd.img-"$kv"
			printf 'NAME="Debian GNU/Linux"\nID=debian\n' >$m/etc/os-release
			echo "$name" >$m/etc/hostname
			umount $m
			[ -n "$first" ] || { first=$name; zfs snapshot $R/$name@base; }
		else
			# Many environments share one /boot: clones are cheap.
			zfs clone -o mountpoint=/ -o canmount=noauto $R/$first@base $R/$name
		fi
	done
	# SNAPS snapshots of every environment, one atomic call per time,
	# named as zeit names its daily ones.
	for j in $(seq "$snaps"); do
		args=()
		for n in "${names[@]}"; do
			args+=("$R/$n@zeit_daily_$(date -u -d "2026-01-01 + $j days" +%Y%m%dT000000Z)")
		done
		zfs snapshot "${args[@]}"
	done
	zpool set bootfs=$R/${names[0]} rpool
	zpool export rpool
	dmsetup remove zmenu
	;;
setup-real)
	dmsetup create zmenu --table "0 $(blockdev --getsz /dev/vda) linear /dev/vda 0"
	dmsetup mknodes
	zpool create -f -o cachefile=none -O mountpoint=none -O canmount=off \
		-O compression=lz4 -O atime=off rpool /dev/mapper/zmenu
	zfs create -o mountpoint=none \
		-o org.zfsbootmenu:commandline="console=ttyS0 quiet panic=-1 no_timer_check" $R
	zfs create -o mountpoint=/ -o canmount=noauto $R/deb
	m=/var/tmp/be-mnt
	mkdir -p $m
	mount -t zfs -o zfsutil $R/deb $m
	tar -C $m -xf "$2"
	umount $m
	zfs snapshot $R/deb@zeit_daily_20260102T000000Z
	zpool set bootfs=$R/deb rpool
	zpool export rpool
	dmsetup remove zmenu
	;;
setup-real-enc)
	dmsetup create zmenu --table "0 $(blockdev --getsz /dev/vda) linear /dev/vda 0"
	dmsetup mknodes
	zpool create -f -o cachefile=none -O mountpoint=none -O canmount=off \
		-O compression=lz4 -O atime=off rpool /dev/mapper/zmenu
	# The fewest PBKDF2 rounds zfs allows: each try costs less under TCG.
	printf '%s\n' "${ZEIT_TEST_PASSPHRASE:?}" | zfs create -o mountpoint=none \
		-o encryption=on -o keyformat=passphrase -o keylocation=prompt \
		-o pbkdf2iters=100000 \
		-o org.zfsbootmenu:commandline="console=ttyS0 quiet panic=-1 no_timer_check" $R
	zfs create -o mountpoint=/ -o canmount=noauto $R/deb
	m=/var/tmp/be-mnt
	mkdir -p $m
	mount -t zfs -o zfsutil $R/deb $m
	tar -C $m -xf "$2"
	umount $m
	zpool set bootfs=$R/deb rpool
	zpool export rpool
	dmsetup remove zmenu
	;;
trial-setup)
	import
	m=/var/tmp/be-mnt
	mkdir -p $m
	mount -t zfs -o zfsutil $R/deb $m
	install -m 0755 "$ZEIT" $m/usr/local/sbin/zeit
	install -m 0644 "${BUILD:-build}/zeit-boot-ok.service" $m/etc/systemd/system/
	ln -sf ../zeit-boot-ok.service $m/etc/systemd/system/multi-user.target.wants/
	# The report comes after the confirmation, and shows its effect.
	mkdir -p $m/etc/systemd/system/zeit-test-report.service.d $m/etc/zeit-test/report.d
	printf '[Unit]\nAfter=zeit-boot-ok.service\n' \
		>$m/etc/systemd/system/zeit-test-report.service.d/after-confirm.conf
	cat >$m/etc/zeit-test/report.d/zeit <<-'EOF'
		#!/bin/sh
		echo "zeit-test: bootfs=$(zpool get -H -o value bootfs rpool)"
		/usr/local/sbin/zeit -H be list --no-kernels | sed 's/^/zeit-test: be /'
	EOF
	chmod 755 $m/etc/zeit-test/report.d/zeit
	umount $m
	zfs snapshot $R/deb@trial-base
	"$ZEIT" be --root $R create -e deb@trial-base good
	"$ZEIT" be --root $R create -e deb@trial-base broken
	# An upgrade that breaks the boot: an initramfs with no /init, so the
	# kernel finds no root and panics.
	mount -t zfs -o zfsutil $R/broken $m
	d=$(mktemp -d /var/tmp/broken-initrd.XXXXXX)
	echo "no init here" >"$d/README"
	kv=$(cd $m/boot && ls vmlinuz-* | head -n1 | sed 's/^vmlinuz-//')
	(cd "$d" && echo README | cpio -o -H newc --quiet -R 0:0) >$m/boot/initrd.img-"$kv"
	rm -rf "$d"
	umount $m
	"$ZEIT" be --root $R activate --trial broken
	zpool export rpool
	;;
zeit)
	shift
	import
	rc=0
	"$ZEIT" "$@" || rc=$?
	zpool export rpool
	exit $rc
	;;
zeits)
	# Several zeit commands in one boot, each "ARGS..." a word of its
	# own; each one's output follows a line "== ARGS" (boots of the VM
	# are what the trial tests spend their time on).
	shift
	import
	rc=0
	for c in "$@"; do
		echo "== $c"
		read -ra a <<<"$c"
		r=0
		"$ZEIT" "${a[@]}" 2>&1 || r=$?
		echo "-- exit $r"
		[ "$r" -eq 0 ] || rc=$r
	done
	zpool export rpool
	exit $rc
	;;
once)
	import
	"$ZEIT" be --root $R activate --once "$2"
	zpool export rpool
	;;
show)
	import
	zpool get -H -o property,value bootfs rpool
	zfs get -H -s local -o property,value org.zeit:nextboot $R
	zfs list -H -o name,origin -r $R
	zpool export rpool
	;;
*)
	sed -n '2,23s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
