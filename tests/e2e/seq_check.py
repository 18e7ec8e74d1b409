#!/usr/bin/env python3
"""seq_check.py - sequence numbers of one group across a set of JSON Lines
files (a file output and its rotated or renamed files).

    seq_check.py GROUP FILE...

Prints one line of counts:
    files=F lines=L bad=B unterminated=U records=R unique=Q dups=D min=A max=Z missing=M losses=X
bad: lines that are not one whole JSON object (a partial or mixed line);
unterminated: files whose last byte is not a newline; records: lines of
GROUP with a seq; missing: numbers between min and max that no file holds.
"""
import json
import sys


def main():
    group = int(sys.argv[1])
    seqs = []
    lines = bad = unterminated = losses = files = 0
    for path in sys.argv[2:]:
        try:
            data = open(path, "rb").read()
        except FileNotFoundError:
            continue
        files += 1
        if data and not data.endswith(b"\n"):
            unterminated += 1
        for raw in data.splitlines():
            lines += 1
            try:
                r = json.loads(raw)
            except ValueError:
                bad += 1
                continue
            if not isinstance(r, dict):
                bad += 1
            elif r.get("event") == "loss":
                losses += 1
            elif r.get("group") == group and r.get("seq") is not None:
                seqs.append(r["seq"])
    uniq = set(seqs)
    lo, hi = (min(uniq), max(uniq)) if uniq else (0, -1)
    print(f"files={files} lines={lines} bad={bad} unterminated={unterminated} "
          f"records={len(seqs)} unique={len(uniq)} dups={len(seqs) - len(uniq)} "
          f"min={lo} max={hi} missing={hi - lo + 1 - len(uniq)} losses={losses}")


if __name__ == "__main__":
    main()
