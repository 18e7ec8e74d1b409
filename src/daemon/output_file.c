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

struct file_sink {
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

/* " (N similar messages suppressed)" or "" */
static const char *suppressed_text(struct ratelimit *r, char *out, size_t len)
{
	uint64_t n = ratelimit_take_suppressed(r);
	out[0] = '\0';
	if (n)
		snprintf(out, len, " (%llu similar messages suppressed)", (unsigned long long)n);
	return out;
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

static int open_path(struct file_sink *f, char *err, size_t errlen)
{
	/* Create with the configured mode exactly (umask would narrow it);
	 * an existing file keeps its own mode and owner. */
	int fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, f->mode);
	if (fd >= 0) {
		fchmod(fd, f->mode);
		set_owner(f, fd);
	} else if (errno == EEXIST) {
		fd = open(f->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", f->path, strerror(errno));
		return -1;
	}
	struct stat st;
	f->size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	f->fd = fd;
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

static void arm_retry(struct file_sink *f)
{
	if (f->retry_timer && !loop_timer_armed(f->retry_timer))
		loop_timer_arm(f->retry_timer, FILE_RETRY_S);
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
			  o->name, why, suppressed_text(&f->rotate_report, sup, sizeof sup));
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
		arm_retry(f);
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
	loop_timer_arm(f->rotate_timer, seconds_to_boundary(f->rotate_interval));
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
	arm_retry(f);
	if (ratelimit_allow(&f->write_report))
		log_error("output %s: write to %s failed: %s; %llu records held to retry, "
			  "%llu dropped so far, %llu errors%s",
			  o->name, f->path, strerror(e), (unsigned long long)f->batch_records,
			  (unsigned long long)o->stats.dropped, (unsigned long long)o->stats.errors,
			  suppressed_text(&f->write_report, sup, sizeof sup));
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
				  suppressed_text(&f->reopen_report, sup, sizeof sup));
		}
	}
	if (f->failing) {
		f->retry_at = 0;
		write_batch(o, f);
	}
	if (f->reopen_pending || f->failing)
		arm_retry(f);
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
