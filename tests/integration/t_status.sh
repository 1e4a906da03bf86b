# zeit status: stale tiers, replica lag, pool health and scrubs,
# monitoring outputs, call count.

H=3600
D=86400
T0=1793491200 # 2026-11-01T00:00:00Z

at() { "$ZEIT" --now "@$1" "${@:2}"; }

test_status_tier_goes_stale_then_critical() {
	zfs create tank/s
	# Only the hourly tier, so the replay stays short.
	zfs set org.zeit:snap=on org.zeit:keep=frequent=0,hourly=24,daily=0,weekly=0,monthly=0 tank/s
	for i in 0 1 2; do at $((T0 + i * H)) snap --auto >/dev/null; done
	ok at $((T0 + 2 * H + 1800)) status --nagios tank/s
	has "$OUT" "ZEIT OK"
	# The timer stopped: three periods later the tier is stale.
	rc=0
	out=$(at $((T0 + 5 * H)) status --nagios tank/s) || rc=$?
	eq 1 "$rc" "--nagios exit for a warning"
	has "$out" "ZEIT WARNING"
	has "$out" "tank/s hourly"
	has "$out" "'tank/s hourly age'=10800s"
	rc=0
	out=$(at $((T0 + 7 * H)) status --nagios tank/s) || rc=$?
	eq 2 "$rc" "--nagios exit for a critical"
	has "$out" "ZEIT CRITICAL"
	# The human form puts the problem first and exits 1.
	rc=0
	out=$(at $((T0 + 7 * H)) status -H) || rc=$?
	eq 1 "$rc"
	eq "CRITICAL	tank/s	hourly" "$(head -1 <<<"$out" | cut -f1-3)"
	# Unreadable thresholds: UNKNOWN for monitoring.
	printf '[status]\nwarn = soon\n' >/tmp/bad.conf
	rc=0
	out=$(at $((T0 + 7 * H)) --config /tmp/bad.conf status --nagios) || rc=$?
	eq 3 "$rc"
	has "$out" "bad.conf:2"
	# Thresholds from the configuration.
	printf '[status]\nwarn = 5\ncrit = 8\n' >/tmp/ok.conf
	ok at $((T0 + 5 * H)) --config /tmp/ok.conf status --nagios tank/s
	has "$OUT" "ZEIT OK"
}

test_status_replica_lag_prometheus_and_calls() {
	zvm_file_pool backup 256M
	zfs create tank/r
	zfs create tank/r/child
	for i in 1 2; do at $((T0 + i * D)) snap -t daily -r tank/r >/dev/null; done
	ok "$ZEIT" send -r tank/r backup/r
	for i in 3 4; do at $((T0 + i * D)) snap -t daily -r tank/r >/dev/null; done

	# Six calls whatever the number of datasets and pools (the holds: the
	# snapshots' userrefs, zfs holds of the held ones). A zfs without
	# -j (OpenZFS 2.1) answers the first -j of each command, zfs and
	# zpool, with its usage, and zfs holds -p (OpenZFS 2.2) likewise: a
	# call more for each, once a process.
	at $((T0 + 4 * D)) -vv status >/dev/null 2>/tmp/calls || true
	local probes=0
	zfs_has_json || probes=$(grep -c 'zeit: run: z[a-z]* [a-z]* -j \|zeit: run: zfs holds -H -p ' /tmp/calls || true)
	[ "$probes" -le 3 ] || fail "-j (or holds -p) asked for $probes times: $(cat /tmp/calls)"
	eq 6 "$(($(grep -c 'zeit: run' /tmp/calls) - probes))" "zfs/zpool calls: $(grep 'zeit: run' /tmp/calls)"

	at $((T0 + 4 * D)) status --prometheus /tmp/zeit.prom >/dev/null || true
	host=$(hostname)
	python3 - "$host" <<-'PY'
		import sys
		from prometheus_client.parser import text_string_to_metric_families
		host = sys.argv[1]
		m = {}
		for fam in text_string_to_metric_families(open("/tmp/zeit.prom").read()):
		    for s in fam.samples:
		        m[(s.name, tuple(sorted(s.labels.items())))] = s.value
		def get(name, **labels):
		    return m[(name, tuple(sorted(labels.items())))]
		src = host + ":tank/r"
		assert get("zeit_replica_lag_snapshots", replica="backup/r", source=src) == 2, m
		assert get("zeit_replica_lag_seconds", replica="backup/r", source=src) == 2 * 86400
		assert get("zeit_replica_lag_snapshots", replica="backup/r/child", source=src + "/child") == 2
		assert get("zeit_replica_resume_pending", replica="backup/r", source=src) == 0
		assert 0 <= get("zeit_pool_capacity_ratio", pool="backup") < 1
		assert get("zeit_check_state", subject="backup/r", check="replica of " + src) == 0
	PY
	ok at $((T0 + 4 * D)) -H status backup/r
	has "$OUT" "2 snapshots (2d00h) behind"
	# Given a root, status lists its tree's snapshots and its replicas'
	# sources', not every pool's: one call more for the sources, none for
	# the holds of a tree whose snapshots have none.
	at $((T0 + 4 * D)) -vv status backup/r >/dev/null 2>/tmp/calls || true
	zfs_has_json || probes=$(grep -c 'zeit: run: z[a-z]* [a-z]* -j \|zeit: run: zfs holds -H -p ' /tmp/calls || true)
	eq 6 "$(($(grep -c 'zeit: run' /tmp/calls) - probes))" "zfs/zpool calls for backup/r: $(grep 'zeit: run' /tmp/calls)"
	has "$(cat /tmp/calls)" "-t snapshot -r backup/r"
	has "$(cat /tmp/calls)" "-t snapshot -d1 tank/r tank/r/child"
	at $((T0 + 4 * D)) -vv status tank/r >/dev/null 2>/tmp/calls || true
	zfs_has_json || probes=$(grep -c 'zeit: run: z[a-z]* [a-z]* -j \|zeit: run: zfs holds -H -p ' /tmp/calls || true)
	eq 6 "$(($(grep -c 'zeit: run' /tmp/calls) - probes))" "zfs/zpool calls for tank/r: $(grep 'zeit: run' /tmp/calls)"
	has "$(cat /tmp/calls)" "-t snapshot -r tank/r"
	hasnt "$(cat /tmp/calls)" "backup"
	inode=$(stat -c %i /tmp/zeit.prom)

	ok "$ZEIT" send -r tank/r backup/r
	ok at $((T0 + 4 * D)) status --prometheus /tmp/zeit.prom backup/r
	grep -q 'zeit_replica_lag_snapshots{replica="backup/r",source=".*"} 0' /tmp/zeit.prom ||
		fail "after send the replica is not current: $(grep lag_snap /tmp/zeit.prom)"
	# Replaced, not rewritten in place, and no temporary file left.
	[ "$(stat -c %i /tmp/zeit.prom)" != "$inode" ] || fail "the textfile was rewritten in place"
	eq "" "$(ls /tmp | grep 'zeit.prom.tmp' || true)"
	ok at $((T0 + 4 * D)) -H status backup/r
	has "$OUT" "0 snapshots (0m) behind"
	# A source a sender wrote that is no dataset here is reported gone,
	# never handed to zfs list.
	zfs set org.zeit:source="$host:tank/no such,-r" backup/r/child
	rc=0
	out=$(at $((T0 + 4 * D)) -vv -H status backup/r 2>/tmp/calls) || rc=$?
	eq 1 "$rc"
	has "$out" "its source tank/no such,-r is gone"
	has "$(cat /tmp/calls)" "-t snapshot -d1 tank/r"
	hasnt "$(cat /tmp/calls)" "no such"
}

# A pool whose device fails is CRITICAL with its state named; one that
# lost a mirror side warns; a scrub too old, or none on an old pool, warns.
test_status_pool_health_failing_device_and_scrub() {
	local tmp now
	tmp=$(mktemp -d /tmp/health.XXXXXX)
	now=$(date +%s)
	zvm_flakey_pool sick 256M -o failmode=continue
	zfs create sick/d
	truncate -s 128M "$tmp/m1" "$tmp/m2"
	zpool create -f -o cachefile=none -m none mir mirror "$tmp/m1" "$tmp/m2"
	ok "$ZEIT" -H status sick/d
	eq "OK	sick	health	ONLINE" "$(grep '	health	' <<<"$OUT")" "healthy pool"
	eq "OK	sick	scrub	never scrubbed" "$(grep '	scrub	' <<<"$OUT")" "a new pool never scrubbed"
	# Never scrubbed, 41 days on: a warning naming what to do.
	rc=0
	out=$(at $((now + 41 * D)) -H status sick/d) || rc=$?
	eq 1 "$rc" "exit for an old pool never scrubbed"
	has "$out" "WARNING	sick	scrub	never scrubbed (zpool scrub)"
	zpool scrub -w sick
	ok at $((now + 600)) -H status sick/d
	has "$OUT" "OK	sick	scrub	last finished"
	rc=0
	out=$(at $((now + 42 * D)) -H status sick/d) || rc=$?
	has "$out" "WARNING	sick	scrub	last finished 41d"
	printf '[status]\nscrub_warn = 60d\n' >"$tmp/z.conf"
	ok at $((now + 41 * D)) --config "$tmp/z.conf" -H status sick/d
	# One side of the mirror gone: DEGRADED warns.
	zpool offline mir "$tmp/m2"
	rc=0
	out=$("$ZEIT" status --nagios) || rc=$?
	eq 1 "$rc" "--nagios exit for a degraded pool"
	has "$out" "mir health: DEGRADED (zpool status -v mir)"
	# The device under sick fails every I/O: a write suspends the pool.
	zvm_flakey_fail sick error
	setsid dd if=/dev/urandom of=/tmp/mnt/sick/d/f bs=1M count=8 >/dev/null 2>&1 &
	# OpenZFS 2.1 keeps a suspended pool's health ONLINE and says it is
	# suspended only in zpool status's status line (2.2 has SUSPENDED,
	# and pool user properties); zeit reads that line on either.
	local i h io='faulted in response to IO failures'
	for i in $(seq 60); do
		zpool status sick | grep -q "$io" && break
		[ "$(zpool get -H -o value health sick)" = ONLINE ] || break
		sleep 0.5
	done
	h=$(zpool get -H -o value health sick)
	if zpool_has_user_props; then
		eq SUSPENDED "$h" "the pool's state after the device failed"
	else
		zpool status sick | grep -q "$io" || fail "not suspended: $(zpool status sick)"
	fi
	rc=0
	out=$(timeout 60 "$ZEIT" status --nagios) || rc=$?
	eq 2 "$rc" "--nagios exit for a suspended pool"
	has "$out" "ZEIT CRITICAL"
	has "$out" "sick health: SUSPENDED"
	has "$out" "permanent data error"
	timeout 60 "$ZEIT" status --prometheus "$tmp/zeit.prom" >/dev/null || true
	grep -q '^zeit_pool_state{pool="sick",state="SUSPENDED"} 1$' "$tmp/zeit.prom" ||
		fail "no SUSPENDED state in the textfile: $(grep pool_state "$tmp/zeit.prom")"
	grep -q '^zeit_pool_errors{pool="sick",type="write"} [1-9]' "$tmp/zeit.prom" ||
		fail "no write errors in the textfile: $(grep pool_errors "$tmp/zeit.prom")"
	# The shipped alerting rules load, and fire on this very textfile.
	local promtool=/var/cache/zeit-tests/promtool/usr/bin/promtool
	ok "$promtool" check rules contrib/prometheus/zeit.rules.yml
	ok /usr/bin/python3 tests/integration/prom_alert_test.py "$tmp/zeit.prom" \
		contrib/prometheus/zeit.rules.yml "$tmp/alerts.yml" sick/health
	ok "$promtool" test rules "$tmp/alerts.yml"
	zvm_flakey_heal sick
	zpool clear sick
	zpool destroy mir
}

# zeit send's holds that are no longer a target's base: an older hold of
# a tag (an interrupted run), a tag no job sends to that has not moved for
# hold_stale; never a foreign tag, a look-alike, a job's tag or a target
# that is here. Two calls: the snapshots' userrefs, zfs holds of the held.
# Dated by the real clock: a hold's time is the real one (and on a zfs
# without holds -p the snapshot's name stands for it).
test_status_stale_holds() {
	zvm_file_pool backup 128M
	zfs create tank/h
	zfs snapshot "tank/h@odd name"
	local b=$(($(date +%s) / D * D - 3 * D)) i d=()
	for i in 0 1 2; do
		at $((b + i * D)) snap -t daily tank/h >/dev/null
		d+=("tank/h@zeit_daily_$(date -u -d "@$((b + i * D))" +%Y%m%dT%H%M%SZ)")
	done
	zfs snapshot tank/h@unheld
	ok "$ZEIT" send tank/h backup/h
	eq "zeit-send:backup/h" "$(zfs holds -H "${d[2]}" | cut -f2)" "the base's hold"
	# An interrupted run's old holds, one on an odd name; a foreign hold
	# and look-alikes on the same snapshots.
	zfs hold zeit-send:backup/h "${d[0]}" "tank/h@odd name"
	zfs hold mine "${d[0]}"
	zfs hold zeit-sendx "${d[1]}"
	zfs hold zeit-send: "${d[1]}"
	zfs hold "zeit-send:a b:c/d" "${d[1]}"
	# A job's remote target, a remote target no job names, a local one
	# that is gone, each on its one base.
	zfs hold zeit-send:far.example:pool/h "${d[1]}"
	zfs hold zeit-send:old.example:pool/h "${d[1]}"
	zfs hold zeit-send:backup/gone "${d[1]}"
	printf '[send offsite]\nsource = tank/h\ntarget = far.example:pool/h\n' >/tmp/holds.conf
	local soon=$((b + 4 * D)) late=$((b + 40 * D))
	rc=0
	out=$(at $soon --config /tmp/holds.conf -vv -H status tank/h 2>/tmp/calls) || rc=$?
	eq 1 "$rc" "status exit with stale holds"
	eq 2 "$(grep -c $'^WARNING\t[^\t]*\thold ' <<<"$out")" "stale holds a day on: $out"
	has "$out" "$(printf 'WARNING\t%s\thold zeit-send:backup/h\tstale: its base on this dataset is now @%s; release it: zfs release zeit-send:backup/h %s' "${d[0]}" "${d[2]#*@}" "${d[0]}")"
	has "$out" "release it: zfs release zeit-send:backup/h 'tank/h@odd name'"
	has "$out" "$(printf 'WARNING\ttank\tholds\t6 zeit-send holds, 2 stale')"
	hasnt "$out" "hold mine"
	hasnt "$out" "zeit-sendx"
	hasnt "$out" "a b:c/d"
	# The listing asks zfs holds about the held snapshots only.
	has "$(cat /tmp/calls)" "userrefs"
	local holds
	holds=$(grep 'run: zfs holds ' /tmp/calls)
	[ "$(wc -l <<<"$holds")" -le 2 ] || fail "zfs holds ran more than once (and a -p probe): $holds"
	hasnt "$holds" "@unheld"
	has "$holds" "${d[2]}"

	# Over a month on: the tags no job sends to and whose target is not
	# here are stale too; the job's and the local target's are not.
	rc=0
	out=$(at $late --config /tmp/holds.conf -H status tank/h) || rc=$?
	local late_out=$out
	eq 4 "$(grep -c $'^WARNING\t[^\t]*\thold ' <<<"$out")" "stale holds a month on: $out"
	has "$out" "hold zeit-send:old.example:pool/h	stale: no job sends to its target and its holds have not moved for"
	has "$out" "hold zeit-send:backup/gone	stale: no job sends to backup/gone (not on this machine)"
	hasnt "$out" "far.example"
	hasnt "$out" "$(printf '%s\thold zeit-send:backup/h' "${d[2]}")"
	OUT=$(at $late --config /tmp/holds.conf -j status tank/h) || true
	python3 -c '
import json, sys
rows = json.loads(sys.argv[2])["status"]
mine = [r for r in rows if r["subject"] == sys.argv[1] and r["check"].startswith("hold ")]
assert [r["check"] for r in mine] == ["hold zeit-send:backup/h"], mine
assert mine[0]["state"] == "WARNING", mine
' "${d[0]}" "$OUT" || fail "-j: $OUT"
	rc=0
	out=$(at $late --config /tmp/holds.conf status --nagios --prometheus /tmp/holds.prom tank/h) || rc=$?
	eq 1 "$rc" "--nagios exit"
	has "$out" "'tank stale holds'=4"
	grep -qx 'zeit_holds_stale{pool="tank"} 4' /tmp/holds.prom || fail "metric: $(grep holds /tmp/holds.prom)"

	# The command status gives does it; the rest are released by hand.
	local cmd
	cmd=$(grep -o "zfs release zeit-send:backup/h 'tank/h@odd name'" <<<"$late_out" || true)
	[ -n "$cmd" ] || fail "no release command for the odd name: $late_out"
	eval "$cmd"
	eq "" "$(zfs holds -H "tank/h@odd name")" "the odd name's hold after status's command"
	# A tag zfs holds cannot print on one line makes the holds unknown,
	# not status.
	zfs hold $'bad\ntag' "${d[0]}"
	rc=0
	out=$(at $soon --config /tmp/holds.conf -H status tank/h) || rc=$?
	has "$out" "$(printf 'UNKNOWN\tholds\tholds\tcannot list holds')"
	has "$out" "$(printf 'OK\ttank\thealth')"
}
