#!/bin/bash
# The shipped logrotate file (systemd/nflogd.logrotate, installed as
# /etc/logrotate.d/nflogd) with the shipped unit, under a real systemd
# (lib_nspawn.sh) and traffic: `logrotate -f` twice while records flow,
# then every sequence number exactly once across nflog.json, nflog.json.1
# and nflog.json.2.gz (and every text line once across nflog.log*).
#
# Issue 12 defect 1: the old snippet's `create 0640 root adm` made files the
# unit's dynamic user could not open, the SIGUSR1 reopen failed, records
# went on into the renamed file, and delaycompress then compressed it while
# nflogd still wrote to it; without sharedscripts every run signalled twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_nspawn.sh"
: "${LOADGEN:?LOADGEN must point at bench/loadgen (meson test sets it)}"
command -v logrotate >/dev/null || e2e_skip "needs logrotate (apt-get install logrotate)"
nspawn_init logrotate-unit
COUNT=9000 RATE=3000   # 3 s of traffic; a rotation after 1 s and after 1.5 s
P="lru$$ "

nspawn_install || { not_ok "meson install --destdir"; e2e_finish; }
LR=$L/etc/logrotate.d/nflogd
check "meson install puts the logrotate file in etc/logrotate.d/nflogd" test -f "$LR"
check "doc/files.md shows the shipped file (its comments aside)" python3 - "$LR" "$NFLOGD_SRC/doc/files.md" <<'PY'
import sys
shipped = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.lstrip().startswith("#")]
doc = open(sys.argv[2]).read()
block = doc.split("(`systemd/nflogd.logrotate`):\n\n", 1)[1].split("\n\n", 1)[0]
sys.exit(0 if [l.strip() for l in block.splitlines()] == shipped else 1)
PY
# The installed example config as it is: group 1 into /var/log/nflogd/nflog.json
# and nflog.log. Only the unit's timings shrink (as in systemd.sh).
mkdir -p "$T/dropin"
printf '[Unit]\nStartLimitIntervalSec=0\n' >"$T/dropin/timings.conf"
if ldd "$L/sbin/nflogd" | grep -q libasan; then
	# LeakSanitizer stops the world with ptrace, which SystemCallFilter= denies
	printf '[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n' >"$T/dropin/asan.conf"
fi
nsx nft -f - <<EOF
table inet lru {
	chain out {
		type filter hook output priority 0;
		udp dport 5561 log group 1 prefix "$P"
	}
}
EOF
nspawn_boot --bind-ro="$L:/usr/local" \
	--bind-ro="$T/dropin:/etc/systemd/system/nflogd.service.d" ||
	{ not_ok "the container boots"; e2e_finish; }
C systemctl start nflogd.service
check_eq "systemctl start nflogd" "$(C systemctl is-active nflogd.service)" active
pid=$(C systemctl show -P MainPID nflogd.service)
LOG=$(CROOT)/var/log/nflogd

# logrotate as cron/logrotate.timer runs it, on the installed file only
rotate() {
	C logrotate -f -s /run/logrotate.state /usr/local/etc/logrotate.d/nflogd \
		>"$T/logrotate$1.out" 2>&1
	echo $? >"$T/logrotate$1.rc"
}
nsx "$LOADGEN" -c "$COUNT" -r "$RATE" -p 5561 -b 8 >"$T/loadgen.out" 2>&1 &
gen=$!
sleep 1
rotate 1
sleep 0.5
# The second run while nflogd is stopped: its postrotate must wait for the
# reopen (nothing may go into nflog.json.1 after logrotate returns).
C kill -STOP "$pid"
rotate 2 &
rot=$!
sleep 1
check "logrotate waits while nflogd has not reopened its files" kill -0 "$rot"
C kill -CONT "$pid"
wait "$rot"
wait "$gen"
echo "# loadgen: $(cat "$T/loadgen.out")"
for i in 1 2; do
	check_eq "logrotate -f run $i: exit 0" "$(cat "$T/logrotate$i.rc")" 0
	check "logrotate -f run $i: says nothing" test ! -s "$T/logrotate$i.out"
	sed 's/^/#   /' "$T/logrotate$i.out"
done
C systemctl stop nflogd.service
check_eq "systemctl stop nflogd" "$(C systemctl is-active nflogd.service)" inactive
check_eq "no restart meanwhile" "$(C systemctl show -P NRestarts nflogd.service)" 0
C journalctl -q -u nflogd.service -o cat >"$T/journal.txt"
check_eq "one SIGUSR1 per logrotate run (sharedscripts), both reopens fine" \
	"$(grep -c 'outputs reopened (0 of 2 failed' "$T/journal.txt")" 2
check_eq "no reopen failed" "$(grep -c 'reopen failed\|reopen still failing' "$T/journal.txt")" 0
ls -ln "$LOG/" | sed 's/^/#   /'

# the files: the current one, .1 (delaycompress) and .2.gz
check "nflog.json.1 is not compressed (delaycompress)" test -f "$LOG/nflog.json.1"
check "nflog.json.2.gz is compressed" test -f "$LOG/nflog.json.2.gz"
check_eq "the new nflog.json: made by nflogd (its dynamic user, the config's mode 0640)" \
	"$(stat -c '%u %a' "$LOG/nflog.json")" "$(stat -c %u "$LOG/nflog.json.1") 640"
check "... not root's" test "$(stat -c %u "$LOG/nflog.json")" != 0
gzip -dc "$LOG/nflog.json.2.gz" >"$T/nflog.json.2"
res=$(python3 "$NFLOGD_SRC/tests/e2e/seq_check.py" 1 "$T/nflog.json.2" "$LOG/nflog.json.1" "$LOG/nflog.json")
echo "# $res"
get() { sed -n "s/.*\b$1=\([0-9-]*\).*/\1/p" <<<"$res"; }
check_eq "JSON: three files, none empty" "$(get files)/$(for f in "$T/nflog.json.2" "$LOG/nflog.json.1" "$LOG/nflog.json"; do test -s "$f" && echo -n x; done)" "3/xxx"
check_eq "JSON: every record there" "$(get records)" "$COUNT"
check_eq "JSON: every seq exactly once, none missing" "$(get dups)/$(get missing)/$(get min)/$(get max)" "0/0/0/$((COUNT - 1))"
check_eq "JSON: no partial line" "$(get bad)/$(get unterminated)" "0/0"
text=$( (gzip -dc "$LOG/nflog.log.2.gz"; cat "$LOG/nflog.log.1" "$LOG/nflog.log") | grep -c "$P")
check_eq "text: every record once across nflog.log.2.gz, .1 and the new file" "$text" "$COUNT"
check "the daemon's counters agree" grep -q "group 1: received $COUNT, lost 0" "$T/journal.txt"

nspawn_poweroff
check "the container powers off" test $? = 0
e2e_finish
