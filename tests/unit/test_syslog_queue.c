/* test_syslog_queue.c - the syslog output's queue and its cursors, with
 * a simulated peer: partial writes, a connection lost at every point of
 * a frame, the resend of what was in flight, overflow counting and the
 * DROPPED report, for streams (TCP) and datagrams (unix, UDP). The
 * "transport" here is a byte array: the queue does no I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output.h"
#include "syslog_queue.h"

#define WIRE_MAX 65536

/* One connection as the peer sees it: the bytes written into it, of
 * which the first `acked` were acknowledged by the peer's TCP. */
struct wire {
	char b[WIRE_MAX];
	size_t len, acked;
};

/* Take up to max bytes of what the queue offers, as a socket would. */
static size_t take(struct syslog_queue *q, struct wire *w, size_t max)
{
	struct iovec iov[64];
	int n = syslog_queue_unsent(q, iov, 64);
	if (!q->stream) { /* all or nothing; the peer's view: one message */
		if (n == 0 || iov[0].iov_len > max)
			return 0;
		w->len += (size_t)sprintf(w->b + w->len, "%zu ", iov[0].iov_len);
		memcpy(w->b + w->len, iov[0].iov_base, iov[0].iov_len);
		w->len += iov[0].iov_len;
		syslog_queue_sent(q, iov[0].iov_len);
		return iov[0].iov_len;
	}
	size_t got = 0;
	for (int i = 0; i < n && got < max; i++) {
		size_t k = iov[i].iov_len < max - got ? iov[i].iov_len : max - got;
		memcpy(w->b + w->len + got, iov[i].iov_base, k);
		got += k;
	}
	w->len += got;
	syslog_queue_sent(q, got);
	return got;
}

/* Take everything, in rounds as a socket with room for `chunk` bytes. */
static void take_all(struct syslog_queue *q, struct wire *w, size_t chunk)
{
	while (syslog_queue_has_unsent(q))
		take(q, w, chunk);
}

static void ack(struct syslog_queue *q, struct wire *w, size_t upto)
{
	w->acked = upto;
	syslog_queue_acked(q, upto);
}

/* The complete octet-counted frames in b[0..len) appended to out (one
 * message per line); a cut frame at the end is what the peer discards
 * at the close. -1 when the bytes are not a frame sequence. */
static int frames(const char *b, size_t len, char *out, size_t outlen)
{
	size_t i = 0;
	int n = 0;
	while (i < len) {
		size_t f = 0, j = i;
		while (j < len && b[j] >= '0' && b[j] <= '9')
			f = f * 10 + (size_t)(b[j++] - '0');
		if (j == len)
			break; /* cut inside the length */
		if (b[j] != ' ' || j == i)
			return -1;
		if (j + 1 + f > len)
			break; /* cut inside the message */
		size_t o = strlen(out);
		if (o + f + 2 > outlen)
			return -1;
		memcpy(out + o, b + j + 1, f);
		out[o + f] = '\n';
		out[o + f + 1] = '\0';
		i = j + 1 + f;
		n++;
	}
	return n;
}

static struct output_stats st;

static void init(struct syslog_queue *q, size_t cap, bool stream)
{
	memset(&st, 0, sizeof st);
	CHECK(syslog_queue_init(q, cap, stream, &st) == 0, "queue of %zu (%s)", cap,
	      stream ? "stream" : "datagrams");
}

/* Messages of different lengths, so frames end at different offsets. */
static const char *msg(int i)
{
	static char m[64];
	snprintf(m, sizeof m, "<13>m%d%.*s", i, i % 4, "xxxx");
	return m;
}

static void push_n(struct syslog_queue *q, int n)
{
	for (int i = 0; i < n; i++)
		syslog_queue_push(q, msg(i), strlen(msg(i)));
}

/* The messages 0..n-1, one per line. */
static const char *want_msgs(int from, int n)
{
	static char w[4096];
	w[0] = '\0';
	for (int i = from; i < n; i++) {
		strcat(w, msg(i));
		strcat(w, "\n");
	}
	return w;
}

/* ---- overflow ---- */

static void test_overflow(void)
{
	struct syslog_queue q;
	init(&q, 3, true);
	int ok = 0;
	for (int i = 0; i < 5; i++)
		ok += syslog_queue_push(&q, msg(i), strlen(msg(i)));
	CHECK(ok == 3, "5 pushed into 3 places: 3 taken");
	CHECK(st.queued == 3 && st.dropped == 2 && q.unreported == 2,
	      "queued 3, dropped 2, 2 to report (got %llu %llu %llu)",
	      (unsigned long long)st.queued, (unsigned long long)st.dropped,
	      (unsigned long long)q.unreported);
	CHECK(syslog_queue_full(&q) && syslog_queue_records(&q) == 3, "full, 3 records");
	syslog_queue_drop(&q);
	CHECK(st.dropped == 3 && q.unreported == 3, "a record lost before the queue: counted too");
	struct wire w = { .len = 0 };
	take_all(&q, &w, 1000);
	ack(&q, &w, w.len);
	CHECK(st.written == 3 && st.queued == 0, "the 3 kept are written");
	char got[4096] = "";
	frames(w.b, w.len, got, sizeof got);
	CHECK_STREQ(got, want_msgs(0, 3), "tail drop: the oldest are kept, in order");
	CHECK(syslog_queue_push(&q, "<13>again", 9), "room again after the acknowledgement");
	syslog_queue_free(&q);
}

/* ---- streams: partial writes and acknowledgements ---- */

/* The queue offers exactly the octet-counted frames, however few bytes
 * the socket takes at a time; a frame leaves only when acknowledged. */
static void test_partial_writes(void)
{
	for (size_t chunk = 1; chunk <= 9; chunk++) {
		struct syslog_queue q;
		init(&q, 8, true);
		push_n(&q, 6);
		struct wire w = { .len = 0 };
		take_all(&q, &w, chunk);
		char got[4096] = "";
		int n = frames(w.b, w.len, got, sizeof got);
		CHECK(n == 6 && strcmp(got, want_msgs(0, 6)) == 0,
		      "%zu bytes per write: the 6 frames whole and in order", chunk);
		CHECK(st.written == 0 && st.queued == 6 && syslog_queue_in_flight(&q),
		      "written but not acknowledged: all 6 still queued");
		CHECK(st.bytes == w.len, "bytes counted as the socket took them");
		/* the peer acknowledges a byte at a time */
		size_t released_ok = 1;
		for (size_t a = 1; a <= w.len; a++) {
			ack(&q, &w, a);
			char part[4096] = "";
			int whole = frames(w.b, a, part, sizeof part);
			released_ok &= st.written == (uint64_t)whole;
		}
		CHECK(released_ok, "%zu: a frame leaves at its last acknowledged byte, not before",
		      chunk);
		CHECK(st.written == 6 && st.queued == 0 && !syslog_queue_in_flight(&q),
		      "all acknowledged: all written");
		syslog_queue_free(&q);
	}
}

/* An acknowledgement count can never release what was not written. */
static void test_ack_never_past_write(void)
{
	struct syslog_queue q;
	init(&q, 4, true);
	push_n(&q, 2);
	struct wire w = { .len = 0 };
	take(&q, &w, 3);
	syslog_queue_acked(&q, 1000);
	CHECK(st.written == 0 && q.ack_off == 3, "acked 1000 of 3 written: 3 bytes acknowledged");
	take_all(&q, &w, 1000);
	syslog_queue_acked(&q, 1000 + w.len);
	CHECK(st.written == 2, "later acknowledgements release the rest");
	syslog_queue_free(&q);
}

/* A stale (smaller) count changes nothing. */
static void test_ack_monotonic(void)
{
	struct syslog_queue q;
	init(&q, 4, true);
	push_n(&q, 2);
	struct wire w = { .len = 0 };
	take_all(&q, &w, 1000);
	ack(&q, &w, w.len - 1);
	syslog_queue_acked(&q, 2);
	CHECK(st.written == 1 && q.ack_off == w.len - 1 - (strlen(msg(0)) + 2),
	      "a smaller count after a larger one is ignored");
	syslog_queue_free(&q);
}

/* ---- a connection lost at every point ---- */

/* k bytes written (in writes of `chunk`), a of them acknowledged, then
 * the connection is lost; the next connection gets the rest. The peer
 * sees exactly the acknowledged bytes of the first connection (a cut
 * frame is discarded at the close) and all of the second: every
 * message arrives exactly once, in order, and the second connection
 * starts at a frame boundary. */
static int lost_at(size_t k, size_t a, size_t chunk, size_t total)
{
	struct syslog_queue q;
	memset(&st, 0, sizeof st);
	if (syslog_queue_init(&q, 8, true, &st) < 0)
		return 0;
	push_n(&q, 5);
	struct wire w1 = { .len = 0 }, w2 = { .len = 0 };
	while (w1.len < k)
		take(&q, &w1, k - w1.len < chunk ? k - w1.len : chunk);
	ack(&q, &w1, a);
	char got[4096] = "";
	int first = frames(w1.b, a, got, sizeof got);
	int ok = first >= 0 && st.written == (uint64_t)first;
	syslog_queue_rewind(&q);
	ok &= !syslog_queue_in_flight(&q) && syslog_queue_records(&q) == (size_t)(5 - first);
	take_all(&q, &w2, chunk);
	ack(&q, &w2, w2.len);
	char rest[4096] = "";
	int second = frames(w2.b, w2.len, rest, sizeof rest);
	ok &= second == 5 - first && strcmp(rest, want_msgs(first, 5)) == 0;
	strcat(got, rest);
	ok &= strcmp(got, want_msgs(0, 5)) == 0;
	ok &= st.written == 5 && st.queued == 0 && st.dropped == 0;
	ok &= w1.len == k && k <= total;
	syslog_queue_free(&q);
	return ok;
}

static void test_lost_everywhere(void)
{
	/* the whole stream of the 5 frames */
	size_t total = 0;
	for (int i = 0; i < 5; i++) {
		size_t l = strlen(msg(i));
		total += l + 2 + (l >= 10);
	}
	for (size_t chunk = 1; chunk <= 7; chunk += 3) {
		size_t cases = 0, good = 0;
		for (size_t k = 0; k <= total; k++)
			for (size_t a = 0; a <= k; a++, cases++)
				good += (size_t)lost_at(k, a, chunk, total);
		CHECK(good == cases,
		      "writes of %zu: lost after each of 0..%zu bytes written, each acknowledged "
		      "part: every message once, in order (%zu of %zu cases)",
		      chunk, total, good, cases);
	}
}

/* The peer may have got more than its TCP acknowledged before the loss:
 * what was in flight is sent again, so nothing is lost (a message may
 * arrive twice, as with any plain TCP sender). */
static void test_resend_in_flight(void)
{
	struct syslog_queue q;
	init(&q, 8, true);
	push_n(&q, 4);
	struct wire w1 = { .len = 0 }, w2 = { .len = 0 };
	take_all(&q, &w1, 1000);
	size_t f0 = strlen(msg(0)) + 2;
	ack(&q, &w1, f0 + 1); /* frame 0 and one byte of frame 1 */
	CHECK(st.written == 1 && syslog_queue_records(&q) == 3,
	      "frame 0 acknowledged, 3 in flight");
	syslog_queue_rewind(&q);
	CHECK(syslog_queue_has_unsent(&q) && !syslog_queue_in_flight(&q),
	      "after the loss: nothing counts as written any more");
	take_all(&q, &w2, 1000);
	CHECK(w2.len == w1.len - f0 && memcmp(w2.b, w1.b + f0, w2.len) == 0,
	      "the next connection gets frames 1..3 again, from the first byte of frame 1");
	ack(&q, &w2, w2.len);
	CHECK(st.written == 4 && st.queued == 0, "then all 4 written, each counted once");
	syslog_queue_free(&q);
}

/* ---- the DROPPED report ---- */

static void test_report_stream(void)
{
	struct syslog_queue q;
	init(&q, 2, true);
	push_n(&q, 3);
	CHECK(q.unreported == 1 && syslog_queue_report_due(&q), "a drop: a report is due");
	CHECK(syslog_queue_put_report(&q, "<12>R1", 6), "report put in front");
	CHECK(q.unreported == 0 && q.report_count == 1 && syslog_queue_records(&q) == 2 &&
		  syslog_queue_full(&q),
	      "the report takes no record's place");
	struct wire w1 = { .len = 0 }, w2 = { .len = 0 };
	take(&q, &w1, 4); /* "6 <1": the report, cut */
	ack(&q, &w1, 4);
	syslog_queue_rewind(&q);
	CHECK(q.unreported == 1 && !q.report && syslog_queue_records(&q) == 2,
	      "connection lost mid-report: its count goes back to the unreported");
	CHECK(!syslog_queue_push(&q, "<13>x", 5) && q.unreported == 2, "another drop meanwhile");
	CHECK(syslog_queue_report_due(&q) && syslog_queue_put_report(&q, "<12>R2", 6),
	      "one new report tells both");
	CHECK(q.report_count == 2, "the new report counts 2");
	take_all(&q, &w2, 5);
	char got[4096] = "";
	frames(w2.b, w2.len, got, sizeof got);
	CHECK_STREQ(got, "<12>R2\n<13>m0\n<13>m1x\n", "the report first, then the records");
	ack(&q, &w2, w2.len);
	CHECK(st.written == 2 && st.dropped == 2 && st.queued == 0 && syslog_queue_empty(&q),
	      "the report is no record: written 2, dropped 2");
	syslog_queue_free(&q);
}

/* A report cannot go in front of bytes already written: it waits until
 * nothing is in flight. */
static void test_report_waits_for_flight(void)
{
	struct syslog_queue q;
	init(&q, 4, true);
	push_n(&q, 2);
	struct wire w = { .len = 0 };
	take(&q, &w, 3);
	syslog_queue_drop(&q);
	CHECK(!syslog_queue_report_due(&q), "bytes in flight: no report yet");
	take_all(&q, &w, 100);
	CHECK(!syslog_queue_report_due(&q), "all written, not acknowledged: no report yet");
	ack(&q, &w, w.len);
	CHECK(syslog_queue_report_due(&q), "all acknowledged: the report is due");
	syslog_queue_free(&q);
}

/* ---- datagrams ---- */

static void test_datagrams(void)
{
	struct syslog_queue q;
	init(&q, 3, false);
	push_n(&q, 4);
	struct iovec iov[4];
	int n = syslog_queue_unsent(&q, iov, 4);
	CHECK(n == 1 && iov[0].iov_len == strlen(msg(0)) &&
		  memcmp(iov[0].iov_base, msg(0), iov[0].iov_len) == 0,
	      "one datagram at a time, not octet-counted");
	CHECK(syslog_queue_report_due(&q) && syslog_queue_put_report(&q, "<12>R", 5),
	      "the overflow is reported first");
	n = syslog_queue_unsent(&q, iov, 4);
	CHECK(n == 1 && iov[0].iov_len == 5, "the report is the next datagram");
	syslog_queue_sent(&q, 5);
	CHECK(st.written == 0 && st.bytes == 5, "a sent report counts bytes, not a record");
	syslog_queue_sent(&q, strlen(msg(0)));
	CHECK(st.written == 1 && st.queued == 2 && !syslog_queue_in_flight(&q),
	      "a sent datagram is written at once");
	syslog_queue_reject(&q);
	CHECK(st.written == 1 && st.dropped == 2 && q.unreported == 1 && st.queued == 1,
	      "a datagram too long for the socket: dropped and to be reported");
	CHECK(syslog_queue_put_report(&q, "<12>R", 5), "report put");
	syslog_queue_rewind(&q);
	CHECK(!q.report && q.unreported == 1 && syslog_queue_records(&q) == 1,
	      "a report not sent before the loss is taken back");
	syslog_queue_free(&q);
}

/* ---- close ---- */

static void test_clear(void)
{
	struct syslog_queue q;
	init(&q, 4, true);
	push_n(&q, 3);
	syslog_queue_drop(&q);
	syslog_queue_put_report(&q, "<12>R", 5);
	struct wire w = { .len = 0 };
	take(&q, &w, 4);
	CHECK(syslog_queue_clear(&q) == 3, "clear gives up the 3 records (not the report)");
	CHECK(st.dropped == 4 && st.queued == 0 && syslog_queue_empty(&q) &&
		  !syslog_queue_has_unsent(&q),
	      "counted as dropped, nothing left");
	syslog_queue_free(&q);
}

/* ---- random operations: the ledger always balances ---- */

static unsigned long rnd_state = 12345;
static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rnd_state >> 33) % n);
}

/* The peer's side: every record once, in order, and the reports add up
 * to the drops. */
struct peer {
	int next_id; /* records arrive in increasing id */
	int dup_or_gap;
	unsigned long long received;
	unsigned long long reported;
};

static void peer_read(struct peer *p, const struct wire *w)
{
	char got[WIRE_MAX * 2] = "";
	frames(w->b, w->acked, got, sizeof got);
	for (char *l = strtok(got, "\n"); l; l = strtok(NULL, "\n")) {
		if (strncmp(l, "R", 1) == 0) {
			p->reported += strtoull(l + 1, NULL, 10);
			continue;
		}
		int id = atoi(l + 1);
		p->received++;
		p->dup_or_gap += id < p->next_id;
		p->next_id = id + 1;
	}
}

static void test_random_ops(bool stream)
{
	struct syslog_queue q;
	init(&q, 16, stream);
	struct wire w = { .len = 0 };
	struct peer p = { 0 };
	int pushed = 0, balance_ok = 1;
	for (int step = 0; step < 20000; step++) {
		unsigned op = rnd(10);
		char m[32];
		if (op < 4) {
			int n = snprintf(m, sizeof m, "i%d%.*s", pushed, (int)rnd(6), "yyyyyy");
			syslog_queue_push(&q, m, (size_t)n);
			pushed++;
		} else if (op < 7) {
			if (w.len > WIRE_MAX - 4096)
				op = 9; /* the wire is full: lose the connection */
			else
				take(&q, &w, rnd(40));
		} else if (op < 9) {
			ack(&q, &w, w.acked + rnd((unsigned)(w.len - w.acked) + 1));
		}
		if (!stream)
			w.acked = w.len; /* a sent datagram is received */
		if (op == 9) {
			peer_read(&p, &w);
			syslog_queue_rewind(&q);
			w.len = w.acked = 0;
		}
		if (syslog_queue_report_due(&q)) {
			int n = snprintf(m, sizeof m, "R%llu", (unsigned long long)q.unreported);
			syslog_queue_put_report(&q, m, (size_t)n);
		}
		balance_ok &= (uint64_t)pushed == st.written + st.dropped + st.queued &&
			      st.queued == syslog_queue_records(&q);
	}
	/* the peer stays: drain */
	take_all(&q, &w, 100);
	ack(&q, &w, w.len);
	if (syslog_queue_report_due(&q)) {
		char m[32];
		int n = snprintf(m, sizeof m, "R%llu", (unsigned long long)q.unreported);
		syslog_queue_put_report(&q, m, (size_t)n);
		take_all(&q, &w, 100);
		ack(&q, &w, w.len);
	}
	if (!stream)
		w.acked = w.len;
	peer_read(&p, &w);
	CHECK(balance_ok,
	      "%s: after every one of 20000 random steps, pushed = written + "
	      "dropped + queued",
	      stream ? "stream" : "datagrams");
	CHECK(st.queued == 0 && syslog_queue_empty(&q), "drained");
	CHECK(st.dropped > 0 && st.written > 0, "the steps both dropped and delivered (%llu, %llu)",
	      (unsigned long long)st.dropped, (unsigned long long)st.written);
	CHECK(p.dup_or_gap == 0 && p.received == st.written,
	      "the peer got every written record once, in order (%llu, %llu)", p.received,
	      (unsigned long long)st.written);
	CHECK(p.reported == st.dropped, "the reports the peer got add up to the drops (%llu, %llu)",
	      p.reported, (unsigned long long)st.dropped);
	syslog_queue_free(&q);
}

int main(void)
{
	test_overflow();
	test_partial_writes();
	test_ack_never_past_write();
	test_ack_monotonic();
	test_lost_everywhere();
	test_resend_in_flight();
	test_report_stream();
	test_report_waits_for_flight();
	test_datagrams();
	test_clear();
	test_random_ops(true);
	test_random_ops(false);
	return check_done();
}
