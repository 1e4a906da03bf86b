# shellcheck shell=bash
# Every error message a user meets for a mistyped or missing name, as a
# table: a change of wording has to change this table. Each must be one
# line (a usage error adds only the "Try 'zeit help'" line), name the
# object in zfs's words, and, for a failure of a zfs command (v in the
# table), show that command only at -v.

# EXPECTED<TAB>V<TAB>ARGS (split on spaces; - in V: not a zfs command's)
messages_table() {
	cat <<'TABLE'
zeit: cannot open 'tank/nonexistent': dataset does not exist	v	list tank/nonexistent
zeit: cannot open 'tank/nonexistent': dataset does not exist	v	list -r tank/nonexistent
zeit: snapshot 'tank/data@nope' does not exist	v	diff tank/data@nope
zeit: snapshot 'tank/data@nope' does not exist	v	diff tank/data@nope tank/data@nope2
zeit: snapshot 'tank/data@nope2' does not exist	v	diff tank/data@SNAP tank/data@nope2
zeit: cannot open 'tank/nonexistent': dataset does not exist	v	diff tank/nonexistent@a
zeit: snapshot 'tank/data@nope' does not exist	-	diff --packages tank/data@nope tank/data@SNAP
zeit send: target 'host:' names no dataset	-	send tank/data host:
zeit send: source 'host:' names no dataset	-	send host: tank/copy
zeit: cannot open 'tank/nonexistent': dataset does not exist	-	send tank/nonexistent tank/copy
zeit send: tank/data: cannot open 'nosuchpool': dataset does not exist	v	send tank/data nosuchpool/copy
zeit: snapshot 'tank/data@nope' does not exist	v	destroy tank/data@nope
zeit: cannot open 'tank/nonexistent': dataset does not exist	v	destroy tank/nonexistent@zeit_daily_20261101T000000Z
zeit: cannot open 'tank/nonexistent': dataset does not exist	v	snap -t daily tank/nonexistent
zeit: cannot open 'tank/nonexistent': dataset does not exist	v	prune tank/nonexistent
zeit: cannot open 'tank/nonexistent': dataset does not exist	-	status tank/nonexistent
zeit: tank/empty: property org.zeit:keep: unknown tier 'bogus' (frequent, hourly, daily, weekly, monthly, yearly, pkg); skipped	-	-n prune tank/empty
zeit: tank/empty: property org.zeit:keep: unknown tier 'bogus' (frequent, hourly, daily, weekly, monthly, yearly, pkg); skipped	-	-n prune
zeit: unknown option '--bogus'	-	--bogus
zeit status: unknown option '--bogus'	-	status --bogus
zeit status: option '--prometheus' needs a value	-	status --prometheus
TABLE
}

messages_fixture() {
	zfs create tank/data
	# No snapshots at all: prune must still judge its policy.
	zfs create -o org.zeit:keep=bogus=3 tank/empty
	"$ZEIT" snap -t daily tank/data >/dev/null
	SNAP=$(zfs list -H -o name -t snapshot tank/data | head -n 1)
	SNAP=${SNAP#*@}
}

# msg_run ARGS...: stderr of a failing zeit in $ERR, its status in $RC.
msg_run() {
	RC=0
	"$ZEIT" "$@" >/dev/null 2>/tmp/zt.err || RC=$?
	ERR=$(cat /tmp/zt.err)
}

test_messages_table() {
	messages_fixture
	local want v args n=0 lines
	while IFS=$'\t' read -r want v args; do
		args=${args//SNAP/$SNAP}
		# shellcheck disable=SC2086 # the table's words
		msg_run $args
		[ "$RC" -ne 0 ] || fail "zeit $args succeeded"
		lines=$(printf '%s\n' "$ERR" | wc -l)
		if [ "$RC" -eq 2 ]; then
			eq 2 "$lines" "zeit $args: a usage error and its hint: $ERR"
			local cmd=${args%% *} hint
			case $cmd in
			-*) hint="Try 'zeit help' for more information." ;;
			*) hint="Try 'zeit help $cmd' for more information." ;;
			esac
			eq "$hint" "$(sed -n 2p <<<"$ERR")" "zeit $args: the hint"
			ERR=$(head -n 1 <<<"$ERR")
		else
			eq 1 "$RC" "zeit $args: exit status"
			eq 1 "$lines" "zeit $args: one line: $ERR"
		fi
		eq "$want" "$ERR" "zeit $args"
		hasnt "$ERR" '`' "zeit $args: no command line without -v"
		# shellcheck disable=SC2086
		msg_run -v $args
		# -v may add notes before it (and a usage error its hint after
		# it): the message is the last line that starts with zeit.
		ERR=$(grep '^zeit' <<<"$ERR" | tail -n 1)
		if [ "$v" = v ]; then
			case "$ERR" in
			"$want (\`zfs "*"\` exited "[0-9]*")") ;;
			*) fail "zeit -v $args: [$want] and the zfs command expected, got [$ERR]" ;;
			esac
		else
			hasnt "$ERR" '`zfs' "zeit -v $args"
			has "$ERR" "$want" "zeit -v $args"
		fi
		n=$((n + 1))
	done < <(messages_table)
	eq 21 "$n" "rows checked"
}
