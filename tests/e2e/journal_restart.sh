#!/bin/bash
# journald killed and restarted under traffic (issue 13, defect 11): three
# times, journald is stopped for half a second (its socket fills: the 11
# datagrams a default net.unix.max_dgram_qlen of 10 lets in, the rest
# waits in nflogd) and then killed with SIGKILL, so that its socket dies
# with what it holds; a new journald binds a new socket. Entries counted
# as written once went missing there. Now what journald had not read is
# sent again to the next one: every record reaches the journal, except at
# most the one journald may have been storing at the instant it was killed
# (read from its socket, not yet in its file: no sender can tell), and the
# counters agree with the journal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_journald.sh"
: "${LOADGEN:?LOADGEN must point at bench/loadgen (meson test sets it)}"
journald_enter "$@"
e2e_init jrestart
journald_trap
journald_start || { not_ok "journald starts"; e2e_finish; }

KILLS=3 RATE=1000
nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7401 counter log group 41 prefix "sr-$TAG "
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 7401 drop
	}
}
EOF
cat >"$T/nflogd.conf" <<EOF
outputs = ( { name = "j"; type = "journal"; },
	    $(conf_file_output f "$T/f.json" json) );
groups = ( { group = 41; outputs = ("j", "f"); qthresh = 4; timeout = 0.02; } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
pid=$(daemon_pid)

n=$((RATE * (2 * KILLS + 1)))
ip netns exec "$NS" "$LOADGEN" -c "$n" -r "$RATE" -p 7401 -b 4 >/dev/null 2>&1 &
gen=$!
for k in $(seq "$KILLS"); do
	sleep 1
	kill -STOP "$JOURNALD_PID"
	sleep 0.5
	kill -KILL "$JOURNALD_PID"
	wait "$JOURNALD_PID" 2>/dev/null
	JOURNALD_PID=
	journald_start || not_ok "journald $k starts again"
done
wait "$gen"
check "nflogd survives $KILLS journald kills" kill -0 "$pid"

settled j 20
stats=$(counters j)
echo "# $stats"
check "everything sent is known read in the end (queued 0, dropped 0)" \
	grep -q "queued 0, dropped 0," <<<"$stats"
written=$(sed -n 's/.*written \([0-9]*\),.*/\1/p' <<<"$stats")
check_eq "written = the start entry + every record" "${written:-0}" "$((n + 1))"
check_eq "the file output has every record" "$(wc -l <"$T/f.json")" "$n"

daemon_stop; rc=$?
check_eq "SIGTERM: exit 0" "$rc" 0
resent=$(sed -n 's/.*output j: \([0-9]*\) records sent again.*/\1/p' "$T/nflogd.log")
echo "# records sent again after a kill: ${resent:-0}"
check "what the killed journalds had not read was sent again (${resent:-0} records)" \
	test "${resent:-0}" -ge "$KILLS"
jctl -o json "NFLOG_PREFIX=sr-$TAG " >"$T/journal.json"
res=$(python3 - "$n" "$T/journal.json" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
seqs = [int(json.loads(l)["NFLOG_SEQ"]) for l in open(path)]
uniq = set(seqs)
missing = sorted(set(range(n)) - uniq)
print(f"entries={len(seqs)} unique={len(uniq)} dups={len(seqs) - len(uniq)} "
      f"missing={len(missing)} first_missing={missing[:5]}")
PY
)
echo "# journal: $res"
get() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$res"; }
check "every record in the journal but at most one per kill (the one journald was storing)" \
	test "$(get missing)" -le "$KILLS"
check "duplicates only among the records sent again ($(get dups) <= ${resent:-0})" \
	test "$(get dups)" -le "${resent:-0}"
check "no sanitizer report in the daemon log" bash -c "! grep -q 'Sanitizer\|runtime error' \"\$1\"" _ "$T/nflogd.log"
e2e_finish
