/* journal_entry.h - the fields of one journal entry in journald's native
 * protocol (https://systemd.io/JOURNAL_NATIVE_PROTOCOL/).
 *
 * A field is "NAME=value\n"; a value that holds a newline is sent as
 * "NAME\n", its length as a 64-bit little-endian integer, the value and
 * "\n". Either way the value's bytes arrive exactly as they were (a
 * prefix's trailing space, a newline in it). Values are appended in place:
 * begin a field, append its value to the same buffer, end it.
 */
#ifndef NFLOGD_JOURNAL_ENTRY_H
#define NFLOGD_JOURNAL_ENTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Append name_eq ("NAME=", its '=' included, len bytes) and return where
 * the value will start; append the value to b, then journal_field_end(). */
static inline size_t journal_field_begin(struct buf *b, const char *name_eq, size_t len)
{
	buf_put(b, name_eq, len);
	return b->len;
}

/* The length-prefixed form, for a value that holds a newline (below). */
void journal_field_end_text(struct buf *b, size_t value_start);

/* End the field whose value starts at value_start. may_hold_newline:
 * the value is untrusted bytes, looked at for a newline (which switches
 * the field to the length-prefixed form); false for values that cannot
 * hold one (numbers, names, hex). */
static inline void journal_field_end(struct buf *b, size_t value_start, bool may_hold_newline)
{
	if (may_hold_newline)
		journal_field_end_text(b, value_start);
	else
		buf_putc(b, '\n');
}

/* A whole field: name_eq as in journal_field_begin, and n bytes of value. */
void journal_put_field(struct buf *b, const char *name_eq, size_t len, const void *value, size_t n);

#endif
