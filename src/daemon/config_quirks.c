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
		else if (ch == '\\')
			continue; /* no rule of libconfig's scanner takes it: flex's
				     default rule echoes it, and the name goes on without it */
		cut |= ch == '\0';
		if (!cut && n + 1 < size)
			name[n++] = ch;
	}
	name[n] = '\0';
	return k < len ? k : 0;
}

static bool check_includes(struct ctx *c, const char *file, const char *shown, int depth,
			   int *budget);

/* Where libconfig looks for an @include name: include_dir (the main
 * file's directory) prepended, whatever the name. */
static void include_path(const struct ctx *c, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s", c->dir ? c->dir : "", c->dir ? "/" : "", name);
}

/* One @include target: a regular file is checked in turn, anything else
 * that exists is refused; a missing one is left to libconfig. */
static bool check_include_target(struct ctx *c, const char *shown, unsigned line, const char *name,
				 int depth, int *budget)
{
	char full[2 * PATH_MAX + 2], q[300];
	struct stat st;
	include_path(c, name, full, sizeof full);
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
 * with \\ and \" escapes, any other backslash dropped, which may span
 * lines and ends at a NUL for libconfig), and let only regular files
 * through. Missing files and
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

/* ---- integers past 32 bits ---- */

/* libconfig 1.5 as Debian builds it converts an integer without the L
 * suffix with atoi() (and a hex one with strtoul() into an int) while it
 * scans: past 32 bits the value wraps before any setting holds it, so
 * `group = 4294967298` is group 2 and config_setting_get_int64() and the
 * setting's type (CONFIG_TYPE_INT) cannot tell. The true value exists only
 * in the text, so the text is scanned as libconfig's scanner reads it
 * (its token rules, from scanner.l): comments and strings skipped, every
 * integer token parsed in full wherever it is (any line, any column, any
 * number of leading zeros), each @include followed. Each integer that
 * libconfig would wrap is an error at its own line. Runs only after
 * libconfig parsed the files, so they are well-formed and regular. */
struct scan {
	struct ctx *c;
	const char *data, *shown; /* NUL-terminated text; its name in messages */
	size_t len, pos;
	unsigned line;	 /* of data[pos] */
	const char *key; /* the last name: what a number is the value of */
	int key_len;
};

static bool is_name_start(char ch) { return isalpha((unsigned char)ch) || ch == '*'; }

static bool is_name_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '*' || ch == '-' || ch == '_';
}

/* Move on to data[to], counting lines. */
static void skip_to(struct scan *s, size_t to)
{
	for (; s->pos < to && s->pos < s->len; s->pos++)
		s->line += s->data[s->pos] == '\n';
}

/* Past the end of what starts at pos: a block comment, or a string (\\ and
 * \" are escapes, any other backslash is itself). */
static size_t comment_end(const struct scan *s)
{
	const char *end = strstr(s->data + s->pos + 2, "*/");
	return end ? (size_t)(end - s->data) + 2 : s->len;
}

static size_t string_end(const struct scan *s)
{
	size_t k = s->pos + 1;
	for (; k < s->len && s->data[k] != '"'; k++)
		if (s->data[k] == '\\' && k + 1 < s->len &&
		    (s->data[k + 1] == '"' || s->data[k + 1] == '\\'))
			k++;
	return k + 1;
}

/* Whether the integer literal at lit does not fit where libconfig puts it;
 * *wrapped: what libconfig stores instead. */
static bool wraps(const char *lit, bool hex, int *wrapped)
{
	errno = 0;
	if (hex) {
		unsigned long long v = strtoull(lit, NULL, 16);
		*wrapped = (int)strtoul(lit, NULL, 16);
		return errno == ERANGE || v > UINT32_MAX;
	}
	long long v = strtoll(lit, NULL, 10);
	bool out = errno == ERANGE || v < INT32_MIN || v > INT32_MAX;
	*wrapped = (int)strtol(lit, NULL, 10);
	return out;
}

static void check_literal(struct scan *s, size_t start, bool hex)
{
	int wrapped;
	if (!wraps(s->data + start, hex, &wrapped))
		return;
	size_t n = s->pos - start, cut = n > 40 ? n - 37 : 0; /* keep the digits that matter */
	cfg_err_file(s->c, s->shown, s->line,
		     "%.*s: %s%.*s does not fit in a 32-bit integer (libconfig would read %d)",
		     s->key_len, s->key, cut ? "..." : "", (int)(n - cut), s->data + start + cut,
		     wrapped);
}

static size_t skip_digits(const char *d, size_t j)
{
	while (isdigit((unsigned char)d[j]))
		j++;
	return j;
}

/* Past a float's fraction and exponent at d[j] (scanner.l: `[0-9]*\.[0-9]*`
 * then `[eE][-+]?[0-9]+`), or j itself when neither follows. */
static size_t float_end(const char *d, size_t j, bool digits_before)
{
	bool dot = d[j] == '.';
	size_t k = dot ? skip_digits(d, j + 1) : j;
	if (d[k] != 'e' && d[k] != 'E') /* then d[k + 1] is there, at worst the NUL */
		return dot ? k : j;
	size_t e = k + 1 + (d[k + 1] == '-' || d[k + 1] == '+');
	if (isdigit((unsigned char)d[e]) && (dot || digits_before))
		return skip_digits(d, e);
	return dot ? k : j;
}

/* A number at pos (scanner.l's integer, integer64, hex, hex64 and float,
 * the longest match): only a plain integer or hex is checked. */
static void scan_number(struct scan *s)
{
	const char *d = s->data;
	size_t start = s->pos, k = start + (d[start] == '-' || d[start] == '+');
	bool hex = k == start && d[k] == '0' && (d[k + 1] == 'x' || d[k + 1] == 'X') &&
		   isxdigit((unsigned char)d[k + 2]);
	size_t j = hex ? k + 2 : k;
	while (hex ? isxdigit((unsigned char)d[j]) : isdigit((unsigned char)d[j]))
		j++;
	size_t f = hex ? j : float_end(d, j, j > k);
	if (f > j) { /* a float: nothing to check */
		skip_to(s, f);
		return;
	}
	if (j == k) { /* a lone sign: garbage to libconfig */
		skip_to(s, start + 1);
		return;
	}
	skip_to(s, j);
	if (d[j] == 'L') { /* 64 bits: libconfig keeps the value */
		skip_to(s, j + 1 + (d[j + 1] == 'L'));
		return;
	}
	check_literal(s, start, hex);
}

static void scan_file(struct ctx *c, const char *file, const char *shown, int depth, int *budget);

/* `@include "name"` at pos (a line start): the included file is scanned
 * where it stands. Returns false when pos holds no @include. */
static bool scan_include(struct scan *s, int depth, int *budget)
{
	char name[PATH_MAX], full[2 * PATH_MAX + 2];
	size_t stop = include_at(s->data, s->len, s->pos, name, sizeof name);
	if (!stop)
		return false;
	include_path(s->c, name, full, sizeof full);
	scan_file(s->c, full, name, depth + 1, budget);
	skip_to(s, stop + 1);
	return true;
}

/* One token (or blank) at pos. */
static void scan_token(struct scan *s, bool line_start, int depth, int *budget)
{
	const char *p = s->data + s->pos;
	if (line_start && scan_include(s, depth, budget))
		return;
	if (p[0] == '/' && p[1] == '*') {
		skip_to(s, comment_end(s));
	} else if (p[0] == '#' || (p[0] == '/' && p[1] == '/')) {
		const char *nl = strchr(p, '\n');
		skip_to(s, nl ? (size_t)(nl - s->data) : s->len);
	} else if (p[0] == '"') {
		skip_to(s, string_end(s));
	} else if (is_name_start(p[0])) {
		size_t n = 1;
		while (is_name_char(p[n]))
			n++;
		if (!(n == 4 && strncasecmp(p, "true", 4) == 0) &&
		    !(n == 5 && strncasecmp(p, "false", 5) == 0)) {
			s->key = p;
			s->key_len = (int)n;
		}
		skip_to(s, s->pos + n);
	} else if (isdigit((unsigned char)p[0]) || (p[0] && strchr("+-.", p[0]))) {
		scan_number(s);
	} else {
		skip_to(s, s->pos + 1);
	}
}

static void scan_file(struct ctx *c, const char *file, const char *shown, int depth, int *budget)
{
	struct scan s = { .c = c, .shown = shown, .line = 1, .key = "integer", .key_len = 7 };
	char *data;
	if (depth >= 10 || --*budget < 0 || !(data = read_regular(file, &s.len)))
		return;
	s.data = data;
	bool line_start = true; /* only blanks since the last newline */
	while (s.pos < s.len) {
		char ch = data[s.pos];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f') {
			line_start = ch == '\n' || (line_start && (ch == ' ' || ch == '\t'));
			skip_to(&s, s.pos + 1);
			continue;
		}
		size_t at = s.pos;
		scan_token(&s, line_start, depth, budget);
		line_start = s.pos > at && data[s.pos - 1] == '\n';
	}
	free(data);
}

void cfg_check_wrapped_ints(struct ctx *c, const char *path)
{
	int budget = 64;
	scan_file(c, path, path, 0, &budget);
}
