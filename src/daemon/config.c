/* config.c - /etc/nflogd.conf (libconfig) to a validated struct nflogd_config.
 *
 * One pass over libconfig's tree. Each section is checked against a table
 * of keys (name, kind, range, where to store it: config_keys.c); every
 * problem becomes one "FILE:LINE: message" line and checking goes on, so
 * that one run of --check-config lists them all. Only a syntax error stops
 * early: libconfig gives no tree then. This file: the daemon and groups
 * sections and the file as a whole; config_output.c: the outputs;
 * config_quirks.c: what libconfig 1.5 gets wrong.
 */
#include "config.h"
#include "config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "log.h"

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

/* ---- groups ---- */

static bool key_group_number(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct group_config *g = obj;
	size_t i = cfg_index_of(g, c->cfg->groups, sizeof *g);
	long long v = 0;
	if (!cfg_get_int(c, s, 0, 65535, &v))
		return false;
	g->group = (uint16_t)v;
	c->group_at[i] = s; /* duplicates: check_duplicate_groups() */
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
		cfg_hint_try(&hint, c->cfg->outputs[i].name);
	return cfg_err(c, e, "unknown output %s%s%s", cfg_quote(name, q, sizeof q),
		       c->cfg->n_outputs ? "" : " (no outputs are defined)",
		       cfg_hint_text(&hint, h, sizeof h));
}

/* One element of a group's outputs list: a defined output, not yet listed. */
static bool group_output(struct ctx *c, struct group_config *g, const config_setting_t *e)
{
	char q[96];
	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return cfg_err(c, e, "outputs: expected a string, got %s",
			       cfg_type_name(config_setting_type(e)));
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

/* A namespace may appear after nflogd starts (a container not yet
 * running): a missing one, or a file that is no namespace yet, is a
 * warning; the group waits for it. */
static void check_netns(struct ctx *c, const config_setting_t *s, const char *path)
{
	struct statfs sfs;
	char q[PATH_MAX + 16];
	if (statfs(path, &sfs) < 0)
		cfg_warn(c, s,
			 "network namespace %s: %s (yet): the group waits for it and is bound when "
			 "it appears",
			 cfg_quote(path, q, sizeof q),
			 errno == ENOENT ? "does not exist" : strerror(errno));
	else if (sfs.f_type != NSFS_MAGIC)
		cfg_warn(c, s,
			 "%s is not a network namespace (yet): the group waits until it is one",
			 cfg_quote(path, q, sizeof q));
}

/* netns = "NAME" (as `ip netns add NAME` makes it under /run/netns) or an
 * absolute path (/proc/PID/ns/net, /run/docker/netns/ID). */
static bool key_netns(struct ctx *c, const config_setting_t *s, void *obj)
{
	struct group_config *g = obj;
	const char *v = NULL;
	char q[PATH_MAX + 16];
	if (!cfg_get_string(c, s, &v))
		return false;
	size_t n = strlen(v);
	bool is_path = v[0] == '/', plain = true;
	for (const char *p = v; *p; p++) /* it goes into records and messages as it is */
		plain &= *p > ' ' && *p < 0x7f && *p != '"' && *p != '\\';
	if (!plain || (is_path ? n >= PATH_MAX
			       : strchr(v, '/') || strcmp(v, ".") == 0 || strcmp(v, "..") == 0 ||
				     n > NAME_MAX))
		return cfg_err(c, s,
			       "netns %s: expected a name under " CONFIG_NETNS_DIR
			       " (as `ip netns add NAME` makes) or an absolute path to a namespace "
			       "file (/proc/PID/ns/net), in printable ASCII without spaces, quotes "
			       "or backslashes",
			       cfg_quote(v, q, sizeof q));
	if (!(g->netns = cfg_strdup(c, s, v)))
		return false;
	if (asprintf(&g->netns_path, is_path ? "%s" : CONFIG_NETNS_DIR "/%s", v) < 0) {
		g->netns_path = NULL;
		return cfg_alloc_ok(c, s, NULL);
	}
	check_netns(c, s, g->netns_path);
	return true;
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
	{ "netns", KEY_FUNC, .fn = key_netns },
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

/* A raw capture holds the packet itself: a group that copies none cannot
 * feed it (an nflog capture holds the attributes, with or without it). */
static void check_raw_captures(struct ctx *c, const config_setting_t *sec, struct group_config *g)
{
	static const char *const modes[] = { "none", "meta", "packet" };
	const config_setting_t *mode = config_setting_get_member(sec, "copymode");
	char q[96];
	if (g->copymode == COPYMODE_PACKET)
		return;
	for (size_t i = 0; i < g->n_outputs; i++) {
		const struct output_config *o = &c->cfg->outputs[g->outputs[i]];
		if (o->type != OUTPUT_PCAP || o->linktype != CAPTURE_RAW)
			continue;
		cfg_err(c, mode ? mode : sec,
			"group %u copies no packet (copymode = \"%s\") but output %s writes raw IP "
			"packets (linktype = \"raw\"): use copymode = \"packet\", or linktype = "
			"\"nflog\" (its records keep the attributes without the packet)",
			g->group, modes[g->copymode], cfg_quote(o->name, q, sizeof q));
	}
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
	if (c->n_errors == before)
		check_raw_captures(c, sec, g);
	/* SO_RCVBUF(FORCE) takes an int: "2G" means as much as it can. */
	if (g->rcvbuf > INT_MAX)
		g->rcvbuf = INT_MAX;
	if (g->rcvbuf_max > INT_MAX)
		g->rcvbuf_max = INT_MAX;
}

/* Groups by identity, and in file order among equals. */
static int group_ptr_cmp(const void *a, const void *b)
{
	const struct group_config *ga = *(const void *const *)a, *gb = *(const void *const *)b;
	int r = config_group_identity_cmp(ga, gb);
	return r ? r : (ga > gb) - (ga < gb);
}

/* A group whose identity an earlier one has is an error naming the first.
 * Sorted, not compared pairwise: 65536 groups are checked in milliseconds. */
static void check_duplicate_groups(struct ctx *c)
{
	const struct group_config *groups = c->cfg->groups, **v;
	size_t m = 0;
	char at[512], q[PATH_MAX + 16];
	if (!(v = malloc((c->cfg->n_groups + 1) * sizeof *v))) {
		cfg_err_file(c, c->cfg->path, 0, "out of memory");
		return;
	}
	for (size_t i = 0; i < c->cfg->n_groups; i++)
		if (c->group_at[i])
			v[m++] = &groups[i];
	qsort(v, m, sizeof *v, group_ptr_cmp);
	for (size_t k = 1, first = 0; k < m; k++) {
		if (config_group_identity_cmp(v[first], v[k]) != 0) {
			first = k;
			continue;
		}
		const config_setting_t *s = c->group_at[v[k] - groups];
		char in[PATH_MAX + 32] = "";
		if (v[k]->netns_path)
			snprintf(in, sizeof in, " in network namespace %s",
				 cfg_quote(v[k]->netns_path, q, sizeof q));
		cfg_err(c, s, "duplicate group %u%s: already defined at %s", v[k]->group, in,
			cfg_where(c, c->group_at[v[first] - groups], s, at, sizeof at));
	}
	free(v);
}

static void parse_groups(struct ctx *c, const config_setting_t *s)
{
	if (!s) {
		cfg_err_file(c, c->cfg->path, 0,
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
	check_duplicate_groups(c);
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
			cfg_hint_try(&hint, *k);
		}
		if (!known)
			cfg_err(c, s, "unknown section %s%s", cfg_quote(name, q, sizeof q),
				cfg_hint_text(&hint, h, sizeof h));
	}
}

/* Outputs before groups whatever the file's order: groups refer to them. */
static void check_root(struct ctx *c, const config_setting_t *root)
{
	const config_setting_t *s;
	c->cfg->daemon.log_level = LOG_LEVEL_INFO;
	c->cfg->daemon.status_interval = CONFIG_DEFAULT_STATUS_INTERVAL;
	unknown_sections(c, root);
	if ((s = config_setting_get_member(root, "daemon")))
		parse_daemon(c, s);
	if ((s = config_setting_get_member(root, "outputs")))
		config_parse_outputs(c, s);
	parse_groups(c, config_setting_get_member(root, "groups"));
}

/* The main file must be a readable regular file: say why not with errno,
 * which libconfig does not ("file I/O error"). */
static bool check_readable(struct ctx *c, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cfg_err_file(c, path, 0, "cannot read: %s", strerror(errno));
		return false;
	}
	struct stat st;
	int e = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
	close(fd);
	if (e)
		cfg_err_file(c, path, 0, "cannot read: %s", strerror(e));
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

int config_load(const char *path, struct nflogd_config *cfg, struct buf *errors,
		struct buf *warnings)
{
	struct ctx c = { .cfg = cfg, .errors = errors, .warnings = warnings };
	memset(cfg, 0, sizeof *cfg);
	if (!check_readable(&c, path))
		return -1;
	if (!(cfg->path = strdup(path))) {
		cfg_err_file(&c, path, 0, "out of memory");
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
	if (!cfg_check_includes(&c, path))
		; /* reported: libconfig would exit() on it */
	else if (config_read_file(&lc, path)) {
		cfg_check_wrapped_ints(&c, path);
		check_root(&c, config_root_setting(&lc));
	} else
		cfg_syntax_error(&c, &lc);
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
	for (size_t i = 0; i < cfg->n_groups; i++) {
		free(cfg->groups[i].outputs);
		free(cfg->groups[i].netns);
		free(cfg->groups[i].netns_path);
	}
	free(cfg->outputs);
	free(cfg->groups);
	free(cfg->path);
	memset(cfg, 0, sizeof *cfg);
}

int config_group_identity_cmp(const struct group_config *a, const struct group_config *b)
{
	if (!a->netns_path != !b->netns_path)
		return a->netns_path ? 1 : -1; /* nflogd's own namespace first */
	int r = a->netns_path ? strcmp(a->netns_path, b->netns_path) : 0;
	return r ? r : (a->group > b->group) - (a->group < b->group);
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
