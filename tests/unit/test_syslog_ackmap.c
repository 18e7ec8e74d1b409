/* test_syslog_ackmap.c - TLS acknowledgements: wire bytes the peer's TCP
 * acknowledged to plaintext bytes the syslog queue may release; credit
 * comes whole writes at a time and never early, also past the bound. */
#include <stdint.h>

#include "check.h"
#include "syslog_ackmap.h"

/* The handshake is on the wire before any plaintext: acknowledging it
 * releases nothing; a write counts once its last wire byte is acked. */
static void test_handshake_and_writes(void)
{
	struct syslog_ackmap m;
	syslog_ackmap_init(&m);
	CHECK(syslog_ackmap_acked(&m, 0) == 0, "nothing written: nothing acked");
	syslog_ackmap_note(&m, 1500, 100); /* handshake 1400 + a record of 100 */
	syslog_ackmap_note(&m, 1700, 270);
	CHECK(syslog_ackmap_acked(&m, 1400) == 0, "the handshake acked: no plaintext yet");
	CHECK(syslog_ackmap_acked(&m, 1499) == 0, "a record short of one byte: not yet");
	CHECK(syslog_ackmap_acked(&m, 1500) == 100, "the first write acked: 100");
	CHECK(syslog_ackmap_acked(&m, 1699) == 100, "the second one partly: still 100");
	CHECK(syslog_ackmap_acked(&m, 9999) == 270, "everything: 270");
	CHECK(syslog_ackmap_acked(&m, 10) == 270, "a smaller count takes nothing back");
	syslog_ackmap_free(&m);
}

static void test_reset(void)
{
	struct syslog_ackmap m;
	syslog_ackmap_init(&m);
	syslog_ackmap_note(&m, 50, 10);
	CHECK(syslog_ackmap_acked(&m, 50) == 10, "first connection: 10 acked");
	syslog_ackmap_note(&m, 90, 20);
	syslog_ackmap_reset(&m);
	CHECK(syslog_ackmap_acked(&m, 1000) == 0, "after a reset, nothing of the old connection");
	syslog_ackmap_note(&m, 70, 5);
	CHECK(syslog_ackmap_acked(&m, 70) == 5, "the new connection counts from 0");
	syslog_ackmap_free(&m);
}

/* Past SYSLOG_ACKMAP_MAX notes the newest one moves forward: every
 * answer is at most the plaintext of the writes whose wire was acked. */
static void test_bound_never_early(void)
{
	struct syslog_ackmap m;
	syslog_ackmap_init(&m);
	const uint64_t n = 3 * SYSLOG_ACKMAP_MAX;
	for (uint64_t i = 1; i <= n; i++)
		syslog_ackmap_note(&m, i * 10, i);
	CHECK(m.used == SYSLOG_ACKMAP_MAX, "the ring stops at %d notes (has %zu)",
	      SYSLOG_ACKMAP_MAX, m.used);
	int early = 0;
	uint64_t last = 0;
	for (uint64_t w = 0; w <= n * 10; w += 7) {
		uint64_t got = syslog_ackmap_acked(&m, w);
		early += got > w / 10 || got < last;
		last = got;
	}
	CHECK(early == 0, "never more than the writes acked, never less than before");
	CHECK(syslog_ackmap_acked(&m, n * 10) == n, "all acked: all %llu bytes",
	      (unsigned long long)n);
	syslog_ackmap_free(&m);
}

int main(void)
{
	test_handshake_and_writes();
	test_reset();
	test_bound_never_early();
	return check_done();
}
