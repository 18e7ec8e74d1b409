#!/bin/bash
# File output faults (issue 13, defects 3 and 6).
# - A FIFO as output path: refused by --check-config (FILE:LINE), at start
#   (at once, not after waiting for a reader) and by a reload, with a
#   message that says what the path is; SIGTERM works all along.
# - A file that ends in part of a line, as a crash mid-write leaves it: the
#   next start cuts that part (it was never a whole record), says so, and
#   the next record starts a line of its own. The partial line here is
#   written by the test (a kill landing inside a write() is a matter of
#   luck); then nflogd is killed with SIGKILL under heavy traffic again and
#   again and restarted each time: every line of every file must parse.
. "$(dirname "$0")/lib.sh"
: "${LOADGEN:?LOADGEN must point at bench/loadgen (meson test sets it)}"
e2e_init ffaults
KILLS=15

nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7501 log group 51 prefix "ff-$TAG "
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 7501 drop
	}
}
EOF

# ---- a FIFO ----
mkfifo "$T/fifo"
cat >"$T/fifo.conf" <<EOF
outputs = ( $(conf_file_output f "$T/fifo" json) );
groups = ( { group = 51; outputs = ("f"); } );
EOF
out=$("$NFLOGD" --check-config -c "$T/fifo.conf" 2>&1); rc=$?
check_eq "--check-config: a FIFO as path fails" "$rc" 1
check "--check-config: FILE:LINE says it is a FIFO" \
	grep -q "fifo.conf:1: path \"$T/fifo\" is a FIFO (named pipe), not a regular file" <<<"$out"
ts=$(date +%s%N)
ip netns exec "$NS" timeout 10 "$NFLOGD" -c "$T/fifo.conf" >"$T/fifo.log" 2>&1; rc=$?
ms=$(( ($(date +%s%N) - ts) / 1000000 ))
check "start with a FIFO: fails at once (rc $rc, $ms ms), never waits for a reader" \
	test "$rc" = 1 -a "$ms" -lt 5000
check "start with a FIFO: the log says it is a FIFO" grep -q "is a FIFO (named pipe), not a regular file" "$T/fifo.log"
cat >"$T/nflogd.conf" <<EOF
outputs = ( $(conf_file_output f "$T/crash.json" json "rotate = { size = \"4M\"; keep = 3; };") );
groups = ( { group = 51; outputs = ("f"); qthresh = 64; timeout = 0.02; } );
EOF
daemon_start "$T/nflogd.conf" reload || { not_ok "daemon starts"; e2e_finish; }
cp "$T/fifo.conf" "$T/nflogd.conf"
kill -HUP "$(daemon_pid reload)"
for _ in $(seq 50); do grep -q "reload rejected" "$T/reload.log" && break; sleep 0.05; done
check "a reload naming a FIFO is rejected with FILE:LINE" grep -q "nflogd.conf:1: path .* is a FIFO" "$T/reload.log"
daemon_stop reload; rc=$?
check_eq "SIGTERM after that reload: exit 0" "$rc" 0
rm -f "$T/crash.json"

# ---- a partial last line left by a crash ----
cat >"$T/nflogd.conf" <<EOF
outputs = ( $(conf_file_output f "$T/crash.json" json "rotate = { size = \"4M\"; keep = 3; };") );
groups = ( { group = 51; outputs = ("f"); qthresh = 64; timeout = 0.02; } );
EOF
printf '{"event":"a whole line"}\n{"event":"cut short' >"$T/crash.json"
daemon_start "$T/nflogd.conf" first || { not_ok "daemon starts"; e2e_finish; }
check "the partial last line is cut off and said so" \
	grep -q "crash.json ended in a partial line of 19 bytes, left by a write cut short" "$T/first.log"
send_udp 127.0.0.1 7501 3
wait_lines "$T/crash.json" 4
check_eq "the whole line stays" "$(head -1 "$T/crash.json")" '{"event":"a whole line"}'
check "the records follow on lines of their own: every line parses" \
	grep -q "lines=4 bad=0 unterminated=0" <<<"$(python3 "$NFLOGD_SRC/tests/e2e/seq_check.py" 51 "$T/crash.json")"
daemon_stop first

# ---- SIGKILL under traffic, again and again ----
ip netns exec "$NS" "$LOADGEN" -c 100000000 -r 40000 -s 1400 -p 7501 -b 32 >/dev/null 2>&1 &
gen=$!
for k in $(seq "$KILLS"); do
	daemon_start "$T/nflogd.conf" "run$k" || { not_ok "daemon $k starts"; break; }
	sleep "0.$((RANDOM % 4 + 1))"
	kill -KILL "$(daemon_pid "run$k")"
	wait "$(daemon_pid "run$k")" 2>/dev/null
	unset "DAEMON_PIDS[run$k]"
done
kill "$gen"; wait "$gen" 2>/dev/null
daemon_start "$T/nflogd.conf" last || not_ok "daemon starts after the last kill"
daemon_stop last
cuts=$(cat "$T"/run*.log "$T/last.log" | grep -c "ended in a partial line")
res=$(python3 "$NFLOGD_SRC/tests/e2e/seq_check.py" 51 "$T"/crash.json "$T"/crash.json.[123])
echo "# $KILLS kills under 40000 packets/s: $cuts partial lines cut at the next start; $res"
check "after $KILLS SIGKILLs every line of every file parses, every file ends whole" \
	grep -q "bad=0 unterminated=0" <<<"$res"
check "the kept files are full of records (rotated at 4 MiB)" \
	test "$(sed -n 's/.*records=\([0-9]*\).*/\1/p' <<<"$res")" -gt 1000
e2e_finish
