"""The Python program bench/python.sh measures, run unchanged with either
nflogr module (this tree's or the upstream one, by PYTHONPATH): read a
group with `for data in nflog:`, every one of nflogr's 14 fields of each
record, until a record with the prefix "end" comes.

    python_reader.py GROUP QTHRESH RCVBUF [hold]

Prints "READY" once bound (with "hold", it then waits for a line on stdin
before it reads: the load queues up in the socket meanwhile, and the
reading measures the module alone), then one line at the end:
"received=N seconds=S cpu=C": S from the first record to the last, C the
process's CPU seconds over the same span.
"""
import resource
import sys
import time

import nflogr


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(group, qthresh, rcvbuf, hold):
    nflog = nflogr.open(group, timeout=0.05, qthresh=qthresh, rcvbuf=rcvbuf,
                        enobufs=nflogr.ENOBUFS_HANDLE)
    print("READY", flush=True)
    if hold:
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


main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:] == ["hold"])
