#!/bin/bash
# The syslog output over TLS (RFC 5425) against a real rsyslogd and its
# TLS drivers (gtls: GnuTLS, ossl: OpenSSL), certificates made here by
# openssl: records arrive and parse on both drivers and with mutual TLS
# (the fleet recipe of doc/outputs.md: client certificates of one CA, the
# names rsyslog permits, a file per sending host); a client whose
# certificate names a host rsyslog does not permit is refused;
# a wrong CA, a server certificate for another name, an expired one, a
# server that only speaks TLS 1.2 to min_version "1.3", a server that
# wants a client certificate and a plain TCP port are each refused with
# the right words (rate-limited: once however often it is retried), while
# nflogd starts and its other outputs work; the loopback, captured with
# tcpdump, never carries a record in clear.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_rsyslog.sh"
. "$(dirname "$0")/lib_tls.sh"
rsyslog_enter "$@"
e2e_init tls
rsyslog_trap
command -v openssl >/dev/null || e2e_skip "needs openssl"
command -v tcpdump >/dev/null || e2e_skip "needs tcpdump"
[ -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so ] || ls /usr/lib/*/rsyslog/lmnsd_gtls.so >/dev/null 2>&1 ||
	e2e_skip "needs rsyslog-gnutls"
ls /usr/lib/*/rsyslog/lmnsd_ossl.so >/dev/null 2>&1 || e2e_skip "needs rsyslog-openssl"

TLS_DIR=$T/tls
tls_make_certs "$TLS_DIR" && tls_client_cert "$TLS_DIR" "gw1.fw.test" &&
	tls_sign "$TLS_DIR" intruder "gw1.intruder.test" "" ||
	{ not_ok "openssl makes the test certificates"; e2e_finish; }
# the fleet: clients of the CA whose names match *.fw.test, a file per host
RS_EXTRA_CONF="$(rs_tls_input mtls 6516 server x509/name gtls 'permittedPeer=["*.fw.test"] ruleset="fleet"')
template(name=\"perhost\" type=\"string\" string=\"$T/rs/fleet/%hostname%/nflog.log\")
ruleset(name=\"fleet\") {
	action(type=\"omfile\" dynaFile=\"perhost\" dirCreateMode=\"0750\" fileCreateMode=\"0640\")
	call RSYSLOG_DefaultRuleset
}
$(rs_tls_input tls 6514 server anon gtls)
$(rs_tls_input ossl 6518 server anon ossl)
$(rs_tls_input expired 6515 expired anon gtls)
$(rs_tls_input wrongname 6519 wrongname anon gtls)
$(rs_tls_input tls12 6517 server anon ossl 'gnutlsPriorityString="Protocol=-ALL,TLSv1.2"')"
rsyslog_start || { not_ok "rsyslogd starts with its TLS inputs"; e2e_finish; }
for p in 6514 6515 6516 6517 6518 6519; do
	rs_wait_port $p || not_ok "rsyslogd listens on $p"
done

# every byte on the loopback to and from the TLS ports
tls_capture 'tcp portrange 6514-6519'

nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7501 log group 51 prefix "t-$TAG "
	}
}
EOF
tls() { printf 'target = "tls://%s"; ident = "%s-%s"; tls = { %s };' "$1" "$2" "$TAG" "$3"; }
CA="ca = \"$TLS_DIR/ca.pem\";"
cat >"$T/nflogd.conf" <<EOF
daemon: { status_interval = 1; };
outputs = (
	{ name = "ok"; type = "syslog"; $(tls 127.0.0.1:6514 ok "$CA name = \"syslog.test\";") },
	{ name = "ossl"; type = "syslog"; $(tls localhost:6518 ossl "$CA") },
	{ name = "mtls"; type = "syslog";
	  $(tls 127.0.0.1:6516 mtls "$CA cert = \"$TLS_DIR/client.pem\"; key = \"$TLS_DIR/client.key\";") },
	{ name = "nocert"; type = "syslog"; $(tls 127.0.0.1:6516 nocert "$CA") },
	{ name = "intruder"; type = "syslog";
	  $(tls 127.0.0.1:6516 intruder "$CA cert = \"$TLS_DIR/intruder.pem\"; key = \"$TLS_DIR/intruder.key\";") },
	{ name = "wrongca"; type = "syslog"; $(tls 127.0.0.1:6514 wrongca "ca = \"$TLS_DIR/otherca.pem\";") },
	{ name = "wrongname"; type = "syslog"; $(tls 127.0.0.1:6519 wrongname "$CA name = \"syslog.test\";") },
	{ name = "expired"; type = "syslog"; $(tls 127.0.0.1:6515 expired "$CA") },
	{ name = "proto"; type = "syslog"; $(tls 127.0.0.1:6517 proto "$CA min_version = \"1.3\";") },
	{ name = "plain"; type = "syslog"; $(tls 127.0.0.1:$RS_TCP_PORT plain "$CA") },
	$(conf_file_output f "$T/g51.log" text)
);
groups = (
	{ group = 51; qthresh = 1;
	  outputs = ("ok", "ossl", "mtls", "nocert", "intruder", "wrongca", "wrongname", "expired", "proto",
		     "plain", "f"); }
);
EOF
check "--check-config reads the certificates: OK" "$NFLOGD" --check-config -c "$T/nflogd.conf"
# STATUS= as systemd would get it
python3 -u - "$T/notify.sock" "$T/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(65536).decode("utf-8", "replace").replace("\n", " ") + "\n")
PY
DAEMON_PIDS[listener]=$!
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.05; done
NOTIFY_SOCKET=$T/notify.sock daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
ok "nflogd starts although six of its TLS peers refuse the handshake"
PID=$(daemon_pid)

N=5
send_udp 127.0.0.1 7501 $N
check "file output: $N records" wait_lines "$T/g51.log" $N
line=$(grep -m1 "t-$TAG " "$T/g51.log" | cut -d' ' -f2-)
pyrepr() { python3 -c 'import sys; print(repr(sys.argv[1]))' "$1"; }

for o in ok:tls ossl:ossl mtls:mtls; do
	out=${o%%:*} in=${o#*:}
	sel="m['in'] == '$in' and m['app'] == '$out-$TAG' and m['msgid'] == 'NFLOG'"
	check "$out: $N records over TLS at rsyslog's $in input" rs_wait $N "$sel"
	check_eq "$out: %msg% is the kernel LOG line" "$(rs_select "$sel" msg | sed -n 1p)" "$(pyrepr "$line")"
	check "$out: RFC 5424 structured data parsed" grep -q "^'\[nflog@32473 timestamp=\".* group=\"51\"" \
		<<<"$(rs_select "$sel" sd | sed -n 1p)"
	check_eq "$out: START message" "$(rs_select "m['in'] == '$in' and m['app'] == '$out-$TAG' and m['msgid'] == 'START'")" 1
done
check "fleet: the records of this host in the file for its name" wait_lines "$T/rs/fleet/$(hostname)/nflog.log" $((N + 1))
check_eq "fleet: that file holds only mtls records" \
	"$(grep -c " mtls-$TAG\[" "$T/rs/fleet/$(hostname)/nflog.log")" $((N + 1))
check "every TLS frame is one RFC 5424 message" python3 -c '
import sys, re
bad = [l for l in open(sys.argv[1], errors="replace") if l.split(" ")[0] in ("tls", "ossl", "mtls")
       and not re.match(r"\S+ <\d+>1 \S+ \S+ \S+ \d+ [A-Z]+ ", l)]
sys.exit(1 if bad else 0)' "$RS_DIR/raw.log"

# the refused ones: say why, a while of retries later still once (the
# plain TCP port answers nothing: the 5 s connect timeout ends that one)
wait_for_log() { for _ in $(seq $(($2 * 20))); do grep -q "$1" "$T/nflogd.log" && return 0; sleep 0.05; done; return 1; }
wait_for_log "warning: output plain:" 7 || true
sleep 1
kill -USR2 "$PID"
wait_for_log "output proto: written" 2 || true
refused() { # output, words[, errors at least]
	local n
	n=$(grep -c "warning: output $1: .*$2" "$T/nflogd.log")
	check_eq "$1: refused, the log says \"$2\", once (rate-limited)" "$n" 1
	check "$1: retried meanwhile (errors >= ${3:-2})" \
		test "$(sed -n "s/.*output $1: written .*errors \([0-9]*\).*/\1/p" "$T/nflogd.log" | tail -1)" -ge "${3:-2}"
	check_eq "$1: nothing of it reached rsyslog" "$(rs_select "m['app'] == '$1-$TAG'")" 0
}
refused wrongca "unknown CA: the server's certificate (CN=syslog.test, issued by CN=nflogd test ca $$)"
refused wrongname "name mismatch: the server's certificate (CN=other.test) is not valid for \"syslog.test\"; it names DNS:other.test"
refused expired "expired certificate: the server's certificate (CN=syslog.test) expired on 2021-01-01"
refused proto "protocol version: the server speaks no TLS version nflogd accepts (TLS 1.3 or later"
refused nocert "does it refuse nflogd as a client? (it may require a client certificate"
refused intruder "does it refuse nflogd as a client? (it was shown the certificate of tls.cert: does the server trust its CA and permit its name?)"
refused plain "did not complete the TLS handshake in time: does it speak TLS on this port?" 1
status=$(grep "STATUS=" "$T/notify.log" | tail -1)
check "STATUS= says why wrongca delivers nothing" grep -q "| wrongca: connect: unknown CA: " <<<"$status"
check "STATUS= says why expired delivers nothing" grep -q "| expired: connect: expired certificate: " <<<"$status"
check "STATUS= names no trouble for the good ones" bash -c "! grep -q '| \(ok\|ossl\|mtls\): ' <<<\"\$1\"" _ "$status"
check_eq "the good ones had no error" \
	"$(grep -c "warning: output \(ok\|ossl\|mtls\):" "$T/nflogd.log")" 0

daemon_stop; rc=$?
check_eq "SIGTERM: exit 0" "$rc" 0
check "STOP message over TLS" rs_wait 1 "m['in'] == 'tls' and m['app'] == 'ok-$TAG' and m['msgid'] == 'STOP'"
tls_capture_stop
check "the capture holds the handshakes (SNI syslog.test in clear)" grep -qa "syslog.test" "$T/lo.pcap"
check_eq "no record in clear on the wire (prefix t-$TAG)" "$(grep -ca "t-$TAG" "$T/lo.pcap")" 0
check_eq "no daemon event in clear on the wire" "$(grep -ca "nflogd started\|nflogd stopping" "$T/lo.pcap")" 0
check "no sanitizer report in the daemon log" bash -c "! grep -q 'Sanitizer\|runtime error' \"\$1\"" _ "$T/nflogd.log"
e2e_finish
