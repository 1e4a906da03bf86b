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
