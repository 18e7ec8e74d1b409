/* test_format_json_ecs.c - schema = "ecs": every member of real records is
 * a field doc/ecs.md documents, with the documented type.
 *
 * Reads the mapping table of doc/ecs.md (itself checked against the field
 * table by test_fields), formats every record of the captured corpora with
 * the ECS schema, walks each object and checks each value: "date" an RFC
 * 3339 string, "ip" an address inet_pton takes, "long" an integer,
 * "boolean", "keyword" a string (or an array of strings), "object" an
 * object; MAC addresses in ECS's form, the transport in lowercase.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>

#include "check.h"
#include "corpus.h"
#include "decode.h"
#include "json_formatter.h"

#define ECS_DOC TEST_DATA_DIR "/../doc/ecs.md"

/* ---- the documented mapping ---- */

struct doc_field {
	char name[64];
	char type[96];
	char form[96];
};

static struct doc_field doc[256];
static size_t n_doc;

/* "| `source.ip` | ip | `src` | ... |" rows of the table. */
static void read_doc(void)
{
	FILE *f = fopen(ECS_DOC, "r");
	char line[512];
	if (!f)
		return;
	while (fgets(line, sizeof line, f) && n_doc < sizeof doc / sizeof doc[0]) {
		struct doc_field *d = &doc[n_doc];
		char type[96];
		if (sscanf(line, "| `%63[^`]` | %95[^|]|", d->name, type) != 2)
			continue;
		char *comma = strchr(type, ',');
		snprintf(d->form, sizeof d->form, "%s", comma ? comma + 2 : "");
		if (comma)
			*comma = 0;
		type[strcspn(type, " ")] = 0; /* "keyword (array)" -> keyword */
		snprintf(d->type, sizeof d->type, "%s", type);
		n_doc++;
	}
	fclose(f);
}

static const struct doc_field *doc_find(const char *name)
{
	for (size_t i = 0; i < n_doc; i++)
		if (strcmp(doc[i].name, name) == 0)
			return &doc[i];
	return NULL;
}

/* ---- a walk over one JSON object ---- */

struct jw {
	const char *p, *end;
	int bad;
	int members;
	char why[512];
};

static void jw_fail(struct jw *w, const char *path, const char *why)
{
	if (!w->bad++)
		snprintf(w->why, sizeof w->why, "%s: %s", path, why);
}

static void skip_ws(struct jw *w)
{
	while (w->p < w->end && isspace((unsigned char)*w->p))
		w->p++;
}

/* A string's raw text (escapes left as they are) into out. */
static bool jw_string(struct jw *w, char *out, size_t size)
{
	size_t n = 0;
	if (w->p >= w->end || *w->p != '"')
		return false;
	for (w->p++; w->p < w->end && *w->p != '"'; w->p++) {
		if (*w->p == '\\')
			w->p++;
		if (n + 1 < size)
			out[n++] = *w->p;
	}
	out[n] = 0;
	if (w->p >= w->end)
		return false;
	w->p++;
	return true;
}

static bool is_rfc3339(const char *s)
{
	/* 2026-11-27T11:43:52.472765+01:00 */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddddd+dd:dd";
	if (strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		bool ok = shape[i] == 'd'   ? isdigit((unsigned char)s[i])
			  : shape[i] == '+' ? s[i] == '+' || s[i] == '-'
					    : s[i] == shape[i];
		if (!ok)
			return false;
	}
	return true;
}

static bool is_ip(const char *s)
{
	unsigned char a[16];
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static bool is_ecs_mac(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != '-' : !isxdigit((unsigned char)s[i]) || islower(s[i]))
			return false;
	return true;
}

static void jw_value(struct jw *w, const char *path);

/* A string value against the documented type and form. */
static void check_string(struct jw *w, const char *path, const struct doc_field *d, const char *s)
{
	if (strcmp(d->type, "date") == 0 && !is_rfc3339(s))
		jw_fail(w, path, "not an RFC 3339 date");
	else if (strcmp(d->type, "ip") == 0 && !is_ip(s))
		jw_fail(w, path, "not an IP address");
	else if (strcmp(d->type, "keyword") != 0 && strcmp(d->type, "date") != 0 &&
		 strcmp(d->type, "ip") != 0)
		jw_fail(w, path, "a string where the doc says another type");
	else if (strstr(d->form, "AA-BB") && !is_ecs_mac(s))
		jw_fail(w, path, "not an AA-BB-CC-DD-EE-FF MAC address");
	else if (strstr(d->form, "lowercase") && strpbrk(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		jw_fail(w, path, "not in lowercase");
	else if (strstr(d->form, "number as a string") && strspn(s, "0123456789") != strlen(s))
		jw_fail(w, path, "not a number as a string");
}

/* A member documented as itself, or as the _hex companion of a keyword. */
static const struct doc_field *documented(struct jw *w, const char *path)
{
	const struct doc_field *d = doc_find(path);
	size_t n = strlen(path);
	if (!d && n > 4 && strcmp(path + n - 4, "_hex") == 0) {
		char base[128];
		snprintf(base, sizeof base, "%.*s", (int)(n - 4), path);
		static const struct doc_field hex = { .type = "keyword" };
		if (doc_find(base) && strcmp(doc_find(base)->type, "keyword") == 0)
			return &hex;
	}
	if (!d)
		jw_fail(w, path, "not documented in doc/ecs.md");
	return d;
}

static void jw_object(struct jw *w, const char *path)
{
	w->p++; /* { */
	skip_ws(w);
	if (w->p < w->end && *w->p == '}') {
		jw_fail(w, path, "an empty object");
		w->p++;
		return;
	}
	while (w->p < w->end && !w->bad) {
		char key[96], sub[256];
		skip_ws(w);
		if (!jw_string(w, key, sizeof key))
			return jw_fail(w, path, "bad key");
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
		skip_ws(w);
		if (w->p >= w->end || *w->p++ != ':')
			return jw_fail(w, sub, "no colon");
		skip_ws(w);
		jw_value(w, sub);
		w->members++;
		skip_ws(w);
		if (w->p < w->end && *w->p == ',') {
			w->p++;
			continue;
		}
		if (w->p < w->end && *w->p == '}') {
			w->p++;
			return;
		}
		return jw_fail(w, sub, "no , or }");
	}
}

static void jw_value(struct jw *w, const char *path)
{
	if (w->p >= w->end)
		return jw_fail(w, path, "cut short");
	if (*w->p == '{') {
		if (*path) {
			const struct doc_field *d = doc_find(path);
			if (d && strcmp(d->type, "object") != 0)
				jw_fail(w, path, "an object where the doc says a value");
		}
		return jw_object(w, path);
	}
	const struct doc_field *d = documented(w, path);
	if (!d)
		return;
	char s[4096];
	if (*w->p == '"') {
		if (!jw_string(w, s, sizeof s))
			return jw_fail(w, path, "bad string");
		return check_string(w, path, d, s);
	}
	if (*w->p == '[') { /* an array of keywords */
		w->p++;
		if (strcmp(d->type, "keyword") != 0)
			jw_fail(w, path, "an array where the doc says no keyword");
		while (w->p < w->end && *w->p != ']')
			if (*w->p == ',' || !jw_string(w, s, sizeof s))
				w->p++;
		w->p++;
		return;
	}
	if (strncmp(w->p, "true", 4) == 0 || strncmp(w->p, "false", 5) == 0) {
		w->p += *w->p == 't' ? 4 : 5;
		if (strcmp(d->type, "boolean") != 0)
			jw_fail(w, path, "a boolean where the doc says another type");
		return;
	}
	if (strncmp(w->p, "null", 4) == 0)
		return jw_fail(w, path, "null (ECS leaves absent values out)");
	const char *start = w->p;
	while (w->p < w->end && isdigit((unsigned char)*w->p))
		w->p++;
	if (w->p == start)
		return jw_fail(w, path, "not a JSON value this test knows");
	if (strcmp(d->type, "long") != 0)
		jw_fail(w, path, "a number where the doc says another type");
}

/* ---- the records ---- */

struct run {
	struct json_formatter *jf;
	struct buf out;
	int records, bad, members;
	bool seen_source_ip, seen_transport, seen_interface;
};

static void check_record(const struct nflogd_record *rec, void *arg)
{
	struct run *r = arg;
	struct nflogd_decoded dec;
	decode_record(rec, &dec);
	buf_reset(&r->out);
	json_formatter_write(r->jf, &r->out, rec, &dec);
	struct jw w = { .p = r->out.data, .end = r->out.data + r->out.len };
	if (w.p < w.end && *w.p == '{')
		jw_object(&w, "");
	else
		jw_fail(&w, "", "not an object");
	if (!w.bad && w.p != w.end)
		jw_fail(&w, "", "bytes after the object");
	r->records++;
	r->members += w.members;
	if (w.bad && r->bad++ < 5)
		printf("# %s\n#   in %.*s\n", w.why, (int)r->out.len, r->out.data);
	r->seen_source_ip |= memmem(r->out.data, r->out.len, "\"source\":{", 10) != NULL;
	r->seen_transport |= memmem(r->out.data, r->out.len, "\"transport\":\"", 13) != NULL;
	r->seen_interface |= memmem(r->out.data, r->out.len, "\"interface\":{\"name\"", 19) != NULL;
}

static void line_record(const struct nflogd_record *rec, unsigned flags, const char *line,
			void *arg)
{
	(void)flags;
	(void)line;
	if (rec)
		check_record(rec, arg);
}

int main(void)
{
	read_doc();
	CHECK(n_doc > 50 && doc_find("source.ip") && doc_find("@timestamp"),
	      "doc/ecs.md: %zu documented fields", n_doc);
	const struct json_options opts = { .payload = true, .schema = JSON_SCHEMA_ECS };
	struct run r = { .jf = json_formatter_new(&opts) };
	buf_init(&r.out);
	CHECK(r.jf != NULL, "an ECS formatter");
	if (!r.jf)
		return check_done();
	corpus_kernel_lines(line_record, &r);
	corpus_datagrams(check_record, &r);
	CHECK(r.records > 500 && r.bad == 0,
	      "%d of %d records: every member documented, with its type (%d members)",
	      r.records - r.bad, r.records, r.members);
	CHECK(r.seen_source_ip && r.seen_transport && r.seen_interface,
	      "the records show source, network.transport and interface names");
	json_formatter_free(r.jf);
	buf_free(&r.out);
	return check_done();
}
