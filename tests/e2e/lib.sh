# tests/e2e/lib.sh - the end-to-end harness, sourced by every tests/e2e/*.sh.
#
# Each test gets its own network namespace (traffic only on its loopback),
# its own temp dir and unique prefixes, and a trap that removes them and
# stops whatever it started. Nothing of the host is touched.
#
#   e2e_init NAME            namespace $NS, temp dir $T, cleanup trap
#   on_exit 'CMD'            run CMD when the test exits, before the namespace
#                            and temp dir go (last added runs first). The one
#                            EXIT trap: a helper that set its own would drop
#                            the others' cleanup (a journald left running hung
#                            the final wait)
#   nsx CMD...               run CMD inside the namespace
#   nft_load                 nft rules from stdin into the namespace
#   daemon_start CONF [NAME] start nflogd -c CONF in the namespace, wait until ready
#   daemon_stop [NAME]       SIGTERM, wait; returns its exit code
#   send_udp HOST PORT [N] [UID]   N datagrams (default 1), optionally as user UID
#   send_tcp HOST PORT       one TCP connection attempt (SYN)
#   wait_lines FILE N [SEC]  wait until FILE has at least N lines
#   private_tmpfs DIR SIZE   a tmpfs on DIR in a private mount namespace; inside CMD
#   fill_tmpfs DIR           fill that tmpfs to the last byte (DIR/fill)
#   udp_sink PORT FILE       a UDP peer on 127.0.0.1:PORT in the namespace
#   ok / not_ok / check      TAP-ish results; e2e_finish exits 0, 1, or 77 (skip)
set -u

: "${NFLOGD:?NFLOGD must point at the nflogd binary (meson test sets it)}"
: "${NFLOGD_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${NFLOGD_WRAP:=}"   # e.g. "valgrind --error-exitcode=99" (must exec the daemon)
E2E_FAILED=0
E2E_COUNT=0
declare -A DAEMON_PIDS=()
E2E_ON_EXIT=()

on_exit() { E2E_ON_EXIT=("$1" "${E2E_ON_EXIT[@]}"); }
e2e_exit() {
	local cmd
	for cmd in "${E2E_ON_EXIT[@]}"; do eval "$cmd"; done
	e2e_cleanup
}

e2e_skip() { echo "1..0 # SKIP $*"; exit 77; }

e2e_init() {
	local name=$1
	[ "$(id -u)" = 0 ] || e2e_skip "needs root (network namespaces, NFLOG)"
	command -v nft >/dev/null || e2e_skip "needs nft (apt-get install nftables)"
	NS="nfd-${name}-$$"
	T=$(mktemp -d "/tmp/nflogd-e2e-${name}.XXXXXX")
	chmod 755 "$T"
	TAG="${name}$$"          # unique prefix material for this run
	trap e2e_exit EXIT
	ip netns add "$NS" || { echo "cannot create netns $NS"; exit 1; }
	ip -n "$NS" link set lo up
}

e2e_cleanup() {
	local name
	for name in "${!DAEMON_PIDS[@]}"; do
		kill -KILL "${DAEMON_PIDS[$name]}" 2>/dev/null
	done
	# only the daemons: a helper still running must not hang the exit
	[ ${#DAEMON_PIDS[@]} = 0 ] || wait "${DAEMON_PIDS[@]}" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	if [ "$E2E_FAILED" != 0 ] || [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $T for inspection"
	else
		rm -rf "$T"
	fi
}

nsx() { ip netns exec "$NS" "$@"; }
nft_load() { nsx nft -f -; }

ok() { E2E_COUNT=$((E2E_COUNT + 1)); echo "ok $E2E_COUNT - $*"; }
not_ok() { E2E_COUNT=$((E2E_COUNT + 1)); E2E_FAILED=$((E2E_FAILED + 1)); echo "not ok $E2E_COUNT - $*"; }
# check "description" CMD... : ok if CMD succeeds
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
# check_eq "description" GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; echo "#   got:  '$2'"; echo "#   want: '$3'"; fi
}

e2e_finish() {
	echo "1..$E2E_COUNT"
	[ "$E2E_FAILED" = 0 ] || { echo "# $E2E_FAILED failed"; exit 1; }
	exit 0
}

# daemon_start CONF [NAME]: start the daemon in the namespace; its stderr
# goes to $T/NAME.log. Returns non-zero (and shows the log) if it does not
# get ready (all groups bound) within 10 s.
daemon_start() {
	local conf=$1 name=${2:-nflogd}
	# not through nsx: $! must be the daemon itself, not a subshell
	ip netns exec "$NS" $NFLOGD_WRAP "$NFLOGD" -c "$conf" ${NFLOGD_ARGS:-} >"$T/$name.log" 2>&1 &
	DAEMON_PIDS[$name]=$!
	local i
	for i in $(seq 100); do
		grep -q "running with" "$T/$name.log" && return 0
		kill -0 "${DAEMON_PIDS[$name]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "# daemon $name did not become ready:"; sed 's/^/#   /' "$T/$name.log"
	return 1
}

daemon_pid() { echo "${DAEMON_PIDS[${1:-nflogd}]}"; }

daemon_stop() {
	local name=${1:-nflogd} pid rc
	pid=${DAEMON_PIDS[$name]:-}
	[ -n "$pid" ] || return 1
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"; rc=$?
	unset "DAEMON_PIDS[$name]"
	return $rc
}

send_udp() {
	local host=$1 port=$2 n=${3:-1} uid=${4:-} i
	for i in $(seq "$n"); do
		if [ -n "$uid" ]; then
			nsx setpriv --reuid="$uid" --regid="$uid" --clear-groups \
				bash -c "echo msg$i > /dev/udp/$host/$port" 2>/dev/null
		else
			nsx bash -c "echo msg$i > /dev/udp/$host/$port" 2>/dev/null
		fi
	done
	return 0
}

send_tcp() { nsx timeout 2 bash -c "echo x > /dev/tcp/$1/$2" 2>/dev/null; return 0; }

wait_lines() {
	local file=$1 n=$2 secs=${3:-5} i
	for i in $(seq $((secs * 20))); do
		[ -f "$file" ] && [ "$(wc -l <"$file")" -ge "$n" ] && return 0
		sleep 0.05
	done
	return 1
}

# conf_file_output NAME PATH FORMAT [extra keys]: one output entry
conf_file_output() {
	printf '{ name = "%s"; type = "file"; path = "%s"; format = "%s"; %s }' "$1" "$2" "$3" "${4:-}"
}

# json_get FILE PREFIX KEY [INDEX]: KEY of the INDEX-th (default 0) JSON
# record whose prefix is PREFIX, as JSON text ("missing" if no such
# key, "norecord" if no such record).
json_get() {
	python3 - "$@" <<'PY'
import json, sys
path, prefix, key = sys.argv[1:4]
index = int(sys.argv[4]) if len(sys.argv) > 4 else 0
recs = []
with open(path, encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        if r.get("prefix") == prefix:
            recs.append(r)
if len(recs) <= index:
    print("norecord")
elif key not in recs[index]:
    print("missing")
else:
    print(json.dumps(recs[index][key]))
PY
}

# json_count FILE PREFIX: number of JSON records with that prefix
json_count() {
	python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l).get("prefix")==sys.argv[2]))' "$1" "$2"
}

# kernel_log_on: make the kernel's own LOG target print lines from network
# namespaces (to compare with dmesg). The switch is global and tests that
# need it run side by side: each registers in $KLOG_USERS under a lock; the
# first one in saves the old value and turns it on, the last one out puts
# it back (a user whose process is gone no longer counts). Skips without it.
KLOG_USERS=/run/nflogd-e2e-kernel-log
kernel_log_on() {
	command -v dmesg >/dev/null || e2e_skip "needs dmesg"
	command -v flock >/dev/null || e2e_skip "needs flock (util-linux)"
	sysctl -n net.netfilter.nf_log_all_netns >/dev/null 2>&1 ||
		e2e_skip "no net.netfilter.nf_log_all_netns"
	(
		flock 9
		mkdir -p "$KLOG_USERS"
		klog_forget_gone
		if [ -z "$(klog_users)" ]; then
			# "old" is kept from a run that died before putting it back
			[ -e "$KLOG_USERS/old" ] ||
				sysctl -n net.netfilter.nf_log_all_netns >"$KLOG_USERS/old"
			sysctl -qw net.netfilter.nf_log_all_netns=1 || exit 1
		fi
		touch "$KLOG_USERS/$$"
	) 9>"$KLOG_USERS.lock" || e2e_skip "cannot set nf_log_all_netns"
	on_exit kernel_log_off
	dmesg >/dev/null 2>&1 || e2e_skip "cannot read the kernel log"
}

kernel_log_off() {
	(
		flock 9
		rm -f "$KLOG_USERS/$$"
		klog_forget_gone
		if [ -z "$(klog_users)" ]; then
			sysctl -qw net.netfilter.nf_log_all_netns="$(cat "$KLOG_USERS/old")"
			rm -rf "$KLOG_USERS"
		fi
	) 9>"$KLOG_USERS.lock"
}

klog_users() { ls "$KLOG_USERS" | grep -v '^old$'; }

# under the lock: drop the users whose test process is gone
klog_forget_gone() {
	local f
	for f in "$KLOG_USERS"/[0-9]*; do
		[ -e "$f" ] && ! kill -0 "${f##*/}" 2>/dev/null && rm -f "$f"
	done
	return 0
}

# private_tmpfs DIR SIZE: a tmpfs of SIZE (e.g. 16m) on DIR, mounted in a
# mount namespace of its own (never on the host's paths) that a process,
# $TMPFS_HOLDER, keeps until the test ends (trap). The daemon and every
# look at DIR enter it: `inside CMD`, NFLOGD_WRAP="nsenter -t
# $TMPFS_HOLDER -m". Returns non-zero when it could not be mounted.
private_tmpfs() {
	local dir=$1 size=$2 i
	mkdir -p "$dir"
	ip netns exec "$NS" unshare -m --propagation private \
		sh -c 'mount -t tmpfs -o size="$2" nflogd-e2e "$1" && exec sleep 600' sh "$dir" "$size" &
	TMPFS_HOLDER=$!
	on_exit 'kill "$TMPFS_HOLDER" 2>/dev/null'
	for i in $(seq 50); do
		inside findmnt -n "$dir" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
inside() { nsenter -t "$TMPFS_HOLDER" -m "$@"; }
# fill_tmpfs DIR: fill the tmpfs of private_tmpfs to the last byte (with
# DIR/fill, to be cut or removed to make room again) and check it is full
fill_tmpfs() {
	inside dd if=/dev/zero of="$1/fill" bs=64k >/dev/null 2>&1 # until ENOSPC
	check_eq "tmpfs full" "$(inside df --output=avail -k "$1" | tail -1 | tr -d ' ')" 0
}

# udp_sink PORT FILE: a UDP socket on 127.0.0.1:PORT in the namespace that
# appends each datagram to FILE as a line (a remote syslog server); returns
# once it is bound; the cleanup stops it.
udp_sink() {
	# not through nsx: $! must be python itself
	ip netns exec "$NS" python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
out = open(sys.argv[2], "ab", buffering=0)
while True:
    out.write(s.recv(65536) + b"\n")' "$1" "$2" &
	DAEMON_PIDS[udp$1]=$!
	local i
	for i in $(seq 100); do
		ip netns exec "$NS" ss -lunH "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	return 1
}
