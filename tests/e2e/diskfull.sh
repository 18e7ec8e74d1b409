#!/bin/bash
# Disk full under traffic: a small tmpfs (in a private mount namespace,
# never on the host's paths) is filled up and freed again while records
# flow. nflogd keeps running and keeps writing its other output, reports
# the write error (rate-limited), holds a bounded backlog, drops and counts
# what does not fit, and writes again once there is space, without a
# partial line: written + dropped == received, and the file holds exactly
# the records written.
. "$(dirname "$0")/lib.sh"
: "${LOADGEN:?LOADGEN must point at bench/loadgen (meson test sets it)}"
command -v unshare >/dev/null && command -v nsenter >/dev/null || e2e_skip "needs unshare and nsenter (util-linux)"
e2e_init diskfull

COUNT=${DISKFULL_COUNT:-18000}
RATE=${DISKFULL_RATE:-2000}

# The tmpfs in a mount namespace of its own; the daemon and every look at
# the tmpfs enter it (inside).
private_tmpfs "$T/disk" 16m || { not_ok "tmpfs mounted in a private namespace"; e2e_finish; }
check "host's $T/disk is not a mount point" bash -c "! findmnt -n '$T/disk' >/dev/null"

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7701 log group 71 prefix "full-$TAG "
	}
}
EOF2
cat >"$T/nflogd.conf" <<EOF2
outputs = (
	$(conf_file_output full "$T/disk/full.json" json "backlog = \"64K\";"),
	$(conf_file_output other "$T/other.json" json)
);
groups = ( { group = 71; outputs = ("full", "other"); qthresh = 16; rcvbuf = "16M"; } );
EOF2
NFLOGD_WRAP="nsenter -t $TMPFS_HOLDER -m ${NFLOGD_WRAP:-}" daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
pid=$(daemon_pid)

nsx "$LOADGEN" -c "$COUNT" -r "$RATE" -p 7701 -b 4 >"$T/loadgen.out" 2>&1 &
gen=$!
sleep 1.5
fill_tmpfs "$T/disk"
sleep 1
# 300K of room: nflogd's own writes fill it, the last one stops mid-line
inside truncate -s -300K "$T/disk/fill"
sleep 2.5
check "daemon alive while the disk is full" kill -0 "$pid"
reports=$(grep -c "write to $T/disk/full.json failed" "$T/nflogd.log")
inside rm "$T/disk/fill"
wait "$gen"
sleep 1.5   # the retry timer writes the backlog within a second
inside cat "$T/disk/full.json" >"$T/full.copy"
daemon_stop; rc=$?
check_eq "exit 0" "$rc" 0
echo "# loadgen: $(cat "$T/loadgen.out")"

check "write error reported" grep -q "output full: write to $T/disk/full.json failed: No space left on device" "$T/nflogd.log"
check "reported at most once per failure in 3.5 s (rate-limited; got $reports)" test "$reports" -ge 1 -a "$reports" -le 2
check "recovery reported" grep -q "output full: writing to $T/disk/full.json again" "$T/nflogd.log"
received=$(sed -n 's/.*group 71: received \([0-9]*\), lost 0,.*/\1/p' "$T/nflogd.log")
read -r written dropped errors < <(sed -n 's/.*output full: written \([0-9]*\), queued 0, dropped \([0-9]*\), errors \([0-9]*\)/\1 \2 \3/p' "$T/nflogd.log")
echo "# received=$received written=$written dropped=$dropped errors=$errors"
check_eq "every packet received" "$received" "$COUNT"
check_eq "written + dropped == received" "$((written + dropped))" "$received"
check "some records dropped (the backlog of 64K overflowed) and counted" test "$dropped" -gt 0
check "failed writes counted" test "$errors" -ge 2

res=$(python3 "$NFLOGD_SRC/tests/e2e/seq_check.py" 71 "$T/full.copy")
get() { sed -n "s/.*\b$1=\([0-9-]*\).*/\1/p" <<<"$res"; }
echo "# full: $res"
check_eq "file holds exactly the records written, each once" "$(get lines)/$(get unique)/$(get dups)" "$written/$written/0"
check_eq "no partial line" "$(get bad)/$(get unterminated)" "0/0"
check_eq "the gap is exactly the dropped records" "$(get missing)" "$dropped"
check_eq "records after the recovery (the last one is there)" "$(get max)" "$((COUNT - 1))"
res=$(python3 "$NFLOGD_SRC/tests/e2e/seq_check.py" 71 "$T/other.json")
echo "# other: $res"
check_eq "the other output got everything" "$(get records)/$(get missing)" "$COUNT/0"
check "other output: no errors" grep -q "output other: written $COUNT, queued 0, dropped 0, errors 0" "$T/nflogd.log"
e2e_finish
