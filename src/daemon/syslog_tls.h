/* syslog_tls.h - the TLS transport's per-output state (RFC 5425).
 *
 * The output makes one struct syslog_tls from its tls = { ... } (the
 * client context: versions, trusted CAs, client certificate; and the name
 * the server's certificate must carry), puts it in its connection's priv
 * and connects with syslog_transport_tls; each connection gets a fresh SSL
 * object from it. libevent's OpenSSL bufferevents are not used: they own
 * the socket and buffer the bytes themselves, so nflogd could not tell
 * which bytes the peer acknowledged, and they would be a second file that
 * knows libevent (see doc/outputs.md, "Why OpenSSL on the socket").
 */
#ifndef NFLOGD_SYSLOG_TLS_H
#define NFLOGD_SYSLOG_TLS_H

#include <stddef.h>

#include "config.h"

struct syslog_tls;

/* The state for t, checking the server's certificate against name (t's
 * name, else the target's host). The caller's (syslog_tls_free). NULL
 * with the reason in err. */
struct syslog_tls *syslog_tls_new(const struct tls_config *t, const char *host, char *err,
				  size_t errlen);
/* Free it (its connection closed first by the transport's close). */
void syslog_tls_free(struct syslog_tls *st);
/* The connection as it stands, in words, into out ("TLSv1.3,
 * TLS_AES_256_GCM_SHA384, server CN=..."): for the log. Returns out. */
const char *syslog_tls_describe(const struct syslog_tls *st, char *out, size_t len);

#endif
