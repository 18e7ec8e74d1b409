/* test_syslog_backoff.c - reconnect delays: the doubling sequence, its
 * bound, and the restart after a connection succeeded. */
#include <stdbool.h>

#include "check.h"
#include "syslog_backoff.h"

static bool near(double a, double b) { return a - b < 1e-9 && b - a < 1e-9; }

static void test_sequence(void)
{
	struct syslog_backoff b;
	syslog_backoff_init(&b, 0.1, 5.0);
	const double want[] = { 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0 };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		double peek = syslog_backoff_peek(&b);
		double got = syslog_backoff_take(&b);
		CHECK(near(got, want[i]) && near(peek, got),
		      "retry %zu waits %.1f s (got %.3f, peek %.3f)", i + 1, want[i], got, peek);
	}
}

static void test_reset(void)
{
	struct syslog_backoff b;
	syslog_backoff_init(&b, 0.1, 5.0);
	for (int i = 0; i < 4; i++)
		(void)syslog_backoff_take(&b);
	CHECK(near(syslog_backoff_peek(&b), 1.6), "after four retries the next waits 1.6 s");
	syslog_backoff_reset(&b);
	CHECK(near(syslog_backoff_take(&b), 0.1), "after a success: 0.1 s again");
	CHECK(near(syslog_backoff_take(&b), 0.2), "then doubling again");
}

/* peek does not move the sequence: a message may say the delay before
 * the timer is armed with it. */
static void test_peek_is_pure(void)
{
	struct syslog_backoff b;
	syslog_backoff_init(&b, 0.5, 2.0);
	(void)syslog_backoff_peek(&b);
	(void)syslog_backoff_peek(&b);
	CHECK(near(syslog_backoff_take(&b), 0.5), "two peeks, then the first delay");
}

/* A bound below the start is the start: the delay never shrinks. */
static void test_bad_bound(void)
{
	struct syslog_backoff b;
	syslog_backoff_init(&b, 2.0, 1.0);
	CHECK(near(syslog_backoff_take(&b), 2.0) && near(syslog_backoff_take(&b), 2.0),
	      "max below min: min every time");
}

int main(void)
{
	test_sequence();
	test_reset();
	test_peek_is_pure();
	test_bad_bound();
	return check_done();
}
