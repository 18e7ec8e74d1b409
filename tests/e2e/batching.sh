#!/bin/bash
# qthresh and timeout are visible in delivery: the kernel holds records
# until qthresh of them are queued or the timeout expires.
. "$(dirname "$0")/lib.sh"
e2e_init batching

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7101 log group 21 prefix "q5-$TAG "
		udp dport 7102 log group 22 prefix "t2-$TAG "
		udp dport 7103 log group 23 prefix "q1-$TAG "
	}
}
EOF2
cat >"$T/nflogd.conf" <<EOF2
outputs = (
	$(conf_file_output q5 "$T/q5.log" text),
	$(conf_file_output t2 "$T/t2.log" text),
	$(conf_file_output q1 "$T/q1.log" text)
);
groups = (
	{ group = 21; outputs = ("q5"); qthresh = 5; timeout = 30.0; },
	{ group = 22; outputs = ("t2"); qthresh = 100; timeout = 2.0; },
	{ group = 23; outputs = ("q1"); qthresh = 1; timeout = 30.0; }
);
EOF2
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }

lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }

# qthresh 1: each record on its own, at once
send_udp 127.0.0.1 7103
check "qthresh 1: delivered within 1 s" wait_lines "$T/q1.log" 1 1

# qthresh 5, timeout 30 s: four records stay in the kernel...
send_udp 127.0.0.1 7101 4
sleep 1
check_eq "qthresh 5: 4 records held by the kernel after 1 s" "$(lines "$T/q5.log")" 0
# ...the fifth releases the batch
send_udp 127.0.0.1 7101 1
check "qthresh 5: the 5th record releases all 5 within 1 s" wait_lines "$T/q5.log" 5 1

# timeout 2 s with qthresh 100: a lone record waits for the timer
start=$(date +%s.%N)
send_udp 127.0.0.1 7102
sleep 1
check_eq "timeout 2 s: nothing after 1 s" "$(lines "$T/t2.log")" 0
check "timeout 2 s: delivered within 4 s" wait_lines "$T/t2.log" 1 4
elapsed=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN{printf "%.1f", a-b}')
echo "# timeout delivery after ${elapsed}s"
check "timeout 2 s: not before 1.5 s" awk -v e="$elapsed" 'BEGIN{exit !(e >= 1.5)}'

daemon_stop
check_eq "exit 0" "$?" 0
e2e_finish
