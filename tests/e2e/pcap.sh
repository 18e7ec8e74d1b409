#!/bin/bash
# The pcap output against a reference no one here wrote: tcpdump (libpcap's
# own nflog capture) reads groups 10 and 12 while nflogd reads groups 20,
# 21 and 22; the same rules log every packet to all of them. For IPv4 and
# IPv6 datagrams, ICMP and ICMPv6 errors and IPv4/IPv6 fragments:
#  - group 20 (copymode packet): every NFLOG attribute both carry is the
#    same, byte for byte (timestamps and sequence numbers aside);
#  - group 21 (copymode meta): the same attributes, without the packet;
#  - group 22 (copy_range 40) against group 12, whose rule cuts at 40
#    bytes (`log snaplen 40`): the kernel's own cut;
#  - linktype raw: the packets themselves, with the IP header's length as
#    the original length where copy_range cut them;
#  - tshark -r on nflogd's file shows, record for record, the prefix, uid,
#    addresses, ports, ICMP types and fragment offsets tshark shows on
#    tcpdump's, and the mark.
. "$(dirname "$0")/lib.sh"
command -v tcpdump >/dev/null || e2e_skip "needs tcpdump"
command -v tshark >/dev/null || e2e_skip "needs tshark"
e2e_init pcap

nsx ip link set lo mtu 1500 # datagrams of 3000 bytes leave in fragments
# every rule logs to the five groups, with its class as the prefix
logs() {
	local p="$1-$TAG "
	echo "log prefix \"$p\" group 10 log prefix \"$p\" group 20 log prefix \"$p\" group 21" \
		"log prefix \"$p\" group 22 log prefix \"$p\" group 12 snaplen 40"
}
nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		meta mark set 0x2a
		meta nfproto ipv4 udp dport 7801 $(logs u4)
		meta nfproto ipv6 udp dport 7801 $(logs u6)
		icmp type destination-unreachable $(logs e4)
		icmpv6 type destination-unreachable $(logs e6)
	}
	chain pre {
		type filter hook prerouting priority -450; policy accept;
		ip frag-off & 0x3fff != 0 $(logs f4)
		ip6 nexthdr ipv6-frag $(logs f6)
	}
}
EOF
cat >"$T/nflogd.conf" <<EOF
outputs = (
	{ name = "cap"; type = "pcap"; path = "$T/nflog.pcap"; },
	{ name = "raw"; type = "pcap"; linktype = "raw"; path = "$T/raw.pcap"; },
	{ name = "rawcut"; type = "pcap"; linktype = "raw"; path = "$T/rawcut.pcap"; }
);
groups = (
	{ group = 20; outputs = ("cap", "raw"); },
	{ group = 21; outputs = ("cap"); copymode = "meta"; },
	{ group = 22; outputs = ("cap", "rawcut"); copy_range = 40; }
);
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
# not through nsx: $! must be tcpdump itself
ip netns exec "$NS" tcpdump -U -i nflog:10,12 -w "$T/ref.pcap" 2>"$T/tcpdump.err" &
tcpdump_pid=$!
for i in $(seq 50); do grep -q "listening on" "$T/tcpdump.err" && break; sleep 0.1; done

send_udp 127.0.0.1 7801 3 65534
send_udp ::1 7801 3 65534
send_udp 127.0.0.1 7802 1
send_udp ::1 7802 1
nsx python3 -c '
import socket
for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    socket.socket(fam, socket.SOCK_DGRAM).sendto(b"f" * 3000, (host, 7803))
'
sleep 1.5 # tcpdump leaves the kernel's default batching: 1 s
kill -TERM "$tcpdump_pid"
wait "$tcpdump_pid"
daemon_stop
check_eq "daemon exits 0" "$?" 0

check "tcpdump captured" test -s "$T/ref.pcap"
check "tshark reads nflogd's capture" bash -c "tshark -r '$T/nflog.pcap' -w /dev/null 2>/dev/null"
compare() { python3 "$NFLOGD_SRC/tests/e2e/pcap_compare.py" "$@"; }
res=$(compare "$T/ref.pcap" "$T/nflog.pcap" 10:20 10:21:meta 12:22)
rc=$?
echo "$res" | sed 's/^/# /'
check_eq "every attribute both carry is the same (packet, meta, copy_range)" "$rc" 0
res=$(compare --raw "$T/ref.pcap" "$T/raw.pcap" 10 && compare --raw "$T/ref.pcap" "$T/rawcut.pcap" 12)
rc=$?
echo "$res" | sed 's/^/# /'
check_eq "linktype raw: the packets, original length from the IP header" "$rc" 0

# Every class is there: 3 + 3 datagrams to a port nobody listens on, so
# 3 + 1 + 1 ICMP errors of each family (for the datagrams, a closed port,
# the reassembled fragments; not rate-limited on loopback), 2 x 3 fragments
fields() { # FILE GROUP
	tshark -r "$1" -o ip.defragment:FALSE -o ipv6.defragment:FALSE -Y "nflog.res_id == $2" \
		-T fields -E separator='|' -e nflog.prefix -e nflog.uid -e ip.src -e ip.dst \
		-e ipv6.src -e ipv6.dst -e udp.srcport -e udp.dstport -e icmp.type -e icmpv6.type \
		-e ip.frag_offset -e ipv6.fraghdr.offset 2>/dev/null
}
fields "$T/nflog.pcap" 20 >"$T/ours.txt"
fields "$T/ref.pcap" 10 >"$T/ref.txt"
counts=""
for c in u4 u6 e4 e6 f4 f6; do
	counts="$counts $c=$(grep -c "^$c-$TAG " "$T/ours.txt")"
done
echo "# classes:$counts"
check_eq "datagrams, ICMP errors, fragments, IPv4 and IPv6" "$counts" " u4=3 u6=3 e4=5 e6=5 f4=3 f6=3"
check "tshark shows the same prefix, uid, addresses, ports, ICMP types and fragment offsets as on tcpdump's file, record for record" \
	diff "$T/ref.txt" "$T/ours.txt"
marked=$(tshark -r "$T/nflog.pcap" -Y "nflog.res_id == 20 && nflog.tlv_type == 2 && nflog.tlv_value == 00:00:00:2a" 2>/dev/null | wc -l)
check_eq "tshark shows mark 0x2a in every record" "$marked" 22
check "u4: uid 65534, 127.0.0.1 -> 127.0.0.1:7801" grep -q "^u4-$TAG |65534|127.0.0.1|127.0.0.1|||[0-9]*|7801|" "$T/ours.txt"
check "u6: uid 65534, ::1 -> ::1:7801" grep -q "^u6-$TAG |65534|||::1|::1|[0-9]*|7801|" "$T/ours.txt"
check "e4: ICMP port unreachable quoting port 7802" grep -q "^e4-$TAG |.*|7802|3|" "$T/ours.txt"
check "e6: ICMPv6 port unreachable quoting port 7802" grep -q "^e6-$TAG |.*|7802||1|" "$T/ours.txt"
check "f4: a fragment at offset 185 (x 8 bytes)" grep -q "^f4-$TAG ||127.0.0.1|127.0.0.1|||||||185|\$" "$T/ours.txt"
check "f6: a fragment at offset 181 (x 8 bytes)" grep -q "^f6-$TAG ||||::1|::1||||||181\$" "$T/ours.txt"
e2e_finish
