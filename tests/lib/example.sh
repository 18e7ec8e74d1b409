#!/bin/bash
# examples/nflogr_print (built against <nflogr.h> only) run on real
# traffic next to the daemon: the same packets logged to three groups,
# and the library's text and JSON are the daemon's bytes. Then
# examples/nflogr_count on the same rules.
. "$(dirname "$0")/../e2e/lib.sh"
e2e_init libex
: "${NFLOGR_PRINT:?NFLOGR_PRINT must point at examples/nflogr_print}"
: "${NFLOGR_COUNT:?NFLOGR_COUNT must point at examples/nflogr_count}"

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		meta l4proto { udp, tcp } log group 81 prefix "ex-$TAG " log group 82 prefix "ex-$TAG " log group 83 prefix "ex-$TAG "
	}
	chain in {
		type filter hook input priority 0; policy accept;
		meta l4proto { udp, tcp } log group 81 prefix "ex-$TAG " log group 82 prefix "ex-$TAG " log group 83 prefix "ex-$TAG "
	}
}
EOF2
cat >"$T/nflogd.conf" <<EOF2
outputs = (
	$(conf_file_output text "$T/daemon.log" text 'log_flags = ("all");'),
	$(conf_file_output json "$T/daemon.json" json)
);
groups = ( { group = 82; outputs = ("text", "json"); qthresh = 1; } );
EOF2
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
nsx "$NFLOGR_PRINT" 81 12 text >"$T/ex.log" 2>"$T/ex.err" &
ex_text=$!
nsx "$NFLOGR_PRINT" 83 12 json >"$T/ex.json" 2>"$T/ex-json.err" &
ex_json=$!
for _ in $(seq 50); do grep -q bound "$T/ex.err" && grep -q bound "$T/ex-json.err" && break; sleep 0.1; done

send_udp 127.0.0.1 7611 2                                 # 4 records: output + input each
send_udp ::1 7611 2
send_tcp 127.0.0.1 7612                                   # SYN, RST back: 4 records
wait $ex_text; rc_text=$?
wait $ex_json; rc_json=$?
daemon_stop
check_eq "nflogr_print (text) exits 0 after 12 records" "$rc_text" 0
check_eq "nflogr_print (json) exits 0 after 12 records" "$rc_json" 0
check "nflogr_print reports its counters" grep -q "^received=12 lost=0 drops=0$" "$T/ex.err"

# text: the daemon writes "<time> <line>", the example "<time> <hook> <line>"
cut -d' ' -f2- "$T/daemon.log" >"$T/daemon.lines"
cut -d' ' -f3- "$T/ex.log" >"$T/ex.lines"
check_eq "12 text lines each" "$(wc -l <"$T/ex.lines") $(wc -l <"$T/daemon.lines")" "12 12"
check "the kernel LOG lines are the daemon's, byte for byte" cmp "$T/ex.lines" "$T/daemon.lines"
check "output records: the receive time stands in for the timestamp" \
	test "$(grep -c '(received) output ' "$T/ex.log")" -ge 4

# JSON: equal but for the group and the time (the kernel stamps each log
# call on its own, and records without its stamp get their receive time)
python3 - "$T/ex.json" "$T/daemon.json" >"$T/json.cmp" <<'PY'
import json, sys
def load(path):
    out = []
    for line in open(path):
        r = json.loads(line)
        del r["group"], r["timestamp"]
        out.append(r)
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
if a == b and len(a) == 12:
    print("same")
else:
    print("differ: %d vs %d records" % (len(a), len(b)))
    for x, y in zip(a, b):
        if x != y:
            print({k: (x.get(k), y.get(k)) for k in set(x) | set(y) if x.get(k) != y.get(k)})
            break
PY
check_eq "the JSON objects are the daemon's" "$(head -1 "$T/json.cmp")" same
[ "$(head -1 "$T/json.cmp")" = same ] || sed 's/^/#   /' "$T/json.cmp" | head -20

# examples/nflogr_count (bench/python.sh's C API reader) counts them
nsx "$NFLOGR_COUNT" -g 81 -c 4 -i 5 >"$T/count.out" 2>"$T/count.err" &
pid=$!
for _ in $(seq 50); do grep -q READY "$T/count.err" && break; sleep 0.1; done
send_udp 127.0.0.1 7611 2
wait $pid
check_eq "nflogr_count counts 4 records, none lost" "$(cut -d' ' -f1-3 "$T/count.out")" \
	"received=4 lost=0 enobufs=0"
e2e_finish
