#!/usr/bin/env python3
"""doc_output.py GOT WANT - exit 0 if the output GOT is what a page shows
(WANT): line by line, "..." in a line of WANT stands for any text, a last
line "..." for any number of further lines (at least one line in all); an
empty WANT means no output."""
import re
import sys


def matches(got, want):
    got = got.split("\n") if got else []
    want = want.split("\n") if want else []
    more = bool(want) and want[-1] == "..."
    if more:
        want = want[:-1]
        if not got:
            return False
    if len(got) < len(want) or (not more and len(got) != len(want)):
        return False
    for g, w in zip(got, want):
        if not re.fullmatch(".*".join(map(re.escape, w.split("..."))), g):
            return False
    return True


if __name__ == "__main__":
    sys.exit(0 if matches(sys.argv[1], sys.argv[2]) else 1)
