/* syslog_tls_creds.h - the files of a syslog output's tls = { ... } and
 * the OpenSSL client context made from them.
 *
 * The config reads each file once (syslog_tls_file_read) and checks it by
 * making the very context the output will use (syslog_tls_ctx_new) and
 * throwing it away: --check-config and a reload find an unreadable key,
 * a key that does not belong to the certificate or a file that is not
 * PEM, with the line that names it. The output then makes its context
 * from the same bytes.
 *
 * A path is absolute, or "$CREDENTIALS_DIRECTORY/NAME": a credential
 * systemd hands to the unit (LoadCredential=NAME:/etc/...), readable by
 * nflogd's dynamic user although the file it copies is root's only.
 */
#ifndef NFLOGD_SYSLOG_TLS_CREDS_H
#define NFLOGD_SYSLOG_TLS_CREDS_H

#include <stddef.h>

#include <openssl/types.h>

#include "config.h"

#define SYSLOG_TLS_CREDENTIALS_PREFIX "$CREDENTIALS_DIRECTORY/"

enum syslog_tls_file_kind {
	SYSLOG_TLS_FILE_CA,   /* one or more CA certificates */
	SYSLOG_TLS_FILE_CERT, /* a certificate, then its chain */
	SYSLOG_TLS_FILE_KEY,  /* one private key, not encrypted */
};

/* Read the file at path (as written in the config) into f and check that
 * it holds what kind needs. f's strings are the caller's (config_free).
 * 0, or -1 with the reason in err (f left empty). */
int syslog_tls_file_read(struct config_file *f, const char *path, enum syslog_tls_file_kind kind,
			 char *err, size_t errlen);

/* A TLS client context from t's bytes: minimum version, trusted CAs (t's,
 * else the system's store), verification mode, client certificate and
 * key. The caller's (SSL_CTX_free). NULL with the reason in err. */
SSL_CTX *syslog_tls_ctx_new(const struct tls_config *t, char *err, size_t errlen);

/* The OpenSSL errors queued by the last failed call, oldest first, in
 * out (at least "unknown error"), and the queue emptied. Returns out. */
const char *syslog_tls_errors(char *out, size_t len);

#endif
