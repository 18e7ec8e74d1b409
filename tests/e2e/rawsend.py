#!/usr/bin/env python3
"""Send hand-built, mostly malformed IP packets through raw sockets.

    rawsend.py SET [--ttl N] [--list]

SET is "malformed" (truncated TCP/UDP/ICMP headers, oversized and broken
IPv4 options, odd fragment offsets, IPv6 extension-header chains that are
long or run off the end, impossible IPv6 lengths, ...), "link" (IPv4
headers with a bad IHL or an impossible total length, which the IP layer
will not send: Ethernet frames on lo through a packet socket, for a
netdev ingress chain) or "cut" (well-formed packets that copy_range cuts
in the middle of a header).
IPv4 packets go out through an IP_HDRINCL socket to 127.77.0.1, IPv6 ones
through an IPPROTO_RAW (header-included) socket to ::1, every one with the
given TTL / hop limit so that nft rules can pick exactly these out.
The kernel passes such packets to the OUTPUT hook as they are (for IPv4 it
only fills in the total length and checksum when IHL >= 5), where nft
`log` and `log group` both see them. Prints one line per packet sent:
"v4|v6|link NAME". Run as root inside the test's network namespace.
"""
import argparse
import socket
import struct
import sys

V4_DST = "127.77.0.1"
LO4 = socket.inet_aton("127.0.0.1")
DST4 = socket.inet_aton(V4_DST)
LO6 = socket.inet_pton(socket.AF_INET6, "::1")


def ip4(proto, body, ttl, ihl=5, opts=b"", frag=0, tot=0, ident=0):
    hdr = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, tot, ident, frag, ttl, proto, 0, LO4, DST4)
    return hdr + opts + body


def ip6(nexthdr, body, hop, plen=None, flow=0):
    plen = len(body) if plen is None else plen
    return struct.pack(">IHBB16s16s", 0x60000000 | flow, plen, nexthdr, hop, LO6, LO6) + body


def tcp(sport=4001, dport=7201, flags=0x02, doff=5, opts=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, 1000, 0, doff << 4, flags, 512, 0, 0) + opts


def udp(sport=4001, dport=7202, payload=b"hi"):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def icmp(t, c, rest=b"\0\0\0\0", body=b""):
    return struct.pack(">BBH", t, c, 0) + rest + body


def ext(nexthdr, hdrlen_units=0, fill=None):
    """A hop-by-hop/destination options style header (8 * (1 + units) bytes)."""
    size = 8 * (hdrlen_units + 1)
    body = fill if fill is not None else b"\x01" + bytes([size - 4]) + b"\0" * (size - 4)
    return struct.pack(">BB", nexthdr, hdrlen_units) + body[: size - 2]


def malformed(ttl):
    """(name, family, packet) of the malformed set."""
    v4 = [
        ("ihl 15, 40 bytes of broken options", ip4(6, tcp(), ttl, ihl=15,
                                                   opts=b"\x07\x27\x04" + b"\xff" * 37)),
        ("option length past the header", ip4(6, tcp(), ttl, ihl=6, opts=b"\x44\x28\x05\x01")),
        ("option length 0", ip4(17, udp(), ttl, ihl=7, opts=b"\x83\x00" + b"\0" * 6)),
        ("TCP header cut at 10 bytes", ip4(6, tcp()[:10], ttl)),
        ("TCP doff 15 with no options", ip4(6, tcp(doff=15), ttl)),
        ("TCP doff 2", ip4(6, tcp(doff=2, flags=0xFF), ttl)),
        ("TCP options with bad lengths", ip4(6, tcp(doff=8, opts=b"\x02\x40\x05\xb4\x08\x00\x01\x03" + b"\x05\xff\0\0"), ttl)),
        ("UDP header cut at 4 bytes", ip4(17, udp()[:4], ttl)),
        ("UDP length 0xffff", ip4(17, struct.pack(">HHHH", 1, 2, 0xFFFF, 0), ttl)),
        ("no transport bytes", ip4(17, b"", ttl)),
        ("ICMP header cut at 3 bytes", ip4(1, icmp(8, 0)[:3], ttl)),
        ("ICMP echo cut at 6 bytes", ip4(1, icmp(8, 0)[:6], ttl)),
        ("ICMP unreachable quoting ihl 3", ip4(1, icmp(3, 3, body=bytes([0x43]) + b"\0" * 11), ttl)),
        ("ICMP unreachable quoting a cut header", ip4(1, icmp(3, 1, body=ip4(6, b"", 64)[:12]), ttl)),
        ("ICMP redirect cut short", ip4(1, icmp(5, 1, rest=b"\x0a\0\0\1")[:6], ttl)),
        ("ICMP parameter problem, no quote", ip4(1, icmp(12, 0, rest=b"\x14\0\0\0"), ttl)),
        ("UDP-Lite cut", ip4(136, b"\0\1", ttl)),
        ("AH cut at 4 bytes", ip4(51, b"\x06\x04\0\0", ttl)),
        ("ESP cut at 2 bytes", ip4(50, b"\xde\xad", ttl)),
        ("fragment offset 3, MF", ip4(6, tcp(), ttl, frag=0x2003)),
        ("fragment offset 8191", ip4(17, b"xyz", ttl, frag=0x1FFF)),
        ("DF and MF, offset 1, AH", ip4(51, b"\0" * 12, ttl, frag=0x6001)),
        ("CE bit, fragment with a TCP header", ip4(6, tcp(flags=0x3F), ttl, frag=0xA000)),
        ("unknown protocol 253", ip4(253, b"\0" * 5, ttl)),
    ]
    hbh8 = ext(17)
    v6 = [
        ("TCP header cut at 10 bytes", ip6(6, tcp()[:10], ttl, flow=11)),
        ("payload length 65535 over 8 bytes", ip6(17, udp()[:8], ttl, plen=0xFFFF, flow=12)),
        ("payload length 0", ip6(17, udp(), ttl, plen=0, flow=13)),
        ("hop-by-hop length 200 runs off the end", ip6(0, struct.pack(">BB", 17, 200) + b"\x01\x04\0\0\0\0", ttl, flow=14)),
        ("destination options with nothing after", ip6(60, b"", ttl, flow=15)),
        ("hop-by-hop naming hop-by-hop, cut", ip6(0, ext(0), ttl, flow=16)),
        ("a chain of 40 destination options headers", ip6(60, b"".join(ext(60) for _ in range(39)) + ext(17) + udp(), ttl, flow=17)),
        ("routing header, segments left 5", ip6(43, struct.pack(">BBBB", 6, 2, 0, 5) + b"\0" * 4 + LO6 + tcp(), ttl, flow=18)),
        ("fragment offset 24, M flag", ip6(44, struct.pack(">BBHI", 6, 0, (3 << 3) | 1, 0xA1B2C3D4) + tcp(), ttl, flow=19)),
        ("non-first fragment then garbage", ip6(44, struct.pack(">BBHI", 0, 0, (9 << 3), 7) + b"\xff" * 9, ttl, flow=20)),
        ("fragment header cut at 5 bytes", ip6(44, struct.pack(">BBHI", 6, 0, 1, 1)[:5], ttl, flow=21)),
        ("AH with length past the end", ip6(51, struct.pack(">BBHII", 6, 200, 0, 0x1234, 1), ttl, flow=22)),
        ("ESP cut at 3 bytes", ip6(50, b"\0\0\1", ttl, flow=23)),
        ("ICMPv6 cut at 3 bytes", ip6(58, icmp(128, 0)[:3], ttl, flow=24)),
        ("ICMPv6 echo cut at 6 bytes", ip6(58, icmp(128, 0)[:6], ttl, flow=25)),
        ("ICMPv6 unreachable quoting a cut header", ip6(58, icmp(1, 4, body=ip6(6, b"", 64)[:30]), ttl, flow=26)),
        ("ICMPv6 packet too big, quote with HBH off the end", ip6(58, icmp(2, 0, rest=b"\0\0\x05\0", body=ip6(0, b"\x06\x09", 64)), ttl, flow=27)),
        ("hop-by-hop then no next header", ip6(0, ext(59), ttl, flow=28)),
        ("UDP header cut at 7 bytes", ip6(17, udp()[:7], ttl, flow=29)),
    ]
    return [(n, 4, p) for n, p in v4] + [(n, 6, p) for n, p in v6]


def link(ttl):
    """IPv4 headers the IP layer refuses to send (IHL < 5) or drops on
    receipt (impossible total lengths): sent as Ethernet frames on lo
    through a packet socket, seen by a netdev ingress chain."""
    return [
        ("ihl 4, total length 65535", 0, ip4(6, tcp(), ttl, ihl=4, tot=0xFFFF, ident=1)[:16] + tcp()),
        ("ihl 0", 0, ip4(17, udp(), ttl, ihl=0, tot=28, ident=2)),
        ("ihl 3, total length 8", 0, ip4(6, tcp(), ttl, ihl=3, tot=8, ident=3)[:12] + tcp()),
        ("total length 10, below the header", 0, ip4(17, udp(), ttl, tot=10, ident=4)),
        ("total length 1500 over 30 bytes", 0, ip4(17, udp(), ttl, tot=1500, ident=5)),
        ("ihl 15 over a 24-byte packet", 0, ip4(6, b"", ttl, ihl=15, tot=24, ident=6, opts=b"\x01\x01\x01\x01")),
        ("header cut at 12 bytes", 0, ip4(17, b"", ttl, tot=20, ident=7)[:12]),
    ]


def cut(ttl):
    """Well-formed packets; copy_range cuts them."""
    return [
        ("TCP SYN", 4, ip4(6, tcp(), ttl, ident=7701)),
        ("ICMP echo", 4, ip4(1, icmp(8, 0, rest=b"\0\x07\0\x01"), ttl, ident=7702)),
        ("UDP", 4, ip4(17, udp(), ttl, ident=7703)),
        ("ihl 15 (NOP options), TCP", 4, ip4(6, tcp(), ttl, ihl=15, opts=b"\x01" * 40, ident=7704)),
        ("IPv6 TCP SYN", 6, ip6(6, tcp(), ttl, flow=7705)),
        ("IPv6 hop-by-hop, UDP", 6, ip6(0, ext(17) + udp(), ttl, flow=7706)),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("set", choices=["malformed", "cut", "link"])
    ap.add_argument("--ttl", type=int, default=66)
    ap.add_argument("--list", action="store_true", help="only print the names")
    args = ap.parse_args()
    cases = {"malformed": malformed, "cut": cut, "link": link}[args.set](args.ttl)
    if args.list:
        for name, fam, _ in cases:
            print(f"v{fam} {name}")
        return 0
    s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s4.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sl = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sl.bind(("lo", 0))
    failed = 0
    for name, fam, pkt in cases:
        try:
            if fam == 0:   # lo's link-layer header: zero addresses, EtherType
                sl.send(b"\0" * 12 + b"\x08\x00" + pkt)
            elif fam == 4:
                s4.sendto(pkt, (V4_DST, 0))
            else:
                s6.sendto(pkt, ("::1", 0))
            print(f"{'v%d' % fam if fam else 'link'} {name}")
        except OSError as e:
            print(f"v{fam} {name}: not sent: {e}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
