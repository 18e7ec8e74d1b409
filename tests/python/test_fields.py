"""Every field of a record with values the test knows: mark, prefix,
uid/gid 65534 (setpriv), IPv4 and IPv6, every hook (prerouting, input,
forward, output, postrouting; the last two without a kernel timestamp),
link-layer fields, copy modes, and text()/decode() on each of them."""
import json
import socket
import struct
import time

import pytest

import nflogr
from conftest import run, send_udp


def read(nflog, n):
    return [nflog.next() for _ in range(n)]


def check_formats(data):
    assert json.loads(data.json()) == data.decode()
    assert " OUT=" in data.text()


def test_output_v4_as_nobody_with_mark(ns):
    ns.log_rules("output", 'udp dport 7101 meta mark set 0x1234 log group 31 prefix "out4 "')
    with nflogr.open(31, flags=nflogr.FLAG_SEQ) as nflog:
        before = time.time()
        send_udp("127.0.0.1", 7101, b"hello", uid=65534)
        d = nflog.next()
        after = time.time()
    assert (d.prefix, d.prefix_bytes, d.nfmark) == ("out4 ", b"out4 ", 0x1234)
    assert (d.uid, d.gid) == (65534, 65534)
    assert (d.proto, d.hwtype, d.family, d.hook, d.hook_name) == (0x0800, 0, 2, 3, "output")
    assert (d.indev, d.outdev, d.physindev, d.physoutdev) == (None, "lo", None, None)
    assert (d.hwaddr, d.hwhdr) == (None, None)
    assert len(d.payload) == 33 and d.payload.endswith(b"hello") and d.payload[0] == 0x45
    assert struct.unpack("!H", d.payload[22:24])[0] == 7101
    assert d.timestamp_from_kernel is False and before - 1 <= d.timestamp <= after + 1
    assert " UID=65534 GID=65534 MARK=0x1234 " in d.text("skuid")
    dec = d.decode()
    assert (dec["src"], dec["dst"], dec["protocol"], dec["dpt"]) == ("127.0.0.1", "127.0.0.1",
                                                                      "UDP", 7101)
    assert (dec["uid"], dec["nfmark"], dec["timestamp_source"]) == (65534, 0x1234, "receive")
    check_formats(d)


def test_input_v6_link_layer(ns):
    ns.log_rules("input", 'udp dport 7102 log group 32 prefix "in6 "')
    with nflogr.open(32) as nflog:
        send_udp("::1", 7102, b"six")
        d = nflog.next()
    assert (d.family, d.family_name, d.proto, d.hook_name) == (10, "ipv6", 0x86dd, "input")
    assert (d.indev, d.outdev, d.uid, d.gid, d.nfmark) == ("lo", None, None, None, 0)
    assert d.hwtype == 772  # ARPHRD_LOOPBACK
    assert d.hwaddr == bytes(6) and len(d.hwhdr) == 14 and d.hwhdr[12:] == b"\x86\xdd"
    assert d.timestamp_from_kernel is True and abs(d.timestamp - time.time()) < 5
    assert d.payload[0] >> 4 == 6 and d.payload.endswith(b"six")
    dec = d.decode()
    assert (dec["src"], dec["dst"], dec["hoplimit"]) == ("::1", "::1", 64)
    assert d.text().startswith("in6 IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:86:dd "
                               "SRC=0000:0000:0000:0000:0000:0000:0000:0001 ")
    check_formats(d)


def test_every_hook(ns):
    """A client namespace sends through this one (a router) to a server
    namespace: prerouting, forward, postrouting here; then output,
    postrouting, prerouting and input of this namespace's own reply."""
    client, server = ns.add_netns("cl"), ns.add_netns("sv")
    for peer, net, name in ((client, "10.91.1", "nfxc"), (server, "10.91.2", "nfxs")):
        run("ip", "link", "add", name, "type", "veth", "peer", "name", "p", "netns", peer)
        run("ip", "addr", "add", f"{net}.1/24", "dev", name)
        run("ip", "link", "set", name, "up")
        run("ip", "-n", peer, "addr", "add", f"{net}.2/24", "dev", "p")
        run("ip", "-n", peer, "link", "set", "p", "up")
        run("ip", "-n", peer, "route", "add", "default", "via", f"{net}.1")
    run("sysctl", "-qw", "net.ipv4.ip_forward=1")
    rules = {hook: f'udp dport 7103 log group 33 prefix "{hook} "'
             for hook in ("prerouting", "input", "forward", "output", "postrouting")}
    for hook, rule in rules.items():
        ns.log_rules(hook, rule)
    with nflogr.open(33, flags=nflogr.FLAG_SEQ) as nflog:
        run("ip", "netns", "exec", client, "/usr/bin/python3", "-c",
            "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
            ".sendto(b'fwd', ('10.91.2.2', 7103))")
        send_udp("10.91.1.1", 7103, b"local")  # to this namespace's own address: lo
        got = {d.prefix.strip() + ("-lo" if d.payload.endswith(b"local") else ""): d
               for d in read(nflog, 7)}
    assert sorted(got) == ["forward", "input-lo", "output-lo", "postrouting", "postrouting-lo",
                           "prerouting", "prerouting-lo"]
    expect = {  # hook, kernel timestamp, indev, outdev
        "prerouting": (0, True, "nfxc", None), "forward": (2, True, "nfxc", "nfxs"),
        "postrouting": (4, False, "nfxc", "nfxs"), "output-lo": (3, False, None, "lo"),
        "postrouting-lo": (4, False, None, "lo"), "prerouting-lo": (0, True, "lo", None),
        "input-lo": (1, True, "lo", None),
    }
    for key, (hook, from_kernel, indev, outdev) in expect.items():
        d = got[key]
        assert (d.hook, d.timestamp_from_kernel, d.indev, d.outdev) == \
            (hook, from_kernel, indev, outdev), key
        assert abs(d.timestamp - time.time()) < 5, key
        check_formats(d)
    fwd = got["forward"]
    assert fwd.hwtype == 1 and len(fwd.hwaddr) == 6 and len(fwd.hwhdr) == 14  # Ethernet
    assert fwd.decode()["mac_src"] == ":".join(f"{b:02x}" for b in fwd.hwaddr)
    assert fwd.indev_index == socket.if_nametoindex("nfxc")
    assert fwd.outdev_index == socket.if_nametoindex("nfxs")
    assert fwd.text("ether").startswith("forward IN=nfxc OUT=nfxs MACSRC=")
    assert got["prerouting"].decode()["ttl"] == 64 and got["postrouting"].decode()["ttl"] == 63


def test_copy_modes(ns):
    ns.log_rules("output", 'udp dport 7104 log group 34 prefix "cm "',
                 'udp dport 7105 log group 35 prefix "cm "', 'udp dport 7106 log group 36 prefix "cm "')
    with nflogr.open(34, copymode=nflogr.COPY_META) as meta, \
            nflogr.open(35, copy_range=30) as cut, \
            nflogr.open(36, copymode=nflogr.COPY_NONE) as none:
        for port in (7104, 7105, 7106):
            send_udp("127.0.0.1", port, b"y" * 100)
        m, c, n = meta.next(), cut.next(), none.next()
    assert (m.payload, n.payload) == (None, None) and m.prefix == n.prefix == "cm "
    assert len(c.payload) == 30 and cut.copy_range == 30
    assert c.decode()["payload_len"] == 30 and "protocol" in c.decode()
    for d in (m, c, n):
        check_formats(d)


def test_prefix_that_is_not_utf8(ns):
    """nflogr loses such a record behind a SystemError: here it arrives."""
    prefix = b"bad\xff\xfe ok\xc3\xa9 "
    ns.log_rules("output", b'udp dport 7107 log group 37 prefix "' + prefix + b'"')
    with nflogr.open(37) as nflog:
        send_udp("127.0.0.1", 7107)
        d = nflog.next()
    assert d.prefix_bytes == prefix
    assert d.prefix == "bad\ufffd\ufffd ok\u00e9 "
    assert dict(d)["prefix"] == d.prefix
    dec = d.decode()
    assert dec["prefix"] == d.prefix and dec["prefix_hex"] == prefix.hex()
    # the text line escapes as nflogd's text format does (doc/text-format.md)
    assert d.text().startswith("bad\\xff\\xfe ok\\xc3\\xa9 IN= OUT=lo ")
    check_formats(d)


def test_interface_name_that_is_not_utf8(ns):
    name = b"v\xff\x1bq"
    peer = ns.add_netns("p")
    run("ip", "link", "add", name, "type", "veth", "peer", "name", "p", "netns", peer)
    run("ip", "addr", "add", "10.92.0.1/24", "dev", name)
    run("ip", "link", "set", name, "up")
    run("ip", "-n", peer, "link", "set", "p", "up")
    ns.log_rules("output", 'udp dport 7108 log group 38 prefix "if "')
    with nflogr.open(38) as nflog:
        send_udp("10.92.0.2", 7108)
        d = nflog.next()
    assert d.outdev.encode("utf-8", "surrogateescape") == name  # as os.fsdecode
    assert d.decode()["outdev_hex"] == name.hex()
    check_formats(d)


def test_interface_renamed(ns):
    """Names are read when the record is: a rename shows in later records."""
    peer = ns.add_netns("p")
    run("ip", "link", "add", "nfxold", "type", "veth", "peer", "name", "p", "netns", peer)
    run("ip", "addr", "add", "10.93.0.1/24", "dev", "nfxold")
    run("ip", "link", "set", "nfxold", "up")
    ns.log_rules("output", 'udp dport 7109 log group 39 prefix "ren "')
    with nflogr.open(39) as nflog:
        send_udp("10.93.0.2", 7109)
        assert nflog.next().outdev == "nfxold"
        run("ip", "link", "set", "nfxold", "down")
        run("ip", "link", "set", "nfxold", "name", "nfxnew")
        run("ip", "link", "set", "nfxnew", "up")
        run("ip", "addr", "replace", "10.93.0.1/24", "dev", "nfxnew")
        time.sleep(0.05)
        send_udp("10.93.0.2", 7109)
        assert nflog.next().outdev == "nfxnew"


@pytest.mark.parametrize("flags", [nflogr.FLAG_SEQ_GLOBAL])
def test_global_sequence(ns, flags):
    ns.log_rules("output", 'udp dport 7110 log group 40 prefix "g "')
    with nflogr.open(40, flags=flags) as nflog:
        send_udp("127.0.0.1", 7110, count=2)
        a, b = nflog.next(), nflog.next()
    assert a.seq is None and b.seq_global == a.seq_global + 1
    assert nflog.lost_exact is False
