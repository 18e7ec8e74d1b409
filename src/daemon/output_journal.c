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
 * What is the same for every record is prepared once at open: the
 * PRIORITY, SYSLOG_IDENTIFIER and MESSAGE_ID fields (iovecs that point at
 * constant text, never copied) and the list of table fields that have a
 * journal name, each with its "NAME=" and length (no strlen, no walk over
 * the JSON-only entries per record).
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
#include "ratelimit.h"

#define JOURNAL_REPORT_INTERVAL_S 10
#define JOURNAL_SOCKET "/run/systemd/journal/socket" /* where libsystemd sends */
/* fixed fields around the table's: PRIORITY, SYSLOG_IDENTIFIER,
 * MESSAGE_ID, MESSAGE and a few for loss entries */
#define JOURNAL_EXTRA_FIELDS 8
/* seconds between two checks that the socket file exists (see entry_send) */
#define JOURNAL_SOCKET_CHECK_S 1

/* MESSAGE_IDs, explained in doc/nflogd.catalog (generated once with
 * `systemd-id128 new`; never change them: queries and the catalog use them). */
#define MID_PACKET "c7b75b174e944289a01e59243fce44fd"
#define MID_LOSS "5b43a17895024003b84f857d88fd231f"
#define MID_START "6de0f02cbc7b492bb5e689fa7025f58a"
#define MID_RELOAD "43e9fc356ca2475b91d51f460fbddc67"
#define MID_STOP "6120a59ca0b844b78e22509cfd55e9f0"
#define MID_DROPPED "02156d929c61424798e56c94d74d0e24"

/* One field's place in the text buffer (iovecs are made once it stops
 * growing, since growing may move it), or constant text (ext). */
struct span {
	const char *ext;
	size_t start, len;
};

/* A field of the table that goes to the journal: "NAME=" ready to copy. */
struct jfield {
	const struct field *f;
	unsigned layer;
	unsigned name_len; /* of "NAME=" */
	char name[40];
};

struct journal_sink {
	char ident_field[sizeof "SYSLOG_IDENTIFIER=" + 48];
	size_t ident_len;
	char priority_field[sizeof "PRIORITY=7"];
	struct jfield *jf; /* the table's journal fields (payload only if asked) */
	size_t njf;
	struct buf text; /* "NAME=value" after "NAME=value" */
	struct span *spans;
	struct iovec *iov;
	size_t n, cap;
	uint64_t unsent; /* entries lost since journald was last reachable */
	struct ratelimit report_limit;
	time_t socket_checked; /* CLOCK_MONOTONIC_COARSE second of the last access() */
	bool socket_ok;	       /* it existed then, and no send has failed since */
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
		j->report_limit = (struct ratelimit)RATELIMIT_INIT(JOURNAL_REPORT_INTERVAL_S);
		j->spans = calloc(cap, sizeof *j->spans);
		j->iov = calloc(cap, sizeof *j->iov);
		j->jf = calloc(fields_count, sizeof *j->jf);
	}
	if (!j || !j->spans || !j->iov || !j->jf) {
		if (j) {
			free(j->spans);
			free(j->iov);
			free(j->jf);
		}
		free(j);
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		return -1;
	}
	j->cap = cap;
	snprintf(j->ident_field, sizeof j->ident_field, "SYSLOG_IDENTIFIER=%s", oc->ident);
	j->ident_len = strlen(j->ident_field);
	snprintf(j->priority_field, sizeof j->priority_field, "PRIORITY=%u", oc->priority & 7);
	const struct field *skip = oc->payload ? NULL : find_payload_field();
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		if (!f->journal || f->type == FIELD_OBJECT || f == skip)
			continue;
		struct jfield *jf = &j->jf[j->njf];
		int n = snprintf(jf->name, sizeof jf->name, "%s=", f->journal);
		if (n < 0 || (size_t)n >= sizeof jf->name) {
			log_error("output %s: journal field name %s too long", oc->name,
				  f->journal);
			continue;
		}
		jf->f = f;
		jf->layer = f->layer;
		jf->name_len = (unsigned)n;
		j->njf++;
	}
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
	j->spans[j->n++] = (struct span){ NULL, start, j->text.len - start };
}

/* A field of constant text, sent from where it is (not copied). */
static void put_const(struct journal_sink *j, const char *field, size_t len)
{
	if (j->n == j->cap)
		return;
	j->spans[j->n++] = (struct span){ field, 0, len };
}
#define PUT_CONST_LIT(j, lit) put_const(j, lit, sizeof lit - 1)

static void put_u64_field(struct journal_sink *j, const char *name, uint64_t v)
{
	size_t start = j->text.len;
	buf_puts(&j->text, name);
	buf_put_u64(&j->text, v);
	span_end(j, start);
}

/* PRIORITY, SYSLOG_IDENTIFIER, MESSAGE_ID: constant text (string literals
 * or the sink's own fields, which live as long as it does). */
static void put_common(struct journal_sink *j, const char *priority, const char *message_id)
{
	if (priority)
		put_const(j, priority, strlen(priority));
	else
		put_const(j, j->priority_field, sizeof "PRIORITY=7" - 1);
	put_const(j, j->ident_field, j->ident_len);
	if (message_id) /* NULL: the caller puts a literal (no strlen) */
		put_const(j, message_id, strlen(message_id));
}

/* NFLOG_* for every field of the table the record has. The payload is
 * left out unless the output asked for it (it is large). */
static void put_record_fields(struct journal_sink *j, const struct nflogd_record *rec,
			      const struct nflogd_decoded *dec)
{
	const struct field_src src = { rec, dec };
	unsigned layers = field_layers(&src);
	for (size_t i = 0; i < j->njf; i++) {
		const struct jfield *jf = &j->jf[i];
		if (!(jf->layer & layers))
			continue;
		size_t start = j->text.len;
		buf_put(&j->text, jf->name, jf->name_len);
		if (field_put(jf->f, &j->text, &src))
			span_end(j, start);
		else
			buf_truncate(&j->text, start);
	}
}

/* ---- sending ---- */

static void report_failure(struct output *o, struct journal_sink *j, int e)
{
	if (!ratelimit_allow(&j->report_limit))
		return;
	log_warn("output %s: cannot send to journald: %s (%llu entries dropped so far)", o->name,
		 strerror(e), (unsigned long long)o->stats.dropped);
}

/* sd_journal_sendv the entry built; 0 or a negative errno.
 *
 * libsystemd returns 0 without a word when the socket does not exist (no
 * journald, or one that stopped and took its socket along): its sendmsg
 * failed with ENOENT and it returned at once, errno still ENOENT. So errno
 * is cleared before the call and ENOENT after a 0 is a lost entry. As a
 * guard (a libsystemd that behaves otherwise), the socket file is also
 * looked up with access(), but not per entry: once when nothing has been
 * sent yet, after any failed send, and at most once per
 * JOURNAL_SOCKET_CHECK_S while sends work. */
static int entry_send(struct journal_sink *j, size_t *bytes)
{
	if (!buf_ok(&j->text) || j->n == j->cap)
		return -ENOMEM;
	size_t total = 0;
	for (size_t i = 0; i < j->n; i++) {
		const struct span *sp = &j->spans[i];
		j->iov[i].iov_base = sp->ext ? (void *)sp->ext : j->text.data + sp->start;
		j->iov[i].iov_len = sp->len;
		total += sp->len;
	}
	*bytes = total;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	if (!j->socket_ok || ts.tv_sec - j->socket_checked >= JOURNAL_SOCKET_CHECK_S) {
		j->socket_checked = ts.tv_sec;
		if (access(JOURNAL_SOCKET, F_OK) < 0) {
			j->socket_ok = false;
			return -errno;
		}
		j->socket_ok = true;
	}
	errno = 0;
	int r = sd_journal_sendv(j->iov, (int)j->n);
	if (r == 0 && errno == ENOENT)
		r = -ENOENT;
	if (r < 0)
		j->socket_ok = false;
	return r;
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
	put_common(j, NULL, NULL);
	PUT_CONST_LIT(j, "MESSAGE_ID=" MID_PACKET);
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
	buf_putlit(&j->text, "NFLOG_LOSS_REASON=");
	buf_puts(&j->text, output_loss_reason(loss->kind));
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
static void journal_flush(struct output *o) { (void)o; }

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
	free(j->jf);
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
