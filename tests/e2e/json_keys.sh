#!/bin/bash
# Every documented JSON key appears with its documented type, on real
# traffic: IPv4/IPv6, TCP/UDP/ICMP/ICMPv6, ICMP errors with their quoted
# packet, IP options, fragments, ESP, and a copy_range that cuts TCP.
# Only keys loopback cannot produce are exempt (ARP and Ethernet need an
# Ethernet device; the *_hex keys need non-UTF-8 names, see injection.sh).
. "$(dirname "$0")/lib.sh"
e2e_init jsonkeys

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp dport 7402 log group 62 prefix "cut-$TAG "
		udp dport 7406 log group 63 prefix "ns-$TAG "
		log group 61 prefix "all-$TAG "
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 7401 log group 61 prefix "in-$TAG "
	}
}
EOF2
cat >"$T/nflogd.conf" <<EOF2
outputs = (
	$(conf_file_output all "$T/all.json" json),
	$(conf_file_output cut "$T/cut.json" json)
);
groups = (
	{ group = 61; outputs = ("all"); qthresh = 1; flags = ("seq", "seq_global"); },
	{ group = 62; outputs = ("cut"); qthresh = 1; copy_range = 30; },
	{ group = 63; outputs = ("all"); qthresh = 1; netns = "/proc/self/ns/net"; }
);
EOF2
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }

py() { nsx python3 -c "$1" 2>/dev/null || echo "# python send failed: $1"; }
send_udp 127.0.0.1 7401
send_udp ::1 7401
send_udp 127.0.0.1 7409                                  # closed port: ICMP error quoting it
send_udp ::1 7409                                        # closed port: ICMPv6 error
send_tcp 127.0.0.1 7402                                  # cut by copy_range 30
send_tcp 127.0.0.1 7403
send_udp 127.0.0.1 7406                                  # group 63: netns (nflogd's own, by path)
nsx ping -c 1 -W 1 127.0.0.1 >/dev/null
nsx ping -6 -c 1 -W 1 ::1 >/dev/null
# IP options (IP_OPTIONS: NOP + record route)
py 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.setsockopt(0,4,b"\x01\x07\x07\x04\x00\x00\x00\x00"); s.sendto(b"x",("127.0.0.1",7404))'
# fragments, IPv4 and IPv6, through a small MTU on lo
nsx ip link set lo mtu 1300
py 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.sendto(b"a"*3000,("127.0.0.1",7405))'
py 'import socket; s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM); s.sendto(b"a"*3000,("::1",7405))'
nsx ip link set lo mtu 65536
# ESP (SPI), crafted ICMP errors: frag-needed (MTU), redirect (GATEWAY), parameter problem
py 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_RAW,50); s.sendto(bytes([0x12,0x34,0x56,0x78,0,0,0,1])+bytes(8),("127.0.0.1",0))'
Q='bytes([0x45,0,0,28,0,1,0,0,64,17,0,0,127,0,0,5,127,0,0,6,0x1b,0x58,0x1b,0x59,0,8,0,0])'
py "import socket; s=socket.socket(socket.AF_INET,socket.SOCK_RAW,1); s.sendto(bytes([3,4,0,0,0,0,0x05,0xdc])+$Q,('127.0.0.5',0))"
py "import socket; s=socket.socket(socket.AF_INET,socket.SOCK_RAW,1); s.sendto(bytes([5,1,0,0,10,1,2,3])+$Q,('127.0.0.5',0))"
py "import socket; s=socket.socket(socket.AF_INET,socket.SOCK_RAW,1); s.sendto(bytes([12,0,0,0,20,0,0,0])+$Q,('127.0.0.5',0))"
sleep 0.5

daemon_stop
check_eq "daemon exits 0" "$?" 0
check "cut group: a record was written" test -s "$T/cut.json"
cat "$T/all.json" "$T/cut.json" >"$T/both.json"
check_eq "records written" "$(python3 -c 'import sys; print(sum(1 for _ in open(sys.argv[1])) > 20)' "$T/both.json")" True
except="arp_htype,arp_ptype,arp_op,arp_sha,arp_spa,arp_tha,arp_tpa,mac_src,mac_dst,mac_proto"
except+=",prefix_hex,indev_hex,outdev_hex,physindev_hex,physoutdev_hex"
out=$(python3 "$NFLOGD_SRC/tests/e2e/check_json.py" "$T/both.json" --require-all --except "$except" 2>&1); rc=$?
echo "$out" | sed 's/^/#   /'
check_eq "every documented key present with its documented type" "$rc" 0
check "the copy_range cut shows as a truncated transport header" \
	grep -q '"truncated":"transport"' "$T/cut.json"
e2e_finish
