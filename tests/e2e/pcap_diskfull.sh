#!/bin/bash
# A capture on a full disk under traffic: a small tmpfs (in a private mount
# namespace) is filled and freed again while records flow. The capture
# holds a bounded backlog, drops and counts what does not fit, and writes
# again once there is room, never a partial record: written + dropped ==
# received, the file (read by tshark) holds exactly the records written,
# the gap in their sequence numbers is exactly the records dropped, and
# the other output got everything.
. "$(dirname "$0")/lib.sh"
: "${LOADGEN:?LOADGEN must point at bench/loadgen (meson test sets it)}"
command -v unshare >/dev/null && command -v nsenter >/dev/null || e2e_skip "needs unshare and nsenter (util-linux)"
command -v tshark >/dev/null || e2e_skip "needs tshark"
e2e_init pcap_diskfull

COUNT=${PCAP_DISKFULL_COUNT:-12000}
RATE=${PCAP_DISKFULL_RATE:-2000}

private_tmpfs "$T/disk" 8m || { not_ok "tmpfs mounted in a private namespace"; e2e_finish; }
nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7821 log group 82 prefix "pfull-$TAG "
	}
}
EOF
cat >"$T/nflogd.conf" <<EOF
outputs = (
	{ name = "full"; type = "pcap"; path = "$T/disk/full.pcap"; backlog = "64K"; },
	{ name = "other"; type = "pcap"; path = "$T/other.pcap"; }
);
groups = ( { group = 82; outputs = ("full", "other"); qthresh = 16; rcvbuf = "16M"; } );
EOF
NFLOGD_WRAP="nsenter -t $TMPFS_HOLDER -m ${NFLOGD_WRAP:-}" daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
pid=$(daemon_pid)

nsx "$LOADGEN" -c "$COUNT" -r "$RATE" -p 7821 -b 4 >"$T/loadgen.out" 2>&1 &
gen=$!
sleep 1.5
fill_tmpfs "$T/disk"
sleep 1
# 200K of room: nflogd's own writes fill it, the last one stops mid-record
inside truncate -s -200K "$T/disk/fill"
sleep 2
check "daemon alive while the disk is full" kill -0 "$pid"
inside rm "$T/disk/fill"
wait "$gen"
sleep 1.5 # the retry timer writes the backlog within a second
inside cat "$T/disk/full.pcap" >"$T/full.copy"
daemon_stop
check_eq "exit 0" "$?" 0
echo "# loadgen: $(cat "$T/loadgen.out")"

check "write error reported" grep -q "output full: write to $T/disk/full.pcap failed: No space left on device" "$T/nflogd.log"
check "recovery reported" grep -q "output full: writing to $T/disk/full.pcap again" "$T/nflogd.log"
received=$(sed -n 's/.*group 82: received \([0-9]*\), lost 0,.*/\1/p' "$T/nflogd.log")
read -r written dropped errors < <(sed -n 's/.*output full: written \([0-9]*\), queued 0, dropped \([0-9]*\), errors \([0-9]*\)$/\1 \2 \3/p' "$T/nflogd.log")
echo "# received=$received written=$written dropped=$dropped errors=$errors"
check_eq "every packet received" "$received" "$COUNT"
check_eq "written + dropped == received" "$((written + dropped))" "$received"
check "some records dropped (the backlog of 64K overflowed) and counted" test "$dropped" -gt 0

check "tshark reads the capture" bash -c "tshark -r '$T/full.copy' -w /dev/null 2>/dev/null"
res=$(python3 "$NFLOGD_SRC/tests/e2e/pcap_compare.py" --seq 82 "$T/full.copy")
get() { sed -n "s/.*\b$1=\([0-9-]*\).*/\1/p" <<<"$res"; }
echo "# full: $res"
check_eq "the capture holds exactly the records written, each once, none partial" "$(get records)/$(get unique)" "$written/$written"
check_eq "the gap is exactly the dropped records" "$(get missing)" "$dropped"
check_eq "records after the recovery (the last one is there)" "$(get max)" "$((COUNT - 1))"
res=$(python3 "$NFLOGD_SRC/tests/e2e/pcap_compare.py" --seq 82 "$T/other.pcap")
echo "# other: $res"
check_eq "the other output got everything" "$(get records)/$(get missing)" "$COUNT/0"
e2e_finish
