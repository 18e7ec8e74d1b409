#!/bin/bash
# SIGHUP five times under steady traffic while the file output rotates
# every few hundred KB: one invalid config (reported with FILE:LINE, the
# old one keeps running), one adding a group, one removing another, one
# changing the kept group's output (closed and opened anew), one changing
# the kept group's options (reconfigured on its socket). Every sequence
# number of the kept group is in the union of its files exactly once, and
# no line is partial.
. "$(dirname "$0")/lib.sh"
: "${LOADGEN:?LOADGEN must point at bench/loadgen (meson test sets it)}"
e2e_init reload

COUNT=${RELOAD_COUNT:-36000}   # packets of the kept group
RATE=${RELOAD_RATE:-3000}      # per second: 12 s of traffic
NOLD=200

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7301 log group 41 prefix "keep-$TAG "
		udp dport 7302 log group 42 prefix "gone-$TAG "
		udp dport 7303 log group 43 prefix "new-$TAG "
	}
}
EOF2

# conf STEP: the config of each step, written over $T/nflogd.conf
conf() {
	local size=300K other_fmt=json timeout=0.05 extra_group="" gone_group
	gone_group='{ group = 42; outputs = ("other"); qthresh = 16; }'
	case $1 in
	2) extra_group=', { group = 43; outputs = ("other"); qthresh = 16; }' ;;
	3|4|5) extra_group=', { group = 43; outputs = ("other"); qthresh = 16; }' ;;
	esac
	case $1 in 3|4|5) gone_group="" ;; esac
	case $1 in 4|5) size=400K ;; esac
	case $1 in 5) timeout=0.1; other_fmt=text ;; esac
	local sep=""; [ -n "$gone_group" ] && sep=","
	cat >"$T/nflogd.conf.new" <<EOF2
outputs = (
	$(conf_file_output keep "$T/keep.json" json "rotate = { size = \"$size\"; keep = $NOLD; };"),
	$(conf_file_output other "$T/other.log" $other_fmt)
);
groups = (
	{ group = 41; outputs = ("keep"); qthresh = 32; timeout = $timeout; rcvbuf = "16M"; }$sep
	$gone_group $extra_group
);
EOF2
	mv "$T/nflogd.conf.new" "$T/nflogd.conf"
}

conf 0
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
pid=$(daemon_pid)

start=$(date +%s.%N)
nsx "$LOADGEN" -c "$COUNT" -r "$RATE" -p 7301 -b 8 >"$T/loadgen.out" 2>&1 &
gen=$!
nsx "$LOADGEN" -c $((COUNT / 6)) -r $((RATE / 6)) -p 7302 -b 8 >/dev/null 2>&1 &
gen2=$!
nsx "$LOADGEN" -c $((COUNT / 6)) -r $((RATE / 6)) -p 7303 -b 8 >/dev/null 2>&1 &
gen3=$!

# step 1: invalid (an unknown key on a known line)
sleep 1.5
cp "$T/nflogd.conf" "$T/good.conf"
sed -i 's/qthresh = 32;/qthresh = 32; qthres = 5;/' "$T/nflogd.conf"
bad_line=$(grep -n 'qthres = 5' "$T/nflogd.conf" | cut -d: -f1)
kill -HUP "$pid"
for step in 2 3 4 5; do
	sleep 2
	conf "$step"
	kill -HUP "$pid"
done
wait "$gen" "$gen2" "$gen3"
sleep 0.5
elapsed=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo "?")
daemon_stop; rc=$?
check_eq "exit 0 after five reloads" "$rc" 0
echo "# loadgen: $(cat "$T/loadgen.out"); wall ${elapsed}s"

check "invalid reload reported with FILE:LINE" grep -q "$T/nflogd.conf:$bad_line: unknown key \"qthres\"" "$T/nflogd.log"
check "invalid reload: still running the previous configuration" grep -q "reload rejected" "$T/nflogd.log"
check_eq "four reloads applied" "$(grep -c 'reload of .* applied' "$T/nflogd.log")" 4
check "group 43 bound by a reload" grep -q "group 43 bound" "$T/nflogd.log"
check "group 42 unbound by a reload" grep -q "group 42 unbound" "$T/nflogd.log"
check "output keep reopened by a reload (rotation settings changed)" \
	grep -q "outputs 1 kept, 1 opened, 1 closed" "$T/nflogd.log"
check "group 41 reconfigured in place" grep -q "group 41 reconfigured" "$T/nflogd.log"
check "other output has group 43's records" grep -q "new-$TAG" "$T/other.log"

files=("$T/keep.json")
for i in $(seq "$NOLD"); do files+=("$T/keep.json.$i"); done
res=$(python3 "$NFLOGD_SRC/tests/e2e/seq_check.py" 41 "${files[@]}")
echo "# kept group: $res"
get() { sed -n "s/.*\b$1=\([0-9-]*\).*/\1/p" <<<"$res"; }
rotated=$(ls "$T"/keep.json.* 2>/dev/null | wc -l)
echo "# rotations: $rotated files, largest $(ls -S "$T"/keep.json* | head -1 | xargs stat -c %s) bytes"
check "rotated many times (>= 10 files)" test "$rotated" -ge 10
check "never more than $NOLD old files" test ! -e "$T/keep.json.$((NOLD + 1))"
check "no file over its rotation size (400K)" bash -c "! find '$T' -name 'keep.json*' -size +400k | grep -q ."
check_eq "every record of the kept group written" "$(get records)" "$COUNT"
check_eq "each sequence number exactly once" "$(get dups)/$(get missing)/$(get unique)" "0/0/$COUNT"
check_eq "no partial or mixed line" "$(get bad)/$(get unterminated)" "0/0"
check_eq "no loss records" "$(get losses)" 0
check "daemon counted every packet of group 41" grep -q "group 41: received $COUNT, lost 0" "$T/nflogd.log"
e2e_finish
