/* journal_conn.c - journald's native socket, the queue of entries and the
 * accounting of what journald has read (see journal_conn.h).
 *
 * The queue is one byte buffer: entries back to back, each a 12-byte
 * header (length, flags, what it holds in the kernel) and its bytes. [head, cursor) is in flight
 * (sent, not known read), [cursor, len) waits to be sent. Entries are
 * kept until known read so that they can be sent again if the socket
 * dies; the buffer is reset when it empties and compacted when its dead
 * front grows large.
 */
#include "journal_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/sockios.h> /* SIOCOUTQ */

#include "log.h"
#include "ratelimit.h" /* ratelimit_now_ms */

/* libsystemd's size: journald may be slow, the kernel holds this much */
#define JOURNAL_SNDBUF (8 * 1024 * 1024)
/* compact the queue once this much of its front is dead */
#define COMPACT_MIN (64 * 1024)
#ifndef MFD_NOEXEC_SEAL /* Linux 6.3; older headers lack it */
#define MFD_NOEXEC_SEAL 0x0008U
#endif

enum {
	ENTRY_RECORD = 1, /* a record the caller counts */
	ENTRY_MEMFD = 2,  /* sent in a memfd: no bytes in the datagram */
	ENTRY_FAILED = 4, /* the kernel refused it: dropped once its turn comes */
};

struct entry_hdr {
	uint32_t len;
	uint32_t flags;
	uint32_t wire; /* in flight: at most the kernel memory it holds */
};

struct journal_conn {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
	struct buf q;
	size_t head, cursor;
	size_t n_inflight, n_pending;	    /* entries */
	uint64_t rec_inflight, rec_pending; /* records among them */
	uint64_t wire_inflight;		    /* at most their socket memory (sum of wire) */
	int calib[2];			    /* a private socket pair: a datagram's size */
	uint32_t truesize[JOURNAL_DGRAM_MAX / 64 + 1]; /* per 64-byte length class */
	size_t confirmable; /* oldest in-flight entries a look saw read */
	size_t max_entries, max_bytes;
	size_t building; /* offset of the entry being built */
	struct journal_conn_stats stats;
};

static struct entry_hdr hdr_at(const struct journal_conn *c, size_t off)
{
	struct entry_hdr h;
	memcpy(&h, c->q.data + off, sizeof h);
	return h;
}

static void hdr_put(struct journal_conn *c, size_t off, struct entry_hdr h)
{
	memcpy(c->q.data + off, &h, sizeof h);
}

static size_t next_entry(const struct journal_conn *c, size_t off)
{
	return off + sizeof(struct entry_hdr) + hdr_at(c, off).len;
}

static uint64_t records_of(struct entry_hdr h) { return h.flags & ENTRY_RECORD ? 1 : 0; }

struct journal_conn *journal_conn_new(const char *path, size_t max_entries, size_t max_bytes)
{
	struct journal_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	snprintf(c->path, sizeof c->path, "%s", path);
	c->fd = -1;
	c->calib[0] = c->calib[1] = -1;
	c->max_entries = max_entries ? max_entries : 1;
	c->max_bytes = max_bytes;
	buf_init(&c->q);
	return c;
}

void journal_conn_free(struct journal_conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	if (c->calib[0] >= 0) {
		close(c->calib[0]);
		close(c->calib[1]);
	}
	buf_free(&c->q);
	free(c);
}

/* ---- the queue ---- */

/* Entries in flight do not count against max_entries: journald's socket
 * holds them (its queue is bounded) until a look sees them read; the
 * bytes they keep here count against max_bytes. */
bool journal_conn_room(const struct journal_conn *c, size_t entries)
{
	return c->n_pending + entries <= c->max_entries && c->q.len - c->head < c->max_bytes;
}

struct buf *journal_conn_entry_begin(struct journal_conn *c)
{
	static const struct entry_hdr empty;
	c->building = c->q.len;
	buf_put(&c->q, &empty, sizeof empty);
	return &c->q;
}

bool journal_conn_entry_end(struct journal_conn *c, bool record)
{
	size_t len = c->q.len - c->building - sizeof(struct entry_hdr);
	if (!buf_ok(&c->q) || len > UINT32_MAX) {
		c->q.len = c->building;
		c->q.failed = false;
		return false;
	}
	hdr_put(c, c->building, (struct entry_hdr){ (uint32_t)len, record ? ENTRY_RECORD : 0, 0 });
	c->n_pending++;
	c->rec_pending += record;
	return true;
}

/* Drop the dead front: reset an empty queue, move a long-dead front away. */
static void compact(struct journal_conn *c)
{
	if (c->head == c->q.len) {
		c->head = c->cursor = c->q.len = 0;
		return;
	}
	if (c->head < COMPACT_MIN || c->head < c->q.len - c->head)
		return;
	memmove(c->q.data, c->q.data + c->head, c->q.len - c->head);
	c->q.len -= c->head;
	c->cursor -= c->head;
	c->head = 0;
}

/* The k oldest entries in flight are read (or, refused, dropped). */
static void confirm(struct journal_conn *c, size_t k)
{
	for (; k > 0 && c->n_inflight > 0; k--) {
		struct entry_hdr h = hdr_at(c, c->head);
		uint64_t rec = records_of(h);
		if (h.flags & ENTRY_FAILED) {
			c->stats.dropped += rec;
		} else {
			c->stats.written += rec;
			c->stats.bytes += h.len;
		}
		c->rec_inflight -= rec;
		c->wire_inflight -= h.wire;
		c->n_inflight--;
		c->head = next_entry(c, c->head);
	}
	compact(c);
}

/* The entry at the cursor left (or was given up): it is in flight now. */
static void advance(struct journal_conn *c, struct entry_hdr h)
{
	hdr_put(c, c->cursor, h);
	c->cursor = next_entry(c, c->cursor);
	c->n_pending--;
	c->rec_pending -= records_of(h);
	c->n_inflight++;
	c->rec_inflight += records_of(h);
	c->wire_inflight += h.wire;
}

/* A send worked: the socket was alive, so the last look was true. */
static void proven_alive(struct journal_conn *c)
{
	size_t k = c->confirmable;
	c->confirmable = 0;
	if (k)
		confirm(c, k);
}

/* ---- the socket ---- */

/* Errors that say the socket we were connected to is gone. */
static bool connection_lost(int e)
{
	return e == ECONNREFUSED || e == ENOTCONN || e == ECONNRESET || e == EPIPE ||
	       e == EDESTADDRREQ || e == EBADF;
}

/* The socket died: close it; what was in flight waits to be sent again. */
static void lost(struct journal_conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->stats.errors++;
	c->stats.resent += c->rec_inflight;
	c->cursor = c->head;
	c->n_pending += c->n_inflight;
	c->rec_pending += c->rec_inflight;
	c->n_inflight = 0;
	c->rec_inflight = 0;
	c->wire_inflight = 0;
	c->confirmable = 0;
}

/* As libsystemd does: a large send buffer, forced past wmem_max if we may. */
static void grow_sndbuf(int fd)
{
	int v = JOURNAL_SNDBUF, got = 0;
	socklen_t l = sizeof got;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &got, &l) == 0 && got >= v)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v) < 0)
		log_debug("%s: SO_SNDBUFFORCE: %s (send buffer %d bytes)", __func__,
			  strerror(errno), got);
}

int journal_conn_connect(struct journal_conn *c)
{
	if (c->fd >= 0)
		return 0;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, c->path, sizeof sa.sun_path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		c->stats.errors++;
		return -errno;
	}
	grow_sndbuf(fd);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(fd);
		c->stats.errors++;
		return -e;
	}
	c->fd = fd;
	return 0;
}

int journal_conn_fd(const struct journal_conn *c) { return c->fd; }

static int send_dgram(struct journal_conn *c, const char *p, size_t n)
{
	return send(c->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* A sealed memfd holding the n bytes at p, or a negative errno. */
static int sealed_memfd(const char *p, size_t n)
{
	int m = memfd_create("nflogd-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
	if (m < 0 && errno == EINVAL) /* a kernel before 6.3 */
		m = memfd_create("nflogd-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (m < 0)
		return -errno;
	for (size_t done = 0; done < n;) {
		ssize_t w = write(m, p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;
			close(m);
			return -e;
		}
		done += (size_t)w;
	}
	if (fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		int e = errno;
		close(m);
		return -e;
	}
	return m;
}

/* The protocol's other form: an empty datagram carrying the memfd. */
static int send_memfd(struct journal_conn *c, const char *p, size_t n)
{
	int m = sealed_memfd(p, n);
	if (m < 0)
		return m;
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct msghdr mh = { .msg_control = &ctl, .msg_controllen = sizeof ctl };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &m, sizeof m);
	int r = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -errno : 0;
	close(m);
	if (r == 0)
		c->stats.memfd++;
	return r;
}

/* SIOCOUTQ: the bytes of kernel memory our datagrams in the peer's socket
 * hold (each is charged to its sender until read); -1 on failure. */
static int outq_of(int fd)
{
	int outq;
	return ioctl(fd, SIOCOUTQ, &outq) < 0 || outq < 0 ? -1 : outq;
}

/* What a datagram of n bytes holds in the kernel while unread, at least:
 * measured once per 64-byte class of lengths, with a datagram of the
 * class's smallest length (p's first bytes) on a private socket pair that
 * nobody else uses, so SIOCOUTQ there is exactly its size. Never less
 * than the class's smallest length + 1; the kernel only adds to that. */
static uint32_t wire_for(struct journal_conn *c, const char *p, size_t n)
{
	size_t k = n / 64;
	if (c->truesize[k])
		return c->truesize[k];
	uint32_t least = (uint32_t)(k * 64) + 1;
	if (c->calib[0] < 0 &&
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, c->calib) < 0) {
		c->calib[0] = c->calib[1] = -1;
		return least;
	}
	int size = -1;
	if (send(c->calib[0], p, k * 64, MSG_DONTWAIT) >= 0) {
		size = outq_of(c->calib[0]);
		(void)!recv(c->calib[1], NULL, 0, MSG_DONTWAIT | MSG_TRUNC);
	}
	c->truesize[k] = size >= (int)least ? (uint32_t)size : least;
	log_debug("%s: a datagram of %zu..%zu bytes holds %u bytes of the kernel's", __func__,
		  k * 64, k * 64 + 63, c->truesize[k]);
	return c->truesize[k];
}

/* A look: our datagrams in journald's socket hold outq bytes. They are
 * the newest in flight, and each holds at least its wire: the entries
 * older than the newest whose wires add up to more than outq are read.
 * They are counted once a later send shows the socket was alive then. */
static void look_at(struct journal_conn *c, int outq)
{
	uint64_t rest = c->wire_inflight;
	size_t off = c->head, k = 0;
	while (k < c->n_inflight && rest > (uint64_t)outq) {
		rest -= hdr_at(c, off).wire;
		off = next_entry(c, off);
		k++;
	}
	/* refused entries right after those are settled too (never sent) */
	while (k < c->n_inflight && hdr_at(c, off).flags & ENTRY_FAILED) {
		off = next_entry(c, off);
		k++;
	}
	c->confirmable = k;
}

/* Send the entry at the cursor. 0 when it left (or was given up), else
 * the errno that stops sending. */
static int send_one(struct journal_conn *c)
{
	struct entry_hdr h = hdr_at(c, c->cursor);
	const char *p = c->q.data + c->cursor + sizeof h;
	h.flags &= ENTRY_RECORD;
	int r = -EMSGSIZE;
	if (h.len <= JOURNAL_DGRAM_MAX)
		r = send_dgram(c, p, h.len);
	if (r == -EMSGSIZE) {
		r = send_memfd(c, p, h.len);
		h.flags |= ENTRY_MEMFD;
	}
	if (r == 0) {
		h.wire = wire_for(c, p, h.flags & ENTRY_MEMFD ? 0 : h.len);
		advance(c, h);
		proven_alive(c);
		return 0;
	}
	if (r == -EAGAIN || r == -ENOBUFS || r == -EINTR)
		return r;
	if (connection_lost(-r)) {
		lost(c);
		return r;
	}
	log_debug("%s: an entry of %u bytes refused: %s", __func__, h.len, strerror(-r));
	c->stats.errors++;
	h.flags |= ENTRY_FAILED;
	h.wire = 0; /* not in the kernel at all */
	advance(c, h);
	return 0;
}

int journal_conn_send(struct journal_conn *c)
{
	if (c->fd < 0)
		return -ENOTCONN;
	while (c->n_pending > 0) {
		int r = send_one(c);
		if (r < 0)
			return r;
	}
	return 0;
}

void journal_conn_observe(struct journal_conn *c)
{
	if (c->fd < 0 || !c->n_inflight)
		return;
	int outq = outq_of(c->fd);
	if (outq >= 0)
		look_at(c, outq);
}

int journal_conn_probe(struct journal_conn *c)
{
	if (c->fd < 0)
		return -ENOTCONN;
	int r = send_dgram(c, "", 0);
	if (r == 0)
		proven_alive(c);
	else if (connection_lost(-r))
		lost(c);
	return r;
}

bool journal_conn_unproven(const struct journal_conn *c) { return c->confirmable > 0; }

uint64_t journal_conn_queued(const struct journal_conn *c)
{
	return c->rec_pending + c->rec_inflight;
}

size_t journal_conn_in_flight(const struct journal_conn *c) { return c->n_inflight; }

size_t journal_conn_pending(const struct journal_conn *c) { return c->n_pending; }

const struct journal_conn_stats *journal_conn_stats(const struct journal_conn *c)
{
	return &c->stats;
}

/* ---- close ---- */

/* One round of the drain: send, look, prove. False when it cannot go on
 * (journald is not there). */
static bool drain_step(struct journal_conn *c)
{
	if (c->fd < 0 && journal_conn_connect(c) < 0)
		return false;
	journal_conn_observe(c);
	int r = journal_conn_send(c);
	if (r < 0 && r != -EAGAIN && r != -ENOBUFS && r != -EINTR)
		return true; /* lost: connect again in the next round */
	if (!c->n_pending && c->confirmable)
		journal_conn_probe(c);
	return true;
}

uint64_t journal_conn_drain(struct journal_conn *c, int timeout_ms)
{
	int64_t deadline = ratelimit_now_ms() + timeout_ms;
	while (c->n_pending + c->n_inflight > 0 && drain_step(c)) {
		int64_t left = deadline - ratelimit_now_ms();
		if (left <= 0)
			break;
		/* a full socket: wait until it takes more; else give journald a
		 * moment to read what it has */
		bool full = c->n_pending && c->fd >= 0;
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		if (poll(full ? &p : NULL, full, (int)(left < 10 ? left : 10)) < 0 &&
		    errno != EINTR)
			break;
	}
	uint64_t left = journal_conn_queued(c);
	c->stats.dropped += left;
	c->head = c->cursor = c->q.len = 0;
	c->n_pending = c->n_inflight = 0;
	c->rec_pending = c->rec_inflight = c->wire_inflight = 0;
	c->confirmable = 0;
	return left;
}
