/* output_journal.c - one journal entry per record, in journald's native
 * protocol, sent without ever blocking the loop.
 *
 * MESSAGE is the kernel LOG line (format_text); every field of the field
 * table that has a journal name and a value becomes one NFLOG_* field
 * (journal_fields.c), so `journalctl NFLOG_DPT=22 NFLOG_PREFIX=ssh-drop`
 * finds records.
 * Values keep every byte (a prefix's trailing space; a newline switches
 * the field to the protocol's length-prefixed form: journal_entry.c).
 * Each kind of entry has its own MESSAGE_ID (doc/nflogd.catalog).
 *
 * Entries are built straight into the queue of journal_conn.c (no copy,
 * no allocation once it has grown) and sent at once, one datagram each,
 * on a non-blocking socket. While journald does not read (stopped, busy,
 * restarting, absent) the queue holds up to queue_size entries (and
 * JOURNAL_QUEUE_MAX_BYTES); the socket is watched for writing and sending
 * resumes when it takes more. A record that finds the queue full is
 * dropped and counted; the journal is told how many with a DROPPED entry
 * placed where they went missing, once the queue has room again.
 * "written" counts what journald is known to have read (journal_conn.h):
 * written + dropped + queued is every record handed to this output.
 *
 * The connection is made again with a backoff (JOURNAL_RETRY_MIN_S
 * doubling up to JOURNAL_RETRY_MAX_S) when journald's socket is gone. A
 * timer looks every JOURNAL_TICK_S at what journald has read while
 * entries are in flight.
 */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "journal_conn.h"
#include "journal_entry.h"
#include "journal_fields.h"
#include "log.h"
#include "loop.h"
#include "ratelimit.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define JOURNAL_QUEUE_MAX_BYTES (64 * 1024 * 1024)
#define JOURNAL_RETRY_MIN_S 0.1
#define JOURNAL_RETRY_MAX_S 2.0
#define JOURNAL_TICK_S 0.05
/* At close (shutdown, or an output a reload replaced) the queue gets this
 * long to reach journald; what is left is counted as dropped. */
#define JOURNAL_CLOSE_DRAIN_MS 1000
#define JOURNAL_REPORT_INTERVAL_S 10

/* MESSAGE_IDs, explained in doc/nflogd.catalog (generated once with
 * `systemd-id128 new`; never change them: queries and the catalog use them). */
#define MID_PACKET "c7b75b174e944289a01e59243fce44fd"
#define MID_LOSS "5b43a17895024003b84f857d88fd231f"
#define MID_START "6de0f02cbc7b492bb5e689fa7025f58a"
#define MID_RELOAD "43e9fc356ca2475b91d51f460fbddc67"
#define MID_STOP "6120a59ca0b844b78e22509cfd55e9f0"
#define MID_DROPPED "02156d929c61424798e56c94d74d0e24"
#define MID_LINE(id) "MESSAGE_ID=" id "\n"

struct journal_sink {
	struct output *o;
	char ident_line[sizeof "SYSLOG_IDENTIFIER=\n" + 48];
	size_t ident_len;
	/* PRIORITY, SYSLOG_IDENTIFIER and MESSAGE_ID of a packet entry */
	char record_head[sizeof "PRIORITY=7\n" + sizeof "SYSLOG_IDENTIFIER=\n" + 48 +
			 sizeof MID_LINE(MID_PACKET)];
	size_t record_head_len;
	struct journal_fields *fields; /* NFLOG_* (payload only if asked) */
	size_t queue_size;
	struct journal_conn *conn;
	struct loop_event *ev; /* the socket, watched for writing while it is full */
	int ev_fd;
	struct loop_event *timer; /* reconnect; look at what journald has read */
	bool blocked;		  /* the socket took no more: wait until writable */
	bool watching;		  /* ev waits for writability */
	bool away;		  /* a failure was reported: say when it is over */
	double backoff;		  /* seconds before the next connect attempt */
	int64_t retry_at_ms;	  /* monotonic */
	uint64_t dropped;	  /* records dropped here: queue full, no memory */
	uint64_t unreported;	  /* of those, not yet told to the journal */
	struct ratelimit drop_report, conn_report;
};

/* ---- counters ---- */

static void sync_stats(struct output *o, struct journal_sink *j)
{
	const struct journal_conn_stats *s = journal_conn_stats(j->conn);
	o->stats.written = s->written;
	o->stats.bytes = s->bytes;
	o->stats.dropped = j->dropped + s->dropped;
	o->stats.errors = s->errors;
	o->stats.queued = journal_conn_queued(j->conn);
}

/* ---- the socket, the loop ---- */

static void writecb(int fd, short what, void *arg);

/* Stop watching a socket that is closed or about to be. */
static void unwatch_socket(struct journal_sink *j)
{
	loop_event_free(j->ev);
	j->ev = NULL;
	j->ev_fd = -1;
	j->watching = false;
}

/* Watch the (new) socket; idle until it is full. */
static void watch_socket(struct journal_sink *j)
{
	int fd = journal_conn_fd(j->conn);
	if (!j->o->loop || fd == j->ev_fd)
		return;
	unwatch_socket(j);
	if (!(j->ev = loop_watch_fd(j->o->loop, fd, 0, writecb, j->o)))
		log_error("output %s: cannot watch the journal socket: %s (the timer retries "
			  "every %.1f s)",
			  j->o->name, strerror(errno), JOURNAL_TICK_S);
	else
		j->ev_fd = fd;
}

/* The socket is full (wait until it is writable) or no longer. The
 * watch changes only when this changes: a wakeup that finds the socket
 * full again costs no epoll_ctl. */
static void set_blocked(struct journal_sink *j, bool blocked)
{
	j->blocked = blocked;
	if (!j->ev || j->watching == blocked)
		return;
	if (loop_fd_set(j->ev, blocked ? LOOP_WRITE : 0) < 0) {
		log_error("output %s: cannot watch the journal socket: %s (the timer retries "
			  "every %.1f s)",
			  j->o->name, strerror(errno), JOURNAL_TICK_S);
		unwatch_socket(j);
		return;
	}
	j->watching = blocked;
}

/* The timer is needed while not connected, and while entries wait or
 * are in flight. */
static void arm_timer(struct journal_sink *j)
{
	if (!j->timer || loop_timer_armed(j->timer))
		return;
	bool down = journal_conn_fd(j->conn) < 0;
	if (!down && !journal_conn_in_flight(j->conn) && !journal_conn_pending(j->conn))
		return;
	double s = JOURNAL_TICK_S;
	if (down) {
		int64_t left = j->retry_at_ms - ratelimit_now_ms();
		s = left > 0 ? (double)left / 1000 : 0;
	}
	if (loop_timer_arm(j->timer, s) < 0)
		log_error("output %s: cannot arm its timer", j->o->name);
}

static void report_conn(struct journal_sink *j, const char *what, int e)
{
	char sup[64];
	j->away = true;
	if (!ratelimit_allow(&j->conn_report))
		return;
	log_warn("output %s: %s %s: %s; %llu records queued (up to %zu), %llu dropped so far%s",
		 j->o->name, what, JOURNAL_SOCKET, strerror(e),
		 (unsigned long long)journal_conn_queued(j->conn), j->queue_size,
		 (unsigned long long)j->o->stats.dropped,
		 ratelimit_suppressed_text(&j->conn_report, sup, sizeof sup));
}

/* Connect when the backoff allows; true when connected. */
static bool connect_now(struct journal_sink *j)
{
	if (journal_conn_fd(j->conn) >= 0)
		return true;
	int64_t now = ratelimit_now_ms();
	if (now < j->retry_at_ms)
		return false;
	int r = journal_conn_connect(j->conn);
	if (r < 0) {
		j->retry_at_ms = now + (int64_t)(j->backoff * 1000);
		j->backoff =
		    j->backoff * 2 > JOURNAL_RETRY_MAX_S ? JOURNAL_RETRY_MAX_S : j->backoff * 2;
		report_conn(j, "cannot connect to journald at", -r);
		return false;
	}
	j->backoff = JOURNAL_RETRY_MIN_S;
	j->blocked = false;
	watch_socket(j);
	if (j->away) {
		ratelimit_reset(&j->conn_report);
		log_info("output %s: connected to journald again; sending %llu queued records",
			 j->o->name, (unsigned long long)journal_conn_queued(j->conn));
		j->away = false;
	}
	log_debug("%s: output %s connected to %s", __func__, j->o->name, JOURNAL_SOCKET);
	return true;
}

/* What a send or probe returned: wait for the socket, or start over. */
static void after_send(struct journal_sink *j, int r)
{
	if (r == 0)
		return;
	if (r == -EAGAIN || r == -EINTR) {
		set_blocked(j, true);
		return;
	}
	if (r == -ENOBUFS)
		return;	   /* the kernel is short of memory: the timer tries again */
	unwatch_socket(j); /* journal_conn closed it */
	report_conn(j, "lost its connection to journald at", -r);
	j->blocked = false;
	j->retry_at_ms = 0; /* a journald that restarted is there at once */
}

/* Send what is queued, as far as the socket takes it. */
static void pump(struct journal_sink *j)
{
	if (!connect_now(j) || j->blocked)
		return;
	after_send(j, journal_conn_send(j->conn));
}

static void writecb(int fd, short what, void *arg)
{
	struct output *o = arg;
	struct journal_sink *j = o->priv;
	(void)fd;
	(void)what;
	j->blocked = false;
	journal_conn_observe(j->conn);
	pump(j);
	set_blocked(j, j->blocked);
	sync_stats(o, j);
	arm_timer(j);
}

/* Reconnect; and while entries are in flight, look at what journald read
 * and prove the socket alive when nothing else is sent. */
static void tick_timercb(void *arg)
{
	struct output *o = arg;
	struct journal_sink *j = o->priv;
	journal_conn_observe(j->conn);
	j->blocked = false; /* one try per tick, should the watch have failed */
	pump(j);
	set_blocked(j, j->blocked);
	if (journal_conn_fd(j->conn) >= 0 && !journal_conn_pending(j->conn) &&
	    journal_conn_unproven(j->conn))
		after_send(j, journal_conn_probe(j->conn));
	sync_stats(o, j);
	arm_timer(j);
}

/* ---- building an entry ---- */

static void put_u64_field(struct buf *b, const char *name_eq, size_t len, uint64_t v)
{
	size_t start = journal_field_begin(b, name_eq, len);
	buf_put_u64(b, v);
	journal_field_end(b, start, false);
}
#define PUT_U64(b, lit, v) put_u64_field(b, lit, sizeof lit - 1, v)

/* PRIORITY (a literal "PRIORITY=N\n"), SYSLOG_IDENTIFIER, MESSAGE_ID. */
static void put_common(struct journal_sink *j, struct buf *b, const char *priority,
		       const char *mid_line)
{
	buf_puts(b, priority);
	buf_put(b, j->ident_line, j->ident_len); /* "NAME=value\n" */
	buf_puts(b, mid_line);
}

/* The DROPPED entry: how many records this output dropped since the last
 * one, placed where they went missing. */
static void queue_drop_report(struct journal_sink *j)
{
	struct buf *b = journal_conn_entry_begin(j->conn);
	put_common(j, b, "PRIORITY=4\n", MID_LINE(MID_DROPPED));
	size_t start = journal_field_begin(b, "MESSAGE=", 8);
	buf_printf(b,
		   "nflogd: output %s dropped %llu entries (queue of %zu full: journald away "
		   "or slow)",
		   j->o->name, (unsigned long long)j->unreported, j->queue_size);
	journal_field_end(b, start, false);
	PUT_U64(b, "NFLOG_DROPPED=", j->unreported);
	if (journal_conn_entry_end(j->conn, false))
		j->unreported = 0;
}

/* True when one more entry may be queued (after the DROPPED entry that
 * is due, if there is room for both); else the record is dropped. */
static bool make_room(struct journal_sink *j)
{
	char sup[64];
	if (j->unreported && journal_conn_room(j->conn, 2))
		queue_drop_report(j);
	if (journal_conn_room(j->conn, 1))
		return true;
	j->dropped++;
	j->unreported++;
	if (ratelimit_allow(&j->drop_report))
		log_warn("output %s: queue full (%zu entries): dropping records; journald is "
			 "away or slow; %llu dropped so far%s",
			 j->o->name, j->queue_size, (unsigned long long)j->dropped,
			 ratelimit_suppressed_text(&j->drop_report, sup, sizeof sup));
	return false;
}

/* Queue the entry built since journal_conn_entry_begin() and send. */
static void entry_finish(struct output *o, struct journal_sink *j)
{
	if (!journal_conn_entry_end(j->conn, true)) {
		j->dropped++;
		j->unreported++;
		log_debug("%s: output %s: out of memory for an entry", __func__, o->name);
	}
	pump(j);
	sync_stats(o, j);
}

static void journal_write(struct output *o, const struct nflogd_record *rec,
			  const struct nflogd_decoded *dec)
{
	struct journal_sink *j = o->priv;
	if (!make_room(j)) {
		sync_stats(o, j);
		return;
	}
	struct buf *b = journal_conn_entry_begin(j->conn);
	buf_put(b, j->record_head, j->record_head_len);
	size_t start = journal_field_begin(b, "MESSAGE=", 8);
	format_text(b, rec, dec, o->log_flags);
	journal_field_end(b, start, true);
	journal_fields_put(j->fields, b, rec, dec);
	entry_finish(o, j);
}

static void journal_write_loss(struct output *o, const struct output_loss *loss)
{
	struct journal_sink *j = o->priv;
	if (!make_room(j)) {
		sync_stats(o, j);
		return;
	}
	struct buf *b = journal_conn_entry_begin(j->conn);
	put_common(j, b, "PRIORITY=4\n", MID_LINE(MID_LOSS));
	size_t start = journal_field_begin(b, "MESSAGE=", 8);
	buf_printf(b, "nflogd: group %u%s%s lost ", loss->group, loss->netns ? " in netns " : "",
		   loss->netns ? loss->netns : "");
	if (loss->count)
		buf_put_u64(b, loss->count);
	else
		buf_putlit(b, "an unknown number of");
	buf_printf(b, " messages (%s)", output_loss_reason(loss->kind));
	journal_field_end(b, start, false);
	PUT_U64(b, "NFLOG_GROUP=", loss->group);
	if (loss->netns) {
		start = journal_field_begin(b, "NFLOG_NETNS=", sizeof "NFLOG_NETNS=" - 1);
		buf_puts(b, loss->netns);
		journal_field_end(b, start, false);
	}
	if (loss->count)
		PUT_U64(b, "NFLOG_LOST=", loss->count);
	start = journal_field_begin(b, "NFLOG_LOSS_REASON=", sizeof "NFLOG_LOSS_REASON=" - 1);
	buf_puts(b, output_loss_reason(loss->kind));
	journal_field_end(b, start, false);
	entry_finish(o, j);
}

static void journal_write_event(struct output *o, enum output_event ev, const char *text)
{
	struct journal_sink *j = o->priv;
	const char *mid = ev == OUTPUT_EVENT_START    ? MID_LINE(MID_START)
			  : ev == OUTPUT_EVENT_RELOAD ? MID_LINE(MID_RELOAD)
						      : MID_LINE(MID_STOP);
	if (!make_room(j)) {
		sync_stats(o, j);
		return;
	}
	struct buf *b = journal_conn_entry_begin(j->conn);
	put_common(j, b, "PRIORITY=6\n", mid);
	journal_put_field(b, "MESSAGE=", 8, text, strlen(text));
	entry_finish(o, j);
}

/* Entries are sent as they are written; once per batch, look at what
 * journald has read (counted at the next send) and keep the timer on
 * while entries are in flight. */
static void journal_flush(struct output *o)
{
	struct journal_sink *j = o->priv;
	journal_conn_observe(j->conn);
	if (journal_conn_fd(j->conn) < 0)
		pump(j); /* reconnect as soon as the backoff allows */
	sync_stats(o, j);
	arm_timer(j);
}

static int journal_reopen(struct output *o, char *err, size_t errlen)
{
	(void)o;
	(void)err;
	(void)errlen;
	return 0;
}

/* ---- open and close ---- */

static void sink_free(struct journal_sink *j)
{
	loop_event_free(j->ev);
	loop_event_free(j->timer);
	journal_conn_free(j->conn);
	journal_fields_free(j->fields);
	free(j);
}

static int journal_open(struct output *o, const struct output_config *oc, char *err, size_t errlen)
{
	struct journal_sink *j = calloc(1, sizeof *j);
	if (!j || !(j->fields = journal_fields_new(oc->payload)) ||
	    !(j->conn =
		  journal_conn_new(JOURNAL_SOCKET, oc->queue_size, JOURNAL_QUEUE_MAX_BYTES)) ||
	    (o->loop && !(j->timer = loop_timer(o->loop, false, tick_timercb, o)))) {
		if (j)
			sink_free(j);
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		return -1;
	}
	j->o = o;
	j->ev_fd = -1;
	j->queue_size = oc->queue_size;
	j->backoff = JOURNAL_RETRY_MIN_S;
	j->drop_report = j->conn_report =
	    (struct ratelimit)RATELIMIT_INIT(JOURNAL_REPORT_INTERVAL_S);
	snprintf(j->ident_line, sizeof j->ident_line, "SYSLOG_IDENTIFIER=%s\n", oc->ident);
	j->ident_len = strlen(j->ident_line);
	snprintf(j->record_head, sizeof j->record_head, "PRIORITY=%u\n%s" MID_LINE(MID_PACKET),
		 oc->priority & 7, j->ident_line);
	j->record_head_len = strlen(j->record_head);
	o->priv = j;
	/* journald away at start is like journald going away later: records
	 * queue and the connection is retried */
	connect_now(j);
	arm_timer(j);
	return 0;
}

static void journal_close(struct output *o)
{
	struct journal_sink *j = o->priv;
	if (!j)
		return;
	unwatch_socket(j); /* the drain may close and open sockets */
	uint64_t left = journal_conn_drain(j->conn, JOURNAL_CLOSE_DRAIN_MS);
	sync_stats(o, j);
	if (left)
		log_warn("output %s: closing with %llu records journald has not taken or not "
			 "yet read (counted as dropped; those in its socket still reach the "
			 "journal if journald goes on)",
			 o->name, (unsigned long long)left);
	const struct journal_conn_stats *s = journal_conn_stats(j->conn);
	if (s->resent || s->memfd)
		log_info("output %s: %llu records sent again after journald's socket closed with "
			 "them unread, %llu entries sent through a memfd",
			 o->name, (unsigned long long)s->resent, (unsigned long long)s->memfd);
	sink_free(j);
	o->priv = NULL;
}

const struct output_ops output_journal_ops = {
	.open = journal_open,
	.write = journal_write,
	.write_loss = journal_write_loss,
	.write_event = journal_write_event,
	.flush = journal_flush,
	.reopen = journal_reopen,
	.close = journal_close,
};
