# The outcomes of the timer's runs, where zeit status reads them: snap
# --auto's and prune's failures on each pool's root dataset they worked
# on, cleared by the next good run.

T0=1793491200 # 2026-11-01T00:00:00Z
at() { "$ZEIT" --now "@$1" --config "$CONF" "${@:2}"; }

test_jobs_snap_and_prune_outcomes_on_the_pool() {
	local tmp
	tmp=$(mktemp -d /tmp/jobs.XXXXXX)
	CONF=$tmp/zeit.conf
	: >"$CONF"
	zfs create -o org.zeit:snap=on -o org.zeit:keep=frequent=4,hourly=2,daily=0,weekly=0,monthly=0 tank/a
	# A good run with nothing failed before records nothing: the timer
	# runs every 15 minutes, and each zfs call counts.
	ok at $T0 -vv snap --auto
	eq 0 "$(grep -c 'run: zfs set' <<<"$ERR")" "zfs set calls of a good snap"
	ok at $T0 -vv prune
	eq 0 "$(grep -c 'run: zfs set' <<<"$ERR")" "zfs set calls of a good prune"
	eq - "$(zfs get -H -o value org.zeit:run:snap:error tank)" "snap's error"
	# A dataset whose policy does not read: both runs fail there and say
	# so on the pool; the good dataset is still snapshotted.
	zfs create -o org.zeit:snap=on -o 'org.zeit:keep=daily=lots' tank/b
	fails "tank/b" at $((T0 + 900)) snap --auto
	exists "tank/a@zeit_frequent_20261101T001500Z" || fail "the good dataset was not snapshotted"
	has "$(zfs get -H -o value org.zeit:run:snap:error tank)" "2026-11-01T00:15:00Z tank/b"
	fails "tank/b" at $((T0 + 900)) prune
	has "$(zfs get -H -o value org.zeit:run:prune:error tank)" "tank/b"
	rc=0
	at $((T0 + 960)) status >"$tmp/status" || rc=$?
	eq 1 "$rc" "status with failed runs"
	grep -q "^WARNING  *tank  *snap  *failed at 2026-11-01T00:15:00Z: tank/b" "$tmp/status" ||
		fail "status does not show snap's failure: $(cat "$tmp/status")"
	grep -q "^WARNING  *tank  *prune  *failed at 2026-11-01T00:15:00Z: tank/b" "$tmp/status" ||
		fail "status does not show prune's failure: $(cat "$tmp/status")"
	at $((T0 + 960)) status --prometheus "$tmp/zeit.prom" >/dev/null || true
	grep -q '^zeit_job_failed{kind="snap",job="snap",dataset="tank"} 1$' "$tmp/zeit.prom" ||
		fail "no failed snap in the textfile: $(grep job "$tmp/zeit.prom")"
	# -n records nothing; a good run clears the error.
	zfs set org.zeit:keep=frequent=4,hourly=2,daily=0,weekly=0,monthly=0 tank/b
	ok at $((T0 + 1800)) -n snap --auto
	has "$(zfs get -H -o value org.zeit:run:snap:error tank)" "tank/b"
	ok at $((T0 + 1800)) -vv snap --auto
	eq 1 "$(grep -c 'run: zfs set' <<<"$ERR")" "one zfs set clears it"
	eq 2026-11-01T00:30:00Z "$(zfs get -H -o value org.zeit:run:snap:ok tank)" "after the fix"
	eq - "$(zfs get -H -o value org.zeit:run:snap:error tank)" "error left after a good run"
	at $((T0 + 1800)) status >"$tmp/status" || true
	grep -q "^OK  *tank  *snap  *no failure since the run at 2026-11-01T00:30:00Z" "$tmp/status" ||
		fail "status after the fix: $(cat "$tmp/status")"
	# A run on named datasets is no timer's: prune tank/a records nothing.
	zfs set 'org.zeit:run:prune:error=2026-11-01T00:15:00Z still' tank
	ok at $((T0 + 1800)) prune tank/a
	has "$(zfs get -H -o value org.zeit:run:prune:error tank)" "still"
	# Anyone's value: one that does not read is UNKNOWN, and no escape
	# byte reaches the terminal.
	zfs set "org.zeit:run:snap:ok=$(printf 'soon\033[2J')" tank
	rc=0
	at $((T0 + 1800)) status >"$tmp/status" || rc=$?
	grep -q "^UNKNOWN  *tank  *snap  *its recorded outcome does not read (soon\\\\x1b\[2J" "$tmp/status" ||
		fail "a hostile value is not UNKNOWN: $(cat -v "$tmp/status")"
	! grep -q $'\033' "$tmp/status" || fail "an escape reached the terminal"
}
