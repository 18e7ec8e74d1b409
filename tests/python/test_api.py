"""nflogr's API as its README documents it: module functions, constants,
exceptions, the Nflog handle's methods and attributes, NflogData's 14
attributes and dict(data), iteration, the context manager; and what this
module adds (flags, seq, lost, hook, family, copy_range, netns, text(),
json(), decode(), docstrings, the .pyi stub)."""
import errno
import inspect
import json
import os
import select
import socket
import warnings

import pytest

import nflogr
from conftest import SRC, run, send_udp, table, wait_until

NFLOGR_ATTRS = ["proto", "hwtype", "nfmark", "timestamp", "indev", "physindev", "outdev",
                "physoutdev", "uid", "gid", "hwaddr", "hwhdr", "payload", "prefix"]


def test_constants_and_exceptions():
    assert (nflogr.COPY_NONE, nflogr.COPY_META, nflogr.COPY_PACKET) == (0, 1, 2)
    assert (nflogr.ENOBUFS_RAISE, nflogr.ENOBUFS_HANDLE, nflogr.ENOBUFS_DISABLE) == (0, 1, 2)
    assert (nflogr.FLAG_SEQ, nflogr.FLAG_SEQ_GLOBAL, nflogr.FLAG_CONNTRACK) == (1, 2, 4)
    assert nflogr.LOG_ALL == 0x2f
    assert issubclass(nflogr.NflogError, Exception)
    for name in ("NflogRetryError", "NflogDroppedError", "NflogClosedError"):
        assert issubclass(getattr(nflogr, name), nflogr.NflogError)
        assert getattr(nflogr, name).__module__ == "nflogr"
    assert nflogr.__version__.count(".") == 2


def test_docstrings_everywhere():
    assert "nflogr" in nflogr.__doc__ and "open" in nflogr.__doc__
    assert "group" in nflogr.open.__doc__ and "enobufs" in nflogr.open.__doc__
    for cls in (nflogr.Nflog, nflogr.NflogData):
        assert cls.__doc__
        for name, member in inspect.getmembers(cls):
            if not name.startswith("_"):
                assert member.__doc__, f"{cls.__name__}.{name} has no docstring"
    for name in ("queue", "next", "loop", "close", "getfd", "getgroup"):
        sig = getattr(nflogr.Nflog, name).__text_signature__
        assert sig is not None, name
    assert str(inspect.signature(nflogr.Nflog.loop)) == "(self, /, fn, count=-1)"
    assert "enobufs=0" in str(inspect.signature(nflogr.open))


def test_stub_matches_the_module():
    stub = open(os.path.join(SRC, "python", "nflogr.pyi")).read()
    for name in dir(nflogr):
        if not name.startswith("_") or name == "__version__":
            assert name in stub, f"{name} missing from nflogr.pyi"
    for cls in (nflogr.Nflog, nflogr.NflogData):
        for name in dir(cls):
            if not name.startswith("__"):
                assert f"def {name}(" in stub or f"{name}:" in stub, f"{cls.__name__}.{name}"


@pytest.mark.parametrize("kwargs,what", [
    ({"group": -1}, "group"), ({"group": 65536}, "group"),
    ({"group": 1, "timeout": -0.5}, "timeout"), ({"group": 1, "qthresh": -1}, "qthresh"),
    ({"group": 1, "rcvbuf": 2**31}, "rcvbuf"), ({"group": 1, "nlbuf": 1000}, "nlbuf"),
    ({"group": 1, "enobufs": 3}, "enobufs"), ({"group": 1, "copymode": 5}, "copymode"),
    ({"group": 1, "flags": 0x100}, "flags"), ({"group": 1, "copy_range": 70000}, "copy_range"),
])
def test_open_refuses_values_out_of_range(kwargs, what):
    with pytest.raises(ValueError, match=what):
        nflogr.open(**kwargs)


def test_open_errors_say_why(ns):
    with nflogr.open(5):
        with pytest.raises(PermissionError, match="already bound by another process") as e:
            nflogr.open(5)
        assert e.value.errno == errno.EPERM
    with pytest.raises(TypeError):
        nflogr.open("five")
    with pytest.raises(TypeError):
        nflogr.open(5, bogus=1)


def test_open_arguments_positional_and_keyword(ns):
    # open(group, timeout, qthresh, rcvbuf, nlbuf, enobufs, copymode)
    a = nflogr.open(11, 0.5, 4, 1 << 20, 8192, nflogr.ENOBUFS_HANDLE, nflogr.COPY_META)
    b = nflogr.open(group=12, timeout=0.5, qthresh=4, rcvbuf=1 << 20, nlbuf=8192,
                    enobufs=nflogr.ENOBUFS_HANDLE, copymode=nflogr.COPY_META,
                    flags=nflogr.FLAG_SEQ, copy_range=100)
    assert (a.getgroup(), b.getgroup()) == (11, 12)
    assert a.rcvbuf == b.rcvbuf == 1 << 20
    assert (a.flags, b.flags) == (0, nflogr.FLAG_SEQ)
    assert (a.copy_range, b.copy_range) == (65535, 100)
    with pytest.raises(TypeError):
        nflogr.open(13, 0, 1, 0, 0, 0, 2, 1)  # flags is keyword-only
    a.close()
    b.close()


def test_handle_methods_and_attributes(ns):
    ns.log_rules("output", 'udp dport 7001 log group 21 prefix "api "')
    nflog = nflogr.open(21, flags=nflogr.FLAG_SEQ)
    assert isinstance(nflog, nflogr.Nflog)
    fd = nflog.getfd()
    assert isinstance(fd, int) and fd == nflog.fileno() and fd >= 0
    assert nflog.getgroup() == 21
    assert nflog.queued == 0 and len(nflog) == 0
    assert nflog.queue(False) == 0 and nflog.queue(wait=False) == 0
    assert nflog.next(False) is None and nflog.next(wait=False) is None
    send_udp("127.0.0.1", 7001, count=3)
    assert wait_until(lambda: select.select([fd], [], [], 0)[0])
    assert nflog.queue() == 1  # qthresh 1: one record per datagram
    assert nflog.queued == 1 and type(nflog.queued) is int
    data = nflog.next()
    assert isinstance(data, nflogr.NflogData) and data.seq == 0
    seen = []
    assert nflog.loop(seen.append, 1) is None and len(seen) == 1
    assert nflog.loop(fn=seen.append, count=1) is None and len(seen) == 2
    assert [d.seq for d in seen] == [1, 2]
    assert (nflog.received, nflog.lost, nflog.lost_exact) == (3, 0, True)
    assert (nflog.drops, nflog.truncated, nflog.malformed, nflog.unsequenced) == (0, 0, 0, 0)
    assert nflog.closed is False
    with pytest.raises(AttributeError):
        nflog.queued = 5
    with pytest.raises(AttributeError):
        nflog.lost = 0
    nflog.close()
    assert nflog.closed is True
    assert nflog.getfd() is None and nflog.rcvbuf is None
    with pytest.raises(ValueError):
        nflog.fileno()
    with pytest.raises(nflogr.NflogClosedError):
        nflog.next()
    assert nflog.queue() == 0
    nflog.close()  # twice is fine


def test_rcvbuf_and_drops_setters(ns):
    with nflogr.open(22, rcvbuf=65536) as nflog:
        assert nflog.rcvbuf == 65536
        nflog.rcvbuf = 1 << 21
        assert nflog.rcvbuf == 1 << 21
        with pytest.raises(ValueError):
            nflog.rcvbuf = -1
        nflog.drops = 0
        with pytest.raises(ValueError, match="only be set to 0"):
            nflog.drops = 3


def test_context_manager_and_iteration(ns):
    ns.log_rules("output", 'udp dport 7002 log group 23 prefix "ctx "')
    with nflogr.open(23) as nflog:
        assert iter(nflog) is nflog
        send_udp("127.0.0.1", 7002, count=2)
        got = [data.prefix for _, data in zip(range(2), nflog)]
    assert got == ["ctx ", "ctx "]
    assert nflog.closed
    assert list(nflog) == []  # closed and drained: the for loop just ends


def test_nflogdata_attributes_and_dict(ns):
    ns.log_rules("output", 'udp dport 7003 log group 24 prefix "dict "')
    with nflogr.open(24, flags=nflogr.FLAG_SEQ | nflogr.FLAG_SEQ_GLOBAL) as nflog:
        send_udp("127.0.0.1", 7003)
        data = nflog.next()
    d = dict(data)
    assert list(d) == NFLOGR_ATTRS
    for key, value in d.items():
        assert value == getattr(data, key)
    assert (type(d["proto"]), type(d["hwtype"]), type(d["nfmark"])) == (int, int, int)
    assert type(d["timestamp"]) is float and type(d["prefix"]) is str
    assert type(d["payload"]) is bytes and d["hwhdr"] is None and d["hwaddr"] is None
    assert d["outdev"] == "lo" and d["indev"] is None and d["uid"] == 0
    assert data.prefix_bytes == b"dict " and data.group == 24
    assert data.seq == 0 and isinstance(data.seq_global, int)
    assert (data.hook, data.hook_name, data.family, data.family_name) == (3, "output", 2, "ipv4")
    assert (data.outdev_index, data.indev_index) == (1, None)
    assert (data.physindev_index, data.physoutdev_index, data.ct_info) == (None, None, None)
    assert data.timestamp_from_kernel is False
    for name in NFLOGR_ATTRS:
        with pytest.raises(AttributeError):
            setattr(data, name, 1)
    r = repr(data)
    for part in ("hook=output", "prefix='dict '", "src=127.0.0.1", "dst=127.0.0.1", "dpt=7003"):
        assert part in r


def test_text_json_decode(ns):
    ns.log_rules("output", 'tcp dport 7004 log group 25 prefix "fmt "')
    with nflogr.open(25, flags=nflogr.FLAG_SEQ) as nflog:
        run("bash", "-c", "echo x > /dev/tcp/127.0.0.1/7004", check=False)
        data = nflog.next()
    line = data.text()
    assert line.startswith("fmt IN= OUT=lo SRC=127.0.0.1 DST=127.0.0.1 LEN=60 ")
    assert " SEQ=" not in line and " OPT (" not in line and " UID=0 " not in line
    everything = data.text("all")
    assert " SEQ=" in everything and " OPT (" in everything and " UID=0 GID=0 " in everything
    assert data.text(["tcp sequence", "skuid"]) == data.text(nflogr.LOG_TCPSEQ | nflogr.LOG_UID)
    assert data.text(log_flags=("tcp options",)) == data.text(nflogr.LOG_TCPOPT)
    with pytest.raises(ValueError, match="unknown log flag"):
        data.text("tcp seq")
    obj = json.loads(data.json())
    decoded = data.decode()
    assert decoded == obj and list(decoded) == list(obj)
    assert decoded["prefix"] == "fmt " and decoded["seq"] == 0 and decoded["dpt"] == 7004
    assert decoded["tcp_flags"] == ["SYN"] and decoded["protocol"] == "TCP"
    assert decoded["src"] == "127.0.0.1" and decoded["df"] is True


def test_netns_option(ns):
    """open(netns=) from outside the namespace: a record names its interface."""
    peer = ns.add_netns("peer")
    run("ip", "-n", peer, "link", "add", "nfxpy0", "type", "veth", "peer", "name", "nfxpy1")
    for link in ("nfxpy0", "nfxpy1"):
        run("ip", "-n", peer, "link", "set", link, "up")
    run("ip", "-n", peer, "addr", "add", "10.98.0.1/24", "dev", "nfxpy0")
    run("ip", "netns", "exec", peer, "nft", "-f", "-",
        input=table("t", "output", 'udp dport 7005 log group 26 prefix "peer "'))
    with open(f"/run/netns/{peer}") as f:
        nflog = nflogr.open(26, netns=f)
    run("ip", "netns", "exec", peer, "/usr/bin/python3", "-c",
        "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
        ".sendto(b'x', ('10.98.0.2', 7005))")
    data = nflog.next()
    assert (data.prefix, data.outdev) == ("peer ", "nfxpy0")
    with pytest.raises(OSError):  # no such interface in the test's own namespace
        socket.if_nametoindex("nfxpy0")
    nflog.close()
    with pytest.raises(OSError, match="namespace"):
        nflogr.open(27, netns=0)


def test_conntrack_flag_refused_or_taken(ns):
    """A kernel without conntrack netlink support refuses the flag: the
    group opens without it, flags says so and a RuntimeWarning says why."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nflog = nflogr.open(28, flags=nflogr.FLAG_SEQ | nflogr.FLAG_CONNTRACK)
    if nflog.flags & nflogr.FLAG_CONNTRACK:
        assert not caught
    else:
        assert nflog.flags == nflogr.FLAG_SEQ
        assert [w.category for w in caught] == [RuntimeWarning]
        assert "refused the conntrack flag" in str(caught[0].message)
    nflog.close()
