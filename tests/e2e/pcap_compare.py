#!/usr/bin/env python3
"""pcap_compare.py - nflogd's LINKTYPE_NFLOG capture against a reference
capture of the same packets written by tcpdump (libpcap's own nflog
capture), group by group.

    pcap_compare.py REF.pcap OURS.pcap REFGROUP:OURGROUP[:meta] ...

Records of REFGROUP in REF and of OURGROUP in OURS are paired in order.
For each pair: the nfgenmsg family and version are equal, both carry the
same attributes (TLV types), and every attribute both carry has the same
bytes; left out, as they must differ: the timestamp (3) and the sequence
numbers (12, 13: nflogd asks for them, tcpdump does not). ":meta": the
group copies no packet (copymode meta), so OURS has no payload (9) where
REF has one. Also checked in OURS: captured length = original length =
the message's length, as libpcap writes it.

    pcap_compare.py --raw REF.pcap RAW.pcap REFGROUP

RAW (LINKTYPE_RAW) holds, record by record, the payload attribute of
REFGROUP's records in REF; its original length is the IP header's.

    pcap_compare.py --seq GROUP FILE...

The NFLOG sequence numbers of GROUP across FILE... (a capture and its
rotated files): one line "files=F records=R unique=Q dups=D min=A max=Z
missing=M"; a file that is not a whole capture (no header, a partial
record) stops it with an error.

Prints one line per pair of groups, "group A:B records=N ok" or what
differs, and exits 1 when anything does.
"""
import struct
import sys

SKIP = {3, 12, 13}  # timestamp, seq, seq_global
PAYLOAD = 9


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic == 0xA1B2C3D4 else ">"
    if struct.unpack(endian + "I", data[:4])[0] != 0xA1B2C3D4:
        raise SystemExit(f"{path}: not a microsecond pcap file")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    recs, off = [], 24
    while off < len(data):
        if len(data) - off < 16:
            raise SystemExit(f"{path}: partial record header at {off}")
        sec, usec, caplen, origlen = struct.unpack(endian + "IIII", data[off:off + 16])
        body = data[off + 16:off + 16 + caplen]
        if len(body) != caplen:
            raise SystemExit(f"{path}: partial record at {off}")
        recs.append((caplen, origlen, body))
        off += 16 + caplen
    return endian, linktype, recs


def tlvs(endian, body):
    """family, version, group, {type: value bytes} of an NFLOG record."""
    family, version, group = body[0], body[1], struct.unpack(">H", body[2:4])[0]
    attrs, off = {}, 4
    while off + 4 <= len(body):
        length, typ = struct.unpack(endian + "HH", body[off:off + 4])
        if length < 4:
            break
        attrs[typ & 0x7FFF] = body[off + 4:off + length]
        off += (length + 3) & ~3
    return family, version, group, attrs


def by_group(endian, recs):
    groups = {}
    for caplen, origlen, body in recs:
        fam, ver, grp, attrs = tlvs(endian, body)
        groups.setdefault(grp, []).append((caplen, origlen, len(body), fam, ver, attrs))
    return groups


def compare(ref, ours, ref_group, our_group, meta):
    a, b = ref.get(ref_group, []), ours.get(our_group, [])
    problems = []
    if len(a) != len(b):
        problems.append(f"{len(a)} records in the reference, {len(b)} in nflogd's")
    for i, (r, o) in enumerate(zip(a, b)):
        caplen, origlen, blob = o[0], o[1], o[2]
        if not caplen == origlen == blob:
            problems.append(f"#{i}: caplen {caplen} origlen {origlen} message {blob}")
        if r[3:5] != o[3:5]:
            problems.append(f"#{i}: family/version {r[3:5]} vs {o[3:5]}")
        ra, oa = r[5], o[5]
        want = set(ra) - SKIP - ({PAYLOAD} if meta else set())
        got = set(oa) - SKIP
        if want != got:
            problems.append(f"#{i}: attributes {sorted(want)} vs {sorted(got)}")
        for t in sorted(want & got):
            if ra[t] != oa[t]:
                problems.append(f"#{i}: attribute {t}: {ra[t].hex()} vs {oa[t].hex()}")
    return len(b), problems


def seqs(group, paths):
    found = []
    for path in paths:
        endian, linktype, recs = read_pcap(path)
        if linktype != 239:
            raise SystemExit(f"{path}: linktype {linktype}, expected 239 (NFLOG)")
        for r in by_group(endian, recs).get(group, []):
            if 12 in r[5]:
                found.append(struct.unpack(">I", r[5][12])[0])
    uniq = set(found)
    lo, hi = (min(uniq), max(uniq)) if uniq else (0, -1)
    print(f"files={len(paths)} records={len(found)} unique={len(uniq)} "
          f"dups={len(found) - len(uniq)} min={lo} max={hi} missing={hi - lo + 1 - len(uniq)}")
    return 0


def main():
    if sys.argv[1] == "--seq":
        return seqs(int(sys.argv[2]), sys.argv[3:])
    if sys.argv[1] == "--raw":
        ref_path, raw_path, ref_group = sys.argv[2], sys.argv[3], int(sys.argv[4])
        endian, _, recs = read_pcap(ref_path)
        want = [r[5].get(PAYLOAD, b"") for r in by_group(endian, recs).get(ref_group, [])]
        _, linktype, raw = read_pcap(raw_path)
        problems = [] if linktype == 101 else [f"linktype {linktype}"]
        if len(want) != len(raw):
            problems.append(f"{len(want)} payloads in the reference, {len(raw)} records")
        for i, (w, (caplen, origlen, body)) in enumerate(zip(want, raw)):
            if body != w:
                problems.append(f"#{i}: packet differs")
            ver = body[0] >> 4
            total = struct.unpack(">H", body[2:4])[0] if ver == 4 else \
                40 + struct.unpack(">H", body[4:6])[0]
            if origlen != max(total, caplen):
                problems.append(f"#{i}: origlen {origlen}, the IP header says {total}")
        print(f"raw {ref_group} records={len(raw)} " + ("ok" if not problems else "DIFFER"))
        for p in problems[:20]:
            print("  " + p)
        return 1 if problems else 0

    ref_endian, ref_lt, ref_recs = read_pcap(sys.argv[1])
    our_endian, our_lt, our_recs = read_pcap(sys.argv[2])
    if ref_lt != 239 or our_lt != 239:
        raise SystemExit(f"linktypes {ref_lt} and {our_lt}, expected 239 (NFLOG)")
    ref, ours = by_group(ref_endian, ref_recs), by_group(our_endian, our_recs)
    bad = 0
    for pair in sys.argv[3:]:
        parts = pair.split(":")
        n, problems = compare(ref, ours, int(parts[0]), int(parts[1]), parts[2:] == ["meta"])
        print(f"group {parts[0]}:{parts[1]} records={n} " + ("ok" if not problems else "DIFFER"))
        for p in problems[:20]:
            print("  " + p)
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
