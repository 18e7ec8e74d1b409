# The code of nflogr's README (../shared/nflogr-readme.txt, "Usage"), as
# published, run against this module: each snippet in order, with
# "your code here" filled in (marked) so that it reads and prints records.
import nflogr

group_id = 123
nflog = nflogr.open(group_id)
"""
your code here
"""
print("READY", nflog.getgroup(), nflog.getfd() is not None, flush=True)  # your code here
nflog.close()

# the README writes "with nflog as nflogr.open(group_id):", a typo for
with nflogr.open(group_id) as nflog:
    """
    your code here
    """
    print("WITH", nflog.getgroup(), flush=True)  # your code here

nflog = nflogr.open(group_id, timeout=0.01, qthresh=1, rcvbuf=0, nlbuf=0,
                    enobufs=nflogr.ENOBUFS_HANDLE, copymode=nflogr.COPY_PACKET)
print("READY", nflog.rcvbuf > 0, nflog.drops, nflog.queued, flush=True)  # your code here

for data in nflog:
    """
    your code here
    """
    print("for", data.prefix, dict(data)["outdev"], sorted(dict(data)), flush=True)
    break  # your code here

while True:
    data = nflog.next()
    """
    your code here
    """
    print("while", data.prefix, type(data.timestamp).__name__, flush=True)
    break  # your code here


def nflog_callback(data):
    """
    your code here
    """
    print("callback", data.prefix, data.payload[-6:], flush=True)
    raise SystemExit(0)  # your code here: the README's loop has no end


nflog.loop(nflog_callback)
