#!/bin/bash
# The hardening of nflogd.service: `systemd-analyze security --offline=true`
# must report an overall exposure of at most 1.5, for the unit in the
# source tree and for the one the build installs (its paths differ); with
# the drop-in for network namespaces (systemd/nflogd-netns.conf), at most
# the 1.9 the drop-in states.
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
# With the drop-in for groups in other network namespaces (CAP_SYS_ADMIN,
# setns into network namespaces): the exposure its comment and the docs state.
DROPIN_MAX=1.9
root=$(mktemp -d /tmp/nflogd-unit-security.XXXXXX)
mkdir -p "$root/etc/systemd/system/nflogd.service.d"
cp "$NFLOGD_SRC/systemd/nflogd.service" "$root/etc/systemd/system/"
cp "$NFLOGD_SRC/systemd/nflogd-netns.conf" "$root/etc/systemd/system/nflogd.service.d/netns.conf"
n=$((n + 1))
out=$(cd / && systemd-analyze security --offline=true --root="$root" --no-pager nflogd.service 2>&1)
rm -rf "$root"
score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' <<<"$out")
if [ -n "$score" ] && awk -v s="$score" -v m="$DROPIN_MAX" 'BEGIN { exit !(s <= m) }'; then
	echo "ok $n - with nflogd-netns.conf: exposure $score <= $DROPIN_MAX"
else
	failed=$((failed + 1))
	echo "not ok $n - with nflogd-netns.conf: exposure '${score:-?}' > $DROPIN_MAX"
	grep '✗' <<<"$out" | sed 's/^/#   /'
fi
n=$((n + 1))
if grep -q "and $DROPIN_MAX with it" "$NFLOGD_SRC/systemd/nflogd-netns.conf"; then
	echo "ok $n - nflogd-netns.conf states its exposure, $DROPIN_MAX"
else
	failed=$((failed + 1))
	echo "not ok $n - nflogd-netns.conf does not state its exposure, $DROPIN_MAX"
fi
echo "1..$n"
[ "$failed" = 0 ]
