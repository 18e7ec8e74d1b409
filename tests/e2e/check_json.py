#!/usr/bin/env python3
"""Check a file of nflogd JSON Lines records against doc/fields.md.

    check_json.py FILE [--require-all] [--except KEY[,KEY...]] [--doc PATH]

Every line must be valid UTF-8 and parse as one JSON object with no
duplicate keys; every key must be documented in the field table of
doc/fields.md (nested keys as "inner.src"), with the documented type;
keys documented as present "always" must be in every record. With
--require-all, every documented key must appear in some record, except the
keys named by --except. Prints a short summary; exits 1 on any problem.
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DOC = os.path.join(HERE, "..", "..", "doc", "fields.md")
BEGIN = "<!-- fields-table:begin"
END = "<!-- fields-table:end -->"
HEX = re.compile(r"^(?:[0-9a-f]{2})*$")


class Field:
    def __init__(self, key, type_text, when):
        self.key = key
        self.nullable = type_text.endswith(" or null")
        self.type = type_text[: -len(" or null")] if self.nullable else type_text
        self.always = when.startswith("always")


def read_doc(path):
    """The field table: documented key -> Field."""
    fields = {}
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0:
        sys.exit(f"{path}: no field table markers")
    for line in text[start:end].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not cells[0].startswith("`"):
            continue
        key = cells[0].strip("`")
        fields[key] = Field(key, cells[2], cells[3])
    if not fields:
        sys.exit(f"{path}: empty field table")
    return fields


def type_ok(field, value):
    if value is None:
        return field.nullable
    t = field.type
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**32
    if t == "boolean":
        return isinstance(value, bool)
    if t == "string":
        return isinstance(value, str)
    if t == "hex string":
        return isinstance(value, str) and HEX.match(value) is not None
    if t == "array of strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if t == "object":
        return isinstance(value, dict)
    return False


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dups = {k for k in keys if keys.count(k) > 1}
    if dups:
        raise ValueError("duplicate keys: " + ", ".join(sorted(dups)))
    return dict(pairs)


def reject_constant(name):
    raise ValueError(f"non-JSON constant {name}")


def check_members(obj, prefix, fields, seen, problems, where):
    for key, value in obj.items():
        path = prefix + key
        field = fields.get(path)
        if field is None:
            problems.append(f"{where}: undocumented key {path}")
            continue
        seen.add(path)
        if not type_ok(field, value):
            problems.append(f"{where}: {path} is {json.dumps(value)[:60]}, documented as {field.type}"
                            + (" or null" if field.nullable else ""))
        elif field.type == "object":
            check_members(value, path + ".", fields, seen, problems, where)


def check_record(line, where, fields, seen, problems):
    try:
        text = line.decode("utf-8")
        obj = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=reject_constant)
    except (UnicodeDecodeError, ValueError) as e:
        problems.append(f"{where}: {e}")
        return
    if not isinstance(obj, dict):
        problems.append(f"{where}: not a JSON object")
        return
    check_members(obj, "", fields, seen, problems, where)
    for key, field in fields.items():
        if field.always and "." not in key and key not in obj:
            problems.append(f"{where}: always-present key {key} missing")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--require-all", action="store_true",
                    help="fail if some documented key never appeared")
    ap.add_argument("--except", dest="exempt", default="",
                    help="comma-separated keys --require-all does not ask for")
    ap.add_argument("--doc", default=DEFAULT_DOC, help="the field reference (doc/fields.md)")
    args = ap.parse_args()

    fields = read_doc(args.doc)
    seen, problems, records = set(), [], 0
    with open(args.file, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        problems.append(f"{args.file}: last line has no newline")
    for n, line in enumerate(data.splitlines(), 1):
        records += 1
        check_record(line, f"{args.file}:{n}", fields, seen, problems)

    if records == 0:
        problems.append(f"{args.file}: no records")
    if args.require_all:
        exempt = {k for k in args.exempt.split(",") if k}
        unknown = exempt - set(fields)
        if unknown:
            problems.append("--except names undocumented keys: " + ", ".join(sorted(unknown)))
        missing = sorted(set(fields) - seen - exempt)
        if missing:
            problems.append("documented keys never seen: " + ", ".join(missing))

    for p in problems[:50]:
        print(p)
    if len(problems) > 50:
        print(f"... and {len(problems) - 50} more problems")
    print(f"{args.file}: {records} records, {len(seen)} of {len(fields)} documented keys seen, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
