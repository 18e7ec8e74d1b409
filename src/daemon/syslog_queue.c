/* syslog_queue.c - the bounded queue of framed syslog messages (pure). */
#include "syslog_queue.h"

#include <stdlib.h>

#include "output.h"
#include "syslog_frame.h"

int syslog_queue_init(struct syslog_queue *q, size_t cap, bool stream, struct output_stats *stats)
{
	*q = (struct syslog_queue){ .cap = cap ? cap : 1, .stream = stream, .stats = stats };
	q->nslots = q->cap + 1;
	q->slot = calloc(q->nslots, sizeof *q->slot);
	return q->slot ? 0 : -1;
}

void syslog_queue_free(struct syslog_queue *q)
{
	for (size_t i = 0; q->slot && i < q->nslots; i++)
		buf_free(&q->slot[i]);
	free(q->slot);
	q->slot = NULL;
}

static struct buf *slot_at(const struct syslog_queue *q, size_t i)
{
	return &q->slot[(q->head + i) % q->nslots];
}

size_t syslog_queue_records(const struct syslog_queue *q) { return q->used - q->report; }

bool syslog_queue_full(const struct syslog_queue *q) { return syslog_queue_records(q) >= q->cap; }

bool syslog_queue_empty(const struct syslog_queue *q) { return q->used == 0; }

static void count_queued(struct syslog_queue *q) { q->stats->queued = syslog_queue_records(q); }

/* Frame msg into b: octet-counted on a stream. False when out of memory. */
static bool frame_into(const struct syslog_queue *q, struct buf *b, const char *msg, size_t len)
{
	buf_reset(b);
	if (q->stream)
		syslog_octet_count(b, msg, len);
	else
		buf_put(b, msg, len);
	if (buf_ok(b))
		return true;
	buf_reset(b);
	return false;
}

void syslog_queue_drop(struct syslog_queue *q)
{
	q->stats->dropped++;
	q->unreported++;
}

bool syslog_queue_push(struct syslog_queue *q, const char *msg, size_t len)
{
	if (syslog_queue_full(q) || !frame_into(q, slot_at(q, q->used), msg, len)) {
		syslog_queue_drop(q);
		return false;
	}
	q->used++;
	count_queued(q);
	return true;
}

bool syslog_queue_report_due(const struct syslog_queue *q)
{
	return q->unreported && !q->report && q->wr_slot == 0 && q->wr_off == 0;
}

bool syslog_queue_put_report(struct syslog_queue *q, const char *msg, size_t len)
{
	size_t front = (q->head + q->nslots - 1) % q->nslots; /* free: records <= cap */
	if (!frame_into(q, &q->slot[front], msg, len))
		return false;
	q->head = front;
	q->used++;
	q->report = true;
	q->report_count = q->unreported;
	q->unreported = 0;
	return true;
}

/* The head slot leaves the queue: a record the peer has (delivered) or
 * one already counted as dropped. */
static void pop(struct syslog_queue *q, bool delivered)
{
	if (q->report) {
		q->report = false;
		q->report_count = 0;
	} else if (delivered) {
		q->stats->written++;
	}
	q->head = (q->head + 1) % q->nslots;
	q->used--;
	q->ack_off = 0;
	if (q->wr_slot > 0)
		q->wr_slot--;
	else
		q->wr_off = 0;
	count_queued(q);
}

bool syslog_queue_has_unsent(const struct syslog_queue *q)
{
	return q->stream ? q->wr_slot < q->used : q->used > 0;
}

bool syslog_queue_in_flight(const struct syslog_queue *q)
{
	return q->stream && (q->wr_slot > 0 || q->wr_off > 0);
}

int syslog_queue_unsent(const struct syslog_queue *q, struct iovec *iov, int max)
{
	if (!q->stream) {
		if (!q->used || max < 1)
			return 0;
		iov[0] = (struct iovec){ slot_at(q, 0)->data, slot_at(q, 0)->len };
		return 1;
	}
	int n = 0;
	for (size_t i = q->wr_slot; i < q->used && n < max; i++) {
		const struct buf *m = slot_at(q, i);
		size_t off = i == q->wr_slot ? q->wr_off : 0;
		iov[n++] = (struct iovec){ m->data + off, m->len - off };
	}
	return n;
}

void syslog_queue_sent(struct syslog_queue *q, size_t n)
{
	if (!n)
		return;
	q->stats->bytes += n;
	if (!q->stream) {
		if (q->used)
			pop(q, true); /* a datagram goes whole or not at all */
		return;
	}
	while (n && q->wr_slot < q->used) {
		size_t left = slot_at(q, q->wr_slot)->len - q->wr_off;
		if (n < left) {
			q->wr_off += n;
			return;
		}
		n -= left;
		q->wr_slot++;
		q->wr_off = 0;
	}
}

void syslog_queue_acked(struct syslog_queue *q, uint64_t total)
{
	if (!q->stream || total <= q->acked)
		return;
	uint64_t delta = total - q->acked;
	q->acked = total;
	while (delta && q->used) {
		/* never past the write cursor: the head slot is written whole
		 * when the cursor is beyond it, else up to wr_off */
		size_t written = q->wr_slot > 0 ? slot_at(q, 0)->len : q->wr_off;
		size_t left = written - q->ack_off;
		if (delta < left || q->wr_slot == 0) {
			q->ack_off += delta < left ? (size_t)delta : left;
			return;
		}
		delta -= left;
		pop(q, true);
	}
}

void syslog_queue_reject(struct syslog_queue *q)
{
	if (!q->used)
		return;
	if (!q->report)
		syslog_queue_drop(q);
	pop(q, false);
}

void syslog_queue_rewind(struct syslog_queue *q)
{
	q->wr_slot = q->wr_off = q->ack_off = 0;
	q->acked = 0;
	if (!q->report)
		return;
	q->unreported += q->report_count; /* told again, with what comes meanwhile */
	q->report = false;
	q->report_count = 0;
	q->head = (q->head + 1) % q->nslots;
	q->used--;
}

size_t syslog_queue_clear(struct syslog_queue *q)
{
	size_t n = syslog_queue_records(q);
	q->stats->dropped += n;
	q->head = q->used = 0;
	q->report = false;
	q->report_count = 0;
	q->wr_slot = q->wr_off = q->ack_off = 0;
	count_queued(q);
	return n;
}
