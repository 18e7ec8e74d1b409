#!/bin/bash
# The man pages (nflogd(8), nflogd.conf(5), nflogr(3)) render without a warning: groff's own checks (-ww) and
# man-db's (--warnings), as `man -l` shows them.
set -u
: "${NFLOGD_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
command -v groff >/dev/null || { echo "1..0 # SKIP needs groff (apt-get install groff-base)"; exit 77; }
n=0 failed=0
for page in "$NFLOGD_SRC/doc/nflogd.8" "$NFLOGD_SRC/doc/nflogd.conf.5" "$NFLOGD_SRC/doc/nflogr.3"; do
	n=$((n + 1))
	out=$(groff -man -ww -z "$page" 2>&1)
	if command -v man >/dev/null; then
		out+=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	fi
	if [ -z "$out" ] && [ "$(MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l)" -gt 50 ]; then
		echo "ok $n - ${page##*/} renders without warnings"
	else
		failed=$((failed + 1))
		echo "not ok $n - ${page##*/} renders without warnings"
		sed 's/^/#   /' <<<"$out"
	fi
done
# every key of the config's key tables has its own entry in nflogd.conf.5
n=$((n + 1))
missing=
keys=$(grep -ohE '^[[:space:]]*\{ ?"[a-z_]+", KEY_' "$NFLOGD_SRC"/src/daemon/config*.c |
	sed -E 's/.*\{ ?"([a-z_]+)".*/\1/' | sort -u)
# the key tables were found at all (a moved or reformatted table must not
# make this check pass on nothing)
[ "$(wc -w <<<"$keys")" -ge 30 ] || missing=" (only $(wc -w <<<"$keys") keys found in src/daemon/config*.c)"
for k in $keys; do
	# an entry: .BR key " (type, default ...)" or .BR a ", " key " (...)"
	grep -qE "^\.BR ([a-z_]+ \", \" )?$k (\", \" [a-z_]+ )?\" \(" "$NFLOGD_SRC/doc/nflogd.conf.5" ||
		missing+=" $k"
done
if [ -z "$missing" ]; then
	echo "ok $n - nflogd.conf.5 documents every configuration key"
else
	failed=$((failed + 1))
	echo "not ok $n - nflogd.conf.5 documents every configuration key; missing:$missing"
fi
echo "1..$n"
[ "$failed" = 0 ]
