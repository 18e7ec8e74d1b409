#!/bin/bash
# nflogd.service under a real systemd, used as an administrator would.
#
# `meson install --destdir` of the build under test (prefix /usr/local,
# bound over the container's /usr/local), then inside a throwaway
# systemd-nspawn system (lib_nspawn.sh) with its own network namespace:
# systemctl start (returns once READY: every group bound), packets from
# `log group N` rules into the file outputs (and the journal when the build
# has a journal output), the STATUS= counters in systemctl status, reload
# (applied; a broken edit or an unbindable group leaves the old config
# running and the status says why), the watchdog (SIGSTOP -> killed and
# restarted), a start that fails on a group bound by another process and
# comes back by itself once the group is free, and stop (drains, flushes,
# exits 0). The unit is the installed one; a drop-in only shortens its
# timings (WatchdogSec, RestartSec) so that the test stays short.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_nspawn.sh"
nspawn_init systemd
P1="sdA$$" P2="sdB$$" P3="sdC$$"

# ---- install, as `meson install` does, into $T/dest (prefix /usr/local)
nspawn_install || { not_ok "meson install --destdir"; e2e_finish; }
check "meson install: binary, unit, config, man pages" test -x "$L/sbin/nflogd" -a \
	-f "$L/lib/systemd/system/nflogd.service" -a -f "$L/etc/nflogd.conf" -a \
	-f "$L/share/man/man8/nflogd.8" -a -f "$L/share/man/man5/nflogd.conf.5"
check "the installed unit runs the installed binary with the installed config" \
	grep -qx "ExecStart=/usr/local/sbin/nflogd -c /usr/local/etc/nflogd.conf" \
	"$L/lib/systemd/system/nflogd.service"

# The shipped example config, with the status refreshed every second and,
# when this build has a journal output, a journal output on group 1.
CONF=$L/etc/nflogd.conf
python3 - "$CONF" "$NFLOGD" <<'PY'
import re, subprocess, sys
path, nflogd = sys.argv[1:3]
text = open(path).read()
text = re.sub(r"(?m)^(\s*status_interval\s*=\s*)10;", r"\g<1>1;", text)
probe = path + ".probe"
open(probe, "w").write('outputs = ({ name = "j"; type = "journal"; });\n'
                       'groups = ({ group = 1; outputs = ("j"); });\n')
def supported(otype):
    open(probe, "w").write('outputs = ({ name = "p"; type = "%s"; });\n'
                           'groups = ({ group = 1; outputs = ("p"); });\n' % otype)
    return subprocess.run([nflogd, "--check-config", "-c", probe], capture_output=True).returncode == 0
extra, names = [], []
if supported("journal"):
    extra.append('{ name = "journal"; type = "journal"; }')
    names.append("journal")
if supported("syslog"):   # the container's journald on /dev/log; a UDP peer on lo
    extra.append('{ name = "syslog"; type = "syslog"; ident = "nflogd-syslog"; }')
    extra.append('{ name = "remote"; type = "syslog"; target = "udp://127.0.0.1:5514"; }')
    names += ["syslog", "remote"]
text = text.replace("outputs = (\n", "outputs = (\n" + "".join("  %s,\n" % e for e in extra), 1)
text = text.replace('outputs = ("json", "text");',
                    'outputs = (%s);' % ", ".join('"%s"' % n for n in ["json", "text"] + names), 1)
open(path + ".good", "w").write(text)
PY
rm -f "$CONF.probe"
cp "$CONF.good" "$CONF"
JOURNAL=0 SYSLOG=0
grep -q 'type = "journal"' "$CONF" && JOURNAL=1
grep -q 'type = "syslog"' "$CONF" && SYSLOG=1
if [ "$SYSLOG" = 1 ]; then   # the remote syslog server: a UDP socket in the netns
	udp_sink 5514 "$T/remote.log" || { not_ok "the remote syslog peer (UDP 5514)"; e2e_finish; }
fi
"$NFLOGD" --check-config -c "$CONF" >/dev/null || { not_ok "the test config is valid"; e2e_finish; }

# set_config BASE [EXTRA GROUP ENTRY...]: write $CONF from BASE plus groups
set_config() {
	python3 - "$CONF" "$@" <<'PY'
import os, sys
path, base, *extra = sys.argv[1:]
text = open(base).read()
if extra:
    i = text.rindex("\n);")
    text = text[:i] + "".join(",\n  " + e for e in extra) + text[i:]
open(path + ".tmp", "w").write(text)
os.rename(path + ".tmp", path)
PY
}
G2='{ group = 2; outputs = ("json"); qthresh = 1; }'
G3='{ group = 3; outputs = ("json"); qthresh = 1; }'

# Only the timings differ from the installed unit.
mkdir -p "$T/dropin"
cat >"$T/dropin/timings.conf" <<'EOF'
[Unit]
StartLimitIntervalSec=0
[Service]
WatchdogSec=2s
RestartSec=500ms
EOF
if ldd "$L/sbin/nflogd" | grep -q libasan; then
	# LeakSanitizer stops the world with ptrace, which SystemCallFilter= denies
	printf '[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n' >"$T/dropin/asan.conf"
fi

# ---- the firewall: log group rules in the container's network namespace
nft_load() { nsx nft -f -; }
nft_load <<EOF
table inet nfdsd {
	chain out {
		type filter hook output priority 0;
		udp dport 5551 log group 1 prefix "$P1"
		udp dport 5552 log group 2 prefix "$P2"
		udp dport 5553 log group 3 prefix "$P3"
	}
}
EOF
send() {   # send PORT N: N datagrams to 127.0.0.1:PORT from one shell
	nsx bash -c "for i in \$(seq $2); do echo x\$i > /dev/udp/127.0.0.1/$1; done" 2>/dev/null
	return 0
}
bound() { nsx awk -v g="$1" '$1 == g' /proc/net/netfilter/nfnetlink_log | grep -q .; }

# ---- boot
nspawn_boot --bind-ro="$L:/usr/local" \
	--bind-ro="$T/dropin:/etc/systemd/system/nflogd.service.d" ||
	{ not_ok "the container boots"; e2e_finish; }
JSON=$(CROOT)/var/log/nflogd/nflog.json
count() { local n; n=$(grep -c "\"prefix\":\"$1\"" "$JSON" 2>/dev/null); echo "${n:-0}"; }
at_least() { [ "$(count "$1")" -ge "$2" ]; }   # at_least PREFIX N: records in the file
unit() { C systemctl show -P "$1" nflogd.service; }
active() { [ "$(C systemctl is-active nflogd.service)" = active ]; }
status_has() { unit StatusText | grep -q -- "$1"; }
C systemd-analyze verify --man=no nflogd.service >"$T/verify.log" 2>&1
check "systemd-analyze verify nflogd.service is clean" test ! -s "$T/verify.log"
sed 's/^/#   /' "$T/verify.log"

# ---- 1. start: returns once READY (every group bound), active
t0=$(date +%s%N)
C systemctl start nflogd.service; rc=$?
dt=$(( ($(date +%s%N) - t0) / 1000000 ))
check_eq "systemctl start nflogd succeeds (${dt} ms)" "$rc" 0
check_eq "systemctl is-active says active" "$(C systemctl is-active nflogd.service)" active
check "group 1 is already bound when systemctl start returns" bound 1
check "the STATUS= line is there when systemctl start returns" status_has "groups:"
pid1=$(unit MainPID)
st=$(C cat "/proc/$pid1/status")
check "it runs as an unprivileged (dynamic) user" \
	awk '/^Uid:/ { exit !($2 != 0) }' <<<"$st"
check "its only capability is CAP_NET_ADMIN" grep -q "^CapEff:[[:space:]]*0000000000001000$" <<<"$st"

# ---- 2. records: into the file output (and the journal)
send 5551 3
wait_for 5 at_least "$P1" 3
check_eq "3 packets of 'log group 1' are in /var/log/nflogd/nflog.json" "$(count "$P1")" 3
check_eq "nflog.json has mode 0640" "$(stat -c %a "$JSON" 2>/dev/null)" 640
if [ "$JOURNAL" = 1 ]; then
	jcount() { C journalctl -q -t nflogd NFLOG_GROUP=1 -o json | grep -c "$P1" || true; }
	wait_for 5 eval '[ "$(jcount)" -ge 3 ]'
	check_eq "journalctl -t nflogd NFLOG_GROUP=1 has the 3 records" "$(jcount)" 3
	C journalctl -q -t nflogd NFLOG_GROUP=1 -o json -n 1 >"$T/jrec.json"
	check "a journal record carries NFLOG_PREFIX, NFLOG_DPT and NFLOG_PROTO" \
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["NFLOG_PREFIX"]==sys.argv[2] and d["NFLOG_DPT"]=="5551" and d["NFLOG_PROTO"]=="UDP"))' \
		"$T/jrec.json" "$P1"
else
	echo "# this build has no journal output: journal records not checked"
fi
if [ "$SYSLOG" = 1 ]; then
	scount() { C journalctl -q -t nflogd-syslog -o cat | grep -c "$P1" || true; }
	wait_for 5 eval '[ "$(scount)" -ge 3 ]'
	check_eq "a syslog output on /dev/log reaches the container's journald" "$(scount)" 3
	rcount() { grep -c "$P1" "$T/remote.log" 2>/dev/null || true; }
	wait_for 5 eval '[ "$(rcount)" -ge 3 ]'
	check_eq "a remote syslog output (udp://127.0.0.1:5514) gets the 3 records" "$(rcount)" 3
else
	echo "# this build has no syslog output: syslog not checked"
fi
if [ -f "$L/lib/systemd/catalog/nflogd.catalog" ]; then
	C journalctl --update-catalog
	check "the installed journal catalog is known to journalctl" \
		sh -c "nsenter -t $LEADER -a journalctl --list-catalog | grep -qi nflogd"
fi

# ---- 3. the counters in systemctl status (status_interval = 1)
wait_for 3 status_has "3 received"
C systemctl --no-pager status nflogd.service >"$T/status.txt" 2>&1
check "systemctl status shows the counters" grep -q "Status: \".*groups: 3 received" "$T/status.txt"
sed -n '1,12p' "$T/status.txt" | sed 's/^/#   /'

# ---- 4. reload after an edit: applied, same process
set_config "$CONF.good" "$G2"
C systemctl reload nflogd.service; rc=$?
check_eq "systemctl reload (group 2 added) succeeds" "$rc" 0
wait_for 5 bound 2
check "group 2 is bound after the reload" bound 2
wait_for 5 status_has "^2 groups"
check "the status counts 2 groups" status_has "^2 groups"
check_eq "the same process (a reload, not a restart)" "$(unit MainPID)" "$pid1"
send 5552 2
wait_for 5 at_least "$P2" 2
check_eq "packets of group 2 are logged" "$(count "$P2")" 2

# ---- 5. a broken edit: rejected, the old config keeps running, status says why
set_config "$CONF.good" "$G2" "{ group = 4; outputs = (\"jsno\"); }"   # a typo
C systemctl reload nflogd.service
wait_for 5 status_has "reload rejected"
check "a broken config: the status says the reload was rejected, with FILE:LINE" \
	status_has "last reload rejected.*nflogd.conf:[0-9]*:"
echo "#   StatusText: $(unit StatusText | cut -c1-200)"
check_eq "... and the unit stays active" "$(C systemctl is-active nflogd.service)" active
send 5551 1
wait_for 5 at_least "$P1" 4
check_eq "... and the old config keeps logging" "$(count "$P1")" 4
sleep 1.2   # a status refresh: the reason stays until a reload succeeds
check "... still said after the next status refresh" status_has "last reload rejected"

# ---- 6. a group bound by another process: the reload is rejected
cat >"$T/holder.conf" <<EOF
outputs = ( { name = "h"; type = "file"; path = "$T/holder.json"; format = "json"; } );
groups = ( { group = 3; outputs = ("h"); } );
EOF
# not through a function: $! must be the holder itself
ip netns exec "$NS" "$NFLOGD" -c "$T/holder.conf" >"$T/holder.log" 2>&1 &
HOLDER=$!
DAEMON_PIDS[holder]=$HOLDER
wait_for 5 bound 3
set_config "$CONF.good" "$G2" "$G3"
C systemctl reload nflogd.service
wait_for 5 status_has "group 3 cannot be bound"
check "a group held by another reader: the reload is rejected and the status names it" \
	status_has "group 3 cannot be bound"
C journalctl -q -u nflogd.service -o cat >"$T/journal.txt"
check "the journal says why, naming group 3" grep -q 'NFLOG group 3' "$T/journal.txt"
# As an unprivileged user nflogd cannot read /proc/net/netfilter/nfnetlink_log
# (0440 root) to see who holds the group: it must not blame CAP_NET_ADMIN.
check "... the cause: bound by another process" \
	grep -q 'NFLOG group 3 is already bound by another process' "$T/journal.txt"
grep 'group 3' "$T/journal.txt" | sed 's/^/#   /'
check_eq "... and the unit stays active in the same process" "$(unit MainPID)" "$pid1"

# ---- 7. back to a good config
set_config "$CONF.good" "$G2"
C systemctl reload nflogd.service
wait_for 5 eval '! status_has rejected'
check "a good config again: the rejection is gone from the status" eval '! status_has rejected'

# ---- 8. the watchdog: a stopped loop is killed and restarted
C kill -STOP "$pid1"
wait_for 15 eval '[ "$(unit NRestarts)" -ge 1 ]'
wait_for 5 active
pid2=$(unit MainPID)
check "SIGSTOP: the watchdog restarts it (NRestarts=$(unit NRestarts))" test "$(unit NRestarts)" -ge 1
check "... in a new process ($pid1 -> $pid2)" test "$pid2" != "$pid1" -a "$pid2" != 0
check "... the journal says it was the watchdog" \
	sh -c "nsenter -t $LEADER -a journalctl -q -u nflogd.service | grep -qi 'watchdog timeout'"
wait_for 5 bound 1
n0=$(count "$P1")
send 5551 1
wait_for 5 at_least "$P1" $((n0 + 1))
check "... and it logs again" test "$(count "$P1")" -gt "$n0"

# ---- 9. a start with a group bound by another process fails, clearly;
# Restart=on-failure brings it up once the group is free
held() { C journalctl -q -u nflogd.service -o cat | grep -c 'NFLOG group 3'; }
h0=$(held)
set_config "$CONF.good" "$G2" "$G3"
C systemctl restart nflogd.service 2>"$T/restart.err"; rc=$?
sed 's/^/#   /' "$T/restart.err"
check "restart with group 3 held by another process fails (rc=$rc)" test "$rc" != 0
check "the journal names the group" test "$(held)" -gt "$h0"
C systemctl --no-pager status nflogd.service 2>&1 | sed -n '1,14p' | sed 's/^/#   /'
kill -TERM "$HOLDER"; wait "$HOLDER"; unset "DAEMON_PIDS[holder]"
wait_for 10 active
check "once the group is free, Restart=on-failure brings it up" \
	test "$(C systemctl is-active nflogd.service)" = active
check "... with group 3 bound" bound 3

# ---- 10. stop: drains what the kernel holds, flushes, exits 0
n0=$(count "$P1")
send 5551 20
C systemctl stop nflogd.service; rc=$?
check_eq "systemctl stop succeeds" "$rc" 0
check_eq "the unit is inactive (not failed)" "$(C systemctl is-active nflogd.service)" inactive
check_eq "the daemon exited 0" "$(unit ExecMainStatus)" 0
check_eq "the 20 packets sent just before the stop are all in the file" "$(count "$P1")" $((n0 + 20))
check "the journal has the final counters" \
	sh -c "nsenter -t $LEADER -a journalctl -q -u nflogd.service -o cat | grep -q 'group 1: received'"

nspawn_poweroff
check "the container powers off" test $? = 0
e2e_finish
