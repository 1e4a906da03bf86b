#!/usr/bin/env bash
# The guest half of bench/log.
set -euo pipefail
. tests/vm/guest-lib.sh
trap zvm_destroy_pools EXIT
ZEIT=${ZEIT:-$PWD/build/zeit} # ZVM_PASS=ZEIT to measure another build
snaps=1000 rounds=3
while [ $# -gt 0 ]; do
	case $1 in
	--snapshots) snaps=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
done

zvm_file_pool tank 2G
zfs create tank/data
m=/tmp/mnt/tank/data
mkdir -p $m/etc/libvirt
# The file changes every 100 snapshots (size and text), other files daily.
t0=$(date +%s)
for i in $(seq 1 "$snaps"); do
	if [ $((i % 100)) -eq 1 ]; then
		printf 'user = "root"\n# revision %d\n' "$i" >$m/etc/libvirt/qemu.conf
	fi
	echo "$i" >$m/counter
	zfs snapshot "tank/data@s$(printf %05d "$i")"
done
echo "fixture: $snaps snapshots in $(($(date +%s) - t0)) s"

# Every snapshot unmounted again: the first access automounts each.
cold() {
	local d
	for d in $m/.zfs/snapshot/*; do
		# One may expire (unmount itself) between the two.
		if mountpoint -q "$d"; then umount "$d" 2>/dev/null || true; fi
	done
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

floor() { stat -c '%i %s %Y %Z' $m/.zfs/snapshot/*/etc/libvirt/qemu.conf >/dev/null; }
zeit_log() { "$ZEIT" -j log tank/data /etc/libvirt/qemu.conf >/tmp/log.json; }

declare -A total=()
for r in $(seq 1 "$rounds"); do
	# Alternate which goes first, cold and warm.
	for who in floor zeit_log; do
		[ "$r" -eq 2 ] && who=$([ $who = floor ] && echo zeit_log || echo floor)
		cold
		s=$(date +%s%N)
		$who
		c=$(ms "$s")
		s=$(date +%s%N)
		$who
		w=$(ms "$s")
		echo "round $r: $who cold ${c} ms, warm ${w} ms"
		total[$who.cold]=$((${total[$who.cold]:-0} + c))
		total[$who.warm]=$((${total[$who.warm]:-0} + w))
	done
done
versions=$(jq '[.versions[] | select(.version != null)] | length' /tmp/log.json)
reads=$(jq .reads /tmp/log.json)
echo
echo "zeit log over $snaps snapshots: $versions versions, $reads file reads"
for k in cold warm; do
	f=$((total[floor.$k] / rounds)) z=$((total[zeit_log.$k] / rounds))
	echo "$k: floor (stat in every .zfs/snapshot) $f ms, zeit log $z ms, ratio $(awk -v z=$z -v f=$f 'BEGIN { printf "%.2f", (f ? z / f : 0) }')"
done
echo "httm: not in Debian's archive (apt-cache policy httm: no candidate); not run"
