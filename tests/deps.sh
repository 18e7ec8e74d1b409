#!/bin/bash
# Install what building nflogd and running its tests needs on a fresh
# Debian 12 machine (root). Quick when everything is already there.
set -euo pipefail
packages=(
	gcc libc6-dev pkg-config meson ninja-build
	libnetfilter-log-dev libmnl-dev libsystemd-dev libconfig-dev libevent-dev
	libssl-dev   # syslog over TLS (OpenSSL >= 3.0)
	iproute2 nftables iputils-ping util-linux procps python3-minimal
	rsyslog   # tests/e2e/syslog.sh (journal.sh uses systemd's journald, below)
	rsyslog-gnutls rsyslog-openssl openssl tcpdump   # tests/e2e/tls*.sh: rsyslog's TLS drivers, certificates, capture
	clang libclang-rt-14-dev valgrind iptables   # tests/fuzz, e2e valgrind.sh, injection.sh
	systemd systemd-container man-db groff-base
	clang-format   # tests/style.sh
	logrotate   # tests/e2e/logrotate_unit.sh
	psad logwatch fail2ban python3-systemd jq systemd-journal-remote   # tests/e2e/consumers_*.sh
	python3-dev python3-pytest abigail-tools   # the nflogr module, tests/python, tests/lib/abi.sh
	python3-matplotlib   # bench/chart.py (e2e bench_smoke.sh); jq above also reads the ECS output
	libpcap-dev tcpdump tshark   # test_pcap (libpcap reads captures), e2e pcap*.sh
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
