#!/usr/bin/env bash
# The guest half of bench/prune.
set -euo pipefail
. tests/vm/guest-lib.sh
trap zvm_destroy_pools EXIT
ZEIT=$PWD/build/zeit
datasets=20 total=2000 delay=4 peers=1
while [ $# -gt 0 ]; do
	case $1 in
	--datasets) datasets=$2; shift 2 ;;
	--snapshots) total=$2; shift 2 ;;
	--delay) delay=$2; shift 2 ;;
	--no-peers) peers=0; shift ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
done
per=$((total / datasets))
end=1795737600 # 2026-11-27T00:00:00Z: the clock every tool prunes at
# Per dataset: a fifth frequent (15 min apart), two fifths hourly, two
# fifths daily; each tier at its own minute so no two share a time.
nf=$((per / 5)) nh=$((per * 2 / 5)) nd=$((per - nf - nh))

# name SCHEME TIER EPOCH: the snapshot name each tool uses
name() {
	local t=$3
	case $1 in
	zeit) echo "zeit_$2_$(date -u -d "@$t" +%Y%m%dT%H%M%SZ)" ;;
	auto) echo "zfs-auto-snap_$2-$(date -u -d "@$t" +%Y-%m-%d-%H%M)" ;;
	sanoid) local s=$2; [ "$s" = frequent ] && s=frequently
		echo "autosnap_$(date -u -d "@$t" +%Y-%m-%d_%H:%M:%S)_$s" ;;
	esac
}

# history POOL SCHEME: the same timeline in each scheme; the guest clock is
# set to each time first, so `creation` agrees with the name.
history() {
	local pool=$1 scheme=$2 tier n step off i t names
	for d in $(seq 1 "$datasets"); do zfs create "$pool/ds$d"; done
	for spec in "frequent $nf 900 60" "hourly $nh 3600 120" "daily $nd 86400 180"; do
		read -r tier n step off <<<"$spec"
		for i in $(seq "$n" -1 1); do
			t=$((end - i * step + off))
			names=()
			for d in $(seq 1 "$datasets"); do names+=("$pool/ds$d@$(name "$scheme" "$tier" "$t")"); done
			date -u -s "@$t" >/dev/null
			zfs snapshot "${names[@]}"
		done
	done
	date -u -s "@$end" >/dev/null
}

count() { zfs list -H -t snapshot -r "$1" | wc -l; }

# Lets every pool finish the last pruner's work (its txgs and the freeing
# of destroyed snapshots, which go through the delayed device and take the
# one emulated CPU) before the next pruner is timed.
quiesce() {
	for p in $pools; do
		zpool sync "$p"
		zpool wait -t free "$p"
	done
}

secs() { # secs CMD...: wall seconds, to the millisecond
	local a b
	quiesce
	a=$(date +%s%N)
	"$@" >/dev/null 2>&1
	b=$(date +%s%N)
	echo "$(((b - a) / 1000000))" | awk '{printf "%.2f", $1 / 1000}'
}

echo "history: $datasets datasets x $per snapshots ($nf frequent, $nh hourly, $nd daily), ${delay} ms write delay"
# The fixtures are built without the delay (it is what makes building them
# slow); the pruning is measured with it.
pools="bzeit bfloor"
[ "$peers" = 0 ] || pools="$pools bauto bsanoid"
for p in $pools; do zvm_delay_pool "$p" 1G 0; done
# The histories set the guest's clock back and forth: time them by uptime.
t0=$(cut -d. -f1 /proc/uptime)
history bzeit zeit
history bfloor zeit
if [ "$peers" = 1 ]; then
	history bauto auto
	history bsanoid sanoid
fi
echo "histories created in $(($(cut -d. -f1 /proc/uptime) - t0)) s"
for p in $pools; do zvm_delay_set "$p" "$delay"; done
date -u -s "@$end" >/dev/null

# The floor: zeit's own plan, precomputed, destroyed by a bare program.
doomed=$("$ZEIT" -H -n --now "@$end" prune -r bfloor | awk -F'\t' '$2=="destroy" {print $1}')
{
	echo 'local a = (...)["argv"]'
	echo 'for i = 1, #a do zfs.sync.destroy(a[i]) end'
} >/var/tmp/zeit-floor.lua
# shellcheck disable=SC2086
floor=$(secs zfs program -t 100000000 bfloor /var/tmp/zeit-floor.lua $doomed)
floor_left=$(count bfloor)

# -vvv times each zfs call zeit makes, to tell its destroying channel
# program from the listing before it (a read-only program, -n, or zfs list
# where programs are unavailable).
zeit_trace() { "$ZEIT" -vvv --now "@$end" prune -r bzeit 2>/var/tmp/zeit-prune.trace; }
zeit=$(secs zeit_trace)
zeit_left=$(count bzeit)
zeit_program=$(awk '/run: zfs program -j -t/ { p = 1; next } p && /took/ { printf "%.2f", $3 / 1000; exit }' /var/tmp/zeit-prune.trace)
zeit_lists=$(awk '/run: (zfs list|zpool list|zfs program -j -n)/ { l = 1; next } l && /took/ { s += $3; l = 0 } END { printf "%.2f", s / 1000 }' /var/tmp/zeit-prune.trace)

auto=0 auto_left=- sanoid=0 sanoid_left=-
if [ "$peers" = 1 ]; then
	# zfs-auto-snapshot prunes when it runs a label; each run also takes one
	# (recursive) snapshot, which is part of its cost as users run it.
	zfs set com.sun:auto-snapshot=true bauto
	auto_run() {
		zfs-auto-snapshot --quiet --syslog --label=frequent --keep=4 --default-exclude // &&
		zfs-auto-snapshot --quiet --syslog --label=hourly --keep=24 --default-exclude // &&
		zfs-auto-snapshot --quiet --syslog --label=daily --keep=31 --default-exclude //
	}
	auto=$(secs auto_run)
	auto_left=$(count bauto)

	mkdir -p /var/tmp/zeit-sanoid
	cat >/var/tmp/zeit-sanoid/sanoid.conf <<CONF
[bsanoid]
		use_template = bench
		recursive = yes
[template_bench]
		frequent_period = 15
		frequently = 4
		hourly = 24
		daily = 31
		weekly = 8
		monthly = 12
		yearly = 0
		autosnap = no
		autoprune = yes
CONF
	cp /usr/share/sanoid/sanoid.defaults.conf /var/tmp/zeit-sanoid/ 2>/dev/null || true
	sanoid_run() { sanoid --configdir=/var/tmp/zeit-sanoid --cache-dir=/var/tmp/zeit-sanoid --run-dir=/var/tmp/zeit-sanoid --prune-snapshots --force-update; }
	sanoid=$(secs sanoid_run)
	sanoid_left=$(count bsanoid)

fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
printf '\n%-34s %9s %10s %12s\n' "pruner" "seconds" "left" "x floor"
printf '%-34s %9s %10s %12s\n' "floor (precomputed, one program)" "$floor" "$floor_left" "1.00"
printf '%-34s %9s %10s %12s\n' "zeit prune" "$zeit" "$zeit_left" "$(ratio "$zeit" "$floor")"
printf '%-34s %9s %10s %12s\n' "  of which its channel program" "$zeit_program" "" "$(ratio "$zeit_program" "$floor")"
printf '%-34s %9s %10s %12s\n' "  of which its listing" "$zeit_lists" "" ""
printf '%-34s %9s %10s %12s\n' "zfs-auto-snapshot (3 labels)" "$auto" "$auto_left" "$(ratio "$auto" "$floor")"
printf '%-34s %9s %10s %12s\n' "sanoid --prune-snapshots" "$sanoid" "$sanoid_left" "$(ratio "$sanoid" "$floor")"
echo
echo "zfs-auto-snapshot / zeit: $(ratio "$auto" "$zeit")x   sanoid / zeit: $(ratio "$sanoid" "$zeit")x"
