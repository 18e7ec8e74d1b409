#!/bin/bash
# The whole test suite, as CI runs it: installs what is missing, builds a
# normal and an ASan+UBSan tree, runs every unit and end-to-end test in
# both, smoke-runs the fuzz targets in a third (clang) tree, and ends
# with one line "N passed, N failed[, N skipped]".
# Run as root (end-to-end tests use network namespaces and NFLOG).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/tests/deps.sh" || exit 1

build_tree() {  # DIR [meson options]
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >/dev/null || return 1
	fi
	ninja -C "$dir" >/dev/null || { ninja -C "$dir"; return 1; }
}
build_tree build || { echo "0 passed, 1 failed"; exit 1; }
build_tree build-asan -Dsanitizers=true || { echo "0 passed, 1 failed"; exit 1; }
# libFuzzer targets, built with clang: a short smoke run of each (suite fuzz).
CC=clang build_tree build-fuzz -Dfuzz=true || { echo "0 passed, 1 failed"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
rc=0
for dir in build build-asan; do
	echo "== meson test -C $dir"
	meson test -C "$dir" --print-errorlogs --num-processes 2 || rc=1
done
echo "== meson test -C build-fuzz --suite fuzz"
meson test -C build-fuzz --suite fuzz --print-errorlogs --num-processes 2 || rc=1

# One summary line from meson's own per-test results of all three trees.
python3 - build/meson-logs/testlog.json build-asan/meson-logs/testlog.json \
	build-fuzz/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        continue
    for line in lines:
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $rc
