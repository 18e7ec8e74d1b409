/* test_config.c - config_load(): defaults, every key, every error.
 *
 * every tests/config/good/NAME.conf must load; every bad/NAME.conf must fail
 * with the message their first line announces:
 *     # expect: :6: unknown key "qthres" in group (did you mean "qthresh"?)
 * A message starting with ':' follows the file's own path; otherwise it
 * names a file of that directory (an included one) first.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "format.h"
#include "log.h"

#define CONFIG_DIR TEST_DATA_DIR "/config"

/* libconfig 1.5 leaks its string buffer when a string is still open at the
 * end of the file (a syntax error, from test_mangled): its bug, not ours.
 * LeakSanitizer reads this hook in the sanitizer build. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:strbuf_append\n"; }

static bool cfg_is_empty(const struct nflogd_config *cfg)
{
	return !cfg->path && !cfg->outputs && !cfg->n_outputs && !cfg->groups && !cfg->n_groups;
}

/* Every line of errors is "FILE...: message\n", none empty. */
static bool errors_well_formed(const struct buf *errors, const char *prefix)
{
	size_t start = 0;
	if (errors->len == 0 || errors->data[errors->len - 1] != '\n')
		return false;
	for (size_t i = 0; i < errors->len; i++) {
		if (errors->data[i] != '\n')
			continue;
		size_t n = i - start;
		const char *line = errors->data + start;
		if (n < 3 || !memmem(line, n, ": ", 2))
			return false;
		if (prefix && strncmp(line, prefix, strlen(prefix)) != 0)
			return false;
		start = i + 1;
	}
	return true;
}

static char *errors_str(struct buf *errors)
{
	buf_putc(errors, '\0');
	errors->len--;
	return errors->data ? errors->data : "";
}

/* The errors as TAP comments, after a failed check. */
static void show_errors(struct buf *errors)
{
	const char *p = errors_str(errors);
	while (*p) {
		size_t n = strcspn(p, "\n");
		printf("#   %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static int load(const char *path, struct nflogd_config *cfg, struct buf *errors)
{
	buf_reset(errors);
	return config_load(path, cfg, errors, NULL);
}

/* ---- files that cannot be read ---- */

static void test_unreadable(void)
{
	struct nflogd_config cfg;
	struct buf errors;
	buf_init(&errors);

	const char *missing = CONFIG_DIR "/does-not-exist.conf";
	CHECK(load(missing, &cfg, &errors) == -1, "missing file fails");
	CHECK_STREQ(errors_str(&errors),
		    CONFIG_DIR "/does-not-exist.conf: cannot read: No such file or directory\n",
		    "missing file: no line number, errno text");
	CHECK(cfg_is_empty(&cfg), "missing file: cfg left empty");

	CHECK(load(CONFIG_DIR, &cfg, &errors) == -1, "a directory fails");
	CHECK_STREQ(errors_str(&errors), CONFIG_DIR ": cannot read: Is a directory\n",
		    "directory: EISDIR");
	config_free(&cfg);
	buf_free(&errors);
}

/* ---- good files ---- */

static void test_minimal(void)
{
	struct nflogd_config cfg;
	struct buf errors;
	buf_init(&errors);
	int rc = load(CONFIG_DIR "/good/minimal.conf", &cfg, &errors);
	CHECK(rc == 0, "minimal.conf loads");
	if (rc != 0)
		show_errors(&errors);
	if (rc != 0)
		return buf_free(&errors);

	CHECK_STREQ(cfg.path, CONFIG_DIR "/good/minimal.conf", "path kept");
	CHECK(cfg.daemon.log_level == LOG_LEVEL_INFO, "default log_level info");
	CHECK(cfg.daemon.status_interval == 10, "default status_interval 10");

	CHECK(cfg.n_outputs == 1, "one output");
	const struct output_config *o = &cfg.outputs[0];
	CHECK_STREQ(o->name, "log", "output name");
	CHECK(o->line == 2, "output line %d", o->line);
	CHECK(o->type == OUTPUT_FILE, "type file");
	CHECK(o->format == RECORD_FORMAT_TEXT, "default format text");
	CHECK(o->log_flags == 0, "default log_flags none");
	CHECK_STREQ(o->path, "/var/log/nflogd/nflog.log", "output path");
	CHECK(o->mode == 0640, "default mode 0640, got 0%o", o->mode);

	CHECK(cfg.n_groups == 1, "one group");
	const struct group_config *g = &cfg.groups[0];
	CHECK(g->group == 0, "group 0");
	CHECK(g->line == 3, "group line %d", g->line);
	CHECK(g->n_outputs == 1 && g->outputs[0] == 0, "group outputs resolved");
	CHECK(g->copymode == COPYMODE_PACKET, "default copymode packet");
	CHECK(g->copy_range == 65535, "default copy_range 65535");
	CHECK(g->qthresh == 64, "default qthresh 64");
	CHECK(g->timeout_cs == 5, "default timeout 0.05 s");
	CHECK(g->rcvbuf == 4u << 20, "default rcvbuf 4M");
	CHECK(g->rcvbuf_max == 64u << 20, "default rcvbuf_max 64M");
	CHECK(g->nlbuf == 65536, "default nlbuf 65536");
	CHECK(g->enobufs == ENOBUFS_RAISE, "default enobufs raise");
	CHECK(g->flags == GROUP_FLAG_SEQ, "default flags seq");

	CHECK(config_find_output(&cfg, "log") == 0, "find_output finds");
	CHECK(config_find_output(&cfg, "nope") == -1, "find_output misses");
	config_free(&cfg);
	CHECK(cfg_is_empty(&cfg), "config_free empties");
	config_free(&cfg); /* twice is harmless */
	buf_free(&errors);
}

static void check_full_outputs(const struct nflogd_config *cfg)
{
	CHECK(cfg->n_outputs == 3, "three outputs");
	const struct output_config *j = &cfg->outputs[0], *t = &cfg->outputs[1];
	CHECK_STREQ(j->name, "json.main", "output 0 name");
	CHECK(j->format == RECORD_FORMAT_JSON, "json format");
	CHECK(j->log_flags == 0, "empty log_flags");
	CHECK(j->mode == 0600, "mode \"0600\"");
	CHECK_STREQ(t->name, "text_all-1", "output 1 name");
	CHECK(t->format == RECORD_FORMAT_TEXT, "text format");
	CHECK(t->log_flags == (FORMAT_LOG_TCPSEQ | FORMAT_LOG_TCPOPT | FORMAT_LOG_IPOPT |
			       FORMAT_LOG_UID | FORMAT_LOG_MACDECODE),
	      "log_flags words, got 0x%x", t->log_flags);
	CHECK(t->mode == 0644, "hex mode 0x1a4");
	CHECK(cfg->outputs[2].mode == 0600, "decimal mode 384 (8: not an octal reading)");
	CHECK(config_find_output(cfg, "unused") == 2, "an unused output is kept");
}

static void check_full_groups(const struct nflogd_config *cfg)
{
	CHECK(cfg->n_groups == 2, "two groups");
	const struct group_config *a = &cfg->groups[0], *b = &cfg->groups[1];
	CHECK(a->group == 65535, "group 65535");
	CHECK(a->n_outputs == 2 && a->outputs[0] == 1 && a->outputs[1] == 0,
	      "outputs in listed order");
	CHECK(a->copymode == COPYMODE_META, "copymode meta");
	CHECK(a->copy_range == 0, "copy_range 0");
	CHECK(a->qthresh == 1, "qthresh 1");
	CHECK(a->timeout_cs == 7, "timeout 0.07 -> 7 cs, got %u", a->timeout_cs);
	CHECK(a->rcvbuf == 0 && a->rcvbuf_max == 0, "rcvbuf 0, rcvbuf_max 0");
	CHECK(a->nlbuf == 0, "nlbuf 0");
	CHECK(a->enobufs == ENOBUFS_HANDLE, "enobufs handle");
	CHECK(a->flags == 0, "flags () is none");

	CHECK(b->group == 7, "group 7");
	CHECK(b->n_outputs == 1 && b->outputs[0] == 0, "outputs as an array");
	CHECK(b->copymode == COPYMODE_NONE, "copymode none");
	CHECK(b->copy_range == 128, "copy_range 128");
	CHECK(b->qthresh == 65535, "qthresh 65535");
	CHECK(b->timeout_cs == 60000, "timeout 600 -> 60000 cs");
	CHECK(b->rcvbuf == INT_MAX && b->rcvbuf_max == INT_MAX, "2G is stored as INT_MAX");
	CHECK(b->nlbuf == 131072, "nlbuf 128K");
	CHECK(b->enobufs == ENOBUFS_DISABLE, "enobufs disable");
	CHECK(b->flags == (GROUP_FLAG_SEQ | GROUP_FLAG_SEQ_GLOBAL | GROUP_FLAG_CONNTRACK),
	      "all flags");
}

static void test_full(void)
{
	struct nflogd_config cfg;
	struct buf errors;
	buf_init(&errors);
	int rc = load(CONFIG_DIR "/good/full.conf", &cfg, &errors);
	CHECK(rc == 0, "full.conf loads");
	if (rc != 0)
		show_errors(&errors);
	if (rc == 0) {
		CHECK(cfg.daemon.log_level == LOG_LEVEL_DEBUG, "log_level debug");
		CHECK(cfg.daemon.status_interval == 86400, "status_interval 86400");
		check_full_outputs(&cfg);
		check_full_groups(&cfg);
	}
	config_free(&cfg);
	buf_free(&errors);
}

static void test_include(void)
{
	struct nflogd_config cfg;
	struct buf errors;
	buf_init(&errors);
	int rc = load(CONFIG_DIR "/good/include.conf", &cfg, &errors);
	CHECK(rc == 0, "include.conf loads");
	if (rc != 0)
		show_errors(&errors);
	if (rc == 0) {
		CHECK(cfg.n_outputs == 1 && strcmp(cfg.outputs[0].name, "inc") == 0,
		      "output from the included file");
		CHECK(cfg.outputs[0].line == 2, "its line is in the included file");
		CHECK(cfg.outputs[0].mode == 0640, "mode \"640\" is octal");
		CHECK(cfg.groups[0].timeout_cs == 100, "integer timeout 1 s");
		CHECK(cfg.groups[0].rcvbuf == 4096 && cfg.groups[0].rcvbuf_max == 4096,
		      "rcvbuf_max equal to rcvbuf is fine");
	}
	config_free(&cfg);
	buf_free(&errors);
}

static void test_pcap(void)
{
	struct nflogd_config cfg;
	struct buf errors;
	buf_init(&errors);
	int rc = load(CONFIG_DIR "/good/pcap.conf", &cfg, &errors);
	CHECK(rc == 0, "pcap.conf loads");
	if (rc != 0)
		show_errors(&errors);
	if (rc == 0) {
		const struct output_config *cap = &cfg.outputs[0], *raw = &cfg.outputs[1];
		CHECK(cap->type == OUTPUT_PCAP && cap->linktype == CAPTURE_NFLOG,
		      "type pcap, linktype nflog by default");
		CHECK(cap->mode == 0640 && cap->backlog == CONFIG_DEFAULT_FILE_BACKLOG &&
			  cap->rotate_size == 0,
		      "a file's defaults");
		CHECK(raw->linktype == CAPTURE_RAW && raw->mode == 0600 &&
			  raw->rotate_size == 100u << 20 && raw->rotate_interval == 86400 &&
			  raw->rotate_keep == 3 && raw->backlog == 1u << 20,
		      "linktype raw with a file's keys");
		CHECK(!config_output_equal(cap, raw), "linktype is compared by a reload");
	}
	config_free(&cfg);
	buf_free(&errors);
}

/* Groups in network namespaces: the identity is (namespace, group); a
 * namespace that does not exist is a warning with FILE:LINE, not an
 * error (it may appear later). */
static void test_netns(void)
{
	struct nflogd_config cfg;
	struct buf errors, warnings;
	buf_init(&errors);
	buf_init(&warnings);
	const char *path = CONFIG_DIR "/good/netns.conf";
	int rc = config_load(path, &cfg, &errors, &warnings);
	CHECK(rc == 0, "netns.conf loads");
	if (rc != 0)
		show_errors(&errors);
	if (rc == 0) {
		const struct group_config *g = cfg.groups;
		CHECK(!g[0].netns && !g[0].netns_path, "no netns: nflogd's own");
		CHECK_STREQ(g[1].netns, "nflogd-test-none-a", "a name, as written");
		CHECK_STREQ(g[1].netns_path, "/run/netns/nflogd-test-none-a",
			    "... under /run/netns");
		CHECK_STREQ(g[2].netns_path, "/run/netns/nflogd-test-none-b", "a path");
		CHECK(config_group_identity_cmp(&g[0], &g[1]) < 0 &&
			  config_group_identity_cmp(&g[1], &g[3]) < 0 &&
			  config_group_identity_cmp(&g[1], &g[2]) < 0,
		      "identity: own namespace first, then by namespace, then group");
		char want[PATH_MAX + 200];
		snprintf(want, sizeof want,
			 "%s:6: warning: network namespace \"/run/netns/nflogd-test-none-a\": does "
			 "not exist (yet): the group waits for it and is bound when it appears\n",
			 path);
		CHECK(strstr(errors_str(&warnings), want) != NULL,
		      "a missing namespace: a warning at FILE:LINE");
	}
	config_free(&cfg);
	buf_free(&errors);
	buf_free(&warnings);
}

/* The installed example must load as shipped. */
static void test_example(void)
{
	struct nflogd_config cfg;
	struct buf errors;
	buf_init(&errors);
	int rc = load(TEST_DATA_DIR "/../conf/nflogd.conf", &cfg, &errors);
	CHECK(rc == 0, "conf/nflogd.conf loads");
	if (rc != 0)
		show_errors(&errors);
	if (rc == 0) {
		CHECK(cfg.n_groups == 1 && cfg.groups[0].group == 1, "example: group 1");
		CHECK(cfg.n_outputs == 2, "example: two outputs");
		const struct group_config *g = &cfg.groups[0];
		CHECK(g->qthresh == 64 && g->timeout_cs == 5 && g->rcvbuf == 4u << 20 &&
			  g->rcvbuf_max == 64u << 20 && g->nlbuf == 65536 &&
			  g->flags == GROUP_FLAG_SEQ && g->copy_range == 65535,
		      "example group keys are the defaults");
		for (size_t i = 0; i < cfg.n_outputs; i++)
			CHECK(strncmp(cfg.outputs[i].path, "/var/log/nflogd/", 16) == 0,
			      "example output %s under /var/log/nflogd/", cfg.outputs[i].name);
	}
	config_free(&cfg);
	buf_free(&errors);
}

/* ---- directories of fixtures ---- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of dir's *.conf files; *n set. Caller frees each and the array. */
static char **conf_files(const char *dir, size_t *n)
{
	char **names = NULL;
	size_t cap = 0;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof *names);
		}
		names[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, name_cmp);
	return names;
}

/* The "# expect: " text of path's first line, into out. */
static bool read_expect(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[512];
	bool ok = fgets(line, sizeof line, f) && strncmp(line, "# expect: ", 10) == 0;
	fclose(f);
	if (!ok)
		return false;
	line[strcspn(line, "\n")] = '\0';
	snprintf(out, size, "%s", line + 10);
	return true;
}

static void test_bad_file(const char *dir, const char *name)
{
	char path[PATH_MAX], expect[512], want[PATH_MAX + 600], prefix[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(prefix, sizeof prefix, "%s/", dir);
	if (!read_expect(path, expect, sizeof expect)) {
		CHECK(0, "%s: first line is not \"# expect: ...\"", name);
		return;
	}
	if (expect[0] == ':')
		snprintf(want, sizeof want, "%s%s", path, expect);
	else
		snprintf(want, sizeof want, "%s/%s", dir, expect);

	struct nflogd_config cfg;
	struct buf errors;
	buf_init(&errors);
	int rc = load(path, &cfg, &errors);
	const char *got = errors_str(&errors);
	CHECK(rc == -1, "%s fails", name);
	CHECK(strstr(got, want) != NULL, "%s: %s", name, expect);
	if (!strstr(got, want))
		show_errors(&errors);
	CHECK(errors_well_formed(&errors, prefix), "%s: one \"FILE:LINE: message\" per line", name);
	CHECK(cfg_is_empty(&cfg), "%s: cfg left empty", name);
	config_free(&cfg);
	buf_free(&errors);
}

/* Every bad file fails as announced (under ASan in the sanitizer build:
 * no leak, no overflow on any of them). */
static void test_bad_dir(void)
{
	size_t n;
	char **names = conf_files(CONFIG_DIR "/bad", &n);
	CHECK(n >= 30, "at least 30 bad files, found %zu", n);
	for (size_t i = 0; i < n; i++) {
		test_bad_file(CONFIG_DIR "/bad", names[i]);
		free(names[i]);
	}
	free(names);
}

static void test_good_dir(void)
{
	size_t n;
	char **names = conf_files(CONFIG_DIR "/good", &n);
	CHECK(n >= 3, "good files found: %zu", n);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", CONFIG_DIR "/good", names[i]);
		struct nflogd_config cfg;
		struct buf errors;
		buf_init(&errors);
		int rc = load(path, &cfg, &errors);
		CHECK(rc == 0, "%s loads", names[i]);
		if (rc != 0)
			show_errors(&errors);
		config_free(&cfg);
		buf_free(&errors);
		free(names[i]);
	}
	free(names);
}

/* ---- text written on the fly ---- */

static char tmpdir[64];

static const char *write_tmp(const char *name, const void *text, size_t len)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return path;
	fwrite(text, 1, len, f);
	fclose(f);
	return path;
}

static size_t count_lines(const struct buf *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == '\n';
	return n;
}

/* All problems are reported, not only the first. */
static void test_all_errors(void)
{
	static const char text[] =
	    "daemon: { log_level = \"loud\"; status_interval = 0; };\n"
	    "outputs = ( { name = \"a\"; type = \"file\"; path = \"rel\"; mode = 999; } );\n"
	    "groups = ( { group = 70000; outputs = (\"b\"); qthres = 1; timeout = 0.015; } );\n"
	    "extra = 1;\n";
	const char *path = write_tmp("all.conf", text, sizeof text - 1);
	struct nflogd_config cfg;
	struct buf errors;
	buf_init(&errors);
	CHECK(load(path, &cfg, &errors) == -1, "many errors: fails");
	CHECK(count_lines(&errors) == 9, "9 errors reported, got %zu", count_lines(&errors));
	if (count_lines(&errors) != 9)
		show_errors(&errors);
	CHECK(errors_well_formed(&errors, path), "each one FILE:LINE: message");
	CHECK(strstr(errors_str(&errors), ":3: unknown key \"qthres\" in group") != NULL,
	      "an unknown key among other errors");
	config_free(&cfg);
	buf_free(&errors);
}

/* Messages quote user text on one line, whatever bytes it holds. */
static void test_escaping(void)
{
	static const char text[] = "outputs = ( { name = \"o\"; type = \"file\"; path = \"/x\"; "
				   "format = \"a\\nb\\\"c\"; } );\n"
				   "groups = ( { group = 1; outputs = (\"o\"); } );\n";
	const char *path = write_tmp("esc.conf", text, sizeof text - 1);
	struct nflogd_config cfg;
	struct buf errors;
	buf_init(&errors);
	CHECK(load(path, &cfg, &errors) == -1, "bad format word fails");
	CHECK(count_lines(&errors) == 1, "a newline in a value stays escaped");
	CHECK(strstr(errors_str(&errors), "\"a\\x0ab\\\"c\"") != NULL, "escaped");
	if (count_lines(&errors) != 1)
		show_errors(&errors);
	config_free(&cfg);
	buf_free(&errors);
}

/* An output's directory must exist (nflogd creates files, not
 * directories), except the unit's LogsDirectory=, made at each start: a
 * warning there, and only where it does not exist yet. */
static void test_output_dir(void)
{
	static const char tmpl[] =
	    "outputs = (\n  { name = \"a\"; type = \"file\"; path = \"%s\"; } );\n"
	    "groups = ( { group = 1; outputs = (\"a\"); } );\n";
	char text[512], path[256], want[512];
	struct nflogd_config cfg;
	struct buf errors, warnings;
	buf_init(&errors);
	buf_init(&warnings);

	snprintf(path, sizeof path, "%s/nodir/a.log", tmpdir);
	snprintf(text, sizeof text, tmpl, path);
	const char *conf = write_tmp("dir.conf", text, strlen(text));
	CHECK(config_load(conf, &cfg, &errors, &warnings) == -1, "missing directory: an error");
	snprintf(want, sizeof want,
		 "%s:2: path: directory \"%s/nodir\" does not exist (nflogd creates files, not "
		 "directories)\n",
		 conf, tmpdir);
	CHECK_STREQ(errors_str(&errors), want, "missing directory: FILE:LINE says which");

	snprintf(path, sizeof path, "%s/dir.conf/a.log", tmpdir); /* a file as directory */
	snprintf(text, sizeof text, tmpl, path);
	buf_reset(&errors);
	CHECK(config_load(write_tmp("dir.conf", text, strlen(text)), &cfg, &errors, &warnings) ==
		  -1,
	      "a file as the directory: an error");
	snprintf(want, sizeof want, ":2: path: \"%s/dir.conf\" is not a directory\n", tmpdir);
	CHECK(strstr(errors_str(&errors), want) != NULL, "it is said at its line");

	snprintf(path, sizeof path, "%s/a.log", tmpdir);
	snprintf(text, sizeof text, tmpl, path);
	buf_reset(&errors);
	CHECK(config_load(write_tmp("dir.conf", text, strlen(text)), &cfg, &errors, &warnings) == 0,
	      "an existing directory loads");
	CHECK(errors.len == 0 && warnings.len == 0, "no error and no warning");
	config_free(&cfg);

	snprintf(text, sizeof text, tmpl, CONFIG_LOGS_DIRECTORY "/a.log");
	conf = write_tmp("dir.conf", text, strlen(text));
	CHECK(config_load(conf, &cfg, &errors, &warnings) == 0, "the LogsDirectory= one loads");
	if (access(CONFIG_LOGS_DIRECTORY, F_OK) == 0) {
		CHECK(warnings.len == 0, "# SKIP " CONFIG_LOGS_DIRECTORY " exists on this machine");
	} else {
		snprintf(want, sizeof want,
			 "%s:2: warning: directory " CONFIG_LOGS_DIRECTORY
			 " does not exist yet: nflogd.service creates it at start "
			 "(LogsDirectory=); without the unit, create it first\n",
			 conf);
		CHECK_STREQ(errors_str(&warnings), want, "... with a warning at FILE:LINE");
	}
	config_free(&cfg);
	buf_free(&errors);
	buf_free(&warnings);
}

/* Every group number once (65536 groups): the check is not quadratic in
 * the number of groups (it took minutes), so this ends in well under the
 * test's timeout; the groups are all there, in order, and one more group
 * with a number already used is the one error. */
static void test_many_groups(void)
{
	enum { N = 65536 };
	struct buf text;
	buf_init(&text);
	buf_printf(&text,
		   "outputs = ( { name = \"a\"; type = \"file\"; path = \"/tmp/a.log\"; } );\n"
		   "groups = (\n");
	for (unsigned i = 0; i < N; i++)
		buf_printf(&text, "  { group = %u; outputs = (\"a\"); },\n", i);
	size_t all = text.len;
	buf_printf(&text, "  { group = 7; outputs = (\"a\"); } );\n");
	struct nflogd_config cfg;
	struct buf errors;
	buf_init(&errors);

	const char *path = write_tmp("many_dup.conf", text.data, text.len);
	CHECK(load(path, &cfg, &errors) == -1, "%d groups and a duplicate: fails", N);
	char want[256];
	snprintf(want, sizeof want, "%s:%d: duplicate group 7: already defined at line 10\n", path,
		 N + 3);
	CHECK_STREQ(errors_str(&errors), want, "the duplicate is the one error");
	config_free(&cfg);

	text.len = all - 2; /* drop ",\n" after the last of the N */
	buf_printf(&text, " );\n");
	path = write_tmp("many.conf", text.data, text.len);
	int rc = load(path, &cfg, &errors);
	CHECK(rc == 0, "%d groups load", N);
	if (rc != 0)
		show_errors(&errors);
	size_t misplaced = 0;
	for (size_t i = 0; i < cfg.n_groups; i++)
		misplaced += cfg.groups[i].group != i || cfg.groups[i].n_outputs != 1;
	CHECK(cfg.n_groups == N && misplaced == 0, "all %zu groups, in order (%zu misplaced)",
	      cfg.n_groups, misplaced);
	config_free(&cfg);
	buf_free(&errors);
	buf_free(&text);
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* Whatever the input, a load ends in OK or in well-formed errors, with no
 * crash or leak: every prefix of full.conf, then random byte changes. */
static void test_mangled(void)
{
	FILE *f = fopen(CONFIG_DIR "/good/full.conf", "r");
	char src[4096];
	size_t len = f ? fread(src, 1, sizeof src, f) : 0;
	if (f)
		fclose(f);
	CHECK(len > 100, "full.conf read for mangling");
	static const char junk[] = "\"(){}[];=,:@#0x9-Lé\n\\ \t";
	unsigned bad = 0, loads = 0;
	for (size_t cut = 0; cut <= len; cut++, loads++) {
		const char *path = write_tmp("cut.conf", src, cut);
		struct nflogd_config cfg;
		struct buf errors;
		buf_init(&errors);
		if (load(path, &cfg, &errors) != 0 && !errors_well_formed(&errors, NULL))
			bad++;
		config_free(&cfg);
		buf_free(&errors);
	}
	for (int round = 0; round < 1500; round++, loads++) {
		char copy[4096];
		memcpy(copy, src, len);
		for (int k = 1 + (int)(rnd() % 3); k > 0; k--)
			copy[rnd() % len] = junk[rnd() % (sizeof junk - 1)];
		const char *path = write_tmp("mut.conf", copy, len);
		struct nflogd_config cfg;
		struct buf errors;
		buf_init(&errors);
		if (load(path, &cfg, &errors) != 0 && !errors_well_formed(&errors, NULL))
			bad++;
		config_free(&cfg);
		buf_free(&errors);
	}
	CHECK(bad == 0, "%u mangled loads, %u with malformed errors", loads, bad);
}

int main(void)
{
	/* the tls fixtures name their files as credentials of the unit */
	setenv("CREDENTIALS_DIRECTORY", TEST_DATA_DIR "/data/tls", 1);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/nflogd-test-config-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_unreadable();
	test_minimal();
	test_full();
	test_include();
	test_pcap();
	test_netns();
	test_example();
	test_good_dir();
	test_bad_dir();
	test_all_errors();
	test_escaping();
	test_mangled();
	test_output_dir();
	test_many_groups();

	static const char *const tmp_files[] = { "all.conf", "esc.conf",  "cut.conf",
						 "mut.conf", "many.conf", "many_dup.conf",
						 "dir.conf" };
	for (size_t i = 0; i < sizeof tmp_files / sizeof tmp_files[0]; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/%s", tmpdir, tmp_files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	return check_done();
}
