#!/bin/bash
# SIGTERM while the event loop is stuck in a system call (issue 13, defect
# 2): the shutdown deadline must start all the same. The loop is made to
# hang for real the way it can under systemd when journald stops reading
# nflogd's stderr: stderr is a pipe (shrunk to one page) whose reader
# never reads, and SIGUSR2 makes nflogd log its counters until a write to
# stderr blocks. SIGTERM then cannot reach the loop; the deadline, armed
# in the signal handler itself, ends the process with SIGALRM after
# SHUTDOWN_DEADLINE_S (15 s). Before, it hung until SIGKILL.
. "$(dirname "$0")/lib.sh"
e2e_init stuck
DEADLINE=15

cat >"$T/nflogd.conf" <<EOF2
outputs = ( $(conf_file_output f "$T/f.log" text) );
groups = ( { group = 91; outputs = ("f"); } );
EOF2
# The launcher holds the pipe's read end open and never reads it.
ip netns exec "$NS" python3 -c '
import fcntl, os, sys, time
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ: one page
pid = os.fork()
if pid == 0:
    os.dup2(w, 1); os.dup2(w, 2); os.close(r); os.close(w)
    os.execv(sys.argv[2], sys.argv[2:])
os.close(w)
open(sys.argv[1], "w").write(str(pid))
os.waitpid(pid, 0)
time.sleep(0.1)' "$T/nflogd.pid" "$NFLOGD" -c "$T/nflogd.conf" &
launcher=$!
for _ in $(seq 100); do [ -s "$T/nflogd.pid" ] && break; sleep 0.05; done
pid=$(cat "$T/nflogd.pid")
sleep 0.5
# Log counters until a write to stderr (fd 2) blocks.
stuck=
for _ in $(seq 200); do
	kill -USR2 "$pid" 2>/dev/null || break
	sleep 0.02
	read -r nr arg0 _ <"/proc/$pid/syscall" 2>/dev/null
	if [ "$arg0" = 0x2 ]; then stuck=1; break; fi
done
check "the loop is stuck writing to its stderr (syscall ${nr:-?} on fd 2)" test -n "$stuck"
ts=$(date +%s%N)
kill -TERM "$pid"
ended=
for _ in $(seq $(( (DEADLINE + 5) * 10 ))); do
	kill -0 "$pid" 2>/dev/null || { ended=1; break; }
	sleep 0.1
done
s=$(( ($(date +%s%N) - ts) / 1000000000 ))
[ -n "$ended" ] || kill -KILL "$pid" 2>/dev/null
wait "$launcher" 2>/dev/null
echo "# SIGTERM to a stuck nflogd: ended after ${s} s"
check "SIGTERM to a stuck loop: the process ends within the deadline (${DEADLINE} s, took ${s} s)" \
	test -n "$ended" -a "$s" -le $((DEADLINE + 1))
check "and not before it: the deadline ended it, not the loop" test "$s" -ge $((DEADLINE - 1))
e2e_finish
