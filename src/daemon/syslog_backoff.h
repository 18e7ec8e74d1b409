/* syslog_backoff.h - how long a syslog output waits before it tries to
 * connect again (pure: the caller arms the timer).
 *
 * Exponential: the first retry after min_s, each following one twice as
 * long, up to max_s; a connection that succeeds starts the sequence over.
 */
#ifndef NFLOGD_SYSLOG_BACKOFF_H
#define NFLOGD_SYSLOG_BACKOFF_H

struct syslog_backoff {
	double min_s, max_s; /* the first delay and the largest */
	double next_s;	     /* the delay the next retry waits */
};

/* A sequence min_s, 2 min_s, 4 min_s, ... max_s, max_s, ... */
void syslog_backoff_init(struct syslog_backoff *b, double min_s, double max_s);
/* The delay the next retry will wait, for messages ("retrying in 0.4 s"). */
double syslog_backoff_peek(const struct syslog_backoff *b);
/* The delay for the retry being scheduled now; the next one doubles. */
double syslog_backoff_take(struct syslog_backoff *b);
/* A connection succeeded: the next failure retries after min_s again. */
void syslog_backoff_reset(struct syslog_backoff *b);

#endif
