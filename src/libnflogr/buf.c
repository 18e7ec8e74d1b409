/* buf.c - growable buffer and hand-written number/address rendering. */
#include "buf.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";
/* "00" .. "ff": one 2-byte copy per byte of a hex dump. */
static const char hex_pairs_lower[] = "000102030405060708090a0b0c0d0e0f"
				      "101112131415161718191a1b1c1d1e1f"
				      "202122232425262728292a2b2c2d2e2f"
				      "303132333435363738393a3b3c3d3e3f"
				      "404142434445464748494a4b4c4d4e4f"
				      "505152535455565758595a5b5c5d5e5f"
				      "606162636465666768696a6b6c6d6e6f"
				      "707172737475767778797a7b7c7d7e7f"
				      "808182838485868788898a8b8c8d8e8f"
				      "909192939495969798999a9b9c9d9e9f"
				      "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
				      "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
				      "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
				      "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
				      "e0e1e2e3e4e5e6e7e8e9eaebecedeeef"
				      "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = false;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

bool buf_reserve_slow(struct buf *b, size_t n)
{
	if (b->failed)
		return false;
	size_t want = b->len + n;
	if (want < b->len) { /* overflow */
		b->failed = true;
		return false;
	}
	size_t cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void buf_put_u64(struct buf *b, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_put(b, tmp + i, sizeof tmp - i);
}

/* Straight into the buffer, no temporary: the formatters write dozens
 * of these per record. */
void buf_put_u32(struct buf *b, uint32_t v)
{
	if (!buf_reserve(b, 10))
		return;
	size_t n = 1;
	for (uint32_t t = v; t >= 10; t /= 10)
		n++;
	char *o = b->data + b->len + n;
	do {
		*--o = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	b->len += n;
}

void buf_put_i64(struct buf *b, int64_t v)
{
	if (v < 0) {
		buf_putc(b, '-');
		buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
		return;
	}
	buf_put_u64(b, (uint64_t)v);
}

void buf_put_u_padded(struct buf *b, uint32_t v, unsigned width)
{
	char tmp[10];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	while (sizeof tmp - i < width && i > 0)
		tmp[--i] = '0';
	buf_put(b, tmp + i, sizeof tmp - i);
}

void buf_put_hex_u32(struct buf *b, uint32_t v, bool upper)
{
	const char *digits = upper ? hex_upper : hex_lower;
	char tmp[8];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	buf_put(b, tmp + i, sizeof tmp - i);
}

void buf_put_hex_byte(struct buf *b, uint8_t v, bool upper)
{
	const char *digits = upper ? hex_upper : hex_lower;
	if (!buf_reserve(b, 2))
		return;
	b->data[b->len++] = digits[v >> 4];
	b->data[b->len++] = digits[v & 15];
}

void buf_put_hex(struct buf *b, const uint8_t *p, size_t n, bool upper, char sep)
{
	const char *digits = upper ? hex_upper : hex_lower;
	if (!n || !buf_reserve(b, n * 3))
		return;
	char *o = b->data + b->len;
	if (!sep && !upper) { /* the common case (payloads): a copy per byte */
		for (size_t i = 0; i < n; i++, o += 2)
			memcpy(o, hex_pairs_lower + 2 * p[i], 2);
		b->len = (size_t)(o - b->data);
		return;
	}
	if (!sep) {
		for (size_t i = 0; i < n; i++, o += 2) {
			o[0] = digits[p[i] >> 4];
			o[1] = digits[p[i] & 15];
		}
		b->len = (size_t)(o - b->data);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			*o++ = sep;
		*o++ = digits[p[i] >> 4];
		*o++ = digits[p[i] & 15];
	}
	b->len = (size_t)(o - b->data);
}

void buf_put_ipv4(struct buf *b, const uint8_t addr[4])
{
	if (!buf_reserve(b, 15))
		return;
	char *o = b->data + b->len;
	for (int i = 0; i < 4; i++) {
		unsigned v = addr[i];
		if (i)
			*o++ = '.';
		if (v >= 100) {
			*o++ = (char)('0' + v / 100);
			v %= 100;
			*o++ = (char)('0' + v / 10);
		} else if (v >= 10) {
			*o++ = (char)('0' + v / 10);
		}
		*o++ = (char)('0' + v % 10);
	}
	b->len = (size_t)(o - b->data);
}

void buf_put_ipv6_full(struct buf *b, const uint8_t addr[16])
{
	for (int i = 0; i < 16; i += 2) {
		if (i)
			buf_putc(b, ':');
		buf_put_hex_byte(b, addr[i], false);
		buf_put_hex_byte(b, addr[i + 1], false);
	}
}

void buf_put_ipv6(struct buf *b, const uint8_t addr[16])
{
	char tmp[INET6_ADDRSTRLEN];
	if (!inet_ntop(AF_INET6, addr, tmp, sizeof tmp))
		return;
	buf_puts(b, tmp);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_reserve(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
