/* output_journal.c - one journal entry per record, through journald's
 * native protocol (sd_journal_sendv).
 *
 * MESSAGE is the kernel LOG line (format_text); every field of the field
 * table that has a journal name and a value becomes one NFLOG_* field,
 * so `journalctl NFLOG_DPT=22 NFLOG_PREFIX=ssh-drop` finds records.
 * sd_journal_sendv keeps values byte for byte (sd_journal_send would cut
 * the trailing space of a prefix) and sends binary values (a prefix with
 * a newline) in the protocol's length-prefixed form.
 *
 * Each kind of entry has its own MESSAGE_ID (doc/nflogd.catalog).
 * The fields are rendered into one reusable buffer and the iovecs into
 * one reusable array: no allocation per record once they have grown.
 * A failed send (journald stopped or restarting) drops that entry, is
 * counted and reported at most every JOURNAL_REPORT_INTERVAL_S; the next
 * send that works first tells the journal how many entries were lost.
 */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* no CODE_FILE/CODE_LINE/CODE_FUNC of this file on every record */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "fields.h"
#include "format.h"
#include "log.h"

#define JOURNAL_REPORT_INTERVAL_S 10
#define JOURNAL_SOCKET "/run/systemd/journal/socket" /* where libsystemd sends */
/* fixed fields around the table's: PRIORITY, SYSLOG_IDENTIFIER,
 * MESSAGE_ID, MESSAGE and a few for loss entries */
#define JOURNAL_EXTRA_FIELDS 8

/* MESSAGE_IDs, explained in doc/nflogd.catalog (generated once with
 * `systemd-id128 new`; never change them: queries and the catalog use them). */
#define MID_PACKET "c7b75b174e944289a01e59243fce44fd"
#define MID_LOSS "5b43a17895024003b84f857d88fd231f"
#define MID_START "6de0f02cbc7b492bb5e689fa7025f58a"
#define MID_RELOAD "43e9fc356ca2475b91d51f460fbddc67"
#define MID_STOP "6120a59ca0b844b78e22509cfd55e9f0"
#define MID_DROPPED "02156d929c61424798e56c94d74d0e24"

/* One field's place in the text buffer (iovecs are made once it stops
 * growing, since growing may move it). */
struct span {
	size_t start, len;
};

struct journal_sink {
	char ident_field[sizeof "SYSLOG_IDENTIFIER=" + 48];
	char priority_field[sizeof "PRIORITY=7"];
	const struct field *skip; /* the table's payload entry unless payload = true */
	struct buf text;	  /* "NAME=value" after "NAME=value" */
	struct span *spans;
	struct iovec *iov;
	size_t n, cap;
	uint64_t unsent; /* entries lost since journald was last reachable */
	time_t last_report;
};

static const struct field *find_payload_field(void)
{
	for (size_t i = 0; i < fields_count; i++)
		if (!fields_table[i].parent && strcmp(fields_table[i].key, "payload") == 0)
			return &fields_table[i];
	return NULL;
}

static int journal_open(struct output *o, const struct output_config *oc, char *err, size_t errlen)
{
	struct journal_sink *j = calloc(1, sizeof *j);
	size_t cap = fields_count + JOURNAL_EXTRA_FIELDS;
	if (j) {
		j->spans = calloc(cap, sizeof *j->spans);
		j->iov = calloc(cap, sizeof *j->iov);
	}
	if (!j || !j->spans || !j->iov) {
		if (j) {
			free(j->spans);
			free(j->iov);
		}
		free(j);
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		return -1;
	}
	j->cap = cap;
	snprintf(j->ident_field, sizeof j->ident_field, "SYSLOG_IDENTIFIER=%s", oc->ident);
	snprintf(j->priority_field, sizeof j->priority_field, "PRIORITY=%u", oc->priority & 7);
	j->skip = oc->payload ? NULL : find_payload_field();
	buf_init(&j->text);
	o->priv = j;
	return 0;
}

/* ---- building an entry ---- */

static void entry_begin(struct journal_sink *j)
{
	buf_reset(&j->text);
	j->n = 0;
}

/* Close the field that started at start. */
static void span_end(struct journal_sink *j, size_t start)
{
	if (j->n == j->cap)
		return;
	j->spans[j->n++] = (struct span){start, j->text.len - start};
}

static void put_field(struct journal_sink *j, const char *field)
{
	size_t start = j->text.len;
	buf_puts(&j->text, field);
	span_end(j, start);
}

static void put_u64_field(struct journal_sink *j, const char *name, uint64_t v)
{
	size_t start = j->text.len;
	buf_puts(&j->text, name);
	buf_put_u64(&j->text, v);
	span_end(j, start);
}

static void put_common(struct journal_sink *j, const char *priority, const char *message_id)
{
	put_field(j, priority ? priority : j->priority_field);
	put_field(j, j->ident_field);
	put_field(j, message_id);
}

/* NFLOG_* for every field of the table the record has. The payload is
 * left out unless the output asked for it (it is large). */
static void put_record_fields(struct journal_sink *j, const struct nflogd_record *rec,
			      const struct nflogd_decoded *dec)
{
	const struct field_src src = {rec, dec};
	unsigned layers = field_layers(&src);
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		if (!f->journal || f->type == FIELD_OBJECT || !(f->layer & layers) || f == j->skip)
			continue;
		size_t start = j->text.len;
		buf_puts(&j->text, f->journal);
		buf_putc(&j->text, '=');
		if (field_put(f, &j->text, &src))
			span_end(j, start);
		else
			buf_truncate(&j->text, start);
	}
}

/* ---- sending ---- */

static void report_failure(struct output *o, struct journal_sink *j, int e)
{
	time_t now = time(NULL);
	if (now - j->last_report < JOURNAL_REPORT_INTERVAL_S)
		return;
	j->last_report = now;
	log_warn("output %s: cannot send to journald: %s (%llu entries dropped so far)", o->name,
		 strerror(e), (unsigned long long)o->stats.dropped);
}

/* sd_journal_sendv the entry built; 0 or a negative errno. */
static int entry_send(struct journal_sink *j, size_t *bytes)
{
	if (!buf_ok(&j->text) || j->n == j->cap)
		return -ENOMEM;
	*bytes = 0;
	for (size_t i = 0; i < j->n; i++) {
		j->iov[i].iov_base = j->text.data + j->spans[i].start;
		j->iov[i].iov_len = j->spans[i].len;
		*bytes += j->spans[i].len;
	}
	/* libsystemd returns 0 without a word when the socket does not exist
	 * (no journald, or one that stopped and took its socket along): the
	 * entry would be lost uncounted. One access() is cheap next to the
	 * sendmsg. */
	if (access(JOURNAL_SOCKET, F_OK) < 0)
		return -errno;
	return sd_journal_sendv(j->iov, (int)j->n);
}

/* Journald is reachable again (or the entry could not be built): say how
 * many entries were lost meanwhile, before anything else. */
static int send_dropped_report(struct output *o, struct journal_sink *j)
{
	entry_begin(j);
	put_common(j, "PRIORITY=4", "MESSAGE_ID=" MID_DROPPED);
	size_t start = j->text.len;
	buf_printf(&j->text, "MESSAGE=nflogd: output %s could not send %llu entries to journald",
		   o->name, (unsigned long long)j->unsent);
	span_end(j, start);
	put_u64_field(j, "NFLOG_DROPPED=", j->unsent);
	size_t bytes;
	int r = entry_send(j, &bytes);
	if (r < 0)
		return r;
	log_info("output %s: journald reachable again; %llu entries were dropped", o->name,
		 (unsigned long long)j->unsent);
	j->unsent = 0;
	return 0;
}

/* Send the entry built in j->text; count it either way. */
static void entry_finish(struct output *o, struct journal_sink *j)
{
	size_t bytes = 0;
	int r = entry_send(j, &bytes);
	if (r < 0) {
		o->stats.errors++;
		o->stats.dropped++;
		j->unsent++;
		report_failure(o, j, -r);
		return;
	}
	o->stats.written++;
	o->stats.bytes += bytes;
}

/* True when the entry may be built and sent: no earlier loss is waiting
 * to be told, or the report about it went through just now. */
static bool journal_ready(struct output *o, struct journal_sink *j)
{
	if (!j->unsent)
		return true;
	int r = send_dropped_report(o, j);
	if (r == 0)
		return true;
	o->stats.errors++;
	o->stats.dropped++;
	j->unsent++;
	report_failure(o, j, -r);
	return false;
}

static void journal_write(struct output *o, const struct nflogd_record *rec,
			  const struct nflogd_decoded *dec)
{
	struct journal_sink *j = o->priv;
	if (!journal_ready(o, j))
		return;
	entry_begin(j);
	put_common(j, NULL, "MESSAGE_ID=" MID_PACKET);
	size_t start = j->text.len;
	buf_putlit(&j->text, "MESSAGE=");
	format_text(&j->text, rec, dec, o->log_flags);
	span_end(j, start);
	put_record_fields(j, rec, dec);
	entry_finish(o, j);
}

static void journal_write_loss(struct output *o, const struct output_loss *loss)
{
	struct journal_sink *j = o->priv;
	if (!journal_ready(o, j))
		return;
	entry_begin(j);
	put_common(j, "PRIORITY=4", "MESSAGE_ID=" MID_LOSS);
	size_t start = j->text.len;
	buf_printf(&j->text, "MESSAGE=nflogd: group %u lost ", loss->group);
	if (loss->count)
		buf_put_u64(&j->text, loss->count);
	else
		buf_putlit(&j->text, "an unknown number of");
	buf_printf(&j->text, " messages (%s)", output_loss_reason(loss->kind));
	span_end(j, start);
	put_u64_field(j, "NFLOG_GROUP=", loss->group);
	if (loss->count)
		put_u64_field(j, "NFLOG_LOST=", loss->count);
	start = j->text.len;
	buf_printf(&j->text, "NFLOG_LOSS_REASON=%s", output_loss_reason(loss->kind));
	span_end(j, start);
	entry_finish(o, j);
}

static void journal_write_event(struct output *o, enum output_event ev, const char *text)
{
	struct journal_sink *j = o->priv;
	const char *mid = ev == OUTPUT_EVENT_START    ? "MESSAGE_ID=" MID_START
			  : ev == OUTPUT_EVENT_RELOAD ? "MESSAGE_ID=" MID_RELOAD
						      : "MESSAGE_ID=" MID_STOP;
	if (!journal_ready(o, j))
		return;
	entry_begin(j);
	put_common(j, "PRIORITY=6", mid);
	size_t start = j->text.len;
	buf_putlit(&j->text, "MESSAGE=");
	buf_puts(&j->text, text);
	span_end(j, start);
	entry_finish(o, j);
}

/* Every entry is sent as it is written: nothing waits. */
static void journal_flush(struct output *o)
{
	(void)o;
}

static int journal_reopen(struct output *o, char *err, size_t errlen)
{
	(void)o;
	(void)err;
	(void)errlen;
	return 0;
}

static void journal_close(struct output *o)
{
	struct journal_sink *j = o->priv;
	if (!j)
		return;
	if (j->unsent)
		log_warn("output %s: %llu entries could not be sent to journald", o->name,
			 (unsigned long long)j->unsent);
	buf_free(&j->text);
	free(j->spans);
	free(j->iov);
	free(j);
	o->priv = NULL;
}

const struct output_ops output_journal_ops = {
    .open = journal_open,
    .write = journal_write,
    .write_loss = journal_write_loss,
    .write_event = journal_write_event,
    .flush = journal_flush,
    .reopen = journal_reopen,
    .close = journal_close,
};
