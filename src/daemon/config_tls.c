/* config_tls.c - a syslog output's tls = { ... } group (target =
 * "tls://HOST:PORT") and what it may be combined with.
 *
 * The ca, cert and key files are read here, at load: --check-config and
 * a reload refuse a file that cannot be read, is not PEM, or a key that
 * is not the certificate's, at the line that names it; the bytes read
 * are what the output uses, so a reload notices a renewed certificate
 * even when the config text did not change (config_output_equal). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "config.h"
#include "config_internal.h"
#include "syslog_tls_creds.h"

static bool read_tls_file(struct ctx *c, const config_setting_t *s, struct config_file *f,
			  enum syslog_tls_file_kind kind)
{
	const char *v = NULL;
	char q[300], err[1024];
	if (!cfg_get_string(c, s, &v))
		return false;
	if (syslog_tls_file_read(f, v, kind, err, sizeof err) < 0)
		return cfg_err(c, s, "tls %s %s: %s", config_setting_name(s),
			       cfg_quote(v, q, sizeof q), err);
	return true;
}

static bool key_tls_ca(struct ctx *c, const config_setting_t *s, void *obj)
{
	return read_tls_file(c, s, &((struct output_config *)obj)->tls.ca, SYSLOG_TLS_FILE_CA);
}

static bool key_tls_cert(struct ctx *c, const config_setting_t *s, void *obj)
{
	return read_tls_file(c, s, &((struct output_config *)obj)->tls.cert, SYSLOG_TLS_FILE_CERT);
}

static bool key_tls_key(struct ctx *c, const config_setting_t *s, void *obj)
{
	return read_tls_file(c, s, &((struct output_config *)obj)->tls.key, SYSLOG_TLS_FILE_KEY);
}

/* A DNS name or an address, as a certificate's subjectAltName holds it. */
static bool key_tls_name(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct output_config *o = obj;
	const char *v = NULL;
	char q[300];
	if (!cfg_get_string(c, s, &v))
		return false;
	bool ok = strlen(v) < sizeof o->tls.name;
	for (const char *p = v; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || strchr(".-_:", *p);
	if (!ok)
		return cfg_err(c, s,
			       "tls name %s must be a host name or an address (letters, digits, "
			       ". - _ :), at most 255 characters",
			       cfg_quote(v, q, sizeof q));
	strcpy(o->tls.name, v);
	return true;
}

static bool key_tls_verify(struct ctx *c, const config_setting_t *s, void *obj)
{
	return cfg_get_bool(c, s, &((struct output_config *)obj)->tls.verify);
}

static const struct word tls_version_words[] = {
	{ "1.2", TLS1_2_VERSION },
	{ "1.3", TLS1_3_VERSION },
	{ NULL, 0 },
};

static const struct key tls_keys[] = {
	{ "ca", KEY_FUNC, .fn = key_tls_ca },
	{ "cert", KEY_FUNC, .fn = key_tls_cert },
	{ "key", KEY_FUNC, .fn = key_tls_key },
	{ "name", KEY_FUNC, .fn = key_tls_name },
	{ "verify", KEY_FUNC, .fn = key_tls_verify },
	{ "min_version", KEY_WORD, FIELD(struct output_config, tls.min_version),
	  .words = tls_version_words },
	{ .name = NULL },
};

bool config_key_tls(struct ctx *c, const config_setting_t *s, void *obj)
{
	if (!config_setting_is_group(s))
		return cfg_type_error(c, s, "a group { ca = ...; cert = ...; key = ...; ... }");
	unsigned before = c->n_errors;
	const struct key *const tables[] = { tls_keys, NULL };
	cfg_walk_section(c, s, "tls", tables, NULL, obj);
	return c->n_errors == before;
}

void config_tls_defaults(struct output_config *o)
{
	o->tls = (struct tls_config){ .verify = true, .min_version = TLS1_2_VERSION };
	o->stall_timeout = CONFIG_DEFAULT_STALL_TIMEOUT;
}

/* cert and key go together; with both, the key must be the certificate's:
 * checked by making the context the output will make. */
static void check_client_cert(struct ctx *c, const config_setting_t *tls, struct output_config *o)
{
	const config_setting_t *cert = config_setting_get_member(tls, "cert");
	const config_setting_t *key = config_setting_get_member(tls, "key");
	const config_setting_t *ca = config_setting_get_member(tls, "ca");
	if (!cert != !key) {
		cfg_err(c, cert ? cert : key,
			"tls: cert and key go together (a client certificate and its key, for "
			"a server that asks for one): give both or neither");
		return;
	}
	if ((cert && !o->tls.cert.data) || (key && !o->tls.key.data) || (ca && !o->tls.ca.data))
		return; /* a file that could not be read is reported already */
	char err[1024];
	SSL_CTX *ctx = syslog_tls_ctx_new(&o->tls, err, sizeof err);
	if (!ctx)
		cfg_err(c, key ? key : tls, "tls: %s", err);
	SSL_CTX_free(ctx);
}

void config_check_tls(struct ctx *c, const config_setting_t *sec, struct output_config *o)
{
	const config_setting_t *tls = config_setting_get_member(sec, "tls");
	const config_setting_t *stall = config_setting_get_member(sec, "stall_timeout");
	if (tls && o->transport != SYSLOG_TLS)
		cfg_err(c, tls, "tls = { ... } needs target = \"tls://HOST:PORT\"");
	if (stall && o->transport != SYSLOG_TCP && o->transport != SYSLOG_TLS)
		cfg_err(c, stall,
			"stall_timeout applies to a tcp:// or tls:// target (a stream the peer "
			"acknowledges)");
	if (tls && o->transport == SYSLOG_TLS)
		check_client_cert(c, tls, o);
	const config_setting_t *verify = tls ? config_setting_get_member(tls, "verify") : NULL;
	if (verify && !o->tls.verify && o->transport == SYSLOG_TLS)
		cfg_warn(c, verify,
			 "tls verify = false: the server's certificate is not checked, so anyone "
			 "on the path can pose as the server and read the records");
}

static bool file_equal(const struct config_file *a, const struct config_file *b)
{
	if (!a->path || !b->path)
		return !a->path && !b->path;
	return strcmp(a->path, b->path) == 0 && a->len == b->len &&
	       memcmp(a->data, b->data, a->len) == 0;
}

bool config_tls_equal(const struct tls_config *a, const struct tls_config *b)
{
	return file_equal(&a->ca, &b->ca) && file_equal(&a->cert, &b->cert) &&
	       file_equal(&a->key, &b->key) && strcmp(a->name, b->name) == 0 &&
	       a->verify == b->verify && a->min_version == b->min_version;
}

static void file_free(struct config_file *f)
{
	free(f->path);
	OPENSSL_clear_free(f->data, f->len); /* a key: not left in freed memory */
	*f = (struct config_file){ 0 };
}

void config_tls_free(struct tls_config *t)
{
	file_free(&t->ca);
	file_free(&t->cert);
	file_free(&t->key);
}
