#!/usr/bin/env bash
# The guest half of bench/limit.
set -euo pipefail
. tests/vm/guest-lib.sh
trap zvm_destroy_pools EXIT
ZEIT=${ZEIT:-$PWD/build/zeit}
size=64 rates="1M 4M"
while [ $# -gt 0 ]; do
	case $1 in
	--size) size=$2; shift 2 ;;
	--rates) rates=$2; shift 2 ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
done

zvm_file_pool src $((size + 256))M -O compression=off
zvm_file_pool dst $((size + 256))M -O compression=off
zfs create src/d
dd if=/dev/urandom of=/tmp/mnt/src/d/f bs=1M count="$size" 2>/dev/null
snap=src/d@zeit_daily_20261127T000000Z
zfs snapshot "$snap"
bytes=$(zfs send -nvP -L -c -e "$snap" | awk '$1 == "size" {print $2}')

# RATE in bytes per second, K/M/G as powers of 1024 (all three agree).
to_bytes() {
	awk -v r="$1" 'BEGIN { u = substr(r, length(r)); n = r + 0
		m = u == "K" ? 1024 : u == "M" ? 1048576 : u == "G" ? 1073741824 : 1
		printf "%d", n * m }'
}
quiesce() {
	local p
	for p in src dst; do
		zpool sync "$p"
		zpool wait -t free "$p"
	done
}
secs() {
	local s e
	quiesce
	s=$(date +%s%N)
	"$@" >/tmp/bench.out 2>/tmp/bench.err || { cat /tmp/bench.err >&2; return 1; }
	e=$(date +%s%N)
	echo "scale=2; ($e - $s) / 1000000000" | bc
}
clean() {
	zfs destroy -r dst/x 2>/dev/null || true
	zfs release -r zeit-send:dst/x "$snap" 2>/dev/null || true
	zfs list -H -o name -t bookmark src/d | xargs -r -n1 zfs destroy 2>/dev/null || true
}
zeit_limit() { "$ZEIT" send --no-progress --limit "$1" src/d dst/x; }
pv_limit() { zfs send -L -c -e "$snap" | pv -q -L "$1" | zfs recv -u dst/x; }
mbuffer_limit() { zfs send -L -c -e "$snap" | mbuffer -q -m 16M -r "$1" 2>/dev/null | zfs recv -u dst/x; }

printf '%s MiB stream (%s bytes); seconds: zfs send to zfs receive done\n' "$size" "$bytes"
printf '(for zeit its "streams" time; its whole run, listings and holds too, after it)\n'
printf '%-6s %-8s %9s %9s %12s %8s\n' rate tool seconds ideal "bytes/s" error
for r in $rates; do
	want=$(to_bytes "$r")
	ideal=$(echo "scale=2; $bytes / $want" | bc)
	for tool in zeit pv mbuffer; do
		clean
		t=$(secs "${tool}_limit" "$r")
		whole=
		if [ "$tool" = zeit ]; then
			whole=" (whole run $t s)"
			t=$(sed -n 's/.*, streams \([0-9.]*\) s.*/\1/p' /tmp/bench.out)
		fi
		got=$(echo "$bytes / $t" | bc)
		err=$(echo "scale=1; 100 * ($got - $want) / $want" | bc)
		printf '%-6s %-8s %9s %9s %12s %7s%%%s\n' "$r" "$tool" "$t" "$ideal" "$got" "$err" "$whole"
	done
done
