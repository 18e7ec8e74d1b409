/* output_file.c - records appended to a file, one line each (text or
 * JSON). The file itself (batching, rotation, reopen, regular files only,
 * the backlog while the disk is full, written + dropped + queued = every
 * record handed over) is a file sink (file_sink.h) framed in lines; what
 * is the lines' own: where one ends, and the partial last line a crash
 * can leave, cut at open.
 */
#include "output.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_sink.h"
#include "format.h"
#include "json_formatter.h"
#include "log.h"

/* how far back from the end of a file to look for the end of its last
 * whole line (longer than any line nflogd writes) */
#define FILE_PARTIAL_SCAN_MAX (1024 * 1024)

struct line_out {
	struct file_sink sink;
	uint64_t partial_lines;	     /* partial last lines found at open and cut */
	struct json_formatter *json; /* format json: the output's options, plans per shape */
};

/* A line ends at its newline. */
static size_t line_len(const char *p, size_t avail)
{
	const char *nl = memchr(p, '\n', avail);
	return nl ? (size_t)(nl - p) + 1 : avail;
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
static int cut_partial_line(struct file_sink *f, char *err, size_t errlen)
{
	struct line_out *l = (struct line_out *)((char *)f - offsetof(struct line_out, sink));
	char last;
	(void)err, (void)errlen;
	if (pread(f->fd, &last, 1, (off_t)f->size - 1) != 1 || last == '\n')
		return 0; /* ends whole, or cannot be read (opened write-only) */
	off_t keep = after_last_newline(f->fd, (off_t)f->size, FILE_PARTIAL_SCAN_MAX);
	uint64_t partial = keep < 0 ? 0 : f->size - (uint64_t)keep;
	l->partial_lines++;
	if (keep < 0) { /* not ours, or not lines at all: leave it, end it */
		if (write(f->fd, "\n", 1) == 1)
			f->size++;
		log_warn("output %s: %s does not end with a newline and has none in its last %d "
			 "bytes: left as it is, a newline added",
			 f->out->name, f->path, FILE_PARTIAL_SCAN_MAX);
		return 0;
	}
	file_sink_cut(f, (uint64_t)keep);
	log_warn("output %s: %s ended in a partial line of %llu bytes, left by a write cut short "
		 "(a crash): cut off, it was never a whole record (partial lines cut so far: %llu)",
		 f->out->name, f->path, (unsigned long long)partial,
		 (unsigned long long)l->partial_lines);
	return 0;
}

static const struct file_framing lines = {
	.record_word = "line",
	.record_len = line_len,
	.check_existing = cut_partial_line,
	.partial_end = "\n",
};

static void end_line(struct file_sink *f, size_t start)
{
	buf_putc(&f->batch, '\n');
	file_sink_end_record(f, start);
}

static void file_write(struct output *o, const struct nflogd_record *rec,
		       const struct nflogd_decoded *dec)
{
	struct line_out *l = o->priv;
	struct file_sink *f = &l->sink;
	size_t start = f->batch.len;
	if (o->format == RECORD_FORMAT_JSON) {
		json_formatter_write(l->json, &f->batch, rec, dec);
	} else {
		format_rfc3339(&f->batch, &rec->ts);
		buf_putc(&f->batch, ' ');
		format_text(&f->batch, rec, dec, o->log_flags);
	}
	end_line(f, start);
}

static void file_write_loss(struct output *o, const struct output_loss *loss)
{
	struct line_out *l = o->priv;
	struct file_sink *f = &l->sink;
	size_t start = f->batch.len;
	output_format_loss(&f->batch, loss, o->format);
	end_line(f, start);
}

static void file_flush(struct output *o)
{
	struct line_out *l = o->priv;
	file_sink_flush(&l->sink);
}

static int file_reopen(struct output *o, char *err, size_t errlen)
{
	struct line_out *l = o->priv;
	return file_sink_reopen(&l->sink, err, errlen);
}

static int file_open(struct output *o, const struct output_config *oc, char *err, size_t errlen)
{
	struct line_out *l = calloc(1, sizeof *l);
	if (!l ||
	    (oc->format == RECORD_FORMAT_JSON && !(l->json = json_formatter_new(&oc->json)))) {
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		free(l);
		return -1;
	}
	if (file_sink_open(&l->sink, o, oc, &lines, err, errlen) < 0) {
		json_formatter_free(l->json);
		free(l);
		return -1;
	}
	o->priv = l;
	return 0;
}

static void file_close(struct output *o)
{
	struct line_out *l = o->priv;
	if (!l)
		return;
	file_sink_close(&l->sink);
	json_formatter_free(l->json);
	free(l);
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
