/* config_output.c - the outputs section: keys every output has, the
 * output types and the keys of each. A new type adds its word to
 * output_type_words, a row to output_types and its key table. */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "config_internal.h"
#include "format.h"
#include "syslog_frame.h"

/* 1..64 of [A-Za-z0-9_.-]: safe in file names, journal fields and messages. */
static bool valid_output_name(const char *name)
{
	size_t n = strlen(name);
	if (n < 1 || n > CONFIG_OUTPUT_NAME_MAX)
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && !strchr("_.-", *name))
			return false;
	return true;
}

static bool key_output_name(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct output_config *o = obj;
	size_t i = cfg_index_of(o, c->cfg->outputs, sizeof *o);
	const char *name = NULL;
	char q[96], at[512];
	if (!cfg_get_string(c, s, &name))
		return false;
	if (!valid_output_name(name))
		return cfg_err(c, s, "bad output name %s: use 1..%d of A-Z a-z 0-9 _ . -",
			       cfg_quote(name, q, sizeof q), CONFIG_OUTPUT_NAME_MAX);
	for (size_t j = 0; j < i; j++)
		if (c->name_at[j] && strcmp(c->cfg->outputs[j].name, name) == 0)
			return cfg_err(c, s, "duplicate output name %s: already defined at %s",
				       cfg_quote(name, q, sizeof q),
				       cfg_where(c, c->name_at[j], s, at, sizeof at));
	if (!(o->name = cfg_strdup(c, s, name)))
		return false;
	c->name_at[i] = s;
	return true;
}

static const struct word output_type_words[] = {
	{ "file", OUTPUT_FILE },
	{ "journal", OUTPUT_JOURNAL },
	{ "syslog", OUTPUT_SYSLOG },
	{ "pcap", OUTPUT_PCAP },
	{ NULL, 0 },
};

static const struct word format_words[] = {
	{ "text", RECORD_FORMAT_TEXT },
	{ "json", RECORD_FORMAT_JSON },
	{ NULL, 0 },
};

/* nft's `log flags` words, as nft(8) spells them. */
static const struct word log_flag_words[] = {
	{ "tcp sequence", FORMAT_LOG_TCPSEQ },
	{ "tcp options", FORMAT_LOG_TCPOPT },
	{ "ip options", FORMAT_LOG_IPOPT },
	{ "skuid", FORMAT_LOG_UID },
	{ "ether", FORMAT_LOG_MACDECODE },
	{ "all", FORMAT_LOG_ALL },
	{ NULL, 0 },
};

static const struct word syslog_format_words[] = {
	{ "rfc3164", SYSLOG_FORMAT_RFC3164 },
	{ "rfc5424", SYSLOG_FORMAT_RFC5424 },
	{ "kernel", SYSLOG_FORMAT_KERNEL },
	{ NULL, 0 },
};

/* format means the record format of a file (text, json) and the message
 * format of syslog (rfc3164, rfc5424); the journal has none (MESSAGE is
 * always the text line). Which one is read from the section's type. */
static bool key_format(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct output_config *o = obj;
	const char *type = NULL, *str = NULL;
	config_setting_lookup_string(config_setting_parent(s), "type", &type);
	bool is_syslog = type && strcmp(type, "syslog") == 0;
	if (type && strcmp(type, "journal") == 0)
		return cfg_err(c, s,
			       "a journal output has no format: MESSAGE is the text line, the "
			       "fields are NFLOG_*");
	if (type && strcmp(type, "pcap") == 0)
		return cfg_err(c, s,
			       "a pcap output has no format: it writes packets; linktype says "
			       "what each record holds (\"nflog\" or \"raw\")");
	if (!cfg_get_string(c, s, &str))
		return false;
	const struct word *words = is_syslog ? syslog_format_words : format_words;
	const struct word *w = cfg_word_find(words, str);
	if (!w)
		return cfg_word_error(c, s, "format", str, words);
	if (is_syslog)
		o->syslog_format = (enum syslog_format)w->value;
	else
		o->format = (enum record_format)w->value;
	return true;
}

/* Keys every output type has. */
static const struct key output_keys[] = {
	{ "name", KEY_FUNC, .required = true, .fn = key_output_name },
	{ "type", KEY_WORD, .required = true, FIELD(struct output_config, type),
	  .words = output_type_words },
	{ "format", KEY_FUNC, .fn = key_format },
	{ "log_flags", KEY_WORDS, FIELD(struct output_config, log_flags), .words = log_flag_words },
	{ .name = NULL },
};

/* The directory of a file output must exist when nflogd starts (nflogd
 * creates the file, not its directory). Missing, it is an error, except
 * for the one the unit's LogsDirectory= creates at every start: a
 * warning then, since it appears with the service. */
static void check_path_dir(struct ctx *c, const config_setting_t *s, const char *path)
{
	char dir[PATH_MAX], q[300];
	const char *slash = strrchr(path, '/');
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	struct stat st;
	if (n >= sizeof dir)
		return; /* open() will say ENAMETOOLONG */
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			cfg_err(c, s, "path: %s is not a directory", cfg_quote(dir, q, sizeof q));
		return;
	}
	if (errno == ENOENT && strcmp(dir, CONFIG_LOGS_DIRECTORY) == 0)
		cfg_warn(c, s,
			 "directory %s does not exist yet: nflogd.service creates it at start "
			 "(LogsDirectory=); without the unit, create it first",
			 dir);
	else if (errno == ENOENT || errno == ENOTDIR)
		cfg_err(c, s,
			"path: directory %s does not exist (nflogd creates files, not "
			"directories)",
			cfg_quote(dir, q, sizeof q));
}

const char *config_not_regular(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return NULL;
	case S_IFIFO: return "a FIFO (named pipe)";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFDIR: return "a directory";
	}
	return "not a regular file";
}

/* A path that exists must be a regular file (checked again at open: it
 * may change in between). */
static bool path_is_regular(struct ctx *c, const config_setting_t *s, const char *path)
{
	struct stat st;
	char q[300];
	const char *kind = stat(path, &st) == 0 ? config_not_regular(st.st_mode) : NULL;
	if (!kind)
		return true;
	return cfg_err(c, s,
		       "path %s is %s, not a regular file: a file output writes only "
		       "regular files",
		       cfg_quote(path, q, sizeof q), kind);
}

static bool key_file_path(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct output_config *o = obj;
	size_t i = cfg_index_of(o, c->cfg->outputs, sizeof *o);
	const char *path = NULL;
	char q[300], at[512];
	if (!cfg_get_string(c, s, &path))
		return false;
	if (path[0] != '/')
		return cfg_err(c, s, "path %s must be absolute (start with /)",
			       cfg_quote(path, q, sizeof q));
	if (path[strlen(path) - 1] == '/')
		return cfg_err(c, s, "path %s names a directory, not a file",
			       cfg_quote(path, q, sizeof q));
	for (size_t j = 0; j < i; j++)
		if (c->path_at[j] && strcmp(c->cfg->outputs[j].path, path) == 0)
			return cfg_err(c, s, "path %s is already used by output \"%s\" at %s",
				       cfg_quote(path, q, sizeof q),
				       c->cfg->outputs[j].name ? c->cfg->outputs[j].name : "?",
				       cfg_where(c, c->path_at[j], s, at, sizeof at));
	if (!path_is_regular(c, s, path))
		return false;
	check_path_dir(c, s, path);
	if (!(o->path = cfg_strdup(c, s, path)))
		return false;
	c->path_at[i] = s;
	return true;
}

/* True when every decimal digit of v is 0..7: the integer could be an
 * octal mode that libconfig read as decimal. */
static bool looks_octal(long long v)
{
	for (; v > 0; v /= 10)
		if (v % 10 > 7)
			return false;
	return true;
}

/* "0640" (a string, octal) or an integer. libconfig 1.5 has no octal
 * integers, so mode = 0640 arrives as 640: an integer whose digits are all
 * octal is refused (it cannot be told apart), 0..7 and hex are fine. */
static bool key_mode(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct output_config *o = obj;
	long long v = 0;
	char q[96];
	int t = config_setting_type(s);
	if (t == CONFIG_TYPE_STRING) {
		const char *str = config_setting_get_string(s);
		char *end;
		errno = 0;
		unsigned long m = strtoul(str, &end, 8);
		if (!isdigit((unsigned char)*str) || *end || errno || m > 0777)
			return cfg_err(
			    c, s,
			    "mode must be an octal string \"0\"..\"0777\", like \"0640\"; got %s",
			    cfg_quote(str, q, sizeof q));
		o->mode = (unsigned)m;
		return true;
	}
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return cfg_type_error(c, s, "an octal string like \"0640\"");
	v = config_setting_get_int64(s);
	if (config_setting_get_format(s) != CONFIG_FORMAT_HEX && v > 7 && looks_octal(v))
		return cfg_err(c, s,
			       "mode %lld is read as decimal (libconfig has no octal numbers): "
			       "quote it, mode = \"0%lld\"",
			       v, v);
	if (v < 0)
		return cfg_err(c, s, "mode must be 0..0777, got %lld", v);
	if (v > 0777)
		return cfg_err(c, s, "mode must be 0..0777, got %lld (0%llo)", v,
			       (unsigned long long)v);
	o->mode = (unsigned)v;
	return true;
}

/* A user or group: a name (looked up now, so --check-config catches a
 * typo) or a numeric id, as an integer or a string of digits. */
static bool get_id(struct ctx *c, const config_setting_t *s, bool user, int64_t *out)
{
	const char *what = user ? "user" : "group";
	char q[96];
	int t = config_setting_type(s);
	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		long long v = config_setting_get_int64(s);
		if (v < 0 || v >= UINT32_MAX)
			return cfg_err(c, s, "%s id must be 0..4294967294, got %lld", what, v);
		*out = v;
		return true;
	}
	const char *name = NULL;
	if (t != CONFIG_TYPE_STRING)
		return cfg_type_error(c, s, "a name or a numeric id");
	if (!cfg_get_string(c, s, &name))
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(name, &end, 10);
	if (isdigit((unsigned char)*name) && !*end) {
		if (errno || v >= UINT32_MAX)
			return cfg_err(c, s, "%s id must be 0..4294967294, got %s", what,
				       cfg_quote(name, q, sizeof q));
		*out = (int64_t)v;
		return true;
	}
	struct passwd *pw = user ? getpwnam(name) : NULL;
	struct group *gr = user ? NULL : getgrnam(name);
	if (user ? !pw : !gr)
		return cfg_err(c, s, "unknown %s %s", what, cfg_quote(name, q, sizeof q));
	*out = user ? (int64_t)pw->pw_uid : (int64_t)gr->gr_gid;
	return true;
}

static bool key_owner(struct ctx *c, const config_setting_t *s, void *obj)
{
	return get_id(c, s, true, &((struct output_config *)obj)->uid);
}

static bool key_group(struct ctx *c, const config_setting_t *s, void *obj)
{
	return get_id(c, s, false, &((struct output_config *)obj)->gid);
}

/* "hourly", "daily" or a number of seconds. */
static bool key_interval(struct ctx *c, const config_setting_t *s, void *obj)
{
	static const struct word interval_words[] = {
		{ "hourly", 3600 },
		{ "daily", 86400 },
		{ NULL, 0 },
	};
	struct output_config *o = obj;
	int t = config_setting_type(s);
	if (t == CONFIG_TYPE_STRING) {
		const char *str = NULL;
		const struct word *w;
		if (!cfg_get_string(c, s, &str))
			return false;
		if (!(w = cfg_word_find(interval_words, str)))
			return cfg_word_error(c, s, "interval", str, interval_words);
		o->rotate_interval = w->value;
		return true;
	}
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return cfg_type_error(c, s, "\"hourly\", \"daily\" or a number of seconds");
	long long v = 0;
	if (!cfg_get_int(c, s, 1, CONFIG_ROTATE_INTERVAL_MAX, &v))
		return false;
	o->rotate_interval = (uint32_t)v;
	return true;
}

#define O(member) FIELD(struct output_config, member)

static const struct key rotate_keys[] = {
	{ "size", KEY_SIZE, O(rotate_size), .min = CONFIG_ROTATE_SIZE_MIN, .max = INT64_C(1) << 40,
	  .range = "4096..1024G" },
	{ "interval", KEY_FUNC, .fn = key_interval },
	{ "keep", KEY_INT, O(rotate_keep), .min = 1, .max = CONFIG_ROTATE_KEEP_MAX },
	{ .name = NULL },
};

/* rotate = { size = "100M"; interval = "daily"; keep = 10; } */
static bool key_rotate(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct output_config *o = obj;
	if (!config_setting_is_group(s))
		return cfg_type_error(c, s, "a group { size = ...; interval = ...; keep = ...; }");
	unsigned before = c->n_errors;
	const struct key *const tables[] = { rotate_keys, NULL };
	cfg_walk_section(c, s, "rotate", tables, NULL, o);
	if (c->n_errors == before && !o->rotate_size && !o->rotate_interval)
		return cfg_err(c, s, "rotate needs a size or an interval (or both)");
	return c->n_errors == before;
}

/* ---- JSON (file outputs with format = "json") ---- */

static const struct word json_schema_words[] = {
	{ "nflogd", JSON_SCHEMA_NFLOGD },
	{ "ecs", JSON_SCHEMA_ECS },
	{ NULL, 0 },
};

static bool key_json_payload(struct ctx *c, const config_setting_t *s, void *obj)
{
	return cfg_get_bool(c, s, &((struct output_config *)obj)->json.payload);
}

static bool key_json_null_keys(struct ctx *c, const config_setting_t *s, void *obj)
{
	return cfg_get_bool(c, s, &((struct output_config *)obj)->json.null_keys);
}

/* The JSON keys need format = "json"; ECS leaves absent fields out, so
 * null_keys is false with it (and true is refused). */
static void check_json(struct ctx *c, const config_setting_t *sec, struct output_config *o)
{
	static const char *const json_keys[] = { "payload", "null_keys", "schema" };
	for (size_t i = 0; i < COUNT(json_keys); i++) {
		const config_setting_t *k = config_setting_get_member(sec, json_keys[i]);
		if (k && o->format != RECORD_FORMAT_JSON)
			cfg_err(c, k, "%s applies to JSON records: it needs format = \"json\"",
				json_keys[i]);
	}
	const config_setting_t *nk = config_setting_get_member(sec, "null_keys");
	if (o->json.schema == JSON_SCHEMA_ECS && nk && o->json.null_keys)
		cfg_err(c, nk,
			"null_keys = true needs schema = \"nflogd\": ECS leaves absent "
			"fields out");
	if (o->json.schema == JSON_SCHEMA_ECS)
		o->json.null_keys = false;
}

static const struct key file_keys[] = {
	{ "path", KEY_FUNC, .required = true, .fn = key_file_path },
	{ "mode", KEY_FUNC, .fn = key_mode },
	{ "owner", KEY_FUNC, .fn = key_owner },
	{ "group", KEY_FUNC, .fn = key_group },
	{ "rotate", KEY_FUNC, .fn = key_rotate },
	{ "backlog", KEY_SIZE, O(backlog), .min = 4096, .max = CONFIG_FILE_BACKLOG_MAX,
	  .range = "4096..1G" },
	{ .name = NULL },
};

/* A file output's own: what its JSON records hold (a pcap output has the
 * keys above, not these). */
static const struct key json_file_keys[] = {
	{ "payload", KEY_FUNC, .fn = key_json_payload },
	{ "null_keys", KEY_FUNC, .fn = key_json_null_keys },
	{ "schema", KEY_WORD, O(json.schema), .words = json_schema_words },
	{ .name = NULL },
};

/* ---- pcap ---- */

static const struct word linktype_words[] = {
	{ "nflog", CAPTURE_NFLOG },
	{ "raw", CAPTURE_RAW },
	{ NULL, 0 },
};

/* A capture has the keys of a file (path, mode, owner, group, rotate,
 * backlog) and these. */
static const struct key pcap_keys[] = {
	{ "linktype", KEY_WORD, O(linktype), .words = linktype_words },
	{ .name = NULL },
};

/* log_flags choose fields of the text line: a capture has none. */
static void check_pcap(struct ctx *c, const config_setting_t *sec)
{
	const config_setting_t *flags = config_setting_get_member(sec, "log_flags");
	if (flags)
		cfg_err(c, flags,
			"a pcap output has no log_flags: it writes the packets themselves, not "
			"text lines");
}

/* ---- journal and syslog ---- */

/* syslog(3) severities, as journalctl -p and logger -p name them. */
static const struct word priority_words[] = {
	{ "emerg", 0 },	 { "alert", 1 }, { "crit", 2 },	 { "err", 3 }, { "warning", 4 },
	{ "notice", 5 }, { "info", 6 },	 { "debug", 7 }, { NULL, 0 },
};

static const struct word facility_words[] = {
	{ "kern", 0 },	    { "user", 1 },    { "mail", 2 },	{ "daemon", 3 },  { "auth", 4 },
	{ "syslog", 5 },    { "lpr", 6 },     { "news", 7 },	{ "uucp", 8 },	  { "cron", 9 },
	{ "authpriv", 10 }, { "ftp", 11 },    { "local0", 16 }, { "local1", 17 }, { "local2", 18 },
	{ "local3", 19 },   { "local4", 20 }, { "local5", 21 }, { "local6", 22 }, { "local7", 23 },
	{ NULL, 0 },
};

/* 1..48 printable ASCII without spaces: an RFC 5424 APP-NAME, which a
 * journal SYSLOG_IDENTIFIER can always be too. */
static bool key_ident(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct output_config *o = obj;
	const char *v = NULL;
	char q[96];
	if (!cfg_get_string(c, s, &v))
		return false;
	size_t n = strlen(v);
	bool ok = n < sizeof o->ident;
	for (size_t i = 0; ok && i < n; i++)
		ok = v[i] > ' ' && v[i] < 0x7f;
	if (!ok)
		return cfg_err(c, s,
			       "ident %s must be 1..48 printable ASCII characters without spaces",
			       cfg_quote(v, q, sizeof q));
	memcpy(o->ident, v, n + 1);
	return true;
}

bool cfg_get_bool(struct ctx *c, const config_setting_t *s, bool *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_type_error(c, s, "true or false");
	*out = config_setting_get_bool(s) != 0;
	return true;
}

static bool key_payload(struct ctx *c, const config_setting_t *s, void *obj)
{
	return cfg_get_bool(c, s, &((struct output_config *)obj)->payload);
}

static bool key_structured_data(struct ctx *c, const config_setting_t *s, void *obj)
{
	return cfg_get_bool(c, s, &((struct output_config *)obj)->structured_data);
}

/* An RFC 5424 private SD-ID, NAME@NUMBER: the element the record's
 * fields go in, as receivers address them ($!rfc5424-sd!NAME@NUMBER!src,
 * ${.SDATA.NAME@NUMBER.src}). */
static bool key_sd_id(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct output_config *o = obj;
	const char *v = NULL;
	char q[96];
	if (!cfg_get_string(c, s, &v))
		return false;
	if (!syslog_sd_id_valid(v))
		return cfg_err(
		    c, s,
		    "sd_id %s must be NAME@NUMBER, at most 32 characters: NAME printable "
		    "ASCII without spaces, '=', ']', '\"' or '@', NUMBER your private "
		    "enterprise number (IANA), e.g. \"nflog@32473\"",
		    cfg_quote(v, q, sizeof q));
	snprintf(o->sd_id, sizeof o->sd_id, "%s", v);
	return true;
}

static bool key_socket(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct output_config *o = obj;
	const char *v = NULL;
	char q[300];
	if (!cfg_get_string(c, s, &v))
		return false;
	if (v[0] != '/')
		return cfg_err(c, s, "socket %s must be an absolute path",
			       cfg_quote(v, q, sizeof q));
	if (strlen(v) >= sizeof o->socket_path)
		return cfg_err(c, s,
			       "socket %s is longer than a unix socket path can be (107 bytes)",
			       cfg_quote(v, q, sizeof q));
	strcpy(o->socket_path, v);
	return true;
}

/* "HOST:PORT" where HOST is a name, an IPv4 address or [IPv6]. */
static bool parse_host_port(struct output_config *o, const char *hp)
{
	const char *colon;
	size_t hlen;
	if (hp[0] == '[') {
		const char *end = strchr(hp, ']');
		if (!end || end[1] != ':')
			return false;
		hlen = (size_t)(end - hp - 1);
		hp++;
		colon = end + 1;
	} else {
		colon = strrchr(hp, ':');
		if (!colon || memchr(hp, ':', (size_t)(colon - hp)))
			return false; /* IPv6 needs brackets */
		hlen = (size_t)(colon - hp);
	}
	if (hlen == 0 || hlen >= sizeof o->host)
		return false;
	for (size_t i = 0; i < hlen; i++)
		if (!isalnum((unsigned char)hp[i]) && !strchr(".-_:%", hp[i]))
			return false;
	char *end;
	errno = 0;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end || errno || port < 1 || port > 65535)
		return false;
	memcpy(o->host, hp, hlen);
	o->host[hlen] = '\0';
	o->port = (uint16_t)port;
	return true;
}

static bool key_target(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct output_config *o = obj;
	const char *v = NULL;
	char q[300];
	if (!cfg_get_string(c, s, &v))
		return false;
	if (strncmp(v, "udp://", 6) == 0)
		o->transport = SYSLOG_UDP;
	else if (strncmp(v, "tcp://", 6) == 0)
		o->transport = SYSLOG_TCP;
	else if (strncmp(v, "tls://", 6) == 0)
		o->transport = SYSLOG_TLS;
	else
		return cfg_err(c, s, "target %s must start with udp://, tcp:// or tls://",
			       cfg_quote(v, q, sizeof q));
	if (!parse_host_port(o, v + 6))
		return cfg_err(
		    c, s,
		    "target %s: expected udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT, "
		    "with a name, "
		    "an IPv4 address or an [IPv6] address and a port 1..65535",
		    cfg_quote(v, q, sizeof q));
	return true;
}

static const struct key journal_keys[] = {
	{ "ident", KEY_FUNC, .fn = key_ident },
	{ "priority", KEY_WORD, FIELD(struct output_config, priority), .words = priority_words },
	{ "payload", KEY_FUNC, .fn = key_payload },
	{ "queue_size", KEY_INT, FIELD(struct output_config, queue_size), .min = 1,
	  .max = CONFIG_QUEUE_SIZE_MAX },
	{ .name = NULL },
};

static const struct key syslog_keys[] = {
	{ "ident", KEY_FUNC, .fn = key_ident },
	{ "priority", KEY_WORD, FIELD(struct output_config, priority), .words = priority_words },
	{ "facility", KEY_WORD, FIELD(struct output_config, facility), .words = facility_words },
	{ "socket", KEY_FUNC, .fn = key_socket },
	{ "target", KEY_FUNC, .fn = key_target },
	{ "structured_data", KEY_FUNC, .fn = key_structured_data },
	{ "queue_size", KEY_INT, FIELD(struct output_config, queue_size), .min = 1,
	  .max = CONFIG_QUEUE_SIZE_MAX },
	{ "sd_id", KEY_FUNC, .fn = key_sd_id },
	{ "tls", KEY_FUNC, .fn = config_key_tls },
	{ "stall_timeout", KEY_INT, FIELD(struct output_config, stall_timeout), .min = 1,
	  .max = CONFIG_STALL_TIMEOUT_MAX },
	{ .name = NULL },
};

static void journal_syslog_defaults(struct output_config *o)
{
	strcpy(o->ident, CONFIG_DEFAULT_IDENT);
	o->priority = CONFIG_DEFAULT_PRIORITY;
	o->facility = CONFIG_DEFAULT_FACILITY;
	o->syslog_format = SYSLOG_FORMAT_AUTO;
	o->transport = SYSLOG_LOCAL;
	strcpy(o->socket_path, CONFIG_DEFAULT_SYSLOG_SOCKET);
	o->structured_data = true;
	o->queue_size = CONFIG_DEFAULT_QUEUE_SIZE;
	strcpy(o->sd_id, CONFIG_DEFAULT_SD_ID);
	config_tls_defaults(o);
}

/* What one key cannot see: socket and target exclude each other,
 * structured data (and its sd_id) needs RFC 5424, and "kernel" has its
 * own defaults. */
static void check_syslog(struct ctx *c, const config_setting_t *sec, struct output_config *o)
{
	const config_setting_t *sock = config_setting_get_member(sec, "socket");
	const config_setting_t *target = config_setting_get_member(sec, "target");
	const config_setting_t *sd = config_setting_get_member(sec, "structured_data");
	const config_setting_t *sd_id = config_setting_get_member(sec, "sd_id");
	if (sock && target)
		cfg_err(c, target,
			"target and socket exclude each other: a syslog output sends "
			"either to a local socket or to a remote target");
	if (o->syslog_format == SYSLOG_FORMAT_AUTO)
		o->syslog_format =
		    o->transport == SYSLOG_LOCAL ? SYSLOG_FORMAT_RFC3164 : SYSLOG_FORMAT_RFC5424;
	if (sd && o->structured_data && o->syslog_format != SYSLOG_FORMAT_RFC5424)
		cfg_err(c, sd, "structured_data needs format = \"rfc5424\" (RFC 3164 has none)");
	if (sd_id && (o->syslog_format != SYSLOG_FORMAT_RFC5424 || !o->structured_data))
		cfg_err(c, sd_id,
			"sd_id names the structured data element: it needs format = \"rfc5424\" "
			"and structured_data = true");
	/* "kernel": the kernel LOG target's facility and level, unless set */
	if (o->syslog_format == SYSLOG_FORMAT_KERNEL) {
		if (!config_setting_get_member(sec, "facility"))
			o->facility = 0; /* kern */
		if (!config_setting_get_member(sec, "priority"))
			o->priority = 4; /* warning */
	}
	config_check_tls(c, sec, o);
}

/* The output types and their own keys. A new type (journal, syslog) adds
 * a line here, its keys table and its word in output_type_words. */
static const struct output_type_def output_types[] = {
	{ "file", json_file_keys, file_keys },
	{ "journal", journal_keys, NULL },
	{ "syslog", syslog_keys, NULL },
	{ "pcap", pcap_keys, file_keys },
};

static const struct output_type_def *output_type_find(const config_setting_t *sec)
{
	const char *name = NULL;
	if (!config_setting_lookup_string(sec, "type", &name))
		return NULL;
	for (size_t i = 0; i < COUNT(output_types); i++)
		if (strcmp(output_types[i].name, name) == 0)
			return &output_types[i];
	return NULL;
}

static void parse_output(struct ctx *c, const config_setting_t *sec, struct output_config *o)
{
	o->line = (int)config_setting_source_line(sec);
	o->format = RECORD_FORMAT_TEXT;
	o->log_flags = 0;
	o->mode = CONFIG_DEFAULT_FILE_MODE;
	o->uid = o->gid = -1;
	o->rotate_keep = CONFIG_DEFAULT_ROTATE_KEEP;
	o->backlog = CONFIG_DEFAULT_FILE_BACKLOG;
	o->linktype = CAPTURE_NFLOG;
	o->json = (struct json_options)JSON_OPTIONS_DEFAULT;
	journal_syslog_defaults(o);
	const struct output_type_def *td = output_type_find(sec);
	if (td) {
		char what[64];
		snprintf(what, sizeof what, "%s output", td->name);
		const struct key *const tables[] = { output_keys, td->keys, td->more_keys, NULL };
		cfg_walk_section(c, sec, what, tables, NULL, o);
		if (o->type == OUTPUT_SYSLOG)
			check_syslog(c, sec, o);
		if (o->type == OUTPUT_FILE)
			check_json(c, sec, o);
		if (o->type == OUTPUT_PCAP)
			check_pcap(c, sec);
		return;
	}
	/* Type missing or wrong (reported by the walk): check the common keys
	 * and let any type's own keys pass, so one typo gives one message. */
	const struct key *quiet[COUNT(output_types) + 1] = { NULL };
	for (size_t i = 0; i < COUNT(output_types); i++)
		quiet[i] = output_types[i].keys;
	const struct key *const tables[] = { output_keys, NULL };
	cfg_walk_section(c, sec, "output", tables, quiet, o);
}

void config_parse_outputs(struct ctx *c, const config_setting_t *s)
{
	if (!cfg_is_list(c, s)) {
		c->output_unnamed = true;
		return;
	}
	size_t n = (size_t)config_setting_length(s);
	if (n == 0)
		return;
	c->cfg->outputs = calloc(n, sizeof *c->cfg->outputs);
	c->name_at = calloc(n, sizeof *c->name_at);
	c->path_at = calloc(n, sizeof *c->path_at);
	if (!cfg_alloc_ok(c, s, c->cfg->outputs) || !cfg_alloc_ok(c, s, c->name_at) ||
	    !cfg_alloc_ok(c, s, c->path_at))
		return;
	c->cfg->n_outputs = n;
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (cfg_is_section(c, e, "outputs"))
			parse_output(c, e, &c->cfg->outputs[i]);
		c->output_unnamed |= !c->name_at[i];
	}
}

static bool str_equal(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Every field a type owns must be compared here, or a reload would keep
 * an output whose settings changed. */
bool config_output_equal(const struct output_config *a, const struct output_config *b)
{
	return str_equal(a->name, b->name) && a->type == b->type && a->format == b->format &&
	       a->log_flags == b->log_flags && str_equal(a->path, b->path) && a->mode == b->mode &&
	       a->uid == b->uid && a->gid == b->gid && a->rotate_size == b->rotate_size &&
	       a->rotate_interval == b->rotate_interval && a->rotate_keep == b->rotate_keep &&
	       a->backlog == b->backlog && a->linktype == b->linktype &&
	       strcmp(a->ident, b->ident) == 0 && a->priority == b->priority &&
	       a->payload == b->payload && a->facility == b->facility &&
	       a->syslog_format == b->syslog_format && a->transport == b->transport &&
	       strcmp(a->socket_path, b->socket_path) == 0 && strcmp(a->host, b->host) == 0 &&
	       a->port == b->port && a->structured_data == b->structured_data &&
	       a->queue_size == b->queue_size && strcmp(a->sd_id, b->sd_id) == 0 &&
	       config_tls_equal(&a->tls, &b->tls) && a->stall_timeout == b->stall_timeout &&
	       a->json.payload == b->json.payload && a->json.null_keys == b->json.null_keys &&
	       a->json.schema == b->json.schema;
}
