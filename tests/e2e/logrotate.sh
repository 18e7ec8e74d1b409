#!/bin/bash
# logrotate-style rotation under traffic: rename the file(s), SIGUSR1, and
# nothing is lost (sequence numbers contiguous across the renamed and the
# new files). Then a reopen that fails (the directory is gone): reported,
# the old file keeps receiving records, and the retry opens the new file
# once the directory is back. New files get the configured mode and owner.
. "$(dirname "$0")/lib.sh"
: "${LOADGEN:?LOADGEN must point at bench/loadgen (meson test sets it)}"
e2e_init logrotate

COUNT=${LOGROTATE_COUNT:-24000}
RATE=${LOGROTATE_RATE:-3000}
owner=nobody; group=$(id -gn nobody 2>/dev/null || echo nogroup)

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7401 log group 51 prefix "rot-$TAG "
	}
}
EOF2
mkdir "$T/logs"
cat >"$T/nflogd.conf" <<EOF2
outputs = (
	$(conf_file_output x "$T/logs/x.json" json "mode = \"0600\"; owner = \"$owner\"; group = \"$group\";"),
	$(conf_file_output tick "$T/tick.json" json "rotate = { interval = 2; keep = 20; };")
);
groups = ( { group = 51; outputs = ("x", "tick"); qthresh = 32; rcvbuf = "16M"; } );
EOF2
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
pid=$(daemon_pid)
check_eq "created file: mode and owner" "$(stat -c '%a %U %G' "$T/logs/x.json")" "600 $owner $group"

nsx "$LOADGEN" -c "$COUNT" -r "$RATE" -p 7401 -b 8 >"$T/loadgen.out" 2>&1 &
gen=$!
# what logrotate does with `create` and a postrotate that sends SIGUSR1
sleep 1.5
mv "$T/logs/x.json" "$T/logs/x.json.1"
kill -USR1 "$pid"
sleep 1.5
mv "$T/logs/x.json.1" "$T/logs/x.json.2"
mv "$T/logs/x.json" "$T/logs/x.json.1"
kill -USR1 "$pid"
# a reopen that fails: the whole directory moved away
sleep 1.5
mv "$T/logs" "$T/away"
kill -USR1 "$pid"
sleep 2
reopen_failed_lines=$(grep -c "reopen failed\|reopen still failing" "$T/nflogd.log")
mkdir "$T/logs"
sleep 2
wait "$gen"
sleep 0.5
daemon_stop; rc=$?
check_eq "exit 0" "$rc" 0
echo "# loadgen: $(cat "$T/loadgen.out")"

check "failed reopen reported" grep -q "output x: reopen failed, still writing where it was: cannot open $T/logs/x.json: No such file or directory" "$T/nflogd.log"
check_eq "failed reopen retried every second, reported once (rate-limited)" "$reopen_failed_lines" 1
check "reopen succeeded once the directory was back" grep -q "output x: reopened $T/logs/x.json" "$T/nflogd.log"
check "old file kept receiving while the reopen failed" test -s "$T/away/x.json"
check "the new file after the retry has records" test -s "$T/logs/x.json"
check_eq "file created by the retry: mode and owner" "$(stat -c '%a %U %G' "$T/logs/x.json")" "600 $owner $group"

res=$(python3 "$NFLOGD_SRC/tests/e2e/seq_check.py" 51 "$T"/away/x.json* "$T"/logs/x.json)
echo "# $res"
get() { sed -n "s/.*\b$1=\([0-9-]*\).*/\1/p" <<<"$res"; }
check_eq "four files (two renamed, one moved away, one new)" "$(get files)" 4
check_eq "every record written" "$(get records)" "$COUNT"
check_eq "sequence contiguous, each once" "$(get dups)/$(get missing)/$(get min)/$(get max)" "0/0/0/$((COUNT - 1))"
check_eq "no partial line" "$(get bad)/$(get unterminated)" "0/0"
check "daemon counters agree" grep -q "output x: written $COUNT, queued 0, dropped 0, errors 0" "$T/nflogd.log"
# the other output rotates on the clock, every 2 s, by itself
res=$(python3 "$NFLOGD_SRC/tests/e2e/seq_check.py" 51 "$T"/tick.json "$T"/tick.json.{1..20})
echo "# tick: $res"
check "interval 2 s: rotated 3..6 times in ~9 s (got $(($(get files) - 1)))" test "$(get files)" -ge 4 -a "$(get files)" -le 7
check_eq "interval rotation: every record once, no partial line" \
	"$(get records)/$(get dups)/$(get missing)/$(get bad)/$(get unterminated)" "$COUNT/0/0/0/0"
check "group counters agree" grep -q "group 51: received $COUNT, lost 0" "$T/nflogd.log"
e2e_finish
