#!/bin/bash
# The sd_notify protocol, datagram by datagram: nflogd run with
# NOTIFY_SOCKET pointing at a socket this test reads (as systemd's would be)
# and WATCHDOG_USEC set. READY=1 with a STATUS= once started; STATUS=
# refreshes every status_interval; WATCHDOG=1 at half WATCHDOG_USEC;
# RELOADING=1 with MONOTONIC_USEC= in the same datagram, then READY=1
# (also after a rejected config, with a STATUS= saying so); STOPPING=1.
# Every datagram is well formed: one VARIABLE=value per line.
# (systemd.sh checks how a real systemd takes all this.)
. "$(dirname "$0")/lib.sh"
e2e_init notify

python3 -u - "$T/notify.sock" "$T/notify.log" <<'PY' &
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        data = s.recv(65536)
        out.write(json.dumps({"t": time.monotonic(), "msg": data.decode("utf-8", "replace")}) + "\n")
PY
DAEMON_PIDS[listener]=$!
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.05; done

cat >"$T/good.conf" <<EOF
daemon: { status_interval = 1; };
outputs = ( $(conf_file_output a "$T/a.log" text) );
groups = ( { group = 51; outputs = ("a"); } );
EOF
cp "$T/good.conf" "$T/nflogd.conf"

# msgs PATTERN: the datagrams (one JSON string each) matching PATTERN
msgs() { python3 - "$T/notify.log" "$1" <<'PY'
import json, re, sys
for line in open(sys.argv[1]):
    m = json.loads(line)["msg"]
    if re.search(sys.argv[2], m, re.M):
        print(json.dumps(m))
PY
}
nmsgs() { msgs "$1" | wc -l; }
wait_msgs() { local i; for i in $(seq 50); do [ "$(nmsgs "$1")" -ge "$2" ] && return 0; sleep 0.1; done; return 1; }

NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000 daemon_start "$T/nflogd.conf" ||
	{ not_ok "daemon starts"; e2e_finish; }
wait_msgs '^READY=1$' 1
check_eq "one READY=1 after the start" "$(nmsgs '^READY=1$')" 1
check "READY=1 comes with the counters in STATUS=" \
	grep -q 'STATUS=1 groups: 0 received' <<<"$(msgs '^READY=1$')"

sleep 1.3
check "WATCHDOG=1 every WATCHDOG_USEC/2 (0.2 s): at least 5 in 1.3 s" test "$(nmsgs '^WATCHDOG=1$')" -ge 5
check "STATUS= alone is refreshed every status_interval (1 s)" test "$(nmsgs '\A(?!READY)STATUS=')" -ge 1

# a reload that applies
kill -HUP "$(daemon_pid)"
wait_msgs '^READY=1$' 2
r=$(msgs '^RELOADING=1$' | head -1)
check "reload: RELOADING=1 and MONOTONIC_USEC= in one datagram" \
	grep -qE 'RELOADING=1\\nMONOTONIC_USEC=[0-9]+' <<<"$r"
check "MONOTONIC_USEC is CLOCK_MONOTONIC now (within 5 s)" python3 -c '
import json, re, sys, time
m = json.loads(sys.argv[1])
usec = int(re.search(r"MONOTONIC_USEC=(\d+)", m).group(1))
sys.exit(abs(usec / 1e6 - time.monotonic()) > 5)' "$r"
check_eq "then READY=1 again" "$(nmsgs '^READY=1$')" 2

# a reload that is rejected: READY=1 too, and the status says why
echo 'groups = ( { group = 52; outputs = ("nosuch"); } );' >>"$T/nflogd.conf"
kill -HUP "$(daemon_pid)"
wait_msgs '^READY=1$' 3
check "a rejected reload: READY=1 with STATUS=last reload rejected ... FILE:LINE" \
	grep -q "STATUS=last reload rejected, running the previous configuration: $T/nflogd.conf:[0-9]*:" \
	<<<"$(msgs '^READY=1$' | tail -1)"
check_eq "two RELOADING=1 for two reloads" "$(nmsgs '^RELOADING=1$')" 2
sleep 1.2
check "the reason stays in the refreshed STATUS=" \
	grep -q '"STATUS=last reload rejected' <<<"$(msgs '\A(?!READY)STATUS=' | tail -1)"

daemon_stop; rc=$?
check_eq "SIGTERM: exit 0" "$rc" 0
wait_msgs '^STOPPING=1$' 1
check_eq "STOPPING=1 once" "$(nmsgs '^STOPPING=1$')" 1
check "every datagram is well formed (VARIABLE=value lines, no stray line)" python3 -c '
import json, re, sys
bad = [json.loads(l)["msg"] for l in open(sys.argv[1])
       if not all(re.fullmatch(r"[A-Z_]+=[^\n]*", x) for x in json.loads(l)["msg"].split("\n"))]
for b in bad:
    print("# bad: %r" % b)
sys.exit(bool(bad))' "$T/notify.log"
e2e_finish
