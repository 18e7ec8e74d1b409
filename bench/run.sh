#!/bin/bash
# bench/run.sh - nflogd side by side with ulogd2 and a reader that only
# counts, on the same load, in one run. See bench/README.md.
#
#   bench/run.sh [-n COUNT] [-B BUILD_DIR] [-o RESULT_FILE] [-r READERS] [-p PEERS]
#                [-m MODES] [-c CHART.png] [-d DATA.tsv] [-u PYTHON_NFLOGR_SRC]
#
#   -m  what to measure, comma-separated (default: table,drain):
#       table         the side-by-side table (full speed, zero-loss rate, fixed rates)
#       drain         drain rate: reader stopped, its 64 MiB socket buffer
#                     filled, continued; records/s until all are written
#       instructions  userspace instructions per record (valgrind
#                     --tool=callgrind: Ir with IC_COUNT packets minus Ir with
#                     none, divided by IC_COUNT), for count, nflogd-json,
#                     nflogd-text (log_flags all)
#   -c  draw the chart (bench/chart.py, python3-matplotlib) into this PNG
#   -d  keep the per-trial results (the chart's input, bench/chart.py's format)
#   -n  datagrams per trial (default 200000; 1000000 for the full table)
#   -B  a built nflogd tree (default: a release build made in a temp dir)
#   -o  also write the table to this file
#   -r  readers to run, comma-separated (default: all):
#       count,nflogd-json,nflogd-text,nflogd-journal,nflogd-rsyslog,nflogd-rsyslog-tls,ulogd2-json,ulogd2-logemu,
#       nflogd-pcap,ulogd2-pcap,py-nflogr,py-upstream
#       (py-nflogr: bench/python_reader.py with this tree's module,
#       BUILD/python; py-upstream: the same program with nflogr 0.2.3)
#   -u  a python-nflogr source tree for py-upstream, built in the temp dir
#       by bench/python_upstream.sh (default: cloned from GitHub; if that
#       fails, py-upstream is skipped with a note)
#   -p  peer baselines (no nflogd: what journald / rsyslogd take from a
#       plain sender), comma-separated, "none" for none (default: all):
#       journal-sendv,journal-stream,rsyslog-tcp
#
# Environment: RCVBUF / RCVBUF_MAX (socket buffer for every reader, default
# 8M / 8M: the zero-loss rate then measures throughput, not buffer size),
# QTHRESH (64), QTIMEOUT_CS (5), NLBUF (65536), SEARCH_STEPS (5),
# FIXED_RATES ("100000 200000 2max": the same rates for everyone; max =
# one sender unpaced, 2max = two unpaced senders at once); drain:
# DRAIN_RCVBUF (64M), DRAIN_READERS (count,nflogd-json,nflogd-text),
# DRAIN_FILL (90: percent of what the buffer holds, probed with count),
# DRAIN_RUNS (5: the fastest is shown);
# instructions: IC_COUNT (20000), IC_RATE (10000/s), IC_READERS
# (count,nflogd-json,nflogd-text); INPUT_READERS (py-nflogr,py-upstream:
# the readers whose load is logged in INPUT, not OUTPUT; nflogr 0.2.3
# crashes on a record without a timestamp, which OUTPUT records are);
# PY_NLBUF (0: the kernel's default batch of one page, for both Python
# readers: nflogr 0.2.3 reads 16 KiB at a time); PYTHON (/usr/bin/python3,
# the Python meson builds the module for).
#
# Everything runs in a network namespace of its own (traffic on its
# loopback only) and a temp dir, removed by a trap. The host's rules and
# services are not touched; ulogd2 is installed if missing (its service is
# not started) and run by hand with its own config. Root only.
set -uo pipefail

COUNT=200000
BUILD=
RESULT=
READERS=count,nflogd-json,nflogd-text,nflogd-journal,nflogd-rsyslog,nflogd-rsyslog-tls,ulogd2-json,ulogd2-logemu,nflogd-pcap,ulogd2-pcap,py-nflogr,py-upstream
PEERS=journal-sendv,journal-stream,rsyslog-tcp
MODES=table,drain
CHART=
DATA=
UPSTREAM=
while getopts "n:B:o:r:p:m:c:d:u:" opt; do
	case $opt in
	n) COUNT=$OPTARG ;;
	B) BUILD=$OPTARG ;;
	o) RESULT=$OPTARG ;;
	r) READERS=$OPTARG ;;
	p) PEERS=$OPTARG ;;
	m) MODES=$OPTARG ;;
	c) CHART=$OPTARG ;;
	d) DATA=$OPTARG ;;
	u) UPSTREAM=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d'; exit 2 ;;
	esac
done
RCVBUF=${RCVBUF:-8M}
RCVBUF_MAX=${RCVBUF_MAX:-$RCVBUF}
QTHRESH=${QTHRESH:-64}
QTIMEOUT_CS=${QTIMEOUT_CS:-5}
NLBUF=${NLBUF:-65536}
SEARCH_STEPS=${SEARCH_STEPS:-5}
FIXED_RATES=${FIXED_RATES:-100000 200000 2max}
DRAIN_RCVBUF=${DRAIN_RCVBUF:-64M}
DRAIN_READERS=${DRAIN_READERS:-count,nflogd-json,nflogd-text}
DRAIN_FILL=${DRAIN_FILL:-90}
DRAIN_RUNS=${DRAIN_RUNS:-5}
IC_COUNT=${IC_COUNT:-20000}
IC_RATE=${IC_RATE:-10000}
IC_READERS=${IC_READERS:-count,nflogd-json,nflogd-text}
INPUT_READERS=${INPUT_READERS:-py-nflogr,py-upstream}
PY_NLBUF=${PY_NLBUF:-0}
PYTHON=${PYTHON:-/usr/bin/python3}
GROUP=42
PORT=9999      # the load, logged in OUTPUT
PORT_IN=9997   # the load of INPUT_READERS, logged in INPUT
END_PORT=9998  # "end" records (logged in INPUT): a Python reader stops at the first
RS_PORT=6514   # rsyslogd's imtcp, on the namespace's loopback
RS_TLS_PORT=6515   # the same over TLS (gtls driver, certificates made here)
PREFIX="bench$$ "

[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run as root (network namespace, NFLOG)" >&2; exit 1; }
SRC=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/nflogd-bench.XXXXXX)
chmod 755 "$T"
NS="nflogd-bench-$$"
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	[ "${KEEP:-0}" = 1 ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" >&2; }

bytes() {  # 8M -> 8388608
	local v=$1
	case $v in
	*K|*k) echo $(( ${v%?} * 1024 )) ;;
	*M|*m) echo $(( ${v%?} * 1024 * 1024 )) ;;
	*) echo "$v" ;;
	esac
}

# ---- build and tools ----
if [ -z "$BUILD" ]; then
	BUILD=$T/build
	say "building nflogd (release) in $BUILD"
	meson setup "$BUILD" "$SRC" --buildtype=release >/dev/null && ninja -C "$BUILD" >/dev/null ||
		{ say "build failed"; exit 1; }
fi
NFLOGD=$BUILD/src/nflogd
LOADGEN=$BUILD/bench/loadgen
COUNTREADER=$BUILD/bench/countreader
PEERSEND=$BUILD/bench/peersend
DRAINWAIT=$BUILD/bench/drainwait
for f in "$NFLOGD" "$LOADGEN" "$COUNTREADER" "$PEERSEND" "$DRAINWAIT"; do
	[ -x "$f" ] || { say "missing $f (build the tree: ninja -C $BUILD)"; exit 1; }
done

want_reader() { [[ ",$READERS," == *",$1,"* ]]; }
want_peer() { [[ ",$PEERS," == *",$1,"* ]]; }
want_mode() { [[ ",$MODES," == *",$1,"* ]]; }
want_mode table || { READERS=; PEERS=none; }
if want_mode instructions && ! command -v valgrind >/dev/null; then
	say "instructions: valgrind is missing (apt-get install valgrind)"; exit 1
fi

if (want_reader ulogd2-json || want_reader ulogd2-logemu || want_reader ulogd2-pcap) && ! command -v ulogd >/dev/null; then
	say "installing ulogd2 ulogd2-json (its service is not started)"
	# policy-rc.d 101 keeps invoke-rc.d from starting the service
	made_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		ulogd2 ulogd2-json >"$T/apt.log" 2>&1 || { cat "$T/apt.log" >&2; }
	[ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
ULOGD_PCAP=$(ls /usr/lib/*/ulogd/ulogd_output_PCAP.so 2>/dev/null | head -1)
if want_reader ulogd2-pcap && [ -z "$ULOGD_PCAP" ]; then
	say "installing ulogd2-pcap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		ulogd2-pcap >"$T/apt.log" 2>&1 || { cat "$T/apt.log" >&2; }
	ULOGD_PCAP=$(ls /usr/lib/*/ulogd/ulogd_output_PCAP.so 2>/dev/null | head -1)
fi

# the Python readers: this tree's module, and nflogr 0.2.3 built here once
PY_OURS=
if want_reader py-nflogr; then
	if compgen -G "$BUILD/python/nflogr.*.so" >/dev/null; then PY_OURS=$BUILD/python
	else say "py-nflogr: no module in $BUILD/python (needs python3-dev when meson sets up)"; fi
fi
PY_UPSTREAM=
if want_reader py-upstream; then
	say "building nflogr 0.2.3 (py-upstream) from ${UPSTREAM:-GitHub} in $T/upstream"
	if "$SRC/bench/python_upstream.sh" ${UPSTREAM:+-s "$UPSTREAM"} -p "$PYTHON" "$T/upstream" 2>"$T/upstream.err"; then
		PY_UPSTREAM=$T/upstream
	else
		say "py-upstream: not built: $(tail -1 "$T/upstream.err") (give a python-nflogr source tree with -u DIR)"
	fi
fi
ULOGD_PLUGINS=$(dirname "$(ls /usr/lib/*/ulogd/ulogd_inppkt_NFLOG.so 2>/dev/null | head -1)" 2>/dev/null)

# nflogd -> journald only when this nflogd has a journal output
JOURNAL_OK=0
if want_reader nflogd-journal && [ -x /lib/systemd/systemd-journald ]; then
	printf 'outputs = ({ name = "j"; type = "journal"; });\ngroups = ({ group = 1; outputs = ("j"); });\n' \
		>"$T/jcheck.conf"
	"$NFLOGD" --check-config -c "$T/jcheck.conf" >/dev/null 2>&1 && JOURNAL_OK=1
fi

# ---- the namespace and the load ----
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
# (background processes: ip netns exec directly, so that $! is the process)
nsx() { ip netns exec "$NS" "$@"; }
# Logged in OUTPUT (in the sender's own context, so every datagram sent is
# one NFLOG message: nothing is lost before the log), dropped in INPUT.
# INPUT_READERS get theirs on PORT_IN, logged in INPUT (loopback delivers
# it in the sender's context too, through the backlog queue, where it
# could be dropped before the log: the input counter shows it); sent is
# counted in OUTPUT for both.
nsx nft -f - <<EOF || exit 1
table inet bench {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport $PORT counter log group $GROUP prefix "$PREFIX"
		udp dport $PORT_IN counter
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport $PORT_IN counter log group $GROUP prefix "$PREFIX"
		udp dport $END_PORT log group $GROUP prefix "end"
		udp dport { $PORT, $PORT_IN, $END_PORT } drop
	}
}
EOF
LPORT=$PORT    # the port of the reader being measured (load_port)
load_port() { [[ ",$INPUT_READERS," == *",$1,"* ]] && echo "$PORT_IN" || echo "$PORT"; }
# logged [in]: datagrams to LPORT counted in OUTPUT (sent), or in INPUT
logged() {
	nsx nft list chain inet bench "${1:-out}" |
		sed -n "s/.*udp dport $LPORT counter packets \([0-9]*\) .*/\1/p"
}

# cpu_ticks PID...: utime+stime of the processes, in clock ticks
cpu_ticks() {
	local p sum=0 t
	for p in "$@"; do
		t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
		sum=$((sum + ${t:-0}))
	done
	echo $sum
}
HZ=$(getconf CLK_TCK)

# ---- readers: start_X sets RPIDS (processes whose CPU counts); finish_X
# stops them and sets WRITTEN, REPORTED_LOST ("-" when the reader cannot
# tell) and EXTRA_CPU_TICKS (CPU of helpers shown apart, e.g. journald) ----

wait_file_grep() {  # FILE PATTERN SECONDS
	local i
	for i in $(seq $(($3 * 20))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# Readers run as "${WRAP[@]}" PROGRAM (valgrind in the instructions mode);
# COUNT_UNTIL: countreader exits after that many records (drain mode).
WRAP=()
COUNT_UNTIL=
start_count() {
	rm -f "$T/count.out" "$T/count.err"   # a READY left from the last one would not wait
	ip netns exec "$NS" "${WRAP[@]}" "$COUNTREADER" ${COUNT_UNTIL:+-c "$COUNT_UNTIL"} -g $GROUP -q "$QTHRESH" -t "$QTIMEOUT_CS" -n "$NLBUF" \
		-r "$(bytes "$RCVBUF")" -m "$(bytes "$RCVBUF_MAX")" >"$T/count.out" 2>"$T/count.err" &
	RPIDS=($!)
	PIDS+=($!)
	wait_file_grep "$T/count.err" READY 30
}
finish_count() {
	kill -TERM "${RPIDS[0]}" 2>/dev/null   # (the drain's countreader -c has exited)
	wait "${RPIDS[0]}" 2>/dev/null
	WRITTEN=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' "$T/count.out")
	REPORTED_LOST=$(sed -n 's/.*lost=\([0-9]*\).*/\1/p' "$T/count.out")
	EXTRA_CPU_TICKS=
}

nflogd_conf() {  # OUTPUT_ENTRY
	cat <<EOF
daemon: { log_level = "info"; };
outputs = ( $1 );
groups = ( { group = $GROUP; outputs = ("out"); qthresh = $QTHRESH;
	timeout = $(awk -v c="$QTIMEOUT_CS" 'BEGIN{printf "%.2f", c / 100}');
	nlbuf = $NLBUF; rcvbuf = "$RCVBUF"; rcvbuf_max = "$RCVBUF_MAX";
	enobufs = "raise"; flags = ("seq"); } );
EOF
}
# text with every optional field of the kernel's line (log_flags all)
start_nflogd_file() {  # json|text
	local extra=
	[ "$1" = text ] && extra='log_flags = ("all");'
	rm -f "$T/out.$1" "$T/nflogd.log"
	nflogd_conf "{ name = \"out\"; type = \"file\"; path = \"$T/out.$1\"; format = \"$1\"; $extra }" \
		>"$T/nflogd-$1.conf"
	ip netns exec "$NS" "${WRAP[@]}" "$NFLOGD" -c "$T/nflogd-$1.conf" >"$T/nflogd.log" 2>&1 &
	RPIDS=($!)
	PIDS+=($!)
	wait_file_grep "$T/nflogd.log" "running with" 30
}
nflogd_lost() {
	sed -n "s/.*group $GROUP: received [0-9]*, lost \([0-9]*\).*/\1/p" "$T/nflogd.log" | tail -1
}
finish_nflogd_file() {  # json|text
	kill -TERM "${RPIDS[0]}"
	wait "${RPIDS[0]}" 2>/dev/null
	WRITTEN=$(grep -c "$PREFIX" "$T/out.$1")
	REPORTED_LOST=$(nflogd_lost)
	EXTRA_CPU_TICKS=
}
# the records of a pcap file (nflogd's or ulogd's), read with python
pcap_records() {
	python3 -c 'import struct,sys
d=open(sys.argv[1],"rb").read(); n=0; o=24
while o + 16 <= len(d): o += 16 + struct.unpack("<I", d[o+8:o+12])[0]; n += 1
print(n)' "$1" 2>/dev/null || echo 0
}
# a capture as tcpdump -i nflog writes it (linktype nflog, the default)
start_nflogd-pcap() {
	rm -f "$T/out.pcap" "$T/nflogd.log"
	nflogd_conf "{ name = \"out\"; type = \"pcap\"; path = \"$T/out.pcap\"; }" >"$T/nflogd-pcap.conf"
	ip netns exec "$NS" "${WRAP[@]}" "$NFLOGD" -c "$T/nflogd-pcap.conf" >"$T/nflogd.log" 2>&1 &
	RPIDS=($!)
	PIDS+=($!)
	wait_file_grep "$T/nflogd.log" "running with" 30
}
finish_nflogd-pcap() {
	kill -TERM "${RPIDS[0]}"
	wait "${RPIDS[0]}" 2>/dev/null
	WRITTEN=$(pcap_records "$T/out.pcap")
	REPORTED_LOST=$(nflogd_lost)
	EXTRA_CPU_TICKS=
}
start_nflogd-json() { start_nflogd_file json; }
finish_nflogd-json() { finish_nflogd_file json; }
start_nflogd-text() { start_nflogd_file text; }
finish_nflogd-text() { finish_nflogd_file text; }

# A private journald, for the inner scripts below (sourced inside their
# mount+PID namespace): its pid in J, and ticks PID (utime+stime).
# net.unix.max_dgram_qlen 512 in the bench's namespace, as systemd sets it
# at boot (sysctl.d/50-default.conf); a new namespace has the kernel's 10,
# which makes every sender wait for journald after 11 datagrams.
write_journald_start() {
	cat >"$T/journald-start.sh" <<'EOF'
sysctl -qw net.unix.max_dgram_qlen=512
mount -t tmpfs -o mode=755 bench-run-systemd /run/systemd
mount -t tmpfs -o mode=755 bench-run-log /run/log
[ -e /sys/fs/cgroup/cgroup.procs ] || mount -t cgroup2 bench-cgroup2 /sys/fs/cgroup
mkdir -p /run/systemd/journal /run/systemd/journald.conf.d
printf '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToKMsg=no\nForwardToConsole=no\nForwardToWall=no\nRateLimitIntervalSec=0\nRuntimeMaxUse=8G\nRuntimeMaxFileSize=1G\n' \
	>/run/systemd/journald.conf.d/90-bench.conf
/lib/systemd/systemd-journald >"$T/journald.log" 2>&1 &
J=$!
for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
EOF
}

# nflogd -> a private journald, in a mount+PID namespace inside the bench
# namespace. The inner script reports CPU ticks through files, since its
# PIDs are not ours.
write_journal_inner() {
	write_journald_start
	cat >"$T/jinner.sh" <<'EOF'
#!/bin/bash
# inside: unshare --mount --pid --fork --mount-proc; $1 = temp dir, $2 = nflogd, $3 = conf, $4 = prefix
T=$1
. "$T/journald-start.sh"
"$2" -c "$3" >"$T/nflogd.log" 2>&1 &
N=$!
for _ in $(seq 200); do grep -q "running with" "$T/nflogd.log" && break; sleep 0.05; done
touch "$T/j.ready"
while [ ! -e "$T/j.stop" ]; do
	echo "$(ticks $N) $(ticks $J)" >"$T/j.cpu.new"; mv "$T/j.cpu.new" "$T/j.cpu"
	sleep 0.1
done
echo "$(ticks $N) $(ticks $J)" >"$T/j.cpu.final"
kill -TERM $N; wait $N
sleep 0.2
journalctl -q -D /run/log/journal -o cat 2>/dev/null | grep -c "$4" >"$T/j.written"
kill -TERM $J; wait $J
EOF
	chmod 755 "$T/jinner.sh"
}
start_nflogd-journal() {
	rm -f "$T"/j.*
	write_journal_inner
	nflogd_conf '{ name = "out"; type = "journal"; }' >"$T/nflogd-journal.conf"
	ip netns exec "$NS" unshare --mount --pid --fork --mount-proc --propagation private \
		"$T/jinner.sh" "$T" "$NFLOGD" "$T/nflogd-journal.conf" "$PREFIX" &
	JWRAP=$!
	PIDS+=($!)
	RPIDS=()
	local i
	for i in $(seq 200); do [ -e "$T/j.ready" ] && return 0; sleep 0.05; done
	return 1
}
finish_nflogd-journal() {
	touch "$T/j.stop"
	wait "$JWRAP" 2>/dev/null
	WRITTEN=$(cat "$T/j.written" 2>/dev/null || echo 0)
	# lost = the group's + the journal output's dropped (its queue full
	# while journald lagged; after the last counters, what it still held
	# at close: "closing with N records")
	local glost dropped
	glost=$(nflogd_lost)
	dropped=$(awk '/output out: written/ {sub(/.*dropped /, ""); d = $1 + 0; c = 0}
		/output out: closing with/ {sub(/.*closing with /, ""); c = $1 + 0}
		END {print d + c}' "$T/nflogd.log")
	REPORTED_LOST=$(( ${glost:-0} + ${dropped:-0} ))
	read -r _ EXTRA_CPU_TICKS <"$T/j.cpu.final"
}

# nflogd -> remote TCP syslog (RFC 5424, octet counting) into a real
# rsyslogd: imtcp on the bench namespace's loopback, one line per message
# in $T/rs/out.log; rsyslogd runs in a private mount namespace (it writes
# nothing outside $T). Its CPU is shown apart, like journald's.
rsyslog_conf() {
	mkdir -p "$T/rs/work"
	local tls=
	[ -f "$T/tls/server.pem" ] && tls="input(type=\"imtcp\" address=\"127.0.0.1\" port=\"$RS_TLS_PORT\" streamDriver.name=\"gtls\" streamDriver.mode=\"1\" streamDriver.authMode=\"anon\" streamDriver.CAFile=\"$T/tls/ca.pem\" streamDriver.CertFile=\"$T/tls/server.pem\" streamDriver.KeyFile=\"$T/tls/server.key\")"
	cat >"$T/rs/rsyslog.conf" <<EOF
global(workDirectory="$T/rs/work" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$RS_PORT")
$tls
template(name="line" type="string" string="%timegenerated:::date-rfc3339% %hostname% %app-name% %msgid% %msg%\n")
*.* action(type="omfile" file="$T/rs/out.log" template="line")
EOF
}
start_rsyslogd() {
	rsyslog_conf
	rm -f "$T/rs/out.log" "$T/rs/rsyslogd.pid"
	# ip netns exec and unshare (no --fork) both exec: $! is rsyslogd
	ip netns exec "$NS" unshare --mount --propagation private \
		rsyslogd -n -f "$T/rs/rsyslog.conf" -i "$T/rs/rsyslogd.pid" >"$T/rs/rsyslogd.out" 2>&1 &
	RS_PID=$!
	PIDS+=($!)
	local i
	for i in $(seq 100); do
		nsx ss -ltnH "sport = :$RS_PORT" | grep -q . && return 0
		sleep 0.05
	done
	say "rsyslogd did not start:"; cat "$T/rs/rsyslogd.out" >&2
	return 1
}
# stop rsyslogd once it is idle (its CPU time stops moving)
stop_rsyslogd() {
	local last=-1 cur stable=0 i
	for i in $(seq 600); do
		cur=$(cpu_ticks "$RS_PID")
		if [ "$cur" = "$last" ]; then
			stable=$((stable + 1)); [ $stable -ge 5 ] && break
		else stable=0; fi
		last=$cur
		sleep 0.1
	done
	kill -TERM "$RS_PID"
	wait "$RS_PID" 2>/dev/null
}
start_nflogd_rsyslog() {  # OUTPUT_ENTRY
	start_rsyslogd || return 1
	nflogd_conf "$1" >"$T/nflogd-rsyslog.conf"
	ip netns exec "$NS" "$NFLOGD" -c "$T/nflogd-rsyslog.conf" >"$T/nflogd.log" 2>&1 &
	RPIDS=($!)
	PIDS+=($!)
	wait_file_grep "$T/nflogd.log" "running with" 10
}
start_nflogd-rsyslog() {
	start_nflogd_rsyslog "{ name = \"out\"; type = \"syslog\"; target = \"tcp://127.0.0.1:$RS_PORT\"; format = \"rfc5424\"; }"
}
# a CA and a server certificate for 127.0.0.1, for rsyslogd's TLS input
make_tls_certs() {
	[ -f "$T/tls/server.pem" ] && return 0
	mkdir -p "$T/tls"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-subj "/CN=bench CA" -keyout "$T/tls/ca.key" -out "$T/tls/ca.pem" 2>/dev/null &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=bench" \
			-keyout "$T/tls/server.key" -out "$T/tls/server.csr" 2>/dev/null &&
		openssl x509 -req -in "$T/tls/server.csr" -CA "$T/tls/ca.pem" -CAkey "$T/tls/ca.key" \
			-CAcreateserial -days 1 -extfile <(echo "subjectAltName=IP:127.0.0.1") \
			-out "$T/tls/server.pem" 2>/dev/null
}
start_nflogd-rsyslog-tls() {
	make_tls_certs || return 1
	start_nflogd_rsyslog "{ name = \"out\"; type = \"syslog\"; target = \"tls://127.0.0.1:$RS_TLS_PORT\"; format = \"rfc5424\"; tls = { ca = \"$T/tls/ca.pem\"; }; }"
}
finish_nflogd-rsyslog-tls() { finish_nflogd-rsyslog; }
finish_nflogd-rsyslog() {
	RS_NTICKS=$(cpu_ticks "${RPIDS[0]}")
	EXTRA_CPU_TICKS=$(cpu_ticks "$RS_PID")
	kill -TERM "${RPIDS[0]}"
	wait "${RPIDS[0]}" 2>/dev/null
	stop_rsyslogd
	WRITTEN=$(grep -c "$PREFIX" "$T/rs/out.log" 2>/dev/null)
	# lost = the group's (kernel side) + the output's (queue full: dropped)
	local glost dropped
	glost=$(nflogd_lost)
	dropped=$(sed -n 's/.*output out: written [0-9]*, queued [0-9]*, dropped \([0-9]*\).*/\1/p' "$T/nflogd.log" | tail -1)
	REPORTED_LOST=$(( ${glost:-0} + ${dropped:-0} ))
}

ulogd_conf() {  # json|logemu|pcap
	local stack out
	if [ "$1" = pcap ]; then
		stack="log1:NFLOG,base1:BASE,pcap1:PCAP"
		out="[pcap1]
sync=0
file=\"$T/ulogd.pcap\""
	elif [ "$1" = json ]; then
		stack="log1:NFLOG,base1:BASE,ifi1:IFINDEX,ip2str1:IP2STR,mac2str1:HWHDR,json1:JSON"
		out="[json1]
sync=0
file=\"$T/ulogd.json\""
	else
		stack="log1:NFLOG,base1:BASE,ifi1:IFINDEX,ip2str1:IP2STR,print1:PRINTPKT,emu1:LOGEMU"
		out="[emu1]
sync=0
file=\"$T/ulogd.logemu\""
	fi
	local p
	echo "[global]"
	echo "logfile=\"$T/ulogd.log\""
	echo "loglevel=3"
	for p in inppkt_NFLOG raw2packet_BASE filter_IFINDEX filter_IP2STR filter_HWHDR \
		filter_PRINTPKT output_LOGEMU output_JSON; do
		echo "plugin=\"$ULOGD_PLUGINS/ulogd_$p.so\""
	done
	[ "$1" = pcap ] && echo "plugin=\"$ULOGD_PCAP\""
	echo "stack=$stack"
	# best-tuned NFLOG input: the same kernel batching and socket buffer
	# as everyone; bufsize = the largest kernel batch (128 KiB)
	cat <<EOF
[log1]
group=$GROUP
numeric_label=1
seq_local=1
bufsize=131072
netlink_socket_buffer_size=$(bytes "$RCVBUF")
netlink_socket_buffer_maxsize=$(bytes "$RCVBUF_MAX")
netlink_qthreshold=$QTHRESH
netlink_qtimeout=$QTIMEOUT_CS
$out
EOF
}
start_ulogd() {  # json|logemu
	rm -f "$T/ulogd.$1" "$T/ulogd.log"
	ulogd_conf "$1" >"$T/ulogd-$1.conf"
	ip netns exec "$NS" ulogd -c "$T/ulogd-$1.conf" >"$T/ulogd.out" 2>&1 &
	RPIDS=($!)
	PIDS+=($!)
	# ready once it holds the group
	local i
	for i in $(seq 100); do
		kill -0 "${RPIDS[0]}" 2>/dev/null || break
		nsx awk -v g=$GROUP '$1 == g {f=1} END {exit !f}' /proc/net/netfilter/nfnetlink_log \
			2>/dev/null && return 0
		sleep 0.05
	done
	cat "$T/ulogd.out" "$T/ulogd.log" >&2 2>/dev/null
	return 1
}
finish_ulogd() {
	kill -TERM "${RPIDS[0]}"
	wait "${RPIDS[0]}" 2>/dev/null
	if [ "$1" = pcap ]; then
		WRITTEN=$(pcap_records "$T/ulogd.pcap")
	else
		WRITTEN=$(grep -c "$PREFIX" "$T/ulogd.$1" 2>/dev/null)
	fi
	REPORTED_LOST=-
	EXTRA_CPU_TICKS=
}
start_ulogd2-json() { start_ulogd json; }
finish_ulogd2-json() { finish_ulogd json; }
start_ulogd2-logemu() { start_ulogd logemu; }
finish_ulogd2-logemu() { finish_ulogd logemu; }
start_ulogd2-pcap() { start_ulogd pcap; }
finish_ulogd2-pcap() { finish_ulogd pcap; }

# The Python readers: bench/python_reader.py (`for data in nflog:`, all 14
# of nflogr's fields of every record) with this tree's module or nflogr
# 0.2.3, chosen by PYTHONPATH; the same group settings as everyone (but
# nlbuf: PY_NLBUF). START_TICKS: its CPU once bound (the interpreter's
# start and imports), not counted. It stops at an "end" record and prints
# what it read: WRITTEN; it reports no loss count.
start_py() {  # PYTHONPATH
	rm -f "$T/py.out" "$T/py.err"
	# (ip netns exec and env exec: $! is the Python process)
	ip netns exec "$NS" env PYTHONPATH="$1" PYTHONDONTWRITEBYTECODE=1 "$PYTHON" \
		"$SRC/bench/python_reader.py" --timeout "$(awk -v c="$QTIMEOUT_CS" 'BEGIN{print c / 100}')" \
		--nlbuf "$PY_NLBUF" $GROUP "$QTHRESH" "$(bytes "$RCVBUF")" >"$T/py.out" 2>"$T/py.err" &
	RPIDS=($!)
	PIDS+=($!)
	wait_file_grep "$T/py.out" READY 30 || { cat "$T/py.err" >&2; return 1; }
	START_TICKS=$(cpu_ticks "${RPIDS[0]}")
}
running() {  # PID: exists and is not a zombie
	local state
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$state" ] && [ "$state" != Z ]
}
finish_py() {
	local i
	for i in $(seq 150); do   # an "end" record every 0.2 s, 30 s at most
		running "${RPIDS[0]}" || break
		nsx "$LOADGEN" -c 1 -p $END_PORT >/dev/null
		sleep 0.2
	done
	kill -KILL "${RPIDS[0]}" 2>/dev/null
	wait "${RPIDS[0]}" 2>/dev/null
	WRITTEN=$(sed -n 's/^received=\([0-9]*\) .*/\1/p' "$T/py.out")
	[ -n "$WRITTEN" ] || say "  (the reader ended without its count: $(tail -1 "$T/py.err"))"
	REPORTED_LOST=-
	EXTRA_CPU_TICKS=
}
start_py-nflogr() { start_py "$PY_OURS"; }
finish_py-nflogr() { finish_py; }
start_py-upstream() { start_py "$PY_UPSTREAM"; }
finish_py-upstream() { finish_py; }

# Ticks of the reader now (journal: from the inner script).
reader_ticks() {
	if [ "$1" = nflogd-journal ]; then
		local n j
		read -r n j <"$T/j.cpu" 2>/dev/null
		echo $(( ${n:-0} + ${j:-0} ))
	elif [[ $1 == nflogd-rsyslog* ]]; then
		cpu_ticks "${RPIDS[@]}" "$RS_PID"
	else
		cpu_ticks "${RPIDS[@]}"
	fi
}

# The results behind the tables and the chart, one tab-separated row each
# (bench/chart.py documents the rows): $T/results.tsv, copied to -d.
RESULTS=$T/results.tsv
printf '# nflogd bench %s: %s datagrams per trial, %s CPUs\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
	"$COUNT" "$(nproc)" >"$RESULTS"
result_row() { local IFS=$'\t'; echo "$*" >>"$RESULTS"; }

# wait_idle READER: until the reader's CPU time stops moving (0.5 s);
# TLAST = when it last moved (empty if it never did).
wait_idle() {
	local last=-1 stable=0 after i
	TLAST=
	for i in $(seq 1200); do
		sleep 0.1
		after=$(reader_ticks "$1")
		if [ "$after" = "$last" ]; then
			stable=$((stable + 1))
			[ $stable -ge 5 ] && break
		else
			stable=0
			TLAST=$(date +%s.%N)
		fi
		last=$after
	done
}

# trial READER RATE [SENDERS]: one fresh reader, COUNT datagrams at RATE
# (or "max"), wait until the reader is idle (its CPU time stops moving),
# stop it. Sets SENT, WRITTEN, REPORTED_LOST, CPU_S (reader's CPU
# seconds), EXTRA_CPU_S, SEND_RATE.
trial() {
	local reader=$1 rate=$2 r=0 before before_in=
	case $rate in max|2max) ;; *) r=$rate ;; esac
	LPORT=$(load_port "$reader")
	START_TICKS=0
	start_"$reader" || { say "$reader did not start"; SENT=0; WRITTEN=0; return 1; }
	before=$(logged)
	[ "$LPORT" = "$PORT_IN" ] && before_in=$(logged in)
	local t0 tlast
	t0=$(date +%s.%N)
	tlast=$t0
	if [ "$rate" = 2max ]; then
		# two senders at once, one per CPU: more than one sender can offer
		nsx "$LOADGEN" -c $((COUNT / 2)) -p "$LPORT" >"$T/loadgen.out" &
		nsx "$LOADGEN" -c $((COUNT - COUNT / 2)) -p "$LPORT" >"$T/loadgen2.out"
		wait $!
		SEND_RATE=$(cat "$T/loadgen.out" "$T/loadgen2.out" |
			sed -n 's/.*rate=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s}')
	else
		nsx "$LOADGEN" -c "$COUNT" -r "$r" -p "$LPORT" >"$T/loadgen.out"
		SEND_RATE=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$T/loadgen.out")
	fi
	SEND_CPU=$(sed -n 's/.*cpu_us_per_packet=\([0-9.]*\).*/\1/p' "$T/loadgen.out")
	wait_idle "$reader"
	[ -n "$TLAST" ] && tlast=$TLAST
	# One more datagram once the burst is read: a loss at the very end of
	# a burst shows as a sequence gap only when a later record arrives.
	nsx "$LOADGEN" -c 1 -p "$LPORT" >/dev/null
	sleep 0.3
	local ticks split='' prelog=''
	ticks=$(( $(reader_ticks "$reader") - START_TICKS ))
	[ ${#RPIDS[@]} -gt 0 ] && split=$(sed 's/.*) //' "/proc/${RPIDS[0]}/stat" 2>/dev/null |
		awk -v hz="$HZ" '{printf " (since it started: user %.2f, sys %.2f)", $12 / hz, $13 / hz}')
	SENT=$(( $(logged) - before ))
	# sent in OUTPUT but not logged in INPUT (the backlog queue dropped them)
	[ -n "$before_in" ] && prelog=$(( SENT - ($(logged in) - before_in) ))
	finish_"$reader"
	[ "$reader" = nflogd-journal ] && { read -r ticks _ <"$T/j.cpu.final"; }
	[[ $reader == nflogd-rsyslog* ]] && ticks=$RS_NTICKS
	# records written per second, from the first send until the reader
	# (and its peer) went idle: what it delivered, sustained
	DELIV_RATE=$(awk -v w="${WRITTEN:-0}" -v a="$t0" -v b="$tlast" 'BEGIN{printf "%.0f", (b + 0 > a + 0) ? w / (b - a) : 0}')
	CPU_S=$(awk -v t="$ticks" -v hz="$HZ" 'BEGIN{printf "%.2f", t / hz}')
	EXTRA_CPU_S=
	[ -n "$EXTRA_CPU_TICKS" ] && EXTRA_CPU_S=$(awk -v t="$EXTRA_CPU_TICKS" -v hz="$HZ" 'BEGIN{printf "%.2f", t / hz}')
	WRITTEN=${WRITTEN:-0}
	result_row trial "$reader" "$rate" "${SEND_RATE:-0}" "$SENT" "$WRITTEN" "$CPU_S"
	say "  $reader rate=$rate: sent $SENT at ${SEND_RATE}/s (sender ${SEND_CPU} µs/packet), written $WRITTEN ($DELIV_RATE/s), reported lost $REPORTED_LOST${prelog:+ ($prelog lost before the INPUT log)}, cpu ${CPU_S}s$split${EXTRA_CPU_S:+ (+$(peer_name "$reader") ${EXTRA_CPU_S}s)}"
}

full_speed_cpu() {   # add this trial to the full-speed CPU sums of measure()
	cpu_sum=$(awk -v a="$cpu_sum" -v b="$CPU_S" 'BEGIN{print a + b}')
	[ -n "$extra_sum" ] && extra_sum=$(awk -v a="$extra_sum" -v b="${EXTRA_CPU_S:-0}" 'BEGIN{print a + b}')
	written_sum=$((written_sum + WRITTEN))
}
loss_pct() { awk -v s="$SENT" -v w="$WRITTEN" 'BEGIN{printf "%.1f%%", s ? (s - w) * 100 / s : 0}'; }

# ---- the runs ----
peer_name() { case $1 in nflogd-journal) echo journald ;; nflogd-rsyslog*) echo rsyslogd ;; esac; }
declare -A R_DELIV
declare -A R_SCPU R_MAXSENT R_MAXWRITTEN R_MAXRATE R_CPU R_EXTRA R_ZERO R_FIXED R_TWOX R_ACCT
measure() {
	local reader=$1
	say "== $reader"
	[ "$(load_port "$reader")" = "$PORT_IN" ] && result_row note "$reader" "logged in INPUT"
	# 1. full speed: written vs sent, CPU per record
	trial "$reader" max || return
	R_MAXSENT[$reader]=$SENT
	R_MAXWRITTEN[$reader]=$WRITTEN
	R_MAXRATE[$reader]=$SEND_RATE
	R_SCPU[$reader]=$SEND_CPU
	R_DELIV[$reader]=$DELIV_RATE
	# CPU per record: over the two full-speed trials (this one and two
	# senders), so that clock-tick rounding and noise weigh less
	local cpu_sum=$CPU_S extra_sum=${EXTRA_CPU_S:-} written_sum=$WRITTEN
	local acct=""
	acct_check() {
		[ "$REPORTED_LOST" = - ] && return
		[ $((WRITTEN + REPORTED_LOST)) = "$SENT" ] && acct="${acct}=" || acct="${acct}X"
	}
	acct_check
	# 2. highest rate without loss (the rate the sender reached, which
	# on a busy machine may be below the one asked for). Nothing lost at
	# full speed: try two senders; still nothing: a lower bound (">=").
	# Else bisect below the full-speed rate.
	local lo=0 hi=$SEND_RATE mid best=0 loss_2max=
	if [ "$WRITTEN" = "$SENT" ]; then
		best=$SEND_RATE
		trial "$reader" 2max
		acct_check
		loss_2max=$(loss_pct)
		full_speed_cpu
		if [ "$WRITTEN" = "$SENT" ]; then
			[ "$SEND_RATE" -gt "$best" ] && best=$SEND_RATE
		fi
		R_ZERO[$reader]=">=$best"
	else
		trial "$reader" 2max
		acct_check
		loss_2max=$(loss_pct)
		full_speed_cpu
		[ "$WRITTEN" = "$SENT" ] && best=$SEND_RATE   # noise: a loss at full speed, none here
		for _ in $(seq "$SEARCH_STEPS"); do
			mid=$(( (lo + hi) / 2 ))
			[ $mid -lt 1000 ] && break
			trial "$reader" $mid
			acct_check
			if [ "$WRITTEN" = "$SENT" ]; then
				lo=$mid
				[ "$SEND_RATE" -gt "$best" ] && best=$SEND_RATE
			else
				hi=$mid
			fi
		done
		R_ZERO[$reader]=$best
	fi
	R_CPU[$reader]=$(awk -v c="$cpu_sum" -v w="$written_sum" 'BEGIN{printf "%.2f", w ? c / w * 1e6 : 0}')
	result_row cpu "$reader" "${R_CPU[$reader]}"
	R_EXTRA[$reader]=
	[ -n "$extra_sum" ] && R_EXTRA[$reader]=$(awk -v c="$extra_sum" -v w="$written_sum" 'BEGIN{printf "%.2f", w ? c / w * 1e6 : 0}')
	# 3. loss at the fixed overload rates
	local rate out=""
	for rate in $FIXED_RATES; do
		if [ "$rate" = 2max ] && [ -n "$loss_2max" ]; then
			out="$out $loss_2max"     # measured above
			continue
		fi
		trial "$reader" "$rate"
		acct_check
		out="$out $(loss_pct)"
		# a lossless trial above the bisection's best also counts
		if [ "$WRITTEN" = "$SENT" ] && [[ ${R_ZERO[$reader]:-} != ">="* ]] &&
		   [ "${SEND_RATE:-0}" -gt "${R_ZERO[$reader]:-0}" ]; then
			R_ZERO[$reader]=$SEND_RATE
		fi
	done
	R_FIXED[$reader]=${out# }
	R_ACCT[$reader]=$acct
}

say "bench: $COUNT datagrams per trial; rcvbuf $RCVBUF (max $RCVBUF_MAX), qthresh $QTHRESH, timeout ${QTIMEOUT_CS}cs, nlbuf $NLBUF; load average $(cut -d' ' -f1-3 /proc/loadavg)"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
IFS=, read -ra ALL <<<"$READERS"
for reader in "${ALL[@]}"; do
	if [ "$reader" = nflogd-journal ] && [ $JOURNAL_OK != 1 ]; then
		say "== nflogd-journal: n/a (this nflogd has no journal output, or no systemd-journald)"
		continue
	fi
	if [[ $reader == nflogd-rsyslog* ]] && ! command -v rsyslogd >/dev/null; then
		say "== $reader: n/a (no rsyslogd: apt-get install rsyslog)"
		continue
	fi
	if [ "$reader" = nflogd-rsyslog-tls ] && ! ls /usr/lib/*/rsyslog/lmnsd_gtls.so >/dev/null 2>&1; then
		say "== $reader: n/a (no rsyslog TLS driver: apt-get install rsyslog-gnutls)"
		continue
	fi
	if [[ $reader == ulogd2-* ]] && ! command -v ulogd >/dev/null; then
		say "== $reader: n/a (ulogd2 not installed)"
		continue
	fi
	if { [ "$reader" = py-nflogr ] && [ -z "$PY_OURS" ]; } ||
	   { [ "$reader" = py-upstream ] && [ -z "$PY_UPSTREAM" ]; }; then
		say "== $reader: n/a (no module: see above)"
		continue
	fi
	measure "$reader"
done

# ---- peer baselines: what journald and rsyslogd take without nflogd ----
# Each: a fresh peer, COUNT entries from a plain sender as fast as it goes,
# then wait until the peer is idle. Rate = entries written / (first send
# .. the peer's last CPU tick change).
declare -A P_WRITTEN P_RATE P_SCPU P_PCPU
write_peer_journal_inner() {
	write_journald_start
	cat >"$T/pinner.sh" <<'EOF'
#!/bin/bash
# inside: unshare --mount --pid --fork --mount-proc
# $1 = temp dir, $2 = journal-sendv|journal-stream, $3 = count, $4 = peersend
T=$1
. "$T/journald-start.sh"
j0=$(ticks $J)
t0=$(date +%s.%N)
TIMEFORMAT='%U %S'
if [ "$2" = journal-sendv ]; then
	{ time "$4" -m journal -c "$3" >"$T/p.out"; } 2>"$T/p.time"
else
	# the stream transport: one entry per line, the same LOG line as MESSAGE
	{ time systemd-cat -t nflogd -p warning <"$T/p.lines"; } 2>"$T/p.time"
fi
last=-1; tlast=$t0; stable=0
for _ in $(seq 1200); do
	c=$(ticks $J)
	if [ "$c" = "$last" ]; then stable=$((stable + 1)); [ $stable -ge 5 ] && break
	else stable=0; tlast=$(date +%s.%N); fi
	last=$c
	sleep 0.1
done
echo "$(( $(ticks $J) - j0 )) $t0 $tlast" >"$T/p.result"
journalctl -q -D /run/log/journal -o cat 2>/dev/null | grep -c "DPT=9999" >"$T/p.written"
kill -TERM $J; wait $J
EOF
	chmod 755 "$T/pinner.sh"
}
peer_journal() {  # journal-sendv|journal-stream
	write_peer_journal_inner
	rm -f "$T"/p.*
	[ "$1" = journal-stream ] && awk -v n="$COUNT" 'BEGIN{for (i = 0; i < n; i++)
		printf "bench IN= OUT=lo SRC=127.0.0.1 DST=127.0.0.1 LEN=44 TOS=0x00 PREC=0x00 TTL=64 ID=%d DF PROTO=UDP SPT=40000 DPT=9999 LEN=24 UID=0 GID=0\n", i % 65536}' >"$T/p.lines"
	ip netns exec "$NS" unshare --mount --pid --fork --mount-proc --propagation private \
		"$T/pinner.sh" "$T" "$1" "$COUNT" "$PEERSEND"
	local pticks t0 tlast u st
	read -r pticks t0 tlast <"$T/p.result"
	read -r u st <"$T/p.time"
	P_WRITTEN[$1]=$(cat "$T/p.written")
	P_RATE[$1]=$(awk -v w="${P_WRITTEN[$1]}" -v a="$t0" -v b="$tlast" 'BEGIN{printf "%.0f", (b + 0 > a + 0) ? w / (b - a) : 0}')
	P_SCPU[$1]=$(awk -v u="$u" -v s="$st" -v n="$COUNT" 'BEGIN{printf "%.2f", (u + s) / n * 1e6}')
	P_PCPU[$1]=$(awk -v t="$pticks" -v hz="$HZ" -v w="${P_WRITTEN[$1]}" 'BEGIN{printf "%.2f", w ? t / hz / w * 1e6 : 0}')
}
peer_rsyslog() {  # rsyslog-tcp: peersend's RFC 5424 octet-counted frames, shaped like nflogd's
	start_rsyslogd || return 1
	local p0 t0 tlast last=-1 c stable=0 out
	p0=$(cpu_ticks "$RS_PID")
	t0=$(date +%s.%N)
	tlast=$t0
	out=$(nsx "$PEERSEND" -m tcp -c "$COUNT" -p "$RS_PORT")
	for _ in $(seq 1200); do
		c=$(cpu_ticks "$RS_PID")
		if [ "$c" = "$last" ]; then stable=$((stable + 1)); [ $stable -ge 5 ] && break
		else stable=0; tlast=$(date +%s.%N); fi
		last=$c
		sleep 0.1
	done
	c=$(cpu_ticks "$RS_PID")
	kill -TERM "$RS_PID"; wait "$RS_PID" 2>/dev/null
	P_WRITTEN[$1]=$(grep -c "DPT=9999" "$T/rs/out.log" 2>/dev/null)
	P_RATE[$1]=$(awk -v w="${P_WRITTEN[$1]}" -v a="$t0" -v b="$tlast" 'BEGIN{printf "%.0f", (b + 0 > a + 0) ? w / (b - a) : 0}')
	P_SCPU[$1]=$(sed -n 's/.*cpu_us_per_entry=\([0-9.]*\).*/\1/p' <<<"$out")
	P_PCPU[$1]=$(awk -v t="$((c - p0))" -v hz="$HZ" -v w="${P_WRITTEN[$1]}" 'BEGIN{printf "%.2f", w ? t / hz / w * 1e6 : 0}')
}
IFS=, read -ra ALLPEERS <<<"$PEERS"
for peer in "${ALLPEERS[@]}"; do
	case $peer in
	none) continue ;;
	journal-*)
		[ -x /lib/systemd/systemd-journald ] || { say "== $peer: n/a (no systemd-journald)"; continue; }
		say "== $peer (no nflogd)"; peer_journal "$peer" ;;
	rsyslog-tcp)
		command -v rsyslogd >/dev/null || { say "== $peer: n/a (no rsyslogd)"; continue; }
		say "== $peer (no nflogd)"; peer_rsyslog "$peer" ;;
	*) say "unknown peer $peer"; continue ;;
	esac
	say "  $peer: written ${P_WRITTEN[$peer]:-0}/$COUNT at ${P_RATE[$peer]:-0}/s, sender ${P_SCPU[$peer]:-?} µs/entry, peer ${P_PCPU[$peer]:-?} µs/entry"
done

# ---- drain: a stopped reader, a full socket buffer, continued ----
# The buffer holds what it holds (records are kernel batches of QTHRESH,
# trimmed to their size): a countreader stopped while PROBE datagrams are
# sent shows how many fit, and every reader then drains DRAIN_FILL % of
# that, so none loses a record. Time: from SIGCONT until the last record
# is written (nflogd: the file has them all; countreader: it exits after
# counting them), measured by bench/drainwait.
declare -A D_N D_S D_RATE D_CPU
drain_start() {  # READER N: a fresh reader with the drain buffer, stopped
	local RCVBUF=$DRAIN_RCVBUF RCVBUF_MAX=$DRAIN_RCVBUF COUNT_UNTIL=$2
	LPORT=$(load_port "$1")
	start_"$1" || return 1
	kill -STOP "${RPIDS[0]}"
}
drain_fill() {  # N: send N datagrams, let the kernel flush its last batch
	nsx "$LOADGEN" -c "$1" -p "$LPORT" >"$T/loadgen.out"
	sleep "$(awk -v c="$QTIMEOUT_CS" 'BEGIN{print c / 100 + 0.3}')"
}
drain_probe() {  # sets DRAIN_N
	local probe=${DRAIN_PROBE:-1500000}
	say "== drain: how many records a $DRAIN_RCVBUF buffer holds ($probe sent to a stopped countreader)"
	drain_start count "" || return 1
	local before
	before=$(logged)
	drain_fill "$probe"
	local sent=$(( $(logged) - before ))
	kill -CONT "${RPIDS[0]}"
	wait_idle count
	finish_count
	DRAIN_N=$(( WRITTEN * DRAIN_FILL / 100 ))
	say "  it held $WRITTEN of $sent sent: each reader drains $DRAIN_N"
	[ "$WRITTEN" -lt "$sent" ] || say "  (nothing lost: the buffer was not full; raise DRAIN_PROBE)"
}
drain_once() {  # READER: one drain; sets D_ONE_S (seconds), D_ONE_CPU, WRITTEN, REPORTED_LOST
	local reader=$1 out before sent ticks0
	drain_start "$reader" "$DRAIN_N" || { say "$reader did not start"; return 1; }
	before=$(logged)
	drain_fill "$DRAIN_N"
	ticks0=$(cpu_ticks "${RPIDS[0]}")
	if [ "$reader" = count ]; then
		# (its CPU time comes from its own exit line: /proc/PID is gone)
		out=$("$DRAINWAIT" -p "${RPIDS[0]}" -x)
	else
		out=$("$DRAINWAIT" -p "${RPIDS[0]}" -f "$T/out.${reader#nflogd-}" -n "$DRAIN_N" -t)
	fi
	sent=$(( $(logged) - before ))
	finish_"$reader"
	D_ONE_S=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")
	[ "$reader" = count ] && out=$(cat "$T/count.out")
	D_ONE_CPU=$(sed -n 's/.*cpu_ticks=\([0-9]*\).*/\1/p' <<<"$out")
	D_ONE_CPU=$(awk -v a="${D_ONE_CPU:-0}" -v b="$ticks0" -v hz="$HZ" 'BEGIN{printf "%.2f", (a - b) / hz}')
	say "  $reader: sent $sent, written $WRITTEN (lost $REPORTED_LOST) in ${D_ONE_S:-?} s, ${D_ONE_CPU} s of its CPU${out:+ ($(sed -n 's/.*\(user_ticks=[0-9]* sys_ticks=[0-9]*\).*/\1 since start/p' <<<"$out"))}"
	[ "$WRITTEN" = "$DRAIN_N" ] && [ -n "$D_ONE_S" ]
}
drain() {  # READER: the fastest of DRAIN_RUNS drains (the least disturbed by other jobs)
	local reader=$1 i times=()
	say "== drain $reader ($DRAIN_RUNS runs)"
	for i in $(seq "$DRAIN_RUNS"); do
		drain_once "$reader" && times+=("$D_ONE_S $D_ONE_CPU")
	done
	[ ${#times[@]} -gt 0 ] || return 1
	D_N[$reader]=$DRAIN_N
	local fastest
	fastest=$(printf '%s\n' "${times[@]}" | sort -g | head -1)
	read -r "D_S[$reader]" "D_CPU[$reader]" <<<"$fastest"
	D_RATE[$reader]=$(awk -v n="$DRAIN_N" -v s="${D_S[$reader]}" 'BEGIN{printf "%.0f", (s > 0) ? n / s : 0}')
	result_row drain "$reader" "$DRAIN_N" "${D_S[$reader]}" "${D_RATE[$reader]}"
	say "  $reader: fastest ${D_S[$reader]} s = ${D_RATE[$reader]}/s"
}
if want_mode drain; then
	drain_probe
	IFS=, read -ra DALL <<<"$DRAIN_READERS"
	for reader in "${DALL[@]}"; do drain "$reader"; done
fi

# ---- instructions per record (callgrind) ----
# Each reader under valgrind --tool=callgrind, twice: IC_COUNT datagrams
# paced at IC_RATE (the buffer is DRAIN_RCVBUF: nothing may be lost), then
# none. (Ir with - Ir without) / records written = userspace instructions
# per record, the same on any machine for the same code and compiler.
declare -A I_N I_IR I_IR0 I_PER
ic_run() {  # READER N: sets IR (total instructions), WRITTEN, REPORTED_LOST
	local reader=$1 n=$2 RCVBUF=$DRAIN_RCVBUF RCVBUF_MAX=$DRAIN_RCVBUF
	local out=$T/callgrind.$reader.$n.out   # callgrind_annotate reads it (KEEP=1 keeps $T)
	local WRAP=(valgrind -q --tool=callgrind --callgrind-out-file="$out")
	rm -f "$out"
	LPORT=$(load_port "$reader")
	start_"$reader" || { say "$reader did not start under valgrind"; return 1; }
	[ "$n" -gt 0 ] && nsx "$LOADGEN" -c "$n" -r "$IC_RATE" -p "$LPORT" >/dev/null
	sleep 1
	wait_idle "$reader"
	finish_"$reader"
	IR=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out")
}
instructions() {  # READER
	local reader=$1
	say "== instructions $reader ($IC_COUNT datagrams, then none, under callgrind)"
	ic_run "$reader" "$IC_COUNT" || return 1
	I_N[$reader]=$WRITTEN
	I_IR[$reader]=$IR
	[ "$REPORTED_LOST" = 0 ] || say "  $reader lost $REPORTED_LOST records: the figure is off"
	ic_run "$reader" 0 || return 1
	I_IR0[$reader]=$IR
	I_PER[$reader]=$(awk -v a="${I_IR[$reader]}" -v b="$IR" -v n="${I_N[$reader]}" 'BEGIN{printf "%.0f", n ? (a - b) / n : 0}')
	result_row instructions "$reader" "${I_N[$reader]}" "${I_IR[$reader]}" "$IR" "${I_PER[$reader]}"
	say "  $reader: ${I_IR[$reader]} - $IR over ${I_N[$reader]} records = ${I_PER[$reader]} per record"
}
if want_mode instructions; then
	IFS=, read -ra IALL <<<"$IC_READERS"
	for reader in "${IALL[@]}"; do instructions "$reader"; done
fi

# ---- the table ----
# ratio A B -> A/B with 2 decimals; a lower bound (">=N") on top makes the
# ratio a lower bound, one below an upper bound; both: "~" (not bounded).
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN{la = sub(/>=/, "", a); lb = sub(/>=/, "", b);
		if (a == "" || b == "" || b + 0 == 0) { print "n/a"; exit }
		p = la && !lb ? ">=" : (!la && lb ? "<=" : (la && lb ? "~" : ""));
		printf "%s%.2f", p, a / b}'
}
capacity() { awk -v c="$1" 'BEGIN{if (c + 0 > 0) printf "%.0fk", 1000 / c; else print "n/a"}'; }
table() {
	echo "nflogd bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average before $LOAD0, after $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "$COUNT datagrams per trial; every reader: rcvbuf $RCVBUF (max $RCVBUF_MAX), qthresh $QTHRESH, timeout ${QTIMEOUT_CS}cs, nlbuf $NLBUF"
	echo
	echo "| reader | written/sent at full speed | sender rate (/s; its µs/packet) | zero-loss rate (/s) | loss at $FIXED_RATES | CPU µs/record | capacity (/s) = 1/CPU | zero-loss vs count | CPU vs count | zero-loss vs ref | CPU vs ref | books balance |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	local reader ref
	for reader in "${ALL[@]}"; do
		case $reader in
		nflogd-json) ref=ulogd2-json ;;
		nflogd-text) ref=ulogd2-logemu ;;
		nflogd-pcap) ref=ulogd2-pcap ;;
		nflogd-journal|nflogd-rsyslog*) ref=ulogd2-json ;;
		py-nflogr) ref="py-upstream" ;;
		*) ref= ;;
		esac
		if [ -z "${R_MAXSENT[$reader]:-}" ]; then
			echo "| $reader | n/a | | | | | | | | | | |"
			continue
		fi
		local cpu=${R_CPU[$reader]}
		[ -n "${R_EXTRA[$reader]}" ] && cpu="$cpu (+${R_EXTRA[$reader]} $(peer_name "$reader"))"
		local zr=n/a cr=n/a
		if [ -n "$ref" ] && [ -n "${R_MAXSENT[$ref]:-}" ]; then
			zr=$(ratio "${R_ZERO[$reader]}" "${R_ZERO[$ref]}")
			cr=$(ratio "${R_CPU[$reader]}" "${R_CPU[$ref]}")
		fi
		local zc=n/a cc=n/a
		if [ -n "${R_MAXSENT[count]:-}" ]; then
			zc=$(ratio "${R_ZERO[$reader]}" "${R_ZERO[count]}")
			cc=$(ratio "${R_CPU[$reader]}" "${R_CPU[count]}")
		fi
		local acct=${R_ACCT[$reader]}
		if [ -z "$acct" ]; then acct="no loss count"
		elif [[ $acct == *X* ]]; then acct="NO ($acct)"
		else acct="yes (${#acct} trials)"; fi
		echo "| $reader | ${R_MAXWRITTEN[$reader]}/${R_MAXSENT[$reader]} | ${R_MAXRATE[$reader]}; ${R_SCPU[$reader]} | ${R_ZERO[$reader]} | ${R_FIXED[$reader]} | $cpu | $(capacity "${R_CPU[$reader]}") | $zc | $cc | $zr${ref:+ ($ref)} | $cr | $acct |"
	done
	echo
	echo "zero-loss rate: highest send rate (bisection below full speed, $SEARCH_STEPS steps) with written = sent; \">=\" when nothing was lost even at full speed."
	echo "CPU: utime+stime of the reader process over the two full-speed trials (one sender, two) / records written (nflogd-journal, nflogd-rsyslog, nflogd-rsyslog-tls: the peer's own CPU in brackets, not in the ratios)."
	echo "capacity: records per second one CPU could handle at that cost; the sender (~3 µs of kernel time per logged packet) cannot offer that much here."
	echo "ratios: \">=\" a lower bound (only the first figure is one), \"<=\" an upper bound, \"~\" both figures are lower bounds (not comparable)."
	echo "books balance: written + reported lost = sent in every trial (readers that report losses)."
	echo "ref: ulogd2 for nflogd's readers (ulogd2-json; text: ulogd2-logemu), nflogr 0.2.3 (py-upstream) for py-nflogr."
	local inr='' r
	for r in "${ALL[@]}"; do [ "$(load_port "$r")" = "$PORT_IN" ] && inr="$inr $r"; done
	[ -n "$inr" ] && echo "load logged in INPUT, not OUTPUT (sent counted in OUTPUT):$inr."
	if want_reader py-nflogr || want_reader py-upstream; then
		echo "py-nflogr, py-upstream: bench/python_reader.py, \`for data in nflog:\` reading nflogr's 14 fields, with this tree's module / nflogr 0.2.3; written = records it read; nlbuf $([ "$PY_NLBUF" = 0 ] && echo "the kernel's default, one page (nflogr 0.2.3 reads 16 KiB at a time)" || echo "$PY_NLBUF"); CPU from the moment it is bound (the interpreter's start not counted)."
	fi
	peer_table
}
# nflogd into a peer, next to the same peer fed by a plain sender
peer_table() {
	local any=0 p r
	for p in "${ALLPEERS[@]}"; do [ -n "${P_WRITTEN[$p]:-}" ] && any=1; done
	for r in nflogd-journal nflogd-rsyslog nflogd-rsyslog-tls; do [ -n "${R_MAXSENT[$r]:-}" ] && any=1; done
	[ $any = 1 ] || return 0
	echo
	echo "Is nflogd or the peer the limit? (records/s the peer wrote, from the first send until the peer was idle)"
	echo
	echo "| into | sender | written/sent | records/s written | sender CPU µs/record | peer CPU µs/record | zero-loss rate (/s) | vs the peer alone |"
	echo "|---|---|---|---|---|---|---|---|"
	local row
	row() {  # PEERNAME READER PEERS...
		local name=$1 reader=$2 best=0 bp= q
		shift 2
		for q in "$@"; do
			[ -n "${P_RATE[$q]:-}" ] || continue
			echo "| $name | $q (no nflogd) | ${P_WRITTEN[$q]}/$COUNT | ${P_RATE[$q]} | ${P_SCPU[$q]} | ${P_PCPU[$q]} | | |"
			# like for like: the first sender listed (the same transport as nflogd's)
			[ -z "$bp" ] && { best=${P_RATE[$q]}; bp=$q; }
		done
		[ -n "${R_MAXSENT[$reader]:-}" ] || return 0
		local vs=n/a
		[ "$best" -gt 0 ] && vs="$(ratio "${R_DELIV[$reader]}" "$best") ($bp)"
		echo "| $name | $reader, full speed | ${R_MAXWRITTEN[$reader]}/${R_MAXSENT[$reader]} | ${R_DELIV[$reader]} | ${R_CPU[$reader]} (nflogd) | ${R_EXTRA[$reader]} | ${R_ZERO[$reader]} | $vs |"
	}
	row journald nflogd-journal journal-sendv journal-stream
	row rsyslogd nflogd-rsyslog rsyslog-tcp
	row "rsyslogd (TLS)" nflogd-rsyslog-tls
	echo
	echo "journal-sendv: bench/peersend.c, sd_journal_sendv of the fields nflogd sends for these packets (4 fixed + 30 NFLOG_*), one entry per call; journal-stream: systemd-cat reading the LOG lines (one entry per line, stream transport)."
	echo "rsyslog-tcp: bench/peersend.c, RFC 5424 frames shaped like nflogd's, octet-counted, one TCP connection, into the same rsyslogd (imtcp -> omfile) as nflogd-rsyslog."
	echo "nflogd rows: records/s written in the full-speed trial; CPU per record as in the table above; vs the peer alone: nflogd's written rate / the plain sender's on the same transport (journal-sendv, rsyslog-tcp)."
}
drain_table() {
	echo
	echo "Drain: the reader stopped (SIGSTOP), its socket buffer ($DRAIN_RCVBUF) filled with ${DRAIN_N:-?} records ($DRAIN_FILL % of what it holds), continued (SIGCONT); time until every record is written"
	echo
	echo "| reader | records | seconds (fastest of $DRAIN_RUNS) | records/s | vs count | reader CPU s in that run | records per CPU s |"
	echo "|---|---|---|---|---|---|---|"
	local r
	for r in "${DALL[@]}"; do
		[ -n "${D_RATE[$r]:-}" ] || { echo "| $r | n/a | | | | | |"; continue; }
		echo "| $r | ${D_N[$r]} | ${D_S[$r]} | ${D_RATE[$r]} | $(ratio "${D_RATE[$r]}" "${D_RATE[count]:-}") | ${D_CPU[$r]} | $(awk -v n="${D_N[$r]}" -v c="${D_CPU[$r]}" 'BEGIN{if (c > 0) printf "%.0f", n / c; else printf "n/a"}') |"
	done
	echo
	echo "records/s: wall clock, SIGCONT until the last record is written (the machine's other jobs slow it: the fastest run is shown); records per CPU s: the reader's own utime+stime in that run (10 ms clock ticks)."
}
ic_table() {
	echo
	echo "Userspace instructions per record (valgrind --tool=callgrind; $IC_COUNT datagrams at $IC_RATE/s, minus a run with none)"
	echo
	echo "| reader | records | Ir with | Ir without | instructions per record | vs count |"
	echo "|---|---|---|---|---|---|"
	local r
	for r in "${IALL[@]}"; do
		[ -n "${I_PER[$r]:-}" ] || { echo "| $r | n/a | | | | |"; continue; }
		echo "| $r | ${I_N[$r]} | ${I_IR[$r]} | ${I_IR0[$r]} | ${I_PER[$r]} | $(ratio "${I_PER[$r]}" "${I_PER[count]:-}") |"
	done
}
{
	want_mode table && table
	want_mode table || echo "nflogd bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average before $LOAD0, after $(cut -d' ' -f1-3 /proc/loadavg); qthresh $QTHRESH, timeout ${QTIMEOUT_CS}cs, nlbuf $NLBUF"
	want_mode drain && drain_table
	want_mode instructions && ic_table
} | tee ${RESULT:+"$RESULT"}
[ -n "$DATA" ] && cp "$RESULTS" "$DATA"
if [ -n "$CHART" ]; then
	# ${EXTRA_RESULTS}: more result files (same rows) drawn as more series
	# (Debian's python3-matplotlib: /usr/bin/python3 when another python3 comes first)
	py=
	for p in python3 /usr/bin/python3; do
		"$p" -c 'import matplotlib' 2>/dev/null && { py=$p; break; }
	done
	if [ -z "$py" ]; then
		say "chart: no python3 with matplotlib (apt-get install python3-matplotlib)"
	else
		"$py" "$SRC/bench/chart.py" -o "$CHART" "$RESULTS" ${EXTRA_RESULTS:-} &&
			say "chart: $CHART"
	fi
fi
