#!/bin/bash
# The hardening of nflogd.service: `systemd-analyze security --offline=true`
# must report an overall exposure of at most 1.5, for the unit in the
# source tree and for the one the build installs (its paths differ); with
# the drop-in for network namespaces (systemd/nflogd-netns.conf), at most
# the 1.9 the drop-in states.
set -u
: "${NFLOGD_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
MAX=1.5
DROPIN_MAX=1.9
command -v systemd-analyze >/dev/null || { echo "1..0 # SKIP needs systemd-analyze"; exit 77; }
n=0 failed=0

# exposure WHAT MAX ARGS...: systemd-analyze security ARGS scores at most MAX
exposure() {
	local what=$1 max=$2 out score
	shift 2
	n=$((n + 1))
	out=$(cd / && systemd-analyze security --offline=true --no-pager "$@" 2>&1)
	score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' <<<"$out")
	if [ -n "$score" ] && awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
		echo "ok $n - $what: exposure $score <= $max"
	else
		failed=$((failed + 1))
		echo "not ok $n - $what: exposure '${score:-?}' > $max"
		grep '✗' <<<"$out" | sed 's/^/#   /'
		[ -n "$score" ] || sed 's/^/#   /' <<<"$out"
	fi
}

for unit in "$NFLOGD_SRC/systemd/nflogd.service" ${NFLOGD_BUILD:+"$NFLOGD_BUILD/nflogd.service"}; do
	exposure "$unit" "$MAX" "$unit"
done
# With the drop-in for groups in other network namespaces (CAP_SYS_ADMIN,
# setns into network namespaces), installed as an administrator would.
root=$(mktemp -d /tmp/nflogd-unit-security.XXXXXX)
mkdir -p "$root/etc/systemd/system/nflogd.service.d"
cp "$NFLOGD_SRC/systemd/nflogd.service" "$root/etc/systemd/system/"
cp "$NFLOGD_SRC/systemd/nflogd-netns.conf" "$root/etc/systemd/system/nflogd.service.d/netns.conf"
exposure "with nflogd-netns.conf" "$DROPIN_MAX" --root="$root" nflogd.service
rm -rf "$root"
n=$((n + 1))
if grep -q "and $DROPIN_MAX with it" "$NFLOGD_SRC/systemd/nflogd-netns.conf"; then
	echo "ok $n - nflogd-netns.conf states its exposure, $DROPIN_MAX"
else
	failed=$((failed + 1))
	echo "not ok $n - nflogd-netns.conf does not state its exposure, $DROPIN_MAX"
fi
echo "1..$n"
[ "$failed" = 0 ]
