/* test_syslog_frame.c - RFC 3164 / RFC 5424 / kernel messages, structured data
 * escaping, RFC 6587 octet counting, and hostile prefixes that must not
 * break a frame. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "syslog_frame.h"

static char out[8192];

/* The buffer as a C string (frames under test hold no NUL). */
static const char *str(struct buf *b)
{
	size_t n = b->len < sizeof out - 1 ? b->len : sizeof out - 1;
	memcpy(out, b->data, n);
	out[n] = '\0';
	return out;
}

static struct syslog_frame_hdr hdr(enum syslog_frame_format f)
{
	struct syslog_frame_hdr h = {
		.format = f,
		.pri = 3 * 8 + 5, /* daemon.notice */
		.hostname = "gw1",
		.app_name = "nflogd",
		.procid = 4242,
		.msgid = "NFLOG",
		/* 2026-01-02 03:04:05.000123 UTC */
		.ts = { .tv_sec = 1767323045, .tv_usec = 123 },
	};
	return h;
}

static void test_rfc3164(void)
{
	struct buf b;
	buf_init(&b);
	struct syslog_frame_hdr h = hdr(SYSLOG_FRAME_RFC3164);
	h.hostname = NULL; /* as syslog(3) writes to /dev/log */
	syslog_frame_begin(&b, &h);
	syslog_frame_msg(&b, "ssh IN=lo ", 10);
	CHECK_STREQ(str(&b), "<29>Jan  2 03:04:05 nflogd[4242]: ssh IN=lo ",
		    "RFC 3164 as syslog(3): day padded with a space, no host, trailing space kept");
	buf_reset(&b);
	h.hostname = "gw1";
	h.ts.tv_sec += 10 * 86400;
	syslog_frame_begin(&b, &h);
	syslog_frame_msg(&b, "x", 1);
	CHECK_STREQ(str(&b), "<29>Jan 12 03:04:05 gw1 nflogd[4242]: x",
		    "RFC 3164 with a host name");
	buf_free(&b);
}

/* format = "kernel": a record as the kernel's LOG line reaches syslog;
 * nflogd's own messages keep their tag (never a fake kernel line). */
static void test_kernel(void)
{
	struct buf b;
	buf_init(&b);
	struct syslog_frame_hdr h = hdr(SYSLOG_FRAME_KERNEL);
	h.pri = 0 * 8 + 4; /* kern.warning */
	h.hostname = NULL;
	syslog_frame_begin(&b, &h);
	syslog_frame_msg(&b, "ssh: IN=lo OUT= ", 16);
	CHECK_STREQ(str(&b), "<4>Jan  2 03:04:05 kernel: ssh: IN=lo OUT= ",
		    "a record: tag kernel: without a PID, no host on the local socket");
	buf_reset(&b);
	h.hostname = "gw1";
	syslog_frame_begin(&b, &h);
	syslog_frame_msg(&b, "x", 1);
	CHECK_STREQ(str(&b), "<4>Jan  2 03:04:05 gw1 kernel: x", "a record to a target: with host");
	static const char *const own[] = { "START", "RELOAD", "STOP", "LOSS", "DROPPED" };
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
		buf_reset(&b);
		h.msgid = own[i];
		h.hostname = NULL;
		syslog_frame_begin(&b, &h);
		CHECK_STREQ(str(&b), "<4>Jan  2 03:04:05 nflogd[4242]:",
			    "nflogd's own %s message keeps its ident and PID", own[i]);
	}
	buf_free(&b);
}

static void test_rfc5424(void)
{
	struct buf b;
	buf_init(&b);
	struct syslog_frame_hdr h = hdr(SYSLOG_FRAME_RFC5424);
	syslog_frame_begin(&b, &h);
	syslog_sd_nil(&b);
	syslog_frame_msg(&b, "hello", 5);
	CHECK_STREQ(str(&b), "<29>1 2026-01-02T03:04:05.000123+00:00 gw1 nflogd 4242 NFLOG - hello",
		    "RFC 5424 header, NILVALUE SD");
	buf_reset(&b);
	h.hostname = NULL;
	h.msgid = NULL;
	h.app_name = "bad ident";
	syslog_frame_begin(&b, &h);
	syslog_sd_nil(&b);
	CHECK_STREQ(str(&b), "<29>1 2026-01-02T03:04:05.000123+00:00 - bad_ident 4242 - -",
		    "missing fields are '-', a space in a header field cannot split it");
	buf_free(&b);
}

static void test_sd(void)
{
	struct buf b;
	buf_init(&b);
	syslog_sd_open(&b, "nflog@32473");
	syslog_sd_param(&b, "group", "5", 1);
	syslog_sd_param(&b, "prefix", "a\"b\\c]d ", 8);
	syslog_sd_close(&b);
	CHECK_STREQ(str(&b), " [nflog@32473 group=\"5\" prefix=\"a\\\"b\\\\x5cc\\]d \"]",
		    "SD: '\"' and ']' escaped, '\\' as \\x5c escaped once more, space kept");
	buf_reset(&b);
	syslog_sd_open(&b, "nflog@32473");
	syslog_sd_param(&b, "prefix", "x\ny\r\x01\x7f\xff", 7);
	syslog_sd_close(&b);
	CHECK_STREQ(str(&b), " [nflog@32473 prefix=\"x\\\\x0ay\\\\x0d\\\\x01\\\\x7f\\\\xff\"]",
		    "SD: control and non-ASCII bytes as \\xHH, so the value is one ASCII line");
	buf_reset(&b);
	syslog_sd_param(&b, "empty", "", 0);
	CHECK_STREQ(str(&b), " empty=\"\"", "empty value");
	buf_free(&b);
}

static void test_msg(void)
{
	struct buf b;
	buf_init(&b);
	syslog_frame_msg(&b,
			 "a\nb\rc\x00"
			 "d\x7f"
			 "e\\x0a \xc3\xa9",
			 16);
	CHECK(memchr(b.data, '\n', b.len) == NULL, "no newline in a message");
	CHECK_STREQ(str(&b), " a\\x0ab\\x0dc\\x00d\\x7fe\\x0a \xc3\xa9",
		    "MSG: control bytes as \\xHH, an already escaped line and UTF-8 untouched");
	buf_free(&b);
}

static void test_octet_count(void)
{
	struct buf b;
	buf_init(&b);
	syslog_octet_count(&b, "<29>1 - - - - - hi", 18);
	CHECK_STREQ(str(&b), "18 <29>1 - - - - - hi", "RFC 6587 octet counting");
	buf_reset(&b);
	char big[3000];
	memset(big, 'x', sizeof big);
	syslog_octet_count(&b, big, sizeof big);
	CHECK(b.len == sizeof big + 5 && memcmp(b.data, "3000 x", 6) == 0, "a 3000-byte frame");
	buf_free(&b);
}

/* A receiver's view of TCP: read "LEN SP" then LEN bytes, repeatedly. */
static int count_frames(const char *p, size_t n, size_t *bad)
{
	int frames = 0;
	size_t i = 0;
	*bad = 0;
	while (i < n) {
		size_t len = 0;
		if (p[i] < '1' || p[i] > '9') {
			(*bad)++;
			return frames;
		}
		while (i < n && p[i] >= '0' && p[i] <= '9')
			len = len * 10 + (size_t)(p[i++] - '0');
		if (i >= n || p[i++] != ' ' || i + len > n) {
			(*bad)++;
			return frames;
		}
		if (memcmp(p + i, "<", 1) != 0)
			(*bad)++;
		i += len;
		frames++;
	}
	return frames;
}

/* Hostile prefixes: random bytes in the SD value and the message. Each
 * frame stays one line, the SD element stays well-formed, and a stream
 * of octet-counted frames splits back into exactly as many frames. */
static void test_hostile(void)
{
	struct buf frame, stream;
	buf_init(&frame);
	buf_init(&stream);
	srand(1);
	int lines_ok = 1, sd_ok = 1;
	for (int n = 0; n < 500; n++) {
		char prefix[128];
		size_t len = (size_t)(rand() % 128);
		for (size_t i = 0; i < len; i++)
			prefix[i] = (char)(rand() % 256);
		struct syslog_frame_hdr h = hdr(SYSLOG_FRAME_RFC5424);
		buf_reset(&frame);
		syslog_frame_begin(&frame, &h);
		syslog_sd_open(&frame, "nflog@32473");
		syslog_sd_param(&frame, "prefix", prefix, len);
		syslog_sd_close(&frame);
		size_t sd_end = frame.len;
		syslog_frame_msg(&frame, prefix, len);
		for (size_t i = 0; i < frame.len; i++) {
			unsigned char c = (unsigned char)frame.data[i];
			if (c < 0x20 || c == 0x7f)
				lines_ok = 0;
		}
		/* the SD value: no unescaped '"' or ']' before its end */
		const char *v = memchr(frame.data, '"', frame.len);
		size_t i = v ? (size_t)(v - frame.data) + 1 : frame.len;
		for (; i < sd_end; i++) {
			if (frame.data[i] == '\\') {
				i++;
				continue;
			}
			if (frame.data[i] == '"' || frame.data[i] == ']')
				break;
		}
		if (i + 2 != sd_end || frame.data[i] != '"' || frame.data[i + 1] != ']')
			sd_ok = 0;
		syslog_octet_count(&stream, frame.data, frame.len);
	}
	CHECK(lines_ok, "500 random prefixes: no control byte in any frame");
	CHECK(sd_ok, "500 random prefixes: the SD value ends exactly at its closing quote");
	size_t bad;
	int frames = count_frames(stream.data, stream.len, &bad);
	CHECK(frames == 500 && bad == 0,
	      "octet-counted stream splits into 500 frames (got %d, %zu bad)", frames, bad);
	buf_free(&frame);
	buf_free(&stream);
}

static void test_printusascii(void)
{
	CHECK(syslog_printusascii("nflogd", 48), "ident ok");
	CHECK(!syslog_printusascii("", 48), "empty refused");
	CHECK(!syslog_printusascii("a b", 48), "space refused");
	CHECK(!syslog_printusascii("\xc3\xa9", 48), "non-ASCII refused");
	CHECK(!syslog_printusascii("0123456789", 9), "too long refused");
}

/* RFC 5424 6.3.2 / 7.2.2: a private SD-ID is NAME@NUMBER. */
static void test_sd_id(void)
{
	const char *good[] = {
		"nflog@32473",
		"fw@1.3",
		"a@1",
		"x-y_z.w@99999",
		"nflogdnflogdnflogdnflogdnf@12345", /* 32 */
	};
	const char *bad[] = {
		"",
		"nflog",			     /* no '@': IANA's names only */
		"timeQuality",			     /* an IANA one: not for our fields */
		"@32473",			     /* no name */
		"nflog@",			     /* no number */
		"nflog@abc",			     /* not a number */
		"nflog@32473.",			     /* a dot without a sub-identifier */
		"nflog@.1",			     /* a dot first */
		"nf@log@32473",			     /* two '@' */
		"nf log@32473",			     /* space */
		"nf=log@32473",			     /* '=' */
		"nf]log@32473",			     /* ']' */
		"nf\"log@32473",		     /* '"' */
		"nf\x01log@32473",		     /* control byte */
		"nf\xc3\xa9@32473",		     /* non-ASCII */
		"nflogdnflogdnflogdnflogdnfl@12345", /* 33 */
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		CHECK(syslog_sd_id_valid(good[i]), "SD-ID \"%s\" accepted", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!syslog_sd_id_valid(bad[i]), "SD-ID #%zu refused", i);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_rfc3164();
	test_kernel();
	test_rfc5424();
	test_sd();
	test_msg();
	test_octet_count();
	test_hostile();
	test_printusascii();
	test_sd_id();
	return check_done();
}
