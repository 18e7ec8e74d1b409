#!/bin/bash
# See nflogd log real traffic, from a fresh clone, as root:
# installs what is missing, builds, then in a throwaway network namespace
# (and a private mount namespace whose /var/log is an empty tmpfs) runs
# nflogd with the example configuration conf/nflogd.conf unchanged, adds
# nft rules that log to its group 1, sends some traffic on the namespace's
# loopback and shows what nflogd wrote. Nothing of the host is touched.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (network namespaces, NFLOG)" >&2; exit 1; }
tests/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

NS=nflogd-demo-$$
ip netns add "$NS"
trap 'ip netns del "$NS" 2>/dev/null' EXIT
ip -n "$NS" link set lo up
ip netns exec "$NS" nft -f - <<'EOF2'
table inet demo {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 tcp flags syn log group 1 prefix "ssh-in: "
	}
	chain output {
		type filter hook output priority 0; policy accept;
		udp dport 53 log group 1 prefix "dns-out: "
		icmp type echo-request meta mark set 0x7 log group 1 prefix "ping: "
		icmpv6 type echo-request log group 1 prefix "ping6: "
	}
}
EOF2

unshare --mount --propagation private env NS="$NS" top="$top" bash -euo pipefail -c '
	mount -t tmpfs nflogd-demo /var/log
	mkdir /var/log/nflogd
	echo "== nflogd -c conf/nflogd.conf (in network namespace $NS)"
	ip netns exec "$NS" "$top/build/src/nflogd" -c "$top/conf/nflogd.conf" &
	pid=$!
	for _ in $(seq 50); do [ -e /var/log/nflogd/nflog.json ] && break; sleep 0.1; done
	sleep 0.2
	ip netns exec "$NS" ping -c 2 -i 0.2 127.0.0.1 >/dev/null
	ip netns exec "$NS" ping -6 -c 1 ::1 >/dev/null
	ip netns exec "$NS" bash -c "echo query > /dev/udp/127.0.0.1/53" || true
	ip netns exec "$NS" timeout 1 bash -c "echo > /dev/tcp/127.0.0.1/22" 2>/dev/null || true
	sleep 0.3
	kill -TERM "$pid"; wait "$pid"
	echo
	echo "== /var/log/nflogd/nflog.log (text: the kernel LOG line, log_flags all)"
	cat /var/log/nflogd/nflog.log
	echo
	echo "== /var/log/nflogd/nflog.json (JSON Lines, first record pretty-printed)"
	head -n 1 /var/log/nflogd/nflog.json | python3 -m json.tool
	echo "($(wc -l < /var/log/nflogd/nflog.json) records)"
'
