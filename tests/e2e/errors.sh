#!/bin/bash
# Clear errors instead of crashes or silent skips: a group bound by
# another process, a config with an unknown output name or a typo, a
# missing config file, a missing output directory, an output that cannot
# be opened.
. "$(dirname "$0")/lib.sh"
e2e_init errors

cat >"$T/a.conf" <<EOF2
outputs = ( $(conf_file_output a "$T/a.log" text) );
groups = ( { group = 41; outputs = ("a"); } );
EOF2
cat >"$T/b.conf" <<EOF2
outputs = ( $(conf_file_output b "$T/b.log" text) );
groups = ( { group = 41; outputs = ("b"); } );
EOF2
daemon_start "$T/a.conf" first || { not_ok "first daemon starts"; e2e_finish; }
nsx "$NFLOGD" -c "$T/b.conf" >"$T/second.out" 2>&1; rc=$?
check_eq "second binder of group 41 exits 1" "$rc" 1
check "its error names the group and says it is bound by another process" \
	grep -q "NFLOG group 41 is already bound by another process" "$T/second.out"
sed 's/^/#   /' "$T/second.out"
check "the first daemon keeps running" kill -0 "$(daemon_pid first)"
daemon_stop first

# unknown output name: --check-config says FILE:LINE and exits 1
cat >"$T/unknown.conf" <<EOF2
outputs = ( $(conf_file_output a "$T/a.log" text) );
groups = (
	{ group = 42;
	  outputs = ("nosuch"); }
);
EOF2
out=$("$NFLOGD" --check-config -c "$T/unknown.conf" 2>&1); rc=$?
check_eq "unknown output: exit 1" "$rc" 1
check "unknown output: FILE:LINE message" grep -q "^$T/unknown.conf:4: .*nosuch" <<<"$out"
echo "#   $out"

# a typo in a key
cat >"$T/typo.conf" <<EOF2
outputs = ( $(conf_file_output a "$T/a.log" text) );
groups = ( { group = 43; outputs = ("a");
	qthres = 5; } );
EOF2
out=$("$NFLOGD" --check-config -c "$T/typo.conf" 2>&1); rc=$?
check_eq "typo: exit 1" "$rc" 1
check "typo: FILE:LINE names the key" grep -q "^$T/typo.conf:3: .*qthres" <<<"$out"
echo "#   $out"
out=$("$NFLOGD" -c "$T/typo.conf" 2>&1); rc=$?
check_eq "typo: the daemon does not start either" "$rc" 1

# a good file: FILE: OK
out=$("$NFLOGD" --check-config -c "$T/a.conf" 2>&1); rc=$?
check_eq "good config: exit 0" "$rc" 0
check_eq "good config: FILE: OK" "$out" "$T/a.conf: OK"

# missing file
out=$("$NFLOGD" --check-config -c "$T/missing.conf" 2>&1); rc=$?
check_eq "missing config: exit 1" "$rc" 1
check "missing config: says so" grep -q "$T/missing.conf" <<<"$out"

# an output directory that does not exist: --check-config says FILE:LINE
# (it used to pass, and the start failed); the daemon does not start
cat >"$T/nodir.conf" <<EOF2
outputs = (
	$(conf_file_output a "$T/nodir/a.log" text) );
groups = ( { group = 44; outputs = ("a"); } );
EOF2
out=$("$NFLOGD" --check-config -c "$T/nodir.conf" 2>&1); rc=$?
check_eq "missing output directory: --check-config exits 1" "$rc" 1
check "missing output directory: FILE:LINE names it" \
	grep -q "^$T/nodir.conf:2: path: directory \"$T/nodir\" does not exist" <<<"$out"
echo "#   $out"
nsx "$NFLOGD" -c "$T/nodir.conf" >"$T/nodir.out" 2>&1; rc=$?
check_eq "missing output directory: the daemon does not start either" "$rc" 1
# ... except /var/log/nflogd, which nflogd.service's LogsDirectory= makes
# at start: a warning, and the file is valid (only where it does not exist:
# nothing is created there)
if [ ! -e /var/log/nflogd ]; then
	cat >"$T/logsdir.conf" <<EOF2
outputs = (
	$(conf_file_output a /var/log/nflogd/a.log text) );
groups = ( { group = 44; outputs = ("a"); } );
EOF2
	out=$("$NFLOGD" --check-config -c "$T/logsdir.conf" 2>&1); rc=$?
	check_eq "LogsDirectory= not made yet: --check-config exits 0" "$rc" 0
	check "... with a warning at FILE:LINE, then OK" grep -qz \
		"^$T/logsdir.conf:2: warning: directory /var/log/nflogd does not exist yet.*LogsDirectory=.*$T/logsdir.conf: OK" <<<"$out"
	echo "#   $out"
else
	ok "# SKIP /var/log/nflogd exists here"
fi

# an output that passes the config check but cannot be opened at start:
# its directory is read-only (a read-only bind mount in a private mount
# namespace; as root, file modes would not stop the open)
mkdir "$T/rodir"
cat >"$T/noopen.conf" <<EOF2
outputs = ( $(conf_file_output a "$T/rodir/a.log" text) );
groups = ( { group = 44; outputs = ("a"); } );
EOF2
nsx unshare -m --propagation private sh -c \
	'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' sh \
	"$T/rodir" "$NFLOGD" -c "$T/noopen.conf" >"$T/noopen.out" 2>&1; rc=$?
check_eq "unopenable output: exit 1" "$rc" 1
check "unopenable output: names output, path and cause" \
	grep -q "output a: cannot open $T/rodir/a.log: Read-only file system" "$T/noopen.out"

# the conntrack flag: this kernel may lack CONFIG_NETFILTER_NETLINK_GLUE_CT;
# then the group must run without it and say so, not fail or stay silent
cat >"$T/ct.conf" <<EOF2
outputs = ( $(conf_file_output a "$T/ct.log" text) );
groups = ( { group = 45; outputs = ("a"); flags = ("seq", "conntrack"); } );
EOF2
if daemon_start "$T/ct.conf" ct; then
	if grep -q "flags 0x5" "$T/ct.log"; then
		ok "conntrack flag accepted by this kernel"
	else
		check "conntrack refused: a warning names the group and the kernel option" \
			grep -q "group 45: the kernel refused the conntrack flag.*CONFIG_NETFILTER_NETLINK_GLUE_CT" "$T/ct.log"
		check "conntrack refused: the group runs with seq only" grep -q "group 45 bound: .*flags 0x1 " "$T/ct.log"
	fi
	daemon_stop ct
else
	not_ok "a group asking for conntrack starts"
fi

# usage errors
"$NFLOGD" --no-such-option >/dev/null 2>&1; rc=$?
check_eq "unknown option: exit 2" "$rc" 2
e2e_finish
