/* output_file.c - records appended to a file, one line each, with
 * rotation, reopen on request and a bounded backlog while the disk is full.
 *
 * Records are formatted straight into a batch buffer and written with one
 * write() per drained batch (or when the batch grows past FILE_BATCH_MAX).
 * Lines are only ever written whole: after a failed or short write the
 * file is cut back to the last complete line, and the lines not written
 * stay in the batch (up to `backlog` bytes) to be tried again on a timer.
 * What does not fit is dropped and counted: written + dropped + queued is
 * every record handed to the output.
 *
 * Rotation (rotate = { size; interval; keep; }) happens between lines:
 * path.(N-1) -> path.N, ..., path -> path.1, then a new path. A failed
 * reopen (SIGUSR1 or after a rotation) keeps writing to the old file
 * descriptor and is retried on the same timer. See doc/files.md.
 */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "json_formatter.h"
#include "log.h"
#include "loop.h"
#include "ratelimit.h"

#define FILE_BATCH_MAX (512 * 1024)
#define FILE_REPORT_INTERVAL_S 10 /* at most one message per kind per 10 s */
#define FILE_RETRY_S 1.0	  /* failed writes and reopens are retried this often */
#define FILE_ROTATE_RETRY_S 60	  /* after a failed rename */
/* how far back from the end of a file to look for the end of its last
 * whole line (longer than any line nflogd writes) */
#define FILE_PARTIAL_SCAN_MAX (1024 * 1024)

struct file_sink {
	const char *name; /* the output's, for messages */
	char *path;
	unsigned mode;
	int64_t uid, gid;	  /* -1: leave as created */
	uint64_t rotate_size;	  /* 0: none */
	uint32_t rotate_interval; /* seconds, 0: none */
	uint32_t rotate_keep;
	size_t backlog_max;
	int fd;
	uint64_t size;		     /* bytes in the current file */
	struct buf batch;	     /* whole lines not yet written */
	uint64_t batch_records;	     /* records in batch */
	bool failing;		     /* the last write failed: batch is a backlog */
	bool reopen_pending;	     /* a reopen failed: still on the old fd */
	time_t retry_at;	     /* monotonic: next write attempt while failing */
	time_t rotate_retry_at;	     /* monotonic: next rotation attempt after a failure */
	uint64_t dropped_at_failure; /* stats.dropped when failing began */
	uint64_t partial_lines;	     /* partial last lines found at open and cut */
	struct loop_event *retry_timer, *rotate_timer;
	struct ratelimit write_report, reopen_report, rotate_report;
	struct json_formatter *json; /* format json: the output's options, plans per shape */
};

static time_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
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

static void undo_partial(struct file_sink *f, size_t partial);

/* An existing file, for appending. Read access too when allowed (to look
 * at its last line); O_NONBLOCK: opening a FIFO for writing would wait for
 * a reader (refused right after, by not_regular()). */
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

/* Offset just past the last newline within the last `scan` bytes before
 * `end`, 0 when the file has none at all, -1 when none within scan bytes
 * (or on a read error). */
static off_t after_last_newline(int fd, off_t end, off_t scan)
{
	char chunk[4096];
	for (off_t pos = end; pos > 0 && end - pos < scan;) {
		size_t n = pos < (off_t)sizeof chunk ? (size_t)pos : sizeof chunk;
		pos -= (off_t)n;
		if (pread(fd, chunk, n, pos) != (ssize_t)n)
			return -1;
		const char *nl = memrchr(chunk, '\n', n);
		if (nl)
			return pos + (nl - chunk) + 1;
		if (pos == 0)
			return 0;
	}
	return -1;
}

/* A crash (SIGKILL, power loss) in the middle of a write leaves the file
 * ending in part of a line: never a complete record. Cut it off, so that
 * the next line starts clean, count it and say so. */
static void cut_partial_line(struct file_sink *f)
{
	char last;
	if (!f->size || pread(f->fd, &last, 1, (off_t)f->size - 1) != 1 || last == '\n')
		return; /* empty, ends whole, or cannot be read (opened write-only) */
	off_t keep = after_last_newline(f->fd, (off_t)f->size, FILE_PARTIAL_SCAN_MAX);
	uint64_t partial = keep < 0 ? 0 : f->size - (uint64_t)keep;
	f->partial_lines++;
	if (keep < 0) { /* not ours, or not lines at all: leave it, end it */
		if (write(f->fd, "\n", 1) == 1)
			f->size++;
		log_warn("output %s: %s does not end with a newline and has none in its last %d "
			 "bytes: left as it is, a newline added",
			 f->name, f->path, FILE_PARTIAL_SCAN_MAX);
		return;
	}
	undo_partial(f, (size_t)partial);
	struct stat st;
	f->size = fstat(f->fd, &st) == 0 ? (uint64_t)st.st_size : f->size;
	log_warn("output %s: %s ended in a partial line of %llu bytes, left by a write cut short "
		 "(a crash): cut off, it was never a whole record (partial lines cut so far: %llu)",
		 f->name, f->path, (unsigned long long)partial,
		 (unsigned long long)f->partial_lines);
}

static int open_path(struct file_sink *f, char *err, size_t errlen)
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
	struct stat st;
	f->size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	f->fd = fd;
	cut_partial_line(f);
	return 0;
}

/* Open path anew; the old descriptor is closed only once that worked. */
static int reopen_path(struct file_sink *f, char *err, size_t errlen)
{
	int old = f->fd;
	if (open_path(f, err, errlen) < 0)
		return -1;
	if (old >= 0)
		close(old);
	f->reopen_pending = false;
	f->rotate_retry_at = 0;
	return 0;
}

/* A timer the loop refused (out of memory) is counted and said: what it
 * paces (retries, interval rotation) would otherwise stop silently. */
static void timer_failed(struct output *o, struct file_sink *f, const char *which)
{
	char sup[64];
	o->stats.errors++;
	if (ratelimit_allow(&f->rotate_report))
		log_error("output %s: cannot arm its %s timer%s", o->name, which,
			  ratelimit_suppressed_text(&f->rotate_report, sup, sizeof sup));
}

static void arm_retry(struct output *o, struct file_sink *f)
{
	if (f->retry_timer && !loop_timer_armed(f->retry_timer) &&
	    loop_timer_arm(f->retry_timer, FILE_RETRY_S) < 0)
		timer_failed(o, f, "retry");
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

static void rotate_failed(struct output *o, struct file_sink *f, const char *why)
{
	char sup[64];
	f->rotate_retry_at = mono_now() + FILE_ROTATE_RETRY_S;
	if (ratelimit_allow(&f->rotate_report))
		log_error("output %s: rotation failed, still writing to the current file: %s%s",
			  o->name, why,
			  ratelimit_suppressed_text(&f->rotate_report, sup, sizeof sup));
}

/* Between two lines: the current file becomes path.1 and a new one is
 * opened. 0, or -1 when the file could not be renamed (nothing changed
 * then) or the new one not opened (the old fd goes on; retried). */
static int rotate(struct output *o, struct file_sink *f)
{
	char err[PATH_MAX * 2 + 64], first[PATH_MAX + 16];
	if (f->rotate_retry_at && mono_now() < f->rotate_retry_at)
		return -1;
	if (shift_old_files(f, err, sizeof err) < 0) {
		rotate_failed(o, f, err);
		return -1;
	}
	rotated_name(f, 1, first, sizeof first);
	/* ENOENT: someone moved the file away already; just start a new one */
	if (rename(f->path, first) < 0 && errno != ENOENT) {
		snprintf(err, sizeof err, "cannot rename %s to %s: %s", f->path, first,
			 strerror(errno));
		rotate_failed(o, f, err);
		return -1;
	}
	if (reopen_path(f, err, sizeof err) < 0) {
		f->reopen_pending = true;
		arm_retry(o, f);
		rotate_failed(o, f, err);
		return -1;
	}
	log_info("output %s: rotated %s to %s", o->name, f->path, first);
	return 0;
}

/* Length of the whole lines of batch[off..] that still fit in the file
 * before it reaches rotate_size; 0 if not even one. */
static size_t fitting_lines(const struct file_sink *f, size_t off)
{
	size_t rest = f->batch.len - off;
	uint64_t room = f->size >= f->rotate_size ? 0 : f->rotate_size - f->size;
	size_t limit = room < rest ? (size_t)room : rest;
	const char *start = f->batch.data + off;
	const char *nl = limit ? memrchr(start, '\n', limit) : NULL;
	return nl ? (size_t)(nl - start) + 1 : 0;
}

/* How much of batch[off..] to write next: all of it, or the lines that
 * fit before a size rotation (which happens here, between two lines). */
static size_t next_chunk(struct output *o, struct file_sink *f, size_t off)
{
	size_t rest = f->batch.len - off;
	if (!f->rotate_size || f->size + rest <= f->rotate_size)
		return rest;
	struct stat st; /* the real size: the file may have been cut meanwhile */
	if (fstat(f->fd, &st) == 0)
		f->size = (uint64_t)st.st_size;
	size_t n = fitting_lines(f, off);
	if (n)
		return n;
	if (f->size > 0 && rotate(o, f) < 0)
		return rest; /* keep writing where we are; rotation retried later */
	n = fitting_lines(f, off);
	if (n)
		return n;
	/* one line longer than rotate_size: it gets a file of its own */
	const char *nl = memchr(f->batch.data + off, '\n', rest);
	return nl ? (size_t)(nl - (f->batch.data + off)) + 1 : rest;
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
static void arm_rotation(struct output *o, struct file_sink *f)
{
	if (loop_timer_arm(f->rotate_timer, seconds_to_boundary(f->rotate_interval)) == 0)
		return;
	timer_failed(o, f, "rotation");
	arm_retry(o, f);
}

static bool rotation_unarmed(const struct file_sink *f)
{
	return f->rotate_timer && !loop_timer_armed(f->rotate_timer);
}

static void file_flush(struct output *o);

static void rotate_timercb(void *arg)
{
	struct output *o = arg;
	struct file_sink *f = o->priv;
	file_flush(o);
	struct stat st;
	if (fstat(f->fd, &st) == 0)
		f->size = (uint64_t)st.st_size;
	if (f->size > 0) /* an empty file is not rotated */
		rotate(o, f);
	arm_rotation(o, f);
}

/* ---- writing ---- */

/* Cut the last `partial` bytes (an incomplete line) off the end of the file. */
static void undo_partial(struct file_sink *f, size_t partial)
{
	struct stat st;
	if (!partial || fstat(f->fd, &st) < 0 || (off_t)partial > st.st_size)
		return;
	if (ftruncate(f->fd, st.st_size - (off_t)partial) < 0) {
		/* cannot cut it: end it, so the next line at least starts clean */
		static const char nl = '\n';
		ssize_t r = write(f->fd, &nl, 1);
		(void)r;
	}
}

static uint64_t count_lines(const char *p, size_t n)
{
	uint64_t lines = 0;
	for (const char *end = p + n; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		lines++;
	return lines;
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

/* Drop the first `n` bytes of the batch (whole lines, `lines` of them). */
static void batch_consume(struct file_sink *f, size_t n, uint64_t lines)
{
	memmove(f->batch.data, f->batch.data + n, f->batch.len - n);
	f->batch.len -= n;
	f->batch_records -= lines;
}

/* Keep at most backlog_max bytes of whole lines; the newest beyond are
 * dropped and counted. */
static void trim_backlog(struct output *o, struct file_sink *f)
{
	if (f->batch.len <= f->backlog_max)
		return;
	size_t keep = 0;
	if (f->backlog_max) {
		const char *nl = memrchr(f->batch.data, '\n', f->backlog_max);
		keep = nl ? (size_t)(nl - f->batch.data) + 1 : 0;
	}
	uint64_t lines = count_lines(f->batch.data + keep, f->batch.len - keep);
	o->stats.dropped += lines;
	f->batch_records -= lines;
	f->batch.len = keep;
}

/* A write failed after `done` bytes: keep the whole lines written, cut the
 * partial one, hold the rest as a backlog and retry later. */
static void write_failed(struct output *o, struct file_sink *f, size_t done, int e)
{
	char sup[64];
	size_t whole = done;
	while (whole > 0 && f->batch.data[whole - 1] != '\n')
		whole--;
	if (done > whole)
		log_debug("output %s: cutting a partial line of %zu bytes off %s", o->name,
			  done - whole, f->path);
	undo_partial(f, done - whole);
	f->size -= done - whole;
	uint64_t lines = count_lines(f->batch.data, whole);
	o->stats.errors++;
	o->stats.written += lines;
	o->stats.bytes += whole;
	batch_consume(f, whole, lines);
	if (!f->failing)
		f->dropped_at_failure = o->stats.dropped;
	f->failing = true;
	f->retry_at = mono_now() + (time_t)FILE_RETRY_S;
	trim_backlog(o, f);
	o->stats.queued = f->batch_records;
	arm_retry(o, f);
	if (ratelimit_allow(&f->write_report))
		log_error("output %s: write to %s failed: %s; %llu records held to retry, "
			  "%llu dropped so far, %llu errors%s",
			  o->name, f->path, strerror(e), (unsigned long long)f->batch_records,
			  (unsigned long long)o->stats.dropped, (unsigned long long)o->stats.errors,
			  ratelimit_suppressed_text(&f->write_report, sup, sizeof sup));
}

static void write_recovered(struct output *o, struct file_sink *f)
{
	f->failing = false;
	ratelimit_reset(&f->write_report); /* a new failure is reported at once */
	log_info("output %s: writing to %s again; %llu records dropped while it failed", o->name,
		 f->path, (unsigned long long)(o->stats.dropped - f->dropped_at_failure));
}

/* Write the batch (rotating between lines as needed); what fails stays. */
static void write_batch(struct output *o, struct file_sink *f)
{
	size_t done = 0;
	int e = 0;
	while (done < f->batch.len) {
		size_t n = next_chunk(o, f, done);
		size_t w = write_all(f->fd, f->batch.data + done, n, &e);
		done += w;
		f->size += w;
		if (w < n) {
			write_failed(o, f, done, e);
			return;
		}
	}
	o->stats.written += f->batch_records;
	o->stats.bytes += f->batch.len;
	o->stats.queued = 0;
	buf_reset(&f->batch);
	f->batch_records = 0;
	if (f->failing)
		write_recovered(o, f);
}

static void file_flush(struct output *o)
{
	struct file_sink *f = o->priv;
	if (!f->batch.len)
		return;
	/* while failing, the retry timer paces the attempts */
	if (f->failing && mono_now() < f->retry_at)
		return;
	write_batch(o, f);
}

static void end_line(struct output *o, struct file_sink *f, size_t line_start)
{
	buf_putc(&f->batch, '\n');
	if (!buf_ok(&f->batch) || (f->failing && f->batch.len > f->backlog_max)) {
		/* out of memory, or the backlog is full: drop this record */
		buf_truncate(&f->batch, line_start);
		f->batch.failed = false;
		o->stats.dropped++;
		return;
	}
	f->batch_records++;
	if (f->failing)
		o->stats.queued = f->batch_records;
	else if (f->batch.len >= FILE_BATCH_MAX)
		file_flush(o);
}

static void file_write(struct output *o, const struct nflogd_record *rec,
		       const struct nflogd_decoded *dec)
{
	struct file_sink *f = o->priv;
	size_t start = f->batch.len;
	if (o->format == RECORD_FORMAT_JSON) {
		json_formatter_write(f->json, &f->batch, rec, dec);
	} else {
		format_rfc3339(&f->batch, &rec->ts);
		buf_putc(&f->batch, ' ');
		format_text(&f->batch, rec, dec, o->log_flags);
	}
	end_line(o, f, start);
}

static void file_write_loss(struct output *o, const struct output_loss *loss)
{
	struct file_sink *f = o->priv;
	size_t start = f->batch.len;
	output_format_loss(&f->batch, loss, o->format);
	end_line(o, f, start);
}

/* ---- retries, reopen ---- */

static void retry_timercb(void *arg)
{
	struct output *o = arg;
	struct file_sink *f = o->priv;
	char err[PATH_MAX + 64], sup[64];
	if (f->reopen_pending) {
		if (reopen_path(f, err, sizeof err) == 0) {
			ratelimit_reset(&f->reopen_report);
			log_info("output %s: reopened %s", o->name, f->path);
		} else if (ratelimit_allow(&f->reopen_report)) {
			log_error("output %s: reopen still failing, writing to the old file: %s%s",
				  o->name, err,
				  ratelimit_suppressed_text(&f->reopen_report, sup, sizeof sup));
		}
	}
	if (f->failing) {
		f->retry_at = 0;
		write_batch(o, f);
	}
	if (rotation_unarmed(f))
		arm_rotation(o, f);
	if (f->reopen_pending || f->failing || rotation_unarmed(f))
		arm_retry(o, f);
}

/* SIGUSR1 (the batch is flushed already): a new file at path. On failure
 * the old descriptor stays in use and the timer retries. */
static int file_reopen(struct output *o, char *err, size_t errlen)
{
	struct file_sink *f = o->priv;
	if (reopen_path(f, err, errlen) == 0)
		return 0;
	f->reopen_pending = true;
	ratelimit_note(&f->reopen_report); /* the daemon reports this one */
	arm_retry(o, f);
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
	json_formatter_free(f->json);
	free(f->path);
	free(f);
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
static int make_timers(struct output *o, struct file_sink *f)
{
	if (!o->loop)
		return 0;
	if (!(f->retry_timer = loop_timer(o->loop, false, retry_timercb, o)))
		return -1;
	if (!f->rotate_interval)
		return 0;
	if (!(f->rotate_timer = loop_timer(o->loop, false, rotate_timercb, o)))
		return -1;
	return loop_timer_arm(f->rotate_timer, seconds_to_boundary(f->rotate_interval));
}

static int file_open(struct output *o, const struct output_config *oc, char *err, size_t errlen)
{
	struct file_sink *f = calloc(1, sizeof *f);
	if (!f || !(f->path = strdup(oc->path))) {
		free(f);
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		return -1;
	}
	copy_settings(f, oc);
	f->name = o->name;
	f->write_report = f->reopen_report = f->rotate_report =
	    (struct ratelimit)RATELIMIT_INIT(FILE_REPORT_INTERVAL_S);
	buf_init(&f->batch);
	o->priv = f;
	if (oc->format == RECORD_FORMAT_JSON && !(f->json = json_formatter_new(&oc->json))) {
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		goto fail;
	}
	char why[PATH_MAX + 64];
	if (open_path(f, why, sizeof why) < 0) {
		snprintf(err, errlen, "output %s: %s", oc->name, why);
		goto fail;
	}
	if (make_timers(o, f) < 0) {
		snprintf(err, errlen, "output %s: cannot create its timers", oc->name);
		goto fail;
	}
	return 0;
fail:
	sink_free(f);
	o->priv = NULL;
	return -1;
}

static void file_close(struct output *o)
{
	struct file_sink *f = o->priv;
	if (!f)
		return;
	if (f->failing) { /* one last try; what still fails is lost */
		f->retry_at = 0;
		write_batch(o, f);
	}
	if (f->batch_records) {
		log_error("output %s: closing with %llu records that could not be written to %s "
			  "(counted as dropped)",
			  o->name, (unsigned long long)f->batch_records, f->path);
		o->stats.dropped += f->batch_records;
		o->stats.queued = 0;
	}
	sink_free(f);
	o->priv = NULL;
}

const struct output_ops output_file_ops = {
	.open = file_open,
	.write = file_write,
	.write_loss = file_write_loss,
	.flush = file_flush,
	.reopen = file_reopen,
	.close = file_close,
};
