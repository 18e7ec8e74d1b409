#!/usr/bin/env python3
"""tests/e2e/dns_server.py ADDR RECORDS - a tiny DNS server for the tests.

Answers on ADDR:53 (UDP) from RECORDS, read again at every query, one
"NAME ADDRESS" or "NAME SERVFAIL" per line: an A query for a listed name
gets its address (TTL 0), other types of a listed name an empty answer,
a name not listed NXDOMAIN, a SERVFAIL one SERVFAIL. Prints one line per
query: "NAME TYPE RCODE". The question is echoed as asked (evdns
randomizes the case of names and checks it)."""
import socket
import struct
import sys


def question_end(msg):
    off = 12
    while msg[off]:
        off += 1 + msg[off]
    return off + 1


def records(path):
    recs = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                recs[parts[0].lower()] = parts[1]
    return recs


def answer(query, path):
    tid, flags = struct.unpack("!HH", query[:4])
    end = question_end(query)
    qtype = struct.unpack("!H", query[end:end + 2])[0]
    labels, off = [], 12
    while query[off]:
        labels.append(query[off + 1:off + 1 + query[off]].decode("ascii", "replace"))
        off += 1 + query[off]
    name = ".".join(labels).lower()
    value = records(path).get(name)
    rcode, rr = 0, b""
    if value is None:
        rcode = 3
    elif value == "SERVFAIL":
        rcode = 2
    elif qtype == 1:
        rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 0, 4) + socket.inet_aton(value)
    hdr = struct.pack("!HHHHHH", tid, 0x8480 | (flags & 0x0100) | rcode, 1, 1 if rr else 0, 0, 0)
    return hdr + query[12:end + 4] + rr, "%s %d %d" % (name, qtype, rcode)


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((sys.argv[1], 53))
    print("ready", flush=True)
    while True:
        query, peer = sock.recvfrom(512)
        try:
            reply, line = answer(query, sys.argv[2])
        except (IndexError, struct.error):
            continue
        sock.sendto(reply, peer)
        print(line, flush=True)


main()
