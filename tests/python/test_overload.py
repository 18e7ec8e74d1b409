"""Real socket overruns (a small receive buffer, a flood nobody reads)
under each enobufs policy: with flags=FLAG_SEQ received + lost = sent,
drops counts the overruns the kernel reports (nflogr's stays 0 under
ENOBUFS_RAISE); and 100k records read with every field leave the
process's memory flat."""
import gc
import os
import select
import subprocess
import time
import tracemalloc

import pytest

import nflogr
from conftest import ASAN, loadgen, send_udp

SENT = 3000


def flood(port, count):
    r = subprocess.run([loadgen(), "-c", str(count), "-p", str(port)], capture_output=True,
                       check=True)
    assert f"sent={count} ".encode() in r.stdout


def drain(nflog):
    """Read everything there is; the records read and the overruns raised."""
    got = raised = 0
    while True:
        try:
            data = nflog.next(wait=False)
        except nflogr.NflogDroppedError:
            raised += 1
            continue
        if data is None:
            return got, raised
        got += 1


@pytest.mark.parametrize("policy", ["ENOBUFS_RAISE", "ENOBUFS_HANDLE", "ENOBUFS_DISABLE"])
def test_books_balance_under_overload(ns, policy):
    ns.log_rules("output", 'udp dport 7301 log group 51 prefix "ovl "')
    nflog = nflogr.open(51, rcvbuf=16384, enobufs=getattr(nflogr, policy),
                        flags=nflogr.FLAG_SEQ)
    flood(7301, SENT)
    got, raised = drain(nflog)
    send_udp("127.0.0.1", 7301)  # a later record settles a gap at the end
    while True:
        try:
            nflog.next()
            got += 1
            break
        except nflogr.NflogDroppedError:
            raised += 1
    got += drain(nflog)[0]
    assert nflog.lost_exact
    assert got == nflog.received
    assert got + nflog.lost == SENT + 1, (got, nflog.lost)
    assert nflog.lost > 0, "the flood did not overrun the socket"
    if policy == "ENOBUFS_DISABLE":
        assert nflog.drops == 0 and raised == 0  # the kernel reports nothing
    else:
        assert nflog.drops > 0
        assert raised == (nflog.drops if policy == "ENOBUFS_RAISE" else 0)
    nflog.drops = 0
    assert nflog.drops == 0
    nflog.close()


def read_every_field(nflog, n, deadline):
    """Read n records and every field of each (or stop at the deadline)."""
    for _ in range(n):
        d = nflog.next(wait=False)
        while d is None and time.monotonic() < deadline:
            select.select([nflog.getfd()], [], [], 0.1)
            d = nflog.next(wait=False)
        if d is None:
            return
        (d.proto, d.hwtype, d.nfmark, d.timestamp, d.indev, d.physindev, d.outdev,
         d.physoutdev, d.uid, d.gid, d.hwaddr, d.hwhdr, d.payload, d.prefix, d.seq, dict(d))


def memory():
    """RSS in bytes, or under ASan (its allocator keeps freed memory in a
    quarantine: RSS says nothing there) what Python has allocated."""
    if ASAN:
        gc.collect()
        return tracemalloc.get_traced_memory()[0]
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_100k_records_memory_flat(ns):
    ns.log_rules("output", 'udp dport 7302 log group 52 prefix "rss "')
    if ASAN:
        tracemalloc.start()
    with nflogr.open(52, qthresh=64, timeout=0.05, rcvbuf=64 << 20,
                     flags=nflogr.FLAG_SEQ) as nflog:
        sender = subprocess.Popen([loadgen(), "-c", "100000", "-r", "100000", "-p", "7302"],
                                  stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        read_every_field(nflog, 20000, deadline)
        warm = memory()
        read_every_field(nflog, 80000, deadline)
        grown = memory() - warm
        sender.wait()
        assert nflog.received + nflog.lost == 100000 and nflog.received >= 90000
    if ASAN:
        tracemalloc.stop()
    # a leak of one small object per record would be >= 80000 * 64 bytes
    assert grown < 1 << 20, f"memory grew by {grown} bytes over 80000 records"
