#!/bin/bash
# Log injection: hostile bytes in every place an attacker or a careless
# rule writer controls them, through every output.
# - prefixes: nft `log prefix` takes any byte but '"' verbatim (newline,
#   CR, ESC and ANSI sequences, backslash, quotes, DEL, C1, invalid and
#   valid UTF-8, up to 127 bytes; '$' starts a variable); iptables-nft
#   --nflog-prefix adds '"'
#   and a forged syslog header;
# - interface names (veth devices between the test's two namespaces):
#   ESC, quotes, backslash, DEL, control bytes, UTF-8 and invalid UTF-8
#   (names cannot hold '/', ':' or white space);
# - payloads with newlines, a fake syslog header, ANSI escapes, NUL.
# The text file stays one line per record with the documented \xHH
# escaping (doc/text-format.md); the JSON parses and keeps the exact bytes
# (prefix_hex, ...); journald (a private one) keeps NFLOG_PREFIX, NFLOG_IN
# and NFLOG_OUT byte for byte; a real rsyslogd receives exactly one
# message per record on /dev/log (RFC 3164), UDP and TCP (RFC 5424 with
# structured data), none forged. Checked by tests/e2e/inject_check.py.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_journald.sh"
. "$(dirname "$0")/lib_rsyslog.sh"
journald_enter "$@"
rsyslog_enter "$@"
e2e_init inject
NS2="${NS}-peer"
on_exit 'ip netns del "$NS2" 2>/dev/null'
on_exit journald_stop
on_exit rsyslog_stop
journald_start || { not_ok "journald starts"; e2e_finish; }
rsyslog_start || { not_ok "rsyslogd starts"; e2e_finish; }

hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

# ---- hostile interface names
N1=$'o\x1b[1m"\\\'x'"$(($$ % 100))"       # ESC, quote, backslash, apostrophe
N2=$'u\xc3\xa9\xff\x7f\x01\xc2\x9b'        # UTF-8, invalid UTF-8, DEL, SOH, C1 CSI
N3=$'i\x1b]0;t\x07\\"'                     # an OSC title sequence
ip netns add "$NS2" || { not_ok "peer namespace"; e2e_finish; }
ip -n "$NS2" link set lo up
# veth pairs (this kernel may have no dummy driver), peers in $NS2
for i in 1 2 3; do
	eval "name=\$N$i"
	ip -n "$NS" link add name "$name" type veth peer name "p$i$$" netns "$NS2" &&
		ip -n "$NS" addr add "10.77.$i.1/24" dev "$name" &&
		ip -n "$NS" link set "$name" up &&
		ip -n "$NS2" addr add "10.77.$i.2/24" dev "p$i$$" &&
		ip -n "$NS2" link set "p$i$$" up ||
		{ not_ok "interface $i with a hostile name created"; e2e_finish; }
done
ok "interfaces with hostile names created"

# ---- hostile prefixes
P1=$'nl\ncr\resc\x1b[31mred\x1b[0m bs\\ q\' tab\t del\x7f bad\xff\xfe c1\xc2\x85 \xc3\xa9 %s%n -'"$TAG "
P2=""    # 127 bytes: every byte 0x01..0x7e nft takes ('"' it cannot, '$' starts a variable), then filler
for i in $(seq 1 126); do
	[ "$i" = 34 ] || [ "$i" = 36 ] && continue
	P2+=$(printf "\\x$(printf %02x "$i")")
done
P2=$(printf '%s' "$P2" | tr -d '\n')$'\n'    # $() ate newlines: put one back
while [ "${#P2}" -lt 127 ]; do P2+=$'\xff'; done
P2=${P2:0:127}
P3=$'ipt"q\r<13>1 - forged forged - - - x\x01\x1b]0;t\x07 '   # iptables refuses a newline
P4="plain-$TAG "

nft_load <<EOF
table inet inj {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7601 log group 81 prefix "$P1"
		udp dport 7602 log group 81 prefix "$P2"
		udp dport 7604 log group 81 prefix "$P4"
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 7603 log group 81 prefix "$P4"
	}
}
EOF
[ $? = 0 ] || { not_ok "nft rules with hostile prefixes load"; e2e_finish; }
got=$(nsx nft list chain inet inj out | grep -c 'log prefix')
check_eq "nft kept the three prefix rules" "$got" 3
if nsx iptables-nft -A OUTPUT -p udp --dport 7605 -j NFLOG --nflog-group 81 \
	--nflog-threshold 1 --nflog-prefix "$P3" 2>"$T/ipt.err"; then
	HAVE_IPT=1
else
	HAVE_IPT=0; echo "# iptables-nft NFLOG rule refused: $(cat "$T/ipt.err")"
fi

cat >"$T/nflogd.conf" <<EOF
outputs = (
	$(conf_file_output text "$T/inj.log" text),
	$(conf_file_output json "$T/inj.json" json),
	{ name = "j"; type = "journal"; },
	{ name = "local"; type = "syslog"; socket = "$RS_SOCK"; },
	{ name = "udp"; type = "syslog"; target = "udp://127.0.0.1:$RS_UDP_PORT"; format = "rfc5424"; },
	{ name = "tcp"; type = "syslog"; target = "tcp://127.0.0.1:$RS_TCP_PORT"; format = "rfc5424"; }
);
groups = ( { group = 81; outputs = ("text", "json", "j", "local", "udp", "tcp"); qthresh = 1; } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
ok "daemon starts with file, journal and syslog outputs"

# payload bytes: newlines, a forged syslog line, ANSI, quotes, NUL, invalid UTF-8
PAYLOAD_PY='b"x\n<13>1 2026-01-01T00:00:00Z forged forged - - - injected\r\n\x1b[2J\"\\\xff\xfe\x00end"'
send_hostile() {  # NETNS HOST PORT
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto('"$PAYLOAD_PY"', (sys.argv[1], int(sys.argv[2])))' "$2" "$3"
}
send_hostile "$NS" 10.77.1.2 7601    # out via N1
send_hostile "$NS" 10.77.1.2 7602    # out via N1
send_hostile "$NS2" 10.77.3.1 7603   # in via N3 (veth)
send_hostile "$NS" 10.77.2.2 7604    # out via N2
n=4
[ "$HAVE_IPT" = 1 ] && { send_hostile "$NS" 127.0.0.1 7605; n=5; }
PAYLOAD_HEX=$(python3 -c "print(($PAYLOAD_PY).hex())")

python3 - "$T/spec.json" "$PAYLOAD_HEX" "$HAVE_IPT" \
	"$(hex "$P1")" "$(hex "$P2")" "$(hex "$P3")" "$(hex "$P4")" \
	"$(hex "$N1")" "$(hex "$N2")" "$(hex "$N3")" <<'PY'
import json, sys
out, pay, ipt, p1, p2, p3, p4, n1, n2, n3 = sys.argv[1:]
lo = b"lo".hex()
cases = [
    {"dpt": 7601, "prefix": p1, "indev": None, "outdev": n1},
    {"dpt": 7602, "prefix": p2, "indev": None, "outdev": n1},
    {"dpt": 7603, "prefix": p4, "indev": n3, "outdev": None},
    {"dpt": 7604, "prefix": p4, "indev": None, "outdev": n2},
]
if ipt == "1":
    cases.append({"dpt": 7605, "prefix": p3, "indev": None, "outdev": lo})
for c in cases:
    c["payload"] = pay
json.dump(cases, open(out, "w"))
PY

wait_lines "$T/inj.log" "$n" 5
wait_lines "$T/inj.json" "$n" 5
rs_wait $((3 * n)) "'DPT=76' in m['msg']" 5
for _ in $(seq 40); do
	[ "$(jctl -o cat NFLOG_GROUP=81 | wc -l)" -ge "$n" ] && break
	sleep 0.05
done
check "the daemon survived" kill -0 "$(daemon_pid)"
check_eq "text: $n records, $n lines" "$(wc -l <"$T/inj.log")" "$n"
check "JSON valid and documented" python3 "$NFLOGD_SRC/tests/e2e/check_json.py" "$T/inj.json"
jctl -o json NFLOG_GROUP=81 >"$T/journal.json"

python3 "$NFLOGD_SRC/tests/e2e/inject_check.py" "$T/spec.json" "$T/inj.log" "$T/inj.json" \
	--journal "$T/journal.json" --rsyslog "$RS_DIR/msgs.json" >"$T/checks.txt"
while IFS= read -r line; do
	case $line in
	"PASS "*) ok "${line#PASS }" ;;
	"FAIL "*) not_ok "${line#FAIL }" ;;
	*) echo "$line" ;;
	esac
done <"$T/checks.txt"
[ "$HAVE_IPT" = 1 ] || echo "# iptables-nft case (a '\"' in a prefix) skipped"

daemon_stop; rc=$?
check_eq "daemon exits 0" "$rc" 0
e2e_finish
