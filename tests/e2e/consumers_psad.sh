#!/bin/bash
# psad (Debian's package) on nflogd's output after a port scan, with the
# recipe of doc/consumers.md: nflogd's syslog output with
# format = "kernel" (through journald and rsyslog into /var/log/kern.log,
# as on Debian 12: lib_consumers.sh), psad.conf told to read kern.log.
# - the daemon (psad --no-daemon, tailing the file) detects the IPv4 and
#   the IPv6 scan: source, destination, ports, the rule's prefix, the
#   syslog host name, the time, and says so in syslog;
# - psad -A (offline analysis) finds both scans with their prefix; on a
#   file with traditional timestamps ("Mmm dd hh:mm:ss", the only form psad
#   reads) the start time is the first packet's.
# psad runs in the test's network namespace, with a private /etc/psad
# (bound over the host's) and its state under $T.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_journald.sh"
. "$(dirname "$0")/lib_rsyslog.sh"
. "$(dirname "$0")/lib_consumers.sh"
command -v psad >/dev/null || e2e_skip "needs psad (apt-get install psad)"
stack_enter "$@"
e2e_init psad
stack_trap
STACK_RSYSLOG_EXTRA='kern.* -/var/log/kern-traditional.log;RSYSLOG_TraditionalFileFormat'
stack_start || { not_ok "journald and rsyslogd start"; e2e_finish; }
scan_net || { not_ok "scanner namespace"; e2e_finish; }
P="DROP-$$"
scan_rules 1 "$P "

# ---- nflogd, as doc/consumers.md says
cat >"$T/nflogd.conf" <<EOF
outputs = ( { name = "kern"; type = "syslog"; format = "kernel"; } );
groups = ( { group = 1; outputs = ("kern"); } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }

# ---- psad: Debian's psad.conf with the recipe's lines (from
# doc/consumers.md) and, for the test only, no mail, state under $T
private_etc psad
mkdir -p "$T/psad-run" "$T/psad-lib"
recipe psad.conf >"$T/psad-recipe.conf"
python3 - /etc/psad/psad.conf "$T/psad-recipe.conf" "$T" <<'PY'
import re, sys
conf, block, tmp = sys.argv[1:]
recipe = [l for l in open(block).read().splitlines() if re.match(r"^[A-Z_]+\s", l)]
assert recipe, "no psad.conf lines in doc/consumers.md"
test_only = ["ALERTING_METHODS noemail;", "PSAD_RUN_DIR %s/psad-run;" % tmp,
             "PSAD_FIFO_DIR %s/psad-lib;" % tmp]
lines = open(conf).read().splitlines()
for new in recipe + test_only:
    key = new.split()[0]
    lines = [l for l in lines if not re.match(r"^%s\s" % key, l)] + [new]
open(conf, "w").write("\n".join(lines) + "\n")
print("# psad.conf: " + " ".join(recipe))
PY
touch /var/log/kern.log
ip netns exec "$NS" psad --no-daemon --no-rdns --no-whois --no-fwcheck --no-netstat -I 1 \
	>"$T/psad.out" 2>&1 &
DAEMON_PIDS[psad]=$!
wait_grep 1 /var/log/syslog "psad: starting up" ||
	{ not_ok "psad starts"; sed 's/^/#   /' "$T/psad.out"; e2e_finish; }

# ---- the scan: ports 20..40 over IPv4, then over IPv6
t0=$(date +%s)
scan "$TARGET_ADDR4" $(seq 20 40)
scan "$TARGET_ADDR6" $(seq 20 40)
t1=$(date +%s)
check "42 kernel lines in kern.log" wait_grep 42 /var/log/kern.log "kernel: $P IN=v0 "
for src in "$SCAN_ADDR4 -> $TARGET_ADDR4" "$SCAN_ADDR6_FULL -> $TARGET_ADDR6_FULL"; do
	check "psad daemon: 'scan detected ... $src tcp: [20-40]' in syslog" \
		wait_grep 1 /var/log/syslog "psad: scan detected .*: $src tcp: \[20-40\] flags: SYN tcp pkts: 21 " 10
done
kill -TERM "${DAEMON_PIDS[psad]}"; wait "${DAEMON_PIDS[psad]}" 2>/dev/null; unset "DAEMON_PIDS[psad]"
echo "# psad's alerts:"; grep "psad: scan" /var/log/syslog | sed 's/^/#   /'
# its alert on stdout, one per source
alert() {   # alert SOURCE: psad's alert text for that source
	python3 -c '
import sys
text = open(sys.argv[1]).read()
for a in text.split("=-=-=-=-=-=-=-=-=-=-=-="):
    if "Source: %s\n" % sys.argv[2] in a:
        print(a)' "$T/psad.out" "$1"
}
for src in "$SCAN_ADDR4" "$SCAN_ADDR6_FULL"; do
	a=$(alert "$src")
	check "psad alert for $src: the rule's prefix" grep -q "iptables chain: INPUT (prefix \"$P\"), 21 packets" <<<"$a"
	check "psad alert for $src: the ports" grep -q "Scanned TCP ports: \[20-40: 21 packets\]" <<<"$a"
	check_eq "psad alert for $src: the syslog host name" \
		"$(sed -n 's/^ *Syslog hostname: //p' <<<"$a")" "$(hostname)"
	st=$(date -d "$(sed -n 's/^ *Overall scan start: //p' <<<"$a")" +%s 2>/dev/null || echo 0)
	check "psad alert for $src: the scan's start time ($st in $t0..$t1)" test "$st" -ge "$t0" -a "$st" -le "$((t1 + 1))"
done

# ---- psad -A: offline analysis of the file
daemon_stop
nsx psad -A -m /var/log/kern.log --no-rdns --no-whois >"$T/analysis.out" 2>&1
check_eq "psad -A on kern.log: exit 0" $? 0
check "psad -A: both sources scanned ports 20-40" test "$(grep -c 'Scanned ports: TCP 20-40, Pkts: 21, Chain: INPUT, Intf: v0' "$T/analysis.out")" = 2
check "psad -A: the prefix counted" grep -q "\"$P\": 42" "$T/analysis.out"
sed -n '/Top 25 attackers/,/^$/p' "$T/analysis.out" | sed 's/^/#   /'
# with traditional timestamps, the start time is the first packet's
nsx psad -A -m /var/log/kern-traditional.log --no-rdns --no-whois --analysis-write-data >"$T/analysis2.out" 2>&1
first=$(grep -m1 "kernel: $P IN=v0 .*SRC=$SCAN_ADDR4 " /var/log/kern-traditional.log | cut -c1-15)
check_eq "psad -A: the scan's start time is the first line's ($first)" \
	"$(cat "/var/log/psad/ipt_analysis/$SCAN_ADDR4/${TARGET_ADDR4}_start_time" 2>/dev/null)" "$(date -d "$first" +%s)"
e2e_finish
