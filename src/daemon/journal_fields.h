/* journal_fields.h - a record's NFLOG_* journal fields, from the field table.
 *
 * Every field of the field table that has a journal name and a value in
 * the record becomes one field of the entry ("NFLOG_DPT=22\n"; untrusted
 * text in the length-prefixed form when it holds a newline:
 * journal_entry.h), in the table's order. The payload only if asked (it
 * is large).
 *
 * The list is made once per output. Which of its fields a record has
 * depends only on the record's shape (field_shape()), so the first record
 * of a shape finds them by trying every field, and later records of that
 * shape try only those (32 shapes are kept: shape_cache.h). The bytes are
 * the same either way: journal_fields_reference() tries every field every
 * time, and the tests compare the two.
 */
#ifndef NFLOGD_JOURNAL_FIELDS_H
#define NFLOGD_JOURNAL_FIELDS_H

#include <stdbool.h>

#include "buf.h"
#include "decode.h"
#include "record.h"

struct journal_fields;

/* The table's journal fields (with NFLOG_PAYLOAD if payload), or NULL
 * when out of memory. */
struct journal_fields *journal_fields_new(bool payload);

void journal_fields_free(struct journal_fields *jf);

/* Append the record's fields to the entry in b. May allocate the first
 * time a record shape is seen, never after. */
void journal_fields_put(struct journal_fields *jf, struct buf *b, const struct nflogd_record *rec,
			const struct nflogd_decoded *dec);

/* The same bytes, made by trying every field of the list (for tests). */
void journal_fields_reference(const struct journal_fields *jf, struct buf *b,
			      const struct nflogd_record *rec, const struct nflogd_decoded *dec);

#endif
