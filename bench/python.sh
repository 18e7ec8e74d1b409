#!/bin/bash
# bench/python.sh - the nflogr Python module (this tree's, over libnflogr)
# side by side with the upstream nflogr 0.2.3 on the same load, and
# libnflogr's C API next to bench/countreader. See bench/README.md,
# "The nflogr module and the C API".
#
#   sudo bench/python.sh -B BUILD [-n COUNT] [-c C_COUNT] [-t TRIALS] [-u UPSTREAM] [-o FILE]
#     -B  a build tree of this repository (ninja -C BUILD done)
#     -n  datagrams per Python trial (default 200000)
#     -c  datagrams per C trial (default 1000000), -t C trials per reader (default 3)
#     -u  a python-nflogr source tree (default: cloned from GitHub at a423f4f);
#         it is copied, made to build on Python >= 3.10 and built in a temp dir
#     -o  also write the tables to FILE
#
# Needs root (a network namespace, NFLOG) and, for the upstream module,
# g++ python3-dev python3-setuptools libnetfilter-log-dev libnfnetlink-dev.
# Everything lives in a namespace and a temp dir of its own, removed by a
# trap. Progress on stderr, the tables on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BUILD= COUNT=200000 C_COUNT=1000000 TRIALS=3 UPSTREAM= OUT=
while getopts "B:n:c:t:u:o:" opt; do
	case $opt in
	B) BUILD=$(cd "$OPTARG" && pwd) ;;
	n) COUNT=$OPTARG ;;
	c) C_COUNT=$OPTARG ;;
	t) TRIALS=$OPTARG ;;
	u) UPSTREAM=$(cd "$OPTARG" && pwd) ;;
	o) OUT=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
[ -n "$BUILD" ] || { echo "python.sh: -B BUILD is required" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "python.sh: needs root" >&2; exit 1; }
for f in python/nflogr.cpython-*.so examples/nflogr_count bench/loadgen bench/countreader; do
	compgen -G "$BUILD/$f" >/dev/null || { echo "python.sh: $BUILD/$f missing: ninja -C $BUILD" >&2; exit 1; }
done

T=$(mktemp -d /tmp/nflogr-bench.XXXXXX)
NS=nflogr-bench-$$
cleanup() { ip netns del "$NS" 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT

# ---- the upstream module: nflogr 0.2.3, built on this Python
say() { echo "$*" >&2; }
say "python.sh: building the upstream module in $T/upstream"
"$here/python_upstream.sh" ${UPSTREAM:+-s "$UPSTREAM"} "$T/upstream"

# ---- the namespace: the load is logged in input (nflogr 0.2.3 crashes on
# output records, which carry no kernel timestamp) and dropped there
ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" nft -f - <<EOF2
table inet bench {
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 9999 log group 42 prefix "load "
		udp dport 9998 log group 42 prefix "end"
		udp dport { 9998, 9999 } drop
	}
}
EOF2
ip netns exec "$NS" python3 "$here/python_bench.py" "$BUILD" "$T/upstream" "$COUNT" \
	"$C_COUNT" "$TRIALS" | tee "$T/tables"
[ -z "$OUT" ] || cp "$T/tables" "$OUT"
