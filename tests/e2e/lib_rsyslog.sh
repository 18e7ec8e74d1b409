# tests/e2e/lib_rsyslog.sh - a private, real rsyslogd for a test.
# Source it after lib.sh.
#
#   rsyslog_enter "$@"   first line of the test: re-run the test in a private
#                        mount namespace with a private /dev, so that /dev/log
#                        can point at the test's own socket (never the host's
#                        /dev)
#   rsyslog_trap         after e2e_init: the cleanup trap stops rsyslogd too
#   rsyslog_start        start rsyslogd -n in the test's network namespace:
#                        imuxsock on $RS_SOCK (/dev/log links to it), imudp on
#                        127.0.0.1 and ::1 port $RS_UDP_PORT, imtcp (octet
#                        counting or LF framing) on $RS_TCP_PORT; every message
#                        one JSON line of rsyslog's parsed properties in
#                        $RS_DIR/msgs.json, raw in $RS_DIR/raw.log; then
#                        $RS_EXTRA_CONF (rsyslog statements a test adds,
#                        e.g. mmpstrucdata and its own output file)
#   rsyslog_stop         SIGTERM it and wait
#   rs_select EXPR [FIELD]  messages m for which the python EXPR holds:
#                        their count, or FIELD of each
#   rs_wait N EXPR [SEC] wait until N messages match
#   rs_tls_input NAME PORT CERT AUTH DRIVER [MORE]
#                        an imtcp input() statement (for RS_EXTRA_CONF) that
#                        speaks TLS (RFC 5425) on 127.0.0.1:PORT with
#                        $TLS_DIR/CERT.pem and .key, $TLS_DIR/ca.pem as its
#                        CA, authMode AUTH (anon, x509/certvalid, ...), the
#                        gtls or ossl driver, and MORE parameters
#   rs_wait_port PORT    wait until rsyslogd listens on TCP PORT
#   rs_stop_read_all PORT  stop rsyslogd so that it exits having read all
#                        its TCP acknowledged (for exact counts): first
#                        drop what is sent to PORT (it stays
#                        unacknowledged at the sender), then stop it
#   rs_reported_drops APP  the sum of the counts APP's DROPPED messages told
#   send_paced PORT N    N datagrams to 127.0.0.1:PORT at 200/s
RS_UDP_PORT=5514
RS_TCP_PORT=5515

rsyslog_enter() {
	[ "$(id -u)" = 0 ] || e2e_skip "needs root (namespaces)"
	command -v rsyslogd >/dev/null || e2e_skip "needs rsyslogd (apt-get install rsyslog)"
	command -v unshare >/dev/null || e2e_skip "needs unshare (util-linux)"
	if [ "${_NFLOGD_RSYSLOG_NS:-}" != 1 ]; then
		exec unshare --mount --propagation private env _NFLOGD_RSYSLOG_NS=1 "$0" "$@"
	fi
	# the host's /dev is a devtmpfs: never create /dev/log there
	mount -t tmpfs -o mode=755,nosuid nflogd-test-dev /dev
	local spec n ma mi
	for spec in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
		read -r n ma mi <<<"$spec"
		mknod -m 666 "/dev/$n" c "$ma" "$mi"
	done
	mkdir /dev/pts /dev/shm
	mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
	ln -s pts/ptmx /dev/ptmx
	ln -s /proc/self/fd /dev/fd
	ln -s /proc/self/fd/0 /dev/stdin
	ln -s /proc/self/fd/1 /dev/stdout
	ln -s /proc/self/fd/2 /dev/stderr
	RSYSLOG_PID=
}

rsyslog_trap() { on_exit rsyslog_stop; }

rsyslog_conf() {
	RS_DIR=$T/rs
	RS_SOCK=$RS_DIR/log.sock
	mkdir -p "$RS_DIR/work"
	ln -sf "$RS_SOCK" /dev/log
	cat >"$RS_DIR/rsyslog.conf" <<-EOF
	global(workDirectory="$RS_DIR/work" maxMessageSize="64k")
	module(load="imuxsock" SysSock.Name="$RS_SOCK" SysSock.RateLimit.Interval="0"
	       SysSock.UseSpecialParser="off" SysSock.ParseHostname="on")
	module(load="imudp")
	input(type="imudp" address="127.0.0.1" port="$RS_UDP_PORT" name="udp4")
	input(type="imudp" address="::1" port="$RS_UDP_PORT" name="udp6")
	module(load="imtcp")
	input(type="imtcp" address="127.0.0.1" port="$RS_TCP_PORT" name="tcp4")
	input(type="imtcp" address="::1" port="$RS_TCP_PORT" name="tcp6")
	template(name="json" type="string" string="{\"in\":\"%inputname%\",\"ver\":\"%protocol-version%\",\"fac\":\"%syslogfacility-text%\",\"sev\":\"%syslogseverity-text%\",\"host\":\"%hostname:::json%\",\"app\":\"%app-name:::json%\",\"procid\":\"%procid:::json%\",\"msgid\":\"%msgid:::json%\",\"sd\":\"%structured-data:::json%\",\"msg\":\"%msg:::json%\"}\n")
	template(name="raw" type="string" string="%inputname% %rawmsg%\n")
	*.* action(type="omfile" file="$RS_DIR/msgs.json" template="json")
	*.* action(type="omfile" file="$RS_DIR/raw.log" template="raw")
	${RS_EXTRA_CONF:-}
	EOF
	rsyslogd -N1 -f "$RS_DIR/rsyslog.conf" >"$RS_DIR/check.txt" 2>&1 || { cat "$RS_DIR/check.txt"; return 1; }
}

rsyslog_start() {
	[ -n "${RS_DIR:-}" ] || rsyslog_conf || return 1
	rm -f "$RS_SOCK" "$RS_DIR/rsyslogd.pid"
	ip netns exec "$NS" rsyslogd -n -f "$RS_DIR/rsyslog.conf" -i "$RS_DIR/rsyslogd.pid" \
		>>"$RS_DIR/rsyslogd.out" 2>&1 &
	RSYSLOG_PID=$!
	local i
	for i in $(seq 100); do
		if [ -S "$RS_SOCK" ] && nsx ss -ltnH "sport = :$RS_TCP_PORT" | grep -q . &&
			nsx ss -lunH "sport = :$RS_UDP_PORT" | grep -q .; then
			return 0
		fi
		sleep 0.05
	done
	echo "# rsyslogd not ready:"; sed 's/^/#   /' "$RS_DIR/rsyslogd.out"
	return 1
}

rsyslog_stop() {
	[ -n "${RSYSLOG_PID:-}" ] || return 0
	kill -TERM "$RSYSLOG_PID" 2>/dev/null
	wait "$RSYSLOG_PID" 2>/dev/null
	RSYSLOG_PID=
	return 0
}

# rs_select PYTHON_EXPR [FIELD]: the messages m (dicts of msgs.json) for
# which PYTHON_EXPR is true; prints FIELD of each (repr), or the count.
rs_select() {
	python3 -c '
import json, sys
expr = sys.argv[2]
sel = []
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape"):
    m = json.loads(line)
    if eval(expr, {}, {"m": m}):
        sel.append(m)
if len(sys.argv) > 3:
    for m in sel:
        print(repr(m.get(sys.argv[3])))
else:
    print(len(sel))' "$RS_DIR/msgs.json" "$@"
}

rs_tls_input() {
	local name=$1 port=$2 cert=$3 auth=$4 driver=$5 more=${6:-}
	printf 'input(type="imtcp" address="127.0.0.1" port="%s" name="%s" streamDriver.name="%s" streamDriver.mode="1" streamDriver.authMode="%s" streamDriver.CAFile="%s/ca.pem" streamDriver.CertFile="%s/%s.pem" streamDriver.KeyFile="%s/%s.key" %s)\n' \
		"$port" "$name" "$driver" "$auth" "$TLS_DIR" "$TLS_DIR" "$cert" "$TLS_DIR" "$cert" "$more"
}

rs_wait_port() {
	local i
	for i in $(seq 100); do
		nsx ss -ltnH "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

# A bare SIGTERM could exit with a few frames rsyslogd's kernel had
# acknowledged but rsyslogd never read: no plain TCP or TLS sender can know
# those (RELP can), so a count could not be exact.
rs_stop_read_all() {
	nsx nft add table ip rscut
	nsx nft add chain ip rscut out '{ type filter hook output priority 0; }'
	nsx nft add rule ip rscut out tcp dport "$1" drop
	sleep 0.3
	rsyslog_stop
	nsx nft delete table ip rscut
}

rs_reported_drops() {
	python3 -c '
import json, re, sys
t = 0
for l in open(sys.argv[1]):
    m = json.loads(l)
    if m["app"] == sys.argv[2] and m["msgid"] == "DROPPED":
        t += int(re.search(r"dropped (\d+) records", m["msg"]).group(1))
print(t)' "$RS_DIR/msgs.json" "$1"
}

send_paced() {
	nsx python3 -c '
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2]); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0 = time.monotonic()
for i in range(n):
    s.sendto(b"q", ("127.0.0.1", port))
    time.sleep(max(0, t0 + (i + 1) / 200.0 - time.monotonic()))' "$@"
}

# rs_wait N PYTHON_EXPR [SEC]: until N messages match
rs_wait() {
	local n=$1 expr=$2 secs=${3:-5} i
	for i in $(seq $((secs * 20))); do
		[ -f "$RS_DIR/msgs.json" ] && [ "$(rs_select "$expr")" -ge "$n" ] && return 0
		sleep 0.05
	done
	return 1
}
