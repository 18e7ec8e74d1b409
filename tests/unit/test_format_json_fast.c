/* test_format_json_fast.c - json_formatter_write() (a plan per record
 * shape) against the table walk, byte for byte.
 *
 * Every record of the captured corpora (tests/data/kernel-lines.txt, the
 * record fuzzer's datagrams with hostile interface names) and a set of
 * hand-made variants of them goes through one formatter per option set
 * (payload, null_keys, schema), twice, so that later records reuse plans
 * made by earlier ones of the same shape. Each object must equal what
 * json_formatter_reference() writes for it (for schema nflogd that is
 * format_json()'s walk of the field table; with the default options also
 * format_json() itself). The fuzz target fuzz_record does the same on
 * what the fuzzer makes.
 */
#include <stdlib.h>

#include "check.h"
#include "corpus.h"
#include "decode.h"
#include "format.h"
#include "json_formatter.h"

static const struct json_options option_sets[] = {
	{ .payload = true, .null_keys = true, .schema = JSON_SCHEMA_NFLOGD },
	{ .payload = false, .null_keys = true, .schema = JSON_SCHEMA_NFLOGD },
	{ .payload = true, .null_keys = false, .schema = JSON_SCHEMA_NFLOGD },
	{ .payload = false, .null_keys = false, .schema = JSON_SCHEMA_NFLOGD },
	{ .payload = true, .null_keys = false, .schema = JSON_SCHEMA_ECS },
	{ .payload = false, .null_keys = false, .schema = JSON_SCHEMA_ECS },
};
#define N_SETS (sizeof option_sets / sizeof option_sets[0])

struct run {
	struct json_formatter *jf[N_SETS];
	struct buf fast, ref;
	int records, differ;
	unsigned shapes_seen;
};

static void show_difference(const struct run *r, size_t set)
{
	size_t i = 0;
	while (i < r->fast.len && i < r->ref.len && r->fast.data[i] == r->ref.data[i])
		i++;
	size_t from = i > 40 ? i - 40 : 0;
	printf("# option set %zu, byte %zu:\n#   fast: %.*s\n#   ref:  %.*s\n", set, i,
	       (int)(r->fast.len - from > 120 ? 120 : r->fast.len - from), r->fast.data + from,
	       (int)(r->ref.len - from > 120 ? 120 : r->ref.len - from), r->ref.data + from);
}

/* One record through every option set; counts a difference once. */
static void compare(const struct nflogd_record *rec, void *arg)
{
	struct run *r = arg;
	struct nflogd_decoded dec;
	decode_record(rec, &dec);
	bool same = true;
	for (size_t i = 0; i < N_SETS; i++) {
		buf_reset(&r->fast);
		buf_reset(&r->ref);
		json_formatter_write(r->jf[i], &r->fast, rec, &dec);
		json_formatter_reference(r->jf[i], &r->ref, rec, &dec);
		bool eq = buf_ok(&r->fast) && r->fast.len == r->ref.len &&
			  memcmp(r->fast.data, r->ref.data, r->fast.len) == 0;
		if (eq && i == 0) { /* the defaults: format_json() too */
			buf_reset(&r->ref);
			format_json(&r->ref, rec, &dec);
			eq = r->fast.len == r->ref.len &&
			     memcmp(r->fast.data, r->ref.data, r->fast.len) == 0;
		}
		if (!eq && same && r->differ < 5)
			show_difference(r, i);
		same = same && eq;
	}
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
	int before = r->records;
	int lines = corpus_kernel_lines(line_record, r);
	int datagrams = corpus_datagrams(compare, r);
	CHECK(lines >= 100 && datagrams >= 300,
	      "%s: %d kernel-line records and %d fuzz-corpus records", what, lines, datagrams);
	corpus_variants(compare, r);
	CHECK(r->differ == 0, "%s: %d of %d records (x %zu option sets) as the table walk", what,
	      r->records - before - r->differ, r->records - before, N_SETS);
}

/* A formatter's plans serve every record of their shape: the same bytes
 * when a formatter has seen nothing else, and after it has seen much. */
static void test_plans_match_the_walk(void)
{
	struct run r = { .records = 0 };
	buf_init(&r.fast);
	buf_init(&r.ref);
	for (size_t i = 0; i < N_SETS; i++) {
		r.jf[i] = json_formatter_new(&option_sets[i]);
		CHECK(r.jf[i] != NULL, "formatter for option set %zu", i);
		if (!r.jf[i])
			return;
	}
	run_corpora(&r, "first pass (plans made)");
	run_corpora(&r, "second pass (plans reused)");
	for (size_t i = 0; i < N_SETS; i++)
		json_formatter_free(r.jf[i]);
	buf_free(&r.fast);
	buf_free(&r.ref);
}

int main(void)
{
	test_plans_match_the_walk();
	return check_done();
}
