/* output_syslog.c - records to a syslog daemon: the local socket
 * (/dev/log) or a remote target over UDP, TCP or TLS.
 *
 * Nothing here ever blocks the loop. Records are framed at write() into
 * a bounded queue (syslog_queue.c) and sent from flush() and from the
 * socket's write callback only as far as the socket takes them. While the
 * peer is away or slow the queue holds the backlog; a record that finds
 * it full is dropped and counted (tail drop: the backlog keeps the oldest
 * records, in order). The next time the peer takes messages it first gets
 * one saying how many were dropped (MSGID DROPPED).
 *
 * This file owns the connection's life; the socket I/O is behind
 * syslog_transport.h (unix, UDP, TCP, and TLS in syslog_tls.c):
 *
 *   DOWN --reconnect_timer--> RESOLVING --> connect --> CONNECTING --> UP
 *     ^                              |              |            |         |
 *     +---- fail(): count, report, rewind the queue, ------------+---------+
 *           arm reconnect_timer (syslog_backoff.c: 0.1 s doubling to 5 s)
 *
 * A host name is looked up again at each attempt, without blocking
 * (loop_dns.h: evdns, configured from /etc/resolv.conf and /etc/hosts),
 * so a changed DNS record is followed at the next reconnect; an address
 * is parsed once. At close, with the loop no longer running, the one last
 * try goes to the address found last.
 *
 * One timer per meaning: reconnect_timer (down: the next attempt, after
 * the backoff), connect_timer (connecting: the attempt, TLS handshake
 * included, is given up after SYSLOG_CONNECT_TIMEOUT_S), ack_timer (up: a
 * stream looks again for the peer's acknowledgements while written bytes
 * wait for them) and stall_timer (up: a stream whose peer acknowledged
 * nothing for stall_timeout seconds while bytes wait for it - it accepts
 * but does not read - is given up and connected to again; started over
 * whenever acknowledgements advance). A TCP, TLS or UDP socket is also
 * watched for reading: a peer that closes (FIN) or an ICMP port
 * unreachable shows up there before the next record is lost into a dead
 * connection.
 *
 * TCP: a frame leaves the queue only once the peer's TCP has acknowledged
 * all of its bytes (TCP_INFO tcpi_bytes_acked), not when send() took it.
 * When the connection dies, what the peer never acknowledged (written
 * after it closed, or still in our send buffer) is sent again on the next
 * connection instead of being lost uncounted. What a peer acknowledged
 * and then threw away unread (it closed with data in its buffer) cannot
 * be known without an application-level ack (RELP).
 */
#include "output.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fields.h"
#include "format.h"
#include "log.h"
#include "loop.h"
#include "loop_dns.h"
#include "ratelimit.h"
#include "syslog_backoff.h"
#include "syslog_frame.h"
#include "syslog_queue.h"
#include "syslog_tls.h"
#include "syslog_transport.h"

#define SYSLOG_BACKOFF_MIN_S 0.1
#define SYSLOG_BACKOFF_MAX_S 5.0
/* At close (shutdown, or an output a reload replaced) the queue gets this
 * long to reach the peer; what is left is counted as dropped. */
#define SYSLOG_CLOSE_DRAIN_MS 1000
#define SYSLOG_IOV_MAX 64
/* TCP: a peer that drops SYNs would hold a connect for two minutes */
#define SYSLOG_CONNECT_TIMEOUT_S 5.0
/* TCP: how soon to look again for acknowledgements of written frames */
#define SYSLOG_ACK_CHECK_S 0.05
#define SYSLOG_REPORT_INTERVAL_S 10

#define SEV_WARNING 4
#define SEV_INFO 6

enum conn_state { CONN_DOWN, CONN_RESOLVING, CONN_CONNECTING, CONN_UP };

struct syslog_sink {
	struct output *o;
	char host[256];
	uint16_t port;
	char peer[300];		      /* for messages: the socket path or the target */
	bool numeric;		      /* host is an address literal: parsed once */
	struct sockaddr_storage addr; /* the peer (local: a sockaddr_un) */
	socklen_t addrlen;	      /* 0: not resolved yet */
	struct loop_dns_query *query; /* resolving: the lookup */

	struct syslog_frame_hdr hdr; /* per output; msgid, pri and ts set per message */
	unsigned facility, severity;
	char ident[49];
	char hostname[256];
	bool sd;
	char sd_id[SYSLOG_SD_NAME_MAX + 1]; /* the structured data element's name */

	struct syslog_conn conn; /* the transport and its socket */
	enum conn_state state;
	short watching;			    /* what ev waits for */
	struct loop_event *ev;		    /* the socket, while there is one */
	struct loop_event *reconnect_timer; /* down: the next attempt */
	struct loop_event *connect_timer;   /* connecting: give the attempt up */
	struct loop_event *ack_timer;	    /* up: look again for acknowledgements */
	struct loop_event *stall_timer;	    /* up: in flight, nothing acknowledged */
	double stall_s;			    /* its length: stall_timeout */
	uint64_t acked_seen;		    /* the transport's acked count, last look */
	struct syslog_tls *tls;		    /* TLS: context and name (conn.priv) */
	struct syslog_backoff backoff;
	bool was_down; /* a connection failed since the last success */

	struct syslog_queue q;
	struct buf frame, line, value;		  /* scratch */
	char (*sd_names)[SYSLOG_SD_NAME_MAX + 1]; /* per fields_table entry, made once */
	struct ratelimit report_limit;		  /* report(): the connection */
	struct ratelimit loss_limit;		  /* report_loss(): dropped records */
};

/* ---- reporting ---- */

static void vreport(struct syslog_sink *s, struct ratelimit *limit, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void report(struct syslog_sink *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void report_loss(struct syslog_sink *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Rate-limited: a dead peer would otherwise log once per record. */
static void vreport(struct syslog_sink *s, struct ratelimit *limit, const char *fmt, va_list ap)
{
	if (!ratelimit_allow(limit))
		return;
	char msg[1280];
	vsnprintf(msg, sizeof msg, fmt, ap);
	log_warn("output %s: %s (%s; %zu queued, %llu dropped, %llu errors so far)", s->o->name,
		 msg, s->peer, syslog_queue_records(&s->q), (unsigned long long)s->o->stats.dropped,
		 (unsigned long long)s->o->stats.errors);
}

/* What happens to the connection (and the output's own trouble). */
static void report(struct syslog_sink *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(s, &s->report_limit, fmt, ap);
	va_end(ap);
}

/* Records dropped. Limited on its own: a full queue does not hide why
 * the peer is not taking records, nor the other way round. */
static void report_loss(struct syslog_sink *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(s, &s->loss_limit, fmt, ap);
	va_end(ap);
}

/* ---- the socket and the timers ---- */

static void sockcb(int fd, short what, void *arg);
static void pump(struct syslog_sink *s);

/* Arm timer t. A timer that cannot be armed is counted and reported: the
 * wait it stands for would otherwise never end. */
static bool arm(struct syslog_sink *s, struct loop_event *t, double seconds, const char *what)
{
	if (loop_timer_arm(t, seconds) == 0)
		return true;
	s->o->stats.errors++;
	report(s, "cannot arm the %s timer (%.2f s)", what, seconds);
	return false;
}

static void set_watch(struct syslog_sink *s, short what)
{
	if (!s->ev || s->watching == what)
		return;
	if (loop_fd_set(s->ev, what) == 0) {
		s->watching = what;
		return;
	}
	s->o->stats.errors++;
	report(s, "cannot watch the socket for %s%s", what & LOOP_READ ? "reading " : "",
	       what & LOOP_WRITE ? "writing" : "");
}

/* TCP and UDP sockets are read too: EOF or an ICMP error shows there. */
static short idle_watch(const struct syslog_sink *s)
{
	return s->conn.ops->watch_read ? LOOP_READ : 0;
}

/* Streams: release what the peer's TCP acknowledged since the last look;
 * progress starts the stall clock over. */
static void note_acks(struct syslog_sink *s)
{
	if (!s->conn.ops->acked)
		return;
	uint64_t n = s->conn.ops->acked(&s->conn);
	syslog_queue_acked(&s->q, n);
	if (n == s->acked_seen)
		return;
	loop_timer_disarm(s->stall_timer);
	syslog_backoff_reset(&s->backoff); /* the peer takes records */
	s->o->problem[0] = '\0';
	s->acked_seen = n;
}

/* Close the connection; what it did not deliver is to be sent again. */
static void disconnect(struct syslog_sink *s)
{
	if (s->state == CONN_UP)
		note_acks(s); /* the last word on what the peer got */
	loop_dns_cancel(s->query);
	s->query = NULL;
	loop_timer_disarm(s->reconnect_timer);
	loop_timer_disarm(s->connect_timer);
	loop_timer_disarm(s->ack_timer);
	loop_timer_disarm(s->stall_timer);
	loop_event_free(s->ev);
	s->ev = NULL;
	s->watching = 0;
	s->conn.ops->close(&s->conn);
	s->state = CONN_DOWN;
	syslog_queue_rewind(&s->q);
	log_debug("%s: output %s: %zu records to send again", __func__, s->o->name,
		  syslog_queue_records(&s->q));
}

static void schedule_reconnect(struct syslog_sink *s)
{
	if (loop_timer_armed(s->reconnect_timer))
		return;
	arm(s, s->reconnect_timer, syslog_backoff_take(&s->backoff), "reconnect");
}

static void trouble(struct syslog_sink *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The peer cannot be reached or does not take records: counted, shown in
 * STATUS= until records flow again, reported (rate-limited). The caller
 * schedules the retry. */
static void trouble(struct syslog_sink *s, const char *fmt, ...)
{
	char msg[1100];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->o->stats.errors++;
	s->was_down = true;
	size_t n = strnlen(msg, sizeof s->o->problem - 1); /* STATUS= has little room */
	memcpy(s->o->problem, msg, n);
	s->o->problem[n] = '\0';
	report(s, "%s; retrying in %.1f s", msg, syslog_backoff_peek(&s->backoff));
}

static void fail(struct syslog_sink *s, const char *what, int e)
{
	trouble(s, "%s: %s", what, s->conn.reason[0] ? s->conn.reason : strerror(e));
	disconnect(s);
	schedule_reconnect(s);
}

static void connected(struct syslog_sink *s)
{
	char tls[600] = "";
	loop_timer_disarm(s->connect_timer);
	s->state = CONN_UP;
	s->acked_seen = 0;
	/* a stream is sound once the peer acknowledges records (note_acks):
	 * one that accepts and closes at once (refusing this client) is
	 * retried with a growing delay, not ten times a second */
	if (!s->conn.ops->acked)
		syslog_backoff_reset(&s->backoff);
	if (!s->conn.ops->acked || syslog_queue_empty(&s->q))
		s->o->problem[0] = '\0'; /* nothing waits to prove it otherwise */
	if (s->tls)
		syslog_tls_describe(s->tls, tls, sizeof tls);
	if (s->was_down)
		log_info("output %s: connected to %s%s%s; %zu records waiting, %llu dropped so far",
			 s->o->name, s->peer, tls[0] ? ", " : "", tls, syslog_queue_records(&s->q),
			 (unsigned long long)s->o->stats.dropped);
	else
		log_debug("%s: output %s: connected to %s%s%s", __func__, s->o->name, s->peer,
			  tls[0] ? ", " : "", tls);
	s->was_down = false;
	set_watch(s, idle_watch(s));
	pump(s);
}

/* The local socket: its address is the path, known from the start. */
static bool is_local(const struct syslog_sink *s) { return s->conn.ops == &syslog_transport_unix; }

/* Connect to the resolved address: done now (unix, UDP) or in sockcb
 * (TCP, TLS). */
static void connect_to(struct syslog_sink *s)
{
	log_debug("%s: output %s: connecting to %s", __func__, s->o->name, s->peer);
	int e = s->conn.ops->connect(&s->conn, (const struct sockaddr *)&s->addr, s->addrlen);
	if (e && e != EINPROGRESS) {
		fail(s, "connect", e);
		return;
	}
	if (!(s->ev = loop_watch_fd(s->o->loop, s->conn.fd, 0, sockcb, s))) {
		fail(s, "watch socket", ENOMEM);
		return;
	}
	if (e == 0) {
		connected(s);
		return;
	}
	s->state = CONN_CONNECTING;
	set_watch(s, s->conn.want);
	arm(s, s->connect_timer, SYSLOG_CONNECT_TIMEOUT_S, "connect timeout");
}

/* "10.0.0.1" for messages. */
static const char *addr_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
	const void *a = ss->ss_family == AF_INET6
			    ? (const void *)&((struct sockaddr_in6 *)ss)->sin6_addr
			    : (const void *)&((struct sockaddr_in *)ss)->sin_addr;
	if (!inet_ntop(ss->ss_family, a, out, (socklen_t)len))
		snprintf(out, len, "?");
	return out;
}

/* The lookup's answer; then the connection to the address it found. */
static void resolvedcb(int err, const struct sockaddr *sa, socklen_t len, const char *why,
		       void *arg)
{
	struct syslog_sink *s = arg;
	char was[INET6_ADDRSTRLEN] = "", now[INET6_ADDRSTRLEN];
	s->query = NULL;
	s->state = CONN_DOWN;
	if (err) {
		trouble(s, "cannot resolve %s: %s", s->host, why);
		schedule_reconnect(s);
		return;
	}
	if (s->addrlen)
		addr_text(&s->addr, was, sizeof was);
	memcpy(&s->addr, sa, len);
	s->addrlen = len;
	addr_text(&s->addr, now, sizeof now);
	if (was[0] && strcmp(was, now) != 0)
		log_info("output %s: %s resolves to %s now (was %s)", s->o->name, s->host, now,
			 was);
	else
		log_debug("%s: output %s: %s is %s", __func__, s->o->name, s->host, now);
	connect_to(s);
}

static void start_connect(struct syslog_sink *s)
{
	if (s->state != CONN_DOWN)
		return;
	if (s->numeric || is_local(s)) {
		connect_to(s);
		return;
	}
	s->state = CONN_RESOLVING;
	struct loop_dns_query *q =
	    loop_dns_resolve(s->o->loop, s->host, s->port, s->conn.ops->stream, resolvedcb, s);
	if (s->state == CONN_RESOLVING)
		s->query = q; /* else it answered at once */
}

/* The socket is ready for what a connection in progress waits for. */
static void continue_connect(struct syslog_sink *s)
{
	int e = s->conn.ops->connect_continue(&s->conn);
	if (e == EINPROGRESS) {
		set_watch(s, s->conn.want);
		return;
	}
	if (e) {
		fail(s, "connect", e);
		return;
	}
	connected(s);
}

static void reconnect_timercb(void *arg) { start_connect(arg); }

static void connect_timercb(void *arg)
{
	struct syslog_sink *s = arg;
	if (s->state == CONN_CONNECTING)
		fail(s, "connect", ETIMEDOUT);
}

static void ack_timercb(void *arg) { pump(arg); }

/* Up, bytes in flight, and nothing acknowledged for stall_timeout: the
 * peer accepts but does not read. A new connection may find it reading
 * again (or another address of its name); meanwhile the queue holds what
 * it can and counts what it cannot. */
static void stall_timercb(void *arg)
{
	struct syslog_sink *s = arg;
	if (s->state != CONN_UP)
		return;
	uint64_t seen = s->acked_seen;
	note_acks(s);
	if (s->acked_seen != seen || !syslog_queue_in_flight(&s->q)) {
		pump(s); /* it moved at the last moment: the clock starts over */
		return;
	}
	snprintf(s->conn.reason, sizeof s->conn.reason,
		 "the peer acknowledged nothing for %.0f s while records waited for it (it "
		 "accepts but does not read): connecting again",
		 s->stall_s);
	fail(s, "stalled", ETIMEDOUT);
}

/* ---- sending ---- */

static bool want_retry(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS || e == EINTR;
}

/* One send of what the queue offers: as many stream frames as one call
 * takes, or one datagram. 0 = progress, else errno. */
static int send_some(struct syslog_sink *s)
{
	struct iovec iov[SYSLOG_IOV_MAX];
	int n = syslog_queue_unsent(&s->q, iov, SYSLOG_IOV_MAX);
	ssize_t r = s->conn.ops->send(&s->conn, iov, n);
	if (r == -EMSGSIZE && !s->conn.ops->stream) {
		/* too big for any datagram: give that one up, not the queue */
		s->o->stats.errors++;
		report_loss(s, "message of %zu bytes too long for a datagram, dropped",
			    iov[0].iov_len);
		syslog_queue_reject(&s->q);
		return 0;
	}
	if (r < 0)
		return (int)-r;
	syslog_queue_sent(&s->q, (size_t)r);
	note_acks(s);
	return 0;
}

static void build_report(struct syslog_sink *s);

/* Bytes wait to be sent: in the queue, or taken by the transport (TLS)
 * but not on the socket yet. */
static bool has_unsent(const struct syslog_sink *s)
{
	return syslog_queue_has_unsent(&s->q) || s->conn.unflushed;
}

/* Written, not yet acknowledged: nothing else would look again (the ack
 * timer), and the stall clock runs (started over by note_acks). */
static void watch_acks(struct syslog_sink *s)
{
	if (!syslog_queue_in_flight(&s->q)) {
		loop_timer_disarm(s->stall_timer);
		return;
	}
	if (!loop_timer_armed(s->ack_timer))
		arm(s, s->ack_timer, SYSLOG_ACK_CHECK_S, "acknowledgement check");
	if (!loop_timer_armed(s->stall_timer))
		arm(s, s->stall_timer, s->stall_s, "stall timeout");
}

/* Send what the socket takes now; wait for writability for the rest. */
static void pump(struct syslog_sink *s)
{
	if (s->state != CONN_UP)
		return;
	/* the report goes first: put in front when nothing is on its way */
	if (syslog_queue_report_due(&s->q))
		build_report(s);
	bool blocked = false;
	while (!blocked && has_unsent(s)) {
		int e = send_some(s);
		if (e == 0 || e == EINTR)
			continue;
		if (!want_retry(e)) {
			fail(s, "send", e);
			return;
		}
		set_watch(s, idle_watch(s) | s->conn.want);
		blocked = true;
	}
	note_acks(s);
	if (s->conn.ops->acked)
		watch_acks(s);
	if (!blocked)
		set_watch(s, idle_watch(s));
}

/* The peer never sends: readable means it closed, or an ICMP error. */
static void check_readable(struct syslog_sink *s)
{
	ssize_t n = s->conn.ops->recv(&s->conn);
	if (n > 0 || (n < 0 && want_retry((int)-n)))
		return;
	fail(s, n == 0 ? "connection closed by the peer" : "receive",
	     n == 0 ? ECONNRESET : (int)-n);
}

static void sockcb(int fd, short what, void *arg)
{
	struct syslog_sink *s = arg;
	(void)fd;
	if (s->state == CONN_CONNECTING) {
		continue_connect(s);
		return;
	}
	if (what & LOOP_READ) {
		check_readable(s);
		if (s->state != CONN_UP)
			return;
	}
	/* ready for what the last blocked send waited for (TCP: writable) */
	if (what & (LOOP_WRITE | s->conn.want))
		pump(s);
}

/* ---- messages ---- */

static void frame_begin(struct syslog_sink *s, unsigned severity, const char *msgid,
			const struct timeval *ts)
{
	buf_reset(&s->frame);
	s->hdr.pri = s->facility * 8 + severity;
	s->hdr.msgid = msgid;
	s->hdr.ts = *ts;
	syslog_frame_begin(&s->frame, &s->hdr);
}

static bool is_5424(const struct syslog_sink *s) { return s->hdr.format == SYSLOG_FRAME_RFC5424; }

/* Queue the frame built; make room first if the peer takes messages. */
static void submit(struct syslog_sink *s)
{
	if (!buf_ok(&s->frame)) {
		syslog_queue_drop(&s->q);
		return;
	}
	if (syslog_queue_full(&s->q))
		pump(s);
	if (syslog_queue_push(&s->q, s->frame.data, s->frame.len))
		return;
	if (syslog_queue_full(&s->q))
		report_loss(s, "queue full (%zu records): dropping records", s->q.cap);
	else
		report_loss(s, "out of memory: dropping records");
}

/* SD parameter names are the JSON keys ("inner.src" for nested ones). */
static void make_sd_names(struct syslog_sink *s)
{
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		if (f->journal && strcmp(f->journal, "NFLOG_PAYLOAD") == 0)
			s->sd_names[i][0] = '\0'; /* too large for a syslog message */
		else if (f->parent)
			snprintf(s->sd_names[i], sizeof s->sd_names[i], "%s.%s", f->parent, f->key);
		else
			snprintf(s->sd_names[i], sizeof s->sd_names[i], "%s", f->key);
	}
}

static void put_sd_field(struct syslog_sink *s, size_t i, const struct field_src *src)
{
	buf_reset(&s->value);
	if (field_put(&fields_table[i], &s->value, src))
		syslog_sd_param(&s->frame, s->sd_names[i], s->value.data, s->value.len);
}

/* [SD-ID timestamp=".." group=".." prefix=".." ...]: every field of
 * the table that has a journal name, but the payload. */
static void put_record_sd(struct syslog_sink *s, const struct nflogd_record *rec,
			  const struct nflogd_decoded *dec)
{
	const struct field_src src = { rec, dec };
	unsigned layers = field_layers(&src);
	syslog_sd_open(&s->frame, s->sd_id);
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		if (!f->journal || f->type == FIELD_OBJECT || !(f->layer & layers) ||
		    !s->sd_names[i][0])
			continue;
		put_sd_field(s, i, &src);
	}
	syslog_sd_close(&s->frame);
}

static void syslog_write(struct output *o, const struct nflogd_record *rec,
			 const struct nflogd_decoded *dec)
{
	struct syslog_sink *s = o->priv;
	frame_begin(s, s->severity, "NFLOG", &rec->ts);
	if (is_5424(s)) {
		if (s->sd)
			put_record_sd(s, rec, dec);
		else
			syslog_sd_nil(&s->frame);
	}
	buf_reset(&s->line);
	format_text(&s->line, rec, dec, o->log_flags);
	syslog_frame_msg(&s->frame, s->line.data, s->line.len);
	submit(s);
}

static void sd_param_u64(struct buf *b, const char *name, uint64_t v)
{
	char t[24];
	int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
	syslog_sd_param(b, name, t, (size_t)n);
}

static void syslog_write_loss(struct output *o, const struct output_loss *loss)
{
	struct syslog_sink *s = o->priv;
	frame_begin(s, SEV_WARNING, "LOSS", &loss->when);
	const char *reason = output_loss_reason(loss->kind);
	if (is_5424(s) && s->sd) {
		syslog_sd_open(&s->frame, s->sd_id);
		sd_param_u64(&s->frame, "group", loss->group);
		if (loss->netns)
			syslog_sd_param(&s->frame, "netns", loss->netns, strlen(loss->netns));
		if (loss->count)
			sd_param_u64(&s->frame, "lost", loss->count);
		syslog_sd_param(&s->frame, "reason", reason, strlen(reason));
		syslog_sd_close(&s->frame);
	} else if (is_5424(s)) {
		syslog_sd_nil(&s->frame);
	}
	buf_reset(&s->line);
	buf_printf(&s->line, "group %u%s%s lost ", loss->group, loss->netns ? " in netns " : "",
		   loss->netns ? loss->netns : "");
	if (loss->count)
		buf_put_u64(&s->line, loss->count);
	else
		buf_putlit(&s->line, "an unknown number of");
	buf_printf(&s->line, " messages (%s)", reason);
	syslog_frame_msg(&s->frame, s->line.data, s->line.len);
	submit(s);
}

static void syslog_write_event(struct output *o, enum output_event ev, const char *text)
{
	struct syslog_sink *s = o->priv;
	struct timeval now;
	gettimeofday(&now, NULL);
	frame_begin(s, SEV_INFO,
		    ev == OUTPUT_EVENT_START	? "START"
		    : ev == OUTPUT_EVENT_RELOAD ? "RELOAD"
						: "STOP",
		    &now);
	if (is_5424(s))
		syslog_sd_nil(&s->frame);
	syslog_frame_msg(&s->frame, text, strlen(text));
	submit(s);
}

/* The message that goes before the queue: how many records were dropped
 * since the last such message. */
static void build_report(struct syslog_sink *s)
{
	struct timeval now;
	gettimeofday(&now, NULL);
	frame_begin(s, SEV_WARNING, "DROPPED", &now);
	if (is_5424(s) && s->sd) {
		syslog_sd_open(&s->frame, s->sd_id);
		sd_param_u64(&s->frame, "dropped", s->q.unreported);
		syslog_sd_close(&s->frame);
	} else if (is_5424(s)) {
		syslog_sd_nil(&s->frame);
	}
	buf_reset(&s->line);
	buf_printf(&s->line,
		   "output %s dropped %llu records (peer away or slow, queue of %zu full)",
		   s->o->name, (unsigned long long)s->q.unreported, s->q.cap);
	syslog_frame_msg(&s->frame, s->line.data, s->line.len);
	/* out of memory: nothing changes, the next pump tries again */
	if (buf_ok(&s->frame))
		syslog_queue_put_report(&s->q, s->frame.data, s->frame.len);
}

/* ---- lifecycle ---- */

static void describe_peer(struct syslog_sink *s, const struct output_config *oc)
{
	if (is_local(s)) {
		snprintf(s->peer, sizeof s->peer, "%s", oc->socket_path);
		return;
	}
	bool v6 = strchr(s->host, ':') != NULL;
	snprintf(s->peer, sizeof s->peer, "%s://%s%s%s:%u", s->conn.ops->scheme, v6 ? "[" : "",
		 s->host, v6 ? "]" : "", s->port);
}

/* An address literal, parsed into addr (no lookup, nothing blocks). */
static bool parse_literal(struct syslog_sink *s)
{
	struct addrinfo hints = {
		.ai_socktype = s->conn.ops->stream ? SOCK_STREAM : SOCK_DGRAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *res = NULL;
	char port[8];
	snprintf(port, sizeof port, "%u", s->port);
	if (getaddrinfo(s->host, port, &hints, &res) != 0 || !res)
		return false;
	memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
	s->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return true;
}

/* Where to send: the local socket's address now, a host's at connect. */
static void setup_peer(struct syslog_sink *s, const struct output_config *oc)
{
	syslog_conn_init(&s->conn, syslog_transport_for(oc->transport));
	snprintf(s->host, sizeof s->host, "%s", oc->host);
	s->port = oc->port;
	describe_peer(s, oc);
	if (!is_local(s)) {
		s->numeric = parse_literal(s);
		return;
	}
	struct sockaddr_un *un = (struct sockaddr_un *)&s->addr;
	un->sun_family = AF_UNIX;
	snprintf(un->sun_path, sizeof un->sun_path, "%s", oc->socket_path);
	s->addrlen = sizeof *un;
}

static void setup_header(struct syslog_sink *s, const struct output_config *oc)
{
	bool rfc5424 = oc->syslog_format == SYSLOG_FORMAT_RFC5424 ||
		       (oc->syslog_format == SYSLOG_FORMAT_AUTO && oc->transport != SYSLOG_LOCAL);
	snprintf(s->ident, sizeof s->ident, "%s", oc->ident);
	if (gethostname(s->hostname, sizeof s->hostname - 1) < 0)
		s->hostname[0] = '\0';
	s->hdr.format = rfc5424 ? SYSLOG_FRAME_RFC5424 : SYSLOG_FRAME_RFC3164;
	if (oc->syslog_format == SYSLOG_FORMAT_KERNEL)
		s->hdr.format = SYSLOG_FRAME_KERNEL;
	s->hdr.app_name = s->ident;
	/* syslog(3) names no host on the local socket; the network needs one */
	s->hdr.hostname = rfc5424 || oc->transport != SYSLOG_LOCAL ? s->hostname : NULL;
	s->hdr.procid = (unsigned long)getpid();
	s->facility = oc->facility;
	s->severity = oc->priority & 7;
	s->sd = oc->structured_data;
	snprintf(s->sd_id, sizeof s->sd_id, "%s", oc->sd_id);
}

static void sink_free(struct syslog_sink *s)
{
	if (!s)
		return;
	loop_event_free(s->reconnect_timer);
	loop_event_free(s->connect_timer);
	loop_event_free(s->ack_timer);
	loop_event_free(s->stall_timer);
	syslog_tls_free(s->tls);
	syslog_queue_free(&s->q);
	buf_free(&s->frame);
	buf_free(&s->line);
	buf_free(&s->value);
	free(s->sd_names);
	free(s);
}

/* The sink with its timers and queue, not connected; NULL when out of
 * memory. */
static struct syslog_sink *sink_new(struct output *o, const struct output_config *oc)
{
	struct syslog_sink *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->o = o;
	s->reconnect_timer = loop_timer(o->loop, false, reconnect_timercb, s);
	s->connect_timer = loop_timer(o->loop, false, connect_timercb, s);
	s->ack_timer = loop_timer(o->loop, false, ack_timercb, s);
	s->stall_timer = loop_timer(o->loop, false, stall_timercb, s);
	s->sd_names = calloc(fields_count, sizeof *s->sd_names);
	bool stream = syslog_transport_for(oc->transport)->stream;
	if (syslog_queue_init(&s->q, oc->queue_size, stream, &o->stats) < 0 ||
	    !s->reconnect_timer || !s->connect_timer || !s->ack_timer || !s->stall_timer ||
	    !s->sd_names) {
		sink_free(s);
		return NULL;
	}
	s->report_limit = (struct ratelimit)RATELIMIT_INIT(SYSLOG_REPORT_INTERVAL_S);
	s->loss_limit = (struct ratelimit)RATELIMIT_INIT(SYSLOG_REPORT_INTERVAL_S);
	s->stall_s = oc->stall_timeout;
	syslog_backoff_init(&s->backoff, SYSLOG_BACKOFF_MIN_S, SYSLOG_BACKOFF_MAX_S);
	return s;
}

/* TLS: the context made from the config's bytes, for every connection. */
static int setup_tls(struct syslog_sink *s, const struct output_config *oc, char *err,
		     size_t errlen)
{
	char why[1024];
	if (oc->transport != SYSLOG_TLS)
		return 0;
	if (!(s->tls = syslog_tls_new(&oc->tls, oc->host, why, sizeof why))) {
		snprintf(err, errlen, "output %s: tls: %s", oc->name, why);
		return -1;
	}
	s->conn.priv = s->tls;
	if (!oc->tls.verify)
		log_warn("output %s: tls verify = false: the server's certificate is not "
			 "checked, so anyone on the path to %s can pose as the server and read "
			 "the records",
			 oc->name, s->peer);
	return 0;
}

static int syslog_open(struct output *o, const struct output_config *oc, char *err, size_t errlen)
{
	if (!o->loop) {
		snprintf(err, errlen, "output %s: syslog needs the event loop", oc->name);
		return -1;
	}
	struct syslog_sink *s = sink_new(o, oc);
	if (!s) {
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		return -1;
	}
	setup_peer(s, oc);
	if (setup_tls(s, oc, err, errlen) < 0) {
		sink_free(s);
		return -1;
	}
	setup_header(s, oc);
	make_sd_names(s);
	o->priv = s;
	/* A peer that is not there yet is no reason to refuse to start:
	 * records queue and the connection is retried. */
	start_connect(s);
	return 0;
}

static void syslog_flush(struct output *o)
{
	struct syslog_sink *s = o->priv;
	if (s->state == CONN_DOWN)
		schedule_reconnect(s); /* armed already, unless arming failed */
	pump(s);
}

/* Reopen means "start afresh" here: a new connection (a name may have
 * moved, a restarted local daemon made a new socket). */
static int syslog_reopen(struct output *o, char *err, size_t errlen)
{
	struct syslog_sink *s = o->priv;
	(void)err;
	(void)errlen;
	if (s->state == CONN_UP && syslog_queue_empty(&s->q)) {
		disconnect(s);
		start_connect(s);
	}
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* poll(2) events for what the connection waits for (default: writable). */
static short poll_events(short want)
{
	short ev = (want & LOOP_READ ? POLLIN : 0) | (want & LOOP_WRITE ? POLLOUT : 0);
	return ev ? ev : POLLOUT;
}

/* A short, bounded chance for the queue at close, then count the rest. */
static void drain(struct syslog_sink *s)
{
	long deadline = now_ms() + SYSLOG_CLOSE_DRAIN_MS;
	if (syslog_queue_records(&s->q) && s->state <= CONN_RESOLVING && s->addrlen) {
		/* the timers will not fire again: one try now, at the address
		 * found last (a lookup would need the loop) */
		disconnect(s);
		connect_to(s);
	}
	pump(s);
	while (!syslog_queue_empty(&s->q) && s->state != CONN_DOWN) {
		long left = deadline - now_ms();
		if (left <= 0)
			break;
		if (s->state == CONN_UP && !has_unsent(s)) {
			poll(NULL, 0, 5); /* all written: wait for the acks */
			pump(s);
			continue;
		}
		struct pollfd p = { .fd = s->conn.fd, .events = poll_events(s->conn.want) };
		if (poll(&p, 1, (int)left) <= 0)
			break;
		if (s->state == CONN_CONNECTING)
			continue_connect(s);
		else
			pump(s);
	}
	size_t n = syslog_queue_clear(&s->q);
	if (n)
		log_warn("output %s: %zu records not delivered to %s at close, dropped", s->o->name,
			 n, s->peer);
}

static void syslog_close(struct output *o)
{
	struct syslog_sink *s = o->priv;
	if (!s)
		return;
	drain(s);
	disconnect(s);
	sink_free(s);
	o->priv = NULL;
}

const struct output_ops output_syslog_ops = {
	.open = syslog_open,
	.write = syslog_write,
	.write_loss = syslog_write_loss,
	.write_event = syslog_write_event,
	.flush = syslog_flush,
	.reopen = syslog_reopen,
	.close = syslog_close,
};
