#!/bin/bash
# The syslog output against a real rsyslogd (in the test's own network
# namespace, /dev/log in a private /dev): RFC 3164 on /dev/log, RFC 5424
# over UDP (IPv4, IPv6) and TCP (octet counting), as rsyslog parses them
# (%app-name%, %msgid%, %structured-data%, %msg%); a prefix with a newline,
# quotes and control bytes does not break framing; rsyslog stopped under
# steady traffic: the file output loses nothing, the queued backlog
# arrives after the reconnect and the rest is counted exactly. A custom
# sd_id reaches rsyslog and its fields parse with mmpstrucdata as
# doc/outputs.md shows ($!rfc5424-sd!ID!src).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_rsyslog.sh"
rsyslog_enter "$@"
e2e_init syslog
rsyslog_trap
# The recipe of doc/outputs.md: mmpstrucdata, SD-ID kept as configured.
SDID="fwTest@99999.1"
RS_EXTRA_CONF="module(load=\"mmpstrucdata\")
action(type=\"mmpstrucdata\" sd_name.lowercase=\"off\")
template(name=\"sdid\" type=\"string\" string=\"%\$!rfc5424-sd!$SDID!src% %\$!rfc5424-sd!$SDID!dpt% %\$!rfc5424-sd!$SDID!group% [%\$!rfc5424-sd!$SDID!prefix%]\\n\")
if \$app-name == \"sdid-$TAG\" and \$msgid == \"NFLOG\" then action(type=\"omfile\" file=\"$T/rs/sdid.log\" template=\"sdid\")"
rsyslog_start || { not_ok "rsyslogd starts"; e2e_finish; }

nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7301 log group 31 prefix "s-$TAG "
		udp dport 7401 log group 34 prefix "q-$TAG "
	}
}
EOF
# A hostile prefix: nft's own syntax has no escapes and iptables refuses a
# newline, but nft's JSON input passes any byte to the kernel.
BAD=$'bad\n<13>1 x "]\\\x01\x7f-'"$$"
python3 -c '
import json, sys
rule = {"family": "inet", "table": "t", "chain": "out", "expr": [
    {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 7302}},
    {"log": {"prefix": sys.argv[1], "group": 31}}]}
print(json.dumps({"nftables": [{"add": {"rule": rule}}]}))' "$BAD" | nsx nft -j -f - ||
	not_ok "nft -j: a log rule with a hostile prefix"

cat >"$T/nflogd.conf" <<EOF
outputs = (
	{ name = "loc"; type = "syslog"; facility = "local5"; },
	{ name = "loc5424"; type = "syslog"; socket = "$RS_SOCK"; format = "rfc5424";
	  ident = "nfl5424"; priority = "info"; },
	{ name = "udp"; type = "syslog"; target = "udp://127.0.0.1:$RS_UDP_PORT"; },
	{ name = "udp6"; type = "syslog"; target = "udp://[::1]:$RS_UDP_PORT"; structured_data = false; },
	{ name = "tcp"; type = "syslog"; target = "tcp://127.0.0.1:$RS_TCP_PORT"; },
	{ name = "sdid"; type = "syslog"; target = "tcp://127.0.0.1:$RS_TCP_PORT"; sd_id = "$SDID";
	  ident = "sdid-$TAG"; },
	{ name = "tq"; type = "syslog"; target = "tcp://localhost:$RS_TCP_PORT"; queue_size = 40;
	  ident = "q-$TAG"; structured_data = false; },
	$(conf_file_output f31 "$T/g31.log" text),
	$(conf_file_output f34 "$T/g34.json" json)
);
groups = (
	{ group = 31; outputs = ("loc", "loc5424", "udp", "udp6", "tcp", "sdid", "f31"); qthresh = 1; },
	{ group = 34; outputs = ("tq", "f34"); qthresh = 1; flags = ("seq"); }
);
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
ok "daemon starts with seven syslog outputs"
PID=$(daemon_pid)

send_udp 127.0.0.1 7301 2
send_udp ::1 7301 1
send_udp 127.0.0.1 7302 1
wait_lines "$T/g31.log" 4
P="s-$TAG "
line=$(grep -m1 "$P" "$T/g31.log" | cut -d' ' -f2-)
line6=$(grep "$P" "$T/g31.log" | grep -m1 "SRC=0000" | cut -d' ' -f2-)
badline=$(grep -m1 "bad" "$T/g31.log" | cut -d' ' -f2-)
pyrepr() { python3 -c 'import sys; print(repr(sys.argv[1]))' "$1"; }
sel="\"$P\" in m['msg']"

# --- /dev/log, RFC 3164 as syslog(3) writes it
check "/dev/log: 3 records" rs_wait 3 "m['in'] == 'imuxsock' and m['app'] == 'nflogd' and $sel"
check_eq "/dev/log: facility local5, severity notice" \
	"$(rs_select "m['in'] == 'imuxsock' and m['app'] == 'nflogd' and $sel" fac | sort -u)$(rs_select "m['in'] == 'imuxsock' and m['app'] == 'nflogd' and $sel" sev | sort -u)" \
	"'local5''notice'"
check_eq "/dev/log: procid is nflogd's pid" \
	"$(rs_select "m['in'] == 'imuxsock' and m['app'] == 'nflogd' and $sel" procid | sed -n 1p)" "'$PID'"
check_eq "/dev/log: %msg% is the kernel LOG line" \
	"$(rs_select "m['in'] == 'imuxsock' and m['app'] == 'nflogd' and $sel" msg | sed -n 1p)" "$(pyrepr " $line")"

# --- the local socket, RFC 5424
s5424="m['in'] == 'imuxsock' and m['app'] == 'nfl5424' and m['msgid'] == 'NFLOG' and $sel"
check "socket = path, rfc5424: 3 records" rs_wait 3 "$s5424"
check_eq "rfc5424 locally: version 1, severity info" \
	"$(rs_select "$s5424" ver | sort -u)$(rs_select "$s5424" sev | sort -u)" "'1''info'"

# --- UDP, RFC 5424 with structured data
sudp="m['in'] == 'udp4' and m['msgid'] == 'NFLOG' and $sel"
check "udp://127.0.0.1: 3 records" rs_wait 3 "$sudp"
check_eq "udp: app-name" "$(rs_select "$sudp" app | sort -u)" "'nflogd'"
check_eq "udp: hostname" "$(rs_select "$sudp" host | sort -u)" "'$(hostname)'"
check_eq "udp: %msg% is the kernel LOG line" "$(rs_select "$sudp" msg | sed -n 1p)" "$(pyrepr "$line")"
sd=$(rs_select "$sudp" sd | sed -n 1p)
check "udp: SD element nflog@32473" grep -q "^'\[nflog@32473 timestamp=\"" <<<"$sd"
for kv in 'group="31"' "prefix=\"$P\"" 'dpt="7301"' 'src="127.0.0.1"' 'protocol="UDP"' 'hook="output"' 'outdev="lo"'; do
	check "udp: SD has $kv" grep -qF " $kv" <<<"$sd"
done
check "udp: no payload in SD" bash -c "! grep -q ' payload=' <<<\"\$1\"" _ "$sd"
check_eq "udp: IPv6 record's SD src" "$(rs_select "$sudp and 'src=\"::1\"' in m['sd']" | sed -n 1p)" 1
check_eq "udp: IPv6 record's %msg%" "$(rs_select "$sudp and 'src=\"::1\"' in m['sd']" msg)" "$(pyrepr "$line6")"

# --- UDP to [::1], no structured data
check "udp://[::1]: 3 records" rs_wait 3 "m['in'] == 'udp6' and m['msgid'] == 'NFLOG' and $sel"
check_eq "udp6, structured_data = false: SD is '-'" \
	"$(rs_select "m['in'] == 'udp6' and m['msgid'] == 'NFLOG' and $sel" sd | sort -u)" "'-'"

# --- TCP, octet counting
stcp="m['in'] == 'tcp4' and m['app'] == 'nflogd' and m['msgid'] == 'NFLOG'"
check "tcp: 4 records" rs_wait 4 "$stcp"
check_eq "tcp: %msg% is the kernel LOG line" "$(rs_select "$stcp and $sel" msg | sed -n 1p)" "$(pyrepr "$line")"
check_eq "tcp: START message" "$(rs_select "m['in'] == 'tcp4' and m['msgid'] == 'START' and m['app'] == 'nflogd'")" 1
check "tcp: every raw frame is one RFC 5424 message" python3 -c '
import sys, re
bad = [l for l in open(sys.argv[1], errors="replace") if l.startswith("tcp4 ") and not re.match(r"tcp4 <\d+>1 \S+ \S+ \S+ \d+ [A-Z]+ ", l)]
sys.exit(1 if bad else 0)' "$RS_DIR/raw.log"

# --- sd_id: a custom SD-ID arrives, and rsyslog's mmpstrucdata parses it
ssd="m['app'] == 'sdid-$TAG' and m['msgid'] == 'NFLOG'"
check "sd_id: 4 records" rs_wait 4 "$ssd"
check_eq "sd_id: every record's SD element is [$SDID ...]" \
	"$(rs_select "$ssd and m['sd'].startswith('[$SDID timestamp=\"')")" 4
check_eq "sd_id: the default SD-ID is not used" "$(rs_select "$ssd and 'nflog@32473' in m['sd']")" 0
check "sd_id: mmpstrucdata wrote the 4 records" wait_lines "$T/rs/sdid.log" 4
check_eq "sd_id: \$!rfc5424-sd!$SDID!src, dpt, group, prefix of the IPv4 records" \
	"$(grep -c "^127.0.0.1 7301 31 \[$P\]\$" "$T/rs/sdid.log")" 2
check_eq "sd_id: the IPv6 record's src" "$(grep -c "^::1 7301 31 \[$P\]\$" "$T/rs/sdid.log")" 1
check_eq "sd_id: the hostile prefix, unescaped by mmpstrucdata, reads as the text line shows it" \
	"$(grep -cF "[${badline%%IN=*}]" "$T/rs/sdid.log")" 1

# --- a hostile prefix: newline, a fake syslog header, quote, ], backslash, control bytes
check "hostile prefix: the file line is escaped" grep -q 'bad\\x0a<13>1 x "]\\x5c\\x01\\x7f-' <<<"$badline"
for input in tcp4 udp4 imuxsock; do
	check_eq "hostile prefix over $input: one message, %msg% the escaped line" \
		"$(rs_select "m['in'] == '$input' and m['app'] != 'sdid-$TAG' and m['msg'].lstrip(' ') == $(pyrepr "$badline")")" \
		"$([ $input = imuxsock ] && echo 2 || echo 1)"
done
want_sd=$(python3 -c '
import sys
p = sys.argv[1]
esc = "".join("\\\\x%02x" % ord(c) if ord(c) < 32 or ord(c) >= 127 or c == "\\" else ("\\" + c if c in "\"]" else c) for c in p)
print(repr(" prefix=\"" + esc + "\""))' "$BAD")
check "hostile prefix: SD value escaped per RFC 5424 over TCP" python3 -c '
import json, sys, ast
want = ast.literal_eval(sys.argv[2])
n = sum(1 for l in open(sys.argv[1]) if json.loads(l)["in"] == "tcp4" and json.loads(l)["app"] == "nflogd" and want in json.loads(l)["sd"])
sys.exit(0 if n == 1 else 1)' "$RS_DIR/msgs.json" "$want_sd"
check_eq "no message was split: nothing starts with the fake header" \
	"$(rs_select "m['msg'].startswith('<13>') or m['app'] == 'x'")" 0

# --- rsyslog away under steady traffic (group 34: tq with queue_size 40, f34)
N=400
send_paced 7401 $N &
TRAFFIC=$!
stat_line() { grep "output tq: written" "$T/nflogd.log" | tail -1; }
wait_lines "$T/g34.json" 60 5 || not_ok "traffic flows"
# The peer goes away: first the network to it (what nflogd writes now stays
# unacknowledged in its TCP send queue), then rsyslogd itself, which thus
# exits with nothing unread.
rs_stop_read_all $RS_TCP_PORT
# away until the queue is full (SIGUSR2 logs the counters), at most 3 s
for _ in $(seq 30); do
	kill -USR2 "$PID"; sleep 0.1
	stat_line | grep -q "queued 40," && break
done
down=$(stat_line)
sleep 0.3
rsyslog_start || not_ok "rsyslogd starts again"
wait $TRAFFIC
check "group 34: all $N records in the file output" wait_lines "$T/g34.json" $N 10
check_eq "file output: every seq present (no loss)" "$(python3 -c '
import json, sys
s = [json.loads(l)["seq"] for l in open(sys.argv[1])]
print("ok" if s == list(range(s[0], s[0] + len(s))) and len(s) == int(sys.argv[2]) else "gap")' "$T/g34.json" $N)" ok
check "while rsyslog is away: queued 40 (the bound)" grep -q "queued 40," <<<"$down"
sq="m['app'] == 'q-$TAG' and m['msgid'] == 'NFLOG'"
for _ in $(seq 100); do
	kill -USR2 "$PID"; sleep 0.1
	[ "$(stat_line | sed -n 's/.*queued \([0-9]*\),.*/\1/p')" = 0 ] && break
done
got=$(rs_select "$sq")
up=$(stat_line)
dropped=$(sed -n 's/.*dropped \([0-9]*\),.*/\1/p' <<<"$up")
echo "# rsyslog got $got of $N, nflogd dropped $dropped: $up"
check "some records were dropped (the queue was full)" test "${dropped:-0}" -gt 0
check "the backlog arrived: more than the queue bound got through" test "$got" -gt 40
check_eq "counted exactly: dropped + received = sent" "$((dropped + got))" $N
check_eq "DROPPED messages at rsyslog tell the same number" "$(rs_reported_drops "q-$TAG")" "$dropped"
check "the reconnect was logged" grep -q "output tq: connected to tcp://localhost:$RS_TCP_PORT" "$T/nflogd.log"

daemon_stop; rc=$?
check_eq "SIGTERM: exit 0" "$rc" 0
check "no sanitizer report in the daemon log" bash -c "! grep -q 'Sanitizer\|runtime error' \"\$1\"" _ "$T/nflogd.log"
check "STOP message over tcp" rs_wait 1 "m['in'] == 'tcp4' and m['msgid'] == 'STOP' and m['app'] == 'nflogd'"
e2e_finish
