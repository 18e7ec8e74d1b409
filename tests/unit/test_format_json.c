/* test_format_json.c - format_json() and format_rfc3339().
 *
 * Records and decoded structs are filled by hand. Every output is run
 * through a small strict JSON parser with its own UTF-8 check (below), and
 * every key it finds is checked against fields_table[] for type and
 * presence; some outputs are compared byte for byte.
 */
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "fields.h"
#include "format.h"

/* ---- a strict JSON parser, just big enough for one record ---- */

struct jmember {
	char key[48];	/* "inner.src" for members of a nested object */
	char type;	/* s string, n number, b boolean, z null, a array, o object */
	char val[8192]; /* decoded string, number text, array strings joined by ' ' */
	size_t val_len;
};

static struct jmember jm[256];
static int jm_count;

struct jp {
	const unsigned char *p, *end;
	bool ok;
};

static void jp_fail(struct jp *j)
{
	j->ok = false;
	j->p = j->end;
}

/* Independent of format_json.c: decode one code point and check its range. */
static size_t test_utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0], cp;
	size_t len;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool test_utf8_valid(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t l = test_utf8_len(p + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

static void jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static int hexval(unsigned c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

static void put_cp(char *out, size_t *n, size_t cap, unsigned cp)
{
	char t[4];
	size_t l;
	if (cp < 0x80) {
		t[0] = (char)cp;
		l = 1;
	} else if (cp < 0x800) {
		t[0] = (char)(0xc0 | cp >> 6);
		t[1] = (char)(0x80 | (cp & 0x3f));
		l = 2;
	} else {
		t[0] = (char)(0xe0 | cp >> 12);
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (char)(0x80 | (cp & 0x3f));
		l = 3;
	}
	if (*n + l < cap)
		memcpy(out + *n, t, l);
	*n += l;
}

/* A string; decoded into out (NUL-terminated when it fits). */
static void jp_string(struct jp *j, char *out, size_t cap, size_t *outlen)
{
	size_t n = 0;
	if (j->p >= j->end || *j->p != '"')
		return jp_fail(j);
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned c = *j->p;
		if (c < 0x20)
			return jp_fail(j); /* raw control character */
		if (c != '\\') {
			size_t l = test_utf8_len(j->p, (size_t)(j->end - j->p));
			if (!l)
				return jp_fail(j);
			if (n + l < cap)
				memcpy(out + n, j->p, l);
			n += l;
			j->p += l;
			continue;
		}
		if (j->end - j->p < 2)
			return jp_fail(j);
		c = j->p[1];
		j->p += 2;
		const char *simple = strchr("\"\\/bfnrt", (int)c);
		if (c && simple) {
			static const char map[] = "\"\\/\b\f\n\r\t";
			put_cp(out, &n, cap, (unsigned char)map[simple - "\"\\/bfnrt"]);
			continue;
		}
		if (c != 'u' || j->end - j->p < 4)
			return jp_fail(j);
		unsigned cp = 0;
		for (int i = 0; i < 4; i++) {
			int h = hexval(j->p[i]);
			if (h < 0)
				return jp_fail(j);
			cp = cp << 4 | (unsigned)h;
		}
		j->p += 4;
		if (cp >= 0xd800 && cp <= 0xdfff)
			return jp_fail(j); /* format_json never needs surrogate pairs */
		put_cp(out, &n, cap, cp);
	}
	if (j->p >= j->end)
		return jp_fail(j);
	j->p++;
	if (n < cap)
		out[n] = 0;
	*outlen = n;
}

static bool jp_lit(struct jp *j, const char *lit)
{
	size_t l = strlen(lit);
	if ((size_t)(j->end - j->p) < l || memcmp(j->p, lit, l) != 0)
		return false;
	j->p += l;
	return true;
}

static void jp_number(struct jp *j, char *out, size_t cap, size_t *outlen)
{
	const unsigned char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return jp_fail(j);
	if (*j->p == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9')
		return jp_fail(j); /* leading zero */
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	size_t n = (size_t)(j->p - s);
	if (n < cap) {
		memcpy(out, s, n);
		out[n] = 0;
	}
	*outlen = n;
}

static char jp_value(struct jp *j, const char *path, char *out, size_t cap, size_t *outlen);

static void jp_object(struct jp *j, const char *path)
{
	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return;
	}
	for (;;) {
		char key[48];
		size_t kl = 0;
		jp_ws(j);
		jp_string(j, key, sizeof key, &kl);
		if (!j->ok || kl >= sizeof key - 8)
			return jp_fail(j);
		jp_ws(j);
		if (j->p >= j->end || *j->p != ':')
			return jp_fail(j);
		j->p++;
		jp_ws(j);
		if (jm_count == (int)(sizeof jm / sizeof jm[0]))
			return jp_fail(j);
		struct jmember *m = &jm[jm_count++];
		size_t pl = strlen(path);
		if (pl + kl + 2 > sizeof m->key)
			return jp_fail(j);
		memcpy(m->key, path, pl);
		if (pl)
			m->key[pl++] = '.';
		memcpy(m->key + pl, key, kl + 1);
		for (int i = 0; i < jm_count - 1; i++)
			if (strcmp(jm[i].key, m->key) == 0)
				return jp_fail(j); /* duplicate key */
		m->type = jp_value(j, m->key, m->val, sizeof m->val, &m->val_len);
		jp_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			return;
		}
		return jp_fail(j);
	}
}

/* An array of strings, kept as the strings joined by single spaces. */
static void jp_array(struct jp *j, char *out, size_t cap, size_t *outlen)
{
	size_t n = 0;
	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		*outlen = 0;
		out[0] = 0;
		return;
	}
	for (;;) {
		char s[256];
		size_t sl = 0;
		jp_ws(j);
		jp_string(j, s, sizeof s, &sl);
		if (!j->ok)
			return;
		if (n && n + 1 < cap)
			out[n++] = ' ';
		if (n + sl < cap) {
			memcpy(out + n, s, sl);
			n += sl;
			out[n] = 0;
		}
		jp_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			*outlen = n;
			return;
		}
		return jp_fail(j);
	}
}

static char jp_value(struct jp *j, const char *path, char *out, size_t cap, size_t *outlen)
{
	out[0] = 0;
	*outlen = 0;
	if (j->p >= j->end)
		return jp_fail(j), 0;
	switch (*j->p) {
	case '{': jp_object(j, path); return 'o';
	case '[': jp_array(j, out, cap, outlen); return 'a';
	case '"': jp_string(j, out, cap, outlen); return 's';
	case 't':
	case 'f':
		if (!jp_lit(j, "true") && !jp_lit(j, "false"))
			jp_fail(j);
		snprintf(out, cap, "%s", j->p[-1] == 'e' && j->p[-2] == 'u' ? "true" : "false");
		return 'b';
	case 'n':
		if (!jp_lit(j, "null"))
			jp_fail(j);
		return 'z';
	default: jp_number(j, out, cap, outlen); return 'n';
	}
}

/* Parse one record; true when it is exactly one valid JSON object in valid UTF-8. */
static bool json_parse(const char *s, size_t n)
{
	jm_count = 0;
	if (!test_utf8_valid((const unsigned char *)s, n) || memchr(s, '\n', n))
		return false;
	struct jp j = { .p = (const unsigned char *)s,
			.end = (const unsigned char *)s + n,
			.ok = true };
	if (n == 0 || s[0] != '{')
		return false;
	jp_object(&j, "");
	return j.ok && j.p == j.end;
}

static const struct jmember *jget(const char *key)
{
	for (int i = 0; i < jm_count; i++)
		if (strcmp(jm[i].key, key) == 0)
			return &jm[i];
	return NULL;
}

static char jtype(const char *key)
{
	const struct jmember *m = jget(key);
	return m ? m->type : 0;
}

static const char *jval(const char *key)
{
	const struct jmember *m = jget(key);
	return m ? m->val : "(absent)";
}

/* ---- checks against the field table ---- */

static char json_type_of(enum field_type t)
{
	switch (t) {
	case FIELD_INT: return 'n';
	case FIELD_BOOL: return 'b';
	case FIELD_FLAGS: return 'a';
	case FIELD_OBJECT: return 'o';
	default: return 's';
	}
}

static const struct field *table_field(const char *path)
{
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		char full[64];
		snprintf(full, sizeof full, "%s%s%s", f->parent ? f->parent : "",
			 f->parent ? "." : "", f->key);
		if (strcmp(full, path) == 0)
			return f;
	}
	return NULL;
}

static bool is_lower_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* Every key documented with the right type; every always-key present. */
static void check_against_table(const char *what)
{
	int bad = 0;
	for (int i = 0; i < jm_count; i++) {
		const struct jmember *m = &jm[i];
		const struct field *f = table_field(m->key);
		size_t kl = strlen(m->key);
		if (!f && kl > 4 && strcmp(m->key + kl - 4, "_hex") == 0) {
			char base[48];
			snprintf(base, sizeof base, "%.*s", (int)(kl - 4), m->key);
			const struct field *t = table_field(base);
			if (!t || t->type != FIELD_TEXT || m->type != 's' ||
			    !is_lower_hex(m->val)) {
				printf("# %s: bad %s\n", what, m->key);
				bad++;
			}
			continue;
		}
		bool ok = f && (m->type == json_type_of(f->type) ||
				(m->type == 'z' && f->presence == FIELD_NULLABLE));
		if (ok && f->type == FIELD_HEX && m->type == 's')
			ok = is_lower_hex(m->val) && m->val_len % 2 == 0;
		if (!ok) {
			printf("# %s: key %s (type %c) not as documented\n", what, m->key, m->type);
			bad++;
		}
	}
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		if (f->presence != FIELD_OPTIONAL && !jget(f->key)) {
			printf("# %s: always-key %s missing\n", what, f->key);
			bad++;
		}
	}
	CHECK(bad == 0, "%s: keys and types as in the field table", what);
}

/* ---- fixtures ---- */

static struct buf out;

/* With NFLOGD_JSON_DUMP=FILE, every checked record is appended to FILE
 * (to try tests/e2e/check_json.py on known records). */
static void dump(const char *text)
{
	const char *path = getenv("NFLOGD_JSON_DUMP");
	FILE *f = path ? fopen(path, "a") : NULL;
	if (!f)
		return;
	fprintf(f, "%s\n", text);
	fclose(f);
}

/* Format, then check syntax and table conformance; returns the text. */
static const char *render(const char *what, const struct nflogd_record *rec,
			  const struct nflogd_decoded *dec)
{
	buf_reset(&out);
	format_json(&out, rec, dec);
	buf_putc(&out, 0);
	CHECK(buf_ok(&out) && json_parse(out.data, out.len - 1), "%s: valid JSON", what);
	if (!json_parse(out.data, out.len - 1))
		printf("#   %s\n", out.data);
	check_against_table(what);
	dump(out.data);
	return out.data;
}

static const char *proto_name(uint8_t p, char *tmp)
{
	const char *n = decode_proto_name(p);
	if (n)
		return n;
	sprintf(tmp, "%u", p);
	return tmp;
}

static const uint8_t pkt_bytes[] = { 0x45, 0x00, 0x00, 0x3c, 0xab, 0xcd };
static const uint8_t eth_hdr[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
};

/* An input-hook IPv4 packet from eth0 with everything the kernel sends. */
static void base_record(struct nflogd_record *rec)
{
	*rec = (struct nflogd_record){
		.group = 1,
		.family = 2,
		.has_packet_hdr = true,
		.hw_protocol = 0x0800,
		.hook = RECORD_HOOK_INPUT,
		.has_hwtype = true,
		.hwtype = 1,
		.has_hwlen = true,
		.hwlen = 14,
		.has_mark = true,
		.mark = 0x2a,
		.ts = { .tv_sec = 1795780000, .tv_usec = 472765 },
		.ts_from_kernel = true,
		.indev = { .index = 2, .name = "eth0" },
		.has_seq = true,
		.seq = 5,
		.hwaddr = eth_hdr + 6,
		.hwaddr_len = 6,
		.hwhdr = eth_hdr,
		.hwhdr_len = 14,
		.payload = pkt_bytes,
		.payload_len = sizeof pkt_bytes,
		.prefix = "ssh-drop",
		.prefix_len = 8,
	};
}

static void ipv4_tcp(struct nflogd_decoded *d)
{
	*d = (struct nflogd_decoded){
		.l3 = DECODE_L3_IPV4,
		.src = { 192, 0, 2, 1 },
		.dst = { 198, 51, 100, 7 },
		.len = 60,
		.tos = 0x10,
		.ttl = 64,
		.id = 43981,
		.has_id = true,
		.df = true,
		.has_proto = true,
		.proto = 6,
		.has_ports = true,
		.sport = 40000,
		.dport = 22,
		.has_tcp = true,
		.tcp_seq = 3000000000u,
		.tcp_ack = 0,
		.tcp_window = 64240,
		.tcp_flags = TCPF_SYN,
		.tcp_options = (const uint8_t *)"\x02\x04\x05\xb4",
		.tcp_options_len = 4,
		.has_eth = true,
		.mac_src = { 2, 0, 0, 0, 0, 1 },
		.mac_dst = { 2, 0, 0, 0, 0, 2 },
		.mac_proto = 0x0800,
	};
}

/* ---- record tests ---- */

static void test_ipv4_tcp_exact(void)
{
	struct nflogd_record rec;
	struct nflogd_decoded dec;
	char tmp[8];
	base_record(&rec);
	ipv4_tcp(&dec);
	const char *got = render("ipv4 tcp", &rec, &dec);

	char want[2048];
	snprintf(
	    want, sizeof want,
	    "{\"timestamp\":\"2026-11-27T11:46:40.472765+00:00\",\"timestamp_source\":\"kernel\","
	    "\"group\":1,\"seq\":5,\"seq_global\":null,\"hook\":\"input\",\"family\":\"ipv4\","
	    "\"prefix\":\"ssh-drop\",\"proto\":2048,\"hwtype\":1,\"hwlen\":14,\"nfmark\":42,"
	    "\"indev\":\"eth0\",\"indev_index\":2,\"physindev\":null,\"physindev_index\":null,"
	    "\"outdev\":null,\"outdev_index\":null,\"physoutdev\":null,\"physoutdev_index\":null,"
	    "\"uid\":null,\"gid\":null,\"hwaddr\":\"020000000001\",\"hwhdr\":"
	    "\"0200000000020200000000010800\","
	    "\"l2hdr\":null,\"vlan_id\":null,\"vlan_tci\":null,\"vlan_proto\":null,\"ct_info\":"
	    "null,"
	    "\"payload_len\":6,"
	    "\"mac_src\":\"02:00:00:00:00:01\",\"mac_dst\":\"02:00:00:00:00:02\",\"mac_proto\":"
	    "2048,"
	    "\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.7\",\"len\":60,\"tos\":16,\"prec\":0,"
	    "\"ttl\":64,"
	    "\"ip_id\":43981,\"ce\":false,\"df\":true,\"mf\":false,\"frag_offset\":0,"
	    "\"protocol\":\"%s\",\"protocol_number\":6,\"spt\":40000,\"dpt\":22,"
	    "\"tcp_seq\":3000000000,\"tcp_ack\":0,\"window\":64240,\"res\":0,\"tcp_flags\":["
	    "\"SYN\"],"
	    "\"urgp\":0,\"tcp_options\":\"020405b4\",\"payload\":\"4500003cabcd\"}",
	    proto_name(6, tmp));
	CHECK_STREQ(got, want, "ipv4 tcp: exact object");
	CHECK(jtype("icmp_type") == 0 && jtype("inner") == 0 && jtype("truncated") == 0,
	      "ipv4 tcp: no icmp, inner, truncated keys");
	CHECK(jtype("tc") == 0 && jtype("hoplimit") == 0, "ipv4 tcp: no IPv6 keys");
}

static void test_ipv4_udp(void)
{
	struct nflogd_record rec;
	struct nflogd_decoded dec = {
		.l3 = DECODE_L3_IPV4,
		.src = { 10, 0, 0, 1 },
		.dst = { 10, 0, 0, 2 },
		.len = 33,
		.ttl = 1,
		.has_id = true,
		.mf = true,
		.frag_offset = 0,
		.has_proto = true,
		.proto = 17,
		.has_ports = true,
		.sport = 53,
		.dport = 5353,
		.has_udp_len = true,
		.udp_len = 13,
	};
	base_record(&rec);
	render("ipv4 udp", &rec, &dec);
	CHECK_STREQ(jval("spt"), "53", "udp spt");
	CHECK_STREQ(jval("udp_len"), "13", "udp_len");
	CHECK_STREQ(jval("mf"), "true", "mf");
	CHECK(jtype("tcp_flags") == 0 && jtype("window") == 0, "udp: no tcp keys");

	dec.frag_offset = 185; /* a later fragment: no transport header */
	dec.has_frag = dec.is_fragment = true;
	dec.has_ports = dec.has_udp_len = false;
	render("ipv4 fragment", &rec, &dec);
	CHECK_STREQ(jval("frag_offset"), "1480", "frag_offset in bytes (185 * 8)");
	CHECK(jtype("spt") == 0, "fragment: no ports");
}

static void test_icmp_error(void)
{
	struct nflogd_record rec;
	char tmp[8];
	struct nflogd_decoded dec = {
		.l3 = DECODE_L3_IPV4,
		.src = { 10, 0, 0, 2 },
		.dst = { 10, 0, 0, 1 },
		.len = 56,
		.has_id = true,
		.has_proto = true,
		.proto = 1,
		.has_icmp = true,
		.icmp_type = 3,
		.icmp_code = 3,
		.has_inner = true,
		.inner = { .l3 = DECODE_L3_IPV4,
			   .src = { 10, 0, 0, 1 },
			   .dst = { 10, 0, 0, 2 },
			   .has_proto = true,
			   .proto = 17,
			   .has_ports = true,
			   .sport = 4000,
			   .dport = 9 },
	};
	base_record(&rec);
	const char *got = render("icmp error", &rec, &dec);
	char want[256];
	snprintf(
	    want, sizeof want,
	    "\"icmp_type\":3,\"icmp_code\":3,\"inner\":{\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
	    "\"protocol\":\"%s\",\"protocol_number\":17,\"spt\":4000,\"dpt\":9},",
	    proto_name(17, tmp));
	CHECK(strstr(got, want) != NULL, "icmp error: inner object as expected");
	CHECK(jtype("inner") == 'o' && jtype("inner.spt") == 'n', "inner is an object with ports");
	CHECK(jtype("icmp_id") == 0, "icmp error: no echo id");

	dec.inner.has_ports = false;
	dec.inner.has_proto = false;
	got = render("icmp error, inner without ports", &rec, &dec);
	CHECK(strstr(got, "\"inner\":{\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\"},") != NULL,
	      "inner without protocol and ports");

	dec.inner.l3 = DECODE_L3_NONE;
	render("icmp error, unreadable inner", &rec, &dec);
	CHECK(jtype("inner") == 0, "unreadable quoted header: no inner");

	dec.has_inner = false;
	dec.icmp_type = 8;
	dec.icmp_code = 0;
	dec.has_icmp_echo = true;
	dec.icmp_id = 77;
	dec.icmp_seq = 1;
	render("icmp echo", &rec, &dec);
	CHECK_STREQ(jval("icmp_id"), "77", "echo id");
	CHECK_STREQ(jval("icmp_seq"), "1", "echo seq");

	dec.has_icmp_echo = false;
	dec.icmp_type = 5;
	dec.has_icmp_gateway = true;
	memcpy(dec.icmp_gateway, "\xc0\x00\x02\xfe", 4);
	render("icmp redirect", &rec, &dec);
	CHECK_STREQ(jval("gateway"), "192.0.2.254", "gateway");

	dec.has_icmp_gateway = false;
	dec.icmp_type = 12;
	dec.has_icmp_parameter = true;
	dec.icmp_parameter = 20;
	render("icmp parameter problem", &rec, &dec);
	CHECK_STREQ(jval("parameter"), "20", "parameter");
	CHECK(jtype("gateway") == 0 && jtype("mtu") == 0, "parameter problem: no gateway, mtu");
}

static void test_ipv6(void)
{
	struct nflogd_record rec;
	struct nflogd_decoded dec = {
		.l3 = DECODE_L3_IPV6,
		.len = 72,
		.tos = 0,
		.ttl = 64,
		.flowlabel = 0x12345,
		.src = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		.dst = { [15] = 1 },
		.has_proto = true,
		.proto = 58,
		.has_icmp = true,
		.icmp_type = 2,
		.icmp_code = 0,
		.has_icmp_mtu = true,
		.icmp_mtu = 1280,
		.has_inner = true,
		.inner = { .l3 = DECODE_L3_IPV6,
			   .src = { [15] = 1 },
			   .dst = { 0xfe, 0x80, [15] = 2 } },
	};
	base_record(&rec);
	rec.family = 10;
	rec.hw_protocol = 0x86dd;
	render("ipv6 icmpv6 too big", &rec, &dec);
	CHECK_STREQ(jval("src"), "2001:db8::1", "ipv6 src compressed");
	CHECK_STREQ(jval("dst"), "::1", "ipv6 dst compressed");
	CHECK_STREQ(jval("family"), "ipv6", "family ipv6");
	CHECK_STREQ(jval("hoplimit"), "64", "hoplimit");
	CHECK_STREQ(jval("flowlabel"), "74565", "flowlabel");
	CHECK_STREQ(jval("mtu"), "1280", "mtu");
	CHECK_STREQ(jval("inner.dst"), "fe80::2", "inner ipv6 dst");
	CHECK(jtype("ttl") == 0 && jtype("tos") == 0 && jtype("df") == 0 && jtype("ip_id") == 0 &&
		  jtype("frag_offset") == 0 && jtype("mf") == 0,
	      "ipv6 without fragment header: no IPv4 keys");

	dec.has_frag = dec.has_id = dec.mf = true;
	dec.id = 0xdeadbeef;
	dec.frag_offset = 1448;
	dec.has_inner = dec.has_icmp = dec.has_icmp_mtu = false;
	render("ipv6 fragment", &rec, &dec);
	CHECK_STREQ(jval("ip_id"), "3735928559", "ipv6 fragment id");
	CHECK_STREQ(jval("frag_offset"), "1448", "ipv6 fragment offset in bytes");
	CHECK_STREQ(jval("mf"), "true", "ipv6 mf");

	struct nflogd_decoded tcp = {
		.l3 = DECODE_L3_IPV6,
		.len = 60,
		.src = { [15] = 1 },
		.dst = { [15] = 1 },
		.has_proto = true,
		.proto = 6,
		.has_ports = true,
		.sport = 1,
		.dport = 2,
		.has_tcp = true,
		.tcp_flags = TCPF_FIN | TCPF_SYN | TCPF_RST | TCPF_PSH | TCPF_ACK | TCPF_URG |
			     TCPF_ECE | TCPF_CWR,
		.tcp_res = 3,
		.tcp_urgp = 9,
	};
	render("ipv6 tcp all flags", &rec, &tcp);
	CHECK(
	    strstr(
		out.data,
		"\"tcp_flags\":[\"CWR\",\"ECE\",\"URG\",\"ACK\",\"PSH\",\"RST\",\"SYN\",\"FIN\"]"),
	    "all flags in the kernel's order");
	CHECK_STREQ(jval("res"), "3", "res");
	tcp.tcp_flags = 0;
	render("ipv6 tcp no flags", &rec, &tcp);
	CHECK(strstr(out.data, "\"tcp_flags\":[]"), "no flags: empty array");
}

static void test_arp(void)
{
	struct nflogd_record rec;
	struct nflogd_decoded dec = {
		.l3 = DECODE_L3_ARP,
		.has_arp = true,
		.arp_htype = 1,
		.arp_ptype = 0x0800,
		.arp_op = 1,
		.has_arp_addrs = true,
		.arp_sha = { 2, 0, 0, 0, 0, 1 },
		.arp_spa = { 10, 0, 0, 1 },
		.arp_tha = { 0 },
		.arp_tpa = { 10, 0, 0, 2 },
	};
	base_record(&rec);
	rec.family = 3;
	rec.hw_protocol = 0x0806;
	render("arp", &rec, &dec);
	CHECK_STREQ(jval("family"), "arp", "family arp");
	CHECK_STREQ(jval("arp_op"), "1", "arp_op");
	CHECK_STREQ(jval("arp_ptype"), "2048", "arp_ptype");
	CHECK_STREQ(jval("arp_sha"), "02:00:00:00:00:01", "arp_sha");
	CHECK_STREQ(jval("arp_tha"), "00:00:00:00:00:00", "arp_tha");
	CHECK_STREQ(jval("arp_tpa"), "10.0.0.2", "arp_tpa");
	CHECK(jtype("src") == 0 && jtype("protocol") == 0, "arp: no IP keys");

	dec.has_arp_addrs = false;
	dec.l3_truncated = true;
	render("arp truncated", &rec, &dec);
	CHECK(jtype("arp_op") == 'n' && jtype("arp_sha") == 0, "arp cut short: header only");
	CHECK_STREQ(jval("truncated"), "network", "truncated network");
}

/* copymode none/meta and an output-hook packet of a local socket. */
static void test_no_payload(void)
{
	struct nflogd_record rec = {
		.group = 65535,
		.family = 2,
		.has_packet_hdr = true,
		.hw_protocol = 0x0800,
		.hook = RECORD_HOOK_OUTPUT,
		.ts = { .tv_sec = 1795780000, .tv_usec = 7 },
		.ts_from_kernel = false,
		.outdev = { .index = 1, .name = "lo" },
		.has_uid = true,
		.uid = 0,
		.has_gid = true,
		.gid = 65534,
		.has_seq_global = true,
		.seq_global = 4294967295u,
	};
	struct nflogd_decoded dec = { 0 };
	const char *got = render("no payload", &rec, &dec);
	CHECK_STREQ(jval("timestamp_source"), "receive", "no kernel timestamp: receive");
	CHECK_STREQ(jval("timestamp"), "2026-11-27T11:46:40.000007+00:00",
		    "receive time, usec padded");
	CHECK_STREQ(jval("hook"), "output", "hook output");
	CHECK(jtype("prefix") == 'z', "no prefix: null");
	CHECK(jtype("payload") == 'z' && strcmp(jval("payload_len"), "0") == 0,
	      "payload null, len 0");
	CHECK(jtype("hwaddr") == 'z' && jtype("hwhdr") == 'z' && jtype("hwtype") == 'z',
	      "no link layer: null");
	CHECK(jtype("seq") == 'z', "seq null without the flag");
	CHECK_STREQ(jval("seq_global"), "4294967295", "seq_global");
	CHECK_STREQ(jval("uid"), "0", "uid 0 (root) is present, not null");
	CHECK_STREQ(jval("gid"), "65534", "gid");
	CHECK_STREQ(jval("nfmark"), "0", "no mark: 0");
	CHECK_STREQ(jval("outdev"), "lo", "outdev");
	CHECK(jtype("indev") == 'z' && jtype("indev_index") == 'z', "no indev: null");
	int decoded = 0;
	for (size_t i = 0; i < fields_count; i++)
		if (fields_table[i].presence == FIELD_OPTIONAL && jget(fields_table[i].key))
			decoded++;
	CHECK(decoded == 0, "no payload: no decoded key");
	CHECK(strstr(got, "\"uid\":0,\"gid\":65534,") != NULL, "uid/gid text");

	rec.has_packet_hdr = false;
	rec.has_uid = rec.has_gid = false;
	rec.family = 99;
	render("no packet header", &rec, &dec);
	CHECK(jtype("hook") == 'z' && jtype("proto") == 'z', "no packet header: hook, proto null");
	CHECK(jtype("uid") == 'z' && jtype("gid") == 'z', "absent uid/gid: null");
	CHECK_STREQ(jval("family"), "99", "unknown family: its number");

	rec.has_packet_hdr = true;
	rec.hook = 9;
	render("unknown hook", &rec, &dec);
	CHECK_STREQ(jval("hook"), "9", "unknown hook: its number");
}

static void test_vlan_and_more(void)
{
	struct nflogd_record rec;
	base_record(&rec);
	rec.has_vlan = true;
	rec.vlan_tci = 0xa00a; /* PCP 5, VID 10 */
	rec.vlan_proto = 0x8100;
	rec.has_ct_info = true;
	rec.ct_info = 2;
	rec.l2hdr = eth_hdr;
	rec.l2hdr_len = 14;
	rec.physindev = (struct record_ifdev){ .index = 4, .name = "veth1" };
	rec.physoutdev = (struct record_ifdev){ .index = 5 };
	struct nflogd_decoded dec = {
		.l3 = DECODE_L3_IPV4,
		.has_id = true,
		.has_proto = true,
		.proto = 50,
		.has_spi = true,
		.spi = 0x01020304,
		.ip_options = (const uint8_t *)"\x94\x04\x00\x00",
		.ip_options_len = 4,
	};
	render("vlan esp", &rec, &dec);
	CHECK_STREQ(jval("vlan_id"), "10", "vlan_id");
	CHECK_STREQ(jval("vlan_tci"), "40970", "vlan_tci");
	CHECK_STREQ(jval("vlan_proto"), "33024", "vlan_proto");
	CHECK_STREQ(jval("ct_info"), "2", "ct_info");
	CHECK_STREQ(jval("l2hdr"), "0200000000020200000000010800", "l2hdr");
	CHECK_STREQ(jval("physindev"), "veth1", "physindev");
	CHECK(jtype("physoutdev") == 'z' && strcmp(jval("physoutdev_index"), "5") == 0,
	      "unresolved name: null name, index kept");
	CHECK_STREQ(jval("spi"), "16909060", "spi");
	CHECK_STREQ(jval("ip_options"), "94040000", "ip_options");

	struct nflogd_decoded cut = {
		.l3 = DECODE_L3_IPV4,
		.has_id = true,
		.has_proto = true,
		.proto = 6,
		.l4_incomplete = true,
		.l4_avail = 7,
	};
	render("transport truncated", &rec, &cut);
	CHECK_STREQ(jval("truncated"), "transport", "truncated transport");
	CHECK_STREQ(jval("truncated_bytes"), "7", "truncated_bytes");
	CHECK(jtype("spt") == 0, "no ports from a cut header");

	struct nflogd_decoded cut3 = { .l3 = DECODE_L3_IPV4, .l3_truncated = true };
	render("network truncated", &rec, &cut3);
	CHECK(jtype("src") == 0 && jtype("len") == 0 && strcmp(jval("truncated"), "network") == 0,
	      "IPv4 header cut: no IP keys, truncated network");

	struct nflogd_decoded opt = {
		.l3 = DECODE_L3_IPV4,
		.has_id = true,
		.has_proto = true,
		.proto = 6,
		.has_tcp = true,
		.has_ports = true,
		.tcp_options_truncated = true,
	};
	render("tcp options truncated", &rec, &opt);
	CHECK_STREQ(jval("truncated"), "tcp_options", "truncated tcp_options");
	CHECK(jtype("truncated_bytes") == 0, "truncated_bytes only for transport");
}

/* ---- hostile text ---- */

/* The JSON text of the prefix member, and whether prefix_hex came along. */
static void check_prefix(const char *raw, size_t n, const char *want_json, const char *want_hex,
			 const char *what)
{
	struct nflogd_record rec;
	struct nflogd_decoded dec = { 0 };
	base_record(&rec);
	rec.prefix = raw;
	rec.prefix_len = (uint16_t)n;
	const char *got = render(what, &rec, &dec);
	char want[1024];
	snprintf(want, sizeof want, "\"prefix\":\"%s\",%s%s%s\"proto\"", want_json,
		 want_hex ? "\"prefix_hex\":\"" : "", want_hex ? want_hex : "",
		 want_hex ? "\"," : "");
	bool ok = strstr(got, want) != NULL;
	CHECK(ok, "%s: exact escaping", what);
	if (!ok)
		printf("#   got:  %s\n#   want: %s\n", got, want);
}

static void test_hostile_prefix(void)
{
	check_prefix("a\nb", 3, "a\\nb", NULL, "newline");
	check_prefix("\"q\"\\", 4, "\\\"q\\\"\\\\", NULL, "quote and backslash");
	check_prefix("\x1b[31mred", 8, "\\u001b[31mred", NULL, "ESC");
	check_prefix("\b\f\r\t\x01\x1f\x7f", 7, "\\b\\f\\r\\t\\u0001\\u001f\\u007f", NULL,
		     "controls and DEL");
	check_prefix("nul\0x", 5, "nul\\u0000x", NULL, "embedded NUL kept");
	check_prefix("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
		     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", NULL, "valid UTF-8 passes");
	check_prefix("\xc2\x85\xc2\x9b", 4, "\\u0085\\u009b", NULL, "C1 controls escaped");
	check_prefix("\xc2\xa0", 2, "\xc2\xa0", NULL, "U+00A0 passes");
	check_prefix("x\xff", 2, "x\\ufffd", "78ff", "0xff");
	check_prefix("ab\xe2\x82", 4, "ab\\ufffd\\ufffd", "6162e282", "truncated UTF-8 at the end");
	check_prefix("\xe2\x82z", 3, "\\ufffd\\ufffdz", "e2827a", "truncated UTF-8 before ASCII");
	check_prefix("\xc0\xaf", 2, "\\ufffd\\ufffd", "c0af", "overlong slash");
	check_prefix("\xe0\x80\xaf", 3, "\\ufffd\\ufffd\\ufffd", "e080af", "overlong 3 bytes");
	check_prefix("\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd", "eda080", "surrogate");
	check_prefix("\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd", "f4908080",
		     "above U+10FFFF");
	check_prefix("\x80", 1, "\\ufffd", "80", "lone continuation");
	check_prefix("", 0, "", NULL, "empty prefix");

	/* 127 bytes of the worst kind still fit and stay valid. */
	char worst[127];
	memset(worst, 0xff, sizeof worst);
	struct nflogd_record rec;
	struct nflogd_decoded dec = { 0 };
	base_record(&rec);
	rec.prefix = worst;
	rec.prefix_len = sizeof worst;
	render("127 bytes 0xff", &rec, &dec);
	CHECK(jget("prefix_hex") && jget("prefix_hex")->val_len == 254, "prefix_hex has all bytes");
}

static void test_hostile_ifname(void)
{
	struct nflogd_record rec;
	struct nflogd_decoded dec = { 0 };
	base_record(&rec);
	memcpy(rec.indev.name, "e\"\\\xfe\n", 6);
	memset(rec.outdev.name, 'x', sizeof rec.outdev.name); /* no NUL at all */
	rec.outdev.index = 3;
	render("hostile interface names", &rec, &dec);
	CHECK_STREQ(jval("indev"), "e\"\\\xef\xbf\xbd\n", "indev decoded back, 0xfe replaced");
	CHECK_STREQ(jval("indev_hex"), "65225cfe0a", "indev_hex");
	CHECK(jget("outdev") && jget("outdev")->val_len == IF_NAMESIZE,
	      "unterminated name read within bounds");
}

/* A group read in another network namespace says which; others have no
 * netns key at all. */
static void test_netns(void)
{
	struct nflogd_record rec;
	struct nflogd_decoded dec = { 0 };
	base_record(&rec);
	const char *got = render("no netns", &rec, &dec);
	CHECK(jtype("netns") == 0 && !strstr(got, "netns"), "no netns: no key");
	rec.netns = "blue";
	got = render("netns blue", &rec, &dec);
	CHECK(strstr(got, "\"group\":1,\"netns\":\"blue\",\"seq\":5,") != NULL,
	      "netns after group: %s", got);
	rec.netns = "/run/docker/netns/1a2b3c";
	render("netns path", &rec, &dec);
	CHECK_STREQ(jval("netns"), "/run/docker/netns/1a2b3c", "a path");
}

/* Random bytes: always valid; decoded back equal to the input, or the
 * _hex companion carries the input. */
static void test_random_prefixes(void)
{
	struct nflogd_record rec;
	struct nflogd_decoded dec = { 0 };
	unsigned seed = 12345;
	int bad = 0, with_hex = 0;
	base_record(&rec);
	for (int iter = 0; iter < 3000; iter++) {
		char raw[127];
		size_t n = (size_t)(rand_r(&seed) % 128);
		for (size_t i = 0; i < n; i++) {
			int r = rand_r(&seed);
			/* mostly UTF-8-looking bytes, to hit the multibyte paths */
			raw[i] = (char)(r % 4 ? 0x80 + (r >> 8) % 0x78 : (r >> 8) & 0xff);
		}
		rec.prefix = raw;
		rec.prefix_len = (uint16_t)n;
		buf_reset(&out);
		format_json(&out, &rec, &dec);
		if (!json_parse(out.data, out.len)) {
			bad++;
			continue;
		}
		const struct jmember *hex = jget("prefix_hex");
		if (!hex) {
			bad += jget("prefix")->val_len != n ||
			       memcmp(jget("prefix")->val, raw, n) != 0;
			continue;
		}
		with_hex++;
		char want[255];
		for (size_t i = 0; i < n; i++)
			sprintf(want + 2 * i, "%02x", (unsigned char)raw[i]);
		bad += hex->val_len != 2 * n || memcmp(hex->val, want, 2 * n) != 0;
	}
	CHECK(bad == 0, "3000 random prefixes: valid JSON, lossless (%d needed _hex)", with_hex);
	CHECK(with_hex > 100 && with_hex < 3000, "random prefixes hit both paths");
}

/* ---- RFC 3339 ---- */

static const char *rfc3339(time_t sec, long usec)
{
	static struct buf b;
	struct timeval tv = { .tv_sec = sec, .tv_usec = usec };
	buf_reset(&b);
	format_rfc3339(&b, &tv);
	buf_putc(&b, 0);
	return b.data;
}

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* What strftime says, to compare with over many seconds. */
static const char *reference(time_t sec, long usec)
{
	static char s[64];
	struct tm tm;
	localtime_r(&sec, &tm);
	size_t n = strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	long off = tm.tm_gmtoff, a = off < 0 ? -off : off;
	snprintf(s + n, sizeof s - n, ".%06ld%c%02ld:%02ld", usec, off < 0 ? '-' : '+', a / 3600,
		 a / 60 % 60);
	return s;
}

static void test_rfc3339(void)
{
	set_tz("UTC");
	CHECK_STREQ(rfc3339(0, 0), "1970-01-01T00:00:00.000000+00:00", "epoch, UTC");
	CHECK_STREQ(rfc3339(1795780000, 472765), "2026-11-27T11:46:40.472765+00:00", "UTC");
	CHECK_STREQ(rfc3339(1795780000, 5), "2026-11-27T11:46:40.000005+00:00",
		    "same second: usec padded");
	CHECK_STREQ(rfc3339(1795780000, 999999), "2026-11-27T11:46:40.999999+00:00",
		    "same second, cached");
	CHECK_STREQ(rfc3339(1795780001, 0), "2026-11-27T11:46:41.000000+00:00", "next second");
	CHECK_STREQ(rfc3339(1795779999, 1000000), "2026-11-27T11:46:40.000000+00:00",
		    "usec 1000000 carries");
	CHECK_STREQ(rfc3339(1795780000, -1), "2026-11-27T11:46:39.999999+00:00",
		    "negative usec borrows");
	CHECK_STREQ(rfc3339(1795780000, 10), "2026-11-27T11:46:40.000010+00:00",
		    "back to a cached-out second");

	/* The cache keys on the second only: a zone change shows from the
	 * next second on (the daemon never changes zone; this proves the cache). */
	set_tz("NPT-5:45");
	CHECK_STREQ(rfc3339(1795780000, 1), "2026-11-27T11:46:40.000001+00:00",
		    "cached second keeps its text");
	CHECK_STREQ(rfc3339(1795780002, 1), "2026-11-27T17:31:42.000001+05:45", "+05:45 zone");
	set_tz("NST3:30");
	CHECK_STREQ(rfc3339(1795780003, 120), "2026-11-27T08:16:43.000120-03:30", "-03:30 zone");
	CHECK_STREQ(rfc3339(1795780003, 121), "2026-11-27T08:16:43.000121-03:30",
		    "-03:30 zone, cached");

	set_tz("Europe/Berlin");
	CHECK_STREQ(rfc3339(1782550800, 0), "2026-06-27T11:00:00.000000+02:00", "Berlin summer");
	CHECK_STREQ(rfc3339(1795780000, 0), "2026-11-27T12:46:40.000000+01:00", "Berlin winter");
	/* DST ends 2026-10-25 01:00 UTC: 02:59:59+02:00 then 02:00:00+01:00. */
	CHECK_STREQ(rfc3339(1792889999, 0), "2026-10-25T02:59:59.000000+02:00", "before DST end");
	CHECK_STREQ(rfc3339(1792890000, 0), "2026-10-25T02:00:00.000000+01:00", "after DST end");

	int bad = 0;
	unsigned seed = 7;
	for (int i = 0; i < 2000; i++) {
		time_t sec = (time_t)(rand_r(&seed) % 2000000000);
		long usec = rand_r(&seed) % 1000000;
		char want[64];
		snprintf(want, sizeof want, "%s", reference(sec, usec));
		if (strcmp(rfc3339(sec, usec), want) != 0 && bad++ < 3)
			printf("# %s != %s\n", rfc3339(sec, usec), want);
	}
	CHECK(bad == 0, "2000 random times in Europe/Berlin match strftime");
	set_tz("UTC");
}

int main(void)
{
	buf_init(&out);
	set_tz("UTC");
	test_ipv4_tcp_exact();
	test_ipv4_udp();
	test_icmp_error();
	test_ipv6();
	test_arp();
	test_no_payload();
	test_vlan_and_more();
	test_hostile_prefix();
	test_hostile_ifname();
	test_netns();
	test_random_prefixes();
	test_rfc3339();
	buf_free(&out);
	return check_done();
}
