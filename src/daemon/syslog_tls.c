/* syslog_tls.c - RFC 5425: syslog over TLS, OpenSSL on the TCP
 * transport's non-blocking socket.
 *
 * connect: TCP's connect, then SSL_connect until the handshake is done;
 * each step that has to wait returns EINPROGRESS with c->want. A failed
 * handshake leaves its reason in words in c->reason: the first problem
 * the certificate check met (kept by verify_cb), or the alert or error
 * OpenSSL reports. Nothing is written before the handshake is done, so a
 * refused server never sees a record, in clear or not.
 *
 * send: up to one record of the queue's bytes is copied into rec and
 * counted as taken at once; SSL_write retries exactly those bytes (as
 * OpenSSL requires) until they are on the socket, then notes in acks
 * where the wire stands. acked() answers in plaintext bytes whose wire
 * bytes the peer's TCP acknowledged (syslog_ackmap.h): that is as far as
 * TLS over TCP can tell. The peer's TLS layer may still throw them away
 * (a server that rejects the client certificate after the handshake, as
 * TLS 1.3 allows), and its syslog daemon may not have read them.
 */
#include "syslog_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "loop.h"
#include "syslog_ackmap.h"
#include "syslog_tls_creds.h"
#include "syslog_transport.h"

#define TLS_RECORD_MAX 16384 /* plaintext per SSL_write: one TLS record */
#define TLS_RECV_READS 64    /* reads per readable event, at most */

/* The first problem the certificate check met, for the message. */
struct verify_problem {
	int error; /* X509_V_ERR_*; 0: none */
	int depth; /* 0: the server's own certificate, else a CA of its chain */
	char subject[200], issuer[200], names[240], not_before[40], not_after[40];
};

struct syslog_tls {
	SSL_CTX *ctx;
	char name[256]; /* the server's certificate must carry it */
	bool name_is_ip;
	bool verify;
	bool client_cert;
	unsigned min_version;
	/* the connection */
	SSL *ssl;
	bool fatal;	      /* it failed: no close_notify */
	size_t rec_len;	      /* bytes of rec taken, not yet written */
	uint64_t plain_total; /* plaintext written on this connection */
	struct syslog_ackmap acks;
	struct verify_problem vp;
	unsigned char rec[TLS_RECORD_MAX];
};

static bool is_ip(const char *s)
{
	unsigned char a[16];
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

struct syslog_tls *syslog_tls_new(const struct tls_config *t, const char *host, char *err,
				  size_t errlen)
{
	struct syslog_tls *st = calloc(1, sizeof *st);
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!(st->ctx = syslog_tls_ctx_new(t, err, errlen))) {
		free(st);
		return NULL;
	}
	snprintf(st->name, sizeof st->name, "%s", t->name[0] ? t->name : host);
	st->name_is_ip = is_ip(st->name);
	st->verify = t->verify;
	st->client_cert = t->cert.data != NULL;
	st->min_version = t->min_version;
	syslog_ackmap_init(&st->acks);
	return st;
}

void syslog_tls_free(struct syslog_tls *st)
{
	if (!st)
		return;
	SSL_free(st->ssl);
	SSL_CTX_free(st->ctx);
	syslog_ackmap_free(&st->acks);
	OPENSSL_cleanse(st->rec, sizeof st->rec);
	free(st);
}

/* ---- what the certificate check found ---- */

static void name_text(const X509_NAME *n, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int r = b ? X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) : -1;
	int got = r >= 0 ? BIO_read(b, out, (int)len - 1) : 0;
	out[got > 0 ? got : 0] = '\0';
	BIO_free(b);
}

static void time_text(const ASN1_TIME *t, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int r = b && t ? ASN1_TIME_print_ex(b, t, ASN1_DTFLGS_ISO8601) : 0;
	int got = r ? BIO_read(b, out, (int)len - 1) : 0;
	out[got > 0 ? got : 0] = '\0';
	BIO_free(b);
}

/* "DNS:a.example, IP:192.0.2.1": the names a certificate is valid for. */
static void alt_names_text(X509 *x, char *out, size_t len)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && n < len; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char ip[INET6_ADDRSTRLEN] = "";
		if (g->type == GEN_DNS)
			n += (size_t)snprintf(out + n, len - n, "%sDNS:%.*s", n ? ", " : "",
					      ASN1_STRING_length(g->d.dNSName),
					      (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		else if (g->type == GEN_IPADD &&
			 inet_ntop(ASN1_STRING_length(g->d.iPAddress) == 16 ? AF_INET6 : AF_INET,
				   ASN1_STRING_get0_data(g->d.iPAddress), ip, sizeof ip))
			n += (size_t)snprintf(out + n, len - n, "%sIP:%s", n ? ", " : "", ip);
	}
	GENERAL_NAMES_free(gens);
	if (!out[0])
		snprintf(out, len, "none: no subjectAltName");
}

/* OpenSSL's verification callback: keep the first problem, in words. */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
	if (ok)
		return 1;
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct syslog_tls *st = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(x);
	if (!st || st->vp.error)
		return 0;
	struct verify_problem *vp = &st->vp;
	vp->error = X509_STORE_CTX_get_error(x);
	vp->depth = X509_STORE_CTX_get_error_depth(x);
	if (cert) {
		name_text(X509_get_subject_name(cert), vp->subject, sizeof vp->subject);
		name_text(X509_get_issuer_name(cert), vp->issuer, sizeof vp->issuer);
		alt_names_text(cert, vp->names, sizeof vp->names);
		time_text(X509_get0_notBefore(cert), vp->not_before, sizeof vp->not_before);
		time_text(X509_get0_notAfter(cert), vp->not_after, sizeof vp->not_after);
	}
	return 0;
}

/* The certificate check failed: why, in words a person can act on. */
static void verify_words(const struct syslog_tls *st, char *out, size_t len)
{
	const struct verify_problem *vp = &st->vp;
	const char *whose =
	    vp->depth ? "a CA certificate of the server's chain" : "the server's certificate";
	switch (vp->error) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		snprintf(out, len,
			 "name mismatch: the server's certificate (%s) is not valid for \"%s\"; "
			 "it names %s: connect by one of those names, or set tls.name",
			 vp->subject, st->name, vp->names);
		return;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		snprintf(out, len, "expired certificate: %s (%s) expired on %s: renew it", whose,
			 vp->subject, vp->not_after);
		return;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		snprintf(out, len,
			 "certificate not yet valid: %s (%s) is valid from %s on: check the "
			 "clocks of both hosts",
			 whose, vp->subject, vp->not_before);
		return;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_CERT_UNTRUSTED:
		snprintf(out, len,
			 "unknown CA: %s (%s, issued by %s) is not signed by a CA nflogd trusts "
			 "(tls.ca, or the system's store without it): add that CA to tls.ca",
			 whose, vp->subject, vp->issuer);
		return;
	}
	snprintf(out, len, "certificate check failed: %s (%s): %s", whose, vp->subject,
		 X509_verify_cert_error_string(vp->error));
}

/* ---- other failures ---- */

static bool is_protocol_version(int reason)
{
	return reason == SSL_R_UNSUPPORTED_PROTOCOL ||
	       reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION ||
	       reason == SSL_R_NO_PROTOCOLS_AVAILABLE || reason == SSL_R_VERSION_TOO_LOW;
}

/* The server sent an alert about our certificate (or its absence). */
static bool is_client_cert_alert(int reason)
{
	return reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
	       reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
	       reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN ||
	       reason == SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED ||
	       reason == SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED ||
	       reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA || reason == SSL_R_TLSV1_ALERT_ACCESS_DENIED;
}

/* Why the connection failed (sslerr: SSL_get_error's answer), into
 * c->reason; returns the errno that goes with it. */
static int failure(struct syslog_conn *c, int sslerr, const char *when)
{
	struct syslog_tls *st = c->priv;
	char *out = c->reason;
	size_t len = sizeof c->reason;
	int sys = errno;
	unsigned long e = ERR_peek_error();
	int reason = ERR_GET_LIB(e) == ERR_LIB_SSL ? ERR_GET_REASON(e) : 0;
	const char *what = e ? ERR_reason_error_string(e) : NULL;
	char errs[256];
	st->fatal = true;
	if (st->vp.error) {
		verify_words(st, out, len);
	} else if (is_protocol_version(reason)) {
		snprintf(out, len,
			 "protocol version: the server speaks no TLS version nflogd accepts "
			 "(TLS %s or later: tls.min_version)",
			 st->min_version == TLS1_3_VERSION ? "1.3" : "1.2");
	} else if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG) {
		snprintf(out, len,
			 "the peer does not answer in TLS (%s): is this a plain TCP syslog port? "
			 "(RFC 5425 TLS is usually port 6514)",
			 what);
	} else if (is_client_cert_alert(reason)) {
		snprintf(out, len,
			 st->client_cert ? "the server refused nflogd's client certificate "
					   "(alert: %s): is tls.cert issued by a CA the server "
					   "trusts, and valid?"
					 : "the server wants a client certificate (alert: %s): "
					   "give tls.cert and tls.key",
			 what);
	} else if (sslerr == SSL_ERROR_SYSCALL && sys) {
		snprintf(out, len, "%s: %s", when, strerror(sys));
		ERR_clear_error();
		return sys;
	} else if ((sslerr == SSL_ERROR_SYSCALL || sslerr == SSL_ERROR_ZERO_RETURN ||
		    reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) &&
		   BIO_number_read(SSL_get_rbio(st->ssl)) == 0) {
		snprintf(out, len,
			 "the server closed the connection without answering nflogd's TLS hello: "
			 "it may share no protocol version (nflogd: TLS %s or later, "
			 "tls.min_version) or cipher with nflogd",
			 st->min_version == TLS1_3_VERSION ? "1.3" : "1.2");
	} else if (sslerr == SSL_ERROR_SYSCALL || sslerr == SSL_ERROR_ZERO_RETURN ||
		   reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		snprintf(out, len,
			 "the server closed the connection %s (does it want a client "
			 "certificate?)",
			 when);
	} else {
		snprintf(out, len, "%s failed: %s", when, syslog_tls_errors(errs, sizeof errs));
	}
	ERR_clear_error();
	return EPROTO;
}

/* The server closed or reset a connection before it acknowledged a
 * single record: most likely it refuses this client after the handshake
 * (rsyslog checks the client's certificate then, and just closes). A
 * TLS alert, if one came, says more: failure() then overwrites this. */
static void refused_words(struct syslog_conn *c)
{
	struct syslog_tls *st = c->priv;
	snprintf(c->reason, sizeof c->reason,
		 "the server closed the TLS connection before it acknowledged any record: "
		 "does it refuse nflogd as a client? (%s)",
		 st->client_cert ? "it was shown the certificate of tls.cert: does the server "
				   "trust its CA and permit its name?"
				 : "it may require a client certificate: tls.cert, tls.key");
}

/* ---- the connection ---- */

/* SSL_get_error's "try again": wait for what it names. */
static bool wants(struct syslog_conn *c, int sslerr)
{
	if (sslerr == SSL_ERROR_WANT_READ)
		c->want = LOOP_READ;
	else if (sslerr == SSL_ERROR_WANT_WRITE)
		c->want = LOOP_WRITE;
	else
		return false;
	return true;
}

static int handshake(struct syslog_conn *c)
{
	struct syslog_tls *st = c->priv;
	ERR_clear_error();
	errno = 0;
	int r = SSL_connect(st->ssl);
	if (r == 1) {
		c->reason[0] = '\0';
		return 0;
	}
	int e = SSL_get_error(st->ssl, r);
	if (!wants(c, e))
		return failure(c, e, "during the TLS handshake");
	/* what the connect timer will say, should the server never answer */
	snprintf(c->reason, sizeof c->reason,
		 "the server did not complete the TLS handshake in time: does it speak TLS on "
		 "this port? (a plain TCP syslog port waits for more: RFC 5425 TLS is usually "
		 "port 6514)");
	return EINPROGRESS;
}

/* TCP is up: a fresh SSL on its socket, set to check the server's name. */
static int handshake_start(struct syslog_conn *c)
{
	struct syslog_tls *st = c->priv;
	char errs[256];
	st->ssl = SSL_new(st->ctx);
	bool ok = st->ssl && SSL_set_fd(st->ssl, c->fd) && SSL_set_app_data(st->ssl, st);
	if (ok && !st->name_is_ip) /* SNI carries names, never addresses */
		ok = SSL_set_tlsext_host_name(st->ssl, st->name);
	if (ok && st->verify) {
		X509_VERIFY_PARAM *p = SSL_get0_param(st->ssl);
		SSL_set_verify(st->ssl, SSL_VERIFY_PEER, verify_cb);
		X509_VERIFY_PARAM_set_hostflags(p, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		ok = st->name_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(p, st->name)
				    : SSL_set1_host(st->ssl, st->name);
	}
	if (ok)
		return handshake(c);
	st->fatal = true;
	snprintf(c->reason, sizeof c->reason, "TLS setup: %s",
		 syslog_tls_errors(errs, sizeof errs));
	return ENOMEM;
}

static void conn_reset(struct syslog_tls *st)
{
	SSL_free(st->ssl);
	st->ssl = NULL;
	st->fatal = false;
	st->rec_len = 0;
	st->plain_total = 0;
	syslog_ackmap_reset(&st->acks);
	memset(&st->vp, 0, sizeof st->vp);
}

static int tls_connect(struct syslog_conn *c, const struct sockaddr *sa, socklen_t len)
{
	conn_reset(c->priv);
	int e = syslog_tcp_connect(c, sa, len);
	return e ? e : handshake_start(c);
}

static int tls_connect_continue(struct syslog_conn *c)
{
	struct syslog_tls *st = c->priv;
	if (st->ssl)
		return handshake(c);
	int e = syslog_tcp_connect_continue(c);
	return e ? e : handshake_start(c);
}

/* Write rec (again): 0 once it is on the socket, or -errno. */
static int write_record(struct syslog_conn *c)
{
	struct syslog_tls *st = c->priv;
	ERR_clear_error();
	errno = 0;
	int r = SSL_write(st->ssl, st->rec, (int)st->rec_len);
	if (r > 0) {
		st->plain_total += st->rec_len;
		syslog_ackmap_note(&st->acks, BIO_number_written(SSL_get_wbio(st->ssl)),
				   st->plain_total);
		st->rec_len = c->unflushed = 0;
		return 0;
	}
	int e = SSL_get_error(st->ssl, r);
	if (wants(c, e))
		return -EAGAIN;
	return -failure(c, e, "while sending");
}

static size_t gather(unsigned char *dst, size_t room, const struct iovec *iov, int iovcnt)
{
	size_t n = 0;
	for (int i = 0; i < iovcnt && n < room; i++) {
		size_t k = iov[i].iov_len < room - n ? iov[i].iov_len : room - n;
		memcpy(dst + n, iov[i].iov_base, k);
		n += k;
	}
	return n;
}

static ssize_t tls_send(struct syslog_conn *c, const struct iovec *iov, int iovcnt)
{
	struct syslog_tls *st = c->priv;
	int r;
	if (st->rec_len && (r = write_record(c)) < 0)
		return r;
	if (iovcnt == 0)
		return 0;
	size_t taken = gather(st->rec, sizeof st->rec, iov, iovcnt);
	st->rec_len = c->unflushed = taken;
	/* taken even when it must wait: the next call finishes these bytes */
	r = write_record(c);
	return r < 0 && r != -EAGAIN ? r : (ssize_t)taken;
}

/* Read and drop what the server sent (TLS 1.3 session tickets, alerts,
 * close_notify): bytes read, 0 when it closed, or -errno. */
static ssize_t tls_recv(struct syslog_conn *c)
{
	struct syslog_tls *st = c->priv;
	char b[1024];
	ssize_t total = 0;
	for (int i = 0; i < TLS_RECV_READS; i++) {
		ERR_clear_error();
		errno = 0;
		int r = SSL_read(st->ssl, b, sizeof b);
		if (r > 0) {
			total += r;
			continue;
		}
		int sys = errno;
		int e = SSL_get_error(st->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return total ? total : -EAGAIN;
		if (e != SSL_ERROR_ZERO_RETURN && e != SSL_ERROR_SYSCALL)
			return -failure(c, e, "after the handshake"); /* an alert, say */
		/* closed (close_notify, EOF) or reset */
		st->fatal = e == SSL_ERROR_SYSCALL;
		if (!st->acks.plain_acked)
			refused_words(c);
		ERR_clear_error();
		return e == SSL_ERROR_ZERO_RETURN || !sys ? 0 : -sys;
	}
	return total;
}

static uint64_t tls_acked(struct syslog_conn *c)
{
	struct syslog_tls *st = c->priv;
	return syslog_ackmap_acked(&st->acks, syslog_tcp_acked(c));
}

/* close_notify once, if the connection is sound, without waiting for the
 * server's; then the socket. */
static void tls_close(struct syslog_conn *c)
{
	struct syslog_tls *st = c->priv;
	if (st->ssl && !st->fatal && !st->rec_len && SSL_is_init_finished(st->ssl))
		SSL_shutdown(st->ssl);
	ERR_clear_error();
	conn_reset(st);
	syslog_sock_close(c);
}

const char *syslog_tls_describe(const struct syslog_tls *st, char *out, size_t len)
{
	X509 *peer = st->ssl ? SSL_get0_peer_certificate(st->ssl) : NULL;
	char subject[200] = "";
	if (peer)
		name_text(X509_get_subject_name(peer), subject, sizeof subject);
	snprintf(out, len, "%s, %s, server certificate %s %s \"%s\"",
		 st->ssl ? SSL_get_version(st->ssl) : "-",
		 st->ssl ? SSL_get_cipher_name(st->ssl) : "-", subject[0] ? subject : "(none)",
		 st->verify ? "verified for" : "NOT verified (verify = false), name", st->name);
	return out;
}

const struct syslog_transport_ops syslog_transport_tls = {
	.scheme = "tls",
	.stream = true,
	.watch_read = true,
	.connect = tls_connect,
	.connect_continue = tls_connect_continue,
	.send = tls_send,
	.recv = tls_recv,
	.acked = tls_acked,
	.close = tls_close,
};
