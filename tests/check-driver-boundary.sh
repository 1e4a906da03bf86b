#!/usr/bin/env bash
# Only the driver (lib/zfs.c and its lib/zfs_*.c parts) may talk to ZFS:
# build a zfs or zpool argv, hold channel-program (Lua) source, parse what
# zfs prints as JSON, or run a child process for it. Anything else that
# does one of these is a second way of talking to ZFS and fails here.
# Usage: check-driver-boundary.sh [TREE] (default: this checkout)
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
driver='^lib/zfs(_[a-z_]+)?\.c:'
fail=0
report() {
	echo "$1" >&2
	echo "$2" >&2
	fail=1
}

# 1. zfs/zpool spelt as a command word: "zfs", "zpool", or a path ending
#    in one ("/sbin/zfs").
bad=$(grep -rnE '"([^" ]*/)?(zfs|zpool)"' --include='*.c' --include='*.h' \
	lib cli include menu 2>/dev/null | grep -vE "$driver" || true)
[ -z "$bad" ] || report "zfs/zpool argv built outside lib/zfs*.c:" "$bad"

# 2. Channel-program source: Lua inside a C string literal (comments are
#    stripped first, so a comment may speak of zfs.sync.destroy).
bad=$(for f in $(find lib cli include menu -name '*.[ch]' | sort); do
	case "$f" in lib/zfs.c | lib/zfs_*.c) continue ;; esac
	perl -0777 -ne '
		s{/\*.*?\*/}{(my $c = $&) =~ tr/\n//cd; $c}gse; s{//[^\n]*}{}g;
		while (/"((?:[^"\\\n]|\\.)*)"/g) {
			my $s = $1;
			my $line = 1 + (() = substr($_, 0, pos($_)) =~ /\n/g);
			print "$ARGV:$line: \"$s\"\n"
				if $s =~ /zfs\.(sync|list|check|get_prop|exists)\b|\bfunction\s*[(\w]|\blocal\s+\w+\s*=|\(\.\.\.\)\[|\bipairs\(|\bthen\b.*\bend\b/;
		}' "$f"
done)
[ -z "$bad" ] || report "channel-program (Lua) source outside lib/zfs*.c:" "$bad"

# 3. zfs's JSON is read by the driver only (lib/zfs_json.c and
#    lib/zfs_program.c); nothing else in zeit parses JSON.
bad=$(grep -rnE '\bjson_tokener_(parse|new)' --include='*.c' --include='*.h' \
	lib cli include menu 2>/dev/null | grep -vE "$driver" || true)
[ -z "$bad" ] || report "json_tokener_parse outside lib/zfs*.c (zfs output is the driver's to read):" "$bad"

# 4. Child processes: the runner (lib/run.c) and the driver run them;
#    outside those, only these files run a command, none of them zfs:
#      lib/diff.c        diff -u of two files
#      lib/be_mount.c    the command given to zeit be chroot
#      lib/bisect_clones.c  the user's test command (zeit bisect run
#                        and zeit bisect isolate, one runner)
#      menu/screens.c    zeit itself (zeit diff), paged
#      cli/cmd_run.c     the command given to zeit run, between its snapshots
#      lib/hook.c        zeit.conf's hook commands (/bin/sh -c, values in
#                        the environment only)
#      lib/bisect_boot.c the boot bisection's check (/bin/sh -c, the
#                        snapshot in the environment only)
#      cli/cmd_bisect_boot.c  systemctl reboot, between its candidates
#    A new caller is added here with what it runs; it still cannot spell
#    zfs (check 1) or reach the driver's runner (zfs_priv.h, check 5).
allowed='^(lib/run\.c|lib/zfs(_[a-z_]+)?\.c|lib/diff\.c|lib/be_mount\.c|lib/bisect_clones\.c|menu/screens\.c|cli/cmd_run\.c|lib/hook\.c|lib/bisect_boot\.c|cli/cmd_bisect_boot\.c):'
bad=$(grep -rnE '(^|[^_a-zA-Z>.])(run|run_pipeline|run_pipeline_gated|run_cmd_init)\s*\(' \
	--include='*.c' lib cli menu 2>/dev/null | grep -vE "$allowed" |
	grep -vE '^[^:]+:[0-9]+:\s*(/?\*|//)' || true)
[ -z "$bad" ] || report "run()/run_* outside the runner, the driver and the listed callers:" "$bad"

# 5. The driver's private header (its runner and argv helpers) is the
#    driver's own.
bad=$(grep -rnE '#include\s+"(\.\./)*(lib/)?zfs_priv\.h"' --include='*.c' --include='*.h' \
	lib cli include menu tests fuzz bench 2>/dev/null | grep -vE "$driver|^lib/zfs_priv\.h:" || true)
[ -z "$bad" ] || report "zfs_priv.h included outside lib/zfs*.c:" "$bad"

# The driver itself must still be where the argv, the Lua and the JSON
# reader are (so this check cannot pass by the patterns going stale).
grep -qE 'strv_push\(&a, "zfs"\)' lib/zfs.c
grep -qE 'strv_push\(&a, "zpool"\)' lib/zfs.c
grep -q 'zfs.sync.destroy' lib/zfs_program.c
grep -q 'json_tokener_parse' lib/zfs_program.c

# 6. And nothing runs a shell string.
bad=$(grep -rnE '\b(system|popen)\s*\(' --include='*.c' lib cli menu 2>/dev/null || true)
[ -z "$bad" ] || report "system()/popen() used:" "$bad"

[ "$fail" -eq 0 ] || exit 1
echo "driver boundary: ok"
