/* buf.h - a growable byte buffer that formatters append to.
 *
 * Formatting without printf: numbers, hex and addresses are rendered by
 * hand into a buffer that is reused record after record, so the hot path
 * allocates only while a buffer grows to its working size.
 * A failed allocation sets b->failed and makes later appends that need
 * more room no-ops (those that fit may still land: what the buffer holds
 * is garbage then either way); the caller checks buf_ok() once per record
 * and drops it.
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

/* Start with no storage; the first append allocates. */
void buf_init(struct buf *b);
/* Release the storage; b is then empty, as after buf_init(). */
void buf_free(struct buf *b);
/* Empty b for the next record, keeping its storage; clears failed. */
static inline void buf_reset(struct buf *b)
{
	b->len = 0;
	b->failed = false;
}
/* False once an append failed for want of memory (since buf_reset). */
static inline bool buf_ok(const struct buf *b) { return !b->failed; }

/* Grow the storage so that n more bytes fit; false (and b->failed) when
 * out of memory or the size would overflow. Use buf_reserve(). */
bool buf_reserve_slow(struct buf *b, size_t n);
/* Make room for n more bytes; false (and b->failed) when out of memory.
 * (When they fit, true even after a failure: a test per append saved.) */
static inline bool buf_reserve(struct buf *b, size_t n)
{
	if (b->cap - b->len >= n)
		return true;
	return buf_reserve_slow(b, n);
}

/* Append n bytes from p. */
static inline void buf_put(struct buf *b, const void *p, size_t n)
{
	/* n == 0 may come with p NULL (an absent field) and b->data NULL (a
	 * buffer never grown): memcpy and pointer arithmetic on NULL are UB. */
	if (!n || !buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}
/* Append one byte. */
static inline void buf_putc(struct buf *b, char c)
{
	if (!buf_reserve(b, 1))
		return;
	b->data[b->len++] = c;
}
/* Append a NUL-terminated string (without its NUL). Names of a few bytes
 * are copied as they are read, without a strlen and a memcpy call. */
void buf_puts(struct buf *b, const char *s);
/* Append a string literal without strlen. */
#define buf_putlit(b, lit) buf_put((b), (lit), sizeof(lit) - 1)

/* Shrink back to n bytes (n <= len): undo a partly written element. */
static inline void buf_truncate(struct buf *b, size_t n)
{
	if (n < b->len)
		b->len = n;
}

/* "00".."99": two digits per copy when rendering decimals. */
extern const char buf_digit_pairs[200];

/* Number of decimal digits of v (1..10); small values answer first. */
static inline unsigned buf_u32_digits(uint32_t v)
{
	if (v < 10)
		return 1;
	if (v < 100)
		return 2;
	if (v < 1000)
		return 3;
	if (v < 10000)
		return 4;
	if (v < 100000)
		return 5;
	if (v < 1000000)
		return 6;
	if (v < 10000000)
		return 7;
	if (v < 100000000)
		return 8;
	return v < 1000000000 ? 9 : 10;
}

/* Write v in decimal at o, which has room for 10 bytes; returns the end.
 * Two digits per step from the end. For formatters that reserved their
 * space already. */
static inline char *buf_u32_raw(char *o, uint32_t v)
{
	if (v < 100) { /* most values of a record: ports aside, they are small */
		if (v < 10) {
			*o = (char)('0' + v);
			return o + 1;
		}
		memcpy(o, buf_digit_pairs + 2 * v, 2);
		return o + 2;
	}
	unsigned n = v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : buf_u32_digits(v);
	char *end = o + n, *p = end;
	while (v >= 100) {
		uint32_t q = v / 100;
		p -= 2;
		memcpy(p, buf_digit_pairs + 2 * (v - q * 100), 2);
		v = q;
	}
	if (v >= 10)
		memcpy(p - 2, buf_digit_pairs + 2 * v, 2);
	else
		p[-1] = (char)('0' + v);
	return end;
}

/* Append v in decimal. */
static inline void buf_put_u32(struct buf *b, uint32_t v)
{
	if (!buf_reserve(b, 10))
		return;
	b->len = (size_t)(buf_u32_raw(b->data + b->len, v) - b->data);
}

/* Append v in decimal. */
void buf_put_u64(struct buf *b, uint64_t v);
/* Append v in decimal, with a '-' when negative. */
void buf_put_i64(struct buf *b, int64_t v);
/* Append v in decimal with leading zeros up to width digits (at most 10). */
void buf_put_u_padded(struct buf *b, uint32_t v, unsigned width);
/* Append v in hex without leading zeros, like %x (upper: %X). */
void buf_put_hex_u32(struct buf *b, uint32_t v, bool upper);
/* Append v as two hex digits, like %02x (upper: %02X). */
void buf_put_hex_byte(struct buf *b, uint8_t v, bool upper);
/* Write v as two lowercase hex digits at o; returns the end. */
static inline char *buf_hex_byte_raw(char *o, uint8_t v)
{
	o[0] = "0123456789abcdef"[v >> 4];
	o[1] = "0123456789abcdef"[v & 15];
	return o + 2;
}
/* Append n bytes as hex pairs; sep (if not 0) between pairs, e.g. ':' for MACs. */
void buf_put_hex(struct buf *b, const uint8_t *p, size_t n, bool upper, char sep);
/* Append an IPv4 address as a dotted quad. */
void buf_put_ipv4(struct buf *b, const uint8_t addr[4]);
/* Room buf_ipv4_raw() needs (it may write past the address's end). */
#define BUF_IPV4_ROOM 16
/* Write the dotted quad at o, which has room for BUF_IPV4_ROOM bytes;
 * returns the end. */
char *buf_ipv4_raw(char *o, const uint8_t addr[4]);
/* Write buf_put_ipv6_full()'s text at o (39 bytes, room for 40); returns
 * the end. */
char *buf_ipv6_full_raw(char *o, const uint8_t addr[16]);
/* Append an IPv6 address as the kernel's %pI6 writes it: eight groups of
 * four lowercase hex digits, no compression
 * ("0000:0000:0000:0000:0000:0000:0000:0001"). */
void buf_put_ipv6_full(struct buf *b, const uint8_t addr[16]);
/* Append an IPv6 address in RFC 5952 form, as inet_ntop writes it ("::1",
 * "::ffff:1.2.3.4"). */
void buf_put_ipv6(struct buf *b, const uint8_t addr[16]);
/* Append printf's output: only for rare, non-hot paths. */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
