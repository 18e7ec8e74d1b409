/* buf.h - a growable byte buffer that formatters append to.
 *
 * Formatting without printf: numbers, hex and addresses are rendered by
 * hand into a buffer that is reused record after record, so the hot path
 * allocates only while a buffer grows to its working size.
 * A failed allocation sets b->failed and makes later appends no-ops; the
 * caller checks buf_ok() once per record.
 */
#ifndef NFLOGD_BUF_H
#define NFLOGD_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
static inline void buf_reset(struct buf *b)
{
	b->len = 0;
	b->failed = false;
}
static inline bool buf_ok(const struct buf *b) { return !b->failed; }

/* Make room for n more bytes; false (and b->failed) when out of memory. */
bool buf_reserve_slow(struct buf *b, size_t n);
static inline bool buf_reserve(struct buf *b, size_t n)
{
	if (b->cap - b->len >= n)
		return !b->failed;
	return buf_reserve_slow(b, n);
}

static inline void buf_put(struct buf *b, const void *p, size_t n)
{
	/* n == 0 may come with p NULL (an absent field) and b->data NULL (a
	 * buffer never grown): memcpy and pointer arithmetic on NULL are UB. */
	if (!n || !buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}
static inline void buf_putc(struct buf *b, char c)
{
	if (!buf_reserve(b, 1))
		return;
	b->data[b->len++] = c;
}
static inline void buf_puts(struct buf *b, const char *s) { buf_put(b, s, strlen(s)); }
/* Append a string literal without strlen. */
#define buf_putlit(b, lit) buf_put((b), (lit), sizeof(lit) - 1)

/* Shrink back to n bytes (n <= len): undo a partly written element. */
static inline void buf_truncate(struct buf *b, size_t n)
{
	if (n < b->len)
		b->len = n;
}

void buf_put_u32(struct buf *b, uint32_t v);			  /* decimal */
void buf_put_u64(struct buf *b, uint64_t v);			  /* decimal */
void buf_put_i64(struct buf *b, int64_t v);			  /* decimal, signed */
void buf_put_u_padded(struct buf *b, uint32_t v, unsigned width); /* zero-padded decimal */
void buf_put_hex_u32(struct buf *b, uint32_t v, bool upper);	  /* like %x / %X */
void buf_put_hex_byte(struct buf *b, uint8_t v, bool upper);	  /* like %02x / %02X */
/* n bytes as hex pairs; sep (if not 0) between pairs, e.g. ':' for MACs. */
void buf_put_hex(struct buf *b, const uint8_t *p, size_t n, bool upper, char sep);
void buf_put_ipv4(struct buf *b, const uint8_t addr[4]); /* dotted quad */
/* The kernel's %pI6: eight groups of four lowercase hex digits, no
 * compression ("0000:0000:0000:0000:0000:0000:0000:0001"). */
void buf_put_ipv6_full(struct buf *b, const uint8_t addr[16]);
/* RFC 5952 text form, as inet_ntop writes it ("::1", "::ffff:1.2.3.4"). */
void buf_put_ipv6(struct buf *b, const uint8_t addr[16]);
/* printf into the buffer: only for rare, non-hot paths. */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
