#!/bin/bash
# JSON for SIEM pipelines, on real traffic, read with jq: one group feeds
# three JSON outputs, the default (nflogd schema), a lean one (payload =
# false, null_keys = false) and an ECS one (schema = "ecs", payload =
# false). The lean records are the default ones without payload and
# nulls; the ECS records carry the same values under the ECS names of
# doc/ecs.md, every member documented there with its type; the jq query
# of doc/ecs.md runs as written.
. "$(dirname "$0")/lib.sh"
e2e_init jsonsiem
command -v jq >/dev/null || e2e_skip "needs jq (tests/deps.sh installs it)"

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		meta l4proto { udp, tcp, icmp, ipv6-icmp } log group 63 prefix "out-$TAG "
	}
	chain in {
		type filter hook input priority 0; policy accept;
		meta l4proto { udp, tcp } log group 63 prefix "in-$TAG "
	}
}
EOF2
cat >"$T/nflogd.conf" <<EOF2
outputs = (
	$(conf_file_output full "$T/full.json" json),
	$(conf_file_output lean "$T/lean.json" json 'payload = false; null_keys = false;'),
	$(conf_file_output ecs "$T/ecs.json" json 'schema = "ecs"; payload = false;')
);
groups = ( { group = 63; outputs = ("full", "lean", "ecs"); qthresh = 1; flags = ("seq"); } );
EOF2
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }

send_udp 127.0.0.1 7501
send_udp ::1 7502
send_tcp 127.0.0.1 22
nsx ping -c 1 -W 1 127.0.0.1 >/dev/null
nsx ping -6 -c 1 -W 1 ::1 >/dev/null
wait_lines "$T/ecs.json" 10 5
daemon_stop
check_eq "daemon exits 0" "$?" 0

n=$(wc -l <"$T/full.json")
check "records written ($n)" test "$n" -ge 10
check_eq "every output has every record" "$(wc -l <"$T/lean.json") $(wc -l <"$T/ecs.json")" "$n $n"
check_eq "all three files are JSON Lines (jq reads them)" \
	"$(cat "$T/full.json" "$T/lean.json" "$T/ecs.json" | jq -c . | wc -l)" $((3 * n))

# --- the defaults keep payload and nulls; the lean output drops exactly those
check_eq "default: every record has payload" \
	"$(jq -s 'map(has("payload") and .payload != null) | all' "$T/full.json")" true
check_eq "default: absent values are null (seq_global, no flag)" \
	"$(jq -s 'map(has("seq_global") and .seq_global == null) | all' "$T/full.json")" true
check_eq "lean: no payload key" "$(jq -s 'map(has("payload")) | any' "$T/lean.json")" false
check_eq "lean: no null anywhere" "$(jq -s '[.. | select(. == null)] | length' "$T/lean.json")" 0
check_eq "lean record = default record without payload and nulls, for every record" \
	"$(jq -n --slurpfile a "$T/full.json" --slurpfile b "$T/lean.json" \
		'[range($a | length) as $i | ($a[$i] | del(.payload) | with_entries(select(.value != null))) == $b[$i]] | all')" true

# --- ECS: the same values under ECS names
pair() {  # jq expression over $f (a default record) and $e (its ECS record), for every pair
	jq -n --slurpfile a "$T/full.json" --slurpfile b "$T/ecs.json" \
		"[range(\$a | length) as \$i | \$a[\$i] as \$f | \$b[\$i] as \$e | $1] | all"
}
check_eq "ECS: @timestamp, event.sequence, rule.name are timestamp, seq, prefix" \
	"$(pair '$e."@timestamp" == $f.timestamp and $e.event.sequence == $f.seq and $e.rule.name == $f.prefix')" true
check_eq "ECS: source/destination ip and port are src/dst, spt/dpt" \
	"$(pair '$e.source.ip == $f.src and $e.destination.ip == $f.dst and $e.source.port == $f.spt and $e.destination.port == $f.dpt')" true
check_eq "ECS: interfaces under observer (names; ids as strings)" \
	"$(pair '$e.observer.ingress.interface.name == $f.indev and $e.observer.egress.interface.name == $f.outdev and ($e.observer.egress.interface.id // null) == ($f.outdev_index | if . then tostring else null end)')" true
check_eq "ECS: what ECS does not name is under nflog, unchanged" \
	"$(pair '$e.nflog.ttl == $f.ttl and $e.nflog.hook == $f.hook and $e.nflog.group == $f.group and $e.nflog.tcp_flags == $f.tcp_flags')" true
check_eq "ECS: network.transport of UDP, TCP, ICMP, ICMPv6" \
	"$(jq -r '.network.transport' "$T/ecs.json" | sort -u | tr '\n' ' ')" "icmp ipv6-icmp tcp udp "
check_eq "ECS: network.iana_number is a string" \
	"$(jq -s 'map(.network.iana_number | type == "string") | all' "$T/ecs.json")" true
check_eq "ECS: an input packet names observer.ingress.interface" \
	"$(jq -r "select(.rule.name == \"in-$TAG \") | .observer.ingress.interface.name" "$T/ecs.json" | sort -u)" lo
check_eq "ECS: no nulls, no payload" \
	"$(jq -s '[.. | select(. == null)] + map(select(.nflog | has("payload"))) | length' "$T/ecs.json")" 0
check_eq "ECS: constants" \
	"$(jq -s 'map(.ecs.version == "8.17.0" and .event.kind == "event" and .event.category == ["network"]) | all' "$T/ecs.json")" true
check_eq "doc/ecs.md's jq query runs as written" \
	"$(jq -r 'select(.destination.port == 22) | .source.ip' "$T/ecs.json" | sort -u)" 127.0.0.1

# --- every member of every ECS record is documented in doc/ecs.md with its type
sed -n 's/^| `\([^`]*\)` | \([a-z]*\)[^|]*|.*/\1 \2/p' "$NFLOGD_SRC/doc/ecs.md" >"$T/doc.types"
check "doc/ecs.md lists its fields" test "$(wc -l <"$T/doc.types")" -gt 50
jq -r 'paths(scalars) as $p | [($p | map(select(type == "string")) | join(".")), (getpath($p) | type)] | join(" ")' \
	"$T/ecs.json" | sort -u >"$T/ecs.types"
bad=$(awk 'NR == FNR { doc[$1] = $2; next }
	{ want = doc[$1]; ok = ($2 == "string" && (want == "keyword" || want == "ip" || want == "date")) ||
		($2 == "number" && want == "long") || ($2 == "boolean" && want == "boolean")
	  if (!ok) print $1 " is a " $2 ", doc/ecs.md: " (want == "" ? "(not documented)" : want) }' \
	"$T/doc.types" "$T/ecs.types")
echo "$bad" | grep . | sed 's/^/#   /'
check_eq "every ECS member is documented with its type ($(wc -l <"$T/ecs.types") name/type pairs)" "$bad" ""
e2e_finish
