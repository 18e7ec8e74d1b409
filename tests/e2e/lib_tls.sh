# tests/e2e/lib_tls.sh - certificates for the TLS tests, made by openssl in
# the test's temp dir. Source it after lib.sh.
#
#   tls_make_certs DIR   a CA (ca.pem) and, signed by it: server.pem/key
#                        (syslog.test, localhost, 127.0.0.1, ::1),
#                        wrongname.pem/key (other.test only), expired.pem/key
#                        (the server's names, valid 2020-2021 only) and
#                        client.pem/key (CN nflogd-client); a second CA
#                        (otherca.pem) that signed none of them
#   tls_client_cert DIR CN   a new client key and certificate (DIR/client.*)
#                        for CN, signed by DIR/ca: a renewal
#   tls_capture FILTER   tcpdump on the loopback of $NS into $T/lo.pcap
#   tls_capture_stop     stop it (the capture file complete)
TLS_SERVER_NAMES="DNS:syslog.test,DNS:localhost,IP:127.0.0.1,IP:::1"

tls_key() { openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# tls_sign DIR NAME CN SAN [openssl ca dates...]: DIR/NAME.pem for a new
# DIR/NAME.key, signed by DIR/ca with openssl ca (which can back-date)
tls_sign() {
	local d=$1 name=$2 cn=$3 san=$4
	shift 4
	tls_key "$d/$name.key" &&
		openssl req -new -key "$d/$name.key" -subj "/CN=$cn" -out "$d/$name.csr" 2>/dev/null &&
		SAN=$san openssl ca -batch -config "$d/ca.cnf" \
			-extensions "$([ -n "$san" ] && echo server || echo client)" \
			-in "$d/$name.csr" -out "$d/$name.pem" -notext "$@" 2>"$d/$name.err" >/dev/null ||
		{ echo "# tls_sign $name:"; sed 's/^/#   /' "$d/$name.err"; return 1; }
}

tls_make_certs() {
	local d=$1
	mkdir -p "$d/db"
	: >"$d/db/index.txt"
	echo 1000 >"$d/db/serial"
	cat >"$d/ca.cnf" <<-EOF
	[ ca ]
	default_ca = test_ca
	[ test_ca ]
	database = $d/db/index.txt
	new_certs_dir = $d/db
	serial = $d/db/serial
	certificate = $d/ca.pem
	private_key = $d/ca.key
	default_md = sha256
	default_days = 30
	policy = any
	unique_subject = no
	[ any ]
	commonName = supplied
	[ server ]
	basicConstraints = CA:FALSE
	keyUsage = digitalSignature
	extendedKeyUsage = serverAuth
	subjectAltName = \${ENV::SAN}
	[ client ]
	basicConstraints = CA:FALSE
	keyUsage = digitalSignature
	extendedKeyUsage = clientAuth
	EOF
	local ca
	for ca in ca otherca; do
		tls_key "$d/$ca.key" &&
			openssl req -x509 -new -key "$d/$ca.key" -subj "/CN=nflogd test $ca $$" \
				-days 30 -out "$d/$ca.pem" 2>/dev/null || return 1
	done
	tls_sign "$d" server "syslog.test" "$TLS_SERVER_NAMES" &&
		tls_sign "$d" wrongname "other.test" "DNS:other.test" &&
		tls_sign "$d" expired "syslog.test" "$TLS_SERVER_NAMES" \
			-startdate 20200101000000Z -enddate 20210101000000Z &&
		tls_client_cert "$d" nflogd-client
}

tls_client_cert() { tls_sign "$1" client "$2" ""; }

tls_capture() {
	# not through nsx: $! must be tcpdump itself
	ip netns exec "$NS" tcpdump -i lo -U -s 0 -w "$T/lo.pcap" "$1" 2>"$T/tcpdump.err" &
	TLS_TCPDUMP=$!
	DAEMON_PIDS[tcpdump]=$TLS_TCPDUMP # killed by the cleanup should the test end early
	for _ in $(seq 50); do grep -q "listening on" "$T/tcpdump.err" && break; sleep 0.05; done
}

tls_capture_stop() {
	kill -INT "$TLS_TCPDUMP"
	wait "$TLS_TCPDUMP"
	unset "DAEMON_PIDS[tcpdump]"
}
