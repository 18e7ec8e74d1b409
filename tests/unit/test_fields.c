/* test_fields.c - the field table: well-formed, matching doc/fields.md,
 * and readable value by value (the journal's view).
 *
 * `test_fields --print-doc` prints the generated table, to paste between
 * the markers of doc/fields.md after changing fields_table[];
 * `test_fields --print-ecs` the same for doc/ecs.md.
 */
#include <ctype.h>
#include <stdlib.h>

#include "check.h"
#include "fields.h"

#define DOC_PATH TEST_DATA_DIR "/../doc/fields.md"
#define DOC_BEGIN "<!-- fields-table:begin (generated: test_fields --print-doc) -->\n"
#define DOC_END "<!-- fields-table:end -->\n"
#define ECS_PATH TEST_DATA_DIR "/../doc/ecs.md"
#define ECS_BEGIN "<!-- ecs-table:begin (generated: test_fields --print-ecs) -->\n"
#define ECS_END "<!-- ecs-table:end -->\n"

static bool is_journal_name(const char *s)
{
	if (strncmp(s, "NFLOG_", 6) != 0)
		return false;
	for (const char *p = s; *p; p++)
		if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return false;
	return strlen(s) <= 64;
}

static bool is_json_key(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

/* Markdown cells must not contain the column separator or line breaks. */
static bool is_cell_text(const char *s) { return s && *s && !strchr(s, '|') && !strchr(s, '\n'); }

static void check_entry(size_t i)
{
	const struct field *f = &fields_table[i];
	char want[80];

	CHECK(is_json_key(f->key), "%zu: key '%s' is lowercase ASCII", i, f->key);
	snprintf(want, sizeof want, ",\"%s\":", f->key);
	CHECK(strcmp(f->json_key, want) == 0 && f->json_key_len == strlen(want),
	      "%s: json_key literal matches", f->key);
	CHECK(f->type == FIELD_OBJECT ? !f->journal : f->journal && is_journal_name(f->journal),
	      "%s: journal name well formed", f->key);
	CHECK(is_cell_text(f->when) && is_cell_text(f->desc), "%s: doc texts", f->key);
	bool says_always = strncmp(f->when, "always", 6) == 0;
	CHECK(says_always == (f->presence != FIELD_OPTIONAL),
	      "%s: 'when' starts with 'always' exactly when the key is always there", f->key);
	CHECK(f->type == FIELD_TEXT ? f->text && !f->put : f->put && !f->text,
	      "%s: one reader of the right kind", f->key);
	if (f->parent) {
		size_t j = i;
		while (j > 0 && fields_table[j].parent)
			j--;
		CHECK(fields_table[j].type == FIELD_OBJECT &&
			  strcmp(fields_table[j].key, f->parent) == 0,
		      "%s: follows its parent object %s", f->key, f->parent);
		CHECK(f->presence == FIELD_OPTIONAL, "%s.%s: children are optional", f->parent,
		      f->key);
	}
}

static bool same_parent(const struct field *a, const struct field *b)
{
	if (!a->parent || !b->parent)
		return a->parent == b->parent;
	return strcmp(a->parent, b->parent) == 0;
}

static void test_table(void)
{
	CHECK(fields_count > 60, "table has %zu entries", fields_count);
	for (size_t i = 0; i < fields_count; i++)
		check_entry(i);

	int dup_keys = 0, dup_journal = 0;
	for (size_t i = 0; i < fields_count; i++) {
		for (size_t j = i + 1; j < fields_count; j++) {
			const struct field *a = &fields_table[i], *b = &fields_table[j];
			if (same_parent(a, b) && strcmp(a->key, b->key) == 0)
				dup_keys++;
			if (a->journal && b->journal && strcmp(a->journal, b->journal) == 0)
				dup_journal++;
		}
	}
	CHECK(dup_keys == 0, "JSON keys unique within their object");
	CHECK(dup_journal == 0, "journal names unique");
}

/* The journal fields the design names must exist, for the right keys. */
static void test_journal_names(void)
{
	static const char *const pairs[][2] = {
		{ "group", "NFLOG_GROUP" },	 { "prefix", "NFLOG_PREFIX" },
		{ "seq", "NFLOG_SEQ" },		 { "hook", "NFLOG_HOOK" },
		{ "indev", "NFLOG_IN" },	 { "outdev", "NFLOG_OUT" },
		{ "physindev", "NFLOG_PHYSIN" }, { "physoutdev", "NFLOG_PHYSOUT" },
		{ "hwhdr", "NFLOG_MAC" },	 { "src", "NFLOG_SRC" },
		{ "dst", "NFLOG_DST" },		 { "protocol", "NFLOG_PROTO" },
		{ "spt", "NFLOG_SPT" },		 { "dpt", "NFLOG_DPT" },
		{ "nfmark", "NFLOG_MARK" },	 { "uid", "NFLOG_UID" },
		{ "gid", "NFLOG_GID" },
	};
	for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
		const struct field *found = NULL;
		for (size_t i = 0; i < fields_count; i++)
			if (!fields_table[i].parent &&
			    strcmp(fields_table[i].key, pairs[p][0]) == 0)
				found = &fields_table[i];
		CHECK(found && found->journal && strcmp(found->journal, pairs[p][1]) == 0,
		      "%s is journal field %s", pairs[p][0], pairs[p][1]);
	}
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char data[1 << 17];
	size_t n = fread(data, 1, sizeof data - 1, f);
	fclose(f);
	data[n] = 0;
	return data;
}

/* Report the first line where the file and the table differ. */
static void show_first_difference(const char *got, const char *want)
{
	int line = 1;
	while (*got && *got == *want) {
		if (*got == '\n')
			line++;
		got++;
		want++;
	}
	const char *ge = strchr(got, '\n'), *we = strchr(want, '\n');
	printf("# table line %d differs\n#   doc:   %.*s\n#   table: %.*s\n", line,
	       ge ? (int)(ge - got) : (int)strlen(got), got,
	       we ? (int)(we - want) : (int)strlen(want), want);
}

/* The table between the markers of a doc file is what gen writes. */
static void check_doc_table(const char *path, const char *begin_marker, const char *end_marker,
			    void (*gen)(struct buf *b), const char *hint)
{
	struct buf want;
	buf_init(&want);
	gen(&want);
	buf_putc(&want, 0);

	char *doc = read_file(path);
	CHECK(doc != NULL, "read %s", path);
	char *begin = doc ? strstr(doc, begin_marker) : NULL;
	char *end = begin ? strstr(begin, end_marker) : NULL;
	CHECK(begin && end, "%s has the table markers", path);
	if (begin && end) {
		begin += strlen(begin_marker);
		*end = 0;
		bool same = strcmp(begin, want.data) == 0;
		CHECK(same, "%s: table matches fields_table[]", path);
		if (!same) {
			show_first_difference(begin, want.data);
			printf("# regenerate with: test_fields %s\n", hint);
		}
	}
	buf_free(&want);
}

static void test_doc(void)
{
	check_doc_table(DOC_PATH, DOC_BEGIN, DOC_END, fields_doc_markdown, "--print-doc");
	check_doc_table(ECS_PATH, ECS_BEGIN, ECS_END, fields_doc_ecs, "--print-ecs");
}

static const struct field *find(const char *parent, const char *key)
{
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		bool parent_ok = parent ? f->parent && strcmp(f->parent, parent) == 0 : !f->parent;
		if (parent_ok && strcmp(f->key, key) == 0)
			return f;
	}
	return NULL;
}

/* The value text of one field, or NULL when absent. */
static const char *value(const char *parent, const char *key, const struct field_src *s)
{
	static struct buf b;
	const struct field *f = find(parent, key);
	if (!f)
		return "(no such field)";
	buf_reset(&b);
	if (!field_put(f, &b, s))
		return NULL;
	buf_putc(&b, 0);
	return b.data;
}

static void test_values(void)
{
	static const char prefix[] = "drop\n\"x\"\xff";
	struct nflogd_record rec = {
		.group = 7,
		.family = 2,
		.has_packet_hdr = true,
		.hw_protocol = 0x0800,
		.hook = 1,
		.indev = { .index = 3, .name = "eth0" },
		.outdev = { .index = 9 },
		.prefix = prefix,
		.prefix_len = sizeof prefix - 1,
		.ts = { .tv_sec = 0, .tv_usec = 5 },
		.ts_from_kernel = true,
	};
	struct nflogd_decoded dec = {
		.l3 = DECODE_L3_IPV4,
		.has_id = true,
		.id = 1,
		.src = { 10, 0, 0, 1 },
		.dst = { 10, 0, 0, 2 },
		.has_proto = true,
		.proto = 6,
		.has_ports = true,
		.sport = 1234,
		.dport = 22,
		.has_tcp = true,
		.tcp_flags = TCPF_SYN | TCPF_ACK | TCPF_CWR,
		.has_inner = true,
		.inner = { .l3 = DECODE_L3_IPV4, .src = { 1, 2, 3, 4 } },
	};
	const struct field_src s = { .rec = &rec, .dec = &dec };

	CHECK_STREQ(value(NULL, "group", &s), "7", "group");
	CHECK_STREQ(value(NULL, "hook", &s), "input", "hook");
	CHECK_STREQ(value(NULL, "family", &s), "ipv4", "family");
	CHECK_STREQ(value(NULL, "proto", &s), "2048", "proto");
	CHECK_STREQ(value(NULL, "prefix", &s), prefix, "prefix: raw bytes, verbatim");
	CHECK_STREQ(value(NULL, "indev", &s), "eth0", "indev");
	CHECK_STREQ(value(NULL, "indev_index", &s), "3", "indev_index");
	CHECK(value(NULL, "outdev", &s) == NULL, "outdev: index without a name is absent");
	CHECK_STREQ(value(NULL, "outdev_index", &s), "9", "outdev_index");
	CHECK(value(NULL, "uid", &s) == NULL, "uid absent, not 0");
	CHECK(value(NULL, "payload", &s) == NULL, "payload absent");
	CHECK_STREQ(value(NULL, "payload_len", &s), "0", "payload_len 0");
	CHECK_STREQ(value(NULL, "nfmark", &s), "0", "nfmark 0 when not sent");
	CHECK_STREQ(value(NULL, "timestamp_source", &s), "kernel", "timestamp_source");
	CHECK_STREQ(value(NULL, "src", &s), "10.0.0.1", "src");
	CHECK_STREQ(value(NULL, "df", &s), "false", "df");
	CHECK_STREQ(value(NULL, "frag_offset", &s), "0", "frag_offset");
	CHECK_STREQ(value(NULL, "tcp_flags", &s), "CWR ACK SYN", "tcp_flags: kernel order, spaces");
	CHECK(value(NULL, "icmp_type", &s) == NULL, "icmp_type absent");
	CHECK_STREQ(value(NULL, "inner", &s), "", "inner: present, no text of its own");
	CHECK_STREQ(value("inner", "src", &s), "1.2.3.4", "inner.src");
	CHECK(value("inner", "spt", &s) == NULL, "inner.spt absent");

	/* The header did not fit: the layer is named but has no fields. */
	struct nflogd_decoded cut = { .l3 = DECODE_L3_IPV4, .l3_truncated = true };
	const struct field_src t = { .rec = &rec, .dec = &cut };
	CHECK(value(NULL, "src", &t) == NULL, "src absent when the IPv4 header was cut");
	CHECK_STREQ(value(NULL, "truncated", &t), "network", "truncated network");
	struct nflogd_decoded cut6 = { .l3 = DECODE_L3_IPV6, .l3_truncated = true };
	const struct field_src t6 = { .rec = &rec, .dec = &cut6 };
	CHECK(value(NULL, "hoplimit", &t6) == NULL, "hoplimit absent when the IPv6 header was cut");
}

/* A decoded struct with random flags and values, as a hostile decoder
 * bug or a fuzzer might leave it. */
static void random_decoded(struct nflogd_decoded *d, unsigned *seed)
{
	static const uint8_t l3s[] = { DECODE_L3_NONE, DECODE_L3_ARP, DECODE_L3_IPV4,
				       DECODE_L3_IPV6 };
	static const uint8_t opts[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
#define RB() (rand_r(seed) % 3 == 0)
	*d = (struct nflogd_decoded){ 0 };
	d->l3 = l3s[rand_r(seed) % 4];
	d->inner.l3 = l3s[rand_r(seed) % 4];
	d->len = (uint32_t)rand_r(seed) % 80;
	d->proto = (uint8_t)rand_r(seed);
	d->l3_truncated = RB();
	d->has_id = RB();
	d->ce = RB();
	d->df = RB();
	d->mf = RB();
	d->has_frag = RB();
	d->is_fragment = RB();
	d->has_proto = RB();
	d->l4_incomplete = RB();
	d->has_ports = RB();
	d->has_udp_len = RB();
	d->has_tcp = RB();
	d->tcp_options_truncated = RB();
	d->has_icmp = RB();
	d->has_icmp_echo = RB();
	d->has_icmp_gateway = RB();
	d->has_icmp_mtu = RB();
	d->has_icmp_parameter = RB();
	d->has_inner = RB();
	d->inner.has_proto = RB();
	d->inner.has_ports = RB();
	d->has_spi = RB();
	d->has_arp = RB();
	d->has_arp_addrs = RB();
	d->has_eth = RB();
	if (RB()) {
		d->ip_options = opts;
		d->ip_options_len = 8;
	}
	if (RB()) {
		d->tcp_options = opts;
		d->tcp_options_len = 8;
	}
#undef RB
}

/* field_layers() must never hide a field that its reader would show:
 * the JSON formatter skips by layer, the journal asks each reader. */
static void test_layers(void)
{
	struct nflogd_record rec = { .family = 2 };
	struct nflogd_decoded dec;
	const struct field_src s = { .rec = &rec, .dec = &dec };
	struct buf b;
	unsigned seed = 99;
	int hidden = 0, shown = 0;

	buf_init(&b);
	for (int iter = 0; iter < 20000; iter++) {
		random_decoded(&dec, &seed);
		unsigned layers = field_layers(&s);
		for (size_t i = 0; i < fields_count; i++) {
			const struct field *f = &fields_table[i];
			buf_reset(&b);
			bool present = field_put(f, &b, &s);
			if (present && f->layer != FIELD_L_RECORD)
				shown++;
			if (present && !(layers & f->layer) && hidden++ < 3)
				printf("# %s present outside its layer\n", f->key);
		}
	}
	buf_free(&b);
	CHECK(hidden == 0, "no field is present outside its layer");
	CHECK(shown > 0, "random decoded structs show decoded fields (%d)", shown);
}

/* Random presence flags of the record itself (values do not matter). */
static void random_record(struct nflogd_record *r, unsigned *seed)
{
	static const char name[] = "x";
	static const uint8_t bytes[4] = { 1, 2, 3, 4 };
#define RB() (rand_r(seed) % 2 == 0)
	*r = (struct nflogd_record){ .family = 2 };
	r->has_seq = RB();
	r->has_seq_global = RB();
	r->has_packet_hdr = RB();
	r->prefix = RB() ? name : NULL;
	r->has_hwtype = RB();
	r->has_hwlen = RB();
	struct record_ifdev *devs[] = { &r->indev, &r->physindev, &r->outdev, &r->physoutdev };
	for (size_t i = 0; i < 4; i++) {
		devs[i]->index = RB() ? 3 : 0;
		devs[i]->name[0] = RB() ? 'e' : 0;
	}
	r->has_uid = RB();
	r->has_gid = RB();
	r->hwaddr = RB() ? bytes : NULL;
	r->hwhdr = RB() ? bytes : NULL;
	r->l2hdr = RB() ? bytes : NULL;
	r->has_vlan = RB();
	r->has_ct_info = RB();
	r->payload = RB() ? bytes : NULL;
	r->netns = RB() ? name : NULL;
#undef RB
}

/* Which fields a record has, as the JSON formatter sees them. */
static void presence(const struct field_src *s, struct buf *b, uint64_t out[2])
{
	unsigned layers = field_layers(s);
	out[0] = out[1] = 0;
	for (size_t i = 0; i < fields_count && i < 128; i++) {
		buf_reset(b);
		if ((layers & fields_table[i].layer) && field_put(&fields_table[i], b, s))
			out[i / 64] |= UINT64_C(1) << (i % 64);
	}
}

/* Change one thing a reader may test: a flag, a pointer, a length, a
 * layer, an interface's index or name, the prefix, the netns. */
static void mutate_one(struct nflogd_record *r, struct nflogd_decoded *d, unsigned *seed)
{
	static const uint8_t l3s[] = { DECODE_L3_NONE, DECODE_L3_ARP, DECODE_L3_IPV4,
				       DECODE_L3_IPV6 };
	static const uint8_t bytes[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	bool *flags[] = {
		&r->has_seq,
		&r->has_seq_global,
		&r->has_packet_hdr,
		&r->has_hwtype,
		&r->has_hwlen,
		&r->has_uid,
		&r->has_gid,
		&r->has_vlan,
		&r->has_ct_info,
		&r->has_mark,
		&r->ts_from_kernel,
		&d->l3_truncated,
		&d->has_id,
		&d->ce,
		&d->df,
		&d->mf,
		&d->has_frag,
		&d->is_fragment,
		&d->has_proto,
		&d->l4_incomplete,
		&d->has_ports,
		&d->has_udp_len,
		&d->has_tcp,
		&d->tcp_options_truncated,
		&d->has_icmp,
		&d->has_icmp_echo,
		&d->has_icmp_gateway,
		&d->has_icmp_mtu,
		&d->has_icmp_parameter,
		&d->has_inner,
		&d->inner.has_proto,
		&d->inner.has_ports,
		&d->has_spi,
		&d->has_arp,
		&d->has_arp_addrs,
		&d->has_eth,
	};
	const uint8_t **ptrs[] = { &r->hwaddr,	&r->hwhdr,	&r->l2hdr,
				   &r->payload, &d->ip_options, &d->tcp_options };
	struct record_ifdev *devs[] = { &r->indev, &r->physindev, &r->outdev, &r->physoutdev };
	size_t nf = sizeof flags / sizeof flags[0], np = sizeof ptrs / sizeof ptrs[0];
	size_t k = (size_t)rand_r(seed) % (nf + np + 9);
	if (k < nf) {
		*flags[k] = !*flags[k];
	} else if (k < nf + np) {
		*ptrs[k - nf] = *ptrs[k - nf] ? NULL : bytes;
	} else {
		struct record_ifdev *dev = devs[rand_r(seed) % 4];
		switch (k - nf - np) {
		case 0: d->l3 = l3s[rand_r(seed) % 4]; break;
		case 1: d->inner.l3 = l3s[rand_r(seed) % 4]; break;
		case 2: d->len = (uint32_t)rand_r(seed) % 80; break;
		case 3: d->ip_options_len = (uint16_t)(rand_r(seed) % 2 * 8); break;
		case 4: d->tcp_options_len = (uint8_t)(rand_r(seed) % 2 * 8); break;
		case 5: dev->index = dev->index ? 0 : 3; break;
		case 6: dev->name[0] = dev->name[0] ? 0 : 'e'; break;
		case 7: r->prefix = r->prefix ? NULL : "x"; break;
		default: r->netns = r->netns ? NULL : "x"; break;
		}
	}
}

/* field_shape() decides presence: records of one shape have the same
 * fields, or the JSON formatter's plan for the shape would be wrong for
 * some of them. A random record against the same with one thing changed:
 * when the shape stays, the fields must too (a condition a reader tests
 * that the shape misses shows here). */
static void test_shape(void)
{
	struct nflogd_record rec, rec2;
	struct nflogd_decoded dec, dec2;
	const struct field_src s = { .rec = &rec, .dec = &dec },
			       s2 = { .rec = &rec2, .dec = &dec2 };
	struct buf b;
	unsigned seed = 7;
	int differ = 0, same_shape = 0, other_shape = 0;

	buf_init(&b);
	CHECK(fields_count <= 128, "the test's presence bitmap holds every entry");
	for (int iter = 0; iter < 100000; iter++) {
		random_record(&rec, &seed);
		random_decoded(&dec, &seed);
		rec2 = rec;
		dec2 = dec;
		mutate_one(&rec2, &dec2, &seed);
		uint64_t has[2], has2[2];
		presence(&s, &b, has);
		presence(&s2, &b, has2);
		if (field_shape(&s) != field_shape(&s2)) {
			other_shape++;
			continue;
		}
		same_shape++;
		if (memcmp(has, has2, sizeof has) != 0 && differ++ < 3)
			printf("# shape %016llx: two records with different fields\n",
			       (unsigned long long)field_shape(&s));
	}
	buf_free(&b);
	CHECK(differ == 0, "records of one shape have the same fields (%d pairs)", same_shape);
	CHECK(same_shape > 10000 && other_shape > 10000, "pairs of one shape and of two (%d, %d)",
	      same_shape, other_shape);
}

int main(int argc, char **argv)
{
	if (argc > 1 &&
	    (strcmp(argv[1], "--print-doc") == 0 || strcmp(argv[1], "--print-ecs") == 0)) {
		struct buf b;
		buf_init(&b);
		if (strcmp(argv[1], "--print-doc") == 0)
			fields_doc_markdown(&b);
		else
			fields_doc_ecs(&b);
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
		return 0;
	}
	test_table();
	test_journal_names();
	test_doc();
	test_values();
	test_layers();
	test_shape();
	return check_done();
}
