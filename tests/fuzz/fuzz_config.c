/* fuzz_config.c - libFuzzer target: config text through config_load().
 *
 * The input is written as main.conf into a private temp dir that also
 * holds files to @include: a valid outputs file, a file with errors, a
 * file that includes itself and one that includes main.conf back (a
 * loop through the input). Whatever the text, config_load() must end in
 * 0 with a usable config, or -1 with an empty config and errors that are
 * one "FILE...: message" line each, never empty.
 * Odd-length inputs are loaded by the relative name "main.conf" (from
 * the temp dir as the current dir), even-length ones by the absolute path.
 * Inputs that @include through ".." are skipped: they could name a
 * device such as /dev/zero, which is the administrator's business.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 leaks on some syntax errors: its string buffer when a
 * string is still open at the end of the file (see
 * tests/unit/test_config.c), and the token its lexer allocated when the
 * parser gives up after it (`{ nam""e = ...`). Its bugs, not ours: a
 * leak whose allocation stack goes through libconfig is not reported. */
const char *__lsan_default_suppressions(void) { return "leak:strbuf_append\nleak:libconfig.so\n"; }

static char dir[80];
static char main_path[128];
static char cwd[PATH_MAX]; /* libFuzzer's, given back after each load */

static void put_file(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void cleanup(void)
{
	static const char *const names[] = {
		"main.conf", "outputs.inc", "bad.inc", "self.inc", "back.inc",
	};
	char path[128];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR"); /* fuzz_smoke.sh points it at its work dir */
	if (!tmp || !*tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(dir, sizeof dir, "%s/nflogd-fuzz-config-XXXXXX", tmp);
	if (!mkdtemp(dir))
		abort();
	snprintf(main_path, sizeof main_path, "%s/main.conf", dir);
	put_file("outputs.inc",
		 "outputs = ( { name = \"inc\"; type = \"file\"; path = \"/var/log/x\"; } );\n");
	put_file("bad.inc", "outputs = ( { name = 5; type = \"nope\"; } );\nqthresh = ;\n");
	put_file("self.inc", "@include \"self.inc\"\n");
	put_file("back.inc", "@include \"main.conf\"\n");
	atexit(cleanup);
	if (!getcwd(cwd, sizeof cwd))
		abort();
}

static bool errors_ok(const struct buf *e)
{
	if (e->len == 0 || e->data[e->len - 1] != '\n')
		return false;
	size_t start = 0;
	for (size_t i = 0; i < e->len; i++) {
		if (e->data[i] != '\n')
			continue;
		if (i - start < 3 || !memmem(e->data + start, i - start, ": ", 2) ||
		    memchr(e->data + start, '\0', i - start))
			return false;
		start = i + 1;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0])
		setup();
	if (size > 64 * 1024)
		return 0;
	if (memmem(data, size, "@include", 8) && memmem(data, size, "..", 2))
		return 0;
	FILE *f = fopen(main_path, "w");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);

	struct nflogd_config cfg;
	struct buf errors;
	buf_init(&errors);
	/* Inputs of odd length are loaded as "main.conf" from the current
	 * dir: a path without a directory (@include relative to the cwd). */
	bool relative = size % 2;
	if (relative && chdir(dir) != 0)
		abort();
	int rc = config_load(relative ? "main.conf" : main_path, &cfg, &errors, NULL);
	if (relative && chdir(cwd) != 0)
		abort();
	if (rc == 0) {
		if (errors.len)
			abort(); /* OK, yet errors */
		if (!cfg.path || !cfg.n_groups)
			abort(); /* OK without a group */
		for (size_t i = 0; i < cfg.n_groups; i++)
			for (size_t k = 0; k < cfg.groups[i].n_outputs; k++)
				if (cfg.groups[i].outputs[k] >= cfg.n_outputs)
					abort(); /* a dangling output index */
		for (size_t i = 0; i < cfg.n_outputs; i++)
			if (!cfg.outputs[i].name ||
			    config_find_output(&cfg, cfg.outputs[i].name) != (int)i)
				abort(); /* unnamed or duplicate output */
		for (size_t i = 0; i < cfg.n_groups; i++)
			for (size_t k = 0; k < i; k++)
				if (cfg.groups[i].group == cfg.groups[k].group)
					abort(); /* duplicate group */
	} else {
		if (rc != -1 || !errors_ok(&errors))
			abort(); /* no or malformed message */
		if (cfg.path || cfg.outputs || cfg.groups || cfg.n_outputs || cfg.n_groups)
			abort(); /* not left empty */
	}
	config_free(&cfg);
	buf_free(&errors);
	return 0;
}
