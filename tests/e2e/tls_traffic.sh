#!/bin/bash
# TLS syslog under steady traffic, into a real rsyslogd (gtls driver,
# mutual TLS, TLS 1.2 so that the client's certificate shows in the
# capture):
#  1. rsyslogd stopped and started again: what the queue could not hold is
#     dropped and counted, the rest arrives: delivered + dropped = sent,
#     exactly, and the DROPPED messages tell the same number;
#  2. the client certificate and key renewed in place and SIGHUP: the
#     output is reopened with the new ones (the capture shows the new
#     certificate, the config text did not change) and nothing is lost;
#  3. a reload whose key cannot be read is rejected with FILE:LINE, and
#     the running output goes on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_rsyslog.sh"
. "$(dirname "$0")/lib_tls.sh"
rsyslog_enter "$@"
e2e_init tlstraffic
rsyslog_trap
command -v openssl >/dev/null || e2e_skip "needs openssl"
command -v tcpdump >/dev/null || e2e_skip "needs tcpdump"
ls /usr/lib/*/rsyslog/lmnsd_gtls.so >/dev/null 2>&1 || e2e_skip "needs rsyslog-gnutls"

TLS_DIR=$T/tls
PORT=6516
tls_make_certs "$TLS_DIR" || { not_ok "openssl makes the test certificates"; e2e_finish; }
RS_EXTRA_CONF=$(rs_tls_input mtls $PORT server x509/certvalid gtls \
	'gnutlsPriorityString="NORMAL:-VERS-ALL:+VERS-TLS1.2"')
rsyslog_start && rs_wait_port $PORT || { not_ok "rsyslogd starts with its TLS input"; e2e_finish; }
tls_capture "tcp port $PORT"

nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7601 log group 61 prefix "p1-$TAG "
		udp dport 7602 log group 61 prefix "p2-$TAG "
		udp dport 7603 log group 61 prefix "p3-$TAG "
	}
}
EOF
TLSCONF="tls = { ca = \"$TLS_DIR/ca.pem\"; cert = \"$TLS_DIR/client.pem\"; key = \"$TLS_DIR/client.key\"; };"
cat >"$T/nflogd.conf" <<EOF
outputs = (
	{ name = "small"; type = "syslog"; target = "tls://127.0.0.1:$PORT"; queue_size = 40;
	  ident = "q-$TAG"; structured_data = false;
	  $TLSCONF },
	{ name = "big"; type = "syslog"; target = "tls://localhost:$PORT"; ident = "b-$TAG";
	  $TLSCONF },
	$(conf_file_output f "$T/g61.json" json)
);
groups = ( { group = 61; outputs = ("small", "big", "f"); qthresh = 1; flags = ("seq"); } );
EOF
KEYLINE=$(grep -n "key = " "$T/nflogd.conf" | head -1 | cut -d: -f1)
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
PID=$(daemon_pid)

stat_line() { grep "output $1: written" "$T/nflogd.log" | tail -1; }
field() { sed -n "s/.*$1 \([0-9]*\),.*/\1/p"; }
# until output $1 has nothing queued (SIGUSR2 logs the counters), at most 10 s
wait_drained() {
	for _ in $(seq 100); do
		kill -USR2 "$PID"; sleep 0.1
		[ "$(stat_line "$1" | field queued)" = 0 ] && return 0
	done
	return 1
}

# --- 1. the server restarted under traffic
N=400
send_paced 7601 $N &
TRAFFIC=$!
wait_lines "$T/g61.json" 60 5 || not_ok "traffic flows"
# first the network to the server (what nflogd writes now stays
# unacknowledged), then the server, which thus exits having read
# everything its TCP acknowledged
rs_stop_read_all $PORT
for _ in $(seq 30); do
	kill -USR2 "$PID"; sleep 0.1
	stat_line small | grep -q "queued 40," && break
done
down=$(stat_line small)
sleep 0.3
rsyslog_start && rs_wait_port $PORT || not_ok "rsyslogd starts again"
wait $TRAFFIC
check "file output: all $N records" wait_lines "$T/g61.json" $N 10
check "while the server was away: queued 40 (the bound)" grep -q "queued 40," <<<"$down"
check "small: drained after the restart" wait_drained small
sq="m['app'] == 'q-$TAG' and m['msgid'] == 'NFLOG'"
got=$(rs_select "$sq")
dropped=$(stat_line small | field dropped)
echo "# rsyslog got $got of $N over TLS, nflogd dropped $dropped: $(stat_line small)"
check "some records were dropped (the queue was full)" test "${dropped:-0}" -gt 0
check "the backlog arrived after the restart: more than the queue bound" test "$got" -gt 40
check_eq "counted exactly: delivered + dropped = sent" "$((got + dropped))" $N
check_eq "the DROPPED messages tell the same number" "$(rs_reported_drops "q-$TAG")" "$dropped"
check "big: drained" wait_drained big
check_eq "big (queue large enough): all $N delivered" \
	"$(rs_select "m['app'] == 'b-$TAG' and 'p1-$TAG ' in m['msg']")" $N

# --- 2. the client certificate renewed in place, SIGHUP under traffic
check "the capture shows the first client certificate" grep -qa "nflogd-client" "$T/lo.pcap"
N2=400
send_paced 7602 $N2 &
TRAFFIC=$!
wait_lines "$T/g61.json" $((N + 100)) 5 || not_ok "traffic flows"
tls_client_cert "$TLS_DIR" "renewed-$$" || not_ok "openssl renews the client certificate"
kill -HUP "$PID"
wait $TRAFFIC
check "reload applied: both TLS outputs opened afresh" \
	grep -q "reload of .* applied: .*outputs 1 kept, 2 opened, 2 closed" "$T/nflogd.log"
check "small and big drained" bash -c "$(declare -f wait_drained stat_line field); PID=$PID T=$T; wait_drained small && wait_drained big"
for o in q b; do
	check_eq "$o: every record sent across the reload arrived, each once" "$(python3 -c '
import json, sys
seen = [json.loads(l)["msg"] for l in open(sys.argv[1]) if json.loads(l)["app"] == sys.argv[2] and sys.argv[3] in json.loads(l)["msg"]]
print(len(seen), len(set(seen)))' "$RS_DIR/msgs.json" "$o-$TAG" "p2-$TAG ")" "$N2 $N2"
done
check "the capture shows the renewed client certificate (CN renewed-$$)" grep -qa "renewed-$$" "$T/lo.pcap"

# --- 3. a reload whose key cannot be read: rejected, the output goes on
mv "$TLS_DIR/client.key" "$TLS_DIR/client.key.away"
check_eq "--check-config names the key's line" \
	"$("$NFLOGD" --check-config -c "$T/nflogd.conf" 2>&1 | grep -c "^$T/nflogd.conf:$KEYLINE: tls key .*cannot read .*client.key: No such file")" 1
kill -HUP "$PID"
for _ in $(seq 40); do grep -q "reload rejected" "$T/nflogd.log" && break; sleep 0.05; done
check "reload rejected with FILE:LINE" grep -q "error: $T/nflogd.conf:$KEYLINE: tls key" "$T/nflogd.log"
send_udp 127.0.0.1 7603 3
check "the running TLS output still delivers" rs_wait 3 "m['app'] == 'b-$TAG' and 'p3-$TAG ' in m['msg']"
mv "$TLS_DIR/client.key.away" "$TLS_DIR/client.key"

daemon_stop; rc=$?
check_eq "SIGTERM: exit 0" "$rc" 0
tls_capture_stop
check_eq "no record in clear on the wire" "$(grep -ca "p[123]-$TAG" "$T/lo.pcap")" 0
check "no sanitizer report in the daemon log" bash -c "! grep -q 'Sanitizer\|runtime error' \"\$1\"" _ "$T/nflogd.log"
e2e_finish
