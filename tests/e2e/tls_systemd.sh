#!/bin/bash
# A TLS client key under nflogd.service, in a throwaway systemd
# (lib_nspawn.sh): the unit runs nflogd as a dynamic user, which cannot
# read a key only root may read; the start fails and the journal says so
# and what to do. Handed over with LoadCredential= and named
# "$CREDENTIALS_DIRECTORY/NAME" in the config, the key is read, the unit
# starts and its records reach a TLS server that requires the client
# certificate.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_nspawn.sh"
. "$(dirname "$0")/lib_tls.sh"
nspawn_init tlssd
command -v openssl >/dev/null || e2e_skip "needs openssl"
P="tsd$$"

# /usr/local of the container: this nflogd, the unit as installed there,
# the config, the certificates (the key root's only, 0600)
L=$T/local
mkdir -p "$L/sbin" "$L/etc/nflogd" "$L/lib/systemd/system"
cp "$NFLOGD" "$L/sbin/nflogd"
sed -e 's|/usr/sbin/nflogd|/usr/local/sbin/nflogd|g' -e 's|/etc/nflogd.conf|/usr/local/etc/nflogd.conf|g' \
	"$NFLOGD_SRC/systemd/nflogd.service" >"$L/lib/systemd/system/nflogd.service"
tls_make_certs "$T/tls" || { not_ok "openssl makes the test certificates"; e2e_finish; }
install -m 0644 "$T/tls/ca.pem" "$T/tls/client.pem" "$L/etc/nflogd/"
install -m 0600 "$T/tls/client.key" "$L/etc/nflogd/client.key"
conf() { # KEY: the config with tls.key = KEY
	cat >"$L/etc/nflogd.conf" <<EOF
outputs = (
	{ name = "central"; type = "syslog"; target = "tls://127.0.0.1:6514"; ident = "$P";
	  tls = { ca = "/usr/local/etc/nflogd/ca.pem"; cert = "/usr/local/etc/nflogd/client.pem";
	          key = "$1"; }; },
	{ name = "json"; type = "file"; path = "/var/log/nflogd/nflog.json"; format = "json"; }
);
groups = ( { group = 1; outputs = ("central", "json"); qthresh = 1; } );
EOF
}
conf /usr/local/etc/nflogd/client.key
mkdir -p "$T/dropin"
if ldd "$NFLOGD" | grep -q libasan; then
	# LeakSanitizer stops the world with ptrace, which SystemCallFilter= denies
	printf '[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n' >"$T/dropin/asan.conf"
fi

# the server: TLS on the container's loopback, a client certificate of
# the CA required; what it reads goes to server.log
ip netns exec "$NS" python3 -u -c '
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
ctx.load_verify_locations(sys.argv[3])
ctx.verify_mode = ssl.CERT_REQUIRED
srv = socket.create_server(("127.0.0.1", 6514))
out = open(sys.argv[4], "ab", buffering=0)
while True:
    conn, _ = srv.accept()
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
        out.write(b"client %s\n" % str(tls.getpeercert()["subject"]).encode())
        while (data := tls.recv(65536)):
            out.write(data)
    except (ssl.SSLError, OSError) as e:
        out.write(b"refused: %s\n" % str(e).encode())
    conn.close()' "$T/tls/server.pem" "$T/tls/server.key" "$T/tls/ca.pem" "$T/server.log" &
DAEMON_PIDS[server]=$!
nsx nft -f - <<EOF
table inet t { chain out { type filter hook output priority 0; udp dport 5561 log group 1 prefix "$P"; }; }
EOF

nspawn_boot --bind-ro="$L:/usr/local" --bind="$T/dropin:/etc/systemd/system/nflogd.service.d" ||
	{ not_ok "the container boots"; e2e_finish; }

# ---- a key only root may read: the dynamic user cannot, the start fails
C systemctl start nflogd.service 2>/dev/null; rc=$?
check "key 0600 root: the start fails (rc=$rc)" test "$rc" != 0
C systemctl stop nflogd.service   # no restart meanwhile
C journalctl -q -u nflogd.service -o cat >"$T/journal1.txt"
KEYLINE=$(grep -n "key = " "$L/etc/nflogd.conf" | cut -d: -f1)
check "the journal names the key's line and says what to do" grep -q \
	"nflogd.conf:$KEYLINE: tls key \"/usr/local/etc/nflogd/client.key\": cannot read .*Permission denied (under nflogd.service, nflogd is a dynamic user: hand the file over with LoadCredential=" \
	"$T/journal1.txt"
grep "tls key" "$T/journal1.txt" | head -1 | sed 's/^/#   /'

# ---- the same key handed over as a credential
printf '[Service]\nLoadCredential=nflogd-tls.key:/usr/local/etc/nflogd/client.key\n' \
	>"$T/dropin/credential.conf"
conf '$CREDENTIALS_DIRECTORY/nflogd-tls.key'
C systemctl daemon-reload
C systemctl reset-failed nflogd.service
C systemctl start nflogd.service; rc=$?
check_eq "LoadCredential=: systemctl start succeeds" "$rc" 0
check_eq "... and the unit is active" "$(C systemctl is-active nflogd.service)" active
nsx bash -c "for i in 1 2 3; do echo x > /dev/udp/127.0.0.1/5561; done"
wait_for 5 eval '[ "$(grep -ao "prefix=\"$P\"" "$T/server.log" | wc -l)" -ge 3 ]'
check "the server saw nflogd's client certificate" grep -q "^client .*nflogd-client" "$T/server.log"
check_eq "the 3 records reached it (octet-counted, one after another)" \
	"$(grep -ao "NFLOG \[nflog@32473 [^]]* prefix=\"$P\"" "$T/server.log" | wc -l)" 3
C systemctl stop nflogd.service
check_eq "systemctl stop: exit 0" "$(C systemctl show -P ExecMainStatus nflogd.service)" 0
nspawn_poweroff
check "the container powers off" test $? = 0
e2e_finish
