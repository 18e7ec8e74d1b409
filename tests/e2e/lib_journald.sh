# tests/e2e/lib_journald.sh - a private, real systemd-journald for a test.
# Source it after lib.sh.
#
#   journald_enter "$@"   first line of the test: re-run the test inside a
#                         private mount namespace (never the host's journal:
#                         /run/systemd and /run/log are tmpfs there, gone
#                         with the test). Not a PID namespace: lib.sh names
#                         things with $$, which would be 1 in every test.
#   journald_trap         after e2e_init: the cleanup trap stops journald too
#   journald_start        start journald (again) in it; waits for its socket
#                         (in the network namespace $JOURNALD_NETNS if set)
#   journald_stop         SIGTERM it (SIGCONT first, if a test stopped it) and wait
#   jctl ARGS...          journalctl on the private journal only
#   counters OUTPUT       SIGUSR2 to the daemon; print OUTPUT's newest counter line
#   settled OUTPUT [SEC]  true once OUTPUT has nothing queued (all it sent is
#                         known read by journald), asked every 0.1 s up to SEC (10)
#
# journald runs outside the test's network namespace; the daemon reaches
# its socket by path (/run/systemd/journal/socket) all the same.
# ReadKMsg=no: the host's kernel log stays out. No rate limit.

journald_enter() {
	[ "$(id -u)" = 0 ] || e2e_skip "needs root (namespaces)"
	[ -x /lib/systemd/systemd-journald ] || e2e_skip "needs systemd-journald (apt-get install systemd)"
	command -v unshare >/dev/null || e2e_skip "needs unshare (util-linux)"
	if [ "${_NFLOGD_JOURNALD_NS:-}" != 1 ]; then
		exec unshare --mount --propagation private \
			env _NFLOGD_JOURNALD_NS=1 "$0" "$@"
	fi
	mount -t tmpfs -o mode=755 nflogd-test-systemd /run/systemd
	mount -t tmpfs -o mode=755 nflogd-test-log /run/log
	# journald needs a cgroup fs ("Failed to acquire cgroup root path")
	if ! [ -e /sys/fs/cgroup/cgroup.procs ] && ! [ -e /sys/fs/cgroup/unified/cgroup.procs ] &&
		! [ -e /sys/fs/cgroup/systemd/cgroup.procs ]; then
		mount -t cgroup2 nflogd-test-cgroup2 /sys/fs/cgroup
	fi
	mkdir -p /run/systemd/journal /run/systemd/journald.conf.d
	cat >/run/systemd/journald.conf.d/90-nflogd-test.conf <<-EOF
	[Journal]
	Storage=volatile
	ReadKMsg=no
	ForwardToSyslog=no
	ForwardToKMsg=no
	ForwardToConsole=no
	ForwardToWall=no
	RateLimitIntervalSec=0
	RuntimeMaxUse=64M
	EOF
	JOURNALD_PID=
}

journald_trap() { on_exit journald_stop; }

journald_start() {
	rm -f /run/systemd/journal/socket   # a stale one would look ready
	${JOURNALD_NETNS:+nsenter --net=/run/netns/$JOURNALD_NETNS} \
		/lib/systemd/systemd-journald >>"${T:-/tmp}/journald.log" 2>&1 &
	JOURNALD_PID=$!
	local i
	for i in $(seq 100); do
		[ -S /run/systemd/journal/socket ] && return 0
		sleep 0.05
	done
	echo "# journald did not start"
	return 1
}

journald_stop() {
	[ -n "${JOURNALD_PID:-}" ] || return 0
	kill -CONT "$JOURNALD_PID" 2>/dev/null   # a test may have stopped it
	kill -TERM "$JOURNALD_PID" 2>/dev/null
	wait "$JOURNALD_PID" 2>/dev/null
	JOURNALD_PID=
	# a socket file left behind must refuse, not accept: it does (no listener)
	return 0
}

jctl() { journalctl -q --no-pager --directory=/run/log/journal "$@"; }

counters() {
	local n
	n=$(grep -c "output $1: written" "$T/nflogd.log")
	kill -USR2 "$(daemon_pid)"
	for _ in $(seq 100); do
		[ "$(grep -c "output $1: written" "$T/nflogd.log")" -gt "$n" ] && break
		sleep 0.02
	done
	grep "output $1: written" "$T/nflogd.log" | tail -1
}

settled() {
	local i
	for i in $(seq $((${2:-10} * 10))); do
		counters "$1" | grep -q "queued 0," && return 0
		sleep 0.1
	done
	return 1
}
