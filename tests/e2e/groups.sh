#!/bin/bash
# Several groups at once with different options, every copymode, and the
# record fields nflogr exposes, read from the real kernel NFLOG path.
. "$(dirname "$0")/lib.sh"
e2e_init groups

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7001 log group 11 prefix "none-$TAG "
		udp dport 7002 log group 12 prefix "meta-$TAG "
		udp dport 7003 log group 13 prefix "pkt40-$TAG "
		udp dport 7010 meta mark set 0x2a log group 14 prefix "mark-$TAG "
		udp dport 7011 log group 14 prefix "user-$TAG "
		udp dport 7013 log group 14 prefix "udp6-$TAG "
		tcp dport 7012 log group 14 prefix "tcp-$TAG "
		icmp type echo-request log group 14 prefix "icmp-$TAG "
		icmpv6 type echo-request log group 14 prefix "icmp6-$TAG "
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 7020 log group 14 prefix "in-$TAG "
	}
}
EOF2

cat >"$T/nflogd.conf" <<EOF2
outputs = (
	$(conf_file_output none "$T/none.json" json),
	$(conf_file_output meta "$T/meta.json" json),
	$(conf_file_output pkt40 "$T/pkt40.json" json),
	$(conf_file_output all "$T/all.json" json),
	$(conf_file_output alltext "$T/all.log" text)
);
groups = (
	{ group = 11; outputs = ("none"); copymode = "none"; qthresh = 1; },
	{ group = 12; outputs = ("meta"); copymode = "meta"; qthresh = 1; flags = (); },
	{ group = 13; outputs = ("pkt40"); copymode = "packet"; copy_range = 40; qthresh = 1; },
	{ group = 14; outputs = ("all", "alltext"); qthresh = 1; flags = ("seq", "seq_global"); }
);
EOF2
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
ok "daemon starts with four groups"

# 100 bytes of UDP payload
big=$(printf 'x%.0s' $(seq 100))
nsx bash -c "printf %s $big > /dev/udp/127.0.0.1/7001; printf %s $big > /dev/udp/127.0.0.1/7002; printf %s $big > /dev/udp/127.0.0.1/7003"
send_udp 127.0.0.1 7010
send_udp 127.0.0.1 7011 1 65534
send_udp ::1 7013
send_tcp 127.0.0.1 7012
nsx ping -c 1 -W 1 127.0.0.1 >/dev/null
nsx ping -6 -c 1 -W 1 ::1 >/dev/null
send_udp 127.0.0.1 7020

wait_lines "$T/none.json" 1
wait_lines "$T/meta.json" 1
wait_lines "$T/pkt40.json" 1
# mark, user, udp6, tcp, icmp echo+reply? (only requests match), icmp6, in
wait_lines "$T/all.json" 7

# copymode none / meta: no payload; packet with copy_range 40: 40 bytes
check_eq "copymode none: no payload" "$(json_get "$T/none.json" "none-$TAG " payload)" null
check_eq "copymode meta: no payload" "$(json_get "$T/meta.json" "meta-$TAG " payload)" null
p40=$(json_get "$T/pkt40.json" "pkt40-$TAG " payload | tr -d '"')
check_eq "copymode packet, copy_range 40: 40 bytes" "${#p40}" 80
check_eq "copy_range 40: payload starts at the IPv4 header" "${p40:0:2}" 45
check_eq "group number" "$(json_get "$T/pkt40.json" "pkt40-$TAG " group)" 13
check_eq "meta group without flags: no seq" "$(json_get "$T/meta.json" "meta-$TAG " seq)" null

# prefix, mark, uid/gid
check_eq "mark set by nft" "$(json_get "$T/all.json" "mark-$TAG " nfmark)" 42
check_eq "uid of a non-root sender" "$(json_get "$T/all.json" "user-$TAG " uid)" 65534
check_eq "gid of a non-root sender" "$(json_get "$T/all.json" "user-$TAG " gid)" 65534
check_eq "uid of root" "$(json_get "$T/all.json" "mark-$TAG " uid)" 0
check_eq "no mark: nfmark 0 (the kernel sends NFULA_MARK only when set)" "$(json_get "$T/all.json" "user-$TAG " nfmark)" 0

# IPv4 / IPv6, TCP / UDP / ICMP / ICMPv6
check_eq "IPv4 UDP protocol" "$(json_get "$T/all.json" "mark-$TAG " protocol)" '"UDP"'
check_eq "IPv4 UDP dport" "$(json_get "$T/all.json" "mark-$TAG " dpt)" 7010
check_eq "IPv4 src" "$(json_get "$T/all.json" "mark-$TAG " src)" '"127.0.0.1"'
check_eq "IPv6 UDP family" "$(json_get "$T/all.json" "udp6-$TAG " family)" '"ipv6"'
check_eq "IPv6 src" "$(json_get "$T/all.json" "udp6-$TAG " src)" '"::1"'
check_eq "IPv6 EtherType (nflogr proto)" "$(json_get "$T/all.json" "udp6-$TAG " proto)" 34525
check_eq "TCP SYN" "$(json_get "$T/all.json" "tcp-$TAG " tcp_flags)" '["SYN"]'
check_eq "ICMP echo type" "$(json_get "$T/all.json" "icmp-$TAG " icmp_type)" 8
check_eq "ICMPv6 echo type" "$(json_get "$T/all.json" "icmp6-$TAG " icmp_type)" 128
check_eq "ICMPv6 protocol" "$(json_get "$T/all.json" "icmp6-$TAG " protocol)" '"ICMPv6"'

# hooks: output has no kernel timestamp; input has one, and a MAC header
check_eq "output hook" "$(json_get "$T/all.json" "mark-$TAG " hook)" '"output"'
check_eq "output hook: receive time" "$(json_get "$T/all.json" "mark-$TAG " timestamp_source)" '"receive"'
check_eq "output hook: outdev" "$(json_get "$T/all.json" "mark-$TAG " outdev)" '"lo"'
check_eq "output hook: no indev" "$(json_get "$T/all.json" "mark-$TAG " indev)" null
check_eq "input hook" "$(json_get "$T/all.json" "in-$TAG " hook)" '"input"'
check_eq "input hook: kernel time" "$(json_get "$T/all.json" "in-$TAG " timestamp_source)" '"kernel"'
check_eq "input hook: indev" "$(json_get "$T/all.json" "in-$TAG " indev)" '"lo"'
check_eq "input hook: hwtype loopback (772)" "$(json_get "$T/all.json" "in-$TAG " hwtype)" 772
check_eq "input hook: 14-byte hw header" "$(json_get "$T/all.json" "in-$TAG " hwhdr)" '"0000000000000000000000000800"'
check "seq numbers present and consecutive" python3 - "$T/all.json" <<'PY'
import json, sys
seqs = [json.loads(l)["seq"] for l in open(sys.argv[1])]
sys.exit(0 if seqs == list(range(seqs[0], seqs[0] + len(seqs))) else 1)
PY
check "seq_global present" test "$(json_get "$T/all.json" "mark-$TAG " seq_global)" != null

# the text output of the same group
check "text line: prefix and kernel fields" grep -q " mark-$TAG IN= OUT=lo SRC=127.0.0.1 DST=127.0.0.1 LEN=" "$T/all.log"
check "text line: MARK=0x2a" grep -q "mark-$TAG .* MARK=0x2a $" "$T/all.log"

daemon_stop; rc=$?
check_eq "SIGTERM: exit 0" "$rc" 0
check "daemon logged no errors" bash -c "! grep -q 'error:' '$T/nflogd.log'"
e2e_finish
