#!/bin/bash
# Peers that accept a connection and never read (stall_peer.py), under
# steady traffic: a TCP one, a TLS one that completes the handshake first,
# and a TLS output pointed at a peer that never answers the hello. Nothing
# blocks: the file output of the same group and another group's file
# output get every record, SIGUSR2 is answered at once while the peers are
# stuck; each stuck output's queue fills and what does not fit is dropped
# and counted (written + dropped + queued = every record handed to it);
# after stall_timeout without an acknowledgement it is given up and
# connected to again (issue 13 #10), and the hello that gets no answer
# ends at the connect timeout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tls.sh"
e2e_init stall
command -v openssl >/dev/null || e2e_skip "needs openssl"
PEERS=()
on_exit 'for p in "${PEERS[@]}"; do kill $p; done'
TLS_DIR=$T/tls
tls_make_certs "$TLS_DIR" || { not_ok "openssl makes the test certificates"; e2e_finish; }
peer() { # PORT [CERT KEY]: a stall peer, its log $T/peer-PORT.log
	ip netns exec "$NS" python3 "$NFLOGD_SRC/tests/e2e/stall_peer.py" "$@" >"$T/peer-$1.log" 2>&1 &
	PEERS+=($!)
	for _ in $(seq 50); do grep -q ready "$T/peer-$1.log" && return 0; sleep 0.05; done
	return 1
}
peer 7811 || not_ok "tcp stall peer ready"
peer 7812 "$TLS_DIR/server.pem" "$TLS_DIR/server.key" || not_ok "tls stall peer ready"

nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7801 log group 81 prefix "s-$TAG "
		udp dport 7802 log group 82 prefix "o-$TAG "
	}
}
EOF
STALL=2
cat >"$T/nflogd.conf" <<EOF
outputs = (
	{ name = "tcp"; type = "syslog"; target = "tcp://127.0.0.1:7811"; queue_size = 100;
	  stall_timeout = $STALL; },
	{ name = "tls"; type = "syslog"; target = "tls://127.0.0.1:7812"; queue_size = 100;
	  stall_timeout = $STALL; tls = { ca = "$TLS_DIR/ca.pem"; }; },
	{ name = "hello"; type = "syslog"; target = "tls://127.0.0.1:7811"; queue_size = 100;
	  tls = { ca = "$TLS_DIR/ca.pem"; }; },
	$(conf_file_output f81 "$T/g81.log" text),
	$(conf_file_output f82 "$T/g82.log" text)
);
groups = (
	{ group = 81; outputs = ("tcp", "tls", "hello", "f81"); qthresh = 1; },
	{ group = 82; outputs = ("f82"); qthresh = 1; }
);
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
PID=$(daemon_pid)

N=1200
nsx python3 -c '
import socket, sys, time
n = int(sys.argv[1]); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0 = time.monotonic()
for i in range(n):
    s.sendto(b"x" * 200, ("127.0.0.1", 7801))
    s.sendto(b"y", ("127.0.0.1", 7802))
    time.sleep(max(0, t0 + (i + 1) / 200.0 - time.monotonic()))' $N &
TRAFFIC=$!
wait_lines "$T/g81.log" 400 10 || not_ok "traffic flows"

# SIGUSR2 while every peer is stuck: answered within half a second
before=$(grep -c "output tcp: written" "$T/nflogd.log")
t0=$(date +%s%N)
kill -USR2 "$PID"
for _ in $(seq 100); do
	[ "$(grep -c "output tcp: written" "$T/nflogd.log")" -gt "$before" ] && break
	sleep 0.01
done
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# SIGUSR2 answered in $ms ms"
check "SIGUSR2 answered while the peers are stuck (in $ms ms)" test "$ms" -lt 500
wait $TRAFFIC
check "group 81's file output: all $N records" wait_lines "$T/g81.log" $N 10
check "group 82 (file only): all $N records" wait_lines "$T/g82.log" $N 10

sleep 0.5
kill -USR2 "$PID"
sleep 0.3
for o in tcp tls hello; do
	line=$(grep "output $o: written" "$T/nflogd.log" | tail -1)
	echo "# $line"
	w=$(sed -n 's/.*written \([0-9]*\),.*/\1/p' <<<"$line")
	q=$(sed -n 's/.*queued \([0-9]*\),.*/\1/p' <<<"$line")
	d=$(sed -n 's/.*dropped \([0-9]*\),.*/\1/p' <<<"$line")
	check "$o: records dropped and counted (queue of 100 full)" test "${d:-0}" -gt 0
	check "$o: queued at most the bound" test "${q:-999}" -le 100
	# every record handed over, and the START message
	check_eq "$o: written + dropped + queued = every record" "$((w + d + q))" $((N + 1))
done
for o in tcp tls; do
	check "$o: given up after ${STALL} s without an acknowledgement" grep -q \
		"warning: output $o: stalled: the peer acknowledged nothing for $STALL s while records waited for it (it accepts but does not read): connecting again" \
		"$T/nflogd.log"
done
check "tcp: connected again (the peer saw more than one connection)" grep -q "^accept 2$" "$T/peer-7811.log"
check "tls: connected again, after a complete handshake" \
	bash -c "grep -q '^accept 2$' '$T/peer-7812.log' && ! grep -q 'handshake failed' '$T/peer-7812.log'"
check "hello: the handshake nobody answers ends at the connect timeout, in words" grep -q \
	"warning: output hello: connect: the server did not complete the TLS handshake in time" "$T/nflogd.log"

daemon_stop; rc=$?
check_eq "SIGTERM: exit 0 (close gives up on the stuck peers within its bound)" "$rc" 0
check "no sanitizer report in the daemon log" bash -c "! grep -q 'Sanitizer\|runtime error' \"\$1\"" _ "$T/nflogd.log"
e2e_finish
