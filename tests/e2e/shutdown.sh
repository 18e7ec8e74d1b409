#!/bin/bash
# SIGTERM: what the kernel still holds (a batch short of qthresh, a long
# timeout) is read and written before exit; SIGINT likewise.
. "$(dirname "$0")/lib.sh"
e2e_init shutdown

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7201 log group 31 prefix "held-$TAG "
	}
}
EOF2
cat >"$T/nflogd.conf" <<EOF2
outputs = ( $(conf_file_output held "$T/held.json" json) );
groups = ( { group = 31; outputs = ("held"); qthresh = 1000; timeout = 60.0; } );
EOF2

for sig in TERM INT; do
	rm -f "$T/held.json"
	daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
	send_udp 127.0.0.1 7201 7
	sleep 0.3
	check_eq "SIG$sig: nothing delivered yet (batch held by the kernel)" "$( [ -f "$T/held.json" ] && wc -l <"$T/held.json" || echo 0)" 0
	pid=$(daemon_pid)
	kill -"$sig" "$pid"
	wait "$pid"; rc=$?
	unset "DAEMON_PIDS[nflogd]"
	check_eq "SIG$sig: exit 0" "$rc" 0
	check_eq "SIG$sig: all 7 held records written" "$(wc -l <"$T/held.json")" 7
	check "SIG$sig: final counters logged" grep -q "group 31: received 7, lost 0" "$T/nflogd.log"
done
e2e_finish
