#!/usr/bin/env bash
# The guest half of bench/pkg.
set -euo pipefail
rounds=5
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
done
export BUILD=${BUILD:-build}
. tests/integration/lib.sh
. tests/integration/t_pkg.sh
zvm_file_pool tank 512M
pkg_be
make_deb zt-bench 1.0
# Every zfs command the hook runs, printed (-vv) and counted.
sed -i 's|/usr/sbin/zeit hook|/usr/sbin/zeit -vv hook|' $MNT/etc/apt/apt.conf.d/80zeit
cp $MNT/etc/apt/apt.conf.d/80zeit /tmp/80zeit

now() { date +%s%N; }
# one install and one remove; prints nanoseconds, leaves zfs calls in
# /tmp/calls
transaction() {
	local t0 t1
	: >/tmp/calls
	t0=$(now)
	apt_get install /tmp/zt-bench_1.0_all.deb 2>>/tmp/calls >/dev/null
	apt_get remove zt-bench 2>>/tmp/calls >/dev/null
	t1=$(now)
	echo $((t1 - t0))
}
# A warm-up of each kind, not counted.
transaction >/dev/null
rm $MNT/etc/apt/apt.conf.d/80zeit
transaction >/dev/null
with=0 without=0 calls=0
for r in $(seq 1 "$rounds"); do
	cp /tmp/80zeit $MNT/etc/apt/apt.conf.d/80zeit
	ns=$(transaction)
	with=$((with + ns))
	c=$(grep -c 'run: zfs ' /tmp/calls || true)
	calls=$((calls + c))
	rm $MNT/etc/apt/apt.conf.d/80zeit
	ns=$(transaction)
	without=$((without + ns))
	printf 'round %d: with the hook %d ms, without %d ms, zfs calls %d (2 transactions)\n' \
		"$r" "$((with / r / 1000000))" "$((without / r / 1000000))" "$c"
done
n=$((2 * rounds)) # transactions per side
w=$((with / n / 1000000)) wo=$((without / n / 1000000))
echo
echo "apt-get transactions, $n a side, one VM boot (emulated CPU):"
printf '  without the hook  %6d ms a transaction\n' "$wo"
printf '  with the hook     %6d ms a transaction\n' "$w"
printf '  added             %6d ms (%s x)\n' "$((w - wo))" "$(awk -v a="$w" -v b="$wo" 'BEGIN{printf "%.2f", a/b}')"
printf '  zfs calls         %6s a transaction (one pool)\n' "$(awk -v c="$calls" -v n="$n" 'BEGIN{printf "%.1f", c/n}')"
