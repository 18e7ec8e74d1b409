/* config_output.c - the outputs section: keys every output has, the
 * output types and the keys of each. A new type adds its word to
 * output_type_words, a row to output_types and its key table. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_internal.h"
#include "format.h"

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
				   cfg_quote(name, q, sizeof q), cfg_where(c, c->name_at[j], s, at, sizeof at));
	if (!(o->name = cfg_strdup(c, s, name)))
		return false;
	c->name_at[i] = s;
	return true;
}

static const struct word output_type_words[] = {
	{"file", OUTPUT_FILE},
	{NULL, 0},
};

static const struct word format_words[] = {
	{"text", RECORD_FORMAT_TEXT},
	{"json", RECORD_FORMAT_JSON},
	{NULL, 0},
};

/* nft's `log flags` words, as nft(8) spells them. */
static const struct word log_flag_words[] = {
	{"tcp sequence", FORMAT_LOG_TCPSEQ},
	{"tcp options", FORMAT_LOG_TCPOPT},
	{"ip options", FORMAT_LOG_IPOPT},
	{"skuid", FORMAT_LOG_UID},
	{"ether", FORMAT_LOG_MACDECODE},
	{"all", FORMAT_LOG_ALL},
	{NULL, 0},
};

/* Keys every output type has. */
static const struct key output_keys[] = {
	{"name", KEY_FUNC, .required = true, .fn = key_output_name},
	{"type", KEY_WORD, .required = true, FIELD(struct output_config, type),
	 .words = output_type_words},
	{"format", KEY_WORD, FIELD(struct output_config, format), .words = format_words},
	{"log_flags", KEY_WORDS, FIELD(struct output_config, log_flags), .words = log_flag_words},
	{.name = NULL},
};

static bool key_file_path(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct output_config *o = obj;
	size_t i = cfg_index_of(o, c->cfg->outputs, sizeof *o);
	const char *path = NULL;
	char q[300], at[512];
	if (!cfg_get_string(c, s, &path))
		return false;
	if (path[0] != '/')
		return cfg_err(c, s, "path %s must be absolute (start with /)", cfg_quote(path, q, sizeof q));
	if (path[strlen(path) - 1] == '/')
		return cfg_err(c, s, "path %s names a directory, not a file", cfg_quote(path, q, sizeof q));
	for (size_t j = 0; j < i; j++)
		if (c->path_at[j] && strcmp(c->cfg->outputs[j].path, path) == 0)
			return cfg_err(c, s, "path %s is already used by output \"%s\" at %s",
				   cfg_quote(path, q, sizeof q),
				   c->cfg->outputs[j].name ? c->cfg->outputs[j].name : "?",
				   cfg_where(c, c->path_at[j], s, at, sizeof at));
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
			return cfg_err(c, s, "mode must be an octal string \"0\"..\"0777\", like \"0640\"; got %s",
				   cfg_quote(str, q, sizeof q));
		o->mode = (unsigned)m;
		return true;
	}
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return cfg_type_error(c, s, "an octal string like \"0640\"");
	v = config_setting_get_int64(s);
	if (config_setting_get_format(s) != CONFIG_FORMAT_HEX && v > 7 && looks_octal(v))
		return cfg_err(c, s, "mode %lld is read as decimal (libconfig has no octal numbers): quote it, mode = \"0%lld\"",
			   v, v);
	if (v < 0)
		return cfg_err(c, s, "mode must be 0..0777, got %lld", v);
	if (v > 0777)
		return cfg_err(c, s, "mode must be 0..0777, got %lld (0%llo)", v, (unsigned long long)v);
	o->mode = (unsigned)v;
	return true;
}

static const struct key file_keys[] = {
	{"path", KEY_FUNC, .required = true, .fn = key_file_path},
	{"mode", KEY_FUNC, .fn = key_mode},
	{.name = NULL},
};

/* The output types and their own keys. A new type (journal, syslog) adds
 * a line here, its keys table and its word in output_type_words. */
static const struct output_type_def output_types[] = {
	{"file", file_keys},
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
	const struct output_type_def *td = output_type_find(sec);
	if (td) {
		char what[64];
		snprintf(what, sizeof what, "%s output", td->name);
		const struct key *const tables[] = {output_keys, td->keys, NULL};
		cfg_walk_section(c, sec, what, tables, NULL, o);
		return;
	}
	/* Type missing or wrong (reported by the walk): check the common keys
	 * and let any type's own keys pass, so one typo gives one message. */
	const struct key *quiet[COUNT(output_types) + 1] = {NULL};
	for (size_t i = 0; i < COUNT(output_types); i++)
		quiet[i] = output_types[i].keys;
	const struct key *const tables[] = {output_keys, NULL};
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
	       a->log_flags == b->log_flags && str_equal(a->path, b->path) && a->mode == b->mode;
}
