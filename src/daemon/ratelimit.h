/* ratelimit.h - at most one message per interval, on the monotonic clock.
 *
 * Repeated warnings (a dead peer, a full disk, a flooded group) are
 * printed once per interval; the ones held back are counted so that the
 * next message can say how many. The clock is CLOCK_MONOTONIC: a step of
 * the wall clock neither silences nor floods the log.
 */
#ifndef NFLOGD_RATELIMIT_H
#define NFLOGD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
struct ratelimit {
	int64_t interval_ms; /* at most one message per this many ms */
	int64_t last_ms;     /* monotonic time of the last message let through */
	bool started;	     /* a message was let through already */
	uint64_t suppressed; /* held back since the last one let through */
};

/* A limiter letting one message through every `seconds`. */
#define RATELIMIT_INIT(seconds)                                                                    \
	{                                                                                          \
		.interval_ms = (int64_t)(seconds)*1000                                             \
	}

/* True when a message may be printed now (and the interval restarts);
 * false when it is held back, which is counted. */
bool ratelimit_allow(struct ratelimit *rl) MUST_CHECK;
/* The same at a given monotonic time in ms (unit tests step it). A time
 * before the last message (a clock that went back) lets the message
 * through and restarts the interval: a limiter never stays silent. */
bool ratelimit_allow_at(struct ratelimit *rl, int64_t now_ms) MUST_CHECK;
/* How many messages were held back since the last one let through; the
 * count restarts at 0. */
uint64_t ratelimit_take_suppressed(struct ratelimit *rl);
/* " (N similar messages suppressed)" into out (len bytes), or "" when
 * none were; takes the count like ratelimit_take_suppressed(). Returns out. */
const char *ratelimit_suppressed_text(struct ratelimit *rl, char *out, size_t len);
/* The next message goes out at once (the condition it reports ended). */
void ratelimit_reset(struct ratelimit *rl);
/* A message was printed elsewhere just now (e.g. by the caller's caller):
 * hold back this limiter's next one for an interval. */
void ratelimit_note(struct ratelimit *rl);
/* CLOCK_MONOTONIC in ms. */
int64_t ratelimit_now_ms(void);

#endif
