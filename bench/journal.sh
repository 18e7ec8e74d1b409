#!/bin/bash
# bench/journal.sh - nflogd's own CPU per journal record, at a fixed rate
# that journald keeps up with, for one build or two side by side.
#
#   sudo bench/journal.sh -B BUILD [-O OTHER_BUILD] [-n COUNT] [-r RATE] [-k ROUNDS] [-q QLEN]
#
#   -B  a built tree (its src/nflogd and bench/loadgen are used)
#   -O  another built tree (e.g. before a change; may be repeated): the
#       builds run in turn, ROUNDS times each, so that a busy machine
#       weighs on all alike
#   -n  datagrams per trial (default 100000)
#   -r  datagrams per second (default 10000: journald keeps up, nothing is
#       dropped, so CPU per record is the cost of a record, not of a drop)
#   -k  rounds (default 3)
#   -q  net.unix.max_dgram_qlen in the namespace (default 512, as systemd
#       sets it in sysctl.d/50-default.conf; a new namespace has 10)
#
# Each trial: a fresh private systemd-journald and nflogd in a mount+PID
# namespace inside a network namespace of the script's own (NFLOG on its
# loopback); loadgen sends COUNT datagrams at RATE; when nflogd and
# journald are idle, their CPU (utime+stime) over the trial / records in
# the journal. Prints one line per trial and a median per build.
# PERF_OUT=FILE: `perf record -g` nflogd during the load (the last trial's);
# STRACE_OUT=FILE: `strace -c` of it instead; NFLOGD_WRAP="valgrind
# --tool=callgrind --callgrind-out-file=FILE": nflogd run under it (its
# instruction counts; the CPU figures mean nothing then).
# Root only; nothing of the host is touched; a trap removes the namespace
# and the temp dir.
set -uo pipefail

COUNT=100000
RATE=10000
ROUNDS=3
QLEN=512
BUILDS=()
while getopts "B:O:n:r:k:q:" opt; do
	case $opt in
	B | O) BUILDS+=("$OPTARG") ;;
	n) COUNT=$OPTARG ;;
	r) RATE=$OPTARG ;;
	k) ROUNDS=$OPTARG ;;
	q) QLEN=$OPTARG ;;
	*) sed -n '2,28p' "$0"; exit 2 ;;
	esac
done
[ ${#BUILDS[@]} -gt 0 ] || { sed -n '2,28p' "$0"; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench/journal.sh: run as root" >&2; exit 1; }
[ -x /lib/systemd/systemd-journald ] || { echo "no systemd-journald" >&2; exit 1; }
for b in "${BUILDS[@]}"; do
	[ -x "$b/src/nflogd" ] && [ -x "$b/bench/loadgen" ] ||
		{ echo "bench/journal.sh: build $b first (ninja -C $b)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/nflogd-bench-journal.XXXXXX)
chmod 755 "$T"
NS="nflogd-bj-$$"
PREFIX="bj$$ "
cleanup() {
	ip netns del "$NS" 2>/dev/null
	[ "${KEEP:-0}" = 1 ] && echo "kept $T" >&2 || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.unix.max_dgram_qlen="$QLEN"
ip netns exec "$NS" nft -f - <<EOF || exit 1
table inet bench {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 9999 counter log group 42 prefix "$PREFIX"
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 9999 drop
	}
}
EOF
cat >"$T/nflogd.conf" <<EOF
daemon: { log_level = "info"; };
outputs = ( { name = "out"; type = "journal"; } );
groups = ( { group = 42; outputs = ("out"); qthresh = 64; timeout = 0.05;
	rcvbuf = "8M"; rcvbuf_max = "8M"; flags = ("seq"); } );
EOF

# The trial, inside: unshare --mount --pid --fork --mount-proc.
# $1 temp dir, $2 nflogd, $3 loadgen, $4 count, $5 rate, $6 prefix
cat >"$T/inner.sh" <<'EOF'
#!/bin/bash
T=$1
mount -t tmpfs -o mode=755 bench-journal-systemd /run/systemd
mount -t tmpfs -o mode=755 bench-journal-log /run/log
[ -e /sys/fs/cgroup/cgroup.procs ] || mount -t cgroup2 bench-cgroup2 /sys/fs/cgroup
mkdir -p /run/systemd/journal /run/systemd/journald.conf.d
printf '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToKMsg=no\nForwardToConsole=no\nForwardToWall=no\nRateLimitIntervalSec=0\nRuntimeMaxUse=4G\nRuntimeMaxFileSize=1G\n' \
	>/run/systemd/journald.conf.d/90-bench.conf
/lib/systemd/systemd-journald >"$T/journald.log" 2>&1 &
J=$!
for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
${NFLOGD_WRAP:-} "$2" -c "$T/nflogd.conf" >"$T/nflogd.log" 2>&1 &
N=$!
for _ in $(seq 200); do grep -q "running with" "$T/nflogd.log" && break; sleep 0.05; done
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
n0=$(ticks $N); j0=$(ticks $J)
[ -n "${PERF_OUT:-}" ] && { perf record -q -g -o "$PERF_OUT" -p $N 2>/dev/null & P=$!; }
[ -n "${STRACE_OUT:-}" ] && { strace -c -f -o "$STRACE_OUT" -p $N 2>/dev/null & P=$!; }
"$3" -c "$4" -r "$5" -p 9999 -b 16 >"$T/loadgen.out"
[ -n "${PERF_OUT:-}${STRACE_OUT:-}" ] && { sleep 0.5; kill -INT $P; wait $P; }
last=; stable=0
for _ in $(seq 600); do
	now="$(ticks $N) $(ticks $J)"
	if [ "$now" = "$last" ]; then stable=$((stable + 1)); [ $stable -ge 5 ] && break
	else stable=0; fi
	last=$now
	sleep 0.1
done
# everything handed over known read (journal output: queued 0), then stop
for _ in $(seq 300); do
	kill -USR2 $N
	sleep 0.1
	grep "output out: written" "$T/nflogd.log" | tail -1 | grep -q "queued 0," && break
done
echo "$(( $(ticks $N) - n0 )) $(( $(ticks $J) - j0 ))" >"$T/ticks"
kill -TERM $N; wait $N
journalctl -q -D /run/log/journal -o cat 2>/dev/null | grep -c "$6" >"$T/written"
kill -TERM $J; wait $J
EOF
chmod 755 "$T/inner.sh"

HZ=$(getconf CLK_TCK)
declare -A RESULTS
echo "bench/journal.sh: $COUNT datagrams at $RATE/s, $ROUNDS rounds, max_dgram_qlen $QLEN; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
	for b in "${BUILDS[@]}"; do
		rm -f "$T/ticks" "$T/written"
		ip netns exec "$NS" unshare --mount --pid --fork --mount-proc --propagation private \
			"$T/inner.sh" "$T" "$b/src/nflogd" "$b/bench/loadgen" "$COUNT" "$RATE" "$PREFIX"
		read -r nt jt <"$T/ticks"
		w=$(cat "$T/written")
		line=$(awk -v n="$nt" -v j="$jt" -v w="$w" -v hz="$HZ" \
			'BEGIN{printf "%.2f %.2f", w ? n / hz / w * 1e6 : 0, w ? j / hz / w * 1e6 : 0}')
		read -r nus jus <<<"$line"
		echo "round $round $b: written $w/$COUNT, nflogd $nus µs/record, journald $jus µs/record"
		RESULTS[$b]="${RESULTS[$b]:-} $nus"
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for b in "${BUILDS[@]}"; do
	# shellcheck disable=SC2086
	echo "median $b: $(printf '%s\n' ${RESULTS[$b]} | sort -n | awk '{a[NR]=$1} END{print a[int((NR + 1) / 2)]}') µs of nflogd CPU per journal record"
done
