/* output.h - one small interface for every output (file, pcap, journal,
 * syslog behind the same calls).
 *
 * write() appends a formatted record to the output's batch; flush() is
 * called once per drained batch of a group and does the I/O. An output
 * that fails keeps its counters and reports; it never stops the daemon.
 */
#ifndef NFLOGD_OUTPUT_H
#define NFLOGD_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "compiler.h"
#include "config.h"
#include "decode.h"
#include "record.h"

struct output_stats {
	uint64_t written; /* records handed to the sink (file: written to the file) */
	uint64_t dropped; /* records given up after an error */
	uint64_t errors;  /* failed I/O calls */
	uint64_t bytes;	  /* bytes written */
	uint64_t queued;  /* records waiting (e.g. for a peer that is away) */
};

/* Why records were lost: the reader's loss kinds (nflog.h), as the
 * outputs name them (output_loss_reason()); group.c translates. */
enum output_loss_kind {
	OUTPUT_LOSS_ENOBUFS,   /* socket overrun */
	OUTPUT_LOSS_SEQ_GAP,   /* sequence numbers skipped */
	OUTPUT_LOSS_TRUNCATED, /* a datagram larger than the receive buffer */
	OUTPUT_LOSS_MALFORMED, /* a message that could not be parsed */
};

/* A loss the reader detected, as written into the outputs of its group. */
struct output_loss {
	uint16_t group;
	const char *netns; /* the group's network namespace, or NULL */
	enum output_loss_kind kind;
	uint64_t count; /* messages; 0 = unknown */
	struct timeval when;
};

/* Daemon events some sinks record (the journal, with a MESSAGE_ID each). */
enum output_event {
	OUTPUT_EVENT_START,
	OUTPUT_EVENT_RELOAD,
	OUTPUT_EVENT_STOP,
};

struct output;

struct output_ops {
	int (*open)(struct output *o, const struct output_config *oc, char *err, size_t errlen);
	void (*write)(struct output *o, const struct nflogd_record *rec,
		      const struct nflogd_decoded *dec);
	void (*write_loss)(struct output *o, const struct output_loss *loss);
	/* optional (NULL: the sink does not record daemon events) */
	void (*write_event)(struct output *o, enum output_event ev, const char *text);
	void (*flush)(struct output *o);
	int (*reopen)(struct output *o, char *err, size_t errlen);
	void (*close)(struct output *o);
};

struct loop;

struct output {
	const struct output_ops *ops;
	struct loop *loop; /* for sinks that wait on sockets or timers */
	char *name;
	enum record_format format;
	unsigned log_flags;
	struct output_stats stats;
	bool shut;	   /* output_shutdown() closed the sink already */
	void *priv;	   /* the sink's own state */
	char problem[200]; /* why it delivers nothing now, in words, as the sink
			      sets it ("" when it delivers): in STATUS= and the
			      counter lines, not rate-limited */
};

/* Create and open the output described by oc, on loop (NULL: a sink that
 * needs timers or sockets cannot retry). Returns it, owned by the caller
 * (output_close()), or NULL with the reason in err. */
struct output *output_open(const struct output_config *oc, struct loop *loop, char *err,
			   size_t errlen) MUST_CHECK;
/* Flush o and close its sink: what it cannot deliver now is counted as
 * dropped. o's name and stats stay readable (the exit counters are
 * logged after this) until output_close(). */
void output_shutdown(struct output *o);
/* output_shutdown() if not done, then free o (NULL is fine). */
void output_close(struct output *o);

/* Add one record (rec and its decoded fields, read now, not kept) to o's
 * batch; the I/O happens at output_flush(). */
static inline void output_write(struct output *o, const struct nflogd_record *rec,
				const struct nflogd_decoded *dec)
{
	o->ops->write(o, rec, dec);
}
/* Add a loss record (what the reader lost, and why) to o's batch. */
static inline void output_write_loss(struct output *o, const struct output_loss *loss)
{
	o->ops->write_loss(o, loss);
}
/* Record a daemon event (start, reload, stop) if o's sink records them. */
static inline void output_write_event(struct output *o, enum output_event ev, const char *text)
{
	if (o->ops->write_event)
		o->ops->write_event(o, ev, text);
}
/* Write o's batch out: once per drained batch of a group. */
static inline void output_flush(struct output *o) { o->ops->flush(o); }
/* Flush, then reopen o's file or socket (SIGUSR1, after logrotate). 0, or
 * -1 with the reason in err: o goes on where it was and retries. */
int output_reopen(struct output *o, char *err, size_t errlen) MUST_CHECK;

/* Sinks */
extern const struct output_ops output_file_ops;
extern const struct output_ops output_journal_ops;
extern const struct output_ops output_syslog_ops;
extern const struct output_ops output_pcap_ops;

/* The word for a loss kind in records and fields ("seq_gap", "enobufs", ...). */
const char *output_loss_reason(enum output_loss_kind kind);

/* Shared by the sinks: a loss appended to b as one line of text or one
 * JSON object (fmt), without a newline. */
void output_format_loss(struct buf *b, const struct output_loss *loss, enum record_format fmt);

#endif
