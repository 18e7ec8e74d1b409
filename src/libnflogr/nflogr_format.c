/* nflogr_format.c - a public record as nflogd writes it: the kernel LOG
 * line, the JSON object, and the JSON output's keys and values walked
 * from the one field table (fields.h). The daemon's own formatters do the
 * work, so a program gets the daemon's bytes. */
#include <errno.h>
#include <string.h>

#include "decode.h"
#include "fields.h"
#include "format.h"
#include "nflogr_internal.h"

_Static_assert(NFLOGR_LOG_TCPSEQ == FORMAT_LOG_TCPSEQ && NFLOGR_LOG_TCPOPT == FORMAT_LOG_TCPOPT &&
		   NFLOGR_LOG_IPOPT == FORMAT_LOG_IPOPT && NFLOGR_LOG_UID == FORMAT_LOG_UID &&
		   NFLOGR_LOG_MACDECODE == FORMAT_LOG_MACDECODE && NFLOGR_LOG_ALL == FORMAT_LOG_ALL,
	       "log flags are the formatter's");

/* Copy what b holds into out like snprintf; its length, or -1 (ENOMEM). */
static long finish(struct buf *b, char *out, size_t size)
{
	if (!buf_ok(b)) {
		buf_free(b);
		errno = ENOMEM;
		return -1;
	}
	long len = (long)b->len;
	if (size) {
		size_t n = b->len < size ? b->len : size - 1;
		if (n)
			memcpy(out, b->data, n);
		out[n] = '\0';
	}
	buf_free(b);
	return len;
}

long nflogr_record_text(const struct nflogr_record *rec, unsigned log_flags, char *buf, size_t size)
{
	struct nflogd_decoded dec;
	struct buf b;
	buf_init(&b);
	decode_record(&rec->r, &dec);
	format_text(&b, &rec->r, &dec, log_flags & NFLOGR_LOG_ALL);
	return finish(&b, buf, size);
}

long nflogr_record_json(const struct nflogr_record *rec, char *buf, size_t size)
{
	struct nflogd_decoded dec;
	struct buf b;
	buf_init(&b);
	decode_record(&rec->r, &dec);
	format_json(&b, &rec->r, &dec);
	return finish(&b, buf, size);
}

int nflogr_log_flag(const char *word)
{
	/* nft's `log flags` words, as nft(8) and nflogd.conf spell them */
	static const struct {
		const char *word;
		int bit;
	} words[] = {
		{ "tcp sequence", NFLOGR_LOG_TCPSEQ }, { "tcp options", NFLOGR_LOG_TCPOPT },
		{ "ip options", NFLOGR_LOG_IPOPT },    { "skuid", NFLOGR_LOG_UID },
		{ "ether", NFLOGR_LOG_MACDECODE },     { "all", NFLOGR_LOG_ALL },
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(word, words[i].word) == 0)
			return words[i].bit;
	errno = EINVAL;
	return -1;
}

/* ---- the JSON output's keys, walked as format_json walks them ---- */

static enum nflogr_field_type public_type(enum field_type t)
{
	switch (t) {
	case FIELD_INT: return NFLOGR_FIELD_INT;
	case FIELD_BOOL: return NFLOGR_FIELD_BOOL;
	case FIELD_STRING: return NFLOGR_FIELD_STRING;
	case FIELD_HEX: return NFLOGR_FIELD_HEX;
	case FIELD_TEXT: return NFLOGR_FIELD_TEXT;
	case FIELD_FLAGS: return NFLOGR_FIELD_FLAGS;
	case FIELD_OBJECT: return NFLOGR_FIELD_OBJECT;
	}
	return NFLOGR_FIELD_STRING;
}

struct walk {
	const struct field_src *src;
	unsigned layers; /* field_layers(src) */
	struct buf b;	 /* one value's text, reused */
	nflogr_field_fn fn;
	void *arg;
};

/* Index of the first entry after the object at i and its members. */
static size_t skip_members(size_t i)
{
	for (i++; i < fields_count && fields_table[i].parent; i++)
		;
	return i;
}

static int walk_members(struct walk *w, size_t *i, const char *parent);

/* One entry: its key and value (NULL for null), nothing for an absent
 * optional one; an object and then its members. Advances *i. */
static int walk_entry(struct walk *w, size_t *i, const char *parent)
{
	const struct field *f = &fields_table[*i];
	if (!(w->layers & f->layer)) {
		*i = f->type == FIELD_OBJECT ? skip_members(*i) : *i + 1;
		return 0;
	}
	buf_reset(&w->b);
	bool present = field_put(f, &w->b, w->src);
	buf_putc(&w->b, '\0');
	if (!buf_ok(&w->b)) {
		errno = ENOMEM;
		return -1;
	}
	if (f->type == FIELD_OBJECT) {
		if (!present) {
			*i = skip_members(*i);
			return 0;
		}
		int r = w->fn(w->arg, parent, f->key, NFLOGR_FIELD_OBJECT, "", 0);
		(*i)++;
		return r ? r : walk_members(w, i, f->key);
	}
	(*i)++;
	if (!present && f->presence == FIELD_OPTIONAL)
		return 0;
	return w->fn(w->arg, parent, f->key, public_type(f->type), present ? w->b.data : NULL,
		     present ? w->b.len - 1 : 0);
}

/* The entries from *i on: the members of parent (NULL: the top level). */
static int walk_members(struct walk *w, size_t *i, const char *parent)
{
	while (*i < fields_count && (!parent || fields_table[*i].parent)) {
		int r = walk_entry(w, i, parent);
		if (r)
			return r;
	}
	return 0;
}

int nflogr_record_fields(const struct nflogr_record *rec, nflogr_field_fn fn, void *arg)
{
	struct nflogd_decoded dec;
	decode_record(&rec->r, &dec);
	const struct field_src src = { .rec = &rec->r, .dec = &dec };
	struct walk w = { .src = &src, .layers = field_layers(&src), .fn = fn, .arg = arg };
	buf_init(&w.b);
	size_t i = 0;
	int r = walk_members(&w, &i, NULL);
	buf_free(&w.b);
	return r;
}
