#!/bin/bash
# libnflogr as an outside program gets it: `meson install --destdir` into
# a temp dir, then installed_api.c built with `pkg-config --cflags --libs
# nflogr` against that tree alone and run against real NFLOG traffic in
# network namespaces. Also: what gets installed, and that the library
# exports nothing but its public functions.
. "$(dirname "$0")/../e2e/lib.sh"
e2e_init libinst
: "${NFLOGD_BUILD:?NFLOGD_BUILD must point at the build tree}"

dest=$T/dest
check "meson install --destdir" meson install -C "$NFLOGD_BUILD" --destdir "$dest" --no-rebuild --quiet
pc=$(find "$dest" -name nflogr.pc | head -1)
lib=$(find "$dest" -name 'libnflogr.so.0' | head -1)
check "installed: nflogr.h, nflogr.pc, libnflogr.so.0, nflogr(3), the Python module and its stub" \
	test -n "$pc" -a -n "$lib" -a -f "$(find "$dest" -name nflogr.h | head -1)" \
	-a -f "$(find "$dest" -name nflogr.3 | head -1)" \
	-a -f "$(find "$dest" -name 'nflogr.cpython-*.so' | head -1)" \
	-a -f "$(find "$dest" -name nflogr.pyi | head -1)"
check_eq "soname" "$(objdump -p "$lib" | awk '/SONAME/ {print $2}')" libnflogr.so.0
others=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^nflogr_[a-z_]*@@NFLOGR_0$' | grep -vx NFLOGR_0)
check_eq "nm -D: only the nflogr_* functions (and the version node NFLOGR_0)" "$others" ""

export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=${pc%/*}
flags=$(pkg-config --cflags --libs nflogr)
echo "# pkg-config --cflags --libs nflogr: $flags"
check "the flags point into the install tree only" bash -c "[[ '$flags' == *-I$dest/* && '$flags' != *$NFLOGD_SRC* ]]"
# NFLOGR_TEST_CFLAGS: the sanitizer flags of the tree the library was built in
if cc -std=c11 -Wall -Wextra -Werror ${NFLOGR_TEST_CFLAGS:-} "$NFLOGD_SRC/tests/lib/installed_api.c" \
	$flags -o "$T/installed_api" 2>"$T/cc.log"; then
	ok "installed_api.c builds with the pkg-config flags"
else
	not_ok "installed_api.c builds with the pkg-config flags"; sed 's/^/#   /' "$T/cc.log"
	e2e_finish
fi

nft_load <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7601 meta mark set 42 log group 71 prefix "api-out "
		udp dport 7602 log group 72 prefix "api-raise "
		udp dport 7603 log group 73 prefix "api-big "
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 7601 log group 71 prefix "api-in "
	}
}
EOF2
# a second namespace with an interface of its own (a veth pair: not every
# kernel has the dummy type), for the netns option
NS2="${NS}-b" ifname="nfx$$"
ip netns add "$NS2" && on_exit 'ip netns del "$NS2" 2>/dev/null'
ip -n "$NS2" link add "$ifname" type veth peer name "${ifname}p" &&
	ip -n "$NS2" link set "$ifname" up && ip -n "$NS2" link set "${ifname}p" up &&
	ip -n "$NS2" addr add 10.99.0.1/24 dev "$ifname"
ip netns exec "$NS2" nft -f - <<EOF2
table inet t {
	chain out {
		type filter hook output priority 0; policy accept;
		udp dport 7604 log group 74 prefix "api-ns "
	}
}
EOF2

libdir=${lib%/*}
nsx env LD_LIBRARY_PATH="$libdir" timeout 60 "$T/installed_api" "/run/netns/$NS2" "$ifname" \
	>"$T/api.out" 2>&1
rc=$?
# renumber the program's TAP lines into this script's
while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok [0-9]* - }" ;;
	"not ok "*) not_ok "${line#not ok [0-9]* - }" ;;
	"1.."*) ;;
	*) echo "#   $line" ;;
	esac
done <"$T/api.out"
check_eq "installed_api exit status" "$rc" 0
e2e_finish
