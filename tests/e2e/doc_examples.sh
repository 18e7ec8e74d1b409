#!/bin/bash
# What the README says, run as written, and what the docs say about the
# kernel, checked against the kernel (issue 12, defect 3):
# - the README's nft and iptables rules (taken from README.md) give text
#   lines "ssh: IN=..." (the iptables prefix needs its trailing space);
# - a rule without a prefix gives "prefix":"" (nft and iptables send an
#   empty one), not null;
# - the kernel's LOG target logs at warning (dmesg -r shows <4>) when the
#   rule names no level (nft `log`, iptables -j LOG);
# - conf/nflogd.conf with its journal output uncommented as the README says
#   is valid, and `journalctl -t nflogd NFLOG_DPT=22` then finds the records
#   (a private journald).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_journald.sh"
journald_enter "$@"
e2e_init doc-examples
journald_trap
command -v iptables >/dev/null || e2e_skip "needs iptables"
kernel_log_on
journald_start || { not_ok "journald starts"; e2e_finish; }
README=$NFLOGD_SRC/README.md

# ---- the example config, journal output uncommented as the README says
python3 - "$NFLOGD_SRC/conf/nflogd.conf" "$T" >"$T/nflogd.conf" <<'PY'
import re, sys
path, tmp = sys.argv[1:]
lines = open(path).read().split("\n")
head = next(i for i, l in enumerate(lines) if '--- type "journal"' in l)
start = next(i for i in range(head, len(lines)) if lines[i].strip() == "# ,")
end = next(i for i in range(start, len(lines)) if lines[i].strip() == "# }")
for i in range(start, end + 1):                 # uncomment: "  # x" -> "  x"
    lines[i] = re.sub(r"^(\s*)# ?", r"\1", lines[i], count=1)
text = "\n".join(lines)
text = text.replace('outputs = ("json", "text");', 'outputs = ("json", "text", "journal");', 1)
print(text.replace("/var/log/nflogd/", tmp + "/"))  # the test's files, not the host's
PY
check "conf/nflogd.conf with its journal output uncommented: --check-config OK" \
	"$NFLOGD" --check-config -c "$T/nflogd.conf"
grep -q '"journal");' "$T/nflogd.conf" || not_ok "the group names the journal output"

# ---- the README's rules, as written (an inet filter input chain first)
nft_load <<'EOF'
table inet filter {
	chain input { type filter hook input priority 0; policy accept; }
}
EOF
nft_rule=$(sed -n 's/^    \(nft add rule inet filter input tcp dport 22 .*\)$/\1/p' "$README")
ipt_rule=$(sed -n 's/^    \(iptables -A INPUT -p tcp --dport 22 .*\)$/\1/p' "$README")
echo "# README: $nft_rule"
echo "# README: $ipt_rule"
check "README's nft rule runs" test -n "$nft_rule" -a "$(nsx bash -c "$nft_rule" 2>&1; echo $?)" = 0
check "README's iptables rule runs" test -n "$ipt_rule" -a "$(nsx bash -c "$ipt_rule" 2>&1; echo $?)" = 0
# rules without a prefix, nft and iptables
nsx nft add rule inet filter input udp dport 7701 log group 1
nsx iptables -A INPUT -p udp --dport 7702 -j NFLOG --nflog-group 1
# the kernel's own LOG, no level named
nsx nft add rule inet filter input udp dport 7703 log prefix "\"nftlvl$$ \""
nsx iptables -A INPUT -p udp --dport 7704 -j LOG --log-prefix "iptlvl$$ "

daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
send_tcp 127.0.0.1 22
send_udp 127.0.0.1 7701
send_udp 127.0.0.1 7702
send_udp 127.0.0.1 7703
send_udp 127.0.0.1 7704
wait_lines "$T/nflog.log" 4
sleep 0.2
daemon_stop
check_eq "daemon exits 0" $? 0

ssh_lines=$(grep -c '^[^ ]* ssh: IN=lo OUT= ' "$T/nflog.log")
check_eq "the README's two rules: two text lines 'ssh: IN=lo OUT= ...'" "$ssh_lines" 2
check_eq "no prefix run into IN= (ssh:IN=)" "$(grep -c 'ssh:IN=' "$T/nflog.log")" 0
check_eq "JSON prefix of the README's rules is \"ssh: \"" \
	"$(python3 -c 'import json,sys; print(sorted(json.loads(l)["prefix"] for l in open(sys.argv[1]) if json.loads(l).get("dpt") == 22))' "$T/nflog.json")" \
	"['ssh: ', 'ssh: ']"
for p in 7701 7702; do
	check_eq "a rule without prefix (dport $p): \"prefix\":\"\"" \
		"$(python3 -c 'import json,sys; print([json.dumps(json.loads(l)["prefix"]) for l in open(sys.argv[1]) if json.loads(l).get("dpt") == int(sys.argv[2])])' "$T/nflog.json" "$p")" \
		"['\"\"']"
done

# journalctl -t nflogd NFLOG_DPT=22 -o json, as in the README
n=0
for _ in $(seq 40); do
	n=$(jctl -t nflogd NFLOG_DPT=22 -o json | grep -c '"NFLOG_PREFIX":"ssh: "')
	[ "$n" = 2 ] && break
	sleep 0.05
done
check_eq "journalctl -t nflogd NFLOG_DPT=22 -o json finds the two records" "$n" 2

# the kernel's LOG target: level 4 (warning) when the rule names none
lvl() { dmesg -r | grep -F "$1" | grep -o '^<[0-9]*>' | sort -u | tr -d '\n'; }
for _ in $(seq 20); do [ -n "$(lvl "iptlvl$$ ")" ] && [ -n "$(lvl "nftlvl$$ ")" ] && break; sleep 0.1; done
check_eq "nft log without level: dmesg -r shows <4> (warning)" "$(lvl "nftlvl$$ ")" "<4>"
check_eq "iptables -j LOG without --log-level: <4> (warning)" "$(lvl "iptlvl$$ ")" "<4>"
e2e_finish
