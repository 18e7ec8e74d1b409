/* fuzz_record.c - libFuzzer target: one netlink datagram as the kernel
 * would hand it to nflogd's reader, through every step a record takes.
 *
 * The input is the datagram itself. Its messages are walked the way
 * src/nflog.c walks them; each one goes through record_parse(), then
 * decode_record() and every formatter:
 *   - format_text() with each of the 32 log_flags combinations, and the
 *     same line by the walk (format_text_walk()): byte for byte the same
 *     where format_text() writes it from the decoded fields,
 *   - format_json() and format_rfc3339(),
 *   - json_formatter_write() (plans per record shape) for every option set
 *     (payload, null_keys, schema nflogd and ECS): byte for byte what the
 *     table walk (json_formatter_reference()) writes; the formatters live
 *     across inputs, so records reuse the plans of earlier ones,
 *   - the journal fields: field_put() for every fields_table[] entry
 *     that names a journal field (what src/output_journal.c sends), and
 *     journal_fields_put() (the fields found once per record shape),
 *     with and without the payload: byte for byte what trying every
 *     field writes (journal_fields_reference()),
 *   - the syslog frames of src/output_syslog.c: RFC 3164, RFC 5424 with
 *     the record as structured data and with none, and the RFC 6587
 *     octet-counted frame of each.
 * Interface names are hostile too: each interface index the message
 * carries gets a name taken from the datagram's own bytes (the walk and
 * the naming are tests/unit/corpus.h's, which the unit tests replay the
 * seed corpus with).
 *
 * Beyond "no crash, no sanitizer report" the target checks the
 * promises the formatters make (doc/text-format.md, doc/fields.md):
 * the text line is printable ASCII (one line, every untrusted byte
 * escaped), the JSON object is strict, valid JSON in valid UTF-8 with no
 * raw control, DEL or C1 character and no duplicate key, its text
 * fields (prefix, interface names) read back as the exact bytes (or
 * "<key>_hex" does when they are not UTF-8), each journal
 * field has a valid name and a value of its declared type, and each
 * syslog frame is one printable-ASCII line whose RFC 5424 header and
 * structured data parse, with an exact octet count.
 * A broken promise aborts, which libFuzzer reports as a crash.
 */
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/corpus.h" /* the datagram walk and interface names */
#include "buf.h"
#include "decode.h"
#include "fields.h"
#include "format.h"
#include "journal_fields.h"
#include "json_formatter.h"
#include "record.h"
#include "syslog_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const struct buf *b)
{
	fprintf(stderr, "fuzz_record: %s\n", what);
	if (b)
		fprintf(stderr, "output (%zu bytes): %.*s\n", b->len, (int)b->len, b->data);
	abort();
}

/* ---- a strict JSON checker (RFC 8259 plus doc/fields.md's promises) ---- */

struct js {
	const unsigned char *p, *end;
	int depth;
};

static void js_ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int hexval(unsigned c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* Length of the valid UTF-8 sequence at p (1..4), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A string; start and len get its raw inside (for duplicate keys). */
static int js_string(struct js *j, const unsigned char **start, size_t *len)
{
	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	const unsigned char *s = j->p;
	while (j->p < j->end && *j->p != '"') {
		unsigned c = *j->p;
		if (c < 0x20 || c == 0x7f)
			return -1; /* raw control or DEL */
		if (c == '\\') {
			if (j->end - j->p < 2)
				return -1;
			unsigned e = j->p[1];
			if (e == 'u') {
				if (j->end - j->p < 6)
					return -1;
				for (int i = 2; i < 6; i++)
					if (hexval(j->p[i]) < 0)
						return -1;
				j->p += 6;
			} else if (strchr("\"\\/bfnrt", (int)e) && e) {
				j->p += 2;
			} else {
				return -1;
			}
			continue;
		}
		size_t n = utf8_len(j->p, j->end);
		if (!n)
			return -1; /* invalid UTF-8 */
		if (n == 2 && c == 0xc2 && j->p[1] < 0xa0)
			return -1; /* raw C1 control */
		j->p += n;
	}
	if (j->p >= j->end)
		return -1;
	if (start) {
		*start = s;
		*len = (size_t)(j->p - s);
	}
	j->p++;
	return 0;
}

static int js_number(struct js *j)
{
	const unsigned char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end)
		return -1;
	if (*j->p == '0')
		j->p++;
	else if (*j->p >= '1' && *j->p <= '9')
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return -1;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return -1;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return -1;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s ? 0 : -1;
}

static int js_value(struct js *j);

static int js_lit(struct js *j, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

#define JS_MAX_KEYS 256

static int js_object(struct js *j)
{
	const unsigned char *keys[JS_MAX_KEYS];
	size_t lens[JS_MAX_KEYS], n = 0;
	j->p++;
	js_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		js_ws(j);
		const unsigned char *k;
		size_t kl;
		if (js_string(j, &k, &kl) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (lens[i] == kl && memcmp(keys[i], k, kl) == 0)
				return -1; /* duplicate key */
		if (n == JS_MAX_KEYS)
			return -1;
		keys[n] = k;
		lens[n++] = kl;
		js_ws(j);
		if (j->p >= j->end || *j->p != ':')
			return -1;
		j->p++;
		if (js_value(j) < 0)
			return -1;
		js_ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == '}') {
			j->p++;
			return 0;
		}
		if (*j->p != ',')
			return -1;
		j->p++;
	}
}

static int js_array(struct js *j)
{
	j->p++;
	js_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		if (js_value(j) < 0)
			return -1;
		js_ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == ']') {
			j->p++;
			return 0;
		}
		if (*j->p != ',')
			return -1;
		j->p++;
	}
}

static int js_value(struct js *j)
{
	int rc;
	js_ws(j);
	if (j->p >= j->end || ++j->depth > 32)
		return -1;
	switch (*j->p) {
	case '{': rc = js_object(j); break;
	case '[': rc = js_array(j); break;
	case '"': rc = js_string(j, NULL, NULL); break;
	case 't': rc = js_lit(j, "true"); break;
	case 'f': rc = js_lit(j, "false"); break;
	case 'n': rc = js_lit(j, "null"); break;
	default: rc = js_number(j); break;
	}
	j->depth--;
	return rc;
}

static void check_json(const struct buf *b)
{
	struct js j = { (const unsigned char *)b->data, (const unsigned char *)b->data + b->len,
			0 };
	if (b->len == 0 || b->data[0] != '{')
		fail("JSON: not an object", b);
	if (js_value(&j) < 0)
		fail("JSON: invalid", b);
	if (j.p != j.end)
		fail("JSON: bytes after the object", b);
}

/* The JSON string at p (after its opening quote) unescaped into out
 * (\uXXXX as UTF-8; the formatter writes no surrogate pairs); its length,
 * or -1. */
static long js_unescape(const char *p, const char *end, char *out, size_t size)
{
	size_t n = 0;
	while (p < end && *p != '"') {
		unsigned cp;
		if (*p != '\\') {
			cp = (unsigned char)*p++;
			if (n + 1 > size)
				return -1;
			out[n++] = (char)cp;
			continue;
		}
		if (end - p < 2)
			return -1;
		char e = p[1];
		p += 2;
		if (e == 'u') {
			if (end - p < 4)
				return -1;
			cp = 0;
			for (int i = 0; i < 4; i++)
				cp = cp << 4 | (unsigned)hexval((unsigned char)*p++);
		} else {
			static const char pairs[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
			const char *m = memchr(pairs, e, sizeof pairs - 1);
			if (!m || (m - pairs) % 2)
				return -1;
			cp = (unsigned char)m[1];
		}
		if (n + 3 > size)
			return -1;
		if (cp < 0x80) {
			out[n++] = (char)cp;
		} else if (cp < 0x800) {
			out[n++] = (char)(0xc0 | cp >> 6);
			out[n++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[n++] = (char)(0xe0 | cp >> 12);
			out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	return p < end ? (long)n : -1;
}

/* The value text right after "key": in the JSON object, or NULL. A key
 * cannot appear inside a string value: its quotes would be escaped. */
static const char *js_find(const struct buf *b, const char *key)
{
	char pat[64];
	int n = snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *p = memmem(b->data, b->len, pat, (size_t)n);
	return p ? p + n : NULL;
}

/* Every FIELD_TEXT value reads back from the JSON as the exact bytes:
 * verbatim when they are UTF-8, else from "<key>_hex". */
static void check_json_text(const struct buf *b, const struct field_src *src)
{
	static char dec[3 * 65536 + 16], hex[2 * 65536 + 16]; /* \ufffd: 3 bytes per raw byte */
	const char *end = b->data + b->len;
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		if (f->type != FIELD_TEXT || f->parent)
			continue;
		size_t len = 0;
		const char *raw = f->text(src, &len);
		const char *v = js_find(b, f->key);
		if (!v && !raw && f->presence == FIELD_OPTIONAL)
			continue;
		if (!v)
			fail("JSON: a text key is missing", b);
		if (!raw) {
			if ((size_t)(end - v) < 4 || memcmp(v, "null", 4) != 0)
				fail("JSON: an absent text field is not null", b);
			continue;
		}
		if (*v != '"')
			fail("JSON: a text field is not a string", b);
		long n = js_unescape(v + 1, end, dec, sizeof dec);
		if (n < 0)
			fail("JSON: a text field does not unescape", b);
		char hkey[64];
		snprintf(hkey, sizeof hkey, "%s_hex", f->key);
		const char *h = js_find(b, hkey);
		if (!h) {
			if ((size_t)n != len || memcmp(dec, raw, len) != 0)
				fail("JSON: a text field does not read back as its bytes", b);
			continue;
		}
		if (len * 2 + 2 > sizeof hex)
			continue;
		static const char digits[] = "0123456789abcdef";
		hex[0] = '"';
		for (size_t k = 0; k < len; k++) {
			hex[1 + 2 * k] = digits[(unsigned char)raw[k] >> 4];
			hex[2 + 2 * k] = digits[(unsigned char)raw[k] & 15];
		}
		hex[1 + 2 * len] = '"';
		if ((size_t)(end - h) < len * 2 + 2 || memcmp(h, hex, len * 2 + 2) != 0)
			fail("JSON: <key>_hex is not the raw bytes", b);
	}
}

/* ---- the text line and the journal fields ---- */

static void check_text(const struct buf *b)
{
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c < 0x20 || c >= 0x7f)
			fail("text: a byte outside printable ASCII", b);
	}
	if (b->len > 4 * 1016)
		fail("text: longer than the kernel's cap allows", b);
}

static bool all_in(const struct buf *b, size_t from, const char *set)
{
	for (size_t i = from; i < b->len; i++)
		if (!b->data[i] || !strchr(set, b->data[i]))
			return false;
	return true;
}

static bool printable(const struct buf *b, size_t from)
{
	for (size_t i = from; i < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 || (unsigned char)b->data[i] >= 0x7f)
			return false;
	return true;
}

/* What the journal output sends: NAME=value per field the record has.
 * Names must be what journald accepts ([A-Z0-9_], not starting with
 * '_' or a digit, at most 64 bytes); values must have their type's shape.
 * FIELD_TEXT values are raw bytes (journald stores binary values). */
/* The journal output's fields, found once per record shape, equal trying
 * every field; the lists live across inputs, so records reuse earlier
 * shapes' lists. */
static void check_journal_lists(struct buf *b, const struct field_src *src)
{
	static struct journal_fields *jf[2];
	static struct buf ref;
	for (size_t i = 0; i < 2; i++) {
		if (!jf[i] && !(jf[i] = journal_fields_new(i == 1)))
			fail("journal: no field list", NULL);
		buf_reset(b);
		buf_reset(&ref);
		journal_fields_put(jf[i], b, src->rec, src->dec);
		journal_fields_reference(jf[i], &ref, src->rec, src->dec);
		if (!buf_ok(b) || b->len != ref.len || memcmp(b->data, ref.data, b->len) != 0) {
			fprintf(stderr, "reference (payload %zu): %.*s\n", i, (int)ref.len,
				ref.data);
			fail("journal: the fields listed for this shape differ from trying all", b);
		}
	}
}

static void check_journal(struct buf *b, const struct field_src *src)
{
	unsigned layers = field_layers(src);
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		if (!f->journal)
			continue;
		size_t nl = strlen(f->journal);
		if (nl == 0 || nl > 64 || f->journal[0] == '_' ||
		    (f->journal[0] >= '0' && f->journal[0] <= '9'))
			fail("journal: bad field name", NULL);
		for (size_t k = 0; k < nl; k++) {
			char c = f->journal[k];
			if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
				fail("journal: bad field name", NULL);
		}
		buf_reset(b);
		buf_put(b, f->journal, nl);
		buf_putc(b, '=');
		size_t v = b->len;
		if (!field_put(f, b, src)) {
			if (b->len != v)
				fail("journal: an absent field wrote bytes", b);
			continue;
		}
		if (!(layers & f->layer))
			fail("journal: a field present outside its layer", b);
		bool ok = true;
		switch (f->type) {
		case FIELD_INT: ok = b->len > v && all_in(b, v, "0123456789"); break;
		case FIELD_BOOL:
			ok = (b->len - v == 4 && !memcmp(b->data + v, "true", 4)) ||
			     (b->len - v == 5 && !memcmp(b->data + v, "false", 5));
			break;
		case FIELD_HEX:
			ok = (b->len - v) % 2 == 0 && all_in(b, v, "0123456789abcdef");
			break;
		case FIELD_STRING:
		case FIELD_FLAGS: ok = printable(b, v); break;
		case FIELD_TEXT:
		case FIELD_OBJECT: break;
		}
		if (!ok)
			fail("journal: a value not of its field's type", b);
	}
	check_journal_lists(b, src);
}

/* ---- syslog frames, built as src/output_syslog.c builds them ---- */

static bool is_printusascii(unsigned char c) { return c > 32 && c < 127; }

/* RFC 5424: "<PRI>1 TS HOST APP PROCID MSGID SD[ MSG]" with SD "-" or
 * [ID name="value" ...], values escaping '"', '\' and ']'. */
static void check_5424(const struct buf *b)
{
	const unsigned char *p = (const unsigned char *)b->data, *end = p + b->len;
	if (p == end || *p++ != '<')
		fail("syslog: no PRI", b);
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (end - p < 3 || memcmp(p, ">1 ", 3) != 0)
		fail("syslog: bad PRI/VERSION", b);
	p += 3;
	for (int field = 0; field < 5; field++) { /* TS HOST APP PROCID MSGID */
		const unsigned char *s = p;
		while (p < end && is_printusascii(*p))
			p++;
		if (p == s || p == end || *p++ != ' ')
			fail("syslog: bad header field", b);
	}
	if (p < end && *p == '-') {
		p++;
	} else {
		do {
			if (p == end || *p++ != '[')
				fail("syslog: SD does not start with [", b);
			const unsigned char *s = p;
			while (p < end && is_printusascii(*p) && *p != '=' && *p != ']' &&
			       *p != '"')
				p++;
			if (p == s)
				fail("syslog: empty SD-ID", b);
			while (p < end && *p == ' ') {
				s = ++p;
				while (p < end && is_printusascii(*p) && *p != '=' && *p != ']' &&
				       *p != '"')
					p++;
				if (p == s || p - s > SYSLOG_SD_NAME_MAX || end - p < 2 ||
				    p[0] != '=' || p[1] != '"')
					fail("syslog: bad SD-PARAM name", b);
				for (p += 2; p < end && *p != '"'; p++) {
					if (*p == '\\' && p + 1 < end &&
					    (p[1] == '"' || p[1] == '\\' || p[1] == ']'))
						p++;
					else if (*p == ']' || *p == '\\')
						fail("syslog: unescaped ] or \\ in a PARAM-VALUE",
						     b);
				}
				if (p == end)
					fail("syslog: PARAM-VALUE not closed", b);
				p++;
			}
			if (p == end || *p++ != ']')
				fail("syslog: SD-ELEMENT not closed", b);
		} while (p < end && *p == '[');
	}
	if (p < end && *p != ' ')
		fail("syslog: no space before MSG", b);
}

static void check_frame(struct buf *b, struct buf *framed, bool is_5424)
{
	if (!buf_ok(b))
		fail("syslog: buffer failed", NULL);
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c < 0x20 || c >= 0x7f)
			fail("syslog: a byte outside printable ASCII", b);
	}
	if (is_5424)
		check_5424(b);
	buf_reset(framed);
	syslog_octet_count(framed, b->data, b->len);
	char want[32];
	int n = snprintf(want, sizeof want, "%zu ", b->len);
	if (framed->len != (size_t)n + b->len || memcmp(framed->data, want, (size_t)n) != 0 ||
	    memcmp(framed->data + n, b->data, b->len) != 0)
		fail("syslog: octet count wrong", framed);
}

static void check_syslog(struct buf *b, struct buf *line, struct buf *value,
			 const struct field_src *src, unsigned log_flags)
{
	static struct buf framed;
	struct syslog_frame_hdr h = {
		.hostname = "host",
		.app_name = "nflogd",
		.procid = 4242,
		.msgid = "NFLOG",
		.ts = src->rec->ts,
		.pri = 21 * 8 + 6,
	};
	buf_reset(line);
	format_text(line, src->rec, src->dec, log_flags);
	for (int mode = 0; mode < 3; mode++) { /* 3164, 5424 nil, 5424 SD */
		h.format = mode ? SYSLOG_FRAME_RFC5424 : SYSLOG_FRAME_RFC3164;
		buf_reset(b);
		syslog_frame_begin(b, &h);
		if (mode == 1) {
			syslog_sd_nil(b);
		} else if (mode == 2) {
			unsigned layers = field_layers(src);
			syslog_sd_open(b, "nflog@32473");
			for (size_t i = 0; i < fields_count; i++) {
				const struct field *f = &fields_table[i];
				if (!f->journal || f->type == FIELD_OBJECT ||
				    !(f->layer & layers) ||
				    strcmp(f->journal, "NFLOG_PAYLOAD") == 0)
					continue;
				char name[SYSLOG_SD_NAME_MAX + 1];
				if (f->parent)
					snprintf(name, sizeof name, "%s.%s", f->parent, f->key);
				else
					snprintf(name, sizeof name, "%s", f->key);
				buf_reset(value);
				if (field_put(f, value, src))
					syslog_sd_param(b, name, value->data, value->len);
			}
			syslog_sd_close(b);
		}
		syslog_frame_msg(b, line->data, line->len);
		check_frame(b, &framed, mode != 0);
	}
}

/* The fast JSON formatter equals the table walk, for every option set. */
static void check_json_plans(struct buf *b, const struct nflogd_record *rec,
			     const struct nflogd_decoded *dec)
{
	static const struct json_options sets[] = {
		{ .payload = true, .null_keys = true, .schema = JSON_SCHEMA_NFLOGD },
		{ .payload = false, .null_keys = false, .schema = JSON_SCHEMA_NFLOGD },
		{ .payload = true, .null_keys = false, .schema = JSON_SCHEMA_ECS },
	};
	static struct json_formatter *jf[sizeof sets / sizeof sets[0]];
	static struct buf ref;
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		if (!jf[i] && !(jf[i] = json_formatter_new(&sets[i])))
			fail("JSON: no formatter", NULL);
		buf_reset(b);
		buf_reset(&ref);
		json_formatter_write(jf[i], b, rec, dec);
		json_formatter_reference(jf[i], &ref, rec, dec);
		if (!buf_ok(b) || b->len != ref.len || memcmp(b->data, ref.data, b->len) != 0) {
			fprintf(stderr, "reference (option set %zu): %.*s\n", i, (int)ref.len,
				ref.data);
			fail("JSON: the plan for this shape differs from the table walk", b);
		}
		if (sets[i].schema == JSON_SCHEMA_ECS)
			check_json(b);
	}
}

/* One record (parsed, its interfaces named from the datagram's bytes by
 * corpus_datagram()) through every formatter; arg is the scratch buffer. */
static void one_record(const struct nflogd_record *parsed, void *arg)
{
	struct buf *b = arg;
	struct nflogd_record rec = *parsed;
	struct nflogd_decoded dec;
	decode_record(&rec, &dec);

	static const unsigned flag_bits[] = {
		FORMAT_LOG_TCPSEQ, FORMAT_LOG_TCPOPT,	 FORMAT_LOG_IPOPT,
		FORMAT_LOG_UID,	   FORMAT_LOG_MACDECODE,
	};
	for (unsigned combo = 0; combo < 32; combo++) {
		unsigned flags = 0;
		for (unsigned k = 0; k < 5; k++)
			if (combo & (1u << k))
				flags |= flag_bits[k];
		buf_reset(b);
		format_text(b, &rec, &dec, flags);
		if (!buf_ok(b))
			fail("text: buffer failed", NULL);
		check_text(b);
		static struct buf walk;
		buf_reset(&walk);
		format_text_walk(&walk, &rec, flags);
		if (walk.len != b->len || memcmp(walk.data, b->data, b->len) != 0) {
			fprintf(stderr, "walk: %.*s\n", (int)walk.len, walk.data);
			fail("text: the line from the decoded fields differs from the walk", b);
		}
	}

	buf_reset(b);
	format_json(b, &rec, &dec);
	if (!buf_ok(b))
		fail("JSON: buffer failed", NULL);
	check_json(b);
	struct field_src src = { &rec, &dec };
	check_json_text(b, &src);
	check_json_plans(b, &rec, &dec);

	buf_reset(b);
	format_rfc3339(b, &rec.ts);
	if (!printable(b, 0) || b->len < 20)
		fail("rfc3339: not a timestamp", b);

	check_journal(b, &src);

	static struct buf line, value;
	check_syslog(b, &line, &value, &src, rec.mark & FORMAT_LOG_ALL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buf b;
	static bool init;
	if (!init) {
		buf_init(&b);
		init = true;
	}
	/* The reader's receive buffer is aligned; libFuzzer's input is not
	 * necessarily. An exact-size copy keeps overreads visible to ASan. */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	corpus_datagram(copy, size > 1 << 20 ? 1 << 20 : size, one_record, &b);
	free(copy);
	return 0;
}
