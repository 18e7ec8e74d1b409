#!/bin/bash
# SIGTERM in the middle of heavy traffic: nflogd stops within a bounded
# time, exits 0, and every record the kernel delivered is in the files:
# for each group, the "received" counter it logs at exit equals its lines
# and its output's "written", and the sequence numbers have no gap.
. "$(dirname "$0")/lib.sh"
: "${LOADGEN:?LOADGEN must point at bench/loadgen (meson test sets it)}"
e2e_init shuttraffic

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7601 log group 61 prefix "fast-$TAG "
		udp dport 7602 log group 62 prefix "slow-$TAG "
	}
}
EOF2
# group 61: the kernel holds up to 64 records or 0.5 s; group 62: each at once
cat >"$T/nflogd.conf" <<EOF2
outputs = (
	$(conf_file_output fast "$T/fast.json" json "rotate = { size = \"1M\"; keep = 100; };"),
	$(conf_file_output slow "$T/slow.json" json)
);
groups = (
	{ group = 61; outputs = ("fast"); qthresh = 64; timeout = 0.5; rcvbuf = "64M"; },
	{ group = 62; outputs = ("slow"); qthresh = 1; timeout = 0; rcvbuf = "16M"; }
);
EOF2

for round in 1 2; do
	rm -f "$T"/fast.json* "$T/slow.json"
	daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
	pid=$(daemon_pid)
	# not through nsx: $! must be loadgen itself, to stop it afterwards
	ip netns exec "$NS" "$LOADGEN" -c 1000000 -r 20000 -p 7601 -b 16 >/dev/null 2>&1 &
	gen1=$!
	ip netns exec "$NS" "$LOADGEN" -c 1000000 -r 3000 -p 7602 -b 1 >/dev/null 2>&1 &
	gen2=$!
	sleep $((round + 1))
	t0=$(date +%s%N)
	kill -TERM "$pid"
	wait "$pid"; rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	unset "DAEMON_PIDS[nflogd]"
	kill "$gen1" "$gen2" 2>/dev/null; wait "$gen1" "$gen2" 2>/dev/null
	echo "# round $round: stopped in $ms ms"
	check_eq "round $round: exit 0" "$rc" 0
	check "round $round: stopped within 5 s (took $ms ms)" test "$ms" -lt 5000
	for g in 61:fast 62:slow; do
		n=${g%%:*} out=${g#*:}
		received=$(sed -n "s/.*group $n: received \([0-9]*\), lost 0,.*/\1/p" "$T/nflogd.log")
		written=$(sed -n "s/.*output $out: written \([0-9]*\), queued 0, dropped 0, errors 0/\1/p" "$T/nflogd.log")
		res=$(python3 "$NFLOGD_SRC/tests/e2e/seq_check.py" "$n" "$T/$out.json" "$T/$out.json".{1..100})
		get() { sed -n "s/.*\b$1=\([0-9-]*\).*/\1/p" <<<"$res"; }
		echo "# round $round group $n: received=$received written=$written $res"
		check "round $round group $n: thousands of records (got ${received:-none})" test "${received:-0}" -gt 1000
		check_eq "round $round group $n: received == written == lines" \
			"$received/$written/$(get lines)" "$received/$received/$received"
		check_eq "round $round group $n: seq 0..received-1, each once, no partial line" \
			"$(get min)/$(get max)/$(get dups)/$(get missing)/$(get bad)/$(get unterminated)" \
			"0/$((received - 1))/0/0/0/0"
	done
	mv "$T/nflogd.log" "$T/nflogd.$round.log"
done
e2e_finish
