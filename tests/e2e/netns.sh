#!/bin/bash
# Groups in other network namespaces: three "containers" (namespaces under
# /run/netns, each joined to the test's "host" namespace by a veth pair
# whose ends have other names in each) log to their own group 1; one nflogd
# in the host reads all three and the host's own group 1.
#  - the third container does not exist when nflogd starts: the group waits
#    and is bound when it appears (inotify on /run/netns);
#  - records carry their namespace (the netns key) and the interface names
#    of that namespace (interface indexes collide across namespaces);
#  - a container deleted and created again under traffic: unbound, then
#    bound in the new namespace; every record of the others is there;
#  - a reload adds a group in one container and removes another's: nothing
#    is lost on the groups that stay.
. "$(dirname "$0")/lib.sh"
e2e_init netns

C=("" "nfd-c1-$$" "nfd-c2-$$" "nfd-c3-$$")
on_exit 'for c in "${C[@]:1}"; do ip netns del "$c" 2>/dev/null; done'

# container I: netns C[I], veth vhI (host) <-> cIeth (container), 10.77.I.0/24,
# its own rule logging to its own group 1 (and group 2 for port 7952)
container() { ip netns add "${C[$1]}" && links "$1"; }
links() {
	local i=$1 c=${C[$1]}
	ip -n "$c" link set lo up &&
		ip -n "$NS" link add "vh$i" type veth peer name "c${i}eth" netns "$c" &&
		ip -n "$NS" addr add "10.77.$i.1/24" dev "vh$i" && ip -n "$NS" link set "vh$i" up &&
		ip -n "$c" addr add "10.77.$i.2/24" dev "c${i}eth" && ip -n "$c" link set "c${i}eth" up &&
		ip netns exec "$c" nft -f - <<EOF
table inet t {
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 7951 log group 1 prefix "c$i-$TAG "
		udp dport 7952 log group 2 prefix "c$i-$TAG "
	}
}
EOF
}
nft_load <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7951 log group 1 prefix "host-$TAG "
	}
}
EOF
container 1 && container 2 || { not_ok "containers 1 and 2"; e2e_finish; }

group() { echo "{ group = $1; outputs = (\"all\"); qthresh = 8; timeout = 0.02; ${2:+netns = \"$2\";} }"; }
cat >"$T/nflogd.conf" <<EOF
outputs = ( $(conf_file_output all "$T/all.json" json) );
groups = ( $(group 1), $(group 1 "${C[1]}"), $(group 1 "${C[2]}"), $(group 1 "${C[3]}") );
EOF
check "--check-config: a missing namespace is a warning with FILE:LINE, the config valid" \
	bash -c "'$NFLOGD' --check-config -c '$T/nflogd.conf' 2>&1 | grep -q '^$T/nflogd.conf:2: warning: network namespace \"/run/netns/${C[3]}\": does not exist (yet)'"
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
pid=$(daemon_pid)
check "a missing namespace does not hold up the start: the group waits" \
	grep -q "group 1 in netns ${C[3]}: network namespace /run/netns/${C[3]} does not exist: waiting for it" "$T/nflogd.log"
# wait_log PATTERN [N]: until the log has N (default 1) lines matching PATTERN
wait_log() {
	local i
	for i in $(seq 50); do
		[ "$(grep -c "$1" "$T/nflogd.log")" -ge "${2:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}
container 3 || not_ok "container 3"
check "the namespace appears: the group is bound" wait_log "group 1 in netns ${C[3]} bound"

# send SECONDS RATE DEST...: datagrams to each DEST (ADDR:PORT) in turn, RATE
# rounds a second; prints how many went out to each (sendto errors while a
# container's veth is gone are not counted: those packets were never sent)
send() {
	nsx python3 - "$@" <<'PY'
import json, socket, sys, time
secs, rate, dests = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = {d: 0 for d in dests}
end, n = time.monotonic() + secs, 0
while time.monotonic() < end:
    for d in dests:
        host, port = d.split(":")
        try:
            s.sendto(b"x%d" % n, (host, int(port)))
            sent[d] += 1
        except OSError:
            pass
    n += 1
    time.sleep(1 / rate)
print(json.dumps(sent))
PY
}
sent_to() { python3 -c 'import json,sys; print(sum(json.loads(l).get(sys.argv[1], 0) for l in open(sys.argv[2])))' "$1" "$T/sent.txt"; }
D1=10.77.1.2:7951 D2=10.77.2.2:7951 D3=10.77.3.2:7951

# ---- 1. every namespace, names resolved in each
send 0.5 40 $D1 $D2 $D3 >>"$T/sent.txt"
sleep 0.3

# ---- 2. container 2 deleted and created anew while traffic flows to the
# others (its own records: a burst before, a burst after; a namespace is
# freed in the background, so what is sent to it meanwhile may never log)
send 3 100 $D1 $D3 >>"$T/sent.txt" &
sender=$!
send 0.5 100 $D2 >>"$T/sent.txt"
sleep 0.2
ip netns del "${C[2]}"
check "the namespace goes: its group is unbound" \
	wait_log "group 1 in netns ${C[2]}: network namespace /run/netns/${C[2]} is gone"
ip netns add "${C[2]}"
check "it comes back: its group is bound in the new namespace" \
	wait_log "group 1 in netns ${C[2]} bound" 2
# the old namespace is torn down by the kernel in the background, and its
# veth pair with it: until then our end (vh2) still exists and a new one
# of that name cannot be made
for _ in $(seq 100); do
	ip -n "$NS" link show vh2 >/dev/null 2>&1 || break
	sleep 0.1
done
links 2 || not_ok "container 2's links again"
send 0.5 100 $D2 >>"$T/sent.txt"
wait "$sender"

# ---- 3. a reload under traffic: group 2 in container 1 added, container 3's group removed
send 2.5 100 $D1 >>"$T/sent.txt" &
sender=$!
sleep 1
cat >"$T/nflogd.conf" <<EOF
outputs = ( $(conf_file_output all "$T/all.json" json) );
groups = ( $(group 1), $(group 1 "/run/netns/${C[1]}"), $(group 1 "${C[2]}"), $(group 2 "${C[1]}") );
EOF
kill -HUP "$pid"
check "reload: 3 groups kept (the namespace by name or by path), 1 bound, 1 unbound" \
	wait_log "reload of .* applied: groups 3 kept, 1 bound, 1 unbound"
send 0.5 100 10.77.1.2:7952 >>"$T/sent.txt"
wait "$sender"
sleep 0.3
kill -USR2 "$pid"
daemon_stop
check_eq "exit 0" "$?" 0

python3 - "$T/all.json" "$TAG" "${C[@]:1}" >"$T/counts.txt" <<'PY'
import json, sys
path, tag, names = sys.argv[1], sys.argv[2], sys.argv[3:]
recs = [json.loads(l) for l in open(path)]
def key(r):
    return (r.get("netns", "host"), r["group"])
count, badname, seqs = {}, 0, {}
for r in recs:
    if r.get("event") == "loss":
        print("loss", json.dumps(r))
        continue
    k = key(r)
    count[k] = count.get(k, 0) + 1
    seqs.setdefault(k, []).append(r["seq"])
    ns = r.get("netns")
    if ns is None:
        want_out = "vh" + r["dst"].split(".")[2]
        badname += r.get("outdev") != want_out or r["prefix"] != f"host-{tag} "
    else:
        i = next(n for n, name in enumerate(names, 1) if ns in (name, "/run/netns/" + name))
        badname += r.get("indev") != f"c{i}eth" or r["prefix"] != f"c{i}-{tag} "
for k in sorted(count):
    s = seqs[k]
    print(f"{k[0]}/{k[1]} records={count[k]} contiguous={s == list(range(s[0], s[0] + len(s)))}")
print(f"badnames={badname}")
PY
sed 's/^/# /' "$T/counts.txt"
get() { sed -n "s|^$1 records=\([0-9]*\) .*|\1|p" "$T/counts.txt"; }
contiguous() { grep -q "^$1 records=[0-9]* contiguous=True" "$T/counts.txt"; }
check_eq "every record names its namespace and that namespace's interface" \
	"$(grep -c badnames=0 "$T/counts.txt")" 1
check "no loss record" bash -c "! grep -q ^loss '$T/counts.txt'"
host_sent=$(($(sent_to $D1) + $(sent_to $D2) + $(sent_to $D3)))
check_eq "host: every datagram sent" "$(get host/1)" "$host_sent"
check "host: sequence numbers without a gap" contiguous host/1
c1=$(($(get "${C[1]}/1") + $(get "/run/netns/${C[1]}/1")))
check_eq "container 1: every datagram (before and after the reload renamed it)" "$c1" "$(sent_to $D1)"
check "container 1: sequence numbers without a gap across the reload" \
	bash -c "python3 -c 'import json,sys; s=[json.loads(l)[\"seq\"] for l in open(sys.argv[1]) if json.loads(l).get(\"netns\",\"\").endswith(sys.argv[2]) and json.loads(l)[\"group\"]==1]; sys.exit(s != list(range(len(s))))' '$T/all.json' '${C[1]}'"
check_eq "container 1, group 2 (added by the reload): every datagram" "$(get "${C[1]}/2")" "$(sent_to 10.77.1.2:7952)"
check_eq "container 2, deleted and created anew: every datagram of both bursts" "$(get "${C[2]}/1")" "$(sent_to $D2)"
check_eq "container 3: every datagram until its group was removed" "$(get "${C[3]}/1")" "$(sent_to $D3)"
check "container 3: sequence numbers without a gap" contiguous "${C[3]}/1"
check "the counters say so: container 2's group over both namespaces" \
	grep -q "group 1 in netns ${C[2]}: received $(sent_to $D2), lost 0" "$T/nflogd.log"
e2e_finish
