#!/bin/bash
# journald stopped (SIGSTOP) for 20 s under 2000 packets/s on each of two
# groups (issue 13, defects 1 and 2): group 31 goes to the journal and a
# file, group 32 only to a file. Nothing may stall the loop: both files
# keep growing through the stop, SIGUSR2 is answered during it, no group
# loses a record (exact, by sequence numbers, with a 1 MiB socket buffer
# that a stall of a second or two would overflow); the journal output
# queues up to queue_size and counts what it drops; when journald goes on,
# sending resumes and the journal holds exactly what was counted written.
# Then journald stopped again and SIGTERM: nflogd ends on its own (exit 0,
# not its shutdown deadline's SIGALRM) within JOURNAL_CLOSE_DRAIN_MS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_journald.sh"
: "${LOADGEN:?LOADGEN must point at bench/loadgen (meson test sets it)}"
journald_enter "$@"
e2e_init jstall
journald_trap
journald_start || { not_ok "journald starts"; e2e_finish; }

RATE=2000 STOP_S=20
nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7301 counter log group 31 prefix "sa-$TAG "
		udp dport 7302 counter log group 32 prefix "sb-$TAG "
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 7301-7302 drop
	}
}
EOF
small='rcvbuf = "1M"; rcvbuf_max = "1M"; qthresh = 16; timeout = 0.05;'
cat >"$T/nflogd.conf" <<EOF
outputs = (
	{ name = "j"; type = "journal"; queue_size = 10000; },
	$(conf_file_output a "$T/a.json" json),
	$(conf_file_output b "$T/b.json" json)
);
groups = ( { group = 31; outputs = ("j", "a"); $small },
	   { group = 32; outputs = ("b"); $small } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
pid=$(daemon_pid)
lines() { wc -l <"$1" 2>/dev/null || echo 0; }

# Traffic from 1 s before the stop until 1 s after it.
n=$((RATE * (STOP_S + 2)))
# not through nsx: $! must be loadgen itself
ip netns exec "$NS" "$LOADGEN" -c "$n" -r "$RATE" -p 7301 -b 8 >/dev/null 2>&1 &
gen1=$!
ip netns exec "$NS" "$LOADGEN" -c "$n" -r "$RATE" -p 7302 -b 8 >/dev/null 2>&1 &
gen2=$!
sleep 1
kill -STOP "$JOURNALD_PID"
t0=$(date +%s%N)
# Through the stop: every half second both files have grown.
stalls=0 samples=0 answered=
last_a=$(lines "$T/a.json") last_b=$(lines "$T/b.json")
while [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt "$STOP_S" ]; do
	sleep 0.5
	a=$(lines "$T/a.json") b=$(lines "$T/b.json")
	samples=$((samples + 1))
	if [ "$a" -le "$last_a" ] || [ "$b" -le "$last_b" ]; then
		stalls=$((stalls + 1))
		echo "# no growth at sample $samples: a $last_a -> $a, b $last_b -> $b"
	fi
	last_a=$a last_b=$b
	if [ $samples = 10 ]; then   # 5 s into the stop, the queue is full
		ts=$(date +%s%N)
		counters b | grep -q "output b: written" &&
			answered=$(( ($(date +%s%N) - ts) / 1000000 ))
	fi
done
kill -CONT "$JOURNALD_PID"
echo "# $samples samples through the stop; SIGUSR2 answered in ${answered:-never} ms"
check_eq "both files grew at every half second of the ${STOP_S} s stop" "$stalls" 0
check "SIGUSR2 answered during the stop (within 1 s)" test "${answered:-9999}" -lt 1000
wait "$gen1" "$gen2"

check "after the stop the journal output sends all it queued (queued 0)" settled j 20
stats=$(counters j)
written=$(sed -n 's/.*written \([0-9]*\),.*/\1/p' <<<"$stats")
dropped=$(sed -n 's/.*dropped \([0-9]*\),.*/\1/p' <<<"$stats")
echo "# journal output: $stats"
for g in 31:a 32:b; do
	grp=${g%%:*} out=${g#*:}
	res=$(python3 "$NFLOGD_SRC/tests/e2e/seq_check.py" "$grp" "$T/$out.json")
	get() { sed -n "s/.*\b$1=\([0-9-]*\).*/\1/p" <<<"$res"; }
	echo "# group $grp: $res"
	check_eq "group $grp: all $n packets in its file, seq 0..$((n - 1)) each once, no loss record" \
		"$(get records)/$(get min)/$(get max)/$(get dups)/$(get missing)/$(get losses)" \
		"$n/0/$((n - 1))/0/0/0"
done
check "the journal output dropped records while journald was stopped (got ${dropped:-none})" \
	test "${dropped:-0}" -gt 0
check_eq "handed to the journal output = written + dropped (1 start entry + $n records)" \
	"$((${written:-0} + ${dropped:-0}))" "$((n + 1))"
in_journal=$(jctl -o cat "NFLOG_PREFIX=sa-$TAG " | wc -l)
check_eq "the journal holds exactly the records counted written (all but the start entry)" \
	"$in_journal" "$((${written:-0} - 1))"
reported=$(jctl -o json MESSAGE_ID=02156d929c61424798e56c94d74d0e24 |
	python3 -c 'import json, sys; print(sum(int(json.loads(l)["NFLOG_DROPPED"]) for l in sys.stdin))')
check_eq "DROPPED entries in the journal add up to the dropped counter" "$reported" "${dropped:-0}"

# SIGTERM while journald is stopped again, with records waiting.
ip netns exec "$NS" "$LOADGEN" -c $((RATE * 3)) -r "$RATE" -p 7301 -b 8 >/dev/null 2>&1 &
gen1=$!
sleep 0.5
kill -STOP "$JOURNALD_PID"
sleep 1
ts=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"; rc=$?
ms=$(( ($(date +%s%N) - ts) / 1000000 ))
unset "DAEMON_PIDS[nflogd]"
kill -CONT "$JOURNALD_PID"
kill "$gen1" 2>/dev/null; wait "$gen1" 2>/dev/null
echo "# SIGTERM with journald stopped: exit $rc after $ms ms"
check_eq "SIGTERM with journald stopped: nflogd ends by itself (exit 0, no SIGALRM)" "$rc" 0
check "it ends within 5 s (the journal queue gets 1 s; took $ms ms)" test "$ms" -lt 5000
check "what could not reach journald at exit is counted and said" \
	grep -q "output j: closing with [0-9]* records journald has not taken" "$T/nflogd.log"
check "no sanitizer report in the daemon log" bash -c "! grep -q 'Sanitizer\|runtime error' \"\$1\"" _ "$T/nflogd.log"
e2e_finish
