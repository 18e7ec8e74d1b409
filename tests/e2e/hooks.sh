#!/bin/bash
# The hook of a record is named as nft names it in the rule's family
# (issue 12: every family used to get the IPv4 names, so an arp `input`
# rule said "prerouting" and a netdev ingress chain "prerouting").
#
# Real traffic over veth pairs between namespaces: a ping across a veth
# (arp input/output, netdev ingress/egress, inet ingress) and pings across
# a bridge with two ports (bridge prerouting/input/forward/output/
# postrouting). Every record's hook and family, in the JSON file, the
# journal (a private journald) and RFC 5424 syslog structured data (a UDP
# listener), which all read the one field table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_journald.sh"
journald_enter "$@"
e2e_init hooks
PEER1="nfd-hooks1-$$" PEER2="nfd-hooks2-$$"
on_exit 'ip netns del "$PEER1" 2>/dev/null; ip netns del "$PEER2" 2>/dev/null'
on_exit journald_stop
journald_start || { not_ok "journald starts"; e2e_finish; }
for n in "$PEER1" "$PEER2"; do
	ip netns add "$n" && ip -n "$n" link set lo up || { not_ok "netns $n"; e2e_finish; }
done

# NS --veth v0/p0-- PEER1: 10.77.0.1 <-> 10.77.0.2
# NS: bridge br0 (10.78.0.1) with ports b1 --veth-- PEER1 q1 (10.78.0.2)
#                                   and b2 --veth-- PEER2 q2 (10.78.0.3)
ip -n "$NS" link add v0 type veth peer name p0 netns "$PEER1"
ip -n "$NS" addr add 10.77.0.1/24 dev v0
ip -n "$NS" link set v0 up
ip -n "$PEER1" addr add 10.77.0.2/24 dev p0
ip -n "$PEER1" link set p0 up
ip -n "$NS" link add br0 type bridge || e2e_skip "no bridge support in this kernel"
ip -n "$NS" link add b1 type veth peer name q1 netns "$PEER1"
ip -n "$NS" link add b2 type veth peer name q2 netns "$PEER2"
ip -n "$NS" link set b1 master br0 up
ip -n "$NS" link set b2 master br0 up
ip -n "$NS" addr add 10.78.0.1/24 dev br0
ip -n "$NS" link set br0 up
ip -n "$PEER1" addr add 10.78.0.2/24 dev q1
ip -n "$PEER1" link set q1 up
ip -n "$PEER2" addr add 10.78.0.3/24 dev q2
ip -n "$PEER2" link set q2 up

P=$TAG   # prefix material, unique per run
nft_load <<EOF || { not_ok "nft rules for arp, netdev, inet ingress and bridge"; e2e_finish; }
table arp t {
	chain c_in { type filter hook input priority 0; log group 61 prefix "$P-arp-input"; }
	chain c_out { type filter hook output priority 0; log group 61 prefix "$P-arp-output"; }
}
table netdev t {
	chain c_in { type filter hook ingress device v0 priority 0; log group 61 prefix "$P-netdev-ingress"; }
	chain c_out { type filter hook egress device v0 priority 0; log group 61 prefix "$P-netdev-egress"; }
}
table inet t {
	chain c_in { type filter hook ingress device v0 priority 0; meta protocol ip log group 61 prefix "$P-ipv4-ingress"; }
}
table bridge t {
	chain c_pre { type filter hook prerouting priority 0; ip protocol icmp log group 61 prefix "$P-bridge-prerouting"; }
	chain c_in { type filter hook input priority 0; ip protocol icmp log group 61 prefix "$P-bridge-input"; }
	chain c_fwd { type filter hook forward priority 0; ip protocol icmp log group 61 prefix "$P-bridge-forward"; }
	chain c_out { type filter hook output priority 0; ip protocol icmp log group 61 prefix "$P-bridge-output"; }
	chain c_post { type filter hook postrouting priority 0; ip protocol icmp log group 61 prefix "$P-bridge-postrouting"; }
}
EOF
ok "nft rules for arp, netdev (ingress, egress), inet ingress and bridge"

udp_sink 5516 "$T/syslog.log" || { not_ok "the syslog peer (UDP 5516)"; e2e_finish; }
cat >"$T/nflogd.conf" <<EOF
outputs = (
	$(conf_file_output f "$T/hooks.json" json),
	{ name = "j"; type = "journal"; },
	{ name = "s"; type = "syslog"; target = "udp://127.0.0.1:5516"; }
);
groups = ( { group = 61; outputs = ("f", "j", "s"); qthresh = 1; } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }

nsx ping -c 1 -W 2 10.77.0.2 >/dev/null
check "ping over the veth" test $? = 0
ip netns exec "$PEER1" ping -c 1 -W 2 10.78.0.3 >/dev/null
check "ping across the bridge (forwarded)" test $? = 0
ip netns exec "$PEER1" ping -c 1 -W 2 10.78.0.1 >/dev/null
check "ping to the bridge's own address (local)" test $? = 0
# every prefix has arrived in all three outputs
arrived() {
	local want=$1 p
	for p in arp-input arp-output netdev-ingress netdev-egress ipv4-ingress bridge-prerouting \
		bridge-input bridge-forward bridge-output bridge-postrouting; do
		grep -q "$P-$p" "$T/hooks.json" 2>/dev/null || return 1
		grep -q "$P-$p" "$T/syslog.log" 2>/dev/null || return 1
		[ "$want" = 0 ] || jctl -o cat -t nflogd | grep -q "$P-$p" || return 1
	done
}
for _ in $(seq 100); do arrived 1 && break; sleep 0.05; done
daemon_stop
check_eq "daemon exits 0" $? 0
jctl -o json -t nflogd >"$T/journal.json"

# The prefix says which family and hook the rule was: "TAG-FAMILY-HOOK".
# Prints one line per source: "SOURCE PREFIX-SUFFIX family=F hook=H"
python3 - "$P" "$T/hooks.json" "$T/journal.json" "$T/syslog.log" >"$T/seen.txt" <<'PY'
import json, re, sys
tag, jpath, journal, syslog = sys.argv[1:]
def out(src, prefix, family, hook):
    if prefix and prefix.startswith(tag + "-"):
        print(src, prefix[len(tag) + 1:], family, hook)
for line in open(jpath):
    r = json.loads(line)
    out("json", r.get("prefix"), r.get("family"), r.get("hook"))
for line in open(journal):
    r = json.loads(line)
    if r.get("MESSAGE_ID") == "c7b75b174e944289a01e59243fce44fd":
        out("journal", r.get("NFLOG_PREFIX"), r.get("NFLOG_FAMILY"), r.get("NFLOG_HOOK"))
for line in open(syslog, errors="replace"):
    sd = dict(re.findall(r' ([a-z_.]+)="((?:[^"\\]|\\.)*)"', line.split("] ", 1)[0]))
    out("syslog", sd.get("prefix"), sd.get("family"), sd.get("hook"))
PY
for src in json journal syslog; do
	for p in arp-input arp-output netdev-ingress netdev-egress ipv4-ingress bridge-prerouting \
		bridge-input bridge-forward bridge-output bridge-postrouting; do
		fam=${p%%-*} hook=${p#*-}
		got=$(awk -v s="$src" -v p="$p" '$1 == s && $2 == p { print $3 "/" $4 }' "$T/seen.txt" | sort -u | tr '\n' ' ')
		check_eq "$src: a $fam $hook rule gives family $fam, hook $hook" "$got" "$fam/$hook "
	done
done

# At netdev egress NFLOG copies the packet from its Ethernet header, not
# from its IP header: the echo request to PEER1 must still read as one.
got=$(python3 - "$P-netdev-egress" "$T/hooks.json" <<'PY'
import json, sys
prefix, path = sys.argv[1:]
for line in open(path):
    r = json.loads(line)
    if r.get("prefix") == prefix and r.get("proto") == 2048:
        print(r.get("src"), r.get("dst"), r.get("protocol"), r.get("icmp_type"))
PY
)
check_eq "json: a netdev egress IPv4 record is decoded from its IP header" \
	"$(sort -u <<<"$got")" "10.77.0.1 10.77.0.2 ICMP 8"
e2e_finish
