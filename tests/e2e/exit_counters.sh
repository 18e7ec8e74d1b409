#!/bin/bash
# The counters nflogd logs at exit are taken after its outputs closed, so
# that the records an output gives up at close are in them: a file output
# on a full disk (a small tmpfs in a private mount namespace) holds a
# backlog when SIGTERM comes; at close that backlog is dropped, and the
# exit line must say queued 0 and count it as dropped: written + dropped ==
# received, and the line comes after the close message.
. "$(dirname "$0")/lib.sh"
: "${LOADGEN:?LOADGEN must point at bench/loadgen (meson test sets it)}"
command -v unshare >/dev/null && command -v nsenter >/dev/null || e2e_skip "needs unshare and nsenter (util-linux)"
e2e_init exitcount

COUNT=2000
private_tmpfs "$T/disk" 1m || { not_ok "tmpfs mounted in a private namespace"; e2e_finish; }

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7801 log group 81 prefix "exit-$TAG "
	}
}
EOF2
cat >"$T/nflogd.conf" <<EOF2
outputs = ( $(conf_file_output full "$T/disk/full.json" json "backlog = \"64K\";") );
groups = ( { group = 81; outputs = ("full"); qthresh = 1; timeout = 0; rcvbuf = "16M"; } );
EOF2
NFLOGD_WRAP="nsenter -t $TMPFS_HOLDER -m ${NFLOGD_WRAP:-}" daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
fill_tmpfs "$T/disk"
nsx "$LOADGEN" -c "$COUNT" -r 2000 -p 7801 -b 1 >"$T/loadgen.out" 2>&1
sleep 1   # the kernel's last records reach the daemon
daemon_stop; rc=$?
check_eq "exit 0" "$rc" 0

log=$T/nflogd.log
received=$(sed -n 's/.*group 81: received \([0-9]*\), lost 0,.*/\1/p' "$log")
at_close=$(sed -n 's/.*output full: closing with \([0-9]*\) records that could not be written.*/\1/p' "$log")
close_line=$(grep -n "output full: closing with" "$log" | cut -d: -f1)
counters=$(grep -n "output full: written" "$log")
echo "# received=$received at_close=$at_close; ${counters#*:}"
read -r written queued dropped < <(sed -n 's/.*output full: written \([0-9]*\), queued \([0-9]*\), dropped \([0-9]*\),.*/\1 \2 \3/p' <<<"$counters")
check_eq "every packet received" "$received" "$COUNT"
check "a backlog was given up at close (got ${at_close:-none})" test "${at_close:-0}" -gt 0
check "the exit counters come after the close" test "${counters%%:*}" -gt "${close_line:-999999}"
check_eq "exit counters: nothing left queued" "$queued" 0
check_eq "exit counters: written + dropped == received" "$((written + dropped))" "$received"
e2e_finish
