#!/bin/bash
# Overload: real socket overruns through the daemon, one group per enobufs
# policy. The daemon is stopped (SIGSTOP) while a burst fills a 4 KiB
# socket buffer, five times: every cycle overflows, the daemon survives,
# grows the buffer by doubling up to rcvbuf_max (64 KiB) and never past
# it. Then an unpaced burst at full speed. With the seq flag the loss it
# reports is exact: records written + reported lost = packets sent (the
# nft rule's counter). Without seq it says its count is a lower bound.
. "$(dirname "$0")/lib.sh"
e2e_init overload
: "${LOADGEN:?LOADGEN must point at bench/loadgen}"

# group/port: 81 raise, 82 handle, 83 disable (all seq), 84 raise without seq
nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7801 counter log group 81 prefix "raise-$TAG "
		udp dport 7802 counter log group 82 prefix "handle-$TAG "
		udp dport 7803 counter log group 83 prefix "disable-$TAG "
		udp dport 7804 counter log group 84 prefix "noseq-$TAG "
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 7801-7804 drop
	}
}
EOF2
small='rcvbuf = "4K"; rcvbuf_max = "64K"; qthresh = 16; timeout = 0.01;'
cat >"$T/nflogd.conf" <<EOF2
outputs = (
	$(conf_file_output raise "$T/raise.json" json),
	$(conf_file_output handle "$T/handle.json" json),
	$(conf_file_output disable "$T/disable.json" json),
	$(conf_file_output noseq "$T/noseq.json" json)
);
groups = (
	{ group = 81; outputs = ("raise"); enobufs = "raise"; $small },
	{ group = 82; outputs = ("handle"); enobufs = "handle"; $small },
	{ group = 83; outputs = ("disable"); enobufs = "disable"; $small },
	{ group = 84; outputs = ("noseq"); enobufs = "raise"; flags = (); $small }
);
EOF2
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
pid=$(daemon_pid)

# Five overruns per group: the daemon stopped, 3000 packets to each port.
for cycle in 1 2 3 4 5; do
	kill -STOP "$pid"
	for port in 7801 7802 7803 7804; do
		nsx "$LOADGEN" -c 3000 -p $port >/dev/null || not_ok "loadgen to $port"
	done
	kill -CONT "$pid"
	sleep 0.4
done
# Then full speed, daemon running (loss or not, the books must balance).
nsx "$LOADGEN" -c 50000 -p 7801 >/dev/null
nsx "$LOADGEN" -c 50000 -p 7803 >/dev/null
sleep 0.5
# An overrun the daemon has seen but no later record has measured yet:
# the counters say the loss is still to be counted.
# (the pause lets the kernel's flush timer send, and drop, its last batch)
kill -STOP "$pid"
nsx "$LOADGEN" -c 3000 -p 7802 >/dev/null
sleep 0.3
kill -CONT "$pid"
sleep 0.5
kill -USR2 "$pid"
for _ in $(seq 50); do grep -q "group 82: received .*next record arrives" "$T/nflogd.log" && break; sleep 0.1; done
check "handle: an overrun not measured yet is said to be pending" \
	grep -q "group 82: received .*(plus the loss of a last overrun: counted when the next record arrives)" "$T/nflogd.log"
# One more packet each: a loss at the very end of a burst shows as a
# sequence gap only when the next record arrives.
for port in 7801 7802 7803 7804; do nsx "$LOADGEN" -c 1 -p $port >/dev/null; done

check "the daemon survived the overruns" kill -0 "$pid"
for f in raise handle disable noseq; do wait_lines "$T/$f.json" 1 3; done
sleep 1
kill -USR2 "$pid"
for _ in $(seq 50); do [ "$(grep -c 'group 8[1-4]: received' "$T/nflogd.log")" -ge 4 ] && break; sleep 0.1; done
daemon_stop
check_eq "exit 0 after the overload" "$?" 0

sent() { nsx nft list ruleset | sed -n "s/.*udp dport $1 counter packets \([0-9]*\) .*/\1/p"; }
# counter GROUP KEY: from the last "group N: received .." line (SIGUSR2 or exit)
counter() {
	grep "group $1: received" "$T/nflogd.log" | tail -1 |
		sed -n "s/.*[ ,]$2 \(at least \)\{0,1\}\([0-9]*\).*/\2/p"
}
grown() { grep "group $1: received" "$T/nflogd.log" | tail -1 | sed -n 's/.*grown \([0-9]*\) times.*/\1/p'; }
rcvbuf() { grep "group $1: received" "$T/nflogd.log" | tail -1 | sed -n 's/.*rcvbuf \([0-9]*\) .*/\1/p'; }
records() { python3 - "$1" "$2" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    n += r.get("prefix") == sys.argv[2]
print(n)
PY
}
# loss_records FILE: "COUNT SUM NULLS" of the loss records in FILE
loss_records() { python3 - "$1" <<'PY'
import json, sys
recs = [r for r in map(json.loads, open(sys.argv[1], encoding="utf-8")) if r.get("event") == "loss"]
print(len(recs), sum(r["lost"] or 0 for r in recs), sum(r["lost"] is None for r in recs))
PY
}
echo "# daemon log (losses and counters):"
grep -E "warn|group 8[1-4]: received" "$T/nflogd.log" | sed 's/^/#   /'

for g in 81:7801:raise 82:7802:handle 83:7803:disable; do
	IFS=: read -r group port name <<<"$g"
	s=$(sent $port); r=$(counter $group received); l=$(counter $group lost)
	w=$(records "$T/$name.json" "$name-$TAG ")
	echo "# $name: sent $s, received $r, lost $l, written $w, overruns $(counter $group overruns)," \
		"rcvbuf $(rcvbuf $group), grown $(grown $group) times"
	check "$name: packets were lost (the overrun happened)" test "${l:-0}" -gt 0
	check_eq "$name: every record received was written" "$w" "$r"
	check_eq "$name: written + reported lost = sent, exactly" "$((w + l))" "$s"
	check_eq "$name: rcvbuf grown by doubling 4K -> 64K (4 times), no further" "$(grown $group)" 4
	check_eq "$name: effective rcvbuf is the kernel's double of rcvbuf_max" "$(rcvbuf $group)" 131072
	check "$name: once a later record came, nothing is pending" \
		bash -c "grep 'group $group: received' '$T/nflogd.log' | tail -1 | grep -qv 'plus the loss'"
done

read -r n sum nulls <<<"$(loss_records "$T/raise.json")"
check "raise: loss records in the output" test "$n" -gt 0
check_eq "raise: the loss records add up to the reported loss" "$sum" "$(counter 81 lost)"
check_eq "raise: with seq every loss record has a count" "$nulls" 0
check "raise: a warning in the daemon log" grep -q "group 81: socket overrun (ENOBUFS).*exact, by sequence numbers" "$T/nflogd.log"
check "handle: overruns counted" test "$(counter 82 overruns)" -gt 0
check_eq "handle: no loss records in the output" "$(loss_records "$T/handle.json")" "0 0 0"
check_eq "disable: NETLINK_NO_ENOBUFS, no overrun reported" "$(counter 83 overruns)" 0
check_eq "disable: no loss records in the output" "$(loss_records "$T/disable.json")" "0 0 0"
check "handle, disable: no warning" bash -c "! grep -q 'warning: group 8[23]:' '$T/nflogd.log'"

# Without seq: counted as a lower bound, and the daemon says so.
s=$(sent 7804); r=$(counter 84 received); l=$(counter 84 lost)
w=$(records "$T/noseq.json" "noseq-$TAG ")
echo "# noseq: sent $s, received $r, lost at least $l, written $w"
check_eq "noseq: every record received was written" "$w" "$r"
check "noseq: a loss is reported" test "${l:-0}" -gt 0
check "noseq: the reported loss is a lower bound of sent - written" test "$l" -le "$((s - w))"
check "noseq: the counters say it is a lower bound" grep -q "group 84: received .*lost at least [0-9]* (lower bound: no seq flag)" "$T/nflogd.log"
check "noseq: the warning says it is a lower bound" grep -q "group 84: socket overrun (ENOBUFS).*at least .*a lower bound" "$T/nflogd.log"
read -r n sum nulls <<<"$(loss_records "$T/noseq.json")"
check "noseq: loss records with an unknown count (null)" test "$nulls" -gt 0
e2e_finish
