# The zeit command against real pools: snap, list, destroy, global flags.

test_cli_snap_list_destroy() {
	zfs create -p tank/a/b
	ok "$ZEIT" --now 2026-11-27T22:15:00Z snap -t daily -t hourly -r tank/a
	has "$OUT" "tank/a/b@zeit_daily_20261127T221500Z"
	eq 4 "$(zfs list -H -t snapshot -r tank | wc -l)"
	# One atomic call per tier: each tier's snapshots share a txg.
	eq 1 "$(zfs list -H -p -o name,createtxg -t snapshot -r tank | grep zeit_daily | cut -f2 | sort -u | wc -l)"
	eq 1 "$(zfs list -H -p -o name,createtxg -t snapshot -r tank | grep zeit_hourly | cut -f2 | sort -u | wc -l)"
	ok "$ZEIT" -H list -r tank/a
	has "$OUT" "$(printf 'tank/a@zeit_daily_20261127T221500Z\tdaily\t2026-11-27T22:15:00Z\t')"
	ok "$ZEIT" -j list -r tank
	python3 -c 'import json,sys; d=json.load(sys.stdin)["snapshots"]; assert len(d)==4; assert d[0]["tier"] in ("daily","hourly"); assert isinstance(d[0]["createtxg"], int)' <<<"$OUT" ||
		fail "bad JSON: $OUT"
	ok "$ZEIT" -n destroy tank/a@zeit_daily_20261127T221500Z tank/a/b@zeit_daily_20261127T221500Z
	has "$OUT" "would destroy 2 snapshots in 2 calls"
	eq 4 "$(zfs list -H -t snapshot -r tank | wc -l)" "dry run changed nothing"
	ok "$ZEIT" destroy tank/a@zeit_daily_20261127T221500Z tank/a/b@zeit_daily_20261127T221500Z
	eq 2 "$(zfs list -H -t snapshot -r tank | wc -l)"
}

test_cli_dry_run_snap() {
	zfs create tank/a
	ok env ZEIT_NOW=2026-01-02T03:04:05Z "$ZEIT" snap -n -t frequent tank/a
	has "$OUT" "tank/a@zeit_frequent_20260102T030405Z"
	eq "" "$(zfs list -H -t snapshot -r tank)" "dry run took a snapshot"
}

test_cli_errors_and_exit_codes() {
	rc=0; "$ZEIT" snap -t daily tank/nope 2>/tmp/e || rc=$?
	eq 1 "$rc" "missing dataset exit code"
	has "$(cat /tmp/e)" "tank/nope"
	rc=0; "$ZEIT" snap -t weekly 'tank/a$' 2>/tmp/e || rc=$?
	eq 2 "$rc" "invalid name is a usage error"
	has "$(cat /tmp/e)" "invalid name 'tank/a\$'"
	rc=0; "$ZEIT" snap -t fortnightly tank 2>/tmp/e || rc=$?
	eq 2 "$rc"
	rc=0; "$ZEIT" destroy tank 2>/tmp/e || rc=$?
	eq 2 "$rc" "destroying a dataset through destroy is refused"
	has "$(cat /tmp/e)" "expected a snapshot"
	exists tank || fail "pool gone"
}

# A destroy of several snapshots is read back as libzfs_core's errlist:
# the held one and the clone origin are named and stay, the rest go (the
# rest of their own dataset's call too), and the exit says some were
# refused. Before, the held one's call stopped the run: nothing of tank/a
# and nothing after it went, and only zfs's message said why.
test_cli_destroy_names_each_refused_snapshot() {
	zfs create tank/a
	zfs create tank/b
	zfs snapshot tank/a@1
	zfs snapshot tank/a@2
	zfs snapshot tank/b@1
	zfs snapshot tank/b@2
	zfs hold mine tank/a@1
	zfs clone tank/b@2 tank/c
	fails "busy|held" "$ZEIT" destroy tank/a@1 tank/a@2 tank/b@1 tank/b@2
	has "$ERR" "tank/a@1: not destroyed: held (zfs holds)"
	has "$ERR" "tank/b@2: not destroyed: the origin of a clone"
	has "$ERR" "destroyed 2 of 4 snapshots"
	exists tank/a@1 || fail "the held snapshot went"
	exists tank/b@2 || fail "the clone origin went"
	exists tank/a@2 && fail "tank/a@2 stayed"
	exists tank/b@1 && fail "tank/b@1 stayed"
	# With -d zfs refuses neither: the held one goes on its release.
	ok "$ZEIT" -v destroy -d tank/a@1
	has "$ERR" "destroyed 1 of 1 snapshot"
	zfs release mine tank/a@1
	exists tank/a@1 && fail "the deferred snapshot outlived its hold"
	true
}
