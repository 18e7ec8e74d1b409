/* output_syslog.c - records to a syslog daemon: the local socket
 * (/dev/log) or a remote target over UDP or TCP.
 *
 * Nothing here ever blocks the loop. Records are framed at write() into
 * a bounded queue (queue_size records, a ring of reusable buffers) and
 * sent from flush() and from the socket's write callback, with
 * MSG_DONTWAIT, only as far as the socket takes them. While the peer is
 * away or slow the queue holds the backlog; a record that finds it full
 * is dropped and counted (tail drop: the backlog keeps the oldest
 * records, in order). The next time the peer takes messages it first
 * gets one saying how many were dropped (MSGID DROPPED).
 *
 * Connections are made non-blocking and retried with exponential backoff
 * (SYSLOG_BACKOFF_MIN_S doubling up to SYSLOG_BACKOFF_MAX_S). A TCP or
 * UDP socket is also watched for reading: a peer that closes (FIN) or an
 * ICMP port unreachable shows up there before the next record is lost
 * into a dead connection.
 *
 * TCP frames are octet-counted (RFC 6587 3.4.1), so a byte in a message
 * can never end a frame; messages themselves carry no control bytes
 * (syslog_frame.c escapes them).
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

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_acked */

#include "fields.h"
#include "format.h"
#include "log.h"
#include "ratelimit.h"
#include "loop.h"
#include "syslog_frame.h"

#define SYSLOG_SD_ID "nflog@32473"
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

enum conn_state { CONN_DOWN, CONN_CONNECTING, CONN_UP };

struct syslog_sink {
	struct output *o;
	enum syslog_transport transport;
	char path[108]; /* local socket */
	char host[256];
	uint16_t port;
	char peer[300]; /* for messages: the socket path or the target */
	bool numeric;	/* host is an address literal: resolved once */
	struct sockaddr_storage addr;
	socklen_t addrlen;	  /* 0: not resolved */
	struct sockaddr_un local; /* SYSLOG_LOCAL */

	struct syslog_frame_hdr hdr; /* per output; msgid, pri and ts set per message */
	unsigned facility, severity;
	char ident[49];
	char hostname[256];
	bool sd;

	int fd;
	enum conn_state state;
	short watching;		  /* what ev waits for */
	struct loop_event *ev;	  /* the socket, while there is one */
	struct loop_event *timer; /* down: reconnect; connecting: give up; up: acks */
	double backoff;
	bool was_down; /* a connection failed since the last success */

	struct buf *ring; /* queued frames, ready to send (TCP: counted) */
	size_t cap, head, count;
	/* TCP: the write cursor (frame w_idx after head, w_off bytes into it),
	 * the acknowledged bytes of the head frame, and the peer's
	 * tcpi_bytes_acked where the report or the head frame starts */
	size_t w_idx, w_off, head_acked;
	uint64_t acked_mark;

	struct buf report;	     /* the DROPPED message, sent before the queue */
	size_t report_off;	     /* bytes of it sent */
	size_t report_acked;	     /* TCP: bytes of it acknowledged */
	uint64_t report_count;	     /* the drops it tells of */
	uint64_t dropped_unreported; /* drops no report has covered yet */

	struct buf frame, line, value;		  /* scratch */
	char (*sd_names)[SYSLOG_SD_NAME_MAX + 1]; /* per fields_table entry, made once */
	struct ratelimit report_limit;
};

/* ---- reporting ---- */

static void report(struct syslog_sink *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Rate-limited: a dead peer would otherwise log once per record. */
static void report(struct syslog_sink *s, const char *fmt, ...)
{
	if (!ratelimit_allow(&s->report_limit))
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_warn("output %s: %s (%s; %llu queued, %llu dropped, %llu errors so far)", s->o->name,
		 msg, s->peer, (unsigned long long)s->count,
		 (unsigned long long)s->o->stats.dropped, (unsigned long long)s->o->stats.errors);
}

/* ---- the queue ---- */

static void queue_pop(struct syslog_sink *s)
{
	s->head = (s->head + 1) % s->cap;
	s->count--;
	s->head_acked = 0;
	if (s->w_idx > 0)
		s->w_idx--;
	else
		s->w_off = 0;
	s->o->stats.queued = s->count;
}

static bool queue_push(struct syslog_sink *s, const char *frame, size_t len)
{
	if (s->count == s->cap)
		return false;
	struct buf *slot = &s->ring[(s->head + s->count) % s->cap];
	buf_reset(slot);
	if (s->transport == SYSLOG_TCP)
		syslog_octet_count(slot, frame, len);
	else
		buf_put(slot, frame, len);
	if (!buf_ok(slot)) {
		buf_reset(slot);
		return false;
	}
	s->count++;
	s->o->stats.queued = s->count;
	return true;
}

/* ---- the socket ---- */

static void sockcb(int fd, short what, void *arg);
static void pump(struct syslog_sink *s);

static void set_watch(struct syslog_sink *s, short what)
{
	if (!s->ev || s->watching == what)
		return;
	if (loop_fd_set(s->ev, what) == 0)
		s->watching = what;
}

/* TCP and UDP sockets are read too: EOF or an ICMP error shows there. */
static short idle_watch(const struct syslog_sink *s)
{
	return s->transport == SYSLOG_LOCAL ? 0 : LOOP_READ;
}

static void ack_update(struct syslog_sink *s);

static void clear_report(struct syslog_sink *s)
{
	buf_reset(&s->report);
	s->report_off = 0;
	s->report_acked = 0;
}

static void disconnect(struct syslog_sink *s)
{
	if (s->state == CONN_UP && s->transport == SYSLOG_TCP)
		ack_update(s); /* the last word on what the peer got */
	if (s->timer)
		loop_timer_disarm(s->timer);
	loop_event_free(s->ev);
	s->ev = NULL;
	s->watching = 0;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->state = CONN_DOWN;
	/* what the peer did not acknowledge is sent again, whole frames */
	s->w_idx = s->w_off = s->head_acked = 0;
	if (s->report.len) { /* told again, with what comes meanwhile */
		s->dropped_unreported += s->report_count;
		clear_report(s);
	}
}

static void schedule_reconnect(struct syslog_sink *s)
{
	if (!s->timer || loop_timer_armed(s->timer))
		return;
	if (loop_timer_arm(s->timer, s->backoff) < 0)
		log_error("output %s: cannot arm its reconnect timer", s->o->name);
	s->backoff = s->backoff * 2 > SYSLOG_BACKOFF_MAX_S ? SYSLOG_BACKOFF_MAX_S : s->backoff * 2;
}

static void fail(struct syslog_sink *s, const char *what, int e)
{
	s->o->stats.errors++;
	s->was_down = true;
	report(s, "%s: %s; retrying in %.1f s", what, strerror(e), s->backoff);
	disconnect(s);
	schedule_reconnect(s);
}

static uint64_t bytes_acked(const struct syslog_sink *s)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	memset(&ti, 0, sizeof ti);
	if (getsockopt(s->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	return ti.tcpi_bytes_acked;
}

static void connected(struct syslog_sink *s)
{
	loop_timer_disarm(s->timer); /* the connect timeout */
	s->state = CONN_UP;
	if (s->transport == SYSLOG_TCP)
		s->acked_mark = bytes_acked(s); /* the handshake counts too */
	s->backoff = SYSLOG_BACKOFF_MIN_S;
	if (s->was_down)
		log_info("output %s: connected to %s; %llu records waiting, %llu dropped so far",
			 s->o->name, s->peer, (unsigned long long)s->count,
			 (unsigned long long)s->o->stats.dropped);
	s->was_down = false;
	set_watch(s, idle_watch(s));
	pump(s);
}

/* Host names are looked up at each attempt (they may move); literals once. */
static int resolve(struct syslog_sink *s)
{
	if (s->transport == SYSLOG_LOCAL || (s->numeric && s->addrlen))
		return 0;
	struct addrinfo hints = {
		.ai_socktype = s->transport == SYSLOG_TCP ? SOCK_STREAM : SOCK_DGRAM,
		.ai_flags = AI_NUMERICSERV | (s->numeric ? AI_NUMERICHOST : 0),
	};
	char port[8];
	snprintf(port, sizeof port, "%u", s->port);
	struct addrinfo *res = NULL;
	int r = getaddrinfo(s->host, port, &hints, &res);
	if (r != 0 || !res) {
		s->o->stats.errors++;
		s->was_down = true;
		report(s, "cannot resolve %s: %s; retrying in %.1f s", s->host,
		       r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r), s->backoff);
		return -1;
	}
	memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
	s->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int make_socket(struct syslog_sink *s, const struct sockaddr **sa, socklen_t *len)
{
	if (s->transport == SYSLOG_LOCAL) {
		memset(&s->local, 0, sizeof s->local);
		s->local.sun_family = AF_UNIX;
		memcpy(s->local.sun_path, s->path, strlen(s->path) + 1);
		*sa = (const struct sockaddr *)&s->local;
		*len = sizeof s->local;
		return socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	*sa = (const struct sockaddr *)&s->addr;
	*len = s->addrlen;
	int type = s->transport == SYSLOG_TCP ? SOCK_STREAM : SOCK_DGRAM;
	return socket(s->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/* Start a connection; it completes now (unix, UDP) or in sockcb (TCP). */
static void start_connect(struct syslog_sink *s)
{
	if (s->state != CONN_DOWN)
		return;
	if (resolve(s) < 0) {
		schedule_reconnect(s);
		return;
	}
	const struct sockaddr *sa;
	socklen_t len;
	s->fd = make_socket(s, &sa, &len);
	if (s->fd < 0) {
		fail(s, "socket", errno);
		return;
	}
	if (!(s->ev = loop_watch_fd(s->o->loop, s->fd, 0, sockcb, s))) {
		fail(s, "watch socket", ENOMEM);
		return;
	}
	if (connect(s->fd, sa, len) == 0) {
		connected(s);
		return;
	}
	if (errno != EINPROGRESS) {
		fail(s, "connect", errno);
		return;
	}
	s->state = CONN_CONNECTING;
	set_watch(s, LOOP_WRITE);
	if (loop_timer_arm(s->timer, SYSLOG_CONNECT_TIMEOUT_S) < 0)
		log_error("output %s: cannot arm its connect timer", s->o->name);
}

static void timercb(void *arg)
{
	struct syslog_sink *s = arg;
	if (s->state == CONN_UP)
		pump(s);
	else if (s->state == CONN_DOWN)
		start_connect(s);
	else
		fail(s, "connect", ETIMEDOUT);
}

/* ---- sending ---- */

static bool want_retry(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS || e == EINTR;
}

/* Datagrams: one message each, all or nothing. 0 = progress, else errno. */
static int send_dgram(struct syslog_sink *s)
{
	bool is_report = s->report.len > 0;
	struct buf *m = is_report ? &s->report : &s->ring[s->head];
	if (send(s->fd, m->data, m->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		if (errno != EMSGSIZE)
			return errno;
		/* too big for any datagram: give that one up, not the queue */
		s->o->stats.errors++;
		report(s, "message of %zu bytes too long for a datagram, dropped", m->len);
		if (!is_report) {
			s->o->stats.dropped++;
			s->dropped_unreported++;
		}
	} else {
		s->o->stats.bytes += m->len;
		s->o->stats.written += !is_report;
	}
	if (is_report)
		clear_report(s);
	else
		queue_pop(s);
	return 0;
}

/* Move the write cursor over n bytes a stream send took: the report
 * first, then frames. */
static void stream_sent(struct syslog_sink *s, size_t n)
{
	s->o->stats.bytes += n;
	if (s->report.len && s->report_off < s->report.len) {
		size_t left = s->report.len - s->report_off;
		size_t take = n < left ? n : left;
		s->report_off += take;
		n -= take;
	}
	while (n && s->w_idx < s->count) {
		size_t left = s->ring[(s->head + s->w_idx) % s->cap].len - s->w_off;
		if (n < left) {
			s->w_off += n;
			return;
		}
		n -= left;
		s->w_idx++;
		s->w_off = 0;
	}
}

/* Release what the peer acknowledged since the last look: the report
 * (always ahead of the frames written after it), then whole frames. */
static void ack_update(struct syslog_sink *s)
{
	uint64_t acked = bytes_acked(s);
	uint64_t delta = acked > s->acked_mark ? acked - s->acked_mark : 0;
	s->acked_mark += delta;
	if (delta && s->report.len) {
		size_t left = s->report.len - s->report_acked;
		size_t take = delta < left ? (size_t)delta : left;
		s->report_acked += take;
		delta -= take;
		if (s->report_acked == s->report.len)
			clear_report(s);
	}
	while (delta && s->count) {
		size_t left = s->ring[s->head].len - s->head_acked;
		if (delta < left) {
			s->head_acked += (size_t)delta;
			return;
		}
		delta -= left;
		s->o->stats.written++;
		queue_pop(s);
	}
}

/* TCP: as many queued frames as one sendmsg takes, then release what was
 * acknowledged. 0 = progress, EAGAIN when all is written but not yet
 * acknowledged, else errno. */
static int send_stream(struct syslog_sink *s)
{
	struct iovec iov[SYSLOG_IOV_MAX];
	int n = 0;
	if (s->report.len && s->report_off < s->report.len)
		iov[n++] =
		    (struct iovec){ s->report.data + s->report_off, s->report.len - s->report_off };
	for (size_t i = s->w_idx; i < s->count && n < SYSLOG_IOV_MAX; i++) {
		struct buf *m = &s->ring[(s->head + i) % s->cap];
		size_t off = i == s->w_idx ? s->w_off : 0;
		iov[n++] = (struct iovec){ m->data + off, m->len - off };
	}
	if (n == 0) {
		ack_update(s);
		return 0;
	}
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)n };
	ssize_t r = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r < 0)
		return errno;
	stream_sent(s, (size_t)r);
	ack_update(s);
	return 0;
}

/* Whether the stream has something to write (TCP) or send (datagrams). */
static bool has_unsent(const struct syslog_sink *s)
{
	if (s->report.len && s->report_off < s->report.len)
		return true;
	return s->transport == SYSLOG_TCP ? s->w_idx < s->count : s->count > 0;
}

static void build_report(struct syslog_sink *s);

/* Send what the socket takes now; wait for writability for the rest. */
static void pump(struct syslog_sink *s)
{
	if (s->state != CONN_UP)
		return;
	/* the report goes first: build it when nothing is on its way */
	if (!s->report.len && s->dropped_unreported && s->w_idx == 0 && s->w_off == 0)
		build_report(s);
	while (has_unsent(s)) {
		int e = s->transport == SYSLOG_TCP ? send_stream(s) : send_dgram(s);
		if (e == 0 || e == EINTR)
			continue;
		if (want_retry(e)) {
			set_watch(s, idle_watch(s) | LOOP_WRITE);
			return;
		}
		fail(s, "send", e);
		return;
	}
	if (s->transport == SYSLOG_TCP) {
		ack_update(s);
		/* written, not yet acknowledged: nothing else would look again */
		if (s->count && !loop_timer_armed(s->timer) &&
		    loop_timer_arm(s->timer, SYSLOG_ACK_CHECK_S) < 0)
			log_error("output %s: cannot arm its timer", s->o->name);
	}
	set_watch(s, idle_watch(s));
}

/* The peer never sends: readable means it closed, or an ICMP error. */
static void check_readable(struct syslog_sink *s)
{
	char b[256];
	ssize_t n = recv(s->fd, b, sizeof b, MSG_DONTWAIT);
	if (n > 0 || (n < 0 && want_retry(errno)))
		return;
	fail(s, n == 0 ? "connection closed by the peer" : "receive", n == 0 ? ECONNRESET : errno);
}

static void finish_connect(struct syslog_sink *s)
{
	int e = 0;
	socklen_t len = sizeof e;
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	if (e) {
		fail(s, "connect", e);
		return;
	}
	connected(s);
}

static void sockcb(int fd, short what, void *arg)
{
	struct syslog_sink *s = arg;
	(void)fd;
	if (s->state == CONN_CONNECTING) {
		finish_connect(s);
		return;
	}
	if (what & LOOP_READ) {
		check_readable(s);
		if (s->state != CONN_UP)
			return;
	}
	if (what & LOOP_WRITE)
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
		s->o->stats.dropped++;
		s->dropped_unreported++;
		return;
	}
	if (s->count == s->cap)
		pump(s);
	if (queue_push(s, s->frame.data, s->frame.len))
		return;
	s->o->stats.dropped++;
	s->dropped_unreported++;
	report(s, "queue full (%zu records): dropping records", s->cap);
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

/* [nflog@32473 timestamp=".." group=".." prefix=".." ...]: every field of
 * the table that has a journal name, but the payload. */
static void put_record_sd(struct syslog_sink *s, const struct nflogd_record *rec,
			  const struct nflogd_decoded *dec)
{
	const struct field_src src = { rec, dec };
	unsigned layers = field_layers(&src);
	syslog_sd_open(&s->frame, SYSLOG_SD_ID);
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
		syslog_sd_open(&s->frame, SYSLOG_SD_ID);
		sd_param_u64(&s->frame, "group", loss->group);
		if (loss->count)
			sd_param_u64(&s->frame, "lost", loss->count);
		syslog_sd_param(&s->frame, "reason", reason, strlen(reason));
		syslog_sd_close(&s->frame);
	} else if (is_5424(s)) {
		syslog_sd_nil(&s->frame);
	}
	buf_reset(&s->line);
	buf_printf(&s->line, "group %u lost ", loss->group);
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
		syslog_sd_open(&s->frame, SYSLOG_SD_ID);
		sd_param_u64(&s->frame, "dropped", s->dropped_unreported);
		syslog_sd_close(&s->frame);
	} else if (is_5424(s)) {
		syslog_sd_nil(&s->frame);
	}
	buf_reset(&s->line);
	buf_printf(&s->line,
		   "output %s dropped %llu records (peer away or slow, queue of %zu full)",
		   s->o->name, (unsigned long long)s->dropped_unreported, s->cap);
	syslog_frame_msg(&s->frame, s->line.data, s->line.len);
	buf_reset(&s->report);
	if (s->transport == SYSLOG_TCP)
		syslog_octet_count(&s->report, s->frame.data, s->frame.len);
	else
		buf_put(&s->report, s->frame.data, s->frame.len);
	if (!buf_ok(&s->report)) {
		buf_reset(&s->report);
		return;
	}
	s->report_off = 0;
	s->report_count = s->dropped_unreported;
	s->dropped_unreported = 0;
}

/* ---- lifecycle ---- */

static void describe_peer(struct syslog_sink *s)
{
	if (s->transport == SYSLOG_LOCAL) {
		snprintf(s->peer, sizeof s->peer, "%s", s->path);
		return;
	}
	bool v6 = strchr(s->host, ':') != NULL;
	snprintf(s->peer, sizeof s->peer, "%s://%s%s%s:%u",
		 s->transport == SYSLOG_TCP ? "tcp" : "udp", v6 ? "[" : "", s->host, v6 ? "]" : "",
		 s->port);
}

static bool is_literal(const char *host)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *res = NULL;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return false;
	freeaddrinfo(res);
	return true;
}

static void setup_header(struct syslog_sink *s, const struct output_config *oc)
{
	bool rfc5424 = oc->syslog_format == SYSLOG_FORMAT_RFC5424 ||
		       (oc->syslog_format == SYSLOG_FORMAT_AUTO && oc->transport != SYSLOG_LOCAL);
	snprintf(s->ident, sizeof s->ident, "%s", oc->ident);
	if (gethostname(s->hostname, sizeof s->hostname - 1) < 0)
		s->hostname[0] = '\0';
	s->hdr.format = rfc5424 ? SYSLOG_FRAME_RFC5424 : SYSLOG_FRAME_RFC3164;
	s->hdr.app_name = s->ident;
	/* syslog(3) names no host on the local socket; the network needs one */
	s->hdr.hostname = rfc5424 || oc->transport != SYSLOG_LOCAL ? s->hostname : NULL;
	s->hdr.procid = (unsigned long)getpid();
	s->facility = oc->facility;
	s->severity = oc->priority & 7;
	s->sd = oc->structured_data;
}

static int syslog_open(struct output *o, const struct output_config *oc, char *err, size_t errlen)
{
	if (!o->loop) {
		snprintf(err, errlen, "output %s: syslog needs the event loop", oc->name);
		return -1;
	}
	struct syslog_sink *s = calloc(1, sizeof *s);
	if (s) {
		s->report_limit = (struct ratelimit)RATELIMIT_INIT(SYSLOG_REPORT_INTERVAL_S);
		s->ring = calloc(oc->queue_size ? oc->queue_size : 1, sizeof *s->ring);
		s->timer = loop_timer(o->loop, false, timercb, s);
		s->sd_names = calloc(fields_count, sizeof *s->sd_names);
	}
	if (!s || !s->ring || !s->timer || !s->sd_names) {
		if (s) {
			free(s->ring);
			free(s->sd_names);
			loop_event_free(s->timer);
		}
		free(s);
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		return -1;
	}
	s->o = o;
	s->fd = -1;
	s->cap = oc->queue_size ? oc->queue_size : 1;
	s->transport = oc->transport;
	snprintf(s->path, sizeof s->path, "%s", oc->socket_path);
	snprintf(s->host, sizeof s->host, "%s", oc->host);
	s->port = oc->port;
	s->numeric = s->transport != SYSLOG_LOCAL && is_literal(s->host);
	s->backoff = SYSLOG_BACKOFF_MIN_S;
	describe_peer(s);
	setup_header(s, oc);
	make_sd_names(s);
	o->priv = s;
	/* A peer that is not there yet is no reason to refuse to start:
	 * records queue and the connection is retried. */
	start_connect(s);
	return 0;
}

static void syslog_flush(struct output *o) { pump(o->priv); }

/* Reopen means "start afresh" here: a new connection (a name may have
 * moved, a restarted local daemon made a new socket). */
static int syslog_reopen(struct output *o, char *err, size_t errlen)
{
	struct syslog_sink *s = o->priv;
	(void)err;
	(void)errlen;
	if (s->state == CONN_UP && s->count == 0 && !s->report.len) {
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

/* A short, bounded chance for the queue at close, then count the rest. */
static void drain(struct syslog_sink *s)
{
	long deadline = now_ms() + SYSLOG_CLOSE_DRAIN_MS;
	if (s->count && s->state == CONN_DOWN)
		start_connect(s); /* the timer will not fire again: one try now */
	pump(s);
	while ((s->count || s->report.len) && s->state != CONN_DOWN) {
		long left = deadline - now_ms();
		if (left <= 0)
			break;
		if (s->state == CONN_UP && !has_unsent(s)) {
			poll(NULL, 0, 5); /* all written: wait for the acks */
			pump(s);
			continue;
		}
		struct pollfd p = { .fd = s->fd, .events = POLLOUT };
		if (poll(&p, 1, (int)left) <= 0)
			break;
		if (s->state == CONN_CONNECTING)
			finish_connect(s);
		else
			pump(s);
	}
	if (!s->count)
		return;
	s->o->stats.dropped += s->count;
	log_warn("output %s: %zu records not delivered to %s at close, dropped", s->o->name,
		 s->count, s->peer);
	s->count = 0;
	s->o->stats.queued = 0;
}

static void syslog_close(struct output *o)
{
	struct syslog_sink *s = o->priv;
	if (!s)
		return;
	drain(s);
	disconnect(s);
	loop_event_free(s->timer);
	for (size_t i = 0; i < s->cap; i++)
		buf_free(&s->ring[i]);
	free(s->ring);
	buf_free(&s->report);
	buf_free(&s->frame);
	buf_free(&s->line);
	buf_free(&s->value);
	free(s->sd_names);
	free(s);
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
