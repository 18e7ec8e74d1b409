# shellcheck shell=bash
# tests/e2e/lib_nspawn.sh - a throwaway systemd to test nflogd.service in.
# Sourced after lib.sh (for ok/not_ok/check/e2e_finish).
#
# systemd-nspawn boots the host's own /usr (--volatile=yes: a tmpfs root,
# /usr read-only) as PID 1 of a container, in a network namespace of its
# own, with CAP_NET_ADMIN (nspawn drops it by default; NFLOG bind needs
# it). Nothing of the host is touched: the container, its netns, its
# cgroups and the temp dir are removed by the trap.
#
#   nspawn_init NAME        $NS (netns), $T (temp dir), $ID, cleanup trap
#   nspawn_install          `meson install --destdir` of the build under test
#                           (prefix /usr/local) into $T/dest; sets $L, the tree
#                           to bind over the container's /usr/local
#   nspawn_boot BIND...     boot with extra nspawn options (--bind-ro=A:B ...)
#                           and wait until the system is running; sets $LEADER
#   C CMD...                run CMD inside the container (systemctl, journalctl)
#   CROOT                   the container's / as seen from the host
#   nsx CMD...              run CMD in the container's netns (nft, traffic)
#   nspawn_poweroff         stop the container; returns its exit code
#   wait_for SEC CMD...     retry CMD every 0.1 s until it succeeds or SEC pass
set -u

NSPAWN_PID=
LEADER=
CGDIRS=()

nspawn_init() {
	[ "$(id -u)" = 0 ] || e2e_skip "needs root (systemd-nspawn, network namespaces)"
	command -v systemd-nspawn >/dev/null || e2e_skip "needs systemd-nspawn (apt-get install systemd-container)"
	command -v nft >/dev/null || e2e_skip "needs nft (apt-get install nftables)"
	[ -x /lib/systemd/systemd ] || [ -x /usr/lib/systemd/systemd ] || e2e_skip "no systemd in /usr to boot"
	ID="nfd-$1-$$"
	NS=$ID
	T=$(mktemp -d "/tmp/nflogd-e2e-$1.XXXXXX")
	chmod 755 "$T"
	trap nspawn_cleanup EXIT
	ip netns add "$NS" || { echo "cannot create netns $NS"; exit 1; }
	ip -n "$NS" link set lo up
	# nspawn --keep-unit puts payload/ and supervisor/ under its own cgroup;
	# outside systemd that is the root cgroup, shared by concurrent runs:
	# give this run a cgroup of its own.
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		CGDIRS=("/sys/fs/cgroup/$ID")
	else
		CGDIRS=("/sys/fs/cgroup/unified/$ID" "/sys/fs/cgroup/systemd/$ID")
	fi
	local d
	for d in "${CGDIRS[@]}"; do
		mkdir "$d" || e2e_skip "cannot create cgroup $d for systemd-nspawn"
	done
}

nspawn_cleanup() {
	set +e
	local name cmd
	for cmd in "${E2E_ON_EXIT[@]}"; do eval "$cmd"; done   # lib.sh's on_exit
	for name in "${!DAEMON_PIDS[@]}"; do   # daemons the test ran outside
		kill -KILL "${DAEMON_PIDS[$name]}" 2>/dev/null
		wait "${DAEMON_PIDS[$name]}" 2>/dev/null
	done
	if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
		[ -n "$LEADER" ] && C systemctl poweroff --no-block 2>/dev/null
		for _ in $(seq 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
		# a second SIGTERM makes nspawn stop at once
		kill -TERM "$NSPAWN_PID" 2>/dev/null; sleep 1; kill -TERM "$NSPAWN_PID" 2>/dev/null
		wait "$NSPAWN_PID" 2>/dev/null
	fi
	local d
	for d in "${CGDIRS[@]}"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	# nspawn cannot remove its propagation dir when /run is not a tmpfs
	[ -n "${ID:-}" ] && rm -rf "/run/systemd/nspawn/propagate/$ID"
	ip netns del "$NS" 2>/dev/null
	if [ "$E2E_FAILED" != 0 ] || [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $T for inspection (console: $T/console.log)"
	else
		rm -rf "$T"
	fi
}

C() { nsenter -t "$LEADER" -a "$@"; }
CROOT() { echo "/proc/$LEADER/root"; }
nsx() { ip netns exec "$NS" "$@"; }

wait_for() {
	local secs=$1
	shift
	for _ in $(seq $((secs * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

nspawn_boot() {
	systemd-id128 new >"$T/machine-id"   # not empty: no first-boot presets
	(
		for d in "${CGDIRS[@]}"; do echo "$BASHPID" >"$d/cgroup.procs"; done
		exec systemd-nspawn -q -D / --volatile=yes --register=no --keep-unit -M "$ID" \
			--network-namespace-path="/run/netns/$NS" --capability=CAP_NET_ADMIN \
			--bind-ro="$T/machine-id:/etc/machine-id" "$@" \
			--console=pipe -b systemd.firstboot=off \
			systemd.mask=systemd-machine-id-commit.service
	) >"$T/console.log" 2>&1 </dev/null &
	NSPAWN_PID=$!
	# PID 1 of the container: the child of nspawn named systemd
	local p
	for _ in $(seq 200); do
		for p in $(pgrep -P "$NSPAWN_PID" || true); do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ] && LEADER=$p
		done
		[ -n "$LEADER" ] && break
		kill -0 "$NSPAWN_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "$LEADER" ]; then
		if grep -qiE "operation not permitted|not supported|failed to (mount|create)" "$T/console.log"; then
			sed 's/^/#   /' "$T/console.log"
			e2e_skip "systemd-nspawn cannot run here"
		fi
		echo "# container did not start:"; sed 's/^/#   /' "$T/console.log"
		return 1
	fi
	wait_for 10 C test -S /run/systemd/private 2>/dev/null
	local state
	state=$(C timeout 30 systemctl is-system-running --wait 2>/dev/null || true)
	echo "# container $ID booted: $state"
	[ "$state" = running ] || C systemctl --no-pager --failed | sed 's/^/#   /'
	return 0
}

nspawn_poweroff() {
	C systemctl poweroff --no-block
	local rc
	for _ in $(seq 200); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.05; done
	wait "$NSPAWN_PID"; rc=$?
	NSPAWN_PID=
	return $rc
}

nspawn_install() {
	: "${NFLOGD_BUILD:?NFLOGD_BUILD must name the build tree (meson test sets it)}"
	local build=$NFLOGD_BUILD prefix
	prefix=$(meson introspect --buildoptions "$build" |
		python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
	if [ "$prefix" != /usr/local ]; then
		echo "# $build has prefix $prefix: building a /usr/local tree in $T/build"
		build=$T/build
		meson setup "$build" "$NFLOGD_SRC" --prefix=/usr/local >/dev/null &&
			ninja -C "$build" >/dev/null || { echo "# build with prefix /usr/local failed"; return 1; }
	fi
	if ! meson install -C "$build" --destdir "$T/dest" --no-rebuild --quiet >"$T/install.log" 2>&1; then
		sed 's/^/#   /' "$T/install.log"
		return 1
	fi
	L=$T/dest/usr/local
}
