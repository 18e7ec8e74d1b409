#!/bin/bash
# Malformed packets through the real kernel path. Raw sockets in the test
# namespace (tests/e2e/rawsend.py) send IPv4 packets with broken options,
# truncated TCP/UDP/ICMP/AH/ESP headers and odd fragment offsets, IPv6
# packets with impossible lengths and extension-header chains that are
# long or run off the end, and, as Ethernet frames on lo for a netdev
# ingress chain, IPv4 headers with a bad IHL or an impossible total length.
# Each is logged twice, by the kernel's own LOG target (dmesg) and through
# NFLOG to the daemon (running under ASan in the ASan tree): the daemon
# never crashes, every packet shows up, its text line is the kernel's,
# byte for byte (TRUNCATED, INCOMPLETE [n bytes] and all), and its JSON
# is valid. Then well-formed packets in groups whose copy_range cuts them
# in the middle of a header: the line says INCOMPLETE / TRUNCATED where
# the cut falls, the JSON says what was truncated.
. "$(dirname "$0")/lib.sh"
e2e_init malformed
command -v python3 >/dev/null || e2e_skip "needs python3"
kernel_log_on   # global switch, restored on exit (meson runs this test alone)

RAWSEND="$NFLOGD_SRC/tests/e2e/rawsend.py"
ID="mf$$r$RANDOM"   # unique in dmesg, even if a pid comes back
GA=61 GB=62 GL=63 G20=64 G24=65 G41=66
TTL_BAD=66 TTL_LINK=55 TTL_CUT=77

nft_load <<EOF
table inet mf {
	chain out {
		type filter hook output priority 0; policy accept;
		ip ttl $TTL_BAD log prefix "${ID}A " flags all
		ip ttl $TTL_BAD log group $GA prefix "${ID}A "
		ip ttl $TTL_BAD log prefix "${ID}B "
		ip ttl $TTL_BAD log group $GB prefix "${ID}B "
		ip6 hoplimit $TTL_BAD log prefix "${ID}A " flags all
		ip6 hoplimit $TTL_BAD log group $GA prefix "${ID}A "
		ip6 hoplimit $TTL_BAD log prefix "${ID}B "
		ip6 hoplimit $TTL_BAD log group $GB prefix "${ID}B "
		ip ttl $TTL_CUT log group $G20 prefix "${ID}C20 "
		ip ttl $TTL_CUT log group $G24 prefix "${ID}C24 "
		ip ttl $TTL_CUT log group $G41 prefix "${ID}C41 "
		ip6 hoplimit $TTL_CUT log group $G20 prefix "${ID}C20 "
		ip6 hoplimit $TTL_CUT log group $G24 prefix "${ID}C24 "
		ip6 hoplimit $TTL_CUT log group $G41 prefix "${ID}C41 "
	}
}
table netdev mfl {
	chain in {
		type filter hook ingress device lo priority 0; policy accept;
		meta protocol ip ip ttl $TTL_LINK log prefix "${ID}L " flags all
		meta protocol ip ip ttl $TTL_LINK log group $GL prefix "${ID}L "
	}
}
EOF
[ $? = 0 ] || { not_ok "nft rules load"; e2e_finish; }

cat >"$T/nflogd.conf" <<EOF
outputs = (
	$(conf_file_output a "$T/a.log" text 'log_flags = ("all");'),
	$(conf_file_output b "$T/b.log" text),
	$(conf_file_output l "$T/l.log" text 'log_flags = ("all");'),
	$(conf_file_output c "$T/cut.log" text),
	$(conf_file_output json "$T/all.json" json)
);
groups = (
	{ group = $GA; outputs = ("a", "json"); qthresh = 1; },
	{ group = $GB; outputs = ("b", "json"); qthresh = 1; },
	{ group = $GL; outputs = ("l", "json"); qthresh = 1; },
	{ group = $G20; outputs = ("c", "json"); qthresh = 1; copy_range = 20; },
	{ group = $G24; outputs = ("c", "json"); qthresh = 1; copy_range = 24; },
	{ group = $G41; outputs = ("c", "json"); qthresh = 1; copy_range = 41; }
);
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
ok "daemon starts"

nsx python3 "$RAWSEND" malformed --ttl $TTL_BAD >"$T/sent.malformed" 2>"$T/send.err"
check "all malformed IPv4/IPv6 packets sent" test ! -s "$T/send.err"
nsx python3 "$RAWSEND" link --ttl $TTL_LINK >"$T/sent.link" 2>>"$T/send.err"
nsx python3 "$RAWSEND" cut --ttl $TTL_CUT >"$T/sent.cut" 2>>"$T/send.err"
check "bad-IHL frames and cut packets sent" test ! -s "$T/send.err"
sed 's/^/#   /' "$T/send.err"
n_bad=$(wc -l <"$T/sent.malformed") n_link=$(wc -l <"$T/sent.link") n_cut=$(wc -l <"$T/sent.cut")

wait_lines "$T/a.log" "$n_bad" 10
wait_lines "$T/b.log" "$n_bad" 5
wait_lines "$T/l.log" "$n_link" 5
wait_lines "$T/cut.log" $((3 * n_cut)) 5
sleep 0.3
dmesg --notime 2>/dev/null | grep -a -o -- "${ID}[ABL] .*" >"$T/kernel.txt"

check "the daemon survived every packet" kill -0 "$(daemon_pid)"
daemon_stop; rc=$?
check_eq "daemon exits cleanly" "$rc" 0

# Lines are "<RFC 3339 timestamp> <kernel line>".
for v in A B L; do
	f=$(echo "$v" | tr 'ABL' 'abl')
	want=$([ $v = L ] && echo "$n_link" || echo "$n_bad")
	grep -a -F -- "${ID}$v " "$T/kernel.txt" >"$T/k.$v"
	cut -d' ' -f2- "$T/$f.log" >"$T/d.$v"
	check_eq "$v: the kernel logged every packet" "$(wc -l <"$T/k.$v")" "$want"
	check_eq "$v: the daemon recorded every packet" "$(wc -l <"$T/d.$v")" "$want"
	if cmp -s "$T/k.$v" "$T/d.$v"; then
		ok "$v: $(wc -l <"$T/d.$v") lines identical to the kernel's"
	else
		not_ok "$v: lines differ from the kernel's"
		diff "$T/k.$v" "$T/d.$v" | head -20 | sed 's/^/#   /'
	fi
done
check "some lines say TRUNCATED" grep -q "TRUNCATED" "$T/d.A"
check "some lines say INCOMPLETE [n bytes]" grep -q "INCOMPLETE \[[0-9]* bytes\]" "$T/d.A"
check "some lines say OPT (TRUNCATED)" grep -q "OPT (TRUNCATED)" "$T/d.A"
check "bad IHL, impossible length: LEN=65535 reached the daemon" grep -q "LEN=65535 .* ID=1 PROTO=TCP" "$T/d.L"

# copy_range cuts: the line for each group and packet, in send order
# (TCP SYN, ICMP echo, UDP, ihl-15 TCP, IPv6 TCP, IPv6 hop-by-hop + UDP).
# What nflogd received is all it can count: ihl 15 points past 20, 24 and
# 41 bytes, so the count wraps in 32 bits exactly as the kernel's would.
cut_line() {  # GROUP N: the text after "LEN=" fields of the N-th packet
	grep -a -F -- "${ID}C$1 " "$T/cut.log" | sed -n "${2}p"
}
expect_cut() {  # GROUP N PATTERN WHAT
	local line
	line=$(cut_line "$1" "$2")
	if grep -q -E -- "$3" <<<"$line"; then
		ok "copy_range $1, $4"
	else
		not_ok "copy_range $1, $4"; echo "#   line: $line"; echo "#   want: /$3/"
	fi
}
for g in 20 24 41; do
	check_eq "copy_range $g: every packet recorded" \
		"$(grep -a -c -F -- "${ID}C$g " "$T/cut.log")" "$n_cut"
done
expect_cut 20 1 'ID=7701 PROTO=TCP INCOMPLETE \[0 bytes\] $'        "TCP: no header byte"
expect_cut 24 1 'ID=7701 PROTO=TCP INCOMPLETE \[4 bytes\] $'        "TCP: 4 header bytes"
expect_cut 41 1 'PROTO=TCP SPT=4001 DPT=7201 WINDOW=512 RES=0x00 SYN URGP=0 $' "TCP: whole header"
expect_cut 20 2 'PROTO=ICMP INCOMPLETE \[0 bytes\] $'                    "ICMP: no header byte"
expect_cut 24 2 'PROTO=ICMP INCOMPLETE \[4 bytes\] $'                    "ICMP: 4 of 8 bytes"
expect_cut 41 2 'PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1 $'                  "ICMP: whole echo header"
expect_cut 24 3 'PROTO=UDP INCOMPLETE \[4 bytes\] $'                     "UDP: 4 of 8 bytes"
expect_cut 41 3 'PROTO=UDP SPT=4001 DPT=7202 LEN=10 $'                   "UDP: whole header"
expect_cut 20 4 'PROTO=TCP INCOMPLETE \[4294967256 bytes\] $'            "ihl 15: offset 60 past 20 bytes"
expect_cut 41 4 'PROTO=TCP INCOMPLETE \[4294967277 bytes\] $'            "ihl 15: offset 60 past 41 bytes"
expect_cut 20 5 'OUT=lo TRUNCATED$'                                      "IPv6: header cut"
expect_cut 41 5 'FLOWLBL=7705 PROTO=TCP INCOMPLETE \[1 bytes\] $'        "IPv6 TCP: 1 header byte"
expect_cut 41 6 'FLOWLBL=7706 TRUNCATED$'                                "IPv6 hop-by-hop cut after 1 byte"

# JSON: valid, documented, and the truncation said in keys.
check "JSON lines valid and documented" python3 "$NFLOGD_SRC/tests/e2e/check_json.py" "$T/all.json"
check_eq "JSON: every record" "$(wc -l <"$T/all.json")" $((2 * n_bad + n_link + 3 * n_cut))
check_eq "JSON: copy_range 24 TCP says transport truncated" \
	"$(json_get "$T/all.json" "${ID}C24 " truncated 0) $(json_get "$T/all.json" "${ID}C24 " truncated_bytes 0)" \
	'"transport" 4'
check_eq "JSON: copy_range 20 IPv6 says network truncated" \
	"$(json_get "$T/all.json" "${ID}C20 " truncated 4)" '"network"'
check "no sanitizer or error report in the daemon log" \
	bash -c "! grep -q -E 'ERROR: AddressSanitizer|runtime error|LeakSanitizer' '$T/nflogd.log'"
e2e_finish
