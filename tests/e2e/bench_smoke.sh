#!/bin/bash
# The benchmark's programs run (bench/: loadgen, countreader): 100 datagrams
# sent with sendmmsg on the namespace's loopback, all 100 counted by the
# counting reader, none lost. No timing is checked.
. "$(dirname "$0")/lib.sh"
e2e_init bsmoke
: "${LOADGEN:?LOADGEN must point at bench/loadgen}"
: "${COUNTREADER:?COUNTREADER must point at bench/countreader}"

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7601 counter log group 61 prefix "bs-$TAG "
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 7601 drop
	}
}
EOF2

nsx timeout 10 "$COUNTREADER" -g 61 -q 8 -t 1 -c 100 -i 5 >"$T/count.out" 2>"$T/count.err" &
pid=$!
for _ in $(seq 50); do grep -q READY "$T/count.err" && break; sleep 0.1; done
check "countreader binds the group" grep -q READY "$T/count.err"
nsx "$LOADGEN" -c 100 -p 7601 >"$T/loadgen.out" 2>&1
check_eq "loadgen sends 100" "$(cat "$T/loadgen.out" | sed -n 's/^sent=\([0-9]*\) .*/\1/p')" 100
nsx "$LOADGEN" -c 10 -r 1000 -p 7602 >"$T/rate.out" 2>&1
check "loadgen paces a fixed rate (10 at 1000/s)" grep -q "^sent=10 " "$T/rate.out"
wait $pid
check_eq "countreader exits 0" "$?" 0
sed 's/^/#   /' "$T/count.out" "$T/count.err" "$T/loadgen.out"
check_eq "countreader sees all 100, none lost" "$(cat "$T/count.out")" \
	"$(printf 'received=100 lost=0 enobufs=0 rcvbuf=%s' "$(sed -n 's/.*rcvbuf=//p' "$T/count.err")")"
e2e_finish
