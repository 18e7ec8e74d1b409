/* config.c - /etc/nflogd.conf (libconfig) to a validated struct nflogd_config.
 *
 * One pass over libconfig's tree. Each section is checked against a table
 * of keys (name, kind, range, where to store it); every problem becomes one
 * "FILE:LINE: message" line and checking goes on, so that one run of
 * --check-config lists them all. Only a syntax error stops early: libconfig
 * gives no tree then.
 *
 * libconfig 1.5 facts this file works around:
 * - no octal integers: mode = 0640 reads as decimal 640 (see key_mode);
 * - integers wrap silently past 32 bits unless written with an L suffix,
 *   which is one more reason sizes may be strings ("4M");
 * - include_dir is prepended to every @include, absolute or not, yet
 *   settings and errors from an included file carry its bare name;
 * - "cannot open include file" does not say which file (see syntax_error).
 */
#include "config.h"
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "log.h"

/* ---- messages ---- */

/* User text in a message, quoted and escaped so one error stays one line. */
const char *cfg_quote(const char *s, char *out, size_t size)
{
	size_t n = 0;
	out[n++] = '"';
	for (; *s && n + 8 < size; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", ch);
		} else {
			out[n++] = (char)ch;
		}
	}
	if (*s) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

/* The name of a file libconfig read, as the user can open it: libconfig
 * reports included files by their @include name, without include_dir. */
static const char *file_name(const struct ctx *c, const char *file, char *out, size_t size)
{
	if (!file)
		return c->cfg->path ? c->cfg->path : "(config)";
	if (!c->dir || file[0] == '/' || (c->cfg->path && strcmp(file, c->cfg->path) == 0))
		return file;
	snprintf(out, size, "%s/%s", c->dir, file);
	return out;
}

/* One "FILE:LINE: message" line; line 0 means no line applies. */
static void error_at(struct ctx *c, const char *file, unsigned line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void error_at(struct ctx *c, const char *file, unsigned line, const char *fmt, va_list ap)
{
	char msg[1024], name[PATH_MAX];
	vsnprintf(msg, sizeof msg, fmt, ap);
	file = file_name(c, file, name, sizeof name);
	if (line)
		buf_printf(c->errors, "%s:%u: %s\n", file, line, msg);
	else
		buf_printf(c->errors, "%s: %s\n", file, msg);
	c->n_errors++;
}

static void err_file(struct ctx *c, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void err_file(struct ctx *c, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_at(c, file, line, fmt, ap);
	va_end(ap);
}

/* An error about setting s, at the file and line it came from. */
bool cfg_err(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool cfg_err(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_at(c, config_setting_source_file(s), config_setting_source_line(s), fmt, ap);
	va_end(ap);
	return false;
}

/* "line 12" when first is in the same file as s, else "FILE:12". */
const char *cfg_where(const struct ctx *c, const config_setting_t *first, const config_setting_t *s,
		      char *out, size_t size)
{
	const char *f1 = config_setting_source_file(first);
	const char *f2 = config_setting_source_file(s);
	unsigned line = config_setting_source_line(first);
	char name[PATH_MAX];
	if (!f1 || (f2 && strcmp(f1, f2) == 0))
		snprintf(out, size, "line %u", line);
	else
		snprintf(out, size, "%s:%u", file_name(c, f1, name, sizeof name), line);
	return out;
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP: return "a group { ... }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a float";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array [ ... ]";
	case CONFIG_TYPE_LIST: return "a list ( ... )";
	default: return "nothing";
	}
}

bool cfg_type_error(struct ctx *c, const config_setting_t *s, const char *want)
{
	return cfg_err(c, s, "%s: expected %s, got %s", config_setting_name(s), want,
		       type_name(config_setting_type(s)));
}

/* ---- "did you mean" ---- */

/* Edit distance counting a swap of neighbours as one edit ("jsno" is 1
 * from "json"), case-insensitive; large for long words (no hint then). */
static unsigned distance(const char *a, const char *b)
{
	enum { MAX = 40 };
	size_t la = strlen(a), lb = strlen(b);
	if (la >= MAX || lb >= MAX)
		return MAX;
	unsigned d[MAX + 1][MAX + 1];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]),
			    cb = tolower((unsigned char)b[j - 1]);
			unsigned best = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* Keeps the closest candidate that is near enough to be a typo of word. */
struct hint {
	const char *word;
	const char *best;
	unsigned dist;
};

static void hint_try(struct hint *h, const char *candidate)
{
	if (!candidate)
		return;
	unsigned d = distance(h->word, candidate);
	unsigned limit = strlen(candidate) <= 4 ? 1 : 2;
	if (d <= limit && (!h->best || d < h->dist)) {
		h->best = candidate;
		h->dist = d;
	}
}

/* " (did you mean "x"?)" or "" */
static const char *hint_text(const struct hint *h, char *out, size_t size)
{
	if (!h->best)
		return "";
	snprintf(out, size, " (did you mean \"%s\"?)", h->best);
	return out;
}

/* ---- words (enums and flag lists) ---- */

const struct word *cfg_word_find(const struct word *words, const char *name)
{
	for (; words->name; words++)
		if (strcmp(words->name, name) == 0)
			return words;
	return NULL;
}

/* "bad value "x" for copymode: expected one of none, meta, packet" */
bool cfg_word_error(struct ctx *c, const config_setting_t *s, const char *what, const char *got,
		    const struct word *words)
{
	char list[256] = "", q[96], h[96];
	struct hint hint = { .word = got };
	for (const struct word *w = words; w->name; w++) {
		if (w != words)
			strncat(list, ", ", sizeof list - strlen(list) - 1);
		strncat(list, w->name, sizeof list - strlen(list) - 1);
		hint_try(&hint, w->name);
	}
	return cfg_err(c, s, "bad value %s for %s: expected one of %s%s",
		       cfg_quote(got, q, sizeof q), what, list, hint_text(&hint, h, sizeof h));
}

/* ---- scalar values ---- */

/* A non-empty string. */
bool cfg_get_string(struct ctx *c, const config_setting_t *s, const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_type_error(c, s, "a string");
	const char *v = config_setting_get_string(s);
	if (!v || !*v)
		return cfg_err(c, s, "%s must not be empty", config_setting_name(s));
	*out = v;
	return true;
}

bool cfg_get_int(struct ctx *c, const config_setting_t *s, long long min, long long max,
		 long long *out)
{
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return cfg_type_error(c, s, "an integer");
	long long v = config_setting_get_int64(s);
	if (v < min || v > max)
		return cfg_err(c, s, "%s must be %lld..%lld, got %lld", config_setting_name(s), min,
			       max, v);
	*out = v;
	return true;
}

/* "4M" -> 4194304. Binary suffixes K, M, G (either case). Saturates at
 * UINT64_MAX so that a huge value is reported as out of range. */
static bool parse_size_text(const char *t, uint64_t *out)
{
	const uint64_t cap = UINT64_C(1) << 50;
	uint64_t v = 0;
	if (!isdigit((unsigned char)*t))
		return false;
	for (; isdigit((unsigned char)*t); t++)
		v = v > cap ? UINT64_MAX : v * 10 + (uint64_t)(*t - '0');
	unsigned shift = 0;
	switch (*t) {
	case 'k':
	case 'K':
		shift = 10;
		t++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		t++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		t++;
		break;
	}
	if (*t)
		return false;
	*out = v > (UINT64_MAX >> shift) ? UINT64_MAX : v << shift;
	return true;
}

/* Bytes as an integer or a "4M" string: 0, or min..max. */
bool cfg_get_size(struct ctx *c, const config_setting_t *s, uint64_t min, uint64_t max,
		  const char *range, uint64_t *out)
{
	const char *name = config_setting_name(s);
	char q[96];
	uint64_t v;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: {
		long long i = config_setting_get_int64(s);
		if (i < 0)
			return cfg_err(c, s, "%s must be 0 or %s bytes, got %lld", name, range, i);
		v = (uint64_t)i;
		break;
	}
	case CONFIG_TYPE_STRING:
		if (!parse_size_text(config_setting_get_string(s), &v))
			return cfg_err(c, s,
				       "%s: bad size %s: expected bytes with an optional K, M or G "
				       "suffix, like \"4M\"",
				       name, cfg_quote(config_setting_get_string(s), q, sizeof q));
		break;
	default: return cfg_type_error(c, s, "an integer or a size string like \"4M\"");
	}
	if (v != 0 && (v < min || v > max))
		return cfg_err(c, s, "%s must be 0 or %s bytes, got %s", name, range,
			       config_setting_type(s) == CONFIG_TYPE_STRING
				   ? cfg_quote(config_setting_get_string(s), q, sizeof q)
				   : (snprintf(q, sizeof q, "%llu", (unsigned long long)v), q));
	*out = v;
	return true;
}

/* A list (or array) of words, OR-ed together; an empty list is 0. */
bool cfg_get_words(struct ctx *c, const config_setting_t *s, const struct word *words,
		   unsigned *out)
{
	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return cfg_type_error(c, s, "a list of strings like (\"a\", \"b\")");
	const char *name = config_setting_name(s);
	unsigned v = 0;
	bool ok = true;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			ok = cfg_err(c, e, "%s: expected a string, got %s", name,
				     type_name(config_setting_type(e)));
			continue;
		}
		const struct word *w = cfg_word_find(words, config_setting_get_string(e));
		if (!w) {
			ok = cfg_word_error(c, e, name, config_setting_get_string(e), words);
			continue;
		}
		v |= w->value;
	}
	if (ok)
		*out = v;
	return ok;
}

/* ---- key tables ---- */

static void store(void *obj, const struct key *k, uint64_t v)
{
	char *p = (char *)obj + k->offset;
	switch (k->size) {
	case 1: {
		uint8_t x = (uint8_t)v;
		memcpy(p, &x, 1);
		break;
	}
	case 2: {
		uint16_t x = (uint16_t)v;
		memcpy(p, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = (uint32_t)v;
		memcpy(p, &x, 4);
		break;
	}
	default: memcpy(p, &v, 8); break;
	}
}

static bool key_parse(struct ctx *c, const struct key *k, const config_setting_t *s, void *obj)
{
	long long i = 0;
	uint64_t u = 0;
	unsigned w = 0;
	const char *str = NULL;
	const struct word *word;
	switch (k->kind) {
	case KEY_INT:
		if (!cfg_get_int(c, s, k->min, k->max, &i))
			return false;
		store(obj, k, (uint64_t)i);
		return true;
	case KEY_SIZE:
		if (!cfg_get_size(c, s, (uint64_t)k->min, (uint64_t)k->max, k->range, &u))
			return false;
		store(obj, k, u);
		return true;
	case KEY_WORD:
		if (!cfg_get_string(c, s, &str))
			return false;
		if (!(word = cfg_word_find(k->words, str)))
			return cfg_word_error(c, s, k->name, str, k->words);
		store(obj, k, word->value);
		return true;
	case KEY_WORDS:
		if (!cfg_get_words(c, s, k->words, &w))
			return false;
		store(obj, k, w);
		return true;
	case KEY_FUNC: return k->fn(c, s, obj);
	}
	return false;
}

/* A NULL-terminated list of key tables, each ending with a NULL name. */
static const struct key *key_find(const struct key *const *tables, const char *name)
{
	for (; *tables; tables++)
		for (const struct key *k = *tables; k->name; k++)
			if (strcmp(k->name, name) == 0)
				return k;
	return NULL;
}

static void unknown_key(struct ctx *c, const config_setting_t *s, const char *what,
			const struct key *const *tables)
{
	char h[96], q[96];
	struct hint hint = { .word = config_setting_name(s) };
	for (const struct key *const *t = tables; *t; t++)
		for (const struct key *k = *t; k->name; k++)
			hint_try(&hint, k->name);
	cfg_err(c, s, "unknown key %s in %s%s", cfg_quote(config_setting_name(s), q, sizeof q),
		what, hint_text(&hint, h, sizeof h));
}

/* Checks each member of section sec against tables and stores it into obj;
 * names in quiet are let through unchecked (keys of an output type that
 * could not be determined). Then reports missing required keys. */
void cfg_walk_section(struct ctx *c, const config_setting_t *sec, const char *what,
		      const struct key *const *tables, const struct key *const *quiet, void *obj)
{
	for (int i = 0; i < config_setting_length(sec); i++) {
		const config_setting_t *s = config_setting_get_elem(sec, (unsigned)i);
		const struct key *k = key_find(tables, config_setting_name(s));
		if (k)
			key_parse(c, k, s, obj);
		else if (!quiet || !key_find(quiet, config_setting_name(s)))
			unknown_key(c, s, what, tables);
	}
	for (const struct key *const *t = tables; *t; t++)
		for (const struct key *k = *t; k->name; k++)
			if (k->required && !config_setting_get_member(sec, k->name))
				cfg_err(c, sec, "missing required key \"%s\" in %s", k->name, what);
}

/* A group { ... } element of a list, or an error. */
bool cfg_is_section(struct ctx *c, const config_setting_t *s, const char *what)
{
	if (config_setting_is_group(s))
		return true;
	return cfg_err(c, s, "%s: expected a group { ... }, got %s", what,
		       type_name(config_setting_type(s)));
}

/* Index of s in its parent's list: which output or group it describes. */
size_t cfg_index_of(const void *elem, const void *base, size_t size)
{
	return (size_t)((const char *)elem - (const char *)base) / size;
}

/* ---- daemon ---- */

static bool key_log_level(struct ctx *c, const config_setting_t *s, void *obj)
{
	static const struct word levels[] = {
		{ "error", 0 }, { "warning", 0 }, { "info", 0 }, { "debug", 0 }, { NULL, 0 },
	};
	struct daemon_config *d = obj;
	const char *name = NULL;
	if (!cfg_get_string(c, s, &name))
		return false;
	int level = log_level_from_name(name);
	if (level < 0)
		return cfg_word_error(c, s, "log_level", name, levels);
	d->log_level = level;
	return true;
}

static const struct key daemon_keys[] = {
	{ "log_level", KEY_FUNC, .fn = key_log_level },
	{ "status_interval", KEY_INT, FIELD(struct daemon_config, status_interval), .min = 1,
	  .max = 86400 },
	{ .name = NULL },
};

static void parse_daemon(struct ctx *c, const config_setting_t *s)
{
	if (!config_setting_is_group(s)) {
		cfg_type_error(c, s, "a group { ... }");
		return;
	}
	const struct key *const tables[] = { daemon_keys, NULL };
	cfg_walk_section(c, s, "daemon", tables, NULL, &c->cfg->daemon);
}

/* ---- shared helpers ---- */

char *cfg_strdup(struct ctx *c, const config_setting_t *s, const char *v)
{
	char *p = strdup(v);
	if (!p)
		cfg_err(c, s, "out of memory");
	return p;
}

/* A list ( ... ) of sections, or an error; an empty array [] counts. */
bool cfg_is_list(struct ctx *c, const config_setting_t *s)
{
	if (config_setting_is_list(s))
		return true;
	if (config_setting_is_array(s) && config_setting_length(s) == 0)
		return true;
	return cfg_type_error(c, s, "a list ( { ... }, ... )");
}

bool cfg_alloc_ok(struct ctx *c, const config_setting_t *s, void *p)
{
	if (p)
		return true;
	return cfg_err(c, s, "out of memory");
}

/* ---- groups ---- */

static bool key_group_number(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct group_config *g = obj;
	size_t i = cfg_index_of(g, c->cfg->groups, sizeof *g);
	long long v = 0;
	char at[512];
	if (!cfg_get_int(c, s, 0, 65535, &v))
		return false;
	for (size_t j = 0; j < i; j++)
		if (c->group_at[j] && c->cfg->groups[j].group == v)
			return cfg_err(c, s, "duplicate group %lld: already defined at %s", v,
				       cfg_where(c, c->group_at[j], s, at, sizeof at));
	g->group = (uint16_t)v;
	c->group_at[i] = s;
	return true;
}

static bool unknown_output(struct ctx *c, const config_setting_t *e, const char *name)
{
	char q[96], h[96];
	/* Probably that output's: its own error says it already. */
	if (c->output_unnamed)
		return false;
	struct hint hint = { .word = name };
	for (size_t i = 0; i < c->cfg->n_outputs; i++)
		hint_try(&hint, c->cfg->outputs[i].name);
	return cfg_err(c, e, "unknown output %s%s%s", cfg_quote(name, q, sizeof q),
		       c->cfg->n_outputs ? "" : " (no outputs are defined)",
		       hint_text(&hint, h, sizeof h));
}

/* One element of a group's outputs list: a defined output, not yet listed. */
static bool group_output(struct ctx *c, struct group_config *g, const config_setting_t *e)
{
	char q[96];
	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return cfg_err(c, e, "outputs: expected a string, got %s",
			       type_name(config_setting_type(e)));
	const char *name = config_setting_get_string(e);
	if (!*name)
		return cfg_err(c, e, "outputs: empty output name");
	int idx = config_find_output(c->cfg, name);
	if (idx < 0)
		return unknown_output(c, e, name);
	for (size_t j = 0; j < g->n_outputs; j++)
		if (g->outputs[j] == (size_t)idx)
			return cfg_err(c, e, "output %s is listed twice",
				       cfg_quote(name, q, sizeof q));
	g->outputs[g->n_outputs++] = (size_t)idx;
	return true;
}

static bool key_group_outputs(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct group_config *g = obj;
	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return cfg_type_error(c, s, "a list of output names like (\"json\")");
	size_t n = (size_t)config_setting_length(s);
	if (n == 0)
		return cfg_err(c, s, "outputs must name at least one output");
	if (!cfg_alloc_ok(c, s, g->outputs = calloc(n, sizeof *g->outputs)))
		return false;
	bool ok = true;
	for (size_t i = 0; i < n; i++)
		ok &= group_output(c, g, config_setting_get_elem(s, (unsigned)i));
	return ok;
}

/* Seconds, integer or float, in 0.01 steps: the kernel counts 1/100 s. */
static bool key_timeout(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct group_config *g = obj;
	double v;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: v = (double)config_setting_get_int64(s); break;
	case CONFIG_TYPE_FLOAT: v = config_setting_get_float(s); break;
	default: return cfg_type_error(c, s, "a number of seconds");
	}
	if (!isfinite(v) || v < 0 || v > CONFIG_TIMEOUT_MAX_S)
		return cfg_err(c, s, "timeout must be 0..%d seconds, got %g", CONFIG_TIMEOUT_MAX_S,
			       v);
	/* v is 0..600 here: rounding by hand spares a libm dependency. */
	double cs = (double)(long long)(v * 100 + 0.5);
	double off = v * 100 - cs;
	if (off > 1e-6 || off < -1e-6)
		return cfg_err(c, s, "timeout must be a multiple of 0.01 seconds, got %g", v);
	g->timeout_cs = (uint32_t)cs;
	return true;
}

static const struct word copymode_words[] = {
	{ "none", COPYMODE_NONE },
	{ "meta", COPYMODE_META },
	{ "packet", COPYMODE_PACKET },
	{ NULL, 0 },
};

static const struct word enobufs_words[] = {
	{ "raise", ENOBUFS_RAISE },
	{ "handle", ENOBUFS_HANDLE },
	{ "disable", ENOBUFS_DISABLE },
	{ NULL, 0 },
};

static const struct word group_flag_words[] = {
	{ "seq", GROUP_FLAG_SEQ },
	{ "seq_global", GROUP_FLAG_SEQ_GLOBAL },
	{ "conntrack", GROUP_FLAG_CONNTRACK },
	{ NULL, 0 },
};

#define G(member) FIELD(struct group_config, member)

static const struct key group_keys[] = {
	{ "group", KEY_FUNC, .required = true, .fn = key_group_number },
	{ "outputs", KEY_FUNC, .required = true, .fn = key_group_outputs },
	{ "copymode", KEY_WORD, G(copymode), .words = copymode_words },
	{ "copy_range", KEY_INT, G(copy_range), .min = 0, .max = 65535 },
	{ "qthresh", KEY_INT, G(qthresh), .min = 1, .max = 65535 },
	{ "timeout", KEY_FUNC, .fn = key_timeout },
	{ "rcvbuf", KEY_SIZE, G(rcvbuf), .min = CONFIG_RCVBUF_MIN, .max = CONFIG_RCVBUF_MAX,
	  .range = "4096..2G" },
	{ "rcvbuf_max", KEY_SIZE, G(rcvbuf_max), .min = CONFIG_RCVBUF_MIN, .max = CONFIG_RCVBUF_MAX,
	  .range = "4096..2G" },
	{ "nlbuf", KEY_SIZE, G(nlbuf), .min = CONFIG_NLBUF_MIN, .max = CONFIG_NLBUF_MAX,
	  .range = "8192..131072 (8K..128K)" },
	{ "enobufs", KEY_WORD, G(enobufs), .words = enobufs_words },
	{ "flags", KEY_WORDS, G(flags), .words = group_flag_words },
	{ .name = NULL },
};

static void group_defaults(struct group_config *g)
{
	g->copymode = COPYMODE_PACKET;
	g->copy_range = CONFIG_DEFAULT_COPY_RANGE;
	g->qthresh = CONFIG_DEFAULT_QTHRESH;
	g->timeout_cs = CONFIG_DEFAULT_TIMEOUT_CS;
	g->rcvbuf = CONFIG_DEFAULT_RCVBUF;
	g->rcvbuf_max = CONFIG_DEFAULT_RCVBUF_MAX;
	g->nlbuf = CONFIG_DEFAULT_NLBUF;
	g->enobufs = ENOBUFS_RAISE;
	g->flags = GROUP_FLAG_SEQ;
}

/* rcvbuf_max is where growth stops: below the start size makes no sense. */
static void check_rcvbuf(struct ctx *c, const config_setting_t *sec, struct group_config *g)
{
	if (!g->rcvbuf || !g->rcvbuf_max || g->rcvbuf_max >= g->rcvbuf)
		return;
	const config_setting_t *max = config_setting_get_member(sec, "rcvbuf_max");
	const config_setting_t *start = config_setting_get_member(sec, "rcvbuf");
	cfg_err(c, max ? max : start,
		"rcvbuf_max (%llu bytes%s) is less than rcvbuf (%llu bytes%s)",
		(unsigned long long)g->rcvbuf_max, max ? "" : ", the default",
		(unsigned long long)g->rcvbuf, start ? "" : ", the default");
}

static void parse_group(struct ctx *c, const config_setting_t *sec, struct group_config *g)
{
	unsigned before = c->n_errors;
	g->line = (int)config_setting_source_line(sec);
	group_defaults(g);
	const struct key *const tables[] = { group_keys, NULL };
	cfg_walk_section(c, sec, "group", tables, NULL, g);
	if (c->n_errors == before)
		check_rcvbuf(c, sec, g);
	/* SO_RCVBUF(FORCE) takes an int: "2G" means as much as it can. */
	if (g->rcvbuf > INT_MAX)
		g->rcvbuf = INT_MAX;
	if (g->rcvbuf_max > INT_MAX)
		g->rcvbuf_max = INT_MAX;
}

static void parse_groups(struct ctx *c, const config_setting_t *s)
{
	if (!s) {
		err_file(c, c->cfg->path, 0,
			 "no groups: add groups = ( { group = 1; outputs = ( ... ); } );");
		return;
	}
	if (!cfg_is_list(c, s))
		return;
	size_t n = (size_t)config_setting_length(s);
	if (n == 0) {
		cfg_err(c, s, "groups is empty: nflogd needs at least one group");
		return;
	}
	c->cfg->groups = calloc(n, sizeof *c->cfg->groups);
	c->group_at = calloc(n, sizeof *c->group_at);
	if (!cfg_alloc_ok(c, s, c->cfg->groups) || !cfg_alloc_ok(c, s, c->group_at))
		return;
	c->cfg->n_groups = n;
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (cfg_is_section(c, e, "groups"))
			parse_group(c, e, &c->cfg->groups[i]);
	}
}

/* ---- the file ---- */

static const char *const sections[] = { "daemon", "outputs", "groups", NULL };

static void unknown_sections(struct ctx *c, const config_setting_t *root)
{
	char q[96], h[96];
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		struct hint hint = { .word = name };
		bool known = false;
		for (const char *const *k = sections; *k; k++) {
			known |= strcmp(*k, name) == 0;
			hint_try(&hint, *k);
		}
		if (!known)
			cfg_err(c, s, "unknown section %s%s", cfg_quote(name, q, sizeof q),
				hint_text(&hint, h, sizeof h));
	}
}

static bool read_line(const char *file, int n, char *out, size_t size);

/* libconfig 1.5 reads an integer without the L suffix with atoi(): past
 * 32 bits it wraps silently, so `group = 4294967297` would be group 1.
 * Read the literal back from s's line (`name = 123`, `name: 0x7b`) and
 * report it when it does not fit in 32 bits and wrapped to s's value. */
static void check_wrapped_int(struct ctx *c, const config_setting_t *s)
{
	char path[PATH_MAX], line[1024], lit[32];
	const char *name = config_setting_name(s);
	if (!name || config_setting_type(s) != CONFIG_TYPE_INT ||
	    !read_line(file_name(c, config_setting_source_file(s), path, sizeof path),
		       config_setting_source_line(s), line, sizeof line))
		return;
	size_t n = strlen(name);
	for (const char *p = line; (p = strstr(p, name)); p += n) {
		if (p > line && (isalnum((unsigned char)p[-1]) || strchr("_-*", p[-1])))
			continue;
		const char *q = p + n + strspn(p + n, " \t");
		if (*q != '=' && *q != ':')
			continue;
		q += 1 + strspn(q + 1, " \t");
		size_t len = strspn(q, "+-0123456789abcdefABCDEFxX");
		if (len == 0 || len >= sizeof lit)
			continue;
		memcpy(lit, q, len);
		lit[len] = '\0';
		const char *digits = lit + (lit[0] == '-' || lit[0] == '+');
		bool hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
		errno = 0;
		char *end;
		long long v = hex ? (long long)strtoull(lit, &end, 16) : strtoll(lit, &end, 10);
		if (*end ||
		    (errno != ERANGE && v >= INT32_MIN && v <= (hex ? UINT32_MAX : INT32_MAX)))
			continue;
		cfg_err(c, s, "%s: %s does not fit in a 32-bit integer (libconfig would read %d)",
			name, lit, config_setting_get_int(s));
		return;
	}
}

/* check_wrapped_int() on every setting of the tree. */
static void check_wrapped_ints(struct ctx *c, const config_setting_t *s)
{
	if (config_setting_is_aggregate(s)) {
		for (int i = 0; i < config_setting_length(s); i++)
			check_wrapped_ints(c, config_setting_get_elem(s, (unsigned)i));
		return;
	}
	check_wrapped_int(c, s);
}

/* Outputs before groups whatever the file's order: groups refer to them. */
static void check_root(struct ctx *c, const config_setting_t *root)
{
	const config_setting_t *s;
	check_wrapped_ints(c, root);
	c->cfg->daemon.log_level = LOG_LEVEL_INFO;
	c->cfg->daemon.status_interval = CONFIG_DEFAULT_STATUS_INTERVAL;
	unknown_sections(c, root);
	if ((s = config_setting_get_member(root, "daemon")))
		parse_daemon(c, s);
	if ((s = config_setting_get_member(root, "outputs")))
		config_parse_outputs(c, s);
	parse_groups(c, config_setting_get_member(root, "groups"));
}

/* Line n (from 1) of file into out, without its newline; false if none. */
static bool read_line(const char *file, int n, char *out, size_t size)
{
	FILE *f = fopen(file, "r");
	if (!f)
		return false;
	bool found = false;
	for (int i = 1; fgets(out, (int)size, f); i++) {
		size_t len = strlen(out);
		bool whole = len && out[len - 1] == '\n';
		if (i == n) {
			out[len - whole] = '\0';
			found = true;
			break;
		}
		if (!whole) /* a longer line: skip its rest */
			for (int ch; (ch = fgetc(f)) != EOF && ch != '\n';)
				;
	}
	fclose(f);
	return found;
}

/* The file name in an `@include "NAME"` line, or NULL. */
static const char *include_name(char *line)
{
	char *p = strstr(line, "@include");
	if (!p || !(p = strchr(p, '"')))
		return NULL;
	char *end = strchr(++p, '"');
	if (!end)
		return NULL;
	*end = '\0';
	return p;
}

/* libconfig's own message, with the include's name when it failed to open. */
static void syntax_error(struct ctx *c, const config_t *lc)
{
	char path[PATH_MAX];
	const char *file = file_name(c, config_error_file(lc), path, sizeof path);
	const char *text = config_error_text(lc) ? config_error_text(lc) : "syntax error";
	int line = config_error_line(lc);
	char src[512], q[300], rel[300] = "";
	const char *name = NULL;
	if (strcmp(text, "cannot open include file") == 0 &&
	    read_line(file, line, src, sizeof src) && (name = include_name(src))) {
		if (c->dir)
			snprintf(rel, sizeof rel, " (@include paths are relative to %s)", c->dir);
		err_file(c, file, (unsigned)line, "cannot open include file %s%s",
			 cfg_quote(name, q, sizeof q), rel);
		return;
	}
	if (strcmp(text, "include file nesting too deep") == 0)
		text = "include file nesting too deep (does a file include itself?)";
	err_file(c, file, line > 0 ? (unsigned)line : 0, "%s", text);
}

/* Bytes of a regular file (NUL-terminated; *len without it), or NULL. */
static char *read_regular(const char *path, size_t *len)
{
	struct stat st;
	FILE *f;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !(f = fopen(path, "r")))
		return NULL; /* stat first: opening a FIFO would block */
	char *data = NULL;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (16 << 20) &&
	    (data = malloc((size_t)st.st_size + 1))) {
		*len = fread(data, 1, (size_t)st.st_size, f);
		data[*len] = '\0';
	}
	fclose(f);
	return data;
}

/* libconfig's scanner exit()s the whole process ("input in flex scanner
 * failed": the daemon would die on a reload) when an @include names
 * something it can open but not read, such as a directory: `@include ""`
 * is the include dir itself. A FIFO or a device would block or never end.
 * So find the @include lines first, as libconfig's scanner does (a line
 * that starts with blanks, "@include", blanks and a double-quoted name
 * with \\ and \" escapes, which may span lines and ends at a NUL for
 * libconfig), and let only regular files through. Missing files and
 * loops are left to libconfig's own messages. *budget bounds the files
 * looked at. Returns false after reporting an error. */
/* If data[k..] is `@include "name"` (after blanks), copy the unescaped
 * name (up to a NUL, as libconfig reads it) and return the index of the
 * closing quote; otherwise return 0. */
static size_t include_at(const char *data, size_t len, size_t k, char *name, size_t size)
{
	while (k < len && (data[k] == ' ' || data[k] == '\t'))
		k++;
	if (len - k <= 9 || memcmp(data + k, "@include", 8) != 0 ||
	    (data[k + 8] != ' ' && data[k + 8] != '\t'))
		return 0;
	for (k += 8; k < len && (data[k] == ' ' || data[k] == '\t'); k++)
		;
	if (k >= len || data[k] != '"')
		return 0;
	size_t n = 0;
	bool cut = false;
	for (k++; k < len && data[k] != '"'; k++) {
		char ch = data[k];
		if (ch == '\\' && k + 1 < len && (data[k + 1] == '\\' || data[k + 1] == '"'))
			ch = data[++k];
		cut |= ch == '\0';
		if (!cut && n + 1 < size)
			name[n++] = ch;
	}
	name[n] = '\0';
	return k < len ? k : 0;
}

static bool check_includes(struct ctx *c, const char *file, const char *shown, int depth,
			   int *budget);

/* One @include target: a regular file is checked in turn, anything else
 * that exists is refused; a missing one is left to libconfig. */
static bool check_include_target(struct ctx *c, const char *shown, unsigned line, const char *name,
				 int depth, int *budget)
{
	char full[2 * PATH_MAX + 2], q[300];
	struct stat st;
	snprintf(full, sizeof full, "%s%s%s", c->dir ? c->dir : "", c->dir ? "/" : "", name);
	if (stat(full, &st) != 0)
		return true;
	if (S_ISREG(st.st_mode))
		return check_includes(c, full, name, depth + 1, budget);
	err_file(c, shown, line, "cannot open include file %s: not a regular file",
		 cfg_quote(name, q, sizeof q));
	return false;
}

/* libconfig's scanner exit()s the whole process ("input in flex scanner
 * failed": the daemon would die on a reload) when an @include names
 * something it can open but not read, such as a directory: `@include ""`
 * is the include dir itself. A FIFO or a device would block or never end.
 * So find the @include lines first, as libconfig's scanner does (a line
 * that starts with blanks, "@include", blanks and a double-quoted name
 * with \\ and \" escapes, which may span lines and ends at a NUL for
 * libconfig), and let only regular files through. Missing files and
 * loops are left to libconfig's own messages. *budget bounds the files
 * looked at. Returns false after reporting an error. */
static bool check_includes(struct ctx *c, const char *file, const char *shown, int depth,
			   int *budget)
{
	size_t len;
	char *data;
	if (depth >= 10 || --*budget < 0 || !(data = read_regular(file, &len)))
		return true;
	bool ok = true;
	unsigned line = 1; /* the line data[pos] is on */
	for (size_t pos = 0; ok && pos < len;) {
		char name[PATH_MAX];
		size_t stop = include_at(data, len, pos, name, sizeof name);
		if (stop)
			ok = check_include_target(c, shown, line, name, depth, budget);
		/* on to the start of the next line, after the name if any */
		while (pos < len && (pos < stop || data[pos] != '\n'))
			line += data[pos++] == '\n';
		if (pos < len) {
			pos++;
			line++;
		}
	}
	free(data);
	return ok;
}

/* The main file must be a readable regular file: say why not with errno,
 * which libconfig does not ("file I/O error"). */
static bool check_readable(struct ctx *c, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_file(c, path, 0, "cannot read: %s", strerror(errno));
		return false;
	}
	struct stat st;
	int e = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
	close(fd);
	if (e)
		err_file(c, path, 0, "cannot read: %s", strerror(e));
	return e == 0;
}

/* The directory of path, or NULL when it has none (then @include is
 * relative to the current directory, which is the same place). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return NULL;
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int config_load(const char *path, struct nflogd_config *cfg, struct buf *errors)
{
	struct ctx c = { .cfg = cfg, .errors = errors };
	memset(cfg, 0, sizeof *cfg);
	if (!check_readable(&c, path))
		return -1;
	if (!(cfg->path = strdup(path))) {
		err_file(&c, path, 0, "out of memory");
		return -1;
	}
	config_t lc;
	config_init(&lc);
	/* @include is relative to this file's directory, so that the daemon
	 * (cwd /) and --check-config (any cwd) read the same files. */
	char *dir = dir_of(path);
	c.dir = dir;
	if (dir)
		config_set_include_dir(&lc, dir);
	int budget = 64;
	if (!check_includes(&c, path, path, 0, &budget))
		; /* reported: libconfig would exit() on it */
	else if (config_read_file(&lc, path))
		check_root(&c, config_root_setting(&lc));
	else
		syntax_error(&c, &lc);
	config_destroy(&lc);
	free(dir);
	free(c.name_at);
	free(c.path_at);
	free(c.group_at);
	if (c.n_errors == 0)
		return 0;
	config_free(cfg);
	return -1;
}

void config_free(struct nflogd_config *cfg)
{
	for (size_t i = 0; i < cfg->n_outputs; i++) {
		free(cfg->outputs[i].name);
		free(cfg->outputs[i].path);
		config_tls_free(&cfg->outputs[i].tls);
	}
	for (size_t i = 0; i < cfg->n_groups; i++)
		free(cfg->groups[i].outputs);
	free(cfg->outputs);
	free(cfg->groups);
	free(cfg->path);
	memset(cfg, 0, sizeof *cfg);
}

bool config_group_options_equal(const struct group_config *a, const struct group_config *b)
{
	return a->group == b->group && a->copymode == b->copymode &&
	       a->copy_range == b->copy_range && a->qthresh == b->qthresh &&
	       a->timeout_cs == b->timeout_cs && a->rcvbuf == b->rcvbuf &&
	       a->rcvbuf_max == b->rcvbuf_max && a->nlbuf == b->nlbuf && a->enobufs == b->enobufs &&
	       a->flags == b->flags;
}

int config_find_output(const struct nflogd_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_outputs; i++)
		if (cfg->outputs[i].name && strcmp(cfg->outputs[i].name, name) == 0)
			return (int)i;
	return -1;
}
