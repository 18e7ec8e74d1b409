/* format_json.c - a record as one JSON object, by walking the field table.
 *
 * The keys, their order and their types come from fields_table[]; this
 * file only knows how each type is written in JSON. Untrusted text is
 * escaped so that the output is always valid JSON in valid UTF-8; bytes
 * that are not UTF-8 become U+FFFD and the raw bytes follow as
 * "<key>_hex", so nothing is lost. No printf, no allocation beyond
 * growing the caller's buffer.
 *
 * This walk visits every table entry for every record: it is the
 * reference that json_formatter.c, which replays a plan made once per
 * record shape, must match byte for byte (test_format_json, fuzz_record).
 */
#include "format.h"

#include "fields.h"
#include "json_formatter.h"
#include "json_values.h"

static const char hex_digits[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence (2 to 4 bytes) that starts at p,
 * or 0 when it is invalid: a stray continuation byte, an overlong form,
 * a surrogate, a code point above U+10FFFF, or cut short by the end. */
static size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* Write \u00XX for byte c. */
static char *put_u00(char *o, unsigned c)
{
	memcpy(o, "\\u00", 4);
	o[4] = hex_digits[c >> 4];
	o[5] = hex_digits[c & 15];
	return o + 6;
}

/* Write one ASCII byte that needs a backslash. */
static char *put_escaped_ascii(char *o, unsigned c)
{
	static const char short_esc[] = "\"\"\\\\\bb\ff\nn\rr\tt";
	for (size_t i = 0; i < sizeof short_esc - 1; i += 2) {
		if ((unsigned char)short_esc[i] == c) {
			o[0] = '\\';
			o[1] = short_esc[i + 1];
			return o + 2;
		}
	}
	return put_u00(o, c); /* other controls and DEL */
}

/* 1 for the bytes a JSON string holds as they are: printable ASCII but
 * '"' (0x22) and '\\' (0x5c). (Ranges: a GNU C extension gcc and clang have.) */
static const unsigned char json_plain[256] = {
	[0x20 ... 0x21] = 1,
	[0x23 ... 0x5b] = 1,
	[0x5d ... 0x7e] = 1,
};

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Whether all 8 bytes of w are json_plain[] (the bit tricks of "has a
 * byte less than n" and "has a zero byte": exact for the word as a whole). */
static inline bool json_plain8(uint64_t w)
{
	uint64_t below_space = (w - ONES * 0x20) & ~w;	       /* high bit set: byte < 0x20 */
	uint64_t del_or_high = w | (w + ONES);		       /* high bit set: byte >= 0x7f */
	uint64_t q = w ^ (ONES * '"'), bs = w ^ (ONES * '\\'); /* zero bytes: '"', '\\' */
	uint64_t quote = (q - ONES) & ~q, backslash = (bs - ONES) & ~bs;
	return !((below_space | del_or_high | quote | backslash) & HIGHS);
}

/* Append n untrusted bytes as the inside of a JSON string. Returns false
 * when they were not all valid UTF-8 (each bad byte became \ufffd). */
static bool json_put_text(struct buf *b, const unsigned char *p, size_t n)
{
	/* Six output bytes per input byte is the worst case (\u00XX, \ufffd). */
	if (n > (SIZE_MAX - 16) / 6 || !buf_reserve(b, n * 6))
		return true;
	char *o = b->data + b->len;
	bool valid = true;

	size_t i = 0;
	for (; i + 8 <= n; i += 8, o += 8) { /* plain text 8 bytes at a time */
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (!json_plain8(w))
			break;
		memcpy(o, &w, 8);
	}
	if (n >= 8 && n - i < 8) { /* the last 8, overlapping: plain, they end it */
		uint64_t w;
		memcpy(&w, p + n - 8, 8);
		if (json_plain8(w)) {
			memcpy(o + (n - i) - 8, &w, 8);
			o += n - i;
			i = n;
		}
	}
	while (i < n) {
		unsigned c = p[i];
		if (json_plain[c]) {
			*o++ = (char)c;
			i++;
		} else if (c < 0x80) {
			o = put_escaped_ascii(o, c);
			i++;
		} else {
			size_t len = utf8_seq_len(p + i, n - i);
			if (!len) {
				memcpy(o, "\\ufffd", 6);
				o += 6;
				valid = false;
				i++;
			} else if (c == 0xc2 && p[i + 1] < 0xa0) {
				/* C1 controls (U+0080..U+009F) are valid, but
				 * terminals act on them: escape like C0. */
				o = put_u00(o, p[i + 1]);
				i += 2;
			} else {
				memcpy(o, p + i, len);
				o += len;
				i += len;
			}
		}
	}
	b->len = (size_t)(o - b->data);
	return valid;
}

/* The raw bytes of text that was not UTF-8, as "<key>_hex":"..". */
static void json_put_text_hex(struct buf *b, const char *key, size_t key_len, const char *p,
			      size_t n)
{
	buf_putlit(b, ",\"");
	buf_put(b, key, key_len);
	buf_putlit(b, "_hex\":\"");
	buf_put_hex(b, (const uint8_t *)p, n, false, 0);
	buf_putc(b, '"');
}

/* Turn the space-separated words from mark to the end into a JSON array
 * of strings, in place: work backwards so nothing is overwritten unread. */
static void json_words_to_array(struct buf *b, size_t mark)
{
	size_t n = b->len - mark, words = n ? 1 : 0;
	for (size_t i = mark; i < b->len; i++)
		words += b->data[i] == ' ';
	size_t add = 2 + 2 * words; /* brackets, and quotes per word */
	if (!buf_reserve(b, add))
		return;
	char *d = b->data;
	size_t src = b->len, dst = b->len + add;
	d[--dst] = ']';
	if (n)
		d[--dst] = '"';
	while (src > mark) {
		char c = d[--src];
		if (c != ' ') {
			d[--dst] = c;
			continue;
		}
		d[--dst] = '"';
		d[--dst] = ',';
		d[--dst] = '"';
	}
	if (n)
		d[--dst] = '"';
	d[--dst] = '[';
	b->len += add;
}

/* A quoted value whose text never needs escaping. */
static bool json_put_quoted(struct buf *b, const struct field *f, const struct field_src *s)
{
	size_t mark = b->len;
	buf_putc(b, '"');
	if (!f->put(b, s)) {
		buf_truncate(b, mark);
		return false;
	}
	buf_putc(b, '"');
	return true;
}

bool json_text_value(struct buf *b, const struct field *f, const struct field_src *s,
		     const char *key, size_t key_len)
{
	size_t n = 0;
	const char *p = f->text(s, &n);
	if (!p)
		return false;
	buf_putc(b, '"');
	bool valid = json_put_text(b, (const unsigned char *)p, n);
	buf_putc(b, '"');
	if (!valid)
		json_put_text_hex(b, key, key_len, p, n);
	return true;
}

static bool json_put_text_value(struct buf *b, const struct field *f, const struct field_src *s)
{
	return json_text_value(b, f, s, f->key, strlen(f->key));
}

bool json_flags_value(struct buf *b, const struct field *f, const struct field_src *s)
{
	size_t mark = b->len;
	if (!f->put(b, s))
		return false;
	json_words_to_array(b, mark);
	return true;
}

/* Append f's JSON value; false (and nothing appended) when absent. */
static bool json_put_value(struct buf *b, const struct field *f, const struct field_src *s)
{
	switch (f->type) {
	case FIELD_STRING:
	case FIELD_HEX: return json_put_quoted(b, f, s);
	case FIELD_TEXT: return json_put_text_value(b, f, s);
	case FIELD_FLAGS: return json_flags_value(b, f, s);
	case FIELD_INT:
	case FIELD_BOOL:
	case FIELD_OBJECT: break;
	}
	return f->put(b, s);
}

/* What every member of one record needs. */
struct json_ctx {
	struct buf *b;
	const struct field_src *s;
	unsigned layers;	      /* field_layers(s) */
	const struct field *left_out; /* payload = false: the payload entry */
	/* absent fields of this presence are left out too, not written as
	 * null: FIELD_NULLABLE with null_keys = false, else FIELD_OPTIONAL */
	enum field_presence absent_left_out;
};

static size_t json_members(const struct json_ctx *c, size_t i, bool nested);

/* Index of the first entry after the object at i and its children. */
static size_t json_skip_children(size_t i)
{
	for (i++; i < fields_count && fields_table[i].parent; i++)
		;
	return i;
}

/* Append ,"key": (without the comma for an object's first member): copy
 * the whole fixed-size array, cheaper than a memcpy of variable length. */
static void json_put_key(struct buf *b, const struct field *f, bool first)
{
	if (!buf_reserve(b, sizeof f->json_key))
		return;
	memcpy(b->data + b->len, f->json_key + first, sizeof f->json_key - 1);
	b->len += f->json_key_len - first;
}

/* Not inlined: json_member (inlined into the loop of json_members) calls
 * it for the few objects, and the recursion stays out of the hot loop. */
__attribute__((noinline)) static size_t json_object(const struct json_ctx *c, size_t i, bool *first)
{
	const struct field *f = &fields_table[i];
	if (!f->put(c->b, c->s))
		return json_skip_children(i);
	json_put_key(c->b, f, *first);
	*first = false;
	buf_putc(c->b, '{');
	i = json_members(c, i + 1, true);
	buf_putc(c->b, '}');
	return i;
}

/* One "key":value member; an absent optional field leaves no trace.
 * Returns the index of the next entry to look at. */
static inline __attribute__((always_inline)) size_t json_member(const struct json_ctx *c, size_t i,
								bool *first)
{
	const struct field *f = &fields_table[i];
	if (!(c->layers & f->layer) || f == c->left_out)
		return f->type == FIELD_OBJECT ? json_skip_children(i) : i + 1;
	if (f->type == FIELD_OBJECT)
		return json_object(c, i, first);

	size_t mark = c->b->len;
	json_put_key(c->b, f, *first);
	if (json_put_value(c->b, f, c->s)) {
		*first = false;
	} else if (f->presence == FIELD_OPTIONAL || f->presence == c->absent_left_out) {
		buf_truncate(c->b, mark);
	} else {
		buf_putlit(c->b, "null");
		*first = false;
	}
	return i + 1;
}

/* The members from entry i on: a nested run stops at the first entry
 * without a parent. Returns the index after the last one. */
static size_t json_members(const struct json_ctx *c, size_t i, bool nested)
{
	bool first = true;
	while (i < fields_count && (!nested || fields_table[i].parent))
		i = json_member(c, i, &first);
	return i;
}

void format_json_walk(struct buf *b, const struct nflogd_record *rec,
		      const struct nflogd_decoded *dec, const struct json_options *opts)
{
	const struct field_src s = { .rec = rec, .dec = dec };
	const struct json_ctx c = {
		.b = b,
		.s = &s,
		.layers = field_layers(&s),
		.left_out = opts->payload ? NULL : field_find(NULL, "payload"),
		.absent_left_out = opts->null_keys ? FIELD_OPTIONAL : FIELD_NULLABLE,
	};
	buf_putc(b, '{');
	json_members(&c, 0, false);
	buf_putc(b, '}');
}

void format_json(struct buf *b, const struct nflogd_record *rec, const struct nflogd_decoded *dec)
{
	static const struct json_options defaults = JSON_OPTIONS_DEFAULT;
	format_json_walk(b, rec, dec, &defaults);
}
