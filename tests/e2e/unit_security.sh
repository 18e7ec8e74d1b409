#!/bin/bash
# The hardening of nflogd.service: `systemd-analyze security --offline=true`
# must report an overall exposure of at most 1.5, for the unit in the
# source tree and for the one the build installs (its paths differ).
set -u
: "${NFLOGD_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
MAX=1.5
command -v systemd-analyze >/dev/null || { echo "1..0 # SKIP needs systemd-analyze"; exit 77; }
n=0 failed=0
for unit in "$NFLOGD_SRC/systemd/nflogd.service" ${NFLOGD_BUILD:+"$NFLOGD_BUILD/nflogd.service"}; do
	n=$((n + 1))
	out=$(cd / && systemd-analyze security --offline=true --no-pager "$unit" 2>&1)
	score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' <<<"$out")
	if [ -n "$score" ] && awk -v s="$score" -v m="$MAX" 'BEGIN { exit !(s <= m) }'; then
		echo "ok $n - $unit: exposure $score <= $MAX"
	else
		failed=$((failed + 1))
		echo "not ok $n - $unit: exposure '${score:-?}' > $MAX"
		grep '✗' <<<"$out" | sed 's/^/#   /'
		[ -n "$score" ] || sed 's/^/#   /' <<<"$out"
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
