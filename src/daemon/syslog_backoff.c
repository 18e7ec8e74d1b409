/* syslog_backoff.c - reconnect delays that double up to a bound. */
#include "syslog_backoff.h"

void syslog_backoff_init(struct syslog_backoff *b, double min_s, double max_s)
{
	b->min_s = min_s;
	b->max_s = max_s < min_s ? min_s : max_s;
	b->next_s = min_s;
}

double syslog_backoff_peek(const struct syslog_backoff *b) { return b->next_s; }

double syslog_backoff_take(struct syslog_backoff *b)
{
	double d = b->next_s;
	b->next_s = d * 2 > b->max_s ? b->max_s : d * 2;
	return d;
}

void syslog_backoff_reset(struct syslog_backoff *b) { b->next_s = b->min_s; }
