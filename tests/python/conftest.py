"""Fixtures of the nflogr module's tests: real NFLOG in network namespaces.

Each test that takes `ns` runs inside a network namespace of its own
(named nflogr-py-PID-N, removed afterwards): the test's thread enters it
with setns(2), so sockets it opens, nflogr.open() included, and the
processes it starts (nft, ip, senders) are in it too. Nothing of the
host's is touched. Needs root; without it the tests are skipped.
"""
import ctypes
import itertools
import os
import socket
import subprocess
import sys
import time

import pytest

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
_names = itertools.count()

# The ASan tree preloads the ASan runtime for this interpreter (it loads
# the instrumented module); other programs the tests start must not get it.
ASAN_PRELOAD = os.environ.pop("LD_PRELOAD", "")
ASAN = os.environ.get("NFLOGR_ASAN") == "1"
SRC = os.environ.get("NFLOGD_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))


def python_env():
    """The environment for a child Python that imports nflogr."""
    env = dict(os.environ)
    if ASAN_PRELOAD:
        env["LD_PRELOAD"] = ASAN_PRELOAD
    return env


def setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns: " + os.strerror(err))


def run(*cmd, input=None, check=True):
    """Run a command (in the current namespace); its output as text."""
    r = subprocess.run(cmd, input=input, capture_output=True, check=False)
    if check and r.returncode != 0:
        raise RuntimeError(f"{cmd}: {r.stderr.decode(errors='replace')}")
    return r.stdout.decode(errors="replace")


def table(name, hook, *rules):
    """nft text (bytes) of a table with one base chain at hook holding rules
    (str, or bytes for prefixes that are not text)."""
    body = b"\n".join(r if isinstance(r, bytes) else r.encode() for r in rules)
    return (f"table inet {name} {{\n\tchain c {{\n\t\ttype filter hook {hook} priority 0; "
            f"policy accept;\n").encode() + body + b"\n\t}\n}\n"


class Netns:
    """A network namespace the test's thread is in while the test runs."""

    def __init__(self):
        self.name = f"nflogr-py-{os.getpid()}-{next(_names)}"
        self.extra = []  # other namespaces made by the test
        run("ip", "netns", "add", self.name)
        self.fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
        self.home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        setns(self.fd)
        run("ip", "link", "set", "lo", "up")

    def close(self):
        setns(self.home)
        os.close(self.home)
        os.close(self.fd)
        for name in [self.name] + self.extra:
            run("ip", "netns", "del", name, check=False)

    def nft(self, rules):
        """Load nft rules (str, or bytes for prefixes that are not text)."""
        run("nft", "-f", "-", input=rules if isinstance(rules, bytes) else rules.encode())

    def log_rules(self, hook, *rules):
        """A table with one base chain at hook holding rules."""
        self.nft(table(f"t_{hook}", hook, *rules))

    def add_netns(self, suffix):
        """Another namespace (its name), removed with this one."""
        name = f"{self.name}-{suffix}"
        run("ip", "netns", "add", name)
        run("ip", "-n", name, "link", "set", "lo", "up")
        self.extra.append(name)
        return name


def remove_stale_namespaces():
    """Namespaces an earlier run left behind: a test process killed
    outright (a sanitizer's abort, SIGKILL) runs no cleanup. Only ours
    (nflogr-py-PID-N) whose process is gone."""
    try:
        names = os.listdir("/run/netns")
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if (len(parts) >= 4 and name.startswith("nflogr-py-") and parts[2].isdigit()
                and not os.path.exists(f"/proc/{parts[2]}")):
            run("ip", "netns", "del", name, check=False)


@pytest.fixture(scope="session", autouse=True)
def stale_namespaces():
    if os.geteuid() == 0:
        remove_stale_namespaces()


@pytest.fixture
def ns():
    if os.geteuid() != 0:
        pytest.skip("needs root (network namespaces, NFLOG)")
    n = Netns()
    try:
        yield n
    finally:
        n.close()


def send_udp(addr, port, payload=b"hello", count=1, uid=None):
    """Send UDP datagrams from this namespace (as uid/gid `uid` if given)."""
    if uid is not None:
        code = (f"import socket; s = socket.socket(socket.AF_INET6 if ':' in {addr!r} else "
                f"socket.AF_INET, socket.SOCK_DGRAM)\n"
                f"for _ in range({count}): s.sendto({payload!r}, ({addr!r}, {port}))")
        run("setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "/usr/bin/python3", "-c", code)
        return
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        for _ in range(count):
            s.sendto(payload, (addr, port))


def wait_until(cond, timeout=5.0):
    """Poll cond() until true or timeout; its last value."""
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.02)


def loadgen():
    path = os.environ.get("LOADGEN")
    if not path:
        pytest.skip("LOADGEN not set (meson test sets it)")
    return path


sys.path.insert(0, os.path.dirname(__file__))
