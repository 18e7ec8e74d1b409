#!/bin/bash
# logwatch's iptables service (Debian's package) on nflogd's output, with
# the recipe of doc/consumers.md: nflogd's syslog output with
# format = "kernel" (into /var/log/kern.log through journald and rsyslog,
# as on Debian 12: lib_consumers.sh) and the service pointed at kern.log.
# Traffic: a port scan over IPv4 and IPv6 (prefix "DROP-..."), pings
# (prefixes "PING ", "PING6 ") and UDP datagrams logged by a rule without
# a prefix. The summary lists every source, port and prefix, and its packet
# counts add up to every record nflogd sent: nothing silently skipped.
# logwatch runs with a private /etc/logwatch bound over the host's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_journald.sh"
. "$(dirname "$0")/lib_rsyslog.sh"
. "$(dirname "$0")/lib_consumers.sh"
command -v logwatch >/dev/null || e2e_skip "needs logwatch (apt-get install logwatch)"
stack_enter "$@"
e2e_init logwatch
stack_trap
stack_start || { not_ok "journald and rsyslogd start"; e2e_finish; }
scan_net || { not_ok "scanner namespace"; e2e_finish; }
P="DROP-$$"
scan_rules 1 "$P "
nsx nft -f - <<EOF
add rule inet scan input iifname "v0" udp dport 9999 log group 1
add rule inet scan input iifname "v0" icmp type echo-request log group 1 prefix "PING "
add rule inet scan input iifname "v0" icmpv6 type echo-request log group 1 prefix "PING6 "
EOF

cat >"$T/nflogd.conf" <<EOF
outputs = ( { name = "kern"; type = "syslog"; format = "kernel"; } );
groups = ( { group = 1; outputs = ("kern"); } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
scan "$TARGET_ADDR4" $(seq 20 40)
scan "$TARGET_ADDR6" $(seq 20 40)
ip netns exec "$SCANNER" bash -c 'for i in 1 2 3; do echo x$i >/dev/udp/192.0.2.1/9999; done'
ip netns exec "$SCANNER" ping -c 2 -i 0.2 -W 1 "$TARGET_ADDR4" >/dev/null
ip netns exec "$SCANNER" ping -c 2 -i 0.2 -W 1 "$TARGET_ADDR6" >/dev/null
check "49 kernel lines in kern.log" wait_grep 49 /var/log/kern.log " kernel: "
daemon_stop
received=$(sed -n 's/.*group 1: received \([0-9]*\),.*/\1/p' "$T/nflogd.log")
check_eq "nflogd received 49 records" "$received" 49

# ---- logwatch with the recipe's service file (from doc/consumers.md)
private_etc logwatch
recipe "logwatch iptables.conf" >/etc/logwatch/conf/services/iptables.conf
echo "# /etc/logwatch/conf/services/iptables.conf: $(tr '\n' '|' </etc/logwatch/conf/services/iptables.conf)"
logwatch --service iptables --range all --output stdout --detail high --numeric >"$T/logwatch.txt" 2>&1
check_eq "logwatch --service iptables: exit 0" $? 0
sed 's/^/#   /' "$T/logwatch.txt" | grep -v "Service: .*(tcp/[23][1-9])"
lw_count() { grep -cE "$1" "$T/logwatch.txt"; }
for src in "$SCAN_ADDR4" "$SCAN_ADDR6_FULL"; do
	check "the scan from $src: 21 packets" grep -q "From $src - 21 packets" "$T/logwatch.txt"
done
check_eq "every scanned port, with the rule's prefix, IPv4 and IPv6" \
	"$(lw_count "Service: .*\(tcp/(2[0-9]|3[0-9]|40)\) \($P\) - 1 packet$")" 42
check_eq "the scan counted as Dropped (the prefix says DROP)" "$(lw_count "Dropped 42 packets on interface v0")" 1
check "pings: prefix PING, 2 packets" grep -q "Service: 8 (icmp/8) (PING) - 2 packets" "$T/logwatch.txt"
check "IPv6 pings: prefix PING6, 2 packets" grep -q "Service: 128 (icmpv6/128) (PING6) - 2 packets" "$T/logwatch.txt"
check "the rule without a prefix: its 3 packets listed too" \
	grep -qx " *Service: 9999 (udp/9999) - 3 packets" "$T/logwatch.txt"
total=$(awk '$1 ~ /^(Dropped|Logged|Rejected|Accepted|Denied)$/ && $3 ~ /^packets?$/ { n += $2 } END { print n + 0 }' "$T/logwatch.txt")
check_eq "the summary's packets add up to every record nflogd sent (nothing skipped)" "$total" "$received"
e2e_finish
