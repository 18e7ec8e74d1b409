"""Threads and signals: a blocking next() lets other threads run (nflogr
holds the GIL), SIGINT ends the wait with KeyboardInterrupt, a signal
whose handler returns lets it go on, close() from another thread wakes a
waiter, and two threads share one handle."""
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import nflogr
from conftest import python_env, send_udp, wait_until


def test_other_threads_run_while_next_waits(ns):
    ns.log_rules("output", 'udp dport 7401 log group 61 prefix "gil "')
    nflog = nflogr.open(61)
    result = {}
    waiter = threading.Thread(target=lambda: result.setdefault("data", nflog.next()))
    waiter.start()
    time.sleep(0.2)  # the waiter is in next() now
    # this thread computes meanwhile; the packet comes from a process of its
    # own, so that the test ends even if this thread could not run
    sender = subprocess.Popen(["bash", "-c", "sleep 1.5; echo x > /dev/udp/127.0.0.1/7401"])
    spins, end = 0, time.monotonic() + 0.5
    while time.monotonic() < end:
        spins += 1
    sender_done_first = sender.poll() is not None
    sender.wait()
    waiter.join(10)
    assert not sender_done_first
    assert spins > 10000, f"this thread ran only {spins} loops while next() waited"
    assert result["data"].prefix == "gil "
    nflog.close()


def test_close_from_another_thread_wakes_the_waiter(ns):
    nflog = nflogr.open(62)
    outcome = []

    def reader():
        outcome.extend(nflog)  # iteration: ends with StopIteration after close()
        outcome.append("ended")

    t = threading.Thread(target=reader)
    t.start()
    time.sleep(0.2)
    nflog.close()
    t.join(5)
    assert outcome == ["ended"]


def test_two_threads_share_a_handle(ns):
    ns.log_rules("output", 'udp dport 7402 log group 63 prefix "two "')
    nflog = nflogr.open(63, flags=nflogr.FLAG_SEQ)
    seqs = [[], []]

    def reader(i):
        for _ in range(100):
            seqs[i].append(nflog.next().seq)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    send_udp("127.0.0.1", 7402, count=200)
    for t in threads:
        t.join(10)
    assert sorted(seqs[0] + seqs[1]) == list(range(200))
    nflog.close()


CHILD = textwrap.dedent("""
    import signal, sys, nflogr
    got = []
    signal.signal(signal.SIGUSR1, lambda *a: got.append("usr1"))
    nflog = nflogr.open(64)
    print("READY", flush=True)
    try:
        data = nflog.next()
        print("DATA", data.prefix, got, flush=True)
        print("READY", flush=True)
        nflog.next()
    except KeyboardInterrupt:
        print("INTERRUPTED", got, flush=True)
        sys.exit(3)
""")


def test_signals_during_a_blocking_wait(ns):
    ns.log_rules("output", 'udp dport 7403 log group 64 prefix "sig "')
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True,
                             env=python_env())
    assert child.stdout.readline() == "READY\n"
    time.sleep(0.2)
    child.send_signal(signal.SIGUSR1)  # its handler returns: the wait goes on
    time.sleep(0.2)
    assert child.poll() is None
    send_udp("127.0.0.1", 7403)
    assert child.stdout.readline() == "DATA sig  ['usr1']\n"
    assert child.stdout.readline() == "READY\n"
    time.sleep(0.2)
    child.send_signal(signal.SIGINT)  # KeyboardInterrupt ends the wait
    try:
        assert child.wait(5) == 3
    finally:
        child.kill()
    assert child.stdout.readline() == "INTERRUPTED ['usr1']\n"
