"""What nflogr 0.2.3 gets wrong (measured: ../shared/peers/README.md), done
right. Threads and signals: test_threads.py; drops under every policy:
test_overload.py; a prefix that is not UTF-8: test_fields.py."""
import time

import pytest

import nflogr
from conftest import send_udp


def test_records_without_a_kernel_timestamp(ns):
    """nflogr segfaults on the first output/postrouting record."""
    ns.log_rules("output", 'udp dport 7201 log group 41 prefix "out "')
    ns.log_rules("postrouting", 'udp dport 7201 log group 41 prefix "post "')
    with nflogr.open(41) as nflog:
        before = time.time()
        send_udp("127.0.0.1", 7201)
        records = [nflog.next(), nflog.next()]
        after = time.time()
    assert [d.prefix for d in records] == ["out ", "post "]
    for d in records:
        assert d.timestamp_from_kernel is False
        assert before - 0.5 <= d.timestamp <= after + 0.5
        assert d.decode()["timestamp_source"] == "receive"


@pytest.mark.parametrize("size", [1000, 16 * 1024, 17 * 1024, 32 * 1024, 60000, 65507])
def test_records_of_any_size_arrive(ns, size):
    """nflogr's 16 KiB receive buffer drops bigger records without a word.
    The kernel copies at most 65531 bytes of a packet (a netlink
    attribute's length is 16 bits): bigger packets arrive cut to that."""
    ns.log_rules("output", 'udp dport 7202 log group 42 prefix "big "')
    with nflogr.open(42, flags=nflogr.FLAG_SEQ) as nflog:
        send_udp("127.0.0.1", 7202, b"z" * size)
        d = nflog.next()
        assert (nflog.truncated, nflog.lost, nflog.malformed) == (0, 0, 0)
    ip_len = 28 + size
    assert len(d.payload) == min(ip_len, 65531)
    assert d.decode()["len"] == ip_len
    assert d.payload[28:].strip(b"z") == b""


def test_close_unbinds_first_and_the_rest_is_read(ns):
    """nflogr loses what the kernel still held and raises NflogRetryError:
    here close() unbinds (the kernel sends its held batch), the records can
    still be read, and then iteration ends."""
    ns.log_rules("output", 'udp dport 7203 log group 43 prefix "held "')
    nflog = nflogr.open(43, qthresh=50, timeout=30, flags=nflogr.FLAG_SEQ)
    send_udp("127.0.0.1", 7203, count=5)
    time.sleep(0.1)
    assert nflog.next(wait=False) is None  # the kernel holds them (qthresh 50)
    nflog.close()
    assert [d.seq for d in nflog] == [0, 1, 2, 3, 4]
    for wait in (True, False):  # never blocks once closed and read
        with pytest.raises(nflogr.NflogClosedError):
            nflog.next(wait)
    assert nflog.received == 5 and nflog.lost == 0


def test_loop_callback_exception_propagates_unchanged(ns):
    """nflogr turns it into SystemError."""
    ns.log_rules("output", 'udp dport 7204 log group 44 prefix "cb "')

    class Stop(Exception):
        pass

    stop = Stop("from the callback")
    seen = []

    def callback(data):
        seen.append(data.prefix)
        if len(seen) == 2:
            raise stop

    with nflogr.open(44) as nflog:
        send_udp("127.0.0.1", 7204, count=3)
        with pytest.raises(Stop) as e:
            nflog.loop(callback)
        assert e.value is stop and seen == ["cb ", "cb "]
        assert nflog.next().prefix == "cb "  # the third is still there


def test_nlbuf_leaves_rcvbuf_alone(ns):
    """nflogr's nlbuf silently sets the socket buffer to 10 x nlbuf."""
    with nflogr.open(45) as plain, nflogr.open(46, nlbuf=65536) as with_nlbuf:
        assert with_nlbuf.rcvbuf == plain.rcvbuf
    with nflogr.open(47, nlbuf=65536, rcvbuf=1 << 20) as both:
        assert both.rcvbuf == 1 << 20


def test_queued_is_a_count(ns):
    """nflogr's queued is a bool."""
    ns.log_rules("output", 'udp dport 7205 log group 48 prefix "q "')
    with nflogr.open(48, qthresh=3, timeout=5) as nflog:
        send_udp("127.0.0.1", 7205, count=3)
        assert nflog.queue() == 3
        assert nflog.queued == 3 and len(nflog) == 3
        nflog.next()
        assert nflog.queued == 2
