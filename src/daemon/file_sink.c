/* file_sink.c - whole records appended to a file, with rotation, reopen
 * on request and a bounded backlog while the disk is full (file_sink.h).
 * Where a record ends is the framing's business (record_len): lines for
 * the file output, pcap records for the pcap output. */
#include "file_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "output.h"

#define FILE_BATCH_MAX (512 * 1024)
#define FILE_REPORT_INTERVAL_S 10 /* at most one message per kind per 10 s */
#define FILE_RETRY_S 1.0	  /* failed writes and reopens are retried this often */
#define FILE_ROTATE_RETRY_S 60	  /* after a failed rename */

static time_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ---- records in the batch ---- */

/* The whole records of batch[off..] that fit in limit bytes: their length,
 * and their number in *records. */
static size_t whole_records(const struct file_sink *f, size_t off, size_t limit, uint64_t *records)
{
	size_t used = 0;
	uint64_t n = 0;
	while (off + used < f->batch.len) {
		size_t len =
		    f->framing->record_len(f->batch.data + off + used, f->batch.len - off - used);
		if (!len || used + len > limit)
			break;
		used += len;
		n++;
	}
	*records = n;
	return used;
}

/* ---- writing ---- */

int file_sink_cut(struct file_sink *f, uint64_t keep)
{
	if (ftruncate(f->fd, (off_t)keep) < 0) {
		log_warn("output %s: cannot cut %s back to %llu bytes: %s", f->out->name, f->path,
			 (unsigned long long)keep, strerror(errno));
		return -1;
	}
	f->size = keep;
	return 0;
}

/* Cut the last `partial` bytes (part of a record) off the end of the
 * file; its real size, since someone may have cut it meanwhile. */
static void cut_tail(struct file_sink *f, uint64_t partial)
{
	struct stat st;
	const char *end = f->framing->partial_end;
	if (!partial || fstat(f->fd, &st) < 0 || (uint64_t)st.st_size < partial)
		return;
	if (file_sink_cut(f, (uint64_t)st.st_size - partial) == 0 || !end)
		return;
	/* cannot cut it: end it, so the next record at least starts clean */
	if (write(f->fd, end, strlen(end)) > 0)
		f->size = (uint64_t)st.st_size + strlen(end);
}

/* write() all n bytes; returns how many went out, *e says why not all. */
static size_t write_all(int fd, const char *p, size_t n, int *e)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		*e = w < 0 ? errno : ENOSPC;
		break;
	}
	return done;
}

/* A new, empty file gets the framing's header before any record: 0, or
 * -1 with errno in *e (the file is cut back to empty, the header stays
 * pending and goes first into the next write that works). */
static int put_header(struct file_sink *f, int *e)
{
	if (!f->header_pending)
		return 0;
	size_t n = f->framing->header_len;
	size_t w = write_all(f->fd, (const char *)f->framing->header, n, e);
	f->size += w;
	if (w < n) {
		cut_tail(f, w);
		return -1;
	}
	f->header_pending = false;
	return 0;
}

/* ---- opening ---- */

/* owner / group of a file nflogd just created; needs root (or the file's
 * owner for a group it belongs to). */
static void set_owner(const struct file_sink *f, int fd)
{
	if (f->uid < 0 && f->gid < 0)
		return;
	if (fchown(fd, f->uid < 0 ? (uid_t)-1 : (uid_t)f->uid,
		   f->gid < 0 ? (gid_t)-1 : (gid_t)f->gid) < 0)
		log_warn("cannot set owner %lld group %lld of %s: %s", (long long)f->uid,
			 (long long)f->gid, f->path, strerror(errno));
}

/* The file just opened: an existing one is checked by the framing, an
 * empty one gets its header (or will, with the next write that works). */
static int prepare_file(struct file_sink *f, char *err, size_t errlen)
{
	if (f->size > 0 && f->framing->check_existing &&
	    f->framing->check_existing(f, err, errlen) < 0)
		return -1;
	f->header_pending = f->size == 0 && f->framing->header_len > 0;
	int e = 0;
	if (put_header(f, &e) < 0)
		log_debug("%s: output %s: header of %s not written yet: %s", __func__, f->out->name,
			  f->path, strerror(e));
	return 0;
}

/* An existing file, for appending. Read access too when allowed (for the
 * framing to look at what it holds); O_NONBLOCK: opening a FIFO for
 * writing would wait for a reader (refused right after, by not_regular()). */
static int open_existing(const struct file_sink *f)
{
	int fd = open(f->path, O_RDWR | O_APPEND | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == EACCES)
		fd = open(f->path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK);
	return fd;
}

/* Refuse anything but a regular file (a FIFO, a socket, a device): writes
 * to it could block the loop. 0, or -1 with the reason in err. */
static int not_regular(const struct file_sink *f, int fd, char *err, size_t errlen)
{
	struct stat st;
	const char *kind = fstat(fd, &st) == 0 ? config_not_regular(st.st_mode) : NULL;
	if (!kind)
		return 0;
	snprintf(err, errlen,
		 "%s is %s, not a regular file: a file output writes only regular files", f->path,
		 kind);
	return -1;
}

/* The open failed: say why, naming what the path is when that is why
 * (a FIFO without a reader fails with ENXIO). */
static void open_failed(const struct file_sink *f, int e, char *err, size_t errlen)
{
	struct stat st;
	const char *kind = stat(f->path, &st) == 0 ? config_not_regular(st.st_mode) : NULL;
	if (kind)
		snprintf(err, errlen,
			 "%s is %s, not a regular file: a file output writes only regular files",
			 f->path, kind);
	else
		snprintf(err, errlen, "cannot open %s: %s", f->path, strerror(e));
}

/* A regular file at path, opened to append (created when missing): its
 * descriptor, or -1 with the reason in err. */
static int open_regular(struct file_sink *f, char *err, size_t errlen)
{
	/* Create with the configured mode exactly (umask would narrow it);
	 * an existing file keeps its own mode and owner. */
	int fd = open(f->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, f->mode);
	if (fd >= 0) {
		if (fchmod(fd, f->mode) < 0) /* the file stays as umask made it */
			log_warn("cannot set mode 0%o of %s: %s", f->mode, f->path,
				 strerror(errno));
		set_owner(f, fd);
	} else if (errno == EEXIST) {
		fd = open_existing(f);
	}
	if (fd < 0) {
		open_failed(f, errno, err, errlen);
		return -1;
	}
	if (not_regular(f, fd, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_SETFL, O_APPEND) < 0) { /* O_NONBLOCK off again */
		snprintf(err, errlen, "cannot use %s: %s", f->path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int open_path(struct file_sink *f, char *err, size_t errlen)
{
	int fd = open_regular(f, err, errlen);
	if (fd < 0)
		return -1;
	struct stat st;
	int old = f->fd;
	f->fd = fd;
	f->size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	if (prepare_file(f, err, errlen) < 0) {
		close(fd);
		f->fd = old;
		return -1;
	}
	return 0;
}

/* Open path anew; the old descriptor is closed only once that worked. */
static int reopen_path(struct file_sink *f, char *err, size_t errlen)
{
	int old = f->fd;
	uint64_t old_size = f->size;
	bool old_pending = f->header_pending;
	if (open_path(f, err, errlen) < 0) {
		f->size = old_size;
		f->header_pending = old_pending;
		return -1;
	}
	if (old >= 0)
		close(old);
	f->reopen_pending = false;
	f->rotate_retry_at = 0;
	return 0;
}

/* A timer the loop refused (out of memory) is counted and said: what it
 * paces (retries, interval rotation) would otherwise stop silently. */
static void timer_failed(struct file_sink *f, const char *which)
{
	char sup[64];
	f->out->stats.errors++;
	if (ratelimit_allow(&f->rotate_report))
		log_error("output %s: cannot arm its %s timer%s", f->out->name, which,
			  ratelimit_suppressed_text(&f->rotate_report, sup, sizeof sup));
}

static void arm_retry(struct file_sink *f)
{
	if (f->retry_timer && !loop_timer_armed(f->retry_timer) &&
	    loop_timer_arm(f->retry_timer, FILE_RETRY_S) < 0)
		timer_failed(f, "retry");
}

/* ---- rotation ---- */

static void rotated_name(const struct file_sink *f, unsigned k, char *out, size_t len)
{
	snprintf(out, len, "%s.%u", f->path, k);
}

/* path.(keep-1) -> path.keep, ..., path.1 -> path.2: make room for path.1.
 * Stops at the first failure rather than overwrite a file that stayed. */
static int shift_old_files(struct file_sink *f, char *err, size_t errlen)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	for (unsigned k = f->rotate_keep - 1; k >= 1; k--) {
		rotated_name(f, k, from, sizeof from);
		rotated_name(f, k + 1, to, sizeof to);
		if (rename(from, to) < 0 && errno != ENOENT) {
			snprintf(err, errlen, "cannot rename %s to %s: %s", from, to,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void rotate_failed(struct file_sink *f, const char *why)
{
	char sup[64];
	f->rotate_retry_at = mono_now() + FILE_ROTATE_RETRY_S;
	if (ratelimit_allow(&f->rotate_report))
		log_error("output %s: rotation failed, still writing to the current file: %s%s",
			  f->out->name, why,
			  ratelimit_suppressed_text(&f->rotate_report, sup, sizeof sup));
}

/* Between two records: the current file becomes path.1 and a new one is
 * opened. 0, or -1 when the file could not be renamed (nothing changed
 * then) or the new one not opened (the old fd goes on; retried). */
static int rotate(struct file_sink *f)
{
	char err[PATH_MAX * 2 + 64], first[PATH_MAX + 16];
	if (f->rotate_retry_at && mono_now() < f->rotate_retry_at)
		return -1;
	if (shift_old_files(f, err, sizeof err) < 0) {
		rotate_failed(f, err);
		return -1;
	}
	rotated_name(f, 1, first, sizeof first);
	/* ENOENT: someone moved the file away already; just start a new one */
	if (rename(f->path, first) < 0 && errno != ENOENT) {
		snprintf(err, sizeof err, "cannot rename %s to %s: %s", f->path, first,
			 strerror(errno));
		rotate_failed(f, err);
		return -1;
	}
	if (reopen_path(f, err, sizeof err) < 0) {
		f->reopen_pending = true;
		arm_retry(f);
		rotate_failed(f, err);
		return -1;
	}
	log_info("output %s: rotated %s to %s", f->out->name, f->path, first);
	return 0;
}

/* Whether the current file holds a record (more than its header): an
 * empty file is not rotated. */
static bool has_records(const struct file_sink *f)
{
	return f->size > (f->header_pending ? 0 : f->framing->header_len);
}

/* Length of the whole records of batch[off..] that still fit in the file
 * before it reaches rotate_size; 0 if not even one. */
static size_t fitting_records(const struct file_sink *f, size_t off)
{
	uint64_t used = f->size + (f->header_pending ? f->framing->header_len : 0);
	uint64_t room = used >= f->rotate_size ? 0 : f->rotate_size - used;
	uint64_t n;
	return whole_records(f, off, room > SIZE_MAX ? SIZE_MAX : (size_t)room, &n);
}

/* How much of batch[off..] to write next: all of it, or the records that
 * fit before a size rotation (which happens here, between two records). */
static size_t next_chunk(struct file_sink *f, size_t off)
{
	size_t rest = f->batch.len - off;
	if (!f->rotate_size || f->size + rest <= f->rotate_size)
		return rest;
	struct stat st; /* the real size: the file may have been cut meanwhile */
	if (fstat(f->fd, &st) == 0)
		f->size = (uint64_t)st.st_size;
	size_t n = fitting_records(f, off);
	if (n)
		return n;
	if (has_records(f) && rotate(f) < 0)
		return rest; /* keep writing where we are; rotation retried later */
	n = fitting_records(f, off);
	if (n)
		return n;
	/* one record longer than rotate_size: it gets a file of its own */
	return f->framing->record_len(f->batch.data + off, rest);
}

/* Seconds until the clock next crosses a multiple of interval, counted in
 * local time (daily: midnight, hourly: the full hour). */
static double seconds_to_boundary(uint32_t interval)
{
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	time_t now = tv.tv_sec;
	localtime_r(&now, &tm);
	long long local = (long long)now + tm.tm_gmtoff;
	double left = (double)(interval - (uint32_t)(local % interval)) - (double)tv.tv_usec / 1e6;
	/* a timer that fired a little early must not rotate twice */
	return left < 0.5 ? left + interval : left;
}

/* The timer of the next interval rotation; if the loop refuses it, the
 * retry timer tries again every FILE_RETRY_S (retry_timercb). */
static void arm_rotation(struct file_sink *f)
{
	if (loop_timer_arm(f->rotate_timer, seconds_to_boundary(f->rotate_interval)) == 0)
		return;
	timer_failed(f, "rotation");
	arm_retry(f);
}

static bool rotation_unarmed(const struct file_sink *f)
{
	return f->rotate_timer && !loop_timer_armed(f->rotate_timer);
}

static void rotate_timercb(void *arg)
{
	struct file_sink *f = arg;
	file_sink_flush(f);
	struct stat st;
	if (fstat(f->fd, &st) == 0)
		f->size = (uint64_t)st.st_size;
	if (has_records(f))
		rotate(f);
	arm_rotation(f);
}

/* ---- failures ---- */

/* Drop the first n bytes of the batch (whole records, `records` of them). */
static void batch_consume(struct file_sink *f, size_t n, uint64_t records)
{
	memmove(f->batch.data, f->batch.data + n, f->batch.len - n);
	f->batch.len -= n;
	f->batch_records -= records;
}

/* Keep at most backlog_max bytes of whole records; the newest beyond are
 * dropped and counted. */
static void trim_backlog(struct file_sink *f)
{
	if (f->batch.len <= f->backlog_max)
		return;
	uint64_t kept;
	f->batch.len = whole_records(f, 0, f->backlog_max, &kept);
	f->out->stats.dropped += f->batch_records - kept;
	f->batch_records = kept;
}

/* A write failed after `done` bytes of the batch: keep the whole records
 * written, cut the partial one off the file, hold the rest as a backlog
 * and retry later. */
static void write_failed(struct file_sink *f, size_t done, int e)
{
	struct output *o = f->out;
	char sup[64];
	uint64_t records;
	size_t whole = whole_records(f, 0, done, &records);
	if (done > whole) {
		log_debug("%s: output %s: cutting a partial %s of %zu bytes off %s", __func__,
			  o->name, f->framing->record_word, done - whole, f->path);
		cut_tail(f, done - whole);
	}
	o->stats.errors++;
	o->stats.written += records;
	o->stats.bytes += whole;
	batch_consume(f, whole, records);
	if (!f->failing)
		f->dropped_at_failure = o->stats.dropped;
	f->failing = true;
	f->retry_at = mono_now() + (time_t)FILE_RETRY_S;
	trim_backlog(f);
	o->stats.queued = f->batch_records;
	arm_retry(f);
	if (ratelimit_allow(&f->write_report))
		log_error("output %s: write to %s failed: %s; %llu records held to retry, "
			  "%llu dropped so far, %llu errors%s",
			  o->name, f->path, strerror(e), (unsigned long long)f->batch_records,
			  (unsigned long long)o->stats.dropped, (unsigned long long)o->stats.errors,
			  ratelimit_suppressed_text(&f->write_report, sup, sizeof sup));
}

static void write_recovered(struct file_sink *f)
{
	f->failing = false;
	ratelimit_reset(&f->write_report); /* a new failure is reported at once */
	log_info("output %s: writing to %s again; %llu records dropped while it failed",
		 f->out->name, f->path,
		 (unsigned long long)(f->out->stats.dropped - f->dropped_at_failure));
}

/* Write the batch (rotating between records as needed); what fails stays. */
static void write_batch(struct file_sink *f)
{
	size_t done = 0;
	int e = 0;
	if (put_header(f, &e) < 0) {
		write_failed(f, 0, e);
		return;
	}
	while (done < f->batch.len) {
		size_t n = next_chunk(f, done);
		if (put_header(f, &e) < 0) { /* a rotation's new file */
			write_failed(f, done, e);
			return;
		}
		size_t w = write_all(f->fd, f->batch.data + done, n, &e);
		done += w;
		f->size += w;
		if (w < n) {
			write_failed(f, done, e);
			return;
		}
	}
	f->out->stats.written += f->batch_records;
	f->out->stats.bytes += f->batch.len;
	f->out->stats.queued = 0;
	buf_reset(&f->batch);
	f->batch_records = 0;
	if (f->failing)
		write_recovered(f);
}

void file_sink_flush(struct file_sink *f)
{
	if (!f->batch.len)
		return;
	/* while failing, the retry timer paces the attempts */
	if (f->failing && mono_now() < f->retry_at)
		return;
	write_batch(f);
}

void file_sink_end_record(struct file_sink *f, size_t start)
{
	if (!buf_ok(&f->batch) || (f->failing && f->batch.len > f->backlog_max)) {
		/* out of memory, or the backlog is full: drop this record */
		buf_truncate(&f->batch, start);
		f->batch.failed = false;
		f->out->stats.dropped++;
		return;
	}
	f->batch_records++;
	if (f->failing)
		f->out->stats.queued = f->batch_records;
	else if (f->batch.len >= FILE_BATCH_MAX)
		file_sink_flush(f);
}

/* ---- retries, reopen ---- */

static void retry_timercb(void *arg)
{
	struct file_sink *f = arg;
	char err[PATH_MAX + 64], sup[64];
	if (f->reopen_pending) {
		if (reopen_path(f, err, sizeof err) == 0) {
			ratelimit_reset(&f->reopen_report);
			log_info("output %s: reopened %s", f->out->name, f->path);
		} else if (ratelimit_allow(&f->reopen_report)) {
			log_error("output %s: reopen still failing, writing to the old file: %s%s",
				  f->out->name, err,
				  ratelimit_suppressed_text(&f->reopen_report, sup, sizeof sup));
		}
	}
	if (f->failing) {
		f->retry_at = 0;
		write_batch(f);
	}
	if (rotation_unarmed(f))
		arm_rotation(f);
	if (f->reopen_pending || f->failing || rotation_unarmed(f))
		arm_retry(f);
}

int file_sink_reopen(struct file_sink *f, char *err, size_t errlen)
{
	if (reopen_path(f, err, errlen) == 0)
		return 0;
	f->reopen_pending = true;
	ratelimit_note(&f->reopen_report); /* the daemon reports this one */
	arm_retry(f);
	return -1;
}

/* ---- open and close ---- */

static void sink_free(struct file_sink *f)
{
	if (f->fd >= 0)
		close(f->fd);
	loop_event_free(f->retry_timer);
	loop_event_free(f->rotate_timer);
	buf_free(&f->batch);
	free(f->path);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}

static void copy_settings(struct file_sink *f, const struct output_config *oc)
{
	f->mode = oc->mode;
	f->uid = oc->uid;
	f->gid = oc->gid;
	f->rotate_size = oc->rotate_size;
	f->rotate_interval = oc->rotate_interval;
	f->rotate_keep = oc->rotate_keep ? oc->rotate_keep : 1;
	f->backlog_max = (size_t)oc->backlog;
	f->fd = -1;
}

/* Timers need the loop (a unit test may open an output without one). */
static int make_timers(struct file_sink *f)
{
	struct loop *loop = f->out->loop;
	if (!loop)
		return 0;
	if (!(f->retry_timer = loop_timer(loop, false, retry_timercb, f)))
		return -1;
	if (!f->rotate_interval)
		return 0;
	if (!(f->rotate_timer = loop_timer(loop, false, rotate_timercb, f)))
		return -1;
	return loop_timer_arm(f->rotate_timer, seconds_to_boundary(f->rotate_interval));
}

int file_sink_open(struct file_sink *f, struct output *out, const struct output_config *oc,
		   const struct file_framing *framing, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	f->out = out;
	f->framing = framing;
	copy_settings(f, oc);
	f->write_report = f->reopen_report = f->rotate_report =
	    (struct ratelimit)RATELIMIT_INIT(FILE_REPORT_INTERVAL_S);
	buf_init(&f->batch);
	char why[PATH_MAX + 256];
	if (!(f->path = strdup(oc->path))) {
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		goto fail;
	}
	if (open_path(f, why, sizeof why) < 0) {
		snprintf(err, errlen, "output %s: %s", oc->name, why);
		goto fail;
	}
	if (make_timers(f) < 0) {
		snprintf(err, errlen, "output %s: cannot create its timers", oc->name);
		goto fail;
	}
	return 0;
fail:
	sink_free(f);
	return -1;
}

void file_sink_close(struct file_sink *f)
{
	struct output *o = f->out;
	if (f->failing) { /* one last try; what still fails is lost */
		f->retry_at = 0;
		write_batch(f);
	}
	if (f->batch_records) {
		log_error("output %s: closing with %llu records that could not be written to %s "
			  "(counted as dropped)",
			  o->name, (unsigned long long)f->batch_records, f->path);
		o->stats.dropped += f->batch_records;
		o->stats.queued = 0;
	}
	sink_free(f);
}
