#!/usr/bin/env python3
"""Check what tests/e2e/injection.sh's hostile records became in each output.

    inject_check.py SPEC TEXT_LOG JSON_LOG [--journal FILE] [--rsyslog FILE]

SPEC is a JSON list of cases {"dpt": N, "prefix": HEX, "indev": HEX or
null, "outdev": HEX or null, "payload": HEX}: the exact bytes the kernel
was given. TEXT_LOG and JSON_LOG are the daemon's file outputs,
--journal a `journalctl -o json` dump, --rsyslog rsyslog's parsed
messages (lib_rsyslog.sh's msgs.json). Prints one "PASS what" or
"FAIL what" line per check (details on "# " lines after a FAIL).

What must hold (doc/text-format.md, doc/fields.md, src/daemon/syslog_frame.h):
- text: one line per record; the prefix and interface names with every
  byte < 0x20, >= 0x7f and the backslash as \\xHH; nothing else in the
  file outside printable ASCII;
- JSON: parses (strict), the prefix/indev/outdev decode to the exact bytes
  (from "<key>_hex" when they are not UTF-8), the payload hex is exact;
- journal: NFLOG_PREFIX, NFLOG_IN, NFLOG_OUT are the exact bytes, MESSAGE
  is the text line;
- rsyslog: each record arrives once per input, %msg% is the text line,
  and the RFC 5424 SD has prefix="..." escaped as RFC 5424 says.
"""
import argparse
import json
import re
import sys

RESULTS = []


def result(ok, what, detail=""):
    RESULTS.append(ok)
    print(("PASS " if ok else "FAIL ") + what)
    if not ok and detail:
        for line in str(detail).splitlines()[:6]:
            print("# " + line[:300])


def text_escape(b):
    out = []
    for c in b:
        if c < 0x20 or c >= 0x7F or c == 0x5C:
            out.append("\\x%02x" % c)
        else:
            out.append(chr(c))
    return "".join(out)


def sd_escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def no_dupes(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def json_bytes(rec, key):
    """The exact bytes of a text field of a JSON record, or None."""
    if rec.get(key) is None:
        return None
    if key + "_hex" in rec:
        return bytes.fromhex(rec[key + "_hex"])
    return rec[key].encode("utf-8")


def b(h):
    return None if h is None else bytes.fromhex(h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("text")
    ap.add_argument("json")
    ap.add_argument("--journal")
    ap.add_argument("--rsyslog")
    args = ap.parse_args()
    cases = json.load(open(args.spec))

    # ---- text
    raw = open(args.text, "rb").read()
    odd = [c for c in raw if (c < 0x20 and c != 0x0A) or c >= 0x7F]
    result(not odd, "text: only printable ASCII and newlines in the file",
           f"{len(odd)} other bytes, first {odd[:5]}")
    lines = raw.decode("ascii", "replace").splitlines()
    text_of = {}
    for case in cases:
        dpt = case["dpt"]
        mine = [l for l in lines if f" DPT={dpt} " in l]
        result(len(mine) == 1, f"text DPT={dpt}: one line", f"{len(mine)} lines: {mine[:2]}")
        if not mine:
            continue
        line = mine[0].split(" ", 1)[1]          # drop the RFC 3339 timestamp
        text_of[dpt] = line
        want = text_escape(b(case["prefix"])) + "IN=" + text_escape(b(case["indev"]) or b"") + \
            " OUT=" + text_escape(b(case["outdev"]) or b"") + " "
        result(line.startswith(want), f"text DPT={dpt}: prefix and names escaped",
               f"got:  {line[:len(want) + 20]!r}\nwant: {want!r}")

    # ---- JSON
    recs = []
    try:
        for n, l in enumerate(open(args.json, "rb").read().splitlines(), 1):
            recs.append(json.loads(l.decode("utf-8"), object_pairs_hook=no_dupes))
        result(True, f"JSON: {len(recs)} lines are valid UTF-8 JSON objects")
    except (ValueError, UnicodeDecodeError) as e:
        result(False, "JSON: valid", f"line {n}: {e}")
    for case in cases:
        dpt = case["dpt"]
        mine = [r for r in recs if r.get("dpt") == dpt]
        result(len(mine) == 1, f"JSON dpt {dpt}: one record", f"{len(mine)} records")
        if not mine:
            continue
        r = mine[0]
        for key in ("prefix", "indev", "outdev"):
            got, want = json_bytes(r, key), b(case[key])
            result(got == want, f"JSON dpt {dpt}: {key} has the exact bytes", f"got {got!r}\nwant {want!r}")
        result(case["payload"] in (r.get("payload") or ""), f"JSON dpt {dpt}: the payload's bytes in payload hex",
               r.get("payload"))

    # ---- journal
    if args.journal:
        entries = [json.loads(l) for l in open(args.journal) if l.strip()]

        def jbytes(e, k):
            v = e.get(k)
            if v is None:
                return None
            return bytes(v) if isinstance(v, list) else v.encode("utf-8")
        for case in cases:
            dpt = case["dpt"]
            mine = [e for e in entries if e.get("NFLOG_DPT") == str(dpt)]
            result(len(mine) == 1, f"journal dpt {dpt}: one entry", f"{len(mine)} entries")
            if not mine:
                continue
            e = mine[0]
            for field, key in (("NFLOG_PREFIX", "prefix"), ("NFLOG_IN", "indev"), ("NFLOG_OUT", "outdev")):
                got, want = jbytes(e, field), b(case[key])
                result(got == want, f"journal dpt {dpt}: {field} keeps its exact bytes",
                       f"got {got!r}\nwant {want!r}")
            if dpt in text_of:
                got = jbytes(e, "MESSAGE")
                result(got == text_of[dpt].encode(), f"journal dpt {dpt}: MESSAGE is the text line",
                       f"got {got!r}\nwant {text_of[dpt]!r}")

    # ---- rsyslog
    if args.rsyslog:
        msgs = [json.loads(l) for l in open(args.rsyslog, encoding="utf-8", errors="surrogateescape")]
        inputs = sorted({m["in"] for m in msgs})
        for case in cases:
            dpt = case["dpt"]
            for inp in inputs:
                mine = [m for m in msgs if m["in"] == inp and f" DPT={dpt} " in m["msg"]]
                result(len(mine) == 1, f"rsyslog {inp} dpt {dpt}: one message", f"{len(mine)} messages")
                if not mine or dpt not in text_of:
                    continue
                m = mine[0]
                result(m["msg"].lstrip(" ") == text_of[dpt], f"rsyslog {inp} dpt {dpt}: %msg% is the text line",
                       f"got  {m['msg']!r}\nwant {text_of[dpt]!r}")
                if m["ver"] == "1" and m["sd"] != "-":
                    want = ' prefix="' + sd_escape(text_escape(b(case["prefix"]))) + '"'
                    result(want in m["sd"], f"rsyslog {inp} dpt {dpt}: SD prefix escaped per RFC 5424",
                           f"sd   {m['sd'][:300]!r}\nwant {want!r}")
                    result(re.match(r'^\[nflog@32473( [a-z_.]+="(?:[^"\\\]]|\\["\\\]])*")+\]$', m["sd"]) is not None,
                           f"rsyslog {inp} dpt {dpt}: SD is one well-formed element", m["sd"][:300])
        forged = [m for m in msgs if "forged" in m.get("app", "") + m.get("msgid", "") + m.get("host", "")]
        result(not forged, "rsyslog: no message forged by a prefix or payload", forged[:2])
    return 0 if all(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
