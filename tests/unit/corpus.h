/* corpus.h - the captured records the formatter tests replay (included
 * by one test file each; everything is static).
 *
 *   corpus_kernel_lines(fn, arg): tests/data/kernel-lines.txt, records the
 *     real kernel sent over NFLOG with the LOG line it printed for the same
 *     packet and log flags; fn(rec, flags, line, arg) per record (line is
 *     NULL when a record does not parse). Returns the records replayed.
 *   corpus_datagrams(fn, arg): every netlink datagram of the record
 *     fuzzer's corpus (tests/fuzz/corpus_record), walked and parsed as the
 *     reader does, with hostile interface names made from the datagram's
 *     own bytes as the fuzzer makes them; fn(rec, arg) per record.
 *     Returns the records parsed.
 *   corpus_datagram(data, size, fn, arg): the records of one datagram so
 *     (tests/fuzz/fuzz_record.c walks its inputs with it).
 *   corpus_variants(fn, arg): every record of corpus_datagrams() and
 *     variants of it made by hand with what the captures lack (a prefix
 *     that is not UTF-8, Ethernet header and address, VLAN, conntrack,
 *     uid/gid, a UTF-8 device name, no prefix and no payload); fn(rec,
 *     arg) per record. Returns the records passed to fn.
 * Without TEST_DATA_DIR (the fuzz target) only corpus_datagram() is there.
 */
#ifndef NFLOGD_TEST_CORPUS_H
#define NFLOGD_TEST_CORPUS_H

#include <dirent.h>
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

typedef void corpus_record_fn(const struct nflogd_record *rec, void *arg);

/* The name an index gets: up to 15 bytes of the datagram, chosen by the
 * index (as tests/fuzz/fuzz_record.c names them). */
static void corpus_name_from(struct record_ifdev *dev, const uint8_t *data, size_t size)
{
	memset(dev->name, 0, sizeof dev->name);
	if (!dev->index || !size)
		return;
	size_t off = dev->index % size, n = (dev->index >> 16) % IF_NAMESIZE;
	if (n > size - off)
		n = size - off;
	memcpy(dev->name, data + off, n);
}

/* The records of one datagram, walked as src/libnflogr/nflog.c walks
 * them, but mnl_nlmsg_ok() casts nlmsg_len to int: a length of 2^31 or
 * more passes it and mnl_nlmsg_next() then jumps far out of the buffer.
 * The kernel never sends that; it is checked here so that a fuzzer looks
 * at what comes after. */
static int corpus_datagram(const uint8_t *data, size_t size, corpus_record_fn *fn, void *arg)
{
	static const struct timeval recv_time = { 1795000000, 123456 };
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)data;
	int left = (int)size, n = 0;
	for (; mnl_nlmsg_ok(nlh, left) && nlh->nlmsg_len <= (uint32_t)left;
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		struct nflogd_record rec;
		if (record_parse(nlh, &recv_time, &rec) < 0)
			continue;
		corpus_name_from(&rec.indev, data, size);
		corpus_name_from(&rec.outdev, data, size);
		corpus_name_from(&rec.physindev, data, size);
		corpus_name_from(&rec.physoutdev, data, size);
		fn(&rec, arg);
		n++;
	}
	return n;
}

#ifdef TEST_DATA_DIR /* the files: unit tests only */

#define CORPUS_KERNEL_LINES TEST_DATA_DIR "/data/kernel-lines.txt"
#define CORPUS_DATAGRAMS TEST_DATA_DIR "/fuzz/corpus_record"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex string to bytes; returns the byte count or -1. */
static int unhex(const char *s, size_t n, uint8_t *dst, size_t cap)
{
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		dst[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

struct fixture {
	uint8_t payload[65536], hwhdr[256];
	char prefix[256];
};

static bool fixture_dev(const char *val, size_t n, struct record_ifdev *dev)
{
	char *colon;
	dev->index = (uint32_t)strtoul(val, &colon, 10);
	if (*colon != ':')
		return false;
	size_t hexlen = n - (size_t)(colon + 1 - val);
	memset(dev->name, 0, sizeof dev->name);
	return unhex(colon + 1, hexlen, (uint8_t *)dev->name, sizeof dev->name - 1) >= 0;
}

/* One "key=value" of an R line into rec. */
static bool fixture_field(const char *key, size_t klen, const char *val, size_t vlen,
			  struct nflogd_record *rec, struct fixture *fx)
{
	bool absent = vlen == 1 && val[0] == '-';
	int n;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)
	if (KEY("family"))
		rec->family = (uint8_t)atoi(val);
	else if (KEY("proto"))
		rec->hw_protocol = (uint16_t)strtoul(val, NULL, 16);
	else if (KEY("hook"))
		rec->hook = (uint8_t)atoi(val);
	else if (KEY("in"))
		return fixture_dev(val, vlen, &rec->indev);
	else if (KEY("out"))
		return fixture_dev(val, vlen, &rec->outdev);
	else if (KEY("pin"))
		return fixture_dev(val, vlen, &rec->physindev);
	else if (KEY("pout"))
		return fixture_dev(val, vlen, &rec->physoutdev);
	else if (KEY("hwtype")) {
		rec->has_hwtype = !absent;
		rec->hwtype = absent ? 0 : (uint16_t)atoi(val);
	} else if (KEY("hwhdr")) {
		if (absent)
			return true;
		if ((n = unhex(val, vlen, fx->hwhdr, sizeof fx->hwhdr)) < 0)
			return false;
		rec->hwhdr = fx->hwhdr;
		rec->hwhdr_len = (uint16_t)n;
	} else if (KEY("mark")) {
		rec->has_mark = !absent;
		rec->mark = absent ? 0 : (uint32_t)strtoul(val, NULL, 10);
	} else if (KEY("uid")) {
		rec->has_uid = !absent;
		rec->uid = absent ? 0 : (uint32_t)strtoul(val, NULL, 10);
	} else if (KEY("gid")) {
		rec->has_gid = !absent;
		rec->gid = absent ? 0 : (uint32_t)strtoul(val, NULL, 10);
	} else if (KEY("vlan")) {
		if (absent)
			return true;
		rec->has_vlan = true;
		rec->vlan_proto = (uint16_t)strtoul(val, NULL, 16);
		rec->vlan_tci = (uint16_t)atoi(strchr(val, ':') + 1);
	} else if (KEY("prefix")) {
		if (absent)
			return true;
		if ((n = unhex(val, vlen, (uint8_t *)fx->prefix, sizeof fx->prefix)) < 0)
			return false;
		rec->prefix = fx->prefix;
		rec->prefix_len = (uint16_t)n;
	} else if (KEY("payload")) {
		if (absent)
			return true;
		if ((n = unhex(val, vlen, fx->payload, sizeof fx->payload)) < 0)
			return false;
		rec->payload = fx->payload;
		rec->payload_len = (uint32_t)n;
	}
#undef KEY
	return true;
}

static bool fixture_record(const char *line, struct nflogd_record *rec, struct fixture *fx)
{
	memset(rec, 0, sizeof *rec);
	const char *p = line + 2;
	while (*p) {
		const char *end = strchr(p, ' ');
		if (!end)
			end = p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (!eq ||
		    !fixture_field(p, (size_t)(eq - p), eq + 1, (size_t)(end - eq - 1), rec, fx))
			return false;
		p = *end ? end + 1 : end;
	}
	return true;
}

typedef void corpus_line_fn(const struct nflogd_record *rec, unsigned flags, const char *line,
			    void *arg);

static inline int corpus_kernel_lines(corpus_line_fn *fn, void *arg)
{
	static struct fixture fx;
	static char line[140000];
	struct nflogd_record rec;
	unsigned flags = 0;
	bool have_rec = false;
	int cases = 0;
	FILE *f = fopen(CORPUS_KERNEL_LINES, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == 'F') {
			flags = (unsigned)strtoul(line + 2, NULL, 16);
		} else if (line[0] == 'R') {
			have_rec = fixture_record(line, &rec, &fx);
		} else if (line[0] == 'K') {
			fn(have_rec ? &rec : NULL, flags, line + 2, arg);
			cases++;
			have_rec = false;
		}
	}
	fclose(f);
	return cases;
}

static inline int corpus_datagrams(corpus_record_fn *fn, void *arg)
{
	static uint8_t data[1 << 20] __attribute__((aligned(8)));
	DIR *d = opendir(CORPUS_DATAGRAMS);
	if (!d)
		return 0;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		char path[512];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", CORPUS_DATAGRAMS, e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		size_t size = fread(data, 1, sizeof data, f);
		fclose(f);
		n += corpus_datagram(data, size, fn, arg);
	}
	closedir(d);
	return n;
}

struct corpus_variants_to {
	corpus_record_fn *fn;
	void *arg;
	int n;
};

static void corpus_variants_of(const struct nflogd_record *base, void *arg)
{
	static const char bad_utf8[] = "drop \xff\xfe\"\\\n";
	static const uint8_t hw[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0 };
	struct corpus_variants_to *to = arg;
	struct nflogd_record rec = *base;
	to->fn(&rec, to->arg);
	rec.prefix = bad_utf8; /* not UTF-8: "prefix_hex" follows */
	rec.prefix_len = sizeof bad_utf8 - 1;
	rec.has_seq = !rec.has_seq;
	rec.seq = 7;
	to->fn(&rec, to->arg);
	rec.has_hwtype = rec.has_hwlen = true;
	rec.hwtype = 1; /* Ethernet: mac_src, mac_dst, mac_proto */
	rec.hwlen = 14;
	rec.hwhdr = hw;
	rec.hwhdr_len = sizeof hw;
	rec.hwaddr = hw;
	rec.hwaddr_len = 6;
	rec.has_vlan = true;
	rec.vlan_proto = 0x8100;
	rec.vlan_tci = 0x2005;
	rec.has_ct_info = rec.has_uid = rec.has_gid = true;
	rec.indev.index = 3;
	memcpy(rec.indev.name, "eth\xc3\xa9", 6); /* UTF-8 */
	to->fn(&rec, to->arg);
	rec.prefix = NULL;
	rec.payload = NULL; /* copymode meta */
	rec.payload_len = 0;
	rec.has_packet_hdr = false;
	to->fn(&rec, to->arg);
	to->n += 4;
}

static inline int corpus_variants(corpus_record_fn *fn, void *arg)
{
	struct corpus_variants_to to = { fn, arg, 0 };
	corpus_datagrams(corpus_variants_of, &to);
	return to.n;
}

#endif /* TEST_DATA_DIR */

#endif
