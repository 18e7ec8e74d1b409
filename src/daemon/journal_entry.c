/* journal_entry.c - journal fields in the native protocol's two forms. */
#include "journal_entry.h"

#include <stdint.h>
#include <string.h>

/* "NAME=value" becomes "NAME\n" + 64-bit LE length + value: the value
 * moves 8 bytes on to make room for the length. */
static void to_binary_form(struct buf *b, size_t value_start)
{
	uint64_t n = b->len - value_start;
	if (!buf_reserve(b, 8))
		return;
	char *v = b->data + value_start;
	memmove(v + 8, v, (size_t)n);
	v[-1] = '\n'; /* was '=' */
	for (unsigned i = 0; i < 8; i++)
		v[i] = (char)(n >> (8 * i));
	b->len += 8;
}

void journal_field_end_text(struct buf *b, size_t value_start)
{
	if (b->len > value_start && memchr(b->data + value_start, '\n', b->len - value_start))
		to_binary_form(b, value_start);
	buf_putc(b, '\n');
}

void journal_put_field(struct buf *b, const char *name_eq, size_t len, const void *value, size_t n)
{
	size_t start = journal_field_begin(b, name_eq, len);
	buf_put(b, value, n);
	journal_field_end(b, start, true);
}
