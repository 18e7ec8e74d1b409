/* test_buf.c - the hand-written renderers against printf/inet_ntop. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "check.h"

static const char *text(struct buf *b)
{
	buf_putc(b, '\0');
	b->len--;
	return b->data;
}

static void test_numbers(void)
{
	struct buf b;
	buf_init(&b);
	const uint32_t values[] = { 0, 1, 9, 10, 255, 65535, 4294967295u };
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		char want[32];
		buf_reset(&b);
		buf_put_u32(&b, values[i]);
		snprintf(want, sizeof want, "%u", values[i]);
		CHECK_STREQ(text(&b), want, "u32 %u", values[i]);
		buf_reset(&b);
		buf_put_hex_u32(&b, values[i], true);
		snprintf(want, sizeof want, "%X", values[i]);
		CHECK_STREQ(text(&b), want, "hex %X", values[i]);
	}
	buf_reset(&b);
	buf_put_i64(&b, INT64_MIN);
	CHECK_STREQ(text(&b), "-9223372036854775808", "i64 min");
	buf_reset(&b);
	buf_put_u_padded(&b, 42, 6);
	CHECK_STREQ(text(&b), "000042", "padded");
	buf_reset(&b);
	const uint8_t mac[] = { 0x00, 0x1a, 0xff };
	buf_put_hex(&b, mac, 3, false, ':');
	CHECK_STREQ(text(&b), "00:1a:ff", "hex with separator");
	buf_free(&b);
}

static void test_addresses(void)
{
	struct buf b;
	buf_init(&b);
	const uint8_t v4[4] = { 192, 0, 2, 255 };
	buf_put_ipv4(&b, v4);
	CHECK_STREQ(text(&b), "192.0.2.255", "ipv4");
	uint8_t v6[16] = { 0 };
	v6[15] = 1;
	buf_reset(&b);
	buf_put_ipv6_full(&b, v6);
	CHECK_STREQ(text(&b), "0000:0000:0000:0000:0000:0000:0000:0001",
		    "ipv6 like the kernel's %%pI6");
	buf_reset(&b);
	buf_put_ipv6(&b, v6);
	CHECK_STREQ(text(&b), "::1", "ipv6 compressed");
	buf_free(&b);
}

static void test_growth(void)
{
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 100000; i++)
		buf_putlit(&b, "0123456789");
	CHECK(buf_ok(&b) && b.len == 1000000 && b.data[999999] == '9', "grows to 1 MB intact");
	buf_truncate(&b, 5);
	CHECK(b.len == 5, "truncate");
	buf_printf(&b, "%s-%d", "x", 7);
	CHECK_STREQ(text(&b), "01234x-7", "printf appends");
	buf_free(&b);
}

/* Regression (fuzz_record): appending nothing to a buffer that never grew
 * did pointer arithmetic on NULL (UBSan: "applying zero offset to null
 * pointer"), e.g. an empty prefix as the first thing formatted. */
static void test_empty_put(void)
{
	struct buf b;
	buf_init(&b);
	buf_put(&b, NULL, 0);
	buf_put(&b, "", 0);
	CHECK(b.len == 0 && buf_ok(&b), "empty appends to an empty buffer");
	buf_free(&b);
}

/* The hand-written renderers against printf and inet_ntop, over every
 * digit count and every byte value (the fast paths split on both). */
static void test_renderers_exhaustive(void)
{
	struct buf b;
	char want[64];
	int bad = 0;
	buf_init(&b);
	unsigned seed = 1;
	for (uint64_t i = 0; i < 400000; i++) {
		uint32_t v = i < 200000 ? (uint32_t)i : (uint32_t)rand_r(&seed) * 2654435761u;
		buf_reset(&b);
		buf_put_u32(&b, v);
		snprintf(want, sizeof want, "%u", v);
		if ((b.len != strlen(want) || memcmp(b.data, want, b.len)) && bad++ < 3)
			printf("# u32 %u: %.*s\n", v, (int)b.len, b.data);
	}
	for (uint64_t p = 1; p <= 1000000000; p *= 10)
		for (int d = -1; d <= 1; d++) {
			uint32_t v = (uint32_t)(p + (uint64_t)(int64_t)d);
			buf_reset(&b);
			buf_put_u32(&b, v);
			snprintf(want, sizeof want, "%u", v);
			if ((b.len != strlen(want) || memcmp(b.data, want, b.len)) && bad++ < 3)
				printf("# u32 %u: %.*s\n", v, (int)b.len, b.data);
		}
	CHECK(bad == 0, "u32 as printf, around every power of ten and at random");
	bad = 0;
	for (unsigned i = 0; i < 256 * 256; i++) {
		uint8_t a[4] = { (uint8_t)i, (uint8_t)(i >> 8), (uint8_t)(255 - i),
				 (uint8_t)(i * 7) };
		uint8_t a6[16];
		for (int k = 0; k < 16; k++)
			a6[k] = (uint8_t)(i * (k + 1));
		buf_reset(&b);
		buf_put_ipv4(&b, a);
		inet_ntop(AF_INET, a, want, sizeof want);
		if ((b.len != strlen(want) || memcmp(b.data, want, b.len)) && bad++ < 3)
			printf("# ipv4: %.*s, want %s\n", (int)b.len, b.data, want);
		buf_reset(&b);
		buf_put_ipv6_full(&b, a6);
		snprintf(want, sizeof want,
			 "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x",
			 a6[0], a6[1], a6[2], a6[3], a6[4], a6[5], a6[6], a6[7], a6[8], a6[9],
			 a6[10], a6[11], a6[12], a6[13], a6[14], a6[15]);
		if ((b.len != strlen(want) || memcmp(b.data, want, b.len)) && bad++ < 3)
			printf("# ipv6: %.*s, want %s\n", (int)b.len, b.data, want);
	}
	CHECK(bad == 0, "IPv4 as inet_ntop and IPv6 in full as %%02x pairs, every byte value");
	bad = 0;
	for (size_t n = 0; n < 40; n++) {
		char s[41];
		memset(s, 'a' + (int)(n % 26), n);
		s[n] = 0;
		buf_reset(&b);
		buf_putlit(&b, "<");
		buf_puts(&b, s);
		buf_putlit(&b, ">");
		snprintf(want, sizeof want, "<%s>", s);
		if ((b.len != strlen(want) || memcmp(b.data, want, b.len)) && bad++ < 3)
			printf("# puts %zu: %.*s\n", n, (int)b.len, b.data);
	}
	CHECK(bad == 0, "buf_puts of 0..39 bytes, short and long");
	buf_free(&b);
}

int main(void)
{
	test_empty_put();
	test_renderers_exhaustive();
	test_numbers();
	test_addresses();
	test_growth();
	return check_done();
}
