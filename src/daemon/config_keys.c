/* config_keys.c - what every section of the config parser uses: messages
 * ("FILE:LINE: message", quoting, "did you mean"), words, checked getters
 * for scalar values, and the key tables that drive each section. Knows no
 * section itself: config.c (daemon, groups, the file) and config_output.c
 * (outputs) build on it. */
#include "config_internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
const char *cfg_file_name(const struct ctx *c, const char *file, char *out, size_t size)
{
	if (!file)
		return c->cfg->path ? c->cfg->path : "(config)";
	if (!c->dir || file[0] == '/' || (c->cfg->path && strcmp(file, c->cfg->path) == 0))
		return file;
	snprintf(out, size, "%s/%s", c->dir, file);
	return out;
}

/* One "FILE:LINE: message" line into to; line 0 means no line applies. */
static void message_at(const struct ctx *c, struct buf *to, const char *file, unsigned line,
		       const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static void message_at(const struct ctx *c, struct buf *to, const char *file, unsigned line,
		       const char *fmt, va_list ap)
{
	char msg[1024], name[PATH_MAX];
	vsnprintf(msg, sizeof msg, fmt, ap);
	file = cfg_file_name(c, file, name, sizeof name);
	if (line)
		buf_printf(to, "%s:%u: %s\n", file, line, msg);
	else
		buf_printf(to, "%s: %s\n", file, msg);
}

static void message(const struct ctx *c, struct buf *to, const char *file, unsigned line,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void message(const struct ctx *c, struct buf *to, const char *file, unsigned line,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message_at(c, to, file, line, fmt, ap);
	va_end(ap);
}

static void error_at(struct ctx *c, const char *file, unsigned line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void error_at(struct ctx *c, const char *file, unsigned line, const char *fmt, va_list ap)
{
	message_at(c, c->errors, file, line, fmt, ap);
	c->n_errors++;
}

void cfg_err_file(struct ctx *c, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_at(c, file, line, fmt, ap);
	va_end(ap);
}

/* An error about setting s, at the file and line it came from. */
bool cfg_err(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_at(c, config_setting_source_file(s), config_setting_source_line(s), fmt, ap);
	va_end(ap);
	return false;
}

/* A warning about setting s: "FILE:LINE: warning: message"; the config
 * stays valid. */
void cfg_warn(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->warnings)
		message(c, c->warnings, config_setting_source_file(s),
			config_setting_source_line(s), "warning: %s", msg);
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
		snprintf(out, size, "%s:%u", cfg_file_name(c, f1, name, sizeof name), line);
	return out;
}

const char *cfg_type_name(int type)
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
		       cfg_type_name(config_setting_type(s)));
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

void cfg_hint_try(struct hint *h, const char *candidate)
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
const char *cfg_hint_text(const struct hint *h, char *out, size_t size)
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
		cfg_hint_try(&hint, w->name);
	}
	return cfg_err(c, s, "bad value %s for %s: expected one of %s%s",
		       cfg_quote(got, q, sizeof q), what, list, cfg_hint_text(&hint, h, sizeof h));
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
				     cfg_type_name(config_setting_type(e)));
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
			cfg_hint_try(&hint, k->name);
	cfg_err(c, s, "unknown key %s in %s%s", cfg_quote(config_setting_name(s), q, sizeof q),
		what, cfg_hint_text(&hint, h, sizeof h));
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
		       cfg_type_name(config_setting_type(s)));
}

/* Index of s in its parent's list: which output or group it describes. */
size_t cfg_index_of(const void *elem, const void *base, size_t size)
{
	return (size_t)((const char *)elem - (const char *)base) / size;
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
