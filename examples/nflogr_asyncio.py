#!/usr/bin/python3
"""Read an NFLOG group inside an asyncio program, with the nflogr module.

    nflogr_asyncio.py GROUP [COUNT]

The group's socket (getfd()) is watched by the event loop; when it is
readable, everything there is read without waiting (next(wait=False)) and
queued for the coroutines. Prints COUNT records (default: until Ctrl-C)
as "<hook> <kernel LOG line>", then the counters. Needs CAP_NET_ADMIN.
"""
import asyncio
import sys

import nflogr


async def main(group, count):
    loop = asyncio.get_running_loop()
    records = asyncio.Queue()
    with nflogr.open(group, flags=nflogr.FLAG_SEQ, enobufs=nflogr.ENOBUFS_HANDLE) as nflog:

        def readable():
            # a datagram may hold several records: read until there is none
            while (data := nflog.next(wait=False)) is not None:
                records.put_nowait(data)

        loop.add_reader(nflog.getfd(), readable)
        print("READY", file=sys.stderr, flush=True)
        try:
            done = 0
            while count < 0 or done < count:
                data = await records.get()
                print(data.hook_name, data.text(), flush=True)
                done += 1
        finally:
            loop.remove_reader(nflog.getfd())
        print(f"received={nflog.received} lost={nflog.lost} drops={nflog.drops}",
              file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: nflogr_asyncio.py GROUP [COUNT]")
    try:
        asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else -1))
    except KeyboardInterrupt:
        pass
