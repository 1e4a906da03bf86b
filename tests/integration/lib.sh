# shellcheck shell=bash
# Assertions and fixtures for the VM integration tests. Sourced by run.sh
# inside the guest; every test function runs in its own subshell with
# fresh pools and `set -e`.

. tests/vm/guest-lib.sh

: "${BUILD:=build}"
ZEIT=$PWD/$BUILD/zeit
ZDRV=$PWD/$BUILD/zdrv
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

fail() {
	echo "FAILED: $*" >&2
	exit 1
}

# ok CMD...: CMD must succeed; its stdout is kept in $OUT, stderr in $ERR.
ok() {
	local rc=0
	OUT=$("$@" 2>/tmp/zt.err) || rc=$?
	ERR=$(cat /tmp/zt.err)
	[ "$rc" -eq 0 ] || fail "'$*' exited $rc: $ERR"
}

# fails PATTERN CMD...: CMD must fail and say PATTERN (grep -E) on stderr.
fails() {
	local pat=$1 rc=0
	shift
	OUT=$("$@" 2>/tmp/zt.err) || rc=$?
	ERR=$(cat /tmp/zt.err)
	[ "$rc" -ne 0 ] || fail "'$*' should have failed; printed: $OUT"
	grep -Eq -- "$pat" <<<"$ERR" || fail "'$*' failed without '$pat': $ERR"
}

eq() {
	[ "$1" = "$2" ] || fail "${3:-values differ}: expected [$1], got [$2]"
}

has() {
	grep -Fq -- "$2" <<<"$1" || fail "${3:-missing text}: [$2] not in [$1]"
}

hasnt() {
	if grep -Fq -- "$2" <<<"$1"; then fail "${3:-unexpected text}: [$2] in [$1]"; fi
}

# hex STRING: the bytes of STRING as lowercase hex, as zdrv prints paths.
hex() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

exists() {
	zfs list -H -o name -t all "$1" >/dev/null 2>&1
}

# The name column of `zfs list` (zfs's own view, to compare zeit's with).
zfs_names() {
	zfs list -H -o name "$@"
}

# kill_sends SETUP_MS STREAM_MS TARGET CMD...: runs CMD (a zeit send into
# TARGET) ten times in its own process group, each killed with SIGKILL at
# a random point in the first fortieth of a stream after its zfs receive
# started (each run resumes, so ten must not finish it, even when the
# machine runs faster than when it was calibrated). The wait is for the
# receive itself, not SETUP_MS: what zeit asks zfs before a stream
# differs between OpenZFS versions (2.1 answers -j and holds -p with its
# usage) and with the machine's load, and a fixed delay let the kills
# walk through the stream. A run that does not reach a receive within
# ten times SETUP_MS plus a minute is killed there. Sets KILLS (how many
# were killed before one finished) and PARTIAL (how many left a resume
# token).
kill_sends() {
	local setup=$1 ms=$2 target=$3 i pid delay token waited
	shift 3
	KILLS=0 PARTIAL=0
	for i in $(seq 1 10); do
		setsid "$@" >/tmp/send.out 2>&1 &
		pid=$!
		waited=0
		while kill -0 $pid 2>/dev/null && ! pgrep -g $pid -f '^zfs receive ' >/dev/null &&
			[ $waited -lt $((setup * 10 + 60000)) ]; do
			sleep 0.02
			waited=$((waited + 20))
		done
		delay=$((RANDOM % (ms / 40 + 1)))
		sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
		if ! kill -0 $pid 2>/dev/null; then
			wait $pid || true
			break
		fi
		# It may end between the check and the kill: then it is done.
		if ! kill -9 -- -$pid 2>/dev/null; then
			wait $pid || true
			break
		fi
		wait $pid 2>/dev/null || true
		KILLS=$((KILLS + 1))
		token=$(zfs get -H -o value receive_resume_token "$target" 2>/dev/null || echo -)
		[ "$token" = - ] || PARTIAL=$((PARTIAL + 1))
	done
	echo "calibrated: ${setup} ms to start, ${ms} ms a stream; $KILLS kills, $PARTIAL left a resume token" >&2
}

# snap TIER TIME DATASET [-r]: zeit takes TIER's snapshot as at TIME (epoch).
snap() {
	"$ZEIT" --now "@$2" snap -t "$1" "${@:4}" "$3" >/dev/null
}

# What this zfs can do, as it answers (OpenZFS 2.1 has neither): JSON
# listings (-j, 2.3), and pool user properties (2.2).
zfs_has_json() {
	zfs list -j -o name -d 0 tank >/dev/null 2>&1
}
zpool_has_user_props() {
	zpool get -H -o value org.zeit:probe tank >/dev/null 2>&1
}

# The one-time boot choice zeit keeps on a BE root (its own, local
# org.zeit:nextboot; nothing when none), where zeit-menu reads it.
nextboot_of() {
	zfs get -H -s local -o value org.zeit:nextboot "$1"
}

# name<TAB>guid of every snapshot under $1, names relative to $1.
guids() {
	zfs list -H -p -o name,guid -t snapshot -r "$1" | sed "s|^$1||" | sort
}
