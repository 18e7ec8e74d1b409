/* output.c - output creation and the parts every sink shares. */
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

static const struct output_ops *ops_for(enum output_type type)
{
	switch (type) {
	case OUTPUT_FILE: return &output_file_ops;
	case OUTPUT_JOURNAL: return &output_journal_ops;
	case OUTPUT_SYSLOG: return &output_syslog_ops;
	case OUTPUT_PCAP: return &output_pcap_ops;
	}
	return NULL;
}

struct output *output_open(const struct output_config *oc, struct loop *loop, char *err,
			   size_t errlen)
{
	const struct output_ops *ops = ops_for(oc->type);
	if (!ops) {
		snprintf(err, errlen, "output %s: unsupported type", oc->name);
		return NULL;
	}
	struct output *o = calloc(1, sizeof *o);
	if (!o || !(o->name = strdup(oc->name))) {
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		free(o);
		return NULL;
	}
	o->ops = ops;
	o->loop = loop;
	o->format = oc->format;
	o->log_flags = oc->log_flags;
	if (ops->open(o, oc, err, errlen) < 0) {
		free(o->name);
		free(o);
		return NULL;
	}
	return o;
}

void output_shutdown(struct output *o)
{
	if (o->shut)
		return;
	o->shut = true;
	o->ops->flush(o);
	o->ops->close(o);
}

void output_close(struct output *o)
{
	if (!o)
		return;
	output_shutdown(o);
	free(o->name);
	free(o);
}

int output_reopen(struct output *o, char *err, size_t errlen)
{
	o->ops->flush(o);
	return o->ops->reopen(o, err, errlen);
}

const char *output_loss_reason(enum output_loss_kind kind)
{
	switch (kind) {
	case OUTPUT_LOSS_ENOBUFS: return "enobufs";
	case OUTPUT_LOSS_SEQ_GAP: return "seq_gap";
	case OUTPUT_LOSS_TRUNCATED: return "truncated";
	case OUTPUT_LOSS_MALFORMED: return "malformed";
	}
	return "unknown";
}

/* text: "<time> nflogd: group 5 lost 12 messages (seq_gap)"
 * json: {"timestamp":"...","event":"loss","group":5,"lost":12,"reason":"seq_gap"}
 * lost is null / "an unknown number of" when the kernel's overrun gives no count. */
void output_format_loss(struct buf *b, const struct output_loss *loss, enum record_format fmt)
{
	if (fmt == RECORD_FORMAT_JSON) {
		buf_putlit(b, "{\"timestamp\":\"");
		format_rfc3339(b, &loss->when);
		buf_putlit(b, "\",\"event\":\"loss\",\"group\":");
		buf_put_u32(b, loss->group);
		if (loss->netns) {
			buf_putlit(b, ",\"netns\":\""); /* printable, no quote, no backslash */
			buf_puts(b, loss->netns);
			buf_putc(b, '"');
		}
		buf_putlit(b, ",\"lost\":");
		if (loss->count)
			buf_put_u64(b, loss->count);
		else
			buf_putlit(b, "null");
		buf_putlit(b, ",\"reason\":\"");
		buf_puts(b, output_loss_reason(loss->kind));
		buf_putlit(b, "\"}");
		return;
	}
	format_rfc3339(b, &loss->when);
	buf_putlit(b, " nflogd: group ");
	buf_put_u32(b, loss->group);
	if (loss->netns) {
		buf_putlit(b, " in netns ");
		buf_puts(b, loss->netns);
	}
	buf_putlit(b, " lost ");
	if (loss->count)
		buf_put_u64(b, loss->count);
	else
		buf_putlit(b, "an unknown number of");
	buf_putlit(b, " messages (");
	buf_puts(b, output_loss_reason(loss->kind));
	buf_putc(b, ')');
}
