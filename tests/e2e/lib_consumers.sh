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
# timestamps): /var/log/syslog, kern.log, user.log, ..., where /var/log is
# $T/log bound over it in the test's mount namespace, so that programs and
# recipes use their usual paths. rsyslogd also listens on
# $STACK_RSYSLOG_SOCK, a socket of its own (rsyslog without journald in
# front), and writes every message's parsed properties as one JSON line to
# $RS_DIR/msgs.json (rs_select). Programs' configuration directories are
# private copies bound over the host's (private_etc). Nothing of the
# host's journal, syslog, /var/log or /etc is used or touched.
#
#   stack_enter "$@"   first line of the test: a private mount namespace with
#                      a private /dev (rsyslog_enter) whose /dev/log is
#                      journald's socket, and private /run/systemd, /run/log
#                      (journald_enter)
#   stack_trap         after e2e_init: the cleanup trap stops both daemons
#   stack_start        start rsyslogd -n and journald; wait for their sockets
#   stack_stop         stop both (rsyslogd last, so it gets what journald forwards)
#   wait_grep N FILE PATTERN [SEC]  until FILE has N lines matching PATTERN (grep -E)
#   private_etc NAME     a copy of /etc/NAME in $T/etc, bound over /etc/NAME
#   recipe MARK          the code block after "<!-- MARK -->" in doc/consumers.md
#   check_doc_examples DOC PATTERN  run the documented commands (below)
#   STACK_RSYSLOG_EXTRA  rsyslog configuration lines added after Debian's rules
STACK_DEVLOG=/run/systemd/journal/dev-log

stack_enter() {
	[ "$(id -u)" = 0 ] || e2e_skip "needs root (namespaces)"
	command -v unshare >/dev/null || e2e_skip "needs unshare (util-linux)"
	# one private mount namespace for both (each enter would make its own)
	if [ "${_NFLOGD_JOURNALD_NS:-}" != 1 ] || [ "${_NFLOGD_RSYSLOG_NS:-}" != 1 ]; then
		exec unshare --mount --propagation private \
			env _NFLOGD_JOURNALD_NS=1 _NFLOGD_RSYSLOG_NS=1 "$0" "$@"
	fi
	rsyslog_enter "$@" # a private /dev
	journald_enter "$@"
	# Debian's default: journald forwards to the syslog daemon
	printf '[Journal]\nForwardToSyslog=yes\n' >/run/systemd/journald.conf.d/95-forward.conf
	# /dev/log is journald's, as on Debian: for nflogd and every program
	ln -sf "$STACK_DEVLOG" /dev/log
}

stack_trap() { on_exit '[ -z "${SCANNER:-}" ] || ip netns del "$SCANNER"'; on_exit stack_stop; }

stack_start() {
	RS_DIR=$T/log
	mkdir -p "$T/log" "$T/rsyslog-work"
	mount --bind "$T/log" /var/log || return 1
	STACK_RSYSLOG_SOCK=$T/rsyslog.sock
	cat >"$T/rsyslog.conf" <<-EOF
	global(workDirectory="$T/rsyslog-work")
	# syslog.socket hands rsyslogd journald's forwarding socket
	module(load="imuxsock" SysSock.Name="/run/systemd/journal/syslog")
	input(type="imuxsock" Socket="$STACK_RSYSLOG_SOCK" UseSpecialParser="on" ParseHostname="off")
	template(name="props" type="string" string="{\"fac\":\"%syslogfacility-text%\",\"sev\":\"%syslogseverity-text%\",\"host\":\"%hostname:::json%\",\"tag\":\"%syslogtag:::json%\",\"prog\":\"%programname:::json%\",\"msg\":\"%msg:::json%\",\"raw\":\"%rawmsg:::json%\"}\n")
	*.* action(type="omfile" file="$RS_DIR/msgs.json" template="props")
	# Debian 12's /etc/rsyslog.conf rules
	*.*;auth,authpriv.none		-/var/log/syslog
	auth,authpriv.*			/var/log/auth.log
	cron.*				-/var/log/cron.log
	kern.*				-/var/log/kern.log
	mail.*				-/var/log/mail.log
	user.*				-/var/log/user.log
	*.emerg				:omusrmsg:*
	${STACK_RSYSLOG_EXTRA:-}
	EOF
	rsyslogd -N1 -f "$T/rsyslog.conf" >"$T/rsyslog-check.txt" 2>&1 ||
		{ sed 's/^/#   /' "$T/rsyslog-check.txt"; return 1; }
	# Both run in the test's network namespace, where a unix datagram
	# socket's queue holds 512 messages, as systemd (PID 1) sets
	# net.unix.max_dgram_qlen at boot, not the kernel's 10: with 10,
	# journald's forwarding to rsyslog loses messages of a burst
	# ("Forwarding to syslog missed N messages").
	nsx sysctl -qw net.unix.max_dgram_qlen=512 || return 1
	rm -f /run/systemd/journal/syslog "$STACK_RSYSLOG_SOCK"
	ip netns exec "$NS" rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslogd.pid" >>"$T/rsyslogd.out" 2>&1 &
	RSYSLOG_PID=$!
	local i
	for i in $(seq 100); do
		[ -S /run/systemd/journal/syslog ] && [ -S "$STACK_RSYSLOG_SOCK" ] && break
		sleep 0.05
	done
	[ -S /run/systemd/journal/syslog ] || { echo "# rsyslogd did not start"; return 1; }
	JOURNALD_NETNS=$NS journald_start
}

stack_stop() {
	journald_stop
	[ -n "${RSYSLOG_PID:-}" ] || return 0
	kill -TERM "$RSYSLOG_PID" 2>/dev/null
	wait "$RSYSLOG_PID" 2>/dev/null
	RSYSLOG_PID=
}

private_etc() {
	mkdir -p "$T/etc"
	cp -a "/etc/$1" "$T/etc/$1" && mount --bind "$T/etc/$1" "/etc/$1"
}

wait_grep() {
	local n=$1 file=$2 pattern=$3 secs=${4:-5} i
	for i in $(seq $((secs * 20))); do
		[ "$(grep -cE -- "$pattern" "$file" 2>/dev/null)" -ge "$n" ] && return 0
		sleep 0.05
	done
	return 1
}

# ---- a port scan from a namespace of its own ----
#
#   scan_net             $SCANNER (a netns) joined to $NS by a veth pair, with
#                        documentation addresses (as the recipes' examples):
#                        NS v0 192.0.2.1 2001:db8::1, SCANNER s0
#                        198.51.100.7 2001:db8:5::7; stack_trap's cleanup
#                        removes it
#   scan_rules GROUP PREFIX  in NS, every new TCP SYN that comes in on v0 is
#                        logged to NFLOG GROUP with PREFIX and refused (RST),
#                        as a firewall's "log and drop" rule would
#   scan ADDR PORT...    one SYN from the scanner to each port of ADDR
SCAN_ADDR4=198.51.100.7 SCAN_ADDR6=2001:db8:5::7 TARGET_ADDR4=192.0.2.1 TARGET_ADDR6=2001:db8::1
# as the kernel's LOG line writes them
SCAN_ADDR6_FULL=2001:0db8:0005:0000:0000:0000:0000:0007
TARGET_ADDR6_FULL=2001:0db8:0000:0000:0000:0000:0000:0001

scan_net() {
	SCANNER="nfd-scan-$$"
	ip netns add "$SCANNER" || return 1
	ip -n "$SCANNER" link set lo up
	ip -n "$NS" link add v0 type veth peer name s0 netns "$SCANNER" || return 1
	ip -n "$NS" addr add "$TARGET_ADDR4/24" dev v0
	ip -n "$NS" addr add "$TARGET_ADDR6/64" dev v0 nodad
	ip -n "$NS" link set v0 up
	ip -n "$NS" route add 198.51.100.0/24 dev v0
	ip -n "$NS" route add 2001:db8:5::/64 dev v0
	ip -n "$SCANNER" addr add "$SCAN_ADDR4/24" dev s0
	ip -n "$SCANNER" addr add "$SCAN_ADDR6/64" dev s0 nodad
	ip -n "$SCANNER" link set s0 up
	ip -n "$SCANNER" route add 192.0.2.0/24 dev s0
	ip -n "$SCANNER" route add 2001:db8::/64 dev s0
}

scan_rules() {
	nft_load <<-EOF2
	table inet scan {
		chain input {
			type filter hook input priority 0; policy accept;
			iifname "v0" tcp flags & (syn | ack) == syn log group $1 prefix "$2" reject with tcp reset
		}
	}
	EOF2
}

scan() {
	ip netns exec "$SCANNER" python3 - "$@" <<-'PY'
	import socket, sys
	addr, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
	for port in ports:
	    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
	    s.settimeout(1)
	    try:
	        s.connect((addr, port))
	    except OSError:
	        pass  # refused: the firewall's RST
	    s.close()
	PY
}

recipe() {
	python3 -c 'import sys; print(open(sys.argv[1]).read().split("<!-- %s -->" % sys.argv[2], 1)[1].split("```", 2)[1].strip())' \
		"$NFLOGD_SRC/doc/consumers.md" "$1"
}

# check_doc_examples DOC PATTERN: every "    $ CMD" line of the markdown
# DOC whose CMD matches the grep -E PATTERN runs as written with bash
# (`tail -f` as `tail -n +1`: the same lines, without waiting for more),
# and its output must be the indented lines shown after it ("..." stands
# for any text; a last line "..." for more lines; none: no output). One
# check each; DOC_EXAMPLES counts them.
check_doc_examples() {
	local cmd want got rc
	DOC_EXAMPLES=0
	while IFS= read -r -d '' cmd && IFS= read -r -d '' want; do
		DOC_EXAMPLES=$((DOC_EXAMPLES + 1))
		got=$(timeout 10 bash -c "${cmd//tail -f /tail -n +1 }" 2>&1)
		rc=$?
		if [ "$rc" = 0 ] && python3 "$NFLOGD_SRC/tests/e2e/doc_output.py" "$got" "$want"; then
			ok "as documented: $cmd"
		else
			not_ok "as documented (exit $rc): $cmd"
			echo "#   got:"; head -n 8 <<<"$got" | sed 's/^/#     /'
			echo "#   want:"; sed 's/^/#     /' <<<"$want"
		fi
	done < <(python3 - "$1" "$2" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
i = 0
while i < len(lines):
    if lines[i].startswith("    $ ") and re.search(sys.argv[2], lines[i][6:]):
        cmd, want = lines[i][6:], []
        i += 1
        while i < len(lines) and lines[i].startswith("    ") and not lines[i].startswith("    $ "):
            want.append(lines[i][4:])
            i += 1
        sys.stdout.write(cmd + "\0" + "\n".join(want) + "\0")
    else:
        i += 1
PY
	)
}
