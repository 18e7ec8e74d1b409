/* syslog_tls_creds.c - tls = { ca; cert; key; } files: read, checked and
 * turned into an OpenSSL client context. */
#include "syslog_tls_creds.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

const char *syslog_tls_errors(char *out, size_t len)
{
	size_t n = 0;
	unsigned long e;
	out[0] = '\0';
	while ((e = ERR_get_error()) != 0) {
		const char *r = ERR_reason_error_string(e);
		if (n < len)
			n += (size_t)snprintf(out + n, len - n, "%s%s", n ? "; " : "",
					      r ? r : "unknown error");
	}
	if (!out[0])
		snprintf(out, len, "unknown error");
	return out;
}

/* The file a path as written names: absolute, or a credential. */
static int resolve_path(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	size_t plen = strlen(SYSLOG_TLS_CREDENTIALS_PREFIX);
	if (strncmp(path, SYSLOG_TLS_CREDENTIALS_PREFIX, plen) != 0) {
		if (path[0] == '/' && snprintf(out, outlen, "%s", path) < (int)outlen)
			return 0;
		snprintf(err, errlen,
			 "must be an absolute path, or $CREDENTIALS_DIRECTORY/NAME for a "
			 "credential of the unit (LoadCredential=NAME:FILE)");
		return -1;
	}
	const char *name = path + plen, *dir = getenv("CREDENTIALS_DIRECTORY");
	if (!name[0] || strchr(name, '/') || strcmp(name, "..") == 0) {
		snprintf(err, errlen, "after $CREDENTIALS_DIRECTORY/ comes a credential's name");
		return -1;
	}
	if (!dir || !dir[0]) {
		snprintf(err, errlen,
			 "$CREDENTIALS_DIRECTORY is not set: systemd sets it for a unit with "
			 "LoadCredential=%s:FILE (to check outside the unit, set it to a "
			 "directory that holds %s)",
			 name, name);
		return -1;
	}
	if (snprintf(out, outlen, "%s/%s", dir, name) >= (int)outlen) {
		snprintf(err, errlen, "$CREDENTIALS_DIRECTORY/%s is too long a path", name);
		return -1;
	}
	return 0;
}

static int read_error(const char *file, int e, char *err, size_t errlen)
{
	snprintf(err, errlen, "cannot read %s: %s%s", file, strerror(e),
		 e == EACCES ? " (under nflogd.service, nflogd is a dynamic user: hand "
			       "the file over with LoadCredential=, see nflogd.conf(5))"
			     : "");
	return -1;
}

/* A regular file of at most CONFIG_TLS_FILE_MAX bytes into *data. A FIFO
 * or device is refused, not read (it could block). */
static int read_file(const char *file, char **data, size_t *len, char *err, size_t errlen)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return read_error(file, errno, err, errlen);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return read_error(file, e, err, errlen);
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_TLS_FILE_MAX) {
		close(fd);
		snprintf(err, errlen, "%s is %s", file,
			 S_ISREG(st.st_mode) ? "larger than 1 MiB: not a PEM file"
					     : "not a regular file");
		return -1;
	}
	char *p = malloc((size_t)st.st_size + 1);
	size_t n = 0;
	ssize_t r = 1;
	while (p && n < (size_t)st.st_size && (r = read(fd, p + n, (size_t)st.st_size - n)) > 0)
		n += (size_t)r;
	int e = r < 0 ? errno : ENOMEM;
	close(fd);
	if (!p || r < 0) {
		free(p);
		return read_error(file, e, err, errlen);
	}
	p[n] = '\0';
	*data = p;
	*len = n;
	return 0;
}

/* Never ask for a passphrase (there is no one to ask). */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

typedef int cert_fn(X509 *x, void *arg);

/* Call fn for each certificate of PEM text data, in order: their number,
 * or -1 (err) on a damaged one or when fn fails. */
static int each_cert(const char *data, size_t len, cert_fn *fn, void *arg, char *err, size_t errlen)
{
	BIO *b = BIO_new_mem_buf(data, (int)len);
	int n = 0;
	X509 *x;
	ERR_clear_error();
	while (b && (x = PEM_read_bio_X509(b, NULL, no_passphrase, NULL))) {
		int r = fn ? fn(x, arg) : 1;
		X509_free(x);
		if (r <= 0) {
			BIO_free(b);
			char e[200];
			snprintf(err, errlen, "certificate %d: %s", n + 1,
				 syslog_tls_errors(e, sizeof e));
			return -1;
		}
		n++;
	}
	unsigned long last = ERR_peek_last_error();
	BIO_free(b);
	if (!b || (last && ERR_GET_REASON(last) != PEM_R_NO_START_LINE)) {
		char e[200];
		snprintf(err, errlen, "certificate %d is damaged: %s", n + 1,
			 syslog_tls_errors(e, sizeof e));
		return -1;
	}
	ERR_clear_error();
	if (n == 0)
		snprintf(err, errlen, "holds no certificate (PEM: -----BEGIN CERTIFICATE-----)");
	return n;
}

static EVP_PKEY *read_key(const char *data, size_t len, char *err, size_t errlen)
{
	BIO *b = BIO_new_mem_buf(data, (int)len);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL) : NULL;
	BIO_free(b);
	if (k) {
		ERR_clear_error();
		return k;
	}
	char e[200];
	syslog_tls_errors(e, sizeof e);
	if (strstr(data, "ENCRYPTED"))
		snprintf(err, errlen,
			 "the key is encrypted with a passphrase, which nflogd cannot ask for: "
			 "store it unencrypted, readable by nflogd only (LoadCredential=)");
	else
		snprintf(err, errlen, "holds no private key (PEM: -----BEGIN PRIVATE KEY-----): %s",
			 e);
	return NULL;
}

int syslog_tls_file_read(struct config_file *f, const char *path, enum syslog_tls_file_kind kind,
			 char *err, size_t errlen)
{
	char file[PATH_MAX], why[512];
	*f = (struct config_file){ 0 };
	if (resolve_path(path, file, sizeof file, err, errlen) < 0 ||
	    read_file(file, &f->data, &f->len, err, errlen) < 0)
		return -1;
	int ok;
	if (kind == SYSLOG_TLS_FILE_KEY) {
		EVP_PKEY *k = read_key(f->data, f->len, why, sizeof why);
		ok = k != NULL;
		EVP_PKEY_free(k);
	} else {
		ok = each_cert(f->data, f->len, NULL, NULL, why, sizeof why) > 0;
	}
	if (ok && (f->path = strdup(path)))
		return 0;
	if (ok)
		snprintf(why, sizeof why, "out of memory");
	snprintf(err, errlen, "%s: %s", file, why);
	OPENSSL_clear_free(f->data, f->len);
	*f = (struct config_file){ 0 };
	return -1;
}

/* ---- the context ---- */

static int add_ca(X509 *x, void *arg) { return X509_STORE_add_cert(arg, x); }

static int load_cas(SSL_CTX *ctx, const struct tls_config *t, char *err, size_t errlen)
{
	if (!t->ca.data) {
		if (!t->verify || SSL_CTX_set_default_verify_paths(ctx))
			return 0;
		char e[200];
		snprintf(err, errlen, "the system's CA store: %s", syslog_tls_errors(e, sizeof e));
		return -1;
	}
	char why[512];
	if (each_cert(t->ca.data, t->ca.len, add_ca, SSL_CTX_get_cert_store(ctx), why, sizeof why) >
	    0)
		return 0;
	snprintf(err, errlen, "ca: %s", why);
	return -1;
}

struct chain {
	SSL_CTX *ctx;
	bool leaf_done;
};

/* The first certificate is the client's own, the next ones its chain. */
static int add_cert(X509 *x, void *arg)
{
	struct chain *c = arg;
	if (c->leaf_done)
		return SSL_CTX_add1_chain_cert(c->ctx, x);
	c->leaf_done = true;
	return SSL_CTX_use_certificate(c->ctx, x);
}

static int load_client(SSL_CTX *ctx, const struct tls_config *t, char *err, size_t errlen)
{
	if (!t->cert.data || !t->key.data)
		return 0;
	char why[512];
	struct chain c = { ctx, false };
	if (each_cert(t->cert.data, t->cert.len, add_cert, &c, why, sizeof why) <= 0) {
		snprintf(err, errlen, "cert: %s", why);
		return -1;
	}
	EVP_PKEY *k = read_key(t->key.data, t->key.len, why, sizeof why);
	if (!k) {
		snprintf(err, errlen, "key: %s", why);
		return -1;
	}
	int ok = SSL_CTX_use_PrivateKey(ctx, k) && SSL_CTX_check_private_key(ctx);
	EVP_PKEY_free(k);
	if (ok)
		return 0;
	ERR_clear_error();
	snprintf(err, errlen, "key: it does not belong to the certificate in tls.cert");
	return -1;
}

SSL_CTX *syslog_tls_ctx_new(const struct tls_config *t, char *err, size_t errlen)
{
	char e[200];
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, (int)t->min_version)) {
		snprintf(err, errlen, "TLS context: %s", syslog_tls_errors(e, sizeof e));
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* a peer that closes without close_notify has closed, no more; no
	 * renegotiation (TLS 1.2) in the middle of the stream */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_verify(ctx, t->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (load_cas(ctx, t, err, errlen) < 0 || load_client(ctx, t, err, errlen) < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}
