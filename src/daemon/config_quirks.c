/* config_quirks.c - what libconfig 1.5 gets wrong, checked around it.
 *
 * - integers wrap silently past 32 bits unless written with an L suffix
 *   (cfg_check_wrapped_ints), which is one more reason sizes may be
 *   strings ("4M");
 * - its scanner exit()s the process on an @include of something it can
 *   open but not read, such as a directory (cfg_check_includes);
 * - include_dir is prepended to every @include, absolute or not, yet
 *   settings and errors from an included file carry its bare name
 *   (cfg_file_name in config_keys.c);
 * - "cannot open include file" does not say which file (cfg_syntax_error);
 * - no octal integers: mode = 0640 reads as decimal 640 (key_mode in
 *   config_output.c).
 */
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	    !read_line(cfg_file_name(c, config_setting_source_file(s), path, sizeof path),
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
void cfg_check_wrapped_ints(struct ctx *c, const config_setting_t *s)
{
	if (config_setting_is_aggregate(s)) {
		for (int i = 0; i < config_setting_length(s); i++)
			cfg_check_wrapped_ints(c, config_setting_get_elem(s, (unsigned)i));
		return;
	}
	check_wrapped_int(c, s);
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
void cfg_syntax_error(struct ctx *c, const config_t *lc)
{
	char path[PATH_MAX];
	const char *file = cfg_file_name(c, config_error_file(lc), path, sizeof path);
	const char *text = config_error_text(lc) ? config_error_text(lc) : "syntax error";
	int line = config_error_line(lc);
	char src[512], q[300], rel[300] = "";
	const char *name = NULL;
	if (strcmp(text, "cannot open include file") == 0 &&
	    read_line(file, line, src, sizeof src) && (name = include_name(src))) {
		if (c->dir)
			snprintf(rel, sizeof rel, " (@include paths are relative to %s)", c->dir);
		cfg_err_file(c, file, (unsigned)line, "cannot open include file %s%s",
			     cfg_quote(name, q, sizeof q), rel);
		return;
	}
	if (strcmp(text, "include file nesting too deep") == 0)
		text = "include file nesting too deep (does a file include itself?)";
	cfg_err_file(c, file, line > 0 ? (unsigned)line : 0, "%s", text);
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
	cfg_err_file(c, shown, line, "cannot open include file %s: not a regular file",
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

bool cfg_check_includes(struct ctx *c, const char *path)
{
	int budget = 64;
	return check_includes(c, path, path, 0, &budget);
}
