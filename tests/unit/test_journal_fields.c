/* test_journal_fields.c - journal_fields_put() (the fields a record shape
 * has, found once per shape) against trying every field, byte for byte.
 *
 * Every record of the captured corpora and their hand-made variants
 * (corpus.h) goes through one field list with the payload and one
 * without, twice, so that later records reuse the lists made by earlier
 * ones of the same shape. Each entry must equal what
 * journal_fields_reference() writes for it. So that two empty entries
 * cannot pass, the entries must also hold the fields the records have.
 */
#include <stdlib.h>

#include "check.h"
#include "corpus.h"
#include "decode.h"
#include "journal_fields.h"

struct run {
	struct journal_fields *with_payload, *without;
	struct buf fast, ref;
	int records, differ, with_dpt, with_payload_field, payload_leaked;
};

static bool same_bytes(const struct buf *a, const struct buf *b)
{
	return buf_ok(a) && buf_ok(b) && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static bool holds(const struct buf *b, const char *s)
{
	return memmem(b->data, b->len, s, strlen(s)) != NULL;
}

/* One record through a list: fast and reference; false if they differ. */
static bool compare_one(struct run *r, struct journal_fields *jf, const struct nflogd_record *rec,
			const struct nflogd_decoded *dec)
{
	buf_reset(&r->fast);
	buf_reset(&r->ref);
	journal_fields_put(jf, &r->fast, rec, dec);
	journal_fields_reference(jf, &r->ref, rec, dec);
	if (same_bytes(&r->fast, &r->ref))
		return true;
	if (r->differ < 5)
		printf("# differ:\n#   fast: %.*s\n#   ref:  %.*s\n", (int)r->fast.len,
		       r->fast.data, (int)r->ref.len, r->ref.data);
	return false;
}

static void compare(const struct nflogd_record *rec, void *arg)
{
	struct run *r = arg;
	struct nflogd_decoded dec;
	decode_record(rec, &dec);
	bool same = compare_one(r, r->without, rec, &dec);
	r->payload_leaked += holds(&r->fast, "NFLOG_PAYLOAD=");
	r->with_dpt += holds(&r->fast, "\nNFLOG_DPT=");
	same = compare_one(r, r->with_payload, rec, &dec) && same;
	r->with_payload_field += holds(&r->fast, "NFLOG_PAYLOAD=");
	r->records++;
	r->differ += !same;
}

static void line_record(const struct nflogd_record *rec, unsigned flags, const char *line,
			void *arg)
{
	(void)flags;
	(void)line;
	if (rec)
		compare(rec, arg);
}

static void run_corpora(struct run *r, const char *what)
{
	*r = (struct run){ .with_payload = r->with_payload,
			   .without = r->without,
			   .fast = r->fast,
			   .ref = r->ref };
	int lines = corpus_kernel_lines(line_record, r);
	int datagrams = corpus_datagrams(compare, r);
	int variants = corpus_variants(compare, r);
	CHECK(lines >= 100 && datagrams >= 300 && variants >= 4 * datagrams,
	      "%s: %d kernel-line, %d fuzz-corpus and %d variant records", what, lines, datagrams,
	      variants);
	CHECK(r->differ == 0, "%s: %d of %d records (with and without payload) as the reference",
	      what, r->records - r->differ, r->records);
	CHECK(r->with_dpt > 100, "%s: %d entries hold NFLOG_DPT", what, r->with_dpt);
	CHECK(r->with_payload_field > r->records / 2 && r->payload_leaked == 0,
	      "%s: NFLOG_PAYLOAD in %d entries with payload, %d without", what,
	      r->with_payload_field, r->payload_leaked);
}

int main(void)
{
	struct run r = { .with_payload = journal_fields_new(true),
			 .without = journal_fields_new(false) };
	buf_init(&r.fast);
	buf_init(&r.ref);
	CHECK(r.with_payload && r.without, "two field lists made");
	if (r.with_payload && r.without) {
		run_corpora(&r, "first pass (lists made)");
		run_corpora(&r, "second pass (lists reused)");
	}
	journal_fields_free(r.with_payload);
	journal_fields_free(r.without);
	buf_free(&r.fast);
	buf_free(&r.ref);
	return check_done();
}
