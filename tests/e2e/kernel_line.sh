#!/bin/bash
# The text format against the kernel itself: every packet is logged twice
# by rules with the same match, once by the kernel's LOG target (nft `log`
# without a group, read back with dmesg) and once through NFLOG to nflogd
# (`log group`, file output, format "text"). The daemon's line must be the
# kernel's line, byte for byte, for each case and both flag sets.
. "$(dirname "$0")/lib.sh"
e2e_init kline
kernel_log_on   # global switch, restored on exit

GA=21  # group whose rules use `log flags all`, daemon log_flags ("all")
GB=22  # group with no flags, daemon log_flags ()
ID="kl$$"
RULES=""
CASES=()
# add_case NAME CHAIN MATCH...: four rules with the same match
add_case() {
	local name=$1 chain=$2; shift 2
	local n=${#CASES[@]}
	CASES+=("$name")
	RULES+="		$* log prefix \"${ID}A$n \" flags all
		$* log group $GA prefix \"${ID}A$n \"
		$* log prefix \"${ID}B$n \"
		$* log group $GB prefix \"${ID}B$n \"
"
	eval "CHAIN_$chain+=\$RULES"
	RULES=""
}
add_case "IPv4 UDP"                  out "meta nfproto ipv4 udp dport 7101"
add_case "IPv6 UDP"                  out "meta nfproto ipv6 udp dport 7101"
add_case "IPv4 TCP SYN"              out "meta nfproto ipv4 tcp dport 7102"
add_case "IPv6 TCP SYN"              out "meta nfproto ipv6 tcp dport 7102"
add_case "TCP RST on input (MAC=)"   in  "tcp sport 7102"
add_case "ICMP echo request"         out "icmp type echo-request"
add_case "ICMP echo reply, input"    in  "icmp type echo-reply"
add_case "ICMPv6 echo request"       out "icmpv6 type echo-request"
add_case "ICMP port unreachable"     out "icmp type destination-unreachable"
add_case "ICMPv6 port unreachable"   out "icmpv6 type destination-unreachable"
add_case "UDP on input (MAC=)"       in  "udp dport 7101"
add_case "mark"                      out "udp dport 7103"
add_case "skuid"                     out "udp dport 7104"

nft_load <<EOF
table inet kl {
	chain setmark {
		type filter hook output priority -10; policy accept;
		udp dport 7103 meta mark set 0x2a
	}
	chain out {
		type filter hook output priority 0; policy accept;
${CHAIN_out}	}
	chain in {
		type filter hook input priority 0; policy accept;
${CHAIN_in}	}
}
EOF
[ $? = 0 ] || { not_ok "nft rules load"; e2e_finish; }

cat >"$T/nflogd.conf" <<EOF
outputs = (
	$(conf_file_output all "$T/all.log" text 'log_flags = ("all");'),
	$(conf_file_output none "$T/none.log" text 'log_flags = ();')
);
groups = (
	{ group = $GA; outputs = ("all"); qthresh = 1; },
	{ group = $GB; outputs = ("none"); qthresh = 1; }
);
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
ok "daemon starts"

send_udp 127.0.0.1 7101          # + ICMP port unreachable, + input
send_udp ::1 7101                # + ICMPv6 port unreachable, + input
send_tcp 127.0.0.1 7102          # SYN out, RST in
send_tcp ::1 7102
nsx ping -c 1 -W 1 127.0.0.1 >/dev/null
nsx ping -6 -c 1 -W 1 ::1 >/dev/null
send_udp 127.0.0.1 7103
send_udp 127.0.0.1 7104 1 65534

# Expected lines per prefix, from the kernel.
sleep 0.5
dmesg --notime 2>/dev/null | grep -a -o -- "${ID}[AB][0-9]* .*" >"$T/kernel.txt"
kernel_count=$(wc -l <"$T/kernel.txt")
wait_lines "$T/all.log" $((kernel_count / 2)) 5
wait_lines "$T/none.log" $((kernel_count / 2)) 5
daemon_stop || not_ok "daemon exits cleanly"

# Daemon lines are "<RFC 3339 timestamp> <kernel line>".
cut -d' ' -f2- "$T/all.log" "$T/none.log" >"$T/daemon.txt"

for n in "${!CASES[@]}"; do
	for v in A B; do
		p="${ID}$v$n "
		flags=$([ $v = A ] && echo "flags all" || echo "no flags")
		grep -a -F -- "$p" "$T/kernel.txt" >"$T/k.$v$n"
		grep -a -F -- "$p" "$T/daemon.txt" >"$T/d.$v$n"
		if [ ! -s "$T/k.$v$n" ]; then
			not_ok "${CASES[$n]} ($flags): the kernel logged nothing"
		elif cmp -s "$T/k.$v$n" "$T/d.$v$n"; then
			ok "${CASES[$n]} ($flags): $(wc -l <"$T/k.$v$n") line(s) identical"
		else
			not_ok "${CASES[$n]} ($flags): lines differ"
			diff "$T/k.$v$n" "$T/d.$v$n" | sed 's/^/#   /'
		fi
	done
done
# Nothing the daemon wrote may be missing from the kernel's lines.
extra=$(grep -a -v -F -x -f "$T/kernel.txt" "$T/daemon.txt" | head -3)
check_eq "no daemon line without its kernel twin" "$extra" ""
e2e_finish
