#!/usr/bin/env bash
# No function in lib/ or cli/ is longer than 80 lines: a long one becomes
# step functions. A function's length is counted from the first line of
# its definition to its closing brace (clang-format puts a definition's
# braces in column 0). Prints the five longest either way.
# Usage: check-function-length.sh [--report] [TREE]
#   --report: print, but do not fail.
set -euo pipefail
report_only=false
if [ "${1:-}" = "--report" ]; then report_only=true; shift; fi
cd "${1:-$(dirname "$0")/..}"
limit=80
lengths=$(for f in $(find lib cli -name '*.c' | sort); do
	awk -v file="$f" '
		# A definition starts at a column-0 line that is not a
		# preprocessor line, comment, brace or declaration ending in ;
		/^[A-Za-z_]/ && !/;[[:space:]]*$/ && !/^(struct|enum|union|typedef)[^(]*$/ {
			if (!inbody) { start = NR; sig = $0 }
		}
		/^\{/ && start && !inbody { inbody = 1 }
		/^\}/ && inbody {
			name = sig
			sub(/\(.*/, "", name)
			n = split(name, w, /[ *]+/)
			printf "%d %s:%d %s\n", NR - start + 1, file, start, w[n]
			inbody = 0; start = 0
		}
		/^$/ && !inbody { start = 0 }
	' "$f"
done | sort -rn)
over=$(awk -v l=$limit '$1 > l' <<<"$lengths" | wc -l)
echo "function length: the five longest (limit $limit lines):"
head -n 5 <<<"$lengths" | awk '{printf "  %4d  %s  %s\n", $1, $3, $2}'
if [ "$over" -gt 0 ]; then
	echo "function length: $over over $limit lines"
	$report_only || exit 1
else
	echo "function length: ok"
fi
