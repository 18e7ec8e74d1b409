/* test_ratelimit.c - one message per interval, whatever the clock does. */
#include "check.h"
#include "ratelimit.h"

/* The first message goes out, the next ones within the interval are
 * counted, the first one after it goes out again. */
static void test_interval(void)
{
	struct ratelimit rl = RATELIMIT_INIT(10);
	CHECK(ratelimit_allow_at(&rl, 5000), "first message let through");
	CHECK(!ratelimit_allow_at(&rl, 5001), "1 ms later: held back");
	CHECK(!ratelimit_allow_at(&rl, 14999), "9.999 s later: held back");
	CHECK(ratelimit_take_suppressed(&rl) == 2, "two held back");
	CHECK(ratelimit_take_suppressed(&rl) == 0, "count restarts at 0");
	CHECK(ratelimit_allow_at(&rl, 15000), "10 s later: let through");
	CHECK(!ratelimit_allow_at(&rl, 15000), "same instant again: held back");
}

/* A time of 0 is a time like any other: the first message always goes. */
static void test_first_at_zero(void)
{
	struct ratelimit rl = RATELIMIT_INIT(5);
	CHECK(ratelimit_allow_at(&rl, 0), "first message at t=0 let through");
	CHECK(!ratelimit_allow_at(&rl, 100), "then held back");
}

/* The clock steps back (what time(NULL) does when the wall clock is
 * corrected): the limiter must not stay silent until it catches up. */
static void test_clock_steps_back(void)
{
	struct ratelimit rl = RATELIMIT_INIT(10);
	CHECK(ratelimit_allow_at(&rl, 3600 * 1000), "message at t=1 h");
	CHECK(ratelimit_allow_at(&rl, 60 * 1000), "clock back to 1 min: let through");
	CHECK(!ratelimit_allow_at(&rl, 61 * 1000), "then limited from the new time");
	CHECK(ratelimit_allow_at(&rl, 70 * 1000), "and 10 s after it let through");
}

/* reset lets the next one through; note starts an interval. */
static void test_reset_and_note(void)
{
	struct ratelimit rl = RATELIMIT_INIT(10);
	CHECK(ratelimit_allow_at(&rl, 1000), "first");
	ratelimit_reset(&rl);
	CHECK(ratelimit_allow_at(&rl, 1001), "after reset: let through at once");
	struct ratelimit other = RATELIMIT_INIT(60);
	ratelimit_note(&other);
	CHECK(!ratelimit_allow(&other), "after note: held back for the interval");
}

/* The real clock is monotonic and moves forward. */
static void test_real_clock(void)
{
	int64_t a = ratelimit_now_ms(), b = ratelimit_now_ms();
	CHECK(a > 0 && b >= a, "CLOCK_MONOTONIC in ms: %lld then %lld", (long long)a, (long long)b);
	struct ratelimit rl = RATELIMIT_INIT(60);
	CHECK(ratelimit_allow(&rl) && !ratelimit_allow(&rl), "real clock: one of two let through");
}

/* The count of held back messages as text for the next message. */
static void test_suppressed_text(void)
{
	struct ratelimit rl = RATELIMIT_INIT(10);
	char out[64];
	CHECK(ratelimit_allow_at(&rl, 0), "first let through");
	CHECK_STREQ(ratelimit_suppressed_text(&rl, out, sizeof out), "", "none held back: empty");
	CHECK(!ratelimit_allow_at(&rl, 1) && !ratelimit_allow_at(&rl, 2), "two held back");
	CHECK_STREQ(ratelimit_suppressed_text(&rl, out, sizeof out),
		    " (2 similar messages suppressed)", "two held back");
	CHECK_STREQ(ratelimit_suppressed_text(&rl, out, sizeof out), "", "the count was taken");
}

int main(void)
{
	test_interval();
	test_first_at_zero();
	test_clock_steps_back();
	test_reset_and_note();
	test_real_clock();
	test_suppressed_text();
	return check_done();
}
