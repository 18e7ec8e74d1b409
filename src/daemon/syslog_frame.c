/* syslog_frame.c - syslog messages as bytes (pure, no I/O). */
#include "syslog_frame.h"

#include <string.h>
#include <time.h>

#include "format.h"

static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static void put_pri(struct buf *b, unsigned pri)
{
	buf_putc(b, '<');
	buf_put_u32(b, pri);
	buf_putc(b, '>');
}

/* Header fields must be PRINTUSASCII; anything else (never in our own
 * values, but say an odd hostname) becomes '_' so the header keeps its
 * shape. NULL or "" is the NILVALUE. */
static void put_token(struct buf *b, const char *s, size_t max)
{
	if (!s || !*s) {
		buf_putc(b, '-');
		return;
	}
	for (size_t i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		buf_putc(b, c > 32 && c < 127 ? (char)c : '_');
	}
}

/* syslog(3): "Mmm dd hh:mm:ss" in local time, the day padded with a space. */
static void put_3164_time(struct buf *b, const struct timeval *tv)
{
	struct tm tm;
	time_t t = tv->tv_sec;
	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof tm);
	buf_put(b, months[tm.tm_mon % 12], 3);
	buf_putc(b, ' ');
	if (tm.tm_mday < 10)
		buf_putc(b, ' ');
	buf_put_u32(b, (uint32_t)tm.tm_mday);
	buf_putc(b, ' ');
	buf_put_u_padded(b, (uint32_t)tm.tm_hour, 2);
	buf_putc(b, ':');
	buf_put_u_padded(b, (uint32_t)tm.tm_min, 2);
	buf_putc(b, ':');
	buf_put_u_padded(b, (uint32_t)tm.tm_sec, 2);
}

/* "<PRI>Mmm dd hh:mm:ss [HOST ]": RFC 3164 up to the tag. */
static void put_3164_head(struct buf *b, const struct syslog_frame_hdr *h)
{
	put_pri(b, h->pri);
	put_3164_time(b, &h->ts);
	buf_putc(b, ' ');
	if (h->hostname && *h->hostname) {
		put_token(b, h->hostname, SYSLOG_HOSTNAME_MAX);
		buf_putc(b, ' ');
	}
}

static void begin_3164(struct buf *b, const struct syslog_frame_hdr *h)
{
	put_3164_head(b, h);
	put_token(b, h->app_name, SYSLOG_APP_NAME_MAX);
	buf_putc(b, '[');
	buf_put_u64(b, h->procid);
	buf_putlit(b, "]:");
}

static void begin_5424(struct buf *b, const struct syslog_frame_hdr *h)
{
	put_pri(b, h->pri);
	buf_putlit(b, "1 ");
	format_rfc3339(b, &h->ts);
	buf_putc(b, ' ');
	put_token(b, h->hostname, SYSLOG_HOSTNAME_MAX);
	buf_putc(b, ' ');
	put_token(b, h->app_name, SYSLOG_APP_NAME_MAX);
	buf_putc(b, ' ');
	buf_put_u64(b, h->procid);
	buf_putc(b, ' ');
	put_token(b, h->msgid, SYSLOG_MSGID_MAX);
}

/* A record as the kernel's LOG target's line reaches the system logger
 * (printk via the kernel log): the tag "kernel:", no PID, so that tools
 * that read kernel lines read it. Only records: a message of nflogd's
 * own is never dressed up as one of the kernel's. */
static void begin_kernel(struct buf *b, const struct syslog_frame_hdr *h)
{
	if (!h->msgid || strcmp(h->msgid, "NFLOG") != 0) {
		begin_3164(b, h);
		return;
	}
	put_3164_head(b, h);
	buf_putlit(b, "kernel:");
}

void syslog_frame_begin(struct buf *b, const struct syslog_frame_hdr *h)
{
	if (h->format == SYSLOG_FRAME_RFC3164)
		begin_3164(b, h);
	else if (h->format == SYSLOG_FRAME_KERNEL)
		begin_kernel(b, h);
	else
		begin_5424(b, h);
}

void syslog_sd_nil(struct buf *b) { buf_putlit(b, " -"); }

void syslog_sd_open(struct buf *b, const char *sd_id)
{
	buf_putlit(b, " [");
	put_token(b, sd_id, SYSLOG_SD_NAME_MAX);
}

void syslog_sd_param(struct buf *b, const char *name, const char *value, size_t len)
{
	buf_putc(b, ' ');
	put_token(b, name, SYSLOG_SD_NAME_MAX);
	buf_putlit(b, "=\"");
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];
		bool quote = c == '"' || c == ']';
		bool hex = c < 0x20 || c >= 0x7f || c == '\\';
		if (!quote && !hex)
			continue;
		buf_put(b, value + run, i - run);
		if (quote) {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else {
			buf_putlit(b, "\\\\x");
			buf_put_hex_byte(b, c, false);
		}
		run = i + 1;
	}
	buf_put(b, value + run, len - run);
	buf_putc(b, '"');
}

void syslog_sd_close(struct buf *b) { buf_putc(b, ']'); }

void syslog_frame_msg(struct buf *b, const char *msg, size_t len)
{
	buf_putc(b, ' ');
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)msg[i];
		if (c >= 0x20 && c != 0x7f)
			continue;
		buf_put(b, msg + run, i - run);
		buf_putlit(b, "\\x");
		buf_put_hex_byte(b, c, false);
		run = i + 1;
	}
	buf_put(b, msg + run, len - run);
}

void syslog_octet_count(struct buf *b, const char *frame, size_t len)
{
	buf_put_u64(b, len);
	buf_putc(b, ' ');
	buf_put(b, frame, len);
}

bool syslog_printusascii(const char *s, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++)
		if ((unsigned char)s[n] <= 32 || (unsigned char)s[n] >= 127)
			return false;
	return n >= 1 && n <= max;
}

static bool is_sd_name_char(char c)
{
	return c > 32 && c < 127 && c != '=' && c != ']' && c != '"' && c != '@';
}

/* digits, optionally followed by .digits groups: "32473", "32473.1.2" */
static bool is_enterprise_number(const char *s)
{
	bool digit = false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digit = true;
		else if (*s == '.' && digit)
			digit = false;
		else
			return false;
	}
	return digit;
}

bool syslog_sd_id_valid(const char *s)
{
	size_t n = strlen(s), name = 0;
	if (n > SYSLOG_SD_NAME_MAX)
		return false;
	while (is_sd_name_char(s[name]))
		name++;
	return name > 0 && s[name] == '@' && is_enterprise_number(s + name + 1);
}
