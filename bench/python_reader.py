"""The Python program the bench measures (bench/run.sh's py-nflogr and
py-upstream readers, bench/python.sh), run unchanged with either nflogr
module (this tree's or the upstream one, by PYTHONPATH): read a group with
`for data in nflog:`, every one of nflogr's 14 fields of each record, until
a record with the prefix "end" comes.

    python_reader.py [--timeout S] [--nlbuf BYTES] [--hold] GROUP QTHRESH RCVBUF

Opens the group with nflogr.open(GROUP, timeout=S (0.05), qthresh=QTHRESH,
rcvbuf=RCVBUF, nlbuf=BYTES (0: the kernel's default), ENOBUFS_HANDLE: an
overrun is read past, not raised). Prints "READY" once bound (with --hold,
it then waits for a line on stdin before it reads: the load queues up in
the socket meanwhile, and the reading measures the module alone), then one
line at the end: "received=N seconds=S cpu=C": N the records read before
the "end" one, S from the first record to the last, C the process's CPU
seconds over the same span.
"""
import argparse
import resource
import sys
import time

import nflogr


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def open_group(args):
    nflog = nflogr.open(args.group, timeout=args.timeout, qthresh=args.qthresh,
                        rcvbuf=args.rcvbuf, nlbuf=args.nlbuf, enobufs=nflogr.ENOBUFS_HANDLE)
    if args.nlbuf:
        nflog.rcvbuf = args.rcvbuf  # nflogr 0.2.3's nlbuf made it 10 x nlbuf
    return nflog


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--timeout", type=float, default=0.05)
    ap.add_argument("--nlbuf", type=int, default=0)
    ap.add_argument("--hold", action="store_true")
    ap.add_argument("group", type=int)
    ap.add_argument("qthresh", type=int)
    ap.add_argument("rcvbuf", type=int)
    args = ap.parse_args()
    nflog = open_group(args)
    print("READY", flush=True)
    if args.hold:
        sys.stdin.readline()
    received, first, cpu0, last = 0, None, None, None
    for data in nflog:
        prefix = data.prefix
        if prefix == "end":
            break
        (data.proto, data.hwtype, data.nfmark, data.timestamp, data.indev, data.physindev,
         data.outdev, data.physoutdev, data.uid, data.gid, data.hwaddr, data.hwhdr,
         data.payload)
        if first is None:
            first, cpu0 = time.monotonic(), cpu()
        last = time.monotonic()
        received += 1
    cpu1 = cpu()
    print(f"received={received} seconds={(last or 0) - (first or 0):.6f} "
          f"cpu={cpu1 - (cpu0 or cpu1):.6f}", flush=True)


main()
