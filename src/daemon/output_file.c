/* output_file.c - records appended to a file, one line each (text or
 * JSON). The file itself (batching, rotation, reopen, the backlog while
 * the disk is full, written + dropped + queued = every record handed
 * over) is a file sink (file_sink.h) framed in lines.
 */
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_sink.h"
#include "format.h"

/* A line ends at its newline. */
static size_t line_len(const char *p, size_t avail)
{
	const char *nl = memchr(p, '\n', avail);
	return nl ? (size_t)(nl - p) + 1 : avail;
}

static const struct file_framing lines = {
	.record_word = "line",
	.record_len = line_len,
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
	struct file_sink *f = o->priv;
	size_t start = f->batch.len;
	if (o->format == RECORD_FORMAT_JSON) {
		format_json(&f->batch, rec, dec);
	} else {
		format_rfc3339(&f->batch, &rec->ts);
		buf_putc(&f->batch, ' ');
		format_text(&f->batch, rec, dec, o->log_flags);
	}
	end_line(f, start);
}

static void file_write_loss(struct output *o, const struct output_loss *loss)
{
	struct file_sink *f = o->priv;
	size_t start = f->batch.len;
	output_format_loss(&f->batch, loss, o->format);
	end_line(f, start);
}

static void file_flush(struct output *o) { file_sink_flush(o->priv); }

static int file_reopen(struct output *o, char *err, size_t errlen)
{
	return file_sink_reopen(o->priv, err, errlen);
}

static int file_open(struct output *o, const struct output_config *oc, char *err, size_t errlen)
{
	struct file_sink *f = malloc(sizeof *f);
	if (!f) {
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		return -1;
	}
	if (file_sink_open(f, o, oc, &lines, err, errlen) < 0) {
		free(f);
		return -1;
	}
	o->priv = f;
	return 0;
}

static void file_close(struct output *o)
{
	if (!o->priv)
		return;
	file_sink_close(o->priv);
	free(o->priv);
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
