#!/usr/bin/env bash
# Runs inside the VM: every test_* function of tests/integration/t_*.sh,
# each in a subshell with a fresh pool "tank" (512 MiB sparse file), and
# prints one line a test and the summary "integration: N passed, M failed"
# (ZEIT_TEST_SUMMARY names it otherwise, so runs in one log stay apart).
# Usage: run.sh [BUILD_DIR] [PATTERN]   (env ZEIT_TEST_FILES: which files)
set -uo pipefail
cd "$(dirname "$0")/../.."
export BUILD=${1:-build}
pattern=${2:-}
passed=0
failed=0
failures=()

# ZEIT_TEST_FILES (names like t_driver_list.sh, globs allowed) limits the
# files, as the OpenZFS 2.1 run in tests/run-all does; t_send.sh:killed
# takes only that file's tests whose names hold "killed".
files=()
only=()
for f in ${ZEIT_TEST_FILES:-t_*.sh}; do
	sub=
	[[ "$f" != *:* ]] || sub=${f#*:} f=${f%%:*}
	for g in tests/integration/$f; do files+=("$g") only+=("$sub"); done
done
for fileno in "${!files[@]}"; do
	file=${files[$fileno]}
	[ -f "$file" ] || continue
	tests=$(bash -c ". tests/integration/lib.sh; . $file; compgen -A function test_" | sort)
	for t in $tests; do
		[ -z "$pattern" ] || [[ "$t" == *$pattern* ]] || continue
		[ -z "${only[$fileno]}" ] || [[ "$t" == *"${only[$fileno]}"* ]] || continue
		start=$(date +%s%N)
		log=$(
			set -e
			. tests/integration/lib.sh
			. "$file"
			trap zvm_destroy_pools EXIT
			zvm_file_pool tank 512M
			"$t"
		2>&1)
		rc=$?
		# A test that leaves pools behind still gets a clean slate next.
		( . tests/vm/guest-lib.sh; zvm_destroy_pools ) >/dev/null 2>&1
		ms=$(( ($(date +%s%N) - start) / 1000000 ))
		secs=$((ms / 1000)).$((ms % 1000 / 100))
		if [ $rc -eq 0 ]; then
			passed=$((passed + 1))
			printf 'PASS %-45s %5ss\n' "$t" "$secs"
		else
			failed=$((failed + 1))
			failures+=("$t")
			printf 'FAIL %-45s %5ss\n' "$t" "$secs"
			printf '%s\n' "$log" | tail -n 30 | sed 's/^/    /'
		fi
	done
done
[ ${#failures[@]} -eq 0 ] || echo "failed: ${failures[*]}"
echo "${ZEIT_TEST_SUMMARY:-integration}: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
