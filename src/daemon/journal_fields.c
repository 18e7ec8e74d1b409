/* journal_fields.c - NFLOG_* fields: the table's journal names, and per
 * record shape the list of those the record has. */
#include "journal_fields.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "journal_entry.h"
#include "log.h"
#include "shape_cache.h"

#define JFIELD_NAME_MAX 32

/* A field of the table that goes to the journal: "NAME=" ready to copy,
 * padded with NULs (copied whole, a fixed-size copy, then cut to
 * name_len: no memcpy call per field). */
struct jfield {
	const struct field *f;
	unsigned layer;
	unsigned name_len; /* of "NAME=" */
	bool text;	   /* untrusted bytes: may hold a newline */
	char name[JFIELD_NAME_MAX];
};

/* The fields (indexes into the list) that every record of one shape has. */
struct present {
	uint16_t *at;
	size_t n;
};

struct journal_fields {
	struct jfield *list;
	size_t n;
	struct present present[SHAPE_CACHE_SLOTS];
	struct shape_cache shapes; /* which present[] is made for which shape */
	struct buf probe;	   /* values written while a present[] is made */
};

static void make_list(struct journal_fields *jf, bool payload)
{
	const struct field *skip = payload ? NULL : field_find(NULL, "payload");
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		if (!f->journal || f->type == FIELD_OBJECT || f == skip)
			continue;
		struct jfield *j = &jf->list[jf->n];
		int n = snprintf(j->name, sizeof j->name, "%s=", f->journal);
		if (n < 0 || (size_t)n >= sizeof j->name) {
			log_error("journal field name %s too long", f->journal);
			continue;
		}
		j->f = f;
		j->layer = f->layer;
		j->name_len = (unsigned)n;
		j->text = f->type == FIELD_TEXT;
		jf->n++;
	}
}

struct journal_fields *journal_fields_new(bool payload)
{
	struct journal_fields *jf = calloc(1, sizeof *jf);
	if (!jf)
		return NULL;
	buf_init(&jf->probe);
	bool ok = fields_count <= UINT16_MAX &&
		  (jf->list = calloc(fields_count, sizeof *jf->list)) != NULL;
	for (size_t i = 0; ok && i < SHAPE_CACHE_SLOTS; i++)
		ok = (jf->present[i].at = calloc(fields_count, sizeof(uint16_t))) != NULL;
	if (!ok) {
		journal_fields_free(jf);
		return NULL;
	}
	make_list(jf, payload);
	return jf;
}

void journal_fields_free(struct journal_fields *jf)
{
	if (!jf)
		return;
	for (size_t i = 0; i < SHAPE_CACHE_SLOTS; i++)
		free(jf->present[i].at);
	buf_free(&jf->probe);
	free(jf->list);
	free(jf);
}

/* Append field j of the record, if it has it; returns whether it did. */
static bool put_one(const struct jfield *j, struct buf *b, const struct field_src *s)
{
	if (!buf_reserve(b, sizeof j->name))
		return false;
	memcpy(b->data + b->len, j->name, sizeof j->name);
	size_t start = b->len += j->name_len;
	if (!field_put(j->f, b, s)) {
		buf_truncate(b, start - j->name_len);
		return false;
	}
	journal_field_end(b, start, j->text);
	return true;
}

/* Which fields records of s's shape have; NULL when out of memory. */
static const struct present *present_for(struct journal_fields *jf, const struct field_src *s)
{
	uint64_t shape = field_shape(s);
	bool made;
	size_t slot = shape_cache_slot(&jf->shapes, shape, &made);
	struct present *p = &jf->present[slot];
	if (made)
		return p;
	unsigned layers = field_layers(s);
	p->n = 0;
	buf_reset(&jf->probe);
	for (size_t i = 0; i < jf->n; i++)
		if ((jf->list[i].layer & layers) && put_one(&jf->list[i], &jf->probe, s))
			p->at[p->n++] = (uint16_t)i;
	bool ok = buf_ok(&jf->probe);
	shape_cache_made(&jf->shapes, slot, shape, ok);
	return ok ? p : NULL;
}

void journal_fields_put(struct journal_fields *jf, struct buf *b, const struct nflogd_record *rec,
			const struct nflogd_decoded *dec)
{
	const struct field_src s = { rec, dec };
	const struct present *p = present_for(jf, &s);
	if (!p) {
		journal_fields_reference(jf, b, rec, dec);
		return;
	}
	for (size_t i = 0; i < p->n; i++)
		put_one(&jf->list[p->at[i]], b, &s);
}

void journal_fields_reference(const struct journal_fields *jf, struct buf *b,
			      const struct nflogd_record *rec, const struct nflogd_decoded *dec)
{
	const struct field_src s = { rec, dec };
	unsigned layers = field_layers(&s);
	for (size_t i = 0; i < jf->n; i++)
		if (jf->list[i].layer & layers)
			put_one(&jf->list[i], b, &s);
}
