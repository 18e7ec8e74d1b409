/* syslog_queue.h - the syslog output's bounded queue of framed messages
 * and its cursors (pure: no I/O, no clock).
 *
 * Every record handed to the queue ends in exactly one of the output's
 * counters: written (the peer has it), dropped (given up, and told to the
 * peer by a DROPPED report) or still queued. The slots, from the oldest:
 *
 *   head                 write cursor                    head + used
 *    |  acked | written,   |  not written yet              |
 *    |  bytes | not acked  |                               |
 *    [report?][ frame    ][ frame ][ frame ] ... [ frame ]
 *
 * - queued: the slots in use; at most `cap` records, plus one slot in
 *   front of them for the DROPPED report (it never takes a record's room).
 * - written: a stream (TCP, TLS) writes bytes; the write cursor is a slot
 *   and a byte offset into it, so a partial write resumes mid-frame.
 *   Datagrams (unix, UDP) are sent whole and leave the queue at once.
 * - acknowledged: a stream frame leaves the queue only when the peer has
 *   acknowledged every byte of it (the transport counts those bytes since
 *   the connection was made; ack_off holds the head frame's share).
 * - resent: when the connection is lost, the write cursor goes back to
 *   the head: what was written but not acknowledged is sent again on the
 *   next connection, whole frames only (the peer discards a frame cut by
 *   the close). The report goes back into the count it told, to be told
 *   again together with what is dropped meanwhile.
 *
 * Stream frames are octet-counted here (RFC 6587 3.4.1, RFC 5425), so a
 * transport only moves bytes.
 */
#ifndef NFLOGD_SYSLOG_QUEUE_H
#define NFLOGD_SYSLOG_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "buf.h"

struct output_stats;

struct syslog_queue {
	struct buf *slot;      /* nslots reusable buffers, a ring */
	size_t nslots;	       /* cap + 1: the records and the report */
	size_t cap;	       /* records */
	size_t head;	       /* the oldest slot in use */
	size_t used;	       /* slots in use, the report included */
	bool stream;	       /* octet-counted bytes with acks; else datagrams */
	bool report;	       /* the head slot is the DROPPED report */
	uint64_t report_count; /* the drops the report in the queue tells of */
	uint64_t unreported;   /* drops no report has covered yet */
	/* stream cursors, counted from the head */
	size_t wr_slot;		    /* slots written whole */
	size_t wr_off;		    /* bytes written of the slot after them */
	size_t ack_off;		    /* bytes of the head slot the peer acknowledged */
	uint64_t acked;		    /* bytes acknowledged on this connection, consumed */
	struct output_stats *stats; /* the output's: written, dropped, queued, bytes */
};

/* An empty queue of cap (>= 1) records; stream: octet-counted frames
 * released on acknowledgement, else one datagram per message. stats is
 * the caller's and must outlive the queue. 0, or -1 when out of memory. */
int syslog_queue_init(struct syslog_queue *q, size_t cap, bool stream, struct output_stats *stats);
/* Free the buffers (what is still queued is not counted: see _clear). */
void syslog_queue_free(struct syslog_queue *q);

/* Append a record (msg is copied, framed for a stream). False when it is
 * dropped instead, queue full or out of memory: counted as by _drop. */
bool syslog_queue_push(struct syslog_queue *q, const char *msg, size_t len);
/* A record lost before it reached the queue: counted in dropped and in
 * the next report. */
void syslog_queue_drop(struct syslog_queue *q);
/* Records queued (the report not included). */
size_t syslog_queue_records(const struct syslog_queue *q);
/* True when no record has room. */
bool syslog_queue_full(const struct syslog_queue *q);
/* True when nothing at all waits, neither a record nor a report. */
bool syslog_queue_empty(const struct syslog_queue *q);

/* True when a report should be put in front now: drops are unreported,
 * no report is queued and nothing is written but unacknowledged (the
 * report must precede every byte still to come). */
bool syslog_queue_report_due(const struct syslog_queue *q);
/* Put the report msg (telling of q->unreported drops) before the records;
 * those drops count as reported from now on. False when out of memory
 * (nothing changes). Call only when _report_due. */
bool syslog_queue_put_report(struct syslog_queue *q, const char *msg, size_t len);

/* True when bytes (stream) or messages (datagrams) wait to be sent. */
bool syslog_queue_has_unsent(const struct syslog_queue *q);
/* True when stream bytes are written but not all acknowledged. */
bool syslog_queue_in_flight(const struct syslog_queue *q);
/* Point iov (up to max entries) at what to send next: a stream's unsent
 * bytes from the write cursor on, or a datagram's one message. Returns
 * the number of entries; they stay valid until the queue next changes. */
int syslog_queue_unsent(const struct syslog_queue *q, struct iovec *iov, int max);
/* The transport took n bytes of what _unsent offered: move the write
 * cursor (a datagram, taken whole, leaves the queue as written). */
void syslog_queue_sent(struct syslog_queue *q, size_t n);
/* Stream: the peer has acknowledged `total` bytes on this connection (a
 * running count; a smaller one than before changes nothing). Releases the
 * report and the frames it covers whole, never past the write cursor. */
void syslog_queue_acked(struct syslog_queue *q, uint64_t total);
/* Datagrams: the next message can never be sent (too long): it leaves the
 * queue, a record counted as dropped. */
void syslog_queue_reject(struct syslog_queue *q);
/* The connection is lost: everything not acknowledged is to be sent again
 * from the head frame's first byte; a queued report is taken back. */
void syslog_queue_rewind(struct syslog_queue *q);
/* Give up every record (at close): counted as dropped. Returns how many. */
size_t syslog_queue_clear(struct syslog_queue *q);

#endif
