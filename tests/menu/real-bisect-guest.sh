#!/usr/bin/env bash
# Runs in the zvm guest with the real environment's pool disk as /dev/vda
# (tests/menu/real-disk): sets up the boot bisection tests/menu/real-bisect
# boots, or shows what it left.
#   real-bisect-guest.sh setup   zeit and zeit-boot-ok.service (from BUILD)
#                                in rpool/ROOT/deb, their output on the
#                                console; 8 snapshots deb@s1..s8, from s5 on
#                                with an initramfs that panics the kernel
#                                (deb itself keeps the good one); a one-shot
#                                unit in deb that starts the bisection on
#                                its next boot
#   real-bisect-guest.sh show    what the pool holds after it
set -euo pipefail
cd "$(dirname "$0")/../.."
ZEIT=$PWD/${BUILD:-build}/zeit
R=rpool/ROOT
m=/var/tmp/be-mnt

modprobe virtio_blk 2>/dev/null || true
for _ in $(seq 50); do [ -b /dev/vda ] && break; sleep 0.1; done
[ -b /dev/vda ] || { echo "real-bisect-guest.sh: no /dev/vda" >&2; exit 1; }
zpool import -N -o cachefile=none -d /dev rpool

case "${1:-}" in
setup)
	mkdir -p $m
	mount -t zfs -o zfsutil $R/deb $m
	install -m 0755 "$ZEIT" $m/usr/local/sbin/zeit
	install -m 0644 "${BUILD:-build}/zeit-boot-ok.service" $m/etc/systemd/system/
	ln -sf ../zeit-boot-ok.service $m/etc/systemd/system/multi-user.target.wants/
	# What the unit's steps say reaches the serial console.
	mkdir -p $m/etc/systemd/system/zeit-boot-ok.service.d
	printf '[Service]\nStandardOutput=journal+console\nStandardError=journal+console\n' \
		>$m/etc/systemd/system/zeit-boot-ok.service.d/console.conf
	# The report comes after the step and shows the bisection.
	mkdir -p $m/etc/systemd/system/zeit-test-report.service.d $m/etc/zeit-test/report.d
	printf '[Unit]\nAfter=zeit-boot-ok.service zeit-test-bisect.service\n' \
		>$m/etc/systemd/system/zeit-test-report.service.d/after-confirm.conf
	cat >$m/etc/zeit-test/report.d/zeit <<-'EOF'
		#!/bin/sh
		echo "zeit-test: bootfs=$(zpool get -H -o value bootfs rpool)"
		/usr/local/sbin/zeit bisect status 2>&1 | sed 's/^/zeit-test: bisect /'
	EOF
	chmod 755 $m/etc/zeit-test/report.d/zeit
	kv=$(cd $m/boot && ls vmlinuz-* | head -n1 | sed 's/^vmlinuz-//')
	cp $m/boot/initrd.img-"$kv" /var/tmp/good-initrd
	d=$(mktemp -d /var/tmp/broken-initrd.XXXXXX)
	echo "no init here" >"$d/README"
	(cd "$d" && echo README | cpio -o -H newc --quiet -R 0:0) >/var/tmp/broken-initrd
	rm -rf "$d"
	for i in 1 2 3 4 5 6 7 8; do
		[ $i -lt 5 ] || cp /var/tmp/broken-initrd $m/boot/initrd.img-"$kv"
		sync
		zfs snapshot $R/deb@s$i
	done
	cp /var/tmp/good-initrd $m/boot/initrd.img-"$kv"
	# The bisection starts on deb's next boot, by itself; the snapshots
	# do not hold this unit, so no candidate starts one.
	cat >$m/etc/systemd/system/zeit-test-bisect.service <<-'EOF'
		[Unit]
		Description=Start the boot bisection under test
		After=zeit-boot-ok.service multi-user.target
		ConditionPathExists=/etc/zeit-test/start-bisect
		[Service]
		Type=oneshot
		StandardOutput=journal+console
		StandardError=journal+console
		ExecStart=/bin/rm /etc/zeit-test/start-bisect
		ExecStart=/usr/local/sbin/zeit bisect start deb --good s1 --bad s8
		ExecStart=/usr/local/sbin/zeit bisect run --boot --check "test -s /etc/hostname" --timeout 120
		[Install]
		WantedBy=multi-user.target
	EOF
	ln -sf ../zeit-test-bisect.service $m/etc/systemd/system/multi-user.target.wants/
	touch $m/etc/zeit-test/start-bisect
	umount $m
	;;
show)
	echo "bootfs=$(zpool get -H -o value bootfs rpool)"
	echo "nextboot=$(zfs get -H -s local -o value org.zeit:nextboot $R)"
	echo "result=$(zfs get -H -s local -o value org.zeit:bisect-result $R)"
	echo "state=$(zfs get -H -s local -o property all $R | grep bisect | grep -vc bisect-result || true)"
	echo "marks=$(zfs get -H -r -s local -o name org.zeit:bisect $R | grep -c @ || true)"
	zfs list -H -o name -r $R | sed 's/^/dataset=/'
	;;
*)
	sed -n '2,13s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
zpool export rpool
