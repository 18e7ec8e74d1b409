/* buf.c - growable buffer and hand-written number/address rendering. */
#include "buf.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

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
	if (want < b->len) {            /* overflow */
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

void buf_put_u32(struct buf *b, uint32_t v)
{
	buf_put_u64(b, v);
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
	for (size_t i = 0; i < n; i++) {
		if (sep && i)
			*o++ = sep;
		*o++ = digits[p[i] >> 4];
		*o++ = digits[p[i] & 15];
	}
	b->len = (size_t)(o - b->data);
}

void buf_put_ipv4(struct buf *b, const uint8_t addr[4])
{
	for (int i = 0; i < 4; i++) {
		if (i)
			buf_putc(b, '.');
		buf_put_u32(b, addr[i]);
	}
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
