#!/usr/bin/env python3
"""Write the seed corpus of fuzz_record: NFLOG netlink datagrams.

    make_corpus.py [OUTDIR]     (default: corpus_record next to this file)

Each file is one datagram as the kernel sends it to an NFLOG socket:
NFULNL_MSG_PACKET messages (struct nlmsghdr, struct nfgenmsg, NFULA_*
attributes), sometimes several in a batch closed by NLMSG_DONE. The
packets are the real payloads of tests/data/kernel-lines.txt (captured
from the kernel together with its own LOG line), wrapped with the
attributes the kernel sends for them, plus hand-made cases for what the
capture lacks: ARP, the bridge family with a VLAN and an L2 header,
IPv4 options, IPv6 extension headers, ICMP errors, AH/ESP, fragments,
payloads cut by copy_range in the middle of a header, hostile prefixes.
The output is deterministic; rerun it after changing it.
"""
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "kernel-lines.txt")

NFULA = dict(PACKET_HDR=1, MARK=2, TIMESTAMP=3, IFINDEX_INDEV=4, IFINDEX_OUTDEV=5,
             IFINDEX_PHYSINDEV=6, IFINDEX_PHYSOUTDEV=7, HWADDR=8, PAYLOAD=9, PREFIX=10,
             UID=11, SEQ=12, SEQ_GLOBAL=13, GID=14, HWTYPE=15, HWHEADER=16, HWLEN=17,
             CT=18, CT_INFO=19, VLAN=20, L2HDR=21)
MSG_PACKET = (4 << 8) | 0   # NFNL_SUBSYS_ULOG, NFULNL_MSG_PACKET
NLMSG_DONE = 3
NLA_F_NESTED = 0x8000


def attr(kind, payload, nested=False):
    t = NFULA[kind] if isinstance(kind, str) else kind
    if nested:
        t |= NLA_F_NESTED
    a = struct.pack("=HH", 4 + len(payload), t) + payload
    return a + b"\0" * (-len(a) % 4)


def be32(v):
    return struct.pack(">I", v)


def message(family, group, attrs, seq=0):
    body = struct.pack(">BBH", family, 0, group) + b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body), MSG_PACKET, 0, seq, 0) + body


def done(seq=0):
    return struct.pack("=IHHII", 20, NLMSG_DONE, 2, seq, 0) + b"\0\0\0\0"


def record(family, proto, hook, payload, prefix=b"", indev=0, outdev=0, hwtype=None,
           hwhdr=None, mark=None, uid=None, gid=None, seq=1, ts=True, hwaddr=None,
           physin=0, physout=0, vlan=None, l2hdr=None, ct_info=None, group=7):
    a = [attr("PACKET_HDR", struct.pack(">HBB", proto, hook, 0))]
    if mark:
        a.append(attr("MARK", be32(mark)))
    if ts:
        a.append(attr("TIMESTAMP", struct.pack(">QQ", 1795000000 + seq, 472765)))
    for kind, idx in (("IFINDEX_INDEV", indev), ("IFINDEX_OUTDEV", outdev),
                      ("IFINDEX_PHYSINDEV", physin), ("IFINDEX_PHYSOUTDEV", physout)):
        if idx:
            a.append(attr(kind, be32(idx)))
    if hwaddr is not None:
        a.append(attr("HWADDR", struct.pack(">HH", len(hwaddr), 0) + hwaddr.ljust(8, b"\0")))
    if hwtype is not None:
        a.append(attr("HWTYPE", struct.pack(">H", hwtype)))
    if hwhdr is not None:
        a.append(attr("HWHEADER", hwhdr))
        a.append(attr("HWLEN", struct.pack(">H", len(hwhdr))))
    if vlan is not None:
        a.append(attr("VLAN", attr(1, struct.pack(">H", vlan[0])) +
                      attr(2, struct.pack(">H", vlan[1])), nested=True))
    if l2hdr is not None:
        a.append(attr("L2HDR", l2hdr))
    if payload is not None:
        a.append(attr("PAYLOAD", payload))
    a.append(attr("PREFIX", prefix + b"\0"))
    if uid is not None:
        a.append(attr("UID", be32(uid)))
    if gid is not None:
        a.append(attr("GID", be32(gid)))
    if ct_info is not None:
        a.append(attr("CT_INFO", be32(ct_info)))
    a.append(attr("SEQ", be32(seq)))
    a.append(attr("SEQ_GLOBAL", be32(seq + 1000)))
    return message(family, group, a, seq)


def kernel_records():
    """(record kwargs) for each distinct R line of kernel-lines.txt."""
    seen = set()
    out = []
    with open(DATA) as f:
        for line in f:
            if not line.startswith("R "):
                continue
            kv = dict(w.split("=", 1) for w in line.split()[1:])
            key = (kv["payload"], kv["hook"], kv["hwhdr"], kv["mark"], kv["uid"])
            if key in seen:
                continue
            seen.add(key)

            def idx(v):
                return int(v.split(":")[0])

            def opt(v, conv=int):
                return None if v == "-" else conv(v)
            out.append(dict(
                family=int(kv["family"]), proto=int(kv["proto"], 16), hook=int(kv["hook"]),
                payload=bytes.fromhex(kv["payload"]) if kv["payload"] != "-" else None,
                prefix=bytes.fromhex(kv["prefix"]) if kv["prefix"] != "-" else b"",
                indev=idx(kv["in"]), outdev=idx(kv["out"]),
                physin=idx(kv["pin"]), physout=idx(kv["pout"]),
                hwtype=opt(kv["hwtype"]),
                hwhdr=opt(kv["hwhdr"], bytes.fromhex),
                mark=opt(kv["mark"], lambda v: int(v, 0)),
                uid=opt(kv["uid"]), gid=opt(kv["gid"])))
    return out


def ip4(proto, body, opts=b"", frag=0x4000, tot=None, ihl=None, src=b"\x7f\0\0\1", dst=b"\x7f\0\0\1"):
    hl = 20 + len(opts)
    ihl = hl // 4 if ihl is None else ihl
    tot = hl + len(body) if tot is None else tot
    return struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, tot, 0x1234, frag, 64, proto, 0, src, dst) + opts + body


def ip6(nexthdr, body, plen=None):
    lo = b"\0" * 15 + b"\1"
    plen = len(body) if plen is None else plen
    return struct.pack(">IHBB16s16s", 0x60012345, plen, nexthdr, 64, lo, lo) + body


TCP = struct.pack(">HHIIBBHHH", 40000, 22, 1, 0, 0x80, 0x02, 65535, 0, 0) + \
    bytes.fromhex("020405b40402080a0000000100000000010303")[:12]
UDP = struct.pack(">HHHH", 40000, 53, 12, 0) + b"abcd"
ICMP_ECHO = struct.pack(">BBHHH", 8, 0, 0, 7, 1) + b"ping"


def handmade():
    eth = bytes.fromhex("02000000000102000000000208 00".replace(" ", ""))
    cases = []
    add = cases.append
    # IPv4 with options (record route, timestamp, a bad length)
    add(record(2, 0x0800, 1, ip4(6, TCP, opts=bytes.fromhex("0707040000000000")), indev=1,
               hwtype=1, hwhdr=eth))
    add(record(2, 0x0800, 1, ip4(17, UDP, opts=bytes.fromhex("4428050100000000000000ff")), indev=1))
    add(record(2, 0x0800, 3, ip4(17, UDP, opts=b"\x01\x01\x07\x0f"), outdev=1))
    # bad IHL (below 5, above the data), impossible total lengths
    add(record(2, 0x0800, 3, ip4(6, TCP, ihl=3), outdev=1))
    add(record(2, 0x0800, 3, ip4(6, TCP, ihl=15), outdev=1))
    add(record(2, 0x0800, 3, ip4(17, UDP, tot=0xffff), outdev=1))
    add(record(2, 0x0800, 3, ip4(17, UDP, tot=3), outdev=1))
    # fragments: first, middle with odd offset, AH non-first
    add(record(2, 0x0800, 3, ip4(17, UDP, frag=0x2000), outdev=1))
    add(record(2, 0x0800, 3, ip4(17, b"xyz", frag=0x2003), outdev=1))
    add(record(2, 0x0800, 3, ip4(51, b"\0" * 12, frag=0x0001), outdev=1))
    # ICMP: echo, errors quoting TCP/UDP, redirect, frag needed, param problem
    add(record(2, 0x0800, 3, ip4(1, ICMP_ECHO), outdev=1))
    inner = ip4(17, UDP)[:28]
    add(record(2, 0x0800, 3, ip4(1, struct.pack(">BBHI", 3, 3, 0, 0) + inner), outdev=1))
    add(record(2, 0x0800, 3, ip4(1, struct.pack(">BBHHH", 3, 4, 0, 0, 1400) + ip4(6, TCP)[:28]), outdev=1))
    add(record(2, 0x0800, 3, ip4(1, struct.pack(">BB2s4s", 5, 1, b"\0\0", b"\x0a\0\0\1") + inner), outdev=1))
    add(record(2, 0x0800, 3, ip4(1, struct.pack(">BBHBxxx", 12, 0, 0, 20) + inner), outdev=1))
    add(record(2, 0x0800, 3, ip4(1, struct.pack(">BBHI", 11, 0, 0, 0) + ip4(1, ICMP_ECHO)), outdev=1))
    # AH, ESP, SCTP, GRE
    add(record(2, 0x0800, 3, ip4(51, struct.pack(">BBHII", 6, 4, 0, 0x1000, 1) + b"\0" * 12 + TCP), outdev=1))
    add(record(2, 0x0800, 3, ip4(50, struct.pack(">II", 0xdeadbeef, 1) + b"\0" * 16), outdev=1))
    add(record(2, 0x0800, 3, ip4(132, b"\0" * 12), outdev=1))
    # IPv6 extension headers: hop-by-hop, routing, destination, fragment, AH, ESP
    hbh = struct.pack(">BB", 43, 0) + b"\x01\x04\0\0\0\0"
    rt = struct.pack(">BBBB", 60, 2, 0, 1) + b"\0" * 4 + b"\0" * 16
    dst = struct.pack(">BB", 44, 0) + b"\x01\x04\0\0\0\0"
    frag = struct.pack(">BBHI", 17, 0, 0x0001, 0xabcdef01)
    add(record(10, 0x86dd, 3, ip6(0, hbh + rt + dst + frag + UDP), outdev=1))
    add(record(10, 0x86dd, 3, ip6(44, struct.pack(">BBHI", 6, 0, 0x0579, 7) + b"tail"), outdev=1))
    add(record(10, 0x86dd, 3, ip6(51, struct.pack(">BBHII", 50, 4, 0, 0x2000, 1) + b"\0" * 12 +
                                      struct.pack(">II", 0x3000, 2)), outdev=1))
    add(record(10, 0x86dd, 3, ip6(0, struct.pack(">BB", 0, 0) + b"\x01\x04\0\0\0\0" * 1), outdev=1))
    add(record(10, 0x86dd, 3, ip6(0, struct.pack(">BB", 6, 200) + b"\0" * 6), outdev=1))
    add(record(10, 0x86dd, 3, ip6(59, b""), outdev=1))
    # ICMPv6: echo, packet too big, parameter problem, unreachable quoting TCP
    add(record(10, 0x86dd, 3, ip6(58, struct.pack(">BBHHH", 128, 0, 0, 9, 3)), outdev=1))
    add(record(10, 0x86dd, 3, ip6(58, struct.pack(">BBHI", 2, 0, 0, 1280) + ip6(17, UDP)[:48]), outdev=1))
    add(record(10, 0x86dd, 3, ip6(58, struct.pack(">BBHI", 4, 1, 0, 40) + ip6(6, TCP)), outdev=1))
    add(record(10, 0x86dd, 3, ip6(58, struct.pack(">BBHI", 1, 4, 0, 0) + ip6(6, TCP)), outdev=1))
    # cut by copy_range in the middle of headers
    full4 = ip4(6, TCP, opts=b"\x01\x01\x01\x01")
    full6 = ip6(0, hbh + TCP)
    for n in (1, 19, 20, 23, 24, 27, 41):
        add(record(2, 0x0800, 3, full4[:n], outdev=1, seq=n))
    for n in (8, 39, 40, 41, 47, 48, 60):
        add(record(10, 0x86dd, 3, full6[:n], outdev=1, seq=n))
    # ARP (family arp), bridge family with VLAN and L2 header, netdev
    arp = struct.pack(">HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, b"\x02\0\0\0\0\1", b"\x0a\0\0\1",
                      b"\0" * 6, b"\x0a\0\0\2")
    add(record(3, 0x0806, 1, arp, indev=2, hwtype=1, hwhdr=eth[:12] + b"\x08\x06",
               hwaddr=b"\x02\0\0\0\0\1"))
    add(record(7, 0x0800, 0, ip4(17, UDP), indev=3, physin=4, hwtype=1, hwhdr=eth,
               vlan=(0x8100, 0x2064), l2hdr=eth[:12] + b"\x81\x00\x20\x64\x08\x00"))
    add(record(7, 0x0806, 0, arp[:10], indev=3, physin=4, hwtype=1, hwhdr=eth[:12] + b"\x08\x06"))
    add(record(5, 0x86dd, 0, ip6(17, UDP), indev=5, hwtype=1, hwhdr=eth))
    add(record(2, 0x0800, 1, ip4(17, UDP), indev=6, hwtype=776, hwhdr=b"\x0a\0\0\1\x0a\0\0\2"))
    # hostile prefixes and no payload (copymode meta), no timestamp
    for p in (b"a\nb\r\x1b[31mred\x1b[0m\\ \"q\" ", b"\xff\xfe bad utf8 \xc3\x28 ", b"\xc2\x85nel\x7f ",
              "ünïcödé ".encode(), b"x" * 127):
        add(record(2, 0x0800, 3, ip4(17, UDP), prefix=p, outdev=1, uid=0, gid=0, ts=False))
    add(record(2, 0x0800, 3, None, prefix=b"meta ", outdev=1, mark=0x2a, ct_info=2))
    return cases


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus_record")
    os.makedirs(out, exist_ok=True)
    msgs = [record(**kw, seq=i + 1) for i, kw in enumerate(kernel_records())]
    hand = handmade()
    files = msgs + hand
    # a few batches, as the kernel sends them with qthresh > 1
    for i in range(0, 12, 4):
        files.append(b"".join(msgs[i:i + 4]) + done())
    files.append(b"".join(hand[:8]) + done())
    total = 0
    for data in files:
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        total += len(data)
    print(f"{out}: {len(files)} datagrams, {total} bytes")


if __name__ == "__main__":
    main()
