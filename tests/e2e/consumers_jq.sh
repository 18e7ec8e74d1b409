#!/bin/bash
# Every jq command on nflogd's JSON file in doc/consumers.md and nflogd(8),
# run as written against nflogd's real JSON output after a port scan (IPv4
# and IPv6), with the output the page shows (check_doc_examples in
# lib_consumers.sh). /var/log is the test's own directory, bound over the
# host's in a private mount namespace.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_consumers.sh"
command -v jq >/dev/null || e2e_skip "needs jq (apt-get install jq)"
[ "$(id -u)" = 0 ] || e2e_skip "needs root (namespaces)"
if [ "${_NFLOGD_JQ_NS:-}" != 1 ]; then
	exec unshare --mount --propagation private env _NFLOGD_JQ_NS=1 "$0" "$@"
fi
e2e_init jq
on_exit '[ -z "${SCANNER:-}" ] || ip netns del "$SCANNER"'
mkdir -p "$T/log/nflogd"
mount --bind "$T/log" /var/log || { not_ok "bind $T/log over /var/log"; e2e_finish; }
scan_net || { not_ok "scanner namespace"; e2e_finish; }
scan_rules 1 "DROP "
cat >"$T/nflogd.conf" <<EOF
outputs = ( { name = "json"; type = "file"; path = "/var/log/nflogd/nflog.json"; format = "json"; } );
groups = ( { group = 1; outputs = ("json"); } );
EOF
daemon_start "$T/nflogd.conf" || { not_ok "daemon starts"; e2e_finish; }
scan "$TARGET_ADDR4" $(seq 20 40)
scan "$TARGET_ADDR6" $(seq 20 40)
wait_lines /var/log/nflogd/nflog.json 42
daemon_stop
check_eq "42 records in /var/log/nflogd/nflog.json" "$(wc -l </var/log/nflogd/nflog.json)" 42

# every jq command on the JSON file, as doc/consumers.md shows it
check_doc_examples "$NFLOGD_SRC/doc/consumers.md" 'jq .*/var/log/nflogd/|/var/log/nflogd/.*\| jq '
check "the 7 jq commands of doc/consumers.md ran (got $DOC_EXAMPLES)" test "$DOC_EXAMPLES" -ge 7
# nflogd(8)'s, troff escapes undone: they print something
while IFS= read -r cmd; do
	got=$(timeout 10 bash -c "${cmd//tail -f /tail -n +1 }" 2>&1)
	check "nflogd(8): $cmd" test $? = 0 -a -n "$got"
done < <(sed -n '/^\.EX/,/^\.EE/{/\(^\|| \)jq /p}' "$NFLOGD_SRC/doc/nflogd.8" |
	sed 's/\\-/-/g; s/\\(aq/'"'"'/g; s/\\e/\\/g')
check "nflogd(8) has its jq example" grep -q 'jq \.' "$NFLOGD_SRC/doc/nflogd.8"
e2e_finish
