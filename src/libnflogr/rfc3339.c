/* rfc3339.c - RFC 3339 timestamps: localtime_r once a second, the
 * microseconds patched in for every record.
 *
 * The JSON field "timestamp", the text file's line and the syslog frames
 * all use it. It sits below the field table and the formatters (it needs
 * nothing but buf), so none of them depends on another for the time.
 */
#include "rfc3339.h"

#include <time.h>

/* The text of one second, kept because localtime_r costs far more than
 * the rest of a record. Thread-local, so concurrent formatters stay pure
 * toward each other; it is only a cache of what localtime_r would say. */
struct rfc3339_cache {
	bool valid;
	time_t sec;
	/* "2026-11-27T11:43:52.000000+00:00": the whole timestamp, copied
	 * at once; only the microseconds (RFC3339_USEC) change within it */
	char text[RFC3339_LEN];
};

#define RFC3339_USEC 20 /* where the six digits of microseconds start */

static _Thread_local struct rfc3339_cache rfc3339_cache;

/* v in exactly width decimal digits (v is below 10^width). */
static char *put_digits(char *o, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return o + width;
}

static void rfc3339_fill(struct rfc3339_cache *c, time_t sec)
{
	struct tm tm;
	long off = 0;

	if (localtime_r(&sec, &tm))
		off = tm.tm_gmtoff;
	else if (!gmtime_r(&sec, &tm))
		memset(&tm, 0, sizeof tm);
	long year = tm.tm_year + 1900L;
	if (year < 0 || year > 9999) /* RFC 3339 has four digits */
		year = year < 0 ? 0 : 9999;

	char *o = c->text;
	o = put_digits(o, (unsigned)year, 4);
	*o++ = '-';
	o = put_digits(o, (unsigned)tm.tm_mon + 1, 2);
	*o++ = '-';
	o = put_digits(o, (unsigned)tm.tm_mday, 2);
	*o++ = 'T';
	o = put_digits(o, (unsigned)tm.tm_hour, 2);
	*o++ = ':';
	o = put_digits(o, (unsigned)tm.tm_min, 2);
	*o++ = ':';
	o = put_digits(o, (unsigned)tm.tm_sec, 2); /* 60 for a leap second */
	*o++ = '.';
	o = put_digits(o, 0, 6);

	/* Minutes only: RFC 3339 cannot say the seconds of old LMT offsets. */
	*o++ = off < 0 ? '-' : '+';
	unsigned long mins = (unsigned long)(off < 0 ? -off : off) / 60 % (100 * 60);
	o = put_digits(o, (unsigned)(mins / 60), 2);
	*o++ = ':';
	put_digits(o, (unsigned)(mins % 60), 2);

	c->sec = sec;
	c->valid = true;
}

void format_rfc3339(struct buf *b, const struct timeval *tv)
{
	time_t sec = tv->tv_sec;
	long usec = (long)tv->tv_usec;
	if (usec < 0 || usec >= 1000000) { /* not normalized: carry into seconds */
		sec += usec / 1000000;
		usec %= 1000000;
		if (usec < 0) {
			usec += 1000000;
			sec--;
		}
	}

	struct rfc3339_cache *c = &rfc3339_cache;
	if (!c->valid || c->sec != sec)
		rfc3339_fill(c, sec);

	if (!buf_reserve(b, RFC3339_LEN))
		return;
	char *o = b->data + b->len;
	memcpy(o, c->text, RFC3339_LEN);
	unsigned us = (unsigned)usec;
	memcpy(o + RFC3339_USEC, buf_digit_pairs + 2 * (us / 10000), 2);
	memcpy(o + RFC3339_USEC + 2, buf_digit_pairs + 2 * (us / 100 % 100), 2);
	memcpy(o + RFC3339_USEC + 4, buf_digit_pairs + 2 * (us % 100), 2);
	b->len += RFC3339_LEN;
}
