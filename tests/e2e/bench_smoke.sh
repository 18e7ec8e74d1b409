#!/bin/bash
# The benchmark's programs run (bench/: loadgen, countreader, drainwait,
# python_reader.py, chart.py): 100 datagrams sent with sendmmsg on the
# namespace's loopback, all 100 counted by the counting reader, none lost;
# a stopped reader continued and waited for by drainwait; the Python
# readers' program (bench/run.sh py-nflogr) reads 60 records logged in
# input with this tree's module and stops at the "end" one; a chart drawn
# from result rows. No timing is checked.
. "$(dirname "$0")/lib.sh"
e2e_init bsmoke
: "${LOADGEN:?LOADGEN must point at bench/loadgen}"
: "${COUNTREADER:?COUNTREADER must point at bench/countreader}"

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7601 counter log group 61 prefix "bs-$TAG "
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 7603 log group 62 prefix "bs-$TAG "
		udp dport 7604 log group 62 prefix "end"
		udp dport { 7601, 7603, 7604 } drop
	}
}
EOF2

nsx timeout 10 "$COUNTREADER" -g 61 -q 8 -t 1 -c 100 -i 5 >"$T/count.out" 2>"$T/count.err" &
pid=$!
for _ in $(seq 50); do grep -q READY "$T/count.err" && break; sleep 0.1; done
check "countreader binds the group" grep -q READY "$T/count.err"
nsx "$LOADGEN" -c 100 -p 7601 >"$T/loadgen.out" 2>&1
check_eq "loadgen sends 100" "$(cat "$T/loadgen.out" | sed -n 's/^sent=\([0-9]*\) .*/\1/p')" 100
nsx "$LOADGEN" -c 10 -r 1000 -p 7602 >"$T/rate.out" 2>&1
check "loadgen paces a fixed rate (10 at 1000/s)" grep -q "^sent=10 " "$T/rate.out"
wait $pid
check_eq "countreader exits 0" "$?" 0
sed 's/^/#   /' "$T/count.out" "$T/count.err" "$T/loadgen.out"
check_eq "countreader sees all 100, none lost" "$(sed 's/ cpu_ticks=[0-9]*$//' "$T/count.out")" \
	"$(printf 'received=100 lost=0 enobufs=0 rcvbuf=%s' "$(sed -n 's/.*rcvbuf=//p' "$T/count.err")")"
# drainwait: a stopped countreader holding 50 records, continued, waited for
: "${DRAINWAIT:?DRAINWAIT must point at bench/drainwait}"
nsx timeout 20 "$COUNTREADER" -g 61 -q 8 -t 1 -c 50 >"$T/drain.out" 2>"$T/drain.err" &
pid=$!
for _ in $(seq 50); do grep -q READY "$T/drain.err" && break; sleep 0.1; done
kill -STOP $pid
nsx "$LOADGEN" -c 50 -p 7601 >/dev/null 2>&1
sleep 0.2
check "drainwait continues the reader and sees it exit" "$DRAINWAIT" -p $pid -x
wait $pid
check "the drained reader counted all 50" grep -q "^received=50 lost=0" "$T/drain.out"
seq 1 7 >"$T/lines"
check "drainwait counts a file's lines" "$DRAINWAIT" -p $$ -f "$T/lines" -n 7

# python_reader.py, the program of bench/run.sh's py-* readers, with this
# tree's module (as bench/run.sh runs it: the load logged in input, an
# "end" record to stop it); nflogr 0.2.3 is not needed here
pymod=$(compgen -G "$NFLOGD_BUILD/python/nflogr.*.so" | head -1)
if [ -z "$pymod" ]; then
	ok "python_reader.py reads records # SKIP no nflogr module in $NFLOGD_BUILD/python"
else
	# an ASan build of the module needs ASan's runtime first (as
	# tests/python/meson.build sets it); CPython's own leaks at exit are
	# not the module's
	asan=$(ldd "$pymod" | awk '/libasan/ {print $3}')
	nsx timeout 20 env PYTHONPATH="$NFLOGD_BUILD/python" PYTHONDONTWRITEBYTECODE=1 \
		${asan:+LD_PRELOAD="$asan" ASAN_OPTIONS=detect_leaks=0} /usr/bin/python3 \
		"$NFLOGD_SRC/bench/python_reader.py" --timeout 0.01 62 8 1048576 >"$T/py.out" 2>"$T/py.err" &
	pid=$!
	for _ in $(seq 100); do grep -q READY "$T/py.out" && break; sleep 0.1; done
	check "python_reader.py binds the group" grep -q READY "$T/py.out"
	nsx "$LOADGEN" -c 60 -p 7603 >/dev/null 2>&1
	nsx "$LOADGEN" -c 1 -p 7604 >/dev/null 2>&1
	wait $pid
	check_eq "python_reader.py stops at the end record and exits 0" "$?" 0
	sed 's/^/#   /' "$T/py.out" "$T/py.err"
	check "python_reader.py read all 60, every field" grep -q "^received=60 seconds=[0-9.]* cpu=[0-9.]*$" "$T/py.out"
fi

# chart.py draws rows of bench/run.sh's results (Debian's python3-matplotlib,
# tests/deps.sh; /usr/bin/python3 when another python3 comes first on PATH)
py=python3
python3 -c 'import matplotlib' 2>/dev/null || py=/usr/bin/python3
printf '# smoke\ntrial\tcount\tmax\t200000\t1000\t1000\t0.01\ncpu\tcount\t0.3\ndrain\tcount\t1000\t0.001\t1000000\n' >"$T/r.tsv"
printf 'note\textra\tlogged in INPUT\ntrial\textra\tmax\t100000\t1000\t900\t0.05\ncpu\textra\t2.0\n' >"$T/extra.tsv"
check "chart.py draws a PNG from result rows (and an extra file, with a note)" \
	"$py" "$NFLOGD_SRC/bench/chart.py" -o "$T/c.png" "$T/r.tsv" "$T/extra.tsv"
check "the chart is a PNG" grep -q PNG <(head -c 8 "$T/c.png")
e2e_finish
