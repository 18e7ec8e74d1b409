#!/bin/bash
# libnflogr's exported ABI against the committed baseline
# (src/libnflogr/abi/libnflogr-VERSION.abi, an abidw dump): any change
# fails unless the library's version was bumped (a compatible change:
# functions added) or its soname (an incompatible one). Public types only:
# the opaque structs' insides are private (--headers-dir include).
#
#   abi.sh                  the test (meson test lib_abi)
#   abi.sh --update BUILD   write the baseline for BUILD's library (after a bump)
set -u
: "${NFLOGD_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
abidir=$NFLOGD_SRC/src/libnflogr/abi
headers=$NFLOGD_SRC/include

dump() {  # LIB: the abidw dump on stdout
	abidw --no-corpus-path --no-show-locs --headers-dir "$headers" "$1"
}

if [ "${1:-}" = --update ]; then
	lib=$2/src/libnflogr.so.0
	version=$(readlink -f "$lib" | sed 's/.*\.so\.//')
	rm -f "$abidir"/libnflogr-*.abi
	dump "$lib" >"$abidir/libnflogr-$version.abi" && echo "wrote $abidir/libnflogr-$version.abi"
	exit
fi

command -v abidiff >/dev/null || { echo "1..0 # SKIP needs abidiff (apt-get install abigail-tools)"; exit 77; }
: "${LIBNFLOGR:?LIBNFLOGR must point at the built libnflogr.so.0}"
: "${LIBNFLOGR_VERSION:?LIBNFLOGR_VERSION must be the library version}"
n=0 failed=0
result() {  # OK DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

baseline=$(ls "$abidir"/libnflogr-*.abi 2>/dev/null)
[ "$(echo "$baseline" | wc -w)" = 1 ] || { echo "not ok 1 - one baseline in $abidir"; echo "1..1"; exit 1; }
base_version=$(basename "$baseline" .abi); base_version=${base_version#libnflogr-}
base_soname=$(sed -n "1s/.*soname='\([^']*\)'.*/\1/p" "$baseline")

# verdict LIB VERSION: 0 when LIB may ship as VERSION against the baseline
verdict() {
	local lib=$1 version=$2 soname rc
	soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
	abidiff --no-show-locs --headers-dir1 "$headers" --headers-dir2 "$headers" \
		"$baseline" "$lib" >"$T/abidiff.out" 2>&1
	rc=$?
	if [ $((rc & 3)) != 0 ]; then
		echo "# abidiff failed ($rc)"; sed 's/^/#   /' "$T/abidiff.out"; return 1
	fi
	[ "$rc" = 0 ] && return 0
	sed 's/^/#   /' "$T/abidiff.out" | head -20
	if [ $((rc & 8)) != 0 ] && [ "$soname" = "$base_soname" ]; then
		echo "# incompatible ABI change with the soname still $soname: bump the major version"
		return 1
	fi
	if [ "$version" = "$base_version" ]; then
		echo "# the exported ABI changed but the version is still $version: bump it (src/meson.build)"
		echo "# and write the new baseline: tests/lib/abi.sh --update BUILD_DIR"
		return 1
	fi
	echo "# ABI changed with a version bump ($base_version -> $version): write the new baseline"
	return 0
}

T=$(mktemp -d /tmp/nflogr-abi.XXXXXX)
trap 'rm -rf "$T"' EXIT

verdict "$LIBNFLOGR" "$LIBNFLOGR_VERSION"
result $? "the built library matches the baseline libnflogr-$base_version.abi (or its version says why not)"

# The check itself, on libraries made here: the same objects plus one
# exported function (compatible), and a library lacking most functions
# (incompatible), both with the real soname.
: "${NFLOGR_CORE_A:?NFLOGR_CORE_A must point at libnflogr_core.a}"
cat >"$T/extra.c" <<'C'
int nflogr_extra_for_abi_test(void);
int nflogr_extra_for_abi_test(void) { return 1; }
C
sed 's/^\t\tnflogr_version;/&\n\t\tnflogr_extra_for_abi_test;/' \
	"$NFLOGD_SRC/src/libnflogr/libnflogr.map" >"$T/extra.map"
cc -g -shared -fPIC -o "$T/added.so" -Wl,-soname,libnflogr.so.0 -Wl,--version-script="$T/extra.map" \
	"$T/extra.c" -Wl,--whole-archive "$NFLOGR_CORE_A" -Wl,--no-whole-archive \
	-lnetfilter_log -lmnl -lm ${NFLOGR_TEST_CFLAGS:-} 2>"$T/cc.log" || sed 's/^/#   /' "$T/cc.log"
verdict "$T/added.so" "$LIBNFLOGR_VERSION" >/dev/null
result $((! $?)) "a function added without a version bump fails the check"
verdict "$T/added.so" 0.99.0 >/dev/null
result $? "... and passes it with one"
printf 'const char *nflogr_version(void);\nconst char *nflogr_version(void) { return "x"; }\n' >"$T/few.c"
cc -g -shared -fPIC -o "$T/few.so" -Wl,-soname,libnflogr.so.0 "$T/few.c"
verdict "$T/few.so" 0.99.0 >/dev/null
result $((! $?)) "functions removed without a soname change fail the check, whatever the version"
echo "1..$n"
[ "$failed" = 0 ]
