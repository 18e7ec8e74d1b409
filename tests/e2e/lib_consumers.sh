# shellcheck shell=bash
# tests/e2e/lib_consumers.sh - Debian 12's logging stack, private to a test.
# Source it after lib.sh, lib_journald.sh and lib_rsyslog.sh (for
# rs_select and rs_wait on the parsed properties).
#
# As on a Debian 12 system: journald owns the syslog socket (/dev/log is
# /run/systemd/journal/dev-log) and forwards every message
# (ForwardToSyslog=yes, Debian's default) to rsyslogd on
# /run/systemd/journal/syslog (syslog.socket), which writes Debian's
# default files with Debian's default rules and file format (RFC 3339
# timestamps): here $T/log/syslog, kern.log, user.log, ... instead of
# /var/log. rsyslogd also listens on $STACK_RSYSLOG_SOCK, a socket of its
# own (rsyslog without journald in front), and writes every message's
# parsed properties as one JSON line to $RS_DIR/msgs.json (rs_select).
# Nothing of the host's journal, syslog or /etc is used or touched.
#
#   stack_enter "$@"   first line of the test (journald_enter: a private
#                      mount namespace)
#   stack_trap         after e2e_init: the cleanup trap stops both daemons
#   stack_start        start rsyslogd -n and journald; wait for their sockets
#   stack_stop         stop both (rsyslogd last, so it gets what journald forwards)
#   wait_grep N FILE PATTERN [SEC]  until FILE has N lines matching PATTERN (grep -E)
STACK_DEVLOG=/run/systemd/journal/dev-log

stack_enter() {
	command -v rsyslogd >/dev/null || e2e_skip "needs rsyslogd (apt-get install rsyslog)"
	journald_enter "$@"
	# Debian's default: journald forwards to the syslog daemon
	printf '[Journal]\nForwardToSyslog=yes\n' >/run/systemd/journald.conf.d/95-forward.conf
	RSYSLOG_PID=
}

stack_trap() { trap 'stack_stop; e2e_cleanup' EXIT; }

stack_start() {
	RS_DIR=$T/log
	mkdir -p "$T/log" "$T/rsyslog-work"
	STACK_RSYSLOG_SOCK=$T/rsyslog.sock
	cat >"$T/rsyslog.conf" <<-EOF
	global(workDirectory="$T/rsyslog-work")
	# syslog.socket hands rsyslogd journald's forwarding socket
	module(load="imuxsock" SysSock.Name="/run/systemd/journal/syslog")
	input(type="imuxsock" Socket="$STACK_RSYSLOG_SOCK" UseSpecialParser="on" ParseHostname="off")
	template(name="props" type="string" string="{\"fac\":\"%syslogfacility-text%\",\"sev\":\"%syslogseverity-text%\",\"host\":\"%hostname:::json%\",\"tag\":\"%syslogtag:::json%\",\"prog\":\"%programname:::json%\",\"msg\":\"%msg:::json%\",\"raw\":\"%rawmsg:::json%\"}\n")
	*.* action(type="omfile" file="$RS_DIR/msgs.json" template="props")
	# Debian 12's /etc/rsyslog.conf rules, into \$T/log
	*.*;auth,authpriv.none		-$T/log/syslog
	auth,authpriv.*			$T/log/auth.log
	cron.*				-$T/log/cron.log
	kern.*				-$T/log/kern.log
	mail.*				-$T/log/mail.log
	user.*				-$T/log/user.log
	*.emerg				:omusrmsg:*
	EOF
	rsyslogd -N1 -f "$T/rsyslog.conf" >"$T/rsyslog-check.txt" 2>&1 ||
		{ sed 's/^/#   /' "$T/rsyslog-check.txt"; return 1; }
	rm -f /run/systemd/journal/syslog "$STACK_RSYSLOG_SOCK"
	rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslogd.pid" >>"$T/rsyslogd.out" 2>&1 &
	RSYSLOG_PID=$!
	local i
	for i in $(seq 100); do
		[ -S /run/systemd/journal/syslog ] && [ -S "$STACK_RSYSLOG_SOCK" ] && break
		sleep 0.05
	done
	[ -S /run/systemd/journal/syslog ] || { echo "# rsyslogd did not start"; return 1; }
	journald_start
}

stack_stop() {
	journald_stop
	[ -n "${RSYSLOG_PID:-}" ] || return 0
	kill -TERM "$RSYSLOG_PID" 2>/dev/null
	wait "$RSYSLOG_PID" 2>/dev/null
	RSYSLOG_PID=
}

wait_grep() {
	local n=$1 file=$2 pattern=$3 secs=${4:-5} i
	for i in $(seq $((secs * 20))); do
		[ "$(grep -cE -- "$pattern" "$file" 2>/dev/null)" -ge "$n" ] && return 0
		sleep 0.05
	done
	return 1
}
