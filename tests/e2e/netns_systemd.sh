#!/bin/bash
# Groups in other network namespaces under a real systemd (lib_nspawn.sh),
# with the installed unit and the installed drop-in nflogd-netns.conf:
#  - without the drop-in, the unit cannot enter a namespace: the start
#    fails and the journal says why and names the drop-in;
#  - with it, nflogd (a dynamic user with CAP_NET_ADMIN and CAP_SYS_ADMIN
#    only) reads group 1 in namespace A made inside the container with
#    `ip netns add` after the service started, records carry netns = "A";
#  - a group whose namespace does not exist yet: STATUS= says it waits, the
#    start is not held up, and the group is bound when `ip netns add` makes it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_nspawn.sh"
nspawn_init netnssd
P="nsd$$"

nspawn_install || { not_ok "meson install --destdir"; e2e_finish; }
check "the drop-in is installed beside the docs" test -f "$L/share/doc/nflogd/nflogd-netns.conf"
CONF=$L/etc/nflogd.conf
cat >"$CONF" <<EOF
daemon: { status_interval = 1; };
outputs = ( { name = "json"; type = "file"; format = "json"; path = "/var/log/nflogd/nflog.json"; } );
groups = (
	{ group = 1; outputs = ("json"); qthresh = 1; },
	{ group = 1; outputs = ("json"); qthresh = 1; netns = "A"; },
	{ group = 1; outputs = ("json"); qthresh = 1; netns = "B"; }
);
EOF
mkdir -p "$T/dropin"
printf '[Unit]\nStartLimitIntervalSec=0\n[Service]\nRestart=no\n' >"$T/dropin/timings.conf"
if ldd "$L/sbin/nflogd" | grep -q libasan; then
	printf '[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n' >"$T/dropin/asan.conf"
fi
nspawn_boot --bind-ro="$L:/usr/local" --bind="$T/dropin:/etc/systemd/system/nflogd.service.d" ||
	{ not_ok "the container boots"; e2e_finish; }
JSON=$(CROOT)/var/log/nflogd/nflog.json
unit() { C systemctl show -P "$1" nflogd.service; }
status_has() { unit StatusText | grep -q -- "$1"; }
nsin() { local n=$1; shift; C ip netns exec "$n" "$@"; }
rules() { # rules NAMESPACE: `log group 1` for UDP to port 5561 in it
	nsin "$1" nft -f - <<EOF
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 5561 log group 1 prefix "$P-$1 "
	}
}
EOF
}
send() { nsin "$1" bash -c "for i in \$(seq $2); do echo x > /dev/udp/127.0.0.1/5561; done"; }
count() { local n; n=$(grep -c "\"netns\":\"$1\",.*\"prefix\":\"$P-$1 \"" "$JSON" 2>/dev/null); echo "${n:-0}"; }
C ip netns add A && C ip -n A link set lo up && rules A || not_ok "namespace A in the container"

# ---- 1. the shipped unit alone: no CAP_SYS_ADMIN, no entering
C systemctl start nflogd.service 2>/dev/null
check "without the drop-in, a group in a namespace cannot be bound: the start fails" \
	test "$(C systemctl is-active nflogd.service)" != active
C journalctl -q -u nflogd.service -o cat >"$T/journal1.txt"
check "... and the journal says why, naming the drop-in" \
	grep -q "group 1 in netns A: cannot enter network namespace /run/netns/A: Operation not permitted (entering a namespace needs CAP_SYS_ADMIN: under systemd, the drop-in nflogd-netns.conf gives it)" "$T/journal1.txt"
grep "netns" "$T/journal1.txt" | sed 's/^/#   /'

# ---- 2. with the drop-in
cp "$L/share/doc/nflogd/nflogd-netns.conf" "$T/dropin/netns.conf"
C systemctl daemon-reload
C systemctl reset-failed nflogd.service
C systemctl start nflogd.service; rc=$?
check_eq "with the drop-in, systemctl start succeeds although namespace B does not exist" "$rc" 0
pid=$(unit MainPID)
st=$(C cat "/proc/$pid/status")
check "a dynamic user with CAP_NET_ADMIN and CAP_SYS_ADMIN only" \
	grep -q "^CapEff:[[:space:]]*0000000000201000$" <<<"$st"
wait_for 3 status_has "waiting"
check "STATUS= says a group waits for its namespace" \
	status_has "^3 groups (1 waiting for their network namespace):.* g1@A 0/0/0 g1@B waiting"
echo "#   StatusText: $(unit StatusText | cut -c1-200)"
send A 3
wait_for 5 eval '[ "$(count A)" -ge 3 ]'
check_eq "records of group 1 in namespace A, with netns \"A\"" "$(count A)" 3
C ip netns add B && C ip -n B link set lo up && rules B || not_ok "namespace B in the container"
wait_for 5 eval '! status_has waiting'
check "namespace B appears: bound, STATUS= no longer waits" status_has "^3 groups:.* g1@B 0/0/0"
send B 2
wait_for 5 eval '[ "$(count B)" -ge 2 ]'
check_eq "records of group 1 in namespace B" "$(count B)" 2
C ip netns del B
wait_for 5 status_has "waiting"
check "namespace B deleted: the group waits again, STATUS= says so" status_has "g1@B waiting"
C systemctl stop nflogd.service
check_eq "systemctl stop: the daemon exited 0" "$(unit ExecMainStatus)" 0
C journalctl -q -u nflogd.service -o cat >"$T/journal2.txt"
check "the journal tells of B appearing and going" \
	grep -q "group 1 in netns B: network namespace /run/netns/B is gone" "$T/journal2.txt"

nspawn_poweroff
check "the container powers off" test $? = 0
e2e_finish
