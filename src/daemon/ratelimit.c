/* ratelimit.c - one message per interval, on the monotonic clock. */
#include "ratelimit.h"

#include <stdio.h>
#include <time.h>

int64_t ratelimit_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool ratelimit_allow_at(struct ratelimit *rl, int64_t now_ms)
{
	bool went_back = now_ms < rl->last_ms;
	if (rl->started && !went_back && now_ms - rl->last_ms < rl->interval_ms) {
		rl->suppressed++;
		return false;
	}
	rl->started = true;
	rl->last_ms = now_ms;
	return true;
}

bool ratelimit_allow(struct ratelimit *rl) { return ratelimit_allow_at(rl, ratelimit_now_ms()); }

uint64_t ratelimit_take_suppressed(struct ratelimit *rl)
{
	uint64_t n = rl->suppressed;
	rl->suppressed = 0;
	return n;
}

const char *ratelimit_suppressed_text(struct ratelimit *rl, char *out, size_t len)
{
	uint64_t n = ratelimit_take_suppressed(rl);
	out[0] = '\0';
	if (n)
		snprintf(out, len, " (%llu similar messages suppressed)", (unsigned long long)n);
	return out;
}

void ratelimit_reset(struct ratelimit *rl) { rl->started = false; }

void ratelimit_note(struct ratelimit *rl)
{
	rl->started = true;
	rl->last_ms = ratelimit_now_ms();
}
