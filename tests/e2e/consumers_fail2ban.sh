#!/bin/bash
# fail2ban (Debian's package) on nflogd's output, with the filter and the
# three jails of doc/consumers.md as written: nflogd's text file, kern.log
# (a syslog output with format = "kernel", through journald and rsyslog as
# on Debian 12: lib_consumers.sh) and the journal output. A port scan over
# IPv4 and one over IPv6: every jail bans both scanning sources, and
# nothing else. fail2ban-server runs in the foreground, in the test's
# network namespace, with a private /etc/fail2ban (bound over the host's),
# its own socket and an in-memory database; a test action writes each ban
# to a file instead of touching a firewall.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_journald.sh"
. "$(dirname "$0")/lib_rsyslog.sh"
. "$(dirname "$0")/lib_consumers.sh"
command -v fail2ban-server >/dev/null || e2e_skip "needs fail2ban (apt-get install fail2ban)"
/usr/bin/python3 -c 'import systemd.journal' 2>/dev/null ||
	e2e_skip "needs python3-systemd (fail2ban's journal backend)"
stack_enter "$@"
e2e_init fail2ban
stack_trap
stack_start || { not_ok "journald and rsyslogd start"; e2e_finish; }
scan_net || { not_ok "scanner namespace"; e2e_finish; }
scan_rules 1 "DROP "   # the recipe's prefix (everything here is the test's own)
nsx nft add rule inet scan input iifname "v0" udp dport 9999 log group 1 prefix '"OTHER "'

mkdir -p /var/log/nflogd
cat >"$T/nflogd.conf" <<EOF
outputs = (
	{ name = "text"; type = "file"; path = "/var/log/nflogd/nflog.log"; format = "text"; },
	{ name = "kern"; type = "syslog"; format = "kernel"; },
	{ name = "journal"; type = "journal"; }
);
groups = ( { group = 1; outputs = ("text", "kern", "journal"); } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }

# ---- fail2ban: the recipe's files, plus test-only settings
private_etc fail2ban
recipe "fail2ban filter.d/nflogd.conf" >/etc/fail2ban/filter.d/nflogd.conf
recipe "fail2ban jail.d/nflogd.local" >/etc/fail2ban/jail.d/nflogd.local
cat >/etc/fail2ban/action.d/test-record.conf <<EOF
[Definition]
actionban = echo "<name> <ip>" >>$T/bans.txt
actionunban = echo "unban <name> <ip>" >>$T/bans.txt
EOF
cat >/etc/fail2ban/jail.d/zz-test.local <<EOF
# test only: no firewall, no Debian default jail
[DEFAULT]
banaction = test-record
banaction_allports = test-record
[sshd]
enabled = false
EOF
printf '[Definition]\ndbfile = :memory:\n' >/etc/fail2ban/fail2ban.d/zz-test.local
ip netns exec "$NS" fail2ban-server -f -x -s "$T/f2b.sock" -p "$T/f2b.pid" \
	--logtarget "$T/fail2ban.log" --loglevel INFO >"$T/f2b.out" 2>&1 &
DAEMON_PIDS[fail2ban]=$!
f2b() { fail2ban-client -s "$T/f2b.sock" "$@"; }
for _ in $(seq 100); do f2b ping >/dev/null 2>&1 && break; sleep 0.1; done
check "fail2ban-server runs the three jails" \
	bash -c "fail2ban-client -s '$T/f2b.sock' status | grep -q 'Jail list:.*nflogd-file, nflogd-journal, nflogd-kern'"
f2b status | sed 's/^/#   /'
sleep 1   # the jails' first look at their logs

# ---- traffic that must not ban: 12 records of a rule with another prefix,
# from another address (198.51.100.8), first (each jail reads its log in
# order: once the scanners are banned, these lines were read too); then the
# scans
ip -n "$SCANNER" addr add 198.51.100.8/24 dev s0
ip netns exec "$SCANNER" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.8", 0))
for i in range(12):
    s.sendto(b"x", ("192.0.2.1", 9999))'
scan "$TARGET_ADDR4" $(seq 20 40)
scan "$TARGET_ADDR6" $(seq 20 40)
banned() { grep -c "^$1 $2\$" "$T/bans.txt" 2>/dev/null; }
all_banned() {
	local j
	for j in nflogd-file nflogd-kern nflogd-journal; do
		[ "$(banned "$j" "$SCAN_ADDR4")" = 1 ] && [ "$(banned "$j" "$SCAN_ADDR6")" = 1 ] || return 1
	done
}
for _ in $(seq 150); do all_banned && break; sleep 0.1; done
for j in nflogd-file nflogd-kern nflogd-journal; do
	check_eq "$j bans the IPv4 scanner $SCAN_ADDR4 (once)" "$(banned "$j" "$SCAN_ADDR4")" 1
	check_eq "$j bans the IPv6 scanner $SCAN_ADDR6 (once)" "$(banned "$j" "$SCAN_ADDR6")" 1
	check "fail2ban-client status $j lists both" \
		bash -c "fail2ban-client -s '$T/f2b.sock' status $j | grep -q 'Banned IP list:.*$SCAN_ADDR4.*$SCAN_ADDR6\|Banned IP list:.*$SCAN_ADDR6.*$SCAN_ADDR4'"
done
check_eq "nothing else banned (not 198.51.100.8, whose records have another prefix)" "$(wc -l <"$T/bans.txt")" 6
check_eq "... though its 12 records are in the logs" "$(grep -c 'OTHER IN=v0 .*SRC=198.51.100.8 ' /var/log/kern.log)" 12
# why the recipes read kern.log: journald forwards the journal output's
# entries too, as user.notice lines of nflogd's, into syslog and user.log
check_eq "the journal output's 54 entries are in user.log too (tag nflogd[PID]:)" \
	"$(grep -c " nflogd\[$(daemon_pid)\]: [A-Z]* IN=v0 " /var/log/user.log)" 54
check_eq "... so /var/log/syslog has each record twice" \
	"$(grep -c " IN=v0 " /var/log/syslog)" 108
sed 's/^/#   /' "$T/bans.txt"
f2b stop >/dev/null
wait "${DAEMON_PIDS[fail2ban]}"
unset "DAEMON_PIDS[fail2ban]"
grep -E "ERROR|WARNING" "$T/fail2ban.log" | sed 's/^/#   /'
check_eq "fail2ban logged no error" "$(grep -c ERROR "$T/fail2ban.log")" 0
e2e_finish
