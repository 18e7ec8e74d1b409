#!/bin/bash
# The daemon under valgrind (memcheck) with traffic: well-formed IPv4/IPv6
# UDP, TCP and ICMP, the malformed packets of rawsend.py, a hostile
# prefix, file outputs in both formats and syslog outputs whose peers are
# missing (UDP refused, TCP refused and retried), a SIGUSR1 reopen and a
# SIGHUP reload. Valgrind must report no invalid access, no use of
# uninitialized memory and no definite or indirect leak; the daemon must
# exit 0 (99 means valgrind found errors).
# Valgrind cannot run an ASan binary: in the sanitizer tree this skips.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || e2e_skip "needs valgrind (apt-get install valgrind)"
if grep -q -a -m1 __asan_init "$NFLOGD" 2>/dev/null; then
	e2e_skip "ASan build: valgrind cannot run it (the normal tree runs this test)"
fi
e2e_init valgrind

VGLOG="$T/valgrind.log"
export NFLOGD_WRAP="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --track-fds=no --log-file=$VGLOG"

# a prefix of hostile bytes (nft takes any byte but '"' verbatim)
HOSTILE=$'a\\b\'q\x1b[31m\nnl\xff\xc3-'"$TAG "
nft_load <<EOF
table inet vg {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7501 log group 71 prefix "vg-$TAG "
		meta nfproto ipv6 udp dport 7501 log group 72 prefix "vg6-$TAG "
		tcp dport 7502 log group 71 prefix "vgt-$TAG "
		icmp type echo-request log group 72 prefix "vgi-$TAG "
		ip ttl 66 log group 71 prefix "vgm-$TAG "
		ip6 hoplimit 66 log group 72 prefix "vgm6-$TAG "
		udp dport 7503 log group 71 prefix "$HOSTILE"
	}
}
EOF
[ $? = 0 ] || { not_ok "nft rules load"; e2e_finish; }

write_conf() {  # EXTRA_GROUP_KEYS
	cat >"$T/nflogd.conf" <<EOF
outputs = (
	$(conf_file_output text "$T/vg.log" text 'log_flags = ("all");'),
	$(conf_file_output json "$T/vg.json" json),
	{ name = "udp"; type = "syslog"; target = "udp://127.0.0.1:9"; format = "rfc5424"; },
	{ name = "tcp"; type = "syslog"; target = "tcp://127.0.0.1:9"; }
);
groups = (
	{ group = 71; outputs = ("text", "json", "udp", "tcp"); qthresh = 4; $1 },
	{ group = 72; outputs = ("text", "json"); qthresh = 4; }
);
EOF
}
write_conf ""
# valgrind makes the start slow: daemon_start waits up to 10 s
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts under valgrind"; cat "$VGLOG"; e2e_finish; }
ok "daemon starts under valgrind"

send_udp 127.0.0.1 7501 40
send_udp ::1 7501 20
send_tcp 127.0.0.1 7502
nsx ping -c 2 -i 0.2 -W 1 127.0.0.1 >/dev/null
send_udp 127.0.0.1 7503 1
nsx python3 "$NFLOGD_SRC/tests/e2e/rawsend.py" malformed --ttl 66 >"$T/sent" 2>&1 ||
	not_ok "raw packets sent"
n_raw=$(grep -c '^v[46] ' "$T/sent")
want=$((40 + 20 + 1 + 2 + 1 + n_raw))   # TCP: at least the SYN
wait_lines "$T/vg.log" "$want" 20 || true

kill -USR1 "$(daemon_pid)"          # reopen the files
write_conf 'copy_range = 40;'
kill -HUP "$(daemon_pid)"           # reload: group 71 re-created
sleep 1
send_udp 127.0.0.1 7501 10
wait_lines "$T/vg.log" $((want + 10)) 20 || true

check "the daemon is still running" kill -0 "$(daemon_pid)"
daemon_stop; rc=$?
check_eq "daemon exits 0 under valgrind (99: valgrind found errors)" "$rc" 0
lines=$(wc -l <"$T/vg.log")
check "records written ($lines of at least $((want + 10)))" test "$lines" -ge $((want + 10))
check "JSON valid" python3 "$NFLOGD_SRC/tests/e2e/check_json.py" "$T/vg.json"
check "valgrind: ERROR SUMMARY: 0 errors" grep -q "ERROR SUMMARY: 0 errors" "$VGLOG"
check "valgrind: definitely lost: 0 bytes" \
	bash -c "grep -q 'definitely lost: 0 bytes' '$VGLOG' || grep -q 'All heap blocks were freed' '$VGLOG'"
check "valgrind: indirectly lost: 0 bytes" \
	bash -c "grep -q 'indirectly lost: 0 bytes' '$VGLOG' || grep -q 'All heap blocks were freed' '$VGLOG'"
grep -E "ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|All heap" "$VGLOG" |
	sed 's/^==[0-9]*== */#   /'
if [ "$E2E_FAILED" != 0 ]; then
	sed 's/^/#   /' "$VGLOG" | head -80
fi
e2e_finish
