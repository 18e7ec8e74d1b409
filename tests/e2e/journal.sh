#!/bin/bash
# The journal output against a real systemd-journald (private, in a mount
# + PID namespace): records found by their NFLOG_* fields with exact
# values, MESSAGE_IDs, daemon start/stop entries, an entry larger than a
# datagram (sent in a memfd), and journald away while traffic flows:
# nflogd queues up to queue_size, counts what it drops, tells the journal
# with a DROPPED entry placed where they went missing, resumes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_journald.sh"
journald_enter "$@"
e2e_init journal
journald_trap
journald_start || { not_ok "journald starts"; e2e_finish; }

MID_PACKET=c7b75b174e944289a01e59243fce44fd
MID_START=6de0f02cbc7b492bb5e689fa7025f58a
MID_RELOAD=43e9fc356ca2475b91d51f460fbddc67
MID_STOP=6120a59ca0b844b78e22509cfd55e9f0
MID_DROPPED=02156d929c61424798e56c94d74d0e24

nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7101 log group 21 prefix "jr-$TAG "
		udp dport 7102 meta mark set 0x2a log group 21 prefix "j6-$TAG"
		udp dport 7103 log group 21 prefix "jd-$TAG "
		udp dport 7104 log group 21 prefix "jm-$TAG "
	}
}
EOF

cat >"$T/nflogd.conf" <<EOF
outputs = (
	{ name = "j"; type = "journal"; payload = true; queue_size = 4; },
	{ name = "jx"; type = "journal"; ident = "fw-$TAG"; priority = "warning"; },
	$(conf_file_output f "$T/all.log" text)
);
groups = ( { group = 21; outputs = ("j", "f"); qthresh = 1; },
	   { group = 22; outputs = ("jx"); qthresh = 1; } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
ok "daemon starts with two journal outputs"

# jfield QUERY... -- FIELD: the FIELD of each matching entry, one per line (python repr)
jfield() {
	local field=${!#}
	jctl -o json "${@:1:$#-1}" | python3 -c '
import json, sys
for line in sys.stdin:
    v = json.loads(line).get(sys.argv[1])
    print(repr(bytes(v).decode("latin-1")) if isinstance(v, list) else repr(v))' "$field"
}

wait_entries() {  # N QUERY...
	local n=$1 i; shift
	for i in $(seq 100); do
		[ "$(jctl -o cat "$@" | wc -l)" -ge "$n" ] && return 0
		sleep 0.05
	done
	return 1
}

check "start entry (MESSAGE_ID start)" wait_entries 1 MESSAGE_ID=$MID_START
check_eq "two start entries (one per journal output)" "$(jctl -o cat MESSAGE_ID=$MID_START | wc -l)" 2
check_eq "start entry from ident fw-$TAG" "$(jfield MESSAGE_ID=$MID_START SYSLOG_IDENTIFIER=fw-$TAG -- PRIORITY)" "'6'"

send_udp 127.0.0.1 7101 3
send_udp ::1 7102 1
wait_lines "$T/all.log" 4
check "3 IPv4 entries found by prefix" wait_entries 3 "NFLOG_PREFIX=jr-$TAG "
check_eq "journalctl NFLOG_DPT=7101 NFLOG_PREFIX='jr-$TAG ' finds 3" \
	"$(jctl -o cat NFLOG_DPT=7101 "NFLOG_PREFIX=jr-$TAG " | wc -l)" 3
q=("NFLOG_PREFIX=jr-$TAG ")
check_eq "prefix kept byte for byte (trailing space)" "$(jfield "${q[@]}" -n 1 -- NFLOG_PREFIX)" "'jr-$TAG '"
check_eq "MESSAGE_ID of a packet" "$(jfield "${q[@]}" -n 1 -- MESSAGE_ID)" "'$MID_PACKET'"
check_eq "default PRIORITY notice (5)" "$(jfield "${q[@]}" -n 1 -- PRIORITY)" "'5'"
check_eq "default SYSLOG_IDENTIFIER" "$(jfield "${q[@]}" -n 1 -- SYSLOG_IDENTIFIER)" "'nflogd'"
check_eq "NFLOG_GROUP" "$(jfield "${q[@]}" -n 1 -- NFLOG_GROUP)" "'21'"
check_eq "NFLOG_SRC" "$(jfield "${q[@]}" -n 1 -- NFLOG_SRC)" "'127.0.0.1'"
check_eq "NFLOG_PROTO" "$(jfield "${q[@]}" -n 1 -- NFLOG_PROTO)" "'UDP'"
check_eq "NFLOG_OUT" "$(jfield "${q[@]}" -n 1 -- NFLOG_OUT)" "'lo'"
check_eq "NFLOG_HOOK" "$(jfield "${q[@]}" -n 1 -- NFLOG_HOOK)" "'output'"
check_eq "NFLOG_UID 0 (a root socket)" "$(jfield "${q[@]}" -n 1 -- NFLOG_UID)" "'0'"
check_eq "no NFLOG_IN on the output hook" "$(jfield "${q[@]}" -n 1 -- NFLOG_IN)" "None"
check "NFLOG_SEQ of the 3 records consecutive" python3 -c '
import sys
s = [int(eval(l)) for l in sys.stdin.read().split()]
sys.exit(0 if len(s) == 3 and s == list(range(s[0], s[0] + 3)) else 1)' <<<"$(jfield "${q[@]}" -- NFLOG_SEQ)"
check "payload = true: NFLOG_PAYLOAD is the IPv4 packet in hex" \
	bash -c "[[ \"\$1\" == \"'45\"* ]]" _ "$(jfield "${q[@]}" -n 1 -- NFLOG_PAYLOAD)"
# MESSAGE is the text line, exactly as the file output of the same group writes it
line=$(grep -m1 "jr-$TAG " "$T/all.log" | cut -d' ' -f2-)
check_eq "MESSAGE is the kernel LOG line (same as the text file)" \
	"$(jfield "${q[@]}" -n 3 -r -- MESSAGE | tail -1)" "$(python3 -c 'import sys; print(repr(sys.argv[1]))' "$line")"

q6=("NFLOG_PREFIX=j6-$TAG")
check "IPv6 entry found" wait_entries 1 "${q6[@]}"
check_eq "IPv6 NFLOG_SRC" "$(jfield "${q6[@]}" -- NFLOG_SRC)" "'::1'"
check_eq "IPv6 NFLOG_FAMILY" "$(jfield "${q6[@]}" -- NFLOG_FAMILY)" "'ipv6'"
check_eq "mark 0x2a: NFLOG_MARK 42" "$(jfield "${q6[@]}" -- NFLOG_MARK)" "'42'"
check_eq "IPv6 NFLOG_DPT" "$(jfield "${q6[@]}" -- NFLOG_DPT)" "'7102'"

# ---- an entry larger than a datagram goes in a memfd ----
nsx python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"m" * 40000, ("127.0.0.1", 7104))'
qm=("NFLOG_PREFIX=jm-$TAG ")
check "a 40000-byte packet with payload = true arrives" wait_entries 1 "${qm[@]}"
check_eq "its NFLOG_PAYLOAD is the whole packet in hex (80056 digits, > 64 KiB)" \
	"$(jctl -o json --all "${qm[@]}" | python3 -c 'import json, sys; v = json.load(sys.stdin)["NFLOG_PAYLOAD"]; print(len(v), v[:2], v[-4:])')" \
	"80056 45 6d6d"

# ---- journald away while traffic flows (output j: queue_size = 4) ----
check "what journald read is counted as written: nothing left in flight" settled j
journald_stop
send_udp 127.0.0.1 7103 10          # its socket left behind: connection refused
rm -f /run/systemd/journal/socket   # then no socket at all
send_udp 127.0.0.1 7103 10
wait_lines "$T/all.log" 25
check "nflogd survives journald going away" kill -0 "$(daemon_pid)"
check "while away: 4 queued, 16 dropped" grep -q "queued 4, dropped 16," <<<"$(counters j)"
journald_start || not_ok "journald starts again"
check "the 4 queued entries arrive once journald is back" wait_entries 4 "NFLOG_PREFIX=jd-$TAG "
send_udp 127.0.0.1 7103 5
wait_lines "$T/all.log" 30
check "entries resume after journald is back" wait_entries 9 "NFLOG_PREFIX=jd-$TAG "
check_eq "4 queued + 5 sent after the restart arrive, no more" "$(jctl -o cat "NFLOG_PREFIX=jd-$TAG " | wc -l)" 9
check_eq "a DROPPED entry says 16 were dropped" "$(jfield MESSAGE_ID=$MID_DROPPED -- NFLOG_DROPPED)" "'16'"
jctl -o json >"$T/journal.json"
check "the DROPPED entry sits where they went missing: after the 4 queued, before the 5 new" python3 -c '
import json, sys
mid, prefix, path = sys.argv[1:]
order = ""
for l in open(path):
    e = json.loads(l)
    if e.get("MESSAGE_ID") == mid: order += "d"
    elif e.get("NFLOG_PREFIX") == prefix: order += "r"
sys.exit(0 if order == "rrrrdrrrrr" else 1)' "$MID_DROPPED" "jd-$TAG " "$T/journal.json"
check_eq "the file output lost nothing meanwhile" "$(grep -c "jd-$TAG " "$T/all.log")" 25

settled j
stats=$(counters j)
check "counters: 16 dropped, nothing queued" grep -q "queued 0, dropped 16," <<<"$stats"
errors=$(sed -n 's/.*errors \([0-9]*\).*/\1/p' <<<"$stats")
check "counters: failed connects counted (got $errors)" test "${errors:-0}" -ge 1
check "the failure was reported in nflogd's log" grep -q "output j: lost its connection to journald" "$T/nflogd.log"
check "journald's return was reported" grep -q "output j: connected to journald again" "$T/nflogd.log"

kill -HUP "$(daemon_pid)"
check "reload entries (MESSAGE_ID reload), one per journal output" wait_entries 2 MESSAGE_ID=$MID_RELOAD
daemon_stop; rc=$?
check_eq "SIGTERM: exit 0" "$rc" 0
check "no sanitizer report in the daemon log" bash -c "! grep -q 'Sanitizer\|runtime error' \"\$1\"" _ "$T/nflogd.log"
check "stop entry (MESSAGE_ID stop)" wait_entries 2 MESSAGE_ID=$MID_STOP
check "the large entry went through a memfd (counted at close)" grep -q "output j: .* 1 entries sent through a memfd" "$T/nflogd.log"

# the catalog compiles and explains every MESSAGE_ID (in a private root)
mkdir -p "$T/root/usr/lib/systemd/catalog"
cp "$NFLOGD_SRC/doc/nflogd.catalog" "$T/root/usr/lib/systemd/catalog/"
journalctl --root="$T/root" --update-catalog 2>"$T/catalog.err"
check_eq "catalog: 6 MESSAGE_IDs after journalctl --update-catalog" \
	"$(journalctl --root="$T/root" --list-catalog 2>/dev/null | grep -c nflogd)" 6
e2e_finish
