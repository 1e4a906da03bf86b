#!/usr/bin/env bash
# Only the driver (lib/zfs.c and its lib/zfs_*.c parts) may build a zfs or zpool argv. Any other
# source that spells "zfs" or "zpool" as a string literal of its own is a
# second way of talking to ZFS and fails this check.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rnE '"(zfs|zpool)"' --include='*.c' --include='*.h' lib cli include menu 2>/dev/null |
	grep -vE "^lib/zfs(_[a-z_]+)?\.c:" || true)
if [ -n "$bad" ]; then
	echo "zfs/zpool argv built outside lib/zfs.c:" >&2
	echo "$bad" >&2
	exit 1
fi
# The driver itself must still be where the argv are built (so this check
# cannot pass by the pattern going stale).
grep -qE 'strv_push\(&a, "zfs"\)' lib/zfs.c
grep -qE 'strv_push\(&a, "zpool"\)' lib/zfs.c
# And nothing runs a shell string.
bad=$(grep -rnE '\b(system|popen)\s*\(' --include='*.c' lib cli menu 2>/dev/null || true)
if [ -n "$bad" ]; then
	echo "system()/popen() used:" >&2
	echo "$bad" >&2
	exit 1
fi
echo "driver boundary: ok"
