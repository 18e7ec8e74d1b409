"""Programs run as their users run them: the nflogr README's code
unchanged (readme_program.py), and examples/nflogr_asyncio.py."""
import os
import subprocess
import sys

from conftest import SRC, python_env, send_udp


def start(*args):
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=python_env())


def test_readme_program_runs_unchanged(ns):
    ns.log_rules("output", 'udp dport 7501 log group 123 prefix "readme "')
    prog = start(os.path.join(os.path.dirname(__file__), "readme_program.py"))
    assert prog.stdout.readline() == "READY 123 True\n"
    assert prog.stdout.readline() == "WITH 123\n"
    assert prog.stdout.readline() == "READY True 0 0\n"
    send_udp("127.0.0.1", 7501, b"first!", count=3)
    out, err = prog.communicate(timeout=20)
    keys = sorted(["proto", "hwtype", "nfmark", "timestamp", "indev", "physindev", "outdev",
                   "physoutdev", "uid", "gid", "hwaddr", "hwhdr", "payload", "prefix"])
    assert out.splitlines() == [
        f"for readme  lo {keys}",
        "while readme  float",
        "callback readme  b'first!'",
    ], err
    assert prog.returncode == 0, err


def test_asyncio_example(ns):
    ns.log_rules("output", 'udp dport 7502 log group 124 prefix "aio "')
    prog = start(os.path.join(SRC, "examples", "nflogr_asyncio.py"), "124", "4")
    assert prog.stderr.readline() == "READY\n"
    send_udp("127.0.0.1", 7502, count=2)
    send_udp("::1", 7502, count=2)
    out, err = prog.communicate(timeout=20)
    lines = out.splitlines()
    assert len(lines) == 4, (out, err)
    assert all(line.startswith("output aio IN= OUT=lo SRC=") for line in lines)
    assert sum("SRC=127.0.0.1 " in line for line in lines) == 2
    assert "received=4 lost=0 drops=0" in err
    assert prog.returncode == 0
