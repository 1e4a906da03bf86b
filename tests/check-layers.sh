#!/usr/bin/env bash
# zeit's layers, lowest first. A file may include only headers of its own
# layer or lower ones, so a layer never reaches up:
#   0 base          util, escape, the handle (zeit.h), the names and clock
#                   every layer speaks (snapname, ztime), vercmp, rootfile,
#                   lock, menu_keys, treecopy, secret, initrd_key
#   1 processes     run (and shquote), ssh_share, kexec
#   2 driver        zfs.h and lib/zfs*.c, zfs_mount, serve (zfs_serve.c),
#                   props (the org.zeit: property names)
#   3 model         policy, select, config, pkgdb, bootcmd, tmpmount,
#                   textdiff, ddmin
#   4 capabilities  snap, prune*, send*, be*, bisect*, destroy, diff, status,
#                   adopt*, filelog, restore, isolate*, pkgtxn*, menu (lib/menu.c,
#                   lib/menu_unlock.c)
#   5 front ends    cli/ (the zeit command) and menu/ (the boot menu)
# A file's layer is its header's (lib/send_plan.c is send's); a header
# named *_priv.h in lib/ is private to lib/. A new file is placed here.
# Usage: check-layers.sh [TREE]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

layer_of() { # a header or source file name, without directory
	local n=${1%.[ch]}
	n=${n%_priv}
	case "$n" in
	util | escape | zeit | snapname | ztime | ztime_zone | vercmp | rootfile | lock | menu_keys | treecopy | ratelimit | secret | initrd_key) echo 0 ;;
	run | shquote | ssh_share | kexec) echo 1 ;;
	zfs | zfs_* | serve | props) echo 2 ;;
	policy | select | config | config_* | hook | hook_* | pkgdb | bootcmd | tmpmount | textdiff | ddmin) echo 3 ;;
	snap | snap_* | prune | prune_* | send | send_* | run_outcome | be | be_* | bisect | bisect_* | destroy | diff | status | status_* | adopt | adopt_* | filelog | restore | isolate | isolate_* | pkgtxn | pkgtxn_* | menu | menu_unlock) echo 4 ;;
	*) echo "" ;;
	esac
}
names=(base processes driver model capabilities "front ends")

fail=0
for f in $(find include/zeit lib cli menu -name '*.[ch]' | sort); do
	case "$f" in
	cli/* | menu/*) mine=5 ;;
	*) mine=$(layer_of "$(basename "$f")") ;;
	esac
	if [ -z "$mine" ]; then
		echo "layers: $f has no layer (add it to tests/check-layers.sh)" >&2
		fail=1
		continue
	fi
	while IFS=: read -r line inc; do
		h=$(basename "$inc")
		case "$inc" in
		zeit/*) ;;
		*_priv.h)
			if [ "${f%%/*}" != lib ]; then
				echo "layers: $f:$line includes $inc, private to lib/" >&2
				fail=1
			fi
			;;
		*) [ "${f%%/*}" = lib ] || [ "${f%%/*}" = include ] || [ "$(dirname "$f")" = "$(dirname "$inc")" ] ||
			[ -f "$(dirname "$f")/$inc" ] || { echo "layers: $f:$line includes $inc from elsewhere" >&2; fail=1; }
			continue ;;
		esac
		theirs=$(layer_of "$h")
		if [ -z "$theirs" ]; then
			echo "layers: $f:$line includes $inc, which has no layer" >&2
			fail=1
		elif [ "$theirs" -gt "$mine" ]; then
			echo "layers: $f:$line (${names[$mine]}) includes $inc (${names[$theirs]}): a layer reaches up" >&2
			fail=1
		fi
	done < <(grep -nE '^#include "' "$f" | sed -E 's/^([0-9]+):#include "([^"]+)".*/\1:\2/')
done
# Private headers are lib's alone, and public ones are API: nothing in
# include/zeit is included by lib only (such a header belongs in lib/*_priv.h).
for h in include/zeit/*.h; do
	b=$(basename "$h")
	if ! grep -rqE "#include \"zeit/$b\"" cli menu tests fuzz bench include 2>/dev/null; then
		echo "layers: $h is used by lib/ only: make it lib/${b%.h}_priv.h" >&2
		fail=1
	fi
done
[ "$fail" -eq 0 ] || exit 1
echo "layers: ok"
