/* output_file.c - records appended to a file, one line each.
 *
 * Records are formatted straight into a batch buffer and written with one
 * write() per drained batch (or when the batch grows past FILE_BATCH_MAX).
 * Lines are only ever written whole: after a failed or short write the
 * file is cut back to the last complete line, so a reader never sees a
 * partial record.
 */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "log.h"

#define FILE_BATCH_MAX (512 * 1024)
#define FILE_ERROR_REPORT_INTERVAL_S 10

struct file_sink {
	char *path;
	unsigned mode;
	int fd;
	struct buf batch;        /* whole lines not yet written */
	uint64_t batch_records;  /* records in batch */
	time_t last_error_report;
	uint64_t errors_unreported;
};

static int open_path(struct file_sink *f, char *err, size_t errlen)
{
	/* Create with the configured mode exactly (umask would narrow it);
	 * an existing file keeps its own mode and owner. */
	int fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, f->mode);
	if (fd >= 0) {
		fchmod(fd, f->mode);
	} else if (errno == EEXIST) {
		fd = open(f->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", f->path, strerror(errno));
		return -1;
	}
	f->fd = fd;
	return 0;
}

static int file_open(struct output *o, const struct output_config *oc, char *err, size_t errlen)
{
	struct file_sink *f = calloc(1, sizeof *f);
	if (!f || !(f->path = strdup(oc->path))) {
		free(f);
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		return -1;
	}
	f->mode = oc->mode;
	f->fd = -1;
	buf_init(&f->batch);
	char why[512];
	if (open_path(f, why, sizeof why) < 0) {
		snprintf(err, errlen, "output %s: %s", oc->name, why);
		free(f->path);
		free(f);
		return -1;
	}
	o->priv = f;
	return 0;
}

/* Rate-limited: a full disk would otherwise log once per batch. */
static void report_error(struct output *o, struct file_sink *f, const char *what, int e)
{
	time_t now = time(NULL);
	f->errors_unreported++;
	if (now - f->last_error_report < FILE_ERROR_REPORT_INTERVAL_S)
		return;
	log_error("output %s: %s %s: %s (%llu errors, %llu records dropped so far)", o->name,
		  what, f->path, strerror(e), (unsigned long long)o->stats.errors,
		  (unsigned long long)o->stats.dropped);
	f->last_error_report = now;
	f->errors_unreported = 0;
}

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
	for (size_t i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines;
}

/* A write failed after `done` bytes: keep the whole lines, count the rest
 * as dropped, report. */
static void fail_batch(struct output *o, struct file_sink *f, size_t done, int e)
{
	size_t whole = done;
	while (whole > 0 && f->batch.data[whole - 1] != '\n')
		whole--;
	undo_partial(f, done - whole);
	uint64_t lines = count_lines(f->batch.data, whole);
	o->stats.errors++;
	o->stats.written += lines;
	o->stats.dropped += f->batch_records - lines;
	o->stats.bytes += whole;
	report_error(o, f, "write to", e);
}

static void file_flush(struct output *o)
{
	struct file_sink *f = o->priv;
	size_t done = 0;
	while (done < f->batch.len) {
		ssize_t n = f->fd < 0 ? -1 : write(f->fd, f->batch.data + done, f->batch.len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		fail_batch(o, f, done, f->fd < 0 ? EBADF : (n < 0 ? errno : ENOSPC));
		goto reset;
	}
	o->stats.written += f->batch_records;
	o->stats.bytes += f->batch.len;
reset:
	buf_reset(&f->batch);
	f->batch_records = 0;
}

static void end_line(struct output *o, struct file_sink *f, size_t line_start)
{
	if (!buf_ok(&f->batch)) {
		/* out of memory: drop this record, keep the batch */
		buf_truncate(&f->batch, line_start);
		f->batch.failed = false;
		o->stats.dropped++;
		return;
	}
	buf_putc(&f->batch, '\n');
	f->batch_records++;
	if (f->batch.len >= FILE_BATCH_MAX)
		file_flush(o);
}

static void file_write(struct output *o, const struct nflogd_record *rec,
		       const struct nflogd_decoded *dec)
{
	struct file_sink *f = o->priv;
	size_t start = f->batch.len;
	if (o->format == RECORD_FORMAT_JSON) {
		format_json(&f->batch, rec, dec);
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

static int file_reopen(struct output *o, char *err, size_t errlen)
{
	struct file_sink *f = o->priv;
	int old = f->fd;
	if (open_path(f, err, errlen) < 0)
		return -1;   /* keep writing to the old file meanwhile */
	if (old >= 0)
		close(old);
	return 0;
}

static void file_close(struct output *o)
{
	struct file_sink *f = o->priv;
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	buf_free(&f->batch);
	free(f->path);
	free(f);
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
