# The timer's ticks replayed with --now: snap --auto, send --auto and
# prune, as contrib/systemd and contrib/cron run them.

R0=1780272000 # 2026-06-01T00:00:00Z, a Monday and the first of a month

# The timer runs send --auto every 15 minutes, mostly with nothing due:
# one zfs get reads every job's outcome, however many jobs there are. A
# job whose side is missing makes that one get fail: then each job is
# read on its own, the missing one is due and says why, the others are
# still not due.
test_replay_send_auto_nothing_due_is_one_zfs_call() {
	local tmp
	tmp=$(mktemp -d /tmp/replay-due.XXXXXX)
	CONF=$tmp/zeit.conf
	zvm_file_pool bk 128M
	for d in a b c; do zfs create "tank/$d"; done
	{
		for d in a b c; do printf '[send j%s]\nsource = tank/%s\ntarget = bk/%s\ninterval = 1h\n' $d $d $d; done
		# Two jobs of one side: the side is asked about once.
		printf '[send again]\nsource = tank/a\ntarget = bk/again\ninterval = 1h\n'
	} >"$CONF"
	"$ZEIT" --now "@$R0" snap -t hourly tank/a tank/b tank/c >/dev/null
	ok "$ZEIT" --now "@$R0" --config "$CONF" send --auto
	ok "$ZEIT" --now "@$((R0 + 900))" --config "$CONF" -vv send --auto
	eq 1 "$(grep -c 'run: zfs' <<<"$ERR")" "zfs calls of send --auto with nothing due: $ERR"
	eq 4 "$(grep -c 'not due (next at 2026-06-01T01:00:00Z)' <<<"$OUT")" "not due: $OUT"
	# A side gone: that job is due (and fails, recorded nowhere it could
	# be), the others are still read and not due.
	zfs rename tank/c tank/moved
	rc=0
	"$ZEIT" --now "@$((R0 + 1800))" --config "$CONF" send --auto >"$tmp/out" 2>"$tmp/err" || rc=$?
	eq 1 "$rc" "exit with the job whose source is gone"
	has "$(cat "$tmp/out")" "job jc: tank/c -> bk/c"
	has "$(cat "$tmp/err")" "tank/c"
	eq 3 "$(grep -c 'not due' "$tmp/out")" "the other jobs: $(cat "$tmp/out")"
}
