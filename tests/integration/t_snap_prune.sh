# zeit snap --auto and zeit prune on real pools.

# tiers DATASET: "frequent hourly daily weekly monthly yearly" counts of
# zeit's snapshots of that one dataset, from zeit's own listing.
tiers() {
	"$ZEIT" -H list "$1" | awk -F'\t' '
		{ n[$2]++ }
		END { printf "%d %d %d %d %d %d", n["frequent"], n["hourly"], n["daily"], n["weekly"], n["monthly"], n["yearly"] }'
}

row() { # row REGEX: a line of $OUT matches
	grep -Eq -- "$1" <<<"$OUT" || fail "no line matching [$1] in [$OUT]"
}

tick() { # tick EPOCH: what the timer runs
	"$ZEIT" --now "@$1" snap --auto >/dev/null
	"$ZEIT" --now "@$1" prune >/dev/null
}

test_replay_creates_and_expires_every_tier() {
	# Every zfs command costs about a second under the VM's emulated CPU,
	# so the replay visits each tier just often enough to fill and expire
	# it under the default policy (and x2).
	zfs create -o org.zeit:snap=on tank/data
	zfs create tank/data/a
	zfs create -o org.zeit:snap=off tank/data/skip
	zfs create -o org.zeit:snap=on -o org.zeit:keep=x2 tank/replica
	start=1759276800 # 2025-10-01T00:00:00Z, a Wednesday
	# The 15-minute timer for an hour, then hourly runs for a day.
	for i in 0 1 2 3 4; do tick $((start + i * 900)); done
	for i in $(seq 2 26); do tick $((start + i * 3600)); done
	eq "4 24 2 1 1 0" "$(tiers tank/data)" "after 26 h"
	eq "4 24 2 1 1 0" "$(tiers tank/data/a)" "child after 26 h"
	eq "8 27 2 1 1 0" "$(tiers tank/replica)" "x2 after 26 h"
	eq "" "$(zfs list -H -t snapshot -r tank/data/skip)" "excluded dataset"
	# Then fourteen months of runs every 6 days, the short tiers off;
	# prune every fifth run (count rules do not care how often).
	zfs set org.zeit:keep=frequent=0,hourly=0 tank/data
	zfs set org.zeit:keep=x2,frequent=0,hourly=0 tank/replica
	t=$((start + 3 * 86400))
	end=$((start + 426 * 86400)) # 2026-12-01
	n=0
	while [ "$t" -le "$end" ]; do
		"$ZEIT" --now "@$t" snap --auto >/dev/null
		n=$((n + 1))
		[ $((n % 5)) -ne 0 ] || "$ZEIT" --now "@$t" prune >/dev/null
		last=$t
		t=$((t + 6 * 86400))
	done
	# The last run is on 2026-12-01 itself, so December has begun.
	if [ "$last" -ne "$end" ]; then "$ZEIT" --now "@$end" snap --auto >/dev/null; fi
	"$ZEIT" --now "@$end" prune >/dev/null
	eq "0 0 31 8 12 0" "$(tiers tank/data)" "after 14 months"
	eq "0 0 31 8 12 0" "$(tiers tank/data/a)" "child after 14 months"
	# x2: 62 dailies, 16 weeklies, and all 15 monthlies (Oct 2025-Dec 2026).
	eq "0 0 62 16 15 0" "$(tiers tank/replica)" "x2 after 14 months"
	eq "" "$(zfs list -H -t snapshot -r tank/data/skip)" "excluded dataset"
	# The newest of each tier is what stays.
	"$ZEIT" -H list tank/data | grep -q 'zeit_monthly_20261201T000000Z' || fail "newest monthly missing"
	if "$ZEIT" -H list tank/data | grep -q 'zeit_monthly_202512'; then fail "a 12-month-old monthly survived"; fi
	true
}

test_prune_spares_foreign_held_and_clone_origins() {
	zfs create -o org.zeit:snap=on -o org.zeit:keep=hourly=3 tank/d
	t=1795737600 # 2026-11-27T00:00:00Z
	for i in $(seq 0 8); do zfs snapshot "tank/d@zeit_hourly_$(date -u -d "@$((t + i * 3600))" +%Y%m%dT%H%M%SZ)"; done
	zfs snapshot tank/d@manual-before-upgrade
	zfs snapshot tank/d@zfs-auto-snap_hourly-2026-11-26-0100
	zfs snapshot tank/d@autosnap_2026-11-26_01:00:00_hourly
	zfs hold keep tank/d@zeit_hourly_20261127T000000Z
	zfs clone tank/d@zeit_hourly_20261127T010000Z tank/clone
	now=$((t + 9 * 3600))
	before=$(zfs list -H -p -o name,guid -t snapshot -r tank)
	ok "$ZEIT" -n --now "@$now" prune
	eq "$before" "$(zfs list -H -p -o name,guid -t snapshot -r tank)" "dry run changed the pool"
	has "$OUT" "would destroy 4 of 12 snapshots (1 held, 1 clone origin kept)"
	row "tank/d@zeit_hourly_20261127T000000Z +keep +held \\(zfs holds\\); never destroyed"
	row "tank/d@zeit_hourly_20261127T010000Z +keep +origin of a clone; never destroyed"
	row "tank/d@zeit_hourly_20261127T020000Z +destroy +hourly: beyond the newest 3"
	row "tank/d@zeit_hourly_20261127T060000Z +keep +hourly: one of the newest 3"
	row "tank/d@manual-before-upgrade +keep +not made by zeit"
	row "tank/d@zfs-auto-snap_hourly-2026-11-26-0100 +keep +zfs-auto-snap names not adopted"
	ok "$ZEIT" -j -n --now "@$now" prune
	python3 -c 'import json,sys; d=json.load(sys.stdin)["prune"]; assert sum(1 for r in d if r["action"]=="destroy")==4, d' <<<"$OUT" || fail "bad JSON plan"
	ok "$ZEIT" --now "@$now" prune
	has "$OUT" "destroyed 4 of 12 snapshots"
	for s in manual-before-upgrade zfs-auto-snap_hourly-2026-11-26-0100 autosnap_2026-11-26_01:00:00_hourly \
		zeit_hourly_20261127T000000Z zeit_hourly_20261127T010000Z zeit_hourly_20261127T060000Z \
		zeit_hourly_20261127T070000Z zeit_hourly_20261127T080000Z; do
		exists "tank/d@$s" || fail "tank/d@$s was destroyed"
	done
	eq 8 "$(zfs list -H -t snapshot -r tank/d | wc -l)"
	# Adopting zfs-auto-snapshot's names lets prune take its old ones too.
	printf '[defaults]\nadopt = zfs-auto-snap\n' >/tmp/zeit.conf
	ok "$ZEIT" --config /tmp/zeit.conf --now "@$now" prune
	exists tank/d@zfs-auto-snap_hourly-2026-11-26-0100 && fail "adopted name not pruned"
	exists tank/d@autosnap_2026-11-26_01:00:00_hourly || fail "sanoid name pruned without adoption"
	true
}

test_prune_counts_zfs_calls() {
	for d in a b c; do zfs create -o org.zeit:snap=on -o org.zeit:keep=frequent=2 "tank/$d"; done
	zvm_file_pool other 128M
	zfs create -o org.zeit:snap=on -o org.zeit:keep=frequent=2 other/x
	t=1795737600
	for i in 0 1 2 3; do "$ZEIT" --now "@$((t + i * 900))" snap -t frequent tank/a tank/b tank/c other/x >/dev/null; done
	ok "$ZEIT" -vv --now "@$((t + 3 * 900))" prune
	has "$OUT" "destroyed 8 of 16"
	# Listing: the pool names, then one read-only program (-n) a pool.
	eq 1 "$(grep -c 'run: zpool list' <<<"$ERR")" "one zpool list"
	eq 0 "$(grep -c 'run: zfs list' <<<"$ERR")" "no zfs list"
	eq 2 "$(grep -c 'run: zfs program -j -n ' <<<"$ERR")" "one listing program per pool"
	eq 2 "$(grep -c 'run: zfs program -j -t ' <<<"$ERR")" "one destroying channel program per pool"
	eq 4 "$(grep -c 'run: zfs program' <<<"$ERR")" "no other programs"
	eq 0 "$(grep -c 'run: zfs destroy' <<<"$ERR")" "no destroy calls beside the programs"
	# Forced fallback: one zfs get per pool, at most one destroy per dataset.
	for i in 4 5; do "$ZEIT" --now "@$((t + i * 900))" snap -t frequent tank/a tank/b tank/c other/x >/dev/null; done
	ok "$ZEIT" -vv --now "@$((t + 5 * 900))" prune --batch
	has "$OUT" "destroyed 8 of 16"
	# A zfs without -j (OpenZFS 2.1) answers the first -j with its usage,
	# once a process: one call more, and -H from then on.
	lists=3
	zfs_has_json && lists=2
	eq $lists "$(grep -c 'run: zfs list' <<<"$ERR")" "fast listings of datasets and snapshots"
	eq 1 "$(grep -c 'run: zfs list -j' <<<"$ERR")" "JSON asked for once"
	eq 2 "$(grep -c 'run: zfs get' <<<"$ERR")" "one zfs get per pool"
	eq 4 "$(grep -c 'run: zfs destroy' <<<"$ERR")" "one destroy per dataset"
	eq 0 "$(grep -c 'run: zfs program' <<<"$ERR")"
	eq 8 "$(zfs list -H -t snapshot -r tank other | wc -l)"
}

# The plan from the listing program equals the plan from zfs list, over
# inherited and local keep rules, exclusions, a volume, names with spaces,
# a held snapshot and a clone origin, for whole pools and for overlapping
# named roots.
test_prune_listing_program_matches_zfs_list() {
	zfs create -o org.zeit:snap=on -o org.zeit:keep=frequent=1 tank/a
	zfs create "tank/a/with space"
	zfs create -o org.zeit:keep=frequent=2 tank/a/local
	zfs create -o com.sun:auto-snapshot=false tank/a/legacy-off
	zfs create -o org.zeit:prune=off tank/a/keepall
	zfs create -V 8M -o org.zeit:snap=on -o org.zeit:keep=frequent=1 tank/vol
	t=1795737600
	for i in 0 1 2 3; do
		"$ZEIT" --now "@$((t + i * 900))" snap -t frequent -r tank/a tank/vol >/dev/null
		zfs snapshot "tank/a/legacy-off@zeit_frequent_$(date -u -d "@$((t + i * 900))" +%Y%m%dT%H%M%SZ)"
	done
	zfs hold keep "tank/a/local@zeit_frequent_$(date -u -d "@$t" +%Y%m%dT%H%M%SZ)"
	zfs clone "tank/vol@zeit_frequent_$(date -u -d "@$t" +%Y%m%dT%H%M%SZ)" tank/volclone
	before=$(zfs list -H -t all -o name,guid -r tank)
	for args in "" "-r tank/a tank/a/local tank/vol" "tank/a/local" "-r tank"; do
		# shellcheck disable=SC2086
		ok "$ZEIT" -H -n -vv --now "@$((t + 3 * 900))" prune $args
		program=$OUT
		eq 0 "$(grep -c 'run: zfs list' <<<"$ERR")" "zfs list calls for '$args'"
		hasnt "$ERR" "listing with zfs list instead"
		# shellcheck disable=SC2086
		ok "$ZEIT" -H -n -vv --now "@$((t + 3 * 900))" prune --batch $args
		grep -q 'run: zfs program' <<<"$ERR" && fail "--batch ran a program"
		eq "$(sort <<<"$OUT")" "$(sort <<<"$program")" "plans for '$args'"
	done
	has "$program" "tank/a/with space@zeit_frequent_"
	has "$program" "held"
	has "$program" "clone"
	eq "$before" "$(zfs list -H -t all -o name,guid -r tank)" "dry runs changed nothing"
	ok "$ZEIT" --now "@$((t + 3 * 900))" prune
	# frequent=1 on tank/a and its inheriting child, 2 on local plus the
	# held one, 1 on the volume plus its clone's origin; prune=off keeps
	# all four.
	eq 1 "$(zfs list -H -t snapshot -d1 "tank/a/with space" | wc -l)"
	eq 3 "$(zfs list -H -t snapshot -d1 tank/a/local | wc -l)"
	eq 2 "$(zfs list -H -t snapshot -d1 tank/vol | wc -l)"
	eq 4 "$(zfs list -H -t snapshot -d1 tank/a/keepall | wc -l)"
}

test_snap_auto_counts_and_selection() {
	zfs create -o org.zeit:snap=on tank/on
	zfs create tank/on/child
	zfs create -o com.sun:auto-snapshot=false tank/on/legacy-off
	zfs create -o com.sun:auto-snapshot=true -o com.sun:auto-snapshot:hourly=false tank/legacy
	zfs create tank/unmarked
	zvm_file_pool other 128M
	zfs create -o org.zeit:snap=on other/x
	ok "$ZEIT" -vv --now 2026-11-27T00:00:00Z snap --auto
	# A zfs without -j (OpenZFS 2.1) answers the first -j with its usage,
	# once a process: that probe is not a listing.
	local probes=0
	zfs_has_json || probes=$(grep -c 'run: zfs list -j ' <<<"$ERR" || true)
	[ "$probes" -le 1 ] || fail "-j asked for $probes times: $ERR"
	eq 2 "$(($(grep -c 'run: zfs list' <<<"$ERR") - probes))" "listings: $(grep 'run: zfs list' <<<"$ERR")"
	# Nothing exists yet, so every tier the policy keeps is due (yearly
	# keeps none): 5 tiers x 2 pools, one atomic call each.
	eq 10 "$(grep -c 'run: zfs snapshot' <<<"$ERR")" "one create per pool and tier"
	has "$ERR" "run: zfs snapshot tank/legacy@zeit_daily_20261127T000000Z tank/on@zeit_daily_20261127T000000Z tank/on/child@zeit_daily_20261127T000000Z"
	eq "0 0 0 0 0 0" "$(tiers tank/on/legacy-off)" "com.sun:auto-snapshot=false"
	eq "0 0 0 0 0 0" "$(tiers tank/unmarked)" "unmarked"
	eq "1 0 1 1 1 0" "$(tiers tank/legacy)" "legacy: no hourly"
	eq "1 1 1 1 1 0" "$(tiers other/x)"
	# Each tier's snapshots of a pool share one txg.
	eq 1 "$(zfs list -H -p -o name,createtxg -t snapshot -r tank | grep zeit_daily | cut -f2 | sort -u | wc -l)"
	# Five minutes later nothing is due.
	ok "$ZEIT" -vv --now 2026-11-27T00:05:00Z snap --auto
	eq 0 "$(grep -c 'run: zfs snapshot' <<<"$ERR")"
	has "$OUT" "took 0 snapshots"
	# Named datasets with -r honour exclusions inside the tree.
	ok "$ZEIT" --now 2026-11-27T00:07:00Z snap -t yearly -r tank/on
	has "$OUT" "tank/on/child@zeit_yearly"
	hasnt "$OUT" "legacy-off"
	ok "$ZEIT" --now 2026-11-27T00:07:00Z snap -t yearly tank/on/legacy-off
	has "$OUT" "tank/on/legacy-off@zeit_yearly_20261127T000700Z"
}

test_snap_concurrent_runs_do_not_duplicate() {
	for d in a b c d; do zfs create -o org.zeit:snap=on "tank/$d"; done
	export ZEIT_LOCK=/tmp/zeit.lock
	"$ZEIT" --now 2026-11-27T10:15:00Z snap --auto >/tmp/r1 2>&1 & p1=$!
	"$ZEIT" --now 2026-11-27T10:15:00Z snap --auto >/tmp/r2 2>&1 & p2=$!
	rc1=0; rc2=0
	wait $p1 || rc1=$?
	wait $p2 || rc2=$?
	eq "0 0" "$rc1 $rc2" "both runs exit 0 ($(cat /tmp/r1 /tmp/r2))"
	# Exactly one run took them: 4 datasets x 5 tiers.
	eq 20 "$(zfs list -H -t snapshot -r tank | wc -l)"
	eq "took 0 snapshots" "$(grep -h 'took 0' /tmp/r1 /tmp/r2)" "the second run found nothing due"
}

test_config_and_property_errors() {
	zfs create -o org.zeit:snap=on tank/d
	printf '[defaults]\nkeep = hourly=24\n[tank/d]\nkepp = 3\n' >/tmp/bad.conf
	rc=0; "$ZEIT" --config /tmp/bad.conf prune 2>/tmp/e || rc=$?
	eq 1 "$rc"
	has "$(cat /tmp/e)" "/tmp/bad.conf:4: unknown key 'kepp' in [tank/d]"
	zfs set org.zeit:keep=daily=lots tank/d
	"$ZEIT" --now 2026-11-27T00:00:00Z snap -t daily tank/d >/dev/null
	rc=0; "$ZEIT" prune 2>/tmp/e || rc=$?
	eq 1 "$rc"
	has "$(cat /tmp/e)" "tank/d: property org.zeit:keep: bad value 'lots' for daily"
	exists tank/d@zeit_daily_20261127T000000Z || fail "a bad policy destroyed something"
}
