# zeit send --auto: the configuration's [send NAME] jobs, each when it is
# due, each on its own; outcomes kept on the job's side on this machine.

T0=1793491200 # 2026-11-01T00:00:00Z
at() { "$ZEIT" --now "@$1" --config "$CONF" "${@:2}"; }

test_send_auto_jobs_due_independent_and_recorded() {
	local tmp
	tmp=$(mktemp -d /tmp/send-auto.XXXXXX)
	CONF=$tmp/zeit.conf
	zvm_file_pool backup 256M
	zfs create tank/a
	zfs create tank/b
	cat >"$CONF" <<-CONF
		[send hourly-a]
		source = tank/a
		target = backup/a
		interval = 1h
		[send to-nowhere]
		source = tank/b
		target = nosuchpool/b
		interval = 15m
	CONF
	at $T0 snap -t daily tank/a tank/b >/dev/null
	# The first run: both due; one fails, the other is not stopped.
	rc=0
	at $T0 send --auto >"$tmp/out" 2>"$tmp/err" || rc=$?
	eq 1 "$rc" "exit with one failed job"
	has "$(cat "$tmp/out")" "job hourly-a: tank/a -> backup/a"
	exists backup/a || fail "the good job did not send: $(cat "$tmp/err")"
	eq 2026-11-01T00:00:00Z "$(zfs get -H -o value org.zeit:job:hourly-a:ok tank/a)" "outcome of the good job"
	eq - "$(zfs get -H -o value org.zeit:job:hourly-a:error tank/a)" "no error on the good job"
	has "$(zfs get -H -o value org.zeit:job:to-nowhere:error tank/b)" "2026-11-01T00:00:00Z"
	has "$(zfs get -H -o value org.zeit:job:to-nowhere:error tank/b)" "nosuchpool"
	# status reads both outcomes from its one listing; the failed job
	# warns with its message, and its textfile fires the alert.
	rc=0
	at $((T0 + 60)) status tank >"$tmp/status" || rc=$?
	eq 1 "$rc" "status with a failed job"
	grep -q "^WARNING  *tank/b  *send job to-nowhere  *failed at 2026-11-01T00:00:00Z: .*nosuchpool" "$tmp/status" ||
		fail "status does not show the failed job: $(cat "$tmp/status")"
	grep -q "^OK  *tank/a  *send job hourly-a  *last good run 1m ago" "$tmp/status" ||
		fail "status does not show the good job: $(cat "$tmp/status")"
	at $((T0 + 60)) status --prometheus "$tmp/zeit.prom" >/dev/null || true
	grep -q '^zeit_job_failed{kind="send",job="to-nowhere",dataset="tank/b"} 1$' "$tmp/zeit.prom" ||
		fail "no failed job in the textfile: $(grep job "$tmp/zeit.prom")"
	grep -q '^zeit_job_last_success_timestamp_seconds{kind="send",job="hourly-a",dataset="tank/a"} 1793491200$' "$tmp/zeit.prom" ||
		fail "no last success in the textfile: $(grep job "$tmp/zeit.prom")"
	local promtool=/var/cache/zeit-tests/promtool/usr/bin/promtool
	ok /usr/bin/python3 tests/integration/prom_alert_test.py "$tmp/zeit.prom" \
		contrib/prometheus/zeit.rules.yml "$tmp/alerts.yml" job=to-nowhere
	ok "$promtool" test rules "$tmp/alerts.yml"
	# The test has teeth: a rule that never fires fails it.
	sed 's/expr: zeit_job_failed == 1/expr: zeit_job_failed == 2/' \
		contrib/prometheus/zeit.rules.yml >"$tmp/broken.yml"
	/usr/bin/python3 tests/integration/prom_alert_test.py "$tmp/zeit.prom" \
		"$tmp/broken.yml" "$tmp/broken-test.yml" job=to-nowhere
	! "$promtool" test rules "$tmp/broken-test.yml" >/dev/null 2>&1 ||
		fail "promtool passed a rule that never fires"
	# A quarter later: the hourly job is not due, the failed one is.
	at $((T0 + 900)) snap -t hourly tank/a >/dev/null
	rc=0
	at $((T0 + 900)) send --auto >"$tmp/out" 2>"$tmp/err" || rc=$?
	has "$(cat "$tmp/out")" "job hourly-a: not due (next at 2026-11-01T01:00:00Z)"
	has "$(cat "$tmp/out")" "job to-nowhere: tank/b -> nosuchpool/b"
	eq 1 "$(zfs list -H -t snapshot -o name -r backup/a | wc -l)" "the hourly job ran early"
	# On the hour it runs again and sends what is new.
	ok at $((T0 + 3600)) send --auto --job hourly-a
	eq 2 "$(zfs list -H -t snapshot -o name -r backup/a | wc -l)" "after the hour"
	eq 2026-11-01T01:00:00Z "$(zfs get -H -o value org.zeit:job:hourly-a:ok tank/a)"
	# The failing job's target comes to be: it catches up in one run.
	zfs rename backup/a backup/keep
	sed -i 's|nosuchpool/b|backup/b|' "$CONF"
	ok at $((T0 + 3600 + 900)) send --auto --job to-nowhere
	exists backup/b || fail "the job that failed did not catch up"
	eq - "$(zfs get -H -o value org.zeit:job:to-nowhere:error tank/b)" "error left after the catch-up"
	# -n: plans, records nothing.
	local before
	before=$(zfs get -H -o value org.zeit:job:to-nowhere:ok tank/b)
	ok at $((T0 + 7200)) -n send --auto
	eq "$before" "$(zfs get -H -o value org.zeit:job:to-nowhere:ok tank/b)" "-n recorded"
	# Usage: datasets and --auto together, an unknown job.
	fails "takes no datasets" at $T0 send --auto tank/a backup/x
	fails "no job 'nope'" at $T0 send --auto --job nope
	# zfs refuses capitals in a user property's name, so a job named
	# with one could never record its outcome: refused at load.
	! zfs set org.zeit:job:Hourly:ok=x tank/a 2>/dev/null ||
		fail "zfs took a capital in a property name"
	printf '[send Hourly]\nsource = tank/a\ntarget = backup/c\n' >"$CONF"
	fails "lowercase letters" at $T0 send --auto
}

# org.zeit:send-to: one property replicates a tree; a child with none is
# left out, one with a value of its own is its own job; a hostile value
# makes no job and runs nothing, and the others still run; the same pair
# in zeit.conf runs once, as the file's job.
test_send_auto_send_to_property() {
	local tmp
	tmp=$(mktemp -d /tmp/send-to.XXXXXX)
	CONF=$tmp/zeit.conf
	zvm_file_pool backup 256M
	zfs create -p tank/data/a/deep
	zfs create tank/data/scratch
	zfs create tank/data/vm
	zfs create tank/evil
	zfs create tank/both
	zfs set org.zeit:send-to=backup/m1 tank/data
	zfs set org.zeit:send-to=none tank/data/scratch
	zfs set org.zeit:send-to=1h@backup/vm tank/data/vm
	zfs set org.zeit:send-to=backup/both tank/both
	printf '[send both]\nsource = tank/both\ntarget = backup/both\n' >"$CONF"
	local v
	at $T0 snap -t daily -r tank >/dev/null
	for v in "-oProxyCommand=touch\${IFS}/tmp/owned" "nas -oProxyCommand=touch:/tmp/owned" \
		'h$(touch${IFS}/tmp/owned):backup/e' "backup/e;touch /tmp/owned" \
		"$(printf 'backup/e\nnas:x/y')" tank/evil/copy; do
		zfs set "org.zeit:send-to=$v" tank/evil
		rc=0
		at $T0 send --auto >"$tmp/out" 2>"$tmp/err" || rc=$?
		eq 1 "$rc" "exit with the hostile value '$v'"
		[ -e "$tmp/first" ] || cp "$tmp/out" "$tmp/first"
		eq 1 "$(grep -c 'tank/evil: org.zeit:send-to' "$tmp/err")" "one message for '$v': $(cat "$tmp/err")"
		[ ! -e /tmp/owned ] || fail "'$v' ran a command"
		exists backup/e || exists tank/evil/copy && fail "'$v' was sent"
		hasnt "$(cat "$tmp/out")" "tank/evil ->"
		# The other jobs ran all the same.
		exists backup/m1/a/deep || fail "the tree was not sent: $(cat "$tmp/err")"
	done
	has "$(cat "$tmp/err")" "target tank/evil/copy lies inside source tank/evil"
	# The first run's output (later ones have the 1h job not due).
	has "$(cat "$tmp/first")" "job tank.data: tank/data -> backup/m1"
	has "$(cat "$tmp/first")" "job tank.data.vm: tank/data/vm -> backup/vm"
	has "$(cat "$tmp/first")" "job both: tank/both -> backup/both"
	eq 1 "$(grep -c -- '-> backup/both' "$tmp/first")" "the pair declared both ways runs once"
	eq 2026-11-01T00:00:00Z "$(zfs get -H -o value org.zeit:job:tank.data.vm:ok tank/data/vm)" "the child's job"
	exists backup/m1/scratch && fail "the child set to none was sent"
	exists backup/m1/vm && fail "the child with a job of its own went with its parent"
	exists backup/vm || fail "the child's own job did not run"
	eq 2026-11-01T00:00:00Z "$(zfs get -H -o value org.zeit:job:tank.data:ok tank/data)" "the property job's outcome"
	eq "" "$(zfs get -H -s local -o value org.zeit:job:tank.data:ok tank/data/a)" "an outcome on a child"
	# One listing finds the jobs, not a zfs call per dataset.
	zfs inherit org.zeit:send-to tank/evil
	ok at $((T0 + 60)) -vv -n send --auto
	eq 1 "$(grep -c 'run: zfs list .*org.zeit:send-to' <<<"$ERR")" "listings of the property: $ERR"
	has "$OUT" "job tank.data.vm: not due"
	ok at $((T0 + 60)) -n send --auto --job tank.data
	# status shows the property's jobs as the file's.
	at $((T0 + 120)) status tank >"$tmp/status" || true
	grep -q "^OK  *tank/data  *send job tank.data  *last good run 2m ago" "$tmp/status" ||
		fail "status does not show the property's job: $(cat "$tmp/status")"
	grep -q "^OK  *tank/data/vm  *send job tank.data.vm " "$tmp/status" ||
		fail "status does not show the child's job: $(cat "$tmp/status")"
}

# Jobs to different hosts at once: two ssh "hosts" that are this guest,
# one of which takes the connection and then says nothing (a host that
# hangs) until the test lets it go. With parallel = 2 the good job ends
# while the hung one still waits; with 1 it waits its turn. Each job's
# output comes whole, in the order the jobs end.
mute_start() {
	: >"$tmp/accepted"
	# Its output goes nowhere, so the test's own never waits for it.
	timeout 120 python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 2299)); s.listen(8); c = []
while True:
    c.append(s.accept()[0]); open(sys.argv[1], "a").write("x\n")' "$tmp/accepted" </dev/null >/dev/null 2>&1 &
	mute=$!
	local i
	for i in $(seq 100); do
		(exec 3<>/dev/tcp/127.0.0.1/2299) 2>/dev/null && return 0
		sleep 0.1
	done
	fail "the mute host does not listen"
}
# wait_for FILE LINES: until FILE has LINES lines (60 s at most).
wait_for() {
	local i
	for i in $(seq 600); do
		[ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 did not get $2 lines"
}

test_send_auto_parallel_hosts() {
	local tmp mute pid
	tmp=$(mktemp -d /tmp/send-par.XXXXXX)
	CONF=$tmp/zeit.conf
	zvm_file_pool backup 256M
	zvm_sshd
	cat >"$tmp/ssh_config" <<-EOF
		Host good
		  HostName 127.0.0.1
		  Port $ZVM_SSH_PORT
		Host mute
		  HostName 127.0.0.1
		  Port 2299
		Host *
		  User root
		  ConnectTimeout 90
		  StrictHostKeyChecking no
		  UserKnownHostsFile /dev/null
		  LogLevel ERROR
	EOF
	zfs create tank/g
	zfs create tank/m
	zfs create backup/g
	local stamp="date +%s%N >>$tmp/\$ZEIT_JOB.t"
	cat >"$CONF" <<-EOF
		[send]
		parallel = 2
		[send hung]
		source = tank/m
		target = mute:backup/m
		ssh_opts = -F $tmp/ssh_config
		on_send_failure = $stamp
		[send fine]
		source = tank/g
		target = good:backup/g/a
		ssh_opts = -F $tmp/ssh_config
		post_send = $stamp
	EOF
	at $T0 snap -t daily tank/g tank/m >/dev/null
	# parallel 2: the good job ends while the hung one still waits.
	mute_start
	at $((T0 + 2)) send --auto >"$tmp/out.2" 2>"$tmp/err.2" &
	pid=$!
	wait_for "$tmp/fine.t" 1
	[ ! -e "$tmp/hung.t" ] || fail "the hung job ended before the good one"
	eq 2 "$(wc -l <"$tmp/accepted")" "connections to the mute host (the probe and the hung job's)"
	kill "$mute"
	rc=0
	wait "$pid" || rc=$?
	eq 1 "$rc" "parallel 2: exit with the hung job"
	[ "$(cat "$tmp/fine.t")" -lt "$(cat "$tmp/hung.t")" ] || fail "parallel 2: the good job ended last"
	# Its output came first and whole: its line, then its table.
	eq "job fine: tank/g -> good:backup/g/a" "$(grep '^job ' "$tmp/out.2" | head -1)" "the first output with parallel 2"
	grep -A1 '^job fine' "$tmp/out.2" | tail -1 | grep -q '^SOURCE' ||
		fail "the good job's output is not whole: $(cat "$tmp/out.2")"
	eq 2026-11-01T00:00:02Z "$(zfs get -H -o value org.zeit:job:fine:ok tank/g)" "the good job's outcome"
	has "$(zfs get -H -o value org.zeit:job:hung:error tank/m)" "2026-11-01T00:00:02Z"
	# parallel 1: while the hung job waits, the good one does not start.
	rm -f "$tmp"/*.t
	mute_start
	at $((T0 + 4)) send --auto --parallel 1 >"$tmp/out.1" 2>"$tmp/err.1" &
	pid=$!
	wait_for "$tmp/accepted" 2
	sleep 3
	[ ! -e "$tmp/fine.t" ] || fail "with parallel 1 the good job ran beside the hung one"
	kill "$mute"
	rc=0
	wait "$pid" || rc=$?
	eq 1 "$rc" "parallel 1: exit with the hung job"
	[ "$(cat "$tmp/hung.t")" -lt "$(cat "$tmp/fine.t")" ] || fail "with parallel 1 the jobs overlapped"
	eq "job hung: tank/m -> mute:backup/m" "$(grep '^job ' "$tmp/out.1" | head -1)" "the first output with parallel 1"
	eq 2026-11-01T00:00:04Z "$(zfs get -H -o value org.zeit:job:fine:ok tank/g)" "the good job's outcome"
	fails "jobs at once" at $T0 send --auto --parallel 0
	fails "goes with --auto" at $T0 send --parallel 2 tank/g backup/x
}
