#!/bin/bash
# fuzz_smoke.sh TARGET CORPUS_DIR: a short libFuzzer run as a test.
# New inputs go to a temp dir (the seed corpus in the source tree is only
# read); a crash leaves its input in $FUZZ_ARTIFACTS (default:
# fuzz-artifacts/ in the current dir, meson's build dir) and fails the test.
# The log leaves out libFuzzer's progress lines and LeakSanitizer's notes
# on the suppressed libconfig leaks (see fuzz_config.c).
set -u
target=$1 corpus=$2
seconds=${FUZZ_SECONDS:-25}
artifacts=${FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}
mkdir -p "$artifacts" || exit 1
work=$(mktemp -d /tmp/nflogd-fuzz-smoke.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
dict=()
[ -f "${corpus%/*}/$(basename "$target").dict" ] && dict=(-dict="${corpus%/*}/$(basename "$target").dict")
# libFuzzer's own exit code for a crash is 77, which meson reads as SKIP:
# a finding must fail the test.
TMPDIR=$work "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-print_final_stats=1 "${dict[@]}" \
	-artifact_prefix="$artifacts/$(basename "$target")-" "$work" "$corpus" 2>&1 |
	grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)|^Suppressions used:|^ +count +bytes template|^ +[0-9]+ +[0-9]+ (libconfig\.so|strbuf_append)$|^-+$|^$'
rc=${PIPESTATUS[0]}
echo "# $(basename "$target"): exit $rc after ${seconds}s"
exit "$rc"
