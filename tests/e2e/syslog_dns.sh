#!/bin/bash
# Host names in syslog targets, resolved without blocking (evdns) through
# a resolver this test controls: in its private mount namespace,
# /etc/resolv.conf names a tiny DNS server (dns_server.py) on the test's
# loopback and /etc/hosts is the test's own file. A name from DNS and one
# from the hosts file reach rsyslogd; both records then move to another
# address and, at the reconnect, the output follows them; a name that does
# not exist and one whose server fails are reported in words, while the
# other outputs keep writing; once the missing name appears, the output
# that waited for it delivers its queue.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_rsyslog.sh"
rsyslog_enter "$@"
e2e_init dns
DNS_PID=
on_exit rsyslog_stop
on_exit '[ -z "$DNS_PID" ] || kill $DNS_PID'

# the resolver of this mount namespace (never the host's files)
echo "nameserver 127.0.0.1" >"$T/resolv.conf"
printf '127.0.0.1 localhost\n127.0.0.1 hostsonly.test\n' >"$T/hosts"
mount --bind "$T/resolv.conf" /etc/resolv.conf && mount --bind "$T/hosts" /etc/hosts ||
	e2e_skip "cannot bind-mount /etc/resolv.conf and /etc/hosts"
printf 'logs.dns.test 127.0.0.1\nbroken.dns.test SERVFAIL\n' >"$T/records"
ip netns exec "$NS" python3 "$NFLOGD_SRC/tests/e2e/dns_server.py" 127.0.0.1 "$T/records" >"$T/dns.log" 2>&1 &
DNS_PID=$!
for _ in $(seq 50); do grep -q ready "$T/dns.log" && break; sleep 0.05; done

RS_EXTRA_CONF="input(type=\"imtcp\" address=\"127.0.0.2\" port=\"$RS_TCP_PORT\" name=\"tcp4b\")"
rsyslog_start || { not_ok "rsyslogd starts"; e2e_finish; }
nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7701 log group 71 prefix "a-$TAG "
		udp dport 7702 log group 71 prefix "b-$TAG "
	}
}
EOF
out() { printf '{ name = "%s"; type = "syslog"; target = "tcp://%s:%s"; ident = "%s-%s"; },' "$1" "$2" "$RS_TCP_PORT" "$1" "$TAG"; }
cat >"$T/nflogd.conf" <<EOF
outputs = (
	$(out dns logs.dns.test)
	$(out hosts hostsonly.test)
	$(out nx nx.dns.test)
	$(out sf broken.dns.test)
	$(conf_file_output f "$T/g71.log" text)
);
groups = ( { group = 71; outputs = ("dns", "hosts", "nx", "sf", "f"); qthresh = 1; } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
PID=$(daemon_pid)

send_udp 127.0.0.1 7701 3
check "file output: 3 records" wait_lines "$T/g71.log" 3
sel() { echo "m['app'] == '$1-$TAG' and m['in'] == '$2' and '$3-$TAG ' in m['msg']"; }
check "a name from DNS: 3 records at 127.0.0.1" rs_wait 3 "$(sel dns tcp4 a)"
check "a name from /etc/hosts: 3 records at 127.0.0.1" rs_wait 3 "$(sel hosts tcp4 a)"
check "the DNS server was asked for logs.dns.test" grep -q "^logs.dns.test 1 0$" "$T/dns.log"
check_eq "and never for hostsonly.test (the hosts file answers first)" \
	"$(grep -c "^hostsonly.test" "$T/dns.log")" 0
wait_log() { for _ in $(seq $(($2 * 20))); do grep -q "$1" "$T/nflogd.log" && return 0; sleep 0.05; done; return 1; }
check "a name nobody knows: said so, with the nameservers asked" wait_log \
	"output nx: cannot resolve nx.dns.test: no such host: neither /etc/hosts nor the nameservers of /etc/resolv.conf (127.0.0.1) know an address for it" 3
check "a failing DNS server: said so" wait_log \
	"output sf: cannot resolve broken.dns.test: the nameservers of /etc/resolv.conf (127.0.0.1) did not answer, or answered with an error" 3

# both names move to 127.0.0.2; a reconnect (SIGUSR1 starts afresh)
# looks them up again
printf 'logs.dns.test 127.0.0.2\nbroken.dns.test SERVFAIL\n' >"$T/records"
printf '127.0.0.1 localhost\n127.0.0.2 hostsonly.test\n' >"$T/hosts"
kill -USR1 "$PID"
check "the move is logged" wait_log "output dns: logs.dns.test resolves to 127.0.0.2 now (was 127.0.0.1)" 3
check "the hosts file was read again" wait_log "output hosts: hostsonly.test resolves to 127.0.0.2 now (was 127.0.0.1)" 3
send_udp 127.0.0.1 7702 3
check "DNS name moved: the next 3 records at 127.0.0.2" rs_wait 3 "$(sel dns tcp4b b)"
check "hosts name moved: the next 3 records at 127.0.0.2" rs_wait 3 "$(sel hosts tcp4b b)"
check "file output: all 6 records" wait_lines "$T/g71.log" 6

# the missing name appears: the output that queued meanwhile delivers
printf 'logs.dns.test 127.0.0.2\nbroken.dns.test SERVFAIL\nnx.dns.test 127.0.0.1\n' >"$T/records"
check "nx: its 6 queued records arrive once the name exists" rs_wait 6 \
	"m['app'] == 'nx-$TAG' and m['msgid'] == 'NFLOG'" 10
kill -USR2 "$PID"
check "sf: still waiting, its records queued, not lost" wait_log "output sf: written 0, queued 7, dropped 0" 2

daemon_stop; rc=$?
check_eq "SIGTERM: exit 0" "$rc" 0
check "no sanitizer report in the daemon log" bash -c "! grep -q 'Sanitizer\|runtime error' \"\$1\"" _ "$T/nflogd.log"
e2e_finish
