#!/bin/bash
# A capture under traffic: rotated by size (keep enough to hold them all)
# and by interval, moved away and reopened on SIGUSR1 (logrotate's
# `create` way). Every file, rotated or not, is a capture of its own that
# tshark reads, and across all of them each record is there once: the
# sum of records = the datagrams sent (their NFLOG sequence numbers run
# 0..N-1 without a gap or a duplicate).
. "$(dirname "$0")/lib.sh"
: "${LOADGEN:?LOADGEN must point at bench/loadgen (meson test sets it)}"
command -v tshark >/dev/null || e2e_skip "needs tshark"
e2e_init pcap_rotate

COUNT=${PCAP_ROTATE_COUNT:-12000}
RATE=${PCAP_ROTATE_RATE:-3000}

nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7811 log group 81 prefix "prot-$TAG "
	}
}
EOF
cat >"$T/nflogd.conf" <<EOF
outputs = (
	{ name = "size"; type = "pcap"; path = "$T/size.pcap"; mode = "0600";
	  rotate = { size = "128K"; keep = 1000; }; },
	{ name = "tick"; type = "pcap"; linktype = "raw"; path = "$T/tick.pcap";
	  rotate = { interval = 1; keep = 100; }; }
);
groups = ( { group = 81; outputs = ("size", "tick"); qthresh = 32; rcvbuf = "16M"; } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
pid=$(daemon_pid)
check_eq "a new capture: mode 0600, the file header alone" "$(stat -c '%a %s' "$T/size.pcap")" "600 24"

nsx "$LOADGEN" -c "$COUNT" -r "$RATE" -p 7811 -b 8 >"$T/loadgen.out" 2>&1 &
gen=$!
sleep 1.5
mv "$T/size.pcap" "$T/moved.pcap" # logrotate's rename, then its postrotate
kill -USR1 "$pid"
wait "$gen"
sleep 0.5
daemon_stop
check_eq "exit 0" "$?" 0
echo "# loadgen: $(cat "$T/loadgen.out")"

files=("$T/moved.pcap" "$T"/size.pcap*)
unreadable=0
for f in "${files[@]}" "$T"/tick.pcap*; do
	tshark -r "$f" -w /dev/null 2>/dev/null || { unreadable=$((unreadable + 1)); echo "# tshark cannot read $f"; }
done
n_size=$(ls "$T"/size.pcap.* | wc -l)
n_tick=$(ls "$T"/tick.pcap.* | wc -l)
echo "# rotated: size $n_size files, tick $n_tick files"
check "rotated by size into several files" test "$n_size" -ge 3
check "rotated by interval (1 s) several times" test "$n_tick" -ge 2
check_eq "tshark reads every file" "$unreadable" 0
big=$(find "$T" -name 'size.pcap*' -size +128k | wc -l)
check_eq "no file over rotate size" "$big" 0

res=$(python3 "$NFLOGD_SRC/tests/e2e/pcap_compare.py" --seq 81 "${files[@]}")
get() { sed -n "s/.*\b$1=\([0-9-]*\).*/\1/p" <<<"$res"; }
echo "# $res"
check_eq "every record once across the files: sum = sent, seq 0..N-1" \
	"$(get records)/$(get unique)/$(get dups)/$(get min)/$(get max)/$(get missing)" \
	"$COUNT/$COUNT/0/0/$((COUNT - 1))/0"
tick=0
for f in "$T"/tick.pcap*; do
	tick=$((tick + $(tshark -r "$f" 2>/dev/null | wc -l)))
done
check_eq "the raw capture, across its files, holds every packet" "$tick" "$COUNT"
check "SIGUSR1 reopened the capture" grep -q "outputs reopened (0 of 2 failed" "$T/nflogd.log"
moved=$(tshark -r "$T/moved.pcap" 2>/dev/null | wc -l)
check "the moved capture holds the records from before the reopen" test "$moved" -gt 0
e2e_finish
