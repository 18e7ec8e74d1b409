#!/bin/bash
# Central logging, as doc/consumers.md says, after a port scan (IPv4 and
# IPv6):
# - nflogd's RFC 5424 syslog output over TCP into a central rsyslogd with
#   the page's configuration (imtcp, mmpstrucdata): one JSON object per
#   record with the sending host and the NFLOG fields; the page's jq
#   command on it, with the output shown;
# - the journal output (a private journald), shipped by
#   systemd-journal-upload to a systemd-journal-remote over HTTP on the
#   test's loopback: the page's `journalctl --directory=... NFLOG_SRC=...`
#   finds the records there.
# Everything runs in the test's network and mount namespaces; /var/log is
# the test's own directory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_journald.sh"
. "$(dirname "$0")/lib_consumers.sh"
command -v rsyslogd >/dev/null || e2e_skip "needs rsyslogd (apt-get install rsyslog)"
[ -x /lib/systemd/systemd-journal-remote ] && [ -x /lib/systemd/systemd-journal-upload ] ||
	e2e_skip "needs systemd-journal-remote (apt-get install systemd-journal-remote)"
command -v jq >/dev/null || e2e_skip "needs jq (apt-get install jq)"
journald_enter "$@"
e2e_init central
on_exit '[ -z "${SCANNER:-}" ] || ip netns del "$SCANNER"'
on_exit journald_stop
mkdir -p "$T/log/central" "$T/log/journal/remote"
mount --bind "$T/log" /var/log || { not_ok "bind $T/log over /var/log"; e2e_finish; }
journald_start || { not_ok "journald starts"; e2e_finish; }
scan_net || { not_ok "scanner namespace"; e2e_finish; }
scan_rules 1 "DROP "

# ---- the central rsyslogd: the page's configuration, in the namespace
{
	echo "global(workDirectory=\"$T\")"
	recipe "central rsyslog.conf"
} >"$T/central.conf"
rsyslogd -N1 -f "$T/central.conf" >"$T/central-check.txt" 2>&1 ||
	{ sed 's/^/#   /' "$T/central-check.txt"; not_ok "the page's rsyslog.conf is valid"; e2e_finish; }
ip netns exec "$NS" rsyslogd -n -f "$T/central.conf" -i "$T/central.pid" >"$T/central.out" 2>&1 &
DAEMON_PIDS[central]=$!
for _ in $(seq 100); do nsx ss -ltnH "sport = :514" | grep -q . && break; sleep 0.05; done

# ---- nflogd: the page's output (to this host), and a journal output
recipe "central nflogd.conf" | sed 's/logs\.example\.org/127.0.0.1/' >"$T/nflogd.conf"
sed -i 's|^outputs = ( |outputs = ( { name = "journal"; type = "journal"; }, |; s|outputs = ("central")|outputs = ("central", "journal")|' \
	"$T/nflogd.conf"
sed 's/^/#   /' "$T/nflogd.conf"
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
scan "$TARGET_ADDR4" $(seq 20 40)
scan "$TARGET_ADDR6" $(seq 20 40)
check "42 records reach the central rsyslog" wait_lines /var/log/central/nflog.json 42
daemon_stop
kill -TERM "${DAEMON_PIDS[central]}"; wait "${DAEMON_PIDS[central]}"; unset "DAEMON_PIDS[central]"

check "every line is a JSON object with the host and the record's fields" \
	jq -e -s 'length == 42 and all(.host and .nflog.src and .nflog.dpt and .nflog.group == "1" and .nflog.prefix == "DROP ")' \
	/var/log/central/nflog.json
check_eq "the sending host" "$(jq -r .host /var/log/central/nflog.json | sort -u)" "$(hostname)"
check_eq "21 records from each scanner, IPv6 in its short form" \
	"$(jq -r .nflog.src /var/log/central/nflog.json | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')" \
	"198.51.100.7=21 2001:db8:5::7=21 "
check_eq "the ports 20-40 of each" "$(jq -r .nflog.dpt /var/log/central/nflog.json | sort -n | uniq -c | awk '$1 == 2' | wc -l)" 21
check_doc_examples "$NFLOGD_SRC/doc/consumers.md" 'jq .*/var/log/central/'
check_eq "the page's jq command on the central file ran" "$DOC_EXAMPLES" 1

# ---- the journal, uploaded to a journal-remote on loopback
ip netns exec "$NS" /lib/systemd/systemd-journal-remote --listen-http=127.0.0.1:19532 \
	--output=/var/log/journal/remote/ >"$T/remote.out" 2>&1 &
DAEMON_PIDS[remote]=$!
for _ in $(seq 100); do nsx ss -ltnH "sport = :19532" | grep -q . && break; sleep 0.05; done
ip netns exec "$NS" timeout 20 /lib/systemd/systemd-journal-upload --url=http://127.0.0.1:19532 \
	--directory=/run/log/journal --save-state="$T/upload.state" --follow=no >"$T/upload.out" 2>&1
check_eq "systemd-journal-upload sends the journal and exits 0" $? 0
sed 's/^/#   /' "$T/upload.out" | tail -n 3
kill -TERM "${DAEMON_PIDS[remote]}"; wait "${DAEMON_PIDS[remote]}"; unset "DAEMON_PIDS[remote]"
ls /var/log/journal/remote | sed 's/^/#   /'
check_doc_examples "$NFLOGD_SRC/doc/consumers.md" '^journalctl --directory=/var/log/journal/remote '
check_eq "the page's journalctl command ran" "$DOC_EXAMPLES" 1
jr() { journalctl -q --no-pager --directory=/var/log/journal/remote "$@"; }
check_eq "NFLOG_SRC=198.51.100.7: 21 records" "$(jr NFLOG_SRC=198.51.100.7 -o cat | wc -l)" 21
check_eq "NFLOG_SRC=2001:db8:5::7: 21 records" "$(jr NFLOG_SRC=2001:db8:5::7 -o cat | wc -l)" 21
check_eq "... with the ports as NFLOG_DPT" "$(jr NFLOG_SRC=2001:db8:5::7 NFLOG_DPT=33 -o cat | wc -l)" 1
check_eq "... and _HOSTNAME the sending host" \
	"$(jr NFLOG_SRC=198.51.100.7 -o json | jq -r ._HOSTNAME | sort -u)" "$(hostname)"
e2e_finish
