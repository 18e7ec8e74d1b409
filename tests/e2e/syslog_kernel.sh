#!/bin/bash
# format = "kernel" on the syslog output, through Debian 12's logging stack
# (lib_consumers.sh: journald owning /dev/log and forwarding to rsyslogd
# with Debian's rules), and straight into rsyslogd's own socket:
# - the line in kern.log and syslog is the kernel's own LOG line for the
#   same packet (compared with dmesg), tagged "kernel:" without a PID, the
#   way the kernel's lines reach those files;
# - rsyslog files it as kern.warning (kern.log), with no configuration:
#   a local userspace sender may use facility kern;
# - journald keeps it as PRIORITY=4, SYSLOG_IDENTIFIER=kernel,
#   _TRANSPORT=syslog and without SYSLOG_FACILITY (facility 0 is not
#   stored), so `journalctl -t kernel` finds it and `journalctl -k`
#   (_TRANSPORT=kernel) does not; it forwards the message unchanged;
# - `priority` sets the level; nflogd's own start/stop messages carry its
#   own tag (nflogd[PID]:), never "kernel:".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_journald.sh"
. "$(dirname "$0")/lib_rsyslog.sh"
. "$(dirname "$0")/lib_consumers.sh"
stack_enter "$@"
e2e_init syslog-kernel
stack_trap
kernel_log_on
stack_start || { not_ok "journald and rsyslogd start"; e2e_finish; }
P="kf$$ "

nft_load <<EOF
table inet t {
	chain in {
		type filter hook input priority 0; policy accept;
		tcp dport 7801 log prefix "$P"
		tcp dport 7801 log group 71 prefix "$P"
		udp dport 7802 log prefix "$P"
		udp dport 7802 log group 71 prefix "$P"
	}
}
EOF
cat >"$T/nflogd.conf" <<EOF
outputs = (
	{ name = "kern"; type = "syslog"; format = "kernel"; },
	{ name = "direct"; type = "syslog"; format = "kernel"; socket = "$STACK_RSYSLOG_SOCK";
	  priority = "info"; },
	$(conf_file_output text "$T/nflog.log" text)
);
groups = ( { group = 71; outputs = ("kern", "direct", "text"); qthresh = 1; } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
pid=$(daemon_pid)
send_tcp 127.0.0.1 7801
send_udp ::1 7802
wait_lines "$T/nflog.log" 2
daemon_stop
check_eq "daemon exits 0" $? 0
K=$T/log/kern.log
wait_grep 4 "$K" "kernel: $P" || true
wait_grep 2 "$K" "nflogd\[$pid\]: .*(started|stopping)" || true

# the kernel's own lines for the same packets, without dmesg's time
dmesg --notime | grep -F "$P" | sed 's/ *$//' >"$T/dmesg.txt"
# what rsyslog wrote, after "HOST kernel: "
sed -n "s/^[^ ]* [^ ]* kernel: \\($P.*\\)/\\1/p" "$K" | sed 's/ *$//' >"$T/kern.txt"
echo "# kern.log:"; sed 's/^/#   /' "$K"
check_eq "2 records x 2 outputs in kern.log, tagged 'kernel:' (Debian's file format)" \
	"$(grep -cE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ [^ ]+ kernel: $P" "$K")" 4
check_eq "each is the kernel's own LOG line for the packet (dmesg)" \
	"$(sort -u "$T/kern.txt")" "$(sort -u "$T/dmesg.txt")"
check_eq "... and in /var/log/syslog too" "$(grep -c "kernel: $P" "$T/log/syslog")" 4
check_eq "nothing in user.log" "$(grep -c "$P" "$T/log/user.log" 2>/dev/null || echo 0)" 0

via_journald="m['tag'] == 'kernel:' and m['msg'].startswith(' $P') and m['raw'].startswith('<4>')"
check_eq "rsyslog, from journald: facility kern, severity warning, program kernel" \
	"$(rs_select "$via_journald" fac | sort -u)/$(rs_select "$via_journald" sev | sort -u)/$(rs_select "$via_journald" prog | sort -u)" \
	"'kern'/'warning'/'kernel'"
check_eq "... forwarded by journald unchanged: the frame nflogd sent (no PID, no host)" \
	"$(rs_select "$via_journald and __import__('re').match(r'<4>[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d kernel: ', m['raw']) is not None")" 2
direct="m['tag'] == 'kernel:' and m['msg'].startswith(' $P') and m['raw'].startswith('<6>')"
check_eq "rsyslog's own socket, priority = \"info\": kern.info" \
	"$(rs_select "$direct" fac | sort -u)/$(rs_select "$direct" sev | sort -u)/$(rs_select "$direct")" "'kern'/'info'/2"

jctl -o json -t kernel >"$T/journal.json"
check_eq "journald: PRIORITY 4, SYSLOG_IDENTIFIER kernel, _TRANSPORT syslog, no SYSLOG_FACILITY" \
	"$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["MESSAGE"].startswith(sys.argv[2]):
        print(e["PRIORITY"], e["SYSLOG_IDENTIFIER"], e["_TRANSPORT"], e.get("SYSLOG_FACILITY", "-"))' "$T/journal.json" "$P" | sort -u)" \
	"4 kernel syslog -"
check_eq "journalctl -t kernel finds both" "$(jctl -o cat -t kernel | grep -c "^$P")" 2
check_eq "journalctl -k does not (it shows _TRANSPORT=kernel only)" "$(jctl -o cat -k | grep -c "$P")" 0

# nflogd's own messages: its own tag, never "kernel:"
check "start and stop are nflogd[$pid]: lines" \
	bash -c "grep -q 'nflogd\\[$pid\\]: .*started' \"\$1\" && grep -q 'nflogd\\[$pid\\]: .*stopping' \"\$1\"" _ "$K"
check_eq "no other kernel: line than the records" "$(grep -c ' kernel: ' "$K")" 4
e2e_finish
