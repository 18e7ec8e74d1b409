/* nflogr_handle.c - the public handle (struct nflogr): a reader, its
 * interface-name cache, and nflogr's ENOBUFS policy on top of them.
 *
 * Records are handed out as the reader parsed them, without a copy. A
 * blocking read waits in poll() and then reads without blocking, so a
 * signal ends the wait (EINTR) and interface renames seen meanwhile are
 * applied before the record is named.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ifcache.h"
#include "netns.h"
#include "nflogr_internal.h"

/* How often link events (renames, removals) are read into the cache: a
 * syscall every few milliseconds rather than one per record. */
#define IFNAMES_REFRESH_NS (10 * 1000 * 1000)

struct nflogr {
	struct nflog_reader *reader;
	struct ifcache *ifc;
	struct nflogr_record cur; /* the record handed out last */
	bool held;		  /* cur is handed out again by the next read */
	bool overrun;		  /* RAISE: an overrun not reported yet */
	enum nflogr_enobufs enobufs;
	int64_t ifnames_checked; /* CLOCK_MONOTONIC_COARSE, ns */
	char error[512];
	char warning[512];
};

const char *nflogr_version(void) { return NFLOGR_LIB_VERSION; }

static int fail(struct nflogr *h, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct nflogr *h, int err, const char *fmt, ...)
{
	int n = snprintf(h->error, sizeof h->error, "NFLOG group %u: ", nflogr_group(h));
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof h->error)
		vsnprintf(h->error + n, sizeof h->error - (size_t)n, fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

static void on_loss(void *arg, uint16_t group, enum nflog_loss_kind kind, uint64_t count)
{
	struct nflogr *h = arg;
	(void)group;
	(void)count;
	if (kind == NFLOG_LOSS_ENOBUFS && h->enobufs == NFLOGR_ENOBUFS_RAISE)
		h->overrun = true;
}

static void copy_message(char *out, size_t len, const char *msg)
{
	if (out && len)
		snprintf(out, len, "%s", msg);
}

/* Create the name cache and bind the group: in the namespace of
 * opt->netns_fd when one is given. errno and err say why on failure. */
static int open_sockets(struct nflogr *h, const struct nflogr_options *opt, char *err,
			size_t errlen)
{
	int home = -1;
	if (opt->netns_fd >= 0 && netns_enter(opt->netns_fd, &home) < 0) {
		int e = errno;
		snprintf(err, errlen, "NFLOG group %u: cannot enter network namespace (fd %d): %s",
			 opt->reader.group, opt->netns_fd, strerror(e));
		errno = e;
		return -1;
	}
	struct nflog_options ro = opt->reader;
	h->ifc = ifcache_open();
	ro.ifcache = h->ifc;
	ro.on_loss = on_loss;
	ro.loss_arg = h;
	if (h->ifc)
		h->reader = nflog_reader_open(&ro, err, errlen, h->warning, sizeof h->warning);
	else
		snprintf(err, errlen, "NFLOG group %u: out of memory", ro.group);
	int e = errno;
	if (home >= 0 && netns_leave(home) < 0) {
		e = errno;
		snprintf(err, errlen,
			 "NFLOG group %u: cannot return to the caller's network namespace: %s",
			 ro.group, strerror(e));
		nflog_reader_close(h->reader);
		h->reader = NULL;
	}
	errno = e;
	return h->reader ? 0 : -1;
}

struct nflogr *nflogr_open(uint16_t group, const struct nflogr_options *opt, char *err,
			   size_t errlen)
{
	char why[512] = "";
	struct nflogr_options *defaults = NULL;
	if (!opt && !(opt = defaults = nflogr_options_new())) {
		copy_message(err, errlen, "out of memory");
		return NULL;
	}
	struct nflogr_options o = *opt;
	nflogr_options_free(defaults);
	o.reader.group = group;

	struct nflogr *h = calloc(1, sizeof *h);
	if (!h) {
		snprintf(why, sizeof why, "NFLOG group %u: out of memory", group);
	} else {
		h->enobufs = (enum nflogr_enobufs)o.reader.enobufs;
		if (open_sockets(h, &o, why, sizeof why) == 0)
			return h;
	}
	int e = h ? errno : ENOMEM;
	copy_message(err, errlen, why);
	if (h) {
		ifcache_close(h->ifc);
		free(h);
	}
	errno = e;
	return NULL;
}

void nflogr_close(struct nflogr *h)
{
	if (!h)
		return;
	nflog_reader_close(h->reader);
	ifcache_close(h->ifc);
	free(h);
}

int nflogr_unbind(struct nflogr *h)
{
	if (nflog_reader_unbind(h->reader) < 0)
		return fail(h, errno, "unbind: %s", strerror(errno));
	return 0;
}

int nflogr_fd(const struct nflogr *h) { return nflog_reader_fd(h->reader); }
uint16_t nflogr_group(const struct nflogr *h) { return nflog_reader_group(h->reader); }
unsigned nflogr_flags(const struct nflogr *h) { return nflog_reader_flags(h->reader); }
uint64_t nflogr_rcvbuf(const struct nflogr *h) { return nflog_reader_rcvbuf(h->reader); }
size_t nflogr_queued(const struct nflogr *h) { return nflog_reader_queued(h->reader) + h->held; }
const char *nflogr_last_error(const struct nflogr *h) { return h->error; }
const char *nflogr_warning(const struct nflogr *h) { return h->warning; }

int nflogr_set_rcvbuf(struct nflogr *h, uint64_t bytes)
{
	if (bytes > (1ULL << 30))
		return fail(h, EINVAL, "rcvbuf %llu is above 2^30", (unsigned long long)bytes);
	if (!nflog_reader_set_rcvbuf(h->reader, bytes))
		return fail(h, errno, "cannot set rcvbuf %llu: %s", (unsigned long long)bytes,
			    strerror(errno));
	return 0;
}

uint64_t nflogr_counter(const struct nflogr *h, enum nflogr_counter which)
{
	const struct nflog_counters *c = nflog_reader_counters(h->reader);
	switch (which) {
	case NFLOGR_RECEIVED: return c->received;
	case NFLOGR_DROPS: return c->drops;
	case NFLOGR_LOST: return nflog_reader_lost(h->reader, NULL);
	case NFLOGR_TRUNCATED: return c->truncated;
	case NFLOGR_MALFORMED: return c->malformed;
	case NFLOGR_RCVBUF_GROWS: return c->rcvbuf_grows;
	case NFLOGR_UNSEQUENCED: return c->unsequenced;
	}
	return 0;
}

uint64_t nflogr_lost(const struct nflogr *h, bool *exact)
{
	return nflog_reader_lost(h->reader, exact);
}

/* Read link events into the name cache, at most every few milliseconds. */
static void refresh_ifnames(struct nflogr *h)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	int64_t t = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	if (t - h->ifnames_checked < IFNAMES_REFRESH_NS)
		return;
	h->ifnames_checked = t;
	ifcache_process_events(h->ifc);
}

/* Wait until the socket is readable: 0, or -1 (EINTR on a signal). */
static int wait_readable(struct nflogr *h)
{
	struct pollfd p = { .fd = nflogr_fd(h), .events = POLLIN };
	if (poll(&p, 1, -1) < 0)
		return fail(h, errno, "waiting for records: %s", strerror(errno));
	return 0;
}

/* Under RAISE, fail once after an overrun. */
static int report_overrun(struct nflogr *h)
{
	h->overrun = false;
	return fail(h, ENOBUFS,
		    "the socket overran (ENOBUFS): the kernel dropped records; a larger rcvbuf, "
		    "or enobufs handle, avoids this error");
}

int nflogr_queue(struct nflogr *h, bool wait)
{
	for (;;) {
		refresh_ifnames(h);
		int r = nflog_reader_queue(h->reader, false);
		if (h->overrun)
			return report_overrun(h);
		if (r < 0)
			return fail(h, errno, "receive failed: %s", strerror(errno));
		if (r > 0 || !wait)
			return r + h->held;
		if (wait_readable(h) < 0)
			return -1;
	}
}

int nflogr_next(struct nflogr *h, bool wait, const struct nflogr_record **rec)
{
	if (h->held) {
		h->held = false;
		*rec = &h->cur;
		return 1;
	}
	for (;;) {
		refresh_ifnames(h);
		int r = nflog_reader_next(h->reader, false, &h->cur.r);
		if (h->overrun) {
			h->held = r == 1; /* handed out by the next call */
			return report_overrun(h);
		}
		if (r < 0)
			return fail(h, errno, "receive failed: %s", strerror(errno));
		if (r == 1) {
			*rec = &h->cur;
			return 1;
		}
		if (!wait)
			return 0;
		if (wait_readable(h) < 0)
			return -1;
	}
}

long nflogr_loop(struct nflogr *h, nflogr_record_fn fn, void *arg, long count, bool wait)
{
	long done = 0;
	while (count < 0 || done < count) {
		const struct nflogr_record *rec;
		int r = nflogr_next(h, wait, &rec);
		if (r < 0)
			return done ? done : -1;
		if (r == 0)
			break;
		done++;
		if (fn(rec, arg))
			break;
	}
	return done;
}
