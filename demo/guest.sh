#!/usr/bin/env bash
# Runs inside the VM (see demo/run).
set -euo pipefail
. tests/vm/guest-lib.sh
ZEIT=$PWD/${1:-build}/zeit
trap zvm_destroy_pools EXIT

show() {
	printf '\n$ %s\n' "$*"
	"$@"
}

echo "== a throwaway pool 'demo' on a sparse file, with a small tree"
zvm_file_pool demo 256M
zfs create -p demo/ROOT/debian
zfs create -p demo/home/alice
zfs list -r -o name,mountpoint demo

echo
echo "== zeit takes snapshots: every dataset of a pool in one atomic zfs call"
show "$ZEIT" -vv --now 2026-11-27T00:00:00Z snap -t daily -t weekly -r demo
show "$ZEIT" --now 2026-11-28T00:00:00Z snap -t daily -r demo

echo
echo "== and lists them on zfs's fast path (name, guid, createtxg)"
show "$ZEIT" list -r demo
show "$ZEIT" -j list demo/home/alice

echo
echo "== a dry run says what destroy would do, then it does it in one call per dataset"
old=$("$ZEIT" -H list -r demo | awk -F'\t' '$2=="daily" && $3=="2026-11-27T00:00:00Z" {print $1}')
# shellcheck disable=SC2086
show "$ZEIT" -n destroy $old
# shellcheck disable=SC2086
show "$ZEIT" -vv destroy $old
show "$ZEIT" list -r demo

echo
echo "== the timer's job: mark the tree, take what is due, prune by policy"
zfs set org.zeit:snap=on demo
zfs set org.zeit:keep=frequent=2 demo/home
for t in 00:15 00:30 00:45 01:00; do
	"$ZEIT" --now "2026-11-28T$t:00Z" snap --auto >/dev/null
done
show "$ZEIT" -n --now 2026-11-28T01:00:00Z prune demo/home/alice
show "$ZEIT" --now 2026-11-28T01:00:00Z prune

echo
echo "== what changed between two snapshots"
mnt=$(zfs get -H -o value mountpoint demo/home/alice)
echo "first" >"$mnt/notes.txt"
"$ZEIT" --now 2026-11-28T01:15:00Z snap -t hourly demo/home/alice >/dev/null
echo "second" >>"$mnt/notes.txt"
"$ZEIT" --now 2026-11-28T01:30:00Z snap -t hourly demo/home/alice >/dev/null
show "$ZEIT" diff demo/home/alice@zeit_hourly_20261128T011500Z demo/home/alice@zeit_hourly_20261128T013000Z
show "$ZEIT" diff --content demo/home/alice@zeit_hourly_20261128T011500Z demo/home/alice@zeit_hourly_20261128T013000Z /

echo
echo "== the story: thirty days of upgrades, one of them breaks the VMs"
zfs create -o mountpoint=none demo/BE
zfs create -o mountpoint=/ -o canmount=noauto demo/BE/void
zpool set bootfs=demo/BE/void demo
root=/tmp/demo-void
mkdir -p $root
mount -t zfs -o zfsutil demo/BE/void $root
mkdir -p $root/etc/libvirt $root/var/db/xbps $root/boot
echo kernel >$root/boot/vmlinuz-6.6.8_1
echo initramfs >$root/boot/initramfs-6.6.8_1.img
for d in $(seq 1 30); do
	# Day 17's libvirt upgrade rewrites qemu.conf: the VMs lose their
	# network. Every day something else is upgraded too.
	lv=10.1.0
	conf='security_driver = "none"'
	if [ "$d" -ge 17 ]; then lv=10.2.0; conf='security_driver = "apparmor"'; fi
	echo "$conf" >$root/etc/libvirt/qemu.conf
	cat >$root/var/db/xbps/pkgdb-0.38.plist <<-PLIST
	<?xml version="1.0" encoding="UTF-8"?>
	<plist version="1.0"><dict>
	<key>libvirt</key><dict><key>pkgver</key><string>libvirt-${lv}_1</string><key>state</key><string>installed</string></dict>
	<key>firefox</key><dict><key>pkgver</key><string>firefox-120.0.${d}_1</string><key>state</key><string>installed</string></dict>
	</dict></plist>
	PLIST
	sync
	"$ZEIT" --now "2026-11-$(printf %02d "$d")T00:00:00Z" snap -t daily demo/BE/void >/dev/null
done
umount $root
show "$ZEIT" be list
show "$ZEIT" be create -e void@zeit_daily_20261110T000000Z before
show "$ZEIT" be list --no-kernels
show "$ZEIT" be destroy before

cat >/var/tmp/demo-check.sh <<'CHECK'
#!/bin/sh
# Do the VMs still get a network? (here: is the security driver still off)
grep -q 'security_driver = "none"' "$ZEIT_BISECT_ROOT/etc/libvirt/qemu.conf"
CHECK
chmod +x /var/tmp/demo-check.sh
show "$ZEIT" bisect start void --good zeit_daily_20261101T000000Z --tier daily
show "$ZEIT" bisect run /var/tmp/demo-check.sh
show "$ZEIT" bisect reset

echo
echo "== the history goes to a second pool, which keeps it twice as long"
zvm_file_pool backup 256M
zfs set org.zeit:keep=x2 backup
show "$ZEIT" send -r demo/BE backup/BE
# The environment keeps dailies only; its parent is no snapshot target.
zfs set org.zeit:snap=off demo/BE
zfs set org.zeit:snap=on org.zeit:keep=frequent=0,hourly=0,daily=31,weekly=0,monthly=0 demo/BE/void
show "$ZEIT" --now 2026-11-30T06:00:00Z status demo/BE backup || true
show "$ZEIT" --now 2026-12-03T06:00:00Z status --nagios demo/BE backup || true
echo
echo "demo finished"
