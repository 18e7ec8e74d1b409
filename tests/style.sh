#!/bin/bash
# Every C file of the tree is formatted as .clang-format says: a file that
# differs fails the suite (fix it with: clang-format -i FILE).
set -uo pipefail
cd "${NFLOGD_SRC:-$(dirname "$0")/..}" || exit 1
if ! command -v clang-format >/dev/null; then
	echo "clang-format not installed (tests/deps.sh installs it)" >&2
	exit 1
fi
if git rev-parse --git-dir >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files '*.c' '*.h')
else
	mapfile -t files < <(find . -name '*.[ch]' -not -path './build*')
fi
bad=0
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (clang-format -i $f)"
		bad=$((bad + 1))
	fi
done
echo "${#files[@]} files checked, $bad not formatted"
[ "$bad" = 0 ]
