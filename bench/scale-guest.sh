#!/usr/bin/env bash
# The guest half of bench/scale. For each size: one pool per naming scheme
# (zeit's, a copy of it for the floors, sanoid's, zfs-auto-snapshot's) and
# a target pool, each a root and N datasets under it; the histories are
# built with the delay off, one channel program per point in time (ZFS
# takes one snapshot of a dataset per txg, so a program snapshots every
# dataset once); then every command is timed with the delay on.
set -euo pipefail
. tests/vm/guest-lib.sh
trap zvm_destroy_pools EXIT
ZEIT=${ZEIT:-$PWD/build/zeit}
sizes="10000 30000 100000" datasets=500 delay=4 peer_timeout=900 peers_up_to=10000 send=1
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) sizes=$2; shift 2 ;;
	--datasets) datasets=$2; shift 2 ;;
	--delay) delay=$2; shift 2 ;;
	--peer-timeout) peer_timeout=$2; shift 2 ;;
	--peers-up-to) peers_up_to=$2; shift 2 ;;
	--no-send) send=0; shift ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
done
end=1795737600 # 2026-11-27T00:00:00Z: the clock every tool runs at
work=/var/tmp/zeit-scale
mkdir -p "$work"
pools="bzeit bfloor bsanoid bauto bdst"
exec 9<> <(:) # read -t on it: a sleep without a fork

# ---- Channel programs ----
cat >"$work/snap.lua" <<'LUA'
local a = (...)["argv"]
for i = 1, #a do
  local e = zfs.sync.snapshot(a[i])
  if e ~= 0 then error("snapshot " .. a[i] .. ": " .. e) end
end
LUA
cat >"$work/destroy.lua" <<'LUA'
local a = (...)["argv"]
for i = 1, #a do zfs.sync.destroy(a[i]) end
LUA
# Every snapshot under a root: names, guids and createtxgs, read in the
# kernel (the listing floor), or destroyed (between sizes).
cat >"$work/list.lua" <<'LUA'
local argv = (...)["argv"]
local out, n = {}, 0
local function walk(d)
  for s in zfs.list.snapshots(d) do
    n = n + 1
    out[n] = s .. "\t" .. zfs.get_prop(s, "guid") .. "\t" .. zfs.get_prop(s, "createtxg")
  end
  for c in zfs.list.children(d) do walk(c) end
end
walk(argv[1])
return {count = n, rows = table.concat(out, "\n")}
LUA
cat >"$work/wipe.lua" <<'LUA'
local argv = (...)["argv"]
local all, n = {}, 0
local function walk(d)
  for s in zfs.list.snapshots(d) do n = n + 1; all[n] = s end
  for c in zfs.list.children(d) do walk(c) end
end
walk(argv[1])
for i = 1, n do zfs.sync.destroy(all[i]) end
return n
LUA
prog() { zfs program -t 100000000 -m 104857600 "$@"; }

# ---- The tree and its history ----
name() { # name SCHEME TIER EPOCH: the snapshot name each tool uses
	local t=$3
	case $1 in
	zeit) echo "zeit_$2_$(date -u -d "@$t" +%Y%m%dT%H%M%SZ)" ;;
	auto) echo "zfs-auto-snap_$2-$(date -u -d "@$t" +%Y-%m-%d-%H%M)" ;;
	sanoid) local s=$2; [ "$s" = frequent ] && s=frequently
		echo "autosnap_$(date -u -d "@$t" +%Y-%m-%d_%H:%M:%S)_$s" ;;
	esac
}
dsnames() { # dsnames POOL: the root and its datasets
	echo "$1"
	for d in $(seq -f '%03g' 1 "$datasets"); do echo "$1/d$d"; done
}
# Datasets once, in bzeit; the other pools receive a copy (one process
# instead of one zfs create a dataset).
make_tree() {
	local p
	zfs set org.zeit:snap=on bzeit
	for d in $(dsnames bzeit | tail -n +2); do zfs create "$d"; done
	zfs snapshot -r bzeit@tmpl
	for p in bfloor bsanoid bauto; do
		zfs send -R bzeit@tmpl | zfs recv -u -F "$p"
		zfs destroy -r "$p@tmpl"
	done
	zfs destroy -r bzeit@tmpl
	zfs set org.zeit:snap=on bfloor
	zfs set com.sun:auto-snapshot=true bauto
}
# history POOL SCHEME PER: PER snapshots a dataset, a fifth frequent (15
# minutes apart), two fifths hourly, two fifths daily, each tier at its own
# minute; the guest clock set to each time first so `creation` agrees.
history() {
	local pool=$1 scheme=$2 per=$3 tier n step off i t sn
	local nf=$((per / 5)) nh=$((per * 2 / 5))
	local nd=$((per - nf - nh))
	local all
	all=$(dsnames "$pool")
	for spec in "frequent $nf 900 60" "hourly $nh 3600 120" "daily $nd 86400 180"; do
		read -r tier n step off <<<"$spec"
		for i in $(seq "$n" -1 1); do
			t=$((end - i * step + off))
			sn=$(name "$scheme" "$tier" "$t")
			date -u -s "@$t" >/dev/null
			# shellcheck disable=SC2046
			prog "$pool" "$work/snap.lua" $(sed "s/\$/@$sn/" <<<"$all") >/dev/null
		done
	done
	date -u -s "@$end" >/dev/null
}
wipe() { prog "$1" "$work/wipe.lua" "$1" >/dev/null; } # every snapshot of a pool
count() { zfs list -H -t snapshot -o name -r "$1" | wc -l; }

quiesce() {
	local p
	for p in $pools; do
		zpool sync "$p"
		zpool wait -t free "$p"
	done
}

# measure KEY [--peer] CMD...: wall seconds into T[KEY]; for zeit, its
# peak RSS (VmHWM, polled: the zfs children it runs are not counted) into
# R[KEY]. A peer that outlasts peer_timeout is stopped and marked ">".
declare -A T R
measure() {
	local key=$1 a b pid hwm=0 k v u rc=0 peer=0
	shift
	if [ "$1" = --peer ]; then peer=1; shift; fi
	quiesce
	a=$(date +%s%N)
	if [ "$peer" = 1 ]; then
		timeout "$peer_timeout" bash -c '"$@"' _ "$@" >"$work/out" 2>"$work/err" &
	else
		"$@" >"$work/out" 2>"$work/err" &
	fi
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$1" = "$ZEIT" ]; then
			while read -r k v u; do
				if [ "$k" = VmHWM: ]; then
					[ "$v" -le "$hwm" ] || hwm=$v
					break
				fi
			done <"/proc/$pid/status" 2>/dev/null || true
		fi
		read -r -t 0.05 -u 9 || true
	done
	wait "$pid" || rc=$?
	b=$(date +%s%N)
	T[$key]=$(awk -v d=$((b - a)) 'BEGIN { printf "%.2f", d / 1e9 }')
	[ "$rc" != 124 ] || T[$key]=">${T[$key]}"
	[ "$1" != "$ZEIT" ] || R[$key]=$((hwm / 1024))
	if [ "$rc" != 0 ] && [ "$rc" != 124 ]; then
		echo "  $key: exit $rc: $(tail -n 3 "$work/err" | tr '\n' ' ')" >&2
	fi
	echo "  $key: ${T[$key]} s${R[$key]:+, zeit peak RSS ${R[$key]} MiB}" >&2
}

sanoid_conf() { # sanoid_conf AUTOSNAP
	cat >"$work/sanoid/sanoid.conf" <<CONF
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
	autosnap = $1
	autoprune = yes
CONF
}
mkdir -p "$work/sanoid"
cp /usr/share/sanoid/sanoid.defaults.conf "$work/sanoid/"
sanoid_run() {
	sanoid --configdir="$work/sanoid" --cache-dir="$work/sanoid" \
		--run-dir="$work/sanoid" --force-update "$@"
}
auto_take() {
	local l
	for l in frequent hourly daily weekly monthly; do
		zfs-auto-snapshot --quiet --syslog --label=$l --keep=1000000 --default-exclude // || return
	done
}
auto_prune() {
	zfs-auto-snapshot --quiet --syslog --label=frequent --keep=4 --default-exclude // &&
		zfs-auto-snapshot --quiet --syslog --label=hourly --keep=24 --default-exclude // &&
		zfs-auto-snapshot --quiet --syslog --label=daily --keep=31 --default-exclude //
}
export work
export -f sanoid_run auto_take auto_prune

# ---- Pools: once, for every size ----
for p in $pools; do zvm_delay_pool "$p" 4G 0; done
t0=$(cut -d. -f1 /proc/uptime)
make_tree
echo "tree: $datasets datasets and a root in each of bzeit bfloor bsanoid bauto, $(($(cut -d. -f1 /proc/uptime) - t0)) s" >&2

ratio() { awk -v a="${1#>}" -v b="${2#>}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }
row() { printf '%-44s %10s %8s %8s\n' "$1" "${T[$2]:--}" "$(ratio "${T[$2]:-0}" "${T[$3]:-0}")" "${R[$2]:-}"; }
peer_row() { printf '%-44s %10s %8s %8s\n' "$1" "${T[$2]:--}" "$(ratio "${T[$2]:-0}" "${T[$3]:-0}")" ""; }
declare -A FIRST LAST
smallest=''

for size in $sizes; do
	per=$(((size + datasets / 2) / (datasets + 1)))
	n=$((per * (datasets + 1)))
	peers=1
	[ "$size" -le "$peers_up_to" ] || peers=0
	for p in $pools; do zvm_delay_set "$p" 0; done
	echo "== $n snapshots ($((datasets + 1)) datasets x $per)" >&2
	t0=$(cut -d. -f1 /proc/uptime)
	# zeit send's holds from the last size go first.
	s1=$(name zeit frequent $((end - 30)))
	if zfs list "bzeit@$s1" >/dev/null 2>&1; then
		for tag in $(zfs holds -H "bzeit@$s1" | cut -f2); do zfs release -r "$tag" "bzeit@$s1"; done
	fi
	for p in bzeit bfloor bsanoid bauto; do wipe "$p"; done
	zfs destroy -r bdst/r 2>/dev/null || true
	history bzeit zeit "$per"
	history bfloor zeit "$per"
	if [ "$peers" = 1 ]; then
		history bsanoid sanoid "$per"
		history bauto auto "$per"
	fi
	echo "histories: $(($(cut -d. -f1 /proc/uptime) - t0)) s" >&2
	# The replica: each dataset's newest snapshot, received once (setup,
	# without the delay).
	base=$(name zeit frequent $((end - 900 + 60)))
	for d in $(dsnames bzeit); do
		[ "$send" = 1 ] || break
		zfs send "$d@$base" | zfs recv -u "bdst/r${d#bzeit}"
	done
	for p in $pools; do zvm_delay_set "$p" "$delay"; done

	echo "-- list" >&2
	measure list_zeit "$ZEIT" -H list -r bzeit
	measure list_zfs zfs list -H -p -t snapshot -o name,guid,createtxg -s createtxg -r bzeit
	measure list_prog zfs program -n -t 100000000 -m 104857600 bzeit "$work/list.lua" bzeit

	echo "-- status" >&2
	measure status_zeit "$ZEIT" --now "@$end" status bzeit
	if [ "$peers" = 1 ]; then
		sanoid_conf no
		measure status_sanoid --peer sanoid_run --monitor-snapshots
	fi

	s1=$(name zeit frequent $((end - 30)))
	s2=$(name zeit frequent $((end - 20)))
	s3=$(name zeit frequent $((end - 10)))
	# Each sender takes the target one snapshot further (without send,
	# the same snapshots are taken, so prune sees the same history).
	zfs snapshot -r "bzeit@$s1"
	[ "$send" = 0 ] || echo "-- send (one new snapshot a dataset)" >&2
	[ "$send" = 0 ] || measure send_zeit "$ZEIT" send -r --no-progress bzeit bdst/r
	zfs snapshot -r "bzeit@$s2"
	send_floor() { zfs send -R -I "@$s1" "bzeit@$s2" | zfs recv -u -F bdst/r; }
	[ "$send" = 0 ] || measure send_floor send_floor
	if [ "$peers" = 1 ]; then
		zfs snapshot -r "bzeit@$s3"
		[ "$send" = 0 ] || measure send_syncoid --peer syncoid -r --no-sync-snap --quiet bzeit bdst/r
	fi
	# The floor pool gets the same three, so both prune the same history.
	for s in "$s1" "$s2" "$s3"; do zfs snapshot -r "bfloor@$s"; done
	[ "$peers" = 1 ] || zfs destroy -r "bfloor@$s3"

	echo "-- snap --auto" >&2
	"$ZEIT" -H -n --now "@$end" snap --auto -r bfloor | grep @ >"$work/floor-snap"
	snap_floor() {
		local sn
		for sn in $(sed 's/.*@//' "$work/floor-snap" | sort -u); do
			grep "@$sn\$" "$work/floor-snap" | xargs zfs snapshot
		done
	}
	measure snap_floor snap_floor
	measure snap_zeit "$ZEIT" --now "@$end" snap --auto -r bzeit
	if [ "$peers" = 1 ]; then
		sanoid_conf yes
		measure snap_sanoid --peer sanoid_run --take-snapshots
		measure snap_auto --peer auto_take
	fi

	echo "-- prune (the default policy)" >&2
	"$ZEIT" -H -n --now "@$end" prune -r bfloor | awk -F'\t' '$2=="destroy" {print $1}' >"$work/doomed"
	prune_floor() { xargs -a "$work/doomed" zfs program -t 100000000 -m 104857600 bfloor "$work/destroy.lua"; }
	measure prune_floor prune_floor
	measure prune_zeit "$ZEIT" --now "@$end" prune -r bzeit
	if [ "$peers" = 1 ]; then
		sanoid_conf no
		measure prune_sanoid --peer sanoid_run --prune-snapshots
		measure prune_auto --peer auto_prune
	fi
	left_zeit=$(count bzeit) left_floor=$(count bfloor)

	echo
	echo "$n snapshots over $((datasets + 1)) datasets, ${delay} ms write delay"
	printf '%-44s %10s %8s %8s\n' "command" "seconds" "x floor" "RSS MiB"
	row "zfs list -o name,guid,createtxg (floor)" list_zfs list_zfs
	row "zeit list -r" list_zeit list_zfs
	row "listing channel program" list_prog list_zfs
	row "zeit status" status_zeit status_zeit
	peer_row "sanoid --monitor-snapshots (x zeit)" status_sanoid status_zeit
	row "zfs send -R -I | zfs recv (floor)" send_floor send_floor
	row "zeit send -r" send_zeit send_floor
	peer_row "syncoid -r" send_syncoid send_floor
	row "zfs snapshot a tier a call (floor)" snap_floor snap_floor
	row "zeit snap --auto" snap_zeit snap_floor
	peer_row "sanoid --take-snapshots" snap_sanoid snap_floor
	peer_row "zfs-auto-snapshot, 5 labels" snap_auto snap_floor
	row "one destroying program (floor)" prune_floor prune_floor
	row "zeit prune" prune_zeit prune_floor
	peer_row "sanoid --prune-snapshots" prune_sanoid prune_floor
	peer_row "zfs-auto-snapshot --keep, 3 labels" prune_auto prune_floor
	echo "left after prune: zeit $left_zeit, floor $left_floor; $(wc -l <"$work/doomed") destroyed by the floor"
	[ "$peers" = 1 ] || echo "(peers not run at this size: --peers-up-to $peers_up_to)"
	if [ "$peers" = 1 ]; then
		echo "prune: sanoid / zeit $(ratio "${T[prune_sanoid]}" "${T[prune_zeit]}")x, zfs-auto-snapshot / zeit $(ratio "${T[prune_auto]}" "${T[prune_zeit]}")x; status: sanoid / zeit $(ratio "${T[status_sanoid]}" "${T[status_zeit]}")x"
	fi
	for k in list_zeit list_zfs status_zeit send_zeit send_floor snap_zeit snap_floor prune_zeit prune_floor; do
		[ -n "$smallest" ] || FIRST[$k]=${T[$k]:--}
		LAST[$k]=${T[$k]:--}
	done
	[ -n "$smallest" ] || smallest=$n
	largest=$n
	for k in status_sanoid send_syncoid snap_sanoid snap_auto prune_sanoid prune_auto; do unset "T[$k]"; done
done

if [ "$smallest" != "$largest" ]; then
	echo
	echo "growth from $smallest to $largest snapshots ($(ratio "$largest" "$smallest")x the snapshots)"
	for k in list_zfs list_zeit status_zeit send_floor send_zeit snap_floor snap_zeit prune_floor prune_zeit; do
		printf '  %-14s %8s s -> %8s s  %6sx\n' "$k" "${FIRST[$k]}" "${LAST[$k]}" "$(ratio "${LAST[$k]}" "${FIRST[$k]}")"
	done
fi
