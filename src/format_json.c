/* format_json.c - STUB: being written (JSON helper) */
#include "format.h"
#include <time.h>
void format_json(struct buf *b, const struct nflogd_record *rec,
		 const struct nflogd_decoded *dec)
{
	(void)rec; (void)dec;
	buf_putlit(b, "{}");
}
void format_rfc3339(struct buf *b, const struct timeval *tv)
{
	struct tm tm;
	time_t t = tv->tv_sec;
	localtime_r(&t, &tm);
	char tmp[64];
	strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_puts(b, tmp);
	buf_printf(b, ".%06ld+00:00", (long)tv->tv_usec);
}
