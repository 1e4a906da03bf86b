#!/usr/bin/env bash
# Every C file is as clang-format (with .clang-format) would write it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
	echo "clang-format is not installed" >&2
	exit 1
fi
# shellcheck disable=SC2046
clang-format --dry-run --Werror $(git ls-files '*.c' '*.h')
echo "format: ok"
