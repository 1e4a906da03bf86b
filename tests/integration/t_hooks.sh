# Snapshot hooks from zeit.conf, against real snapshots: a pre-hook that
# freezes a writer and a post-hook that thaws it make every snapshot
# consistent (and without them one is not); a failing pre-hook keeps its
# dataset's snapshot out and leaves the error where status reads it; a
# hook that never ends is killed with its children; odd dataset names
# reach the hook intact through the environment; -n runs nothing.

T0=1793491200 # 2026-11-01T00:00:00Z

# A writer that rewrites $1/f in two steps ("begin N", a pause, "end N"),
# so a copy taken mid-write has a begin without its end, unless $2/freeze
# exists: then it stops between rewrites and says so in $2/ack. It gives
# up after a few thousand rounds or when its dataset is gone, so a failed
# test leaves nothing running.
start_writer() {
	(
		i=0 rounds=0
		while [ ! -e "$2/stop" ] && [ -d "$1" ] &&
			[ $((rounds += 1)) -lt 20000 ]; do
			if [ -e "$2/freeze" ]; then
				: >"$2/ack"
				sleep 0.02
				continue
			fi
			i=$((i + 1))
			printf 'begin %d\n' "$i" >"$1/f"
			sleep 0.02
			printf 'end %d\n' "$i" >>"$1/f"
			[ -e "$2/wrote" ] || : >"$2/wrote"
		done
	) &
	WRITER=$!
	local n=0
	while [ ! -e "$2/wrote" ]; do
		[ $((n += 1)) -lt 500 ] || fail "the writer never wrote $1/f"
		sleep 0.01
	done
}

stop_writer() {
	: >"$1/stop"
	wait "$WRITER" || true
}

# Whether the copy of f in snapshot $1 of tank/db is whole.
consistent() {
	local f=$MP/.zfs/snapshot/${1#*@}/f
	[ "$(wc -l <"$f")" -eq 2 ] &&
		[ "$(sed -n 's/^begin //p' "$f")" = "$(sed -n 's/^end //p' "$f")" ]
}

test_hooks_freeze_thaw_make_snapshots_consistent() {
	local tmp n bad
	tmp=$(mktemp -d /tmp/hooks.XXXXXX)
	zfs create tank/db
	MP=$(zfs get -H -o value mountpoint tank/db)
	start_writer "$MP" "$tmp"

	# Without hooks: some snapshot catches the writer mid-write.
	bad=0
	for n in $(seq 1 30); do
		"$ZEIT" --now "@$((T0 + n))" snap -t hourly tank/db >/dev/null
		consistent "tank/db@$(zfs list -H -o name -t snapshot -s createtxg tank/db | tail -1 | cut -d@ -f2)" ||
			bad=$((bad + 1))
		[ "$bad" -eq 0 ] || break
	done
	[ "$bad" -gt 0 ] || fail "30 snapshots without hooks were all consistent: the check cannot fail"

	# With them: the pre-hook freezes and waits for the writer to be
	# idle, the post-hook thaws. Each snapshot is whole.
	cat >"$tmp/freeze.sh" <<-EOF
		#!/bin/sh
		rm -f "$tmp/ack"
		: >"$tmp/freeze"
		n=0
		while [ ! -e "$tmp/ack" ] && [ \$((n += 1)) -lt 2000 ]; do sleep 0.01; done
		[ -e "$tmp/ack" ] || exit 1
		printf '%s|%s|%s|%s|%s\n' "\$ZEIT_HOOK" "\$ZEIT_SCOPE" "\$ZEIT_DATASET" "\$ZEIT_SNAPSHOT" "\$ZEIT_TIER" >>"$tmp/env"
	EOF
	chmod +x "$tmp/freeze.sh"
	cat >"$tmp/zeit.conf" <<-EOF
		[tank/db]
		pre_snapshot = $tmp/freeze.sh
		post_snapshot = rm -f "$tmp/freeze"; echo "\$ZEIT_HOOK \$ZEIT_PRE \$ZEIT_RESULT" >>"$tmp/env"
		hook_timeout = 10
	EOF
	local taken=()
	for n in $(seq 101 105); do
		ok "$ZEIT" --config "$tmp/zeit.conf" --now "@$((T0 + n * 3600))" snap -t hourly tank/db
		taken+=("$(zfs list -H -o name -t snapshot -s createtxg tank/db | tail -1)")
		[ ! -e "$tmp/freeze" ] || fail "the post-hook did not thaw"
	done
	stop_writer "$tmp"
	for s in "${taken[@]}"; do
		consistent "$s" || fail "$s is not consistent with hooks: $(cat "$MP/.zfs/snapshot/${s#*@}/f")"
	done
	eq 5 "$(grep -c '^pre_snapshot|dataset|tank/db|tank/db@zeit_hourly_' "$tmp/env")" "pre-hook runs and environment"
	has "$(cat "$tmp/env")" "pre_snapshot|dataset|tank/db|${taken[0]}|hourly"
	eq 5 "$(grep -c '^post_snapshot ok taken$' "$tmp/env")" "post-hook runs"
	eq - "$(zfs get -H -o value org.zeit:run:snap:error tank)" "no error recorded"
}

# snap --auto records its outcome once: a failed hook's message goes into
# the run's one zfs set, not a second of its own.
test_hooks_failing_snap_auto_records_once() {
	local tmp
	tmp=$(mktemp -d /tmp/hooks.XXXXXX)
	zfs create -o org.zeit:snap=on -o org.zeit:keep=frequent=0,hourly=2,daily=0,weekly=0,monthly=0 tank/s
	printf '[tank/s]\npre_snapshot = echo cannot freeze >&2; exit 4\n' >"$tmp/zeit.conf"
	fails "cannot freeze" "$ZEIT" --config "$tmp/zeit.conf" --now "@$T0" -vv snap --auto
	eq 1 "$(grep -c 'run: zfs set' <<<"$ERR")" "zfs set calls of a failed snap --auto: $ERR"
	has "$(zfs get -H -o value org.zeit:run:snap:error tank)" \
		"2026-11-01T00:00:00Z pre_snapshot hook (tank/s) failed: exit status 4: cannot freeze"
	# Fixed, the good run clears it, in one zfs set too.
	printf '[tank/s]\npre_snapshot = true\n' >"$tmp/zeit.conf"
	ok "$ZEIT" --config "$tmp/zeit.conf" --now "@$((T0 + 3600))" -vv snap --auto
	eq 1 "$(grep -c 'run: zfs set' <<<"$ERR")" "zfs set calls of the good run"
	eq - "$(zfs get -H -o value org.zeit:run:snap:error tank)" "the error after a good run"
}

test_hooks_failing_pre_skips_and_records() {
	local tmp
	tmp=$(mktemp -d /tmp/hooks.XXXXXX)
	zfs create tank/s
	zfs create tank/other
	cat >"$tmp/zeit.conf" <<-EOF
		[tank/s]
		pre_snapshot = echo cannot freeze >&2; exit 4
		post_snapshot = echo "\$ZEIT_PRE \$ZEIT_RESULT" >"$tmp/post"
		on_snapshot_failure = printf '%s' "\$ZEIT_ERROR" >"$tmp/failure"
	EOF
	fails "pre_snapshot hook \(tank/s\) failed: exit status 4: cannot freeze" \
		"$ZEIT" --config "$tmp/zeit.conf" --now "@$T0" snap -t hourly tank/s tank/other
	has "$ERR" "tank/s: not snapshotted"
	eq "" "$(zfs list -H -o name -t snapshot tank/s)" "a snapshot despite the failed pre-hook"
	eq 1 "$(zfs list -H -o name -t snapshot tank/other | wc -l)" "the other dataset"
	has "$OUT" "tank/other@zeit_hourly_20261101T000000Z"
	hasnt "$OUT" "tank/s@"
	[ ! -e "$tmp/post" ] || fail "the post-hook ran after its pre-hook failed"
	has "$(cat "$tmp/failure")" "exit status 4: cannot freeze"
	local err
	err=$(zfs get -H -o value org.zeit:run:snap:error tank)
	eq "2026-11-01T00:00:00Z pre_snapshot hook (tank/s) failed: exit status 4: cannot freeze" "$err" "recorded on the pool"
	local st
	st=$("$ZEIT" --now "@$((T0 + 60))" status tank 2>&1 || true)
	has "$st" "failed at 2026-11-01T00:00:00Z: pre_snapshot hook (tank/s) failed: exit status 4: cannot freeze"

	# Asked to, the post-hook runs anyway (a thaw of what was half
	# frozen); "take" takes the snapshot anyway, still failing the run.
	cat >>"$tmp/zeit.conf" <<-EOF
		post_snapshot_always = yes
		pre_snapshot_failure = take
	EOF
	fails "cannot freeze" "$ZEIT" --config "$tmp/zeit.conf" --now "@$((T0 + 3600))" snap -t hourly tank/s
	eq "failed taken" "$(cat "$tmp/post")" "post-hook's environment"
	eq 1 "$(zfs list -H -o name -t snapshot tank/s | wc -l)" "take: the snapshot"
	has "$(zfs get -H -o value org.zeit:run:snap:error tank)" "2026-11-01T01:00:00Z pre_snapshot hook (tank/s) failed"

	# Fixed: a good run clears the recorded error.
	sed -i 's/^pre_snapshot = .*/pre_snapshot = true/' "$tmp/zeit.conf"
	ok "$ZEIT" --config "$tmp/zeit.conf" --now "@$((T0 + 7200))" snap -t hourly tank/s
	eq "ok taken" "$(cat "$tmp/post")"
	eq - "$(zfs get -H -o value org.zeit:run:snap:error tank)" "the error after a good run"

	# -n: says which hooks it would run, runs none, records nothing.
	rm -f "$tmp/post"
	ok "$ZEIT" --config "$tmp/zeit.conf" --now "@$((T0 + 10800))" -n snap -t hourly tank/s
	has "$ERR" "would run pre_snapshot hook (tank/s): true"
	has "$ERR" "would run post_snapshot hook (tank/s)"
	[ ! -e "$tmp/post" ] || fail "-n ran a hook"
	eq 2 "$(zfs list -H -o name -t snapshot tank/s | wc -l)" "-n took a snapshot"

	# A run-wide pre-hook ([defaults]) that fails keeps the whole run out.
	cat >"$tmp/run.conf" <<-EOF
		[defaults]
		pre_snapshot = printf '%s\n' "\$ZEIT_DATASETS" >"$tmp/run-ds"; exit 1
		[tank/s]
		pre_snapshot = : >"$tmp/pre-run-skip"
		post_snapshot = : >"$tmp/post-run-skip"
	EOF
	fails "pre_snapshot hook \(the run\) failed: exit status 1" \
		"$ZEIT" --config "$tmp/run.conf" --now "@$((T0 + 14400))" snap -t daily tank/s tank/other
	eq "tank/other
tank/s" "$(cat "$tmp/run-ds")" "the run's datasets"
	eq 0 "$(zfs list -H -o name -t snapshot -r tank | grep -c zeit_daily)" "a daily despite the run's failed pre-hook"
	has "$(zfs get -H -o value org.zeit:run:snap:error tank)" "pre_snapshot hook (the run) failed"
	[ ! -e "$tmp/pre-run-skip" ] && [ ! -e "$tmp/post-run-skip" ] ||
		fail "a dataset's hooks ran in a run its run-wide pre-hook kept out"

	# A file others may write cannot name hooks.
	chmod 666 "$tmp/run.conf"
	fails "writable by others" "$ZEIT" --config "$tmp/run.conf" snap -t daily tank/s
}

test_hooks_timeout_kills_group_and_odd_names() {
	local tmp start secs
	tmp=$(mktemp -d /tmp/hooks.XXXXXX)
	zfs create tank/t
	zfs create "tank/odd name: x.y-z_"
	cat >"$tmp/zeit.conf" <<-EOF
		[tank/t]
		pre_snapshot = sleep 1000 & echo \$! >"$tmp/bg"; trap '' TERM; sleep 1000
		hook_timeout = 1
		[tank/odd name: x.y-z_]
		pre_snapshot = printf '%s\n%s' "\$ZEIT_DATASET" "\$ZEIT_SNAPSHOTS" >"$tmp/odd"
	EOF
	start=$(date +%s)
	fails "pre_snapshot hook \(tank/t\) failed: timed out after 1s; killed" \
		timeout 60 "$ZEIT" --config "$tmp/zeit.conf" --now "@$T0" snap -t hourly tank/t "tank/odd name: x.y-z_"
	secs=$(($(date +%s) - start))
	[ "$secs" -lt 60 ] || fail "zeit took ${secs}s with a hook that never ends"
	eq "" "$(zfs list -H -o name -t snapshot tank/t)" "a snapshot after the pre-hook timed out"
	local bg
	bg=$(cat "$tmp/bg")
	if kill -0 "$bg" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$bg/status"; then
		fail "the hook's background child $bg outlived its timeout"
	fi
	# The odd name, intact, through the environment only.
	eq "tank/odd name: x.y-z_
tank/odd name: x.y-z_@zeit_hourly_20261101T000000Z" "$(cat "$tmp/odd")" "the odd dataset's environment"
	exists "tank/odd name: x.y-z_@zeit_hourly_20261101T000000Z" || fail "the odd dataset's snapshot"
}

test_hooks_send_job() {
	local tmp start
	tmp=$(mktemp -d /tmp/hooks.XXXXXX)
	zvm_file_pool backup 256M
	zfs create tank/a
	zfs create tank/b
	zfs create tank/c
	cat >"$tmp/zeit.conf" <<-EOF
		[send good]
		source = tank/a
		target = backup/a
		pre_send = printf '%s|%s|%s|%s' "\$ZEIT_HOOK" "\$ZEIT_JOB" "\$ZEIT_SOURCE" "\$ZEIT_TARGET" >"$tmp/pre"
		post_send = echo "\$ZEIT_HOOK \$ZEIT_PRE \$ZEIT_RESULT" >"$tmp/post-good"
		[send frozen]
		source = tank/b
		target = backup/b
		pre_send = echo cannot quiesce >&2; exit 3
		post_send = : >"$tmp/post-frozen"
		on_send_failure = printf '%s' "\$ZEIT_ERROR" >"$tmp/failure"
		[send stuck]
		source = tank/c
		target = backup/c
		pre_send = sleep 1000
		hook_timeout = 1
	EOF
	"$ZEIT" --now "@$T0" snap -t daily tank/a tank/b tank/c >/dev/null
	# -n: which hooks would run; none runs.
	ok "$ZEIT" --config "$tmp/zeit.conf" --now "@$T0" -n send --auto --job good
	has "$ERR" "would run pre_send hook (job good): printf"
	[ ! -e "$tmp/pre" ] || fail "-n ran a send hook"
	start=$(date +%s)
	fails "job frozen: pre_send hook failed: exit status 3: cannot quiesce" \
		timeout 120 "$ZEIT" --config "$tmp/zeit.conf" --now "@$T0" send --auto
	[ $(($(date +%s) - start)) -lt 60 ] || fail "a stuck send hook held zeit"
	has "$ERR" "job stuck: pre_send hook failed: timed out after 1s; killed"
	exists backup/a || fail "the good job did not send"
	eq "pre_send|good|tank/a|backup/a" "$(cat "$tmp/pre")" "pre_send's environment"
	eq "post_send ok sent" "$(cat "$tmp/post-good")" "post_send's environment"
	exists backup/b && fail "the job whose pre-hook failed sent"
	exists backup/c && fail "the job whose pre-hook timed out sent"
	[ ! -e "$tmp/post-frozen" ] || fail "post_send ran after its pre-hook failed"
	eq "pre_send hook failed: exit status 3: cannot quiesce" "$(cat "$tmp/failure")" "on_send_failure's environment"
	has "$(zfs get -H -o value org.zeit:job:frozen:error tank/b)" "2026-11-01T00:00:00Z pre_send hook failed: exit status 3: cannot quiesce"
	has "$(zfs get -H -o value org.zeit:job:stuck:error tank/c)" "timed out after 1s"
	eq - "$(zfs get -H -o value org.zeit:job:good:error tank/a)" "the good job's error"
	# "send": the job sends anyway, still failing; the post-hook asked to run.
	sed -i '/^pre_send = echo cannot/a pre_send_failure = send\npost_send_always = yes' "$tmp/zeit.conf"
	fails "cannot quiesce" "$ZEIT" --config "$tmp/zeit.conf" --now "@$((T0 + 60))" send --auto --job frozen
	exists backup/b || fail "pre_send_failure = send did not send"
	[ -e "$tmp/post-frozen" ] || fail "post_send_always did not run the post-hook"
}
