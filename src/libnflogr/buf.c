/* buf.c - growable buffer and hand-written number/address rendering. */
#include "buf.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char buf_digit_pairs[200] = "00010203040506070809101112131415161718192021222324"
				  "25262728293031323334353637383940414243444546474849"
				  "50515253545556575859606162636465666768697071727374"
				  "75767778798081828384858687888990919293949596979899";

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

void buf_puts(struct buf *b, const char *s)
{
	enum { SHORT = 16 };
	if (buf_reserve(b, SHORT)) {
		char *o = b->data + b->len;
		for (size_t i = 0; i < SHORT; i++) {
			if (!s[i]) {
				b->len += i;
				return;
			}
			o[i] = s[i];
		}
	}
	buf_put(b, s, strlen(s)); /* longer (what was copied is written again) */
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
	if (!sep && !upper) { /* the common case (payloads): a copy per byte, 4 per turn */
		size_t i = 0;
		for (; i + 4 <= n; i += 4, o += 8) {
			memcpy(o, hex_pairs_lower + 2 * (size_t)p[i], 2);
			memcpy(o + 2, hex_pairs_lower + 2 * (size_t)p[i + 1], 2);
			memcpy(o + 4, hex_pairs_lower + 2 * (size_t)p[i + 2], 2);
			memcpy(o + 6, hex_pairs_lower + 2 * (size_t)p[i + 3], 2);
		}
		for (; i < n; i++, o += 2)
			memcpy(o, hex_pairs_lower + 2 * (size_t)p[i], 2);
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

/* "0." .. "255.": a byte in decimal with the dot after it, 4 bytes a
 * copy (the part past the digits and dot is overwritten or left beyond
 * the end). */
static const char octet_dot[256][4] = {
	"0.",	"1.",	"2.",	"3.",	"4.",	"5.",	"6.",	"7.",	"8.",	"9.",	"10.",
	"11.",	"12.",	"13.",	"14.",	"15.",	"16.",	"17.",	"18.",	"19.",	"20.",	"21.",
	"22.",	"23.",	"24.",	"25.",	"26.",	"27.",	"28.",	"29.",	"30.",	"31.",	"32.",
	"33.",	"34.",	"35.",	"36.",	"37.",	"38.",	"39.",	"40.",	"41.",	"42.",	"43.",
	"44.",	"45.",	"46.",	"47.",	"48.",	"49.",	"50.",	"51.",	"52.",	"53.",	"54.",
	"55.",	"56.",	"57.",	"58.",	"59.",	"60.",	"61.",	"62.",	"63.",	"64.",	"65.",
	"66.",	"67.",	"68.",	"69.",	"70.",	"71.",	"72.",	"73.",	"74.",	"75.",	"76.",
	"77.",	"78.",	"79.",	"80.",	"81.",	"82.",	"83.",	"84.",	"85.",	"86.",	"87.",
	"88.",	"89.",	"90.",	"91.",	"92.",	"93.",	"94.",	"95.",	"96.",	"97.",	"98.",
	"99.",	"100.", "101.", "102.", "103.", "104.", "105.", "106.", "107.", "108.", "109.",
	"110.", "111.", "112.", "113.", "114.", "115.", "116.", "117.", "118.", "119.", "120.",
	"121.", "122.", "123.", "124.", "125.", "126.", "127.", "128.", "129.", "130.", "131.",
	"132.", "133.", "134.", "135.", "136.", "137.", "138.", "139.", "140.", "141.", "142.",
	"143.", "144.", "145.", "146.", "147.", "148.", "149.", "150.", "151.", "152.", "153.",
	"154.", "155.", "156.", "157.", "158.", "159.", "160.", "161.", "162.", "163.", "164.",
	"165.", "166.", "167.", "168.", "169.", "170.", "171.", "172.", "173.", "174.", "175.",
	"176.", "177.", "178.", "179.", "180.", "181.", "182.", "183.", "184.", "185.", "186.",
	"187.", "188.", "189.", "190.", "191.", "192.", "193.", "194.", "195.", "196.", "197.",
	"198.", "199.", "200.", "201.", "202.", "203.", "204.", "205.", "206.", "207.", "208.",
	"209.", "210.", "211.", "212.", "213.", "214.", "215.", "216.", "217.", "218.", "219.",
	"220.", "221.", "222.", "223.", "224.", "225.", "226.", "227.", "228.", "229.", "230.",
	"231.", "232.", "233.", "234.", "235.", "236.", "237.", "238.", "239.", "240.", "241.",
	"242.", "243.", "244.", "245.", "246.", "247.", "248.", "249.", "250.", "251.", "252.",
	"253.", "254.", "255.",
};

/* One byte in decimal and a '.' after it; returns the end. */
static inline char *put_octet_dot(char *o, unsigned v)
{
	memcpy(o, octet_dot[v], 4);
	return o + 2 + (v >= 10) + (v >= 100);
}

char *buf_ipv4_raw(char *o, const uint8_t addr[4])
{
	o = put_octet_dot(o, addr[0]);
	o = put_octet_dot(o, addr[1]);
	o = put_octet_dot(o, addr[2]);
	o = put_octet_dot(o, addr[3]);
	return o - 1;
}

void buf_put_ipv4(struct buf *b, const uint8_t addr[4])
{
	if (!buf_reserve(b, BUF_IPV4_ROOM))
		return;
	b->len = (size_t)(buf_ipv4_raw(b->data + b->len, addr) - b->data);
}

char *buf_ipv6_full_raw(char *o, const uint8_t addr[16])
{
	for (int i = 0; i < 16; i += 2, o += 5) {
		memcpy(o, hex_pairs_lower + 2 * (size_t)addr[i], 2);
		memcpy(o + 2, hex_pairs_lower + 2 * (size_t)addr[i + 1], 2);
		o[4] = ':';
	}
	return o - 1;
}

void buf_put_ipv6_full(struct buf *b, const uint8_t addr[16])
{
	if (!buf_reserve(b, 40))
		return;
	b->len = (size_t)(buf_ipv6_full_raw(b->data + b->len, addr) - b->data);
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
