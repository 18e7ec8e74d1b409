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

int main(void)
{
	test_empty_put();
	test_numbers();
	test_addresses();
	test_growth();
	return check_done();
}
