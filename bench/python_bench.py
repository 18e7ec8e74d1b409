"""The trials of bench/python.sh, run inside its network namespace.

    python_bench.py BUILD UPSTREAM_DIR COUNT C_COUNT TRIALS

Python: bench/python_reader.py with this tree's nflogr module and with the
upstream one (PYTHONPATH), on the same load, for qthresh 1 (nflogr's
default) and 64: live (loadgen sends COUNT datagrams at 100000/s, then at
full speed, while the reader reads: what it gets and loses) and queued (the COUNT records
wait in a large socket buffer, then the reader drains them: the records/s
it can take, with nothing else in its way). C: bench/countreader and examples/nflogr_count (libnflogr), C_COUNT
datagrams at full speed, TRIALS times each, alternating. Prints markdown
tables; progress goes to stderr.
"""
import os
import re
import statistics
import subprocess
import sys
import time

LOAD_PORT, END_PORT, GROUP = 9999, 9998, 42
RCVBUF = 8 << 20
QUEUED_RCVBUF = (1 << 30) - 1  # the most nflogr 0.2.3 accepts
LIVE_RATE = 100000  # between what nflogr 0.2.3 and this module can take


def say(*a):
    print(*a, file=sys.stderr, flush=True)


def numbers(text):
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", text)}


def loadgen(build, count, rate, port=LOAD_PORT):
    r = subprocess.run([f"{build}/bench/loadgen", "-c", str(count), "-r", str(rate), "-p",
                        str(port)], capture_output=True, text=True, check=True)
    return numbers(r.stdout)


def wait_ready(stream):
    line = stream.readline()
    if "READY" not in line:
        raise RuntimeError(f"reader did not start: {line!r}")


def python_trial(build, pythonpath, qthresh, count, queued, rate):
    """One Python reader on one load: received, lost, records/s, CPU/record."""
    env = dict(os.environ, PYTHONPATH=pythonpath, PYTHONDONTWRITEBYTECODE="1")
    reader = os.path.join(os.path.dirname(os.path.abspath(__file__)), "python_reader.py")
    args = [str(GROUP), str(qthresh), str(QUEUED_RCVBUF if queued else RCVBUF)]
    p = subprocess.Popen(["/usr/bin/python3", reader] + args + (["--hold"] if queued else []),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    wait_ready(p.stdout)
    sent = loadgen(build, count, rate)["sent"]
    if queued:
        p.stdin.write("go\n")
        p.stdin.flush()
    deadline = time.monotonic() + 120
    while p.poll() is None and time.monotonic() < deadline:
        loadgen(build, 1, 0, END_PORT)  # "end": the reader stops at the first one it reads
        time.sleep(0.2)
    if p.poll() is None:
        p.kill()
    out, err = p.communicate()
    r = numbers(out)
    if "received" not in r:  # nflogr 0.2.3 may die on a record (see ../README)
        return {"sent": sent, "received": 0, "rate": 0, "cpu_us": float("nan"),
                "error": (err.strip().splitlines() or [f"exit {p.returncode}"])[-1]}
    return {"sent": sent, "received": r["received"],
            "rate": r["received"] / r["seconds"] if r["seconds"] else 0,
            "cpu_us": r["cpu"] * 1e6 / r["received"] if r["received"] else float("nan")}


def c_trial(cmd, build, count):
    """One C reader (exits when idle): received, lost, CPU/record (rusage)."""
    p = subprocess.Popen(cmd + ["-g", str(GROUP), "-r", str(RCVBUF), "-i", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_ready(p.stderr)
    sent = loadgen(build, count, 0)["sent"]
    _, status, ru = os.wait4(p.pid, 0)
    r = numbers(p.stdout.read())
    p.stdout.close()
    p.stderr.close()
    return {"sent": sent, "received": r["received"], "lost": r["lost"],
            "cpu_us": (ru.ru_utime + ru.ru_stime) * 1e6 / max(r["received"], 1)}


def python_tables(build, upstream, count):
    readers = [("nflogr (this tree, libnflogr)", f"{build}/python"),
               ("nflogr 0.2.3 (upstream)", upstream)]
    rows = []
    for qthresh in (1, 64):
        for queued, rate, what in ((False, LIVE_RATE, f"live, {LIVE_RATE}/s"),
                                   (False, 0, "live, full speed"),
                                   (True, 0, "queued, then read")):
            res = {}
            for name, path in readers:
                say(f"python: {name}, qthresh {qthresh}, {what}")
                res[name] = python_trial(build, path, qthresh, count, queued, rate)
            rows.append((qthresh, what, res))
    print("| qthresh | load | reader | received/sent | lost | records/s | CPU µs/record |"
          " capacity (/s) = 1/CPU | vs upstream: records/s, capacity |")
    print("|---|---|---|---|---|---|---|---|---|")
    for qthresh, what, res in rows:
        ours, theirs = (res[name] for name, _ in readers)
        for name, _ in readers:
            r = res[name]
            lost = r["sent"] - r["received"]
            ratio = ""
            if r is ours and theirs["rate"]:
                ratio = (f"{ours['rate'] / theirs['rate']:.1f}x,"
                         f" {theirs['cpu_us'] / ours['cpu_us']:.1f}x")
            note = f" ({r['error']})" if "error" in r else ""
            print(f"| {qthresh} | {what} | {name} | {r['received']:.0f}/{r['sent']:.0f} |"
                  f" {lost / r['sent'] * 100:.1f}% | {r['rate']:.0f}{note} |"
                  f" {r['cpu_us']:.2f} | {1e6 / r['cpu_us']:.0f} | {ratio} |")


def c_table(build, count, trials):
    readers = [("countreader (bench/, the floor)", [f"{build}/bench/countreader"]),
               ("nflogr_count (libnflogr's C API)", [f"{build}/examples/nflogr_count"])]
    cpu = {name: [] for name, _ in readers}
    lost = {name: 0 for name, _ in readers}
    for i in range(trials):
        for name, cmd in readers:
            say(f"C: {name}, trial {i + 1}/{trials}")
            r = c_trial(cmd, build, count)
            cpu[name].append(r["cpu_us"])
            lost[name] += r["sent"] - r["received"]
    floor = statistics.median(cpu[readers[0][0]])
    print("| reader | CPU µs/record (median of %d) | all trials | lost | vs countreader |"
          % trials)
    print("|---|---|---|---|---|")
    for name, _ in readers:
        med = statistics.median(cpu[name])
        print(f"| {name} | {med:.3f} | {' '.join(f'{c:.3f}' for c in cpu[name])} |"
              f" {lost[name]:.0f} | {med / floor:.2f}x |")


def main():
    build, upstream, count, c_count, trials = sys.argv[1:6]
    print(f"nflogr bench: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"{count} datagrams per Python trial (logged in input, rcvbuf {RCVBUF >> 20} MiB, "
          f"timeout 0.05 s), {c_count} per C trial\n")
    python_tables(build, upstream, int(count))
    print()
    c_table(build, int(c_count), int(trials))
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


main()
