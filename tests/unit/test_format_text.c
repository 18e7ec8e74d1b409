/* test_format_text.c - the kernel LOG line.
 *
 * 1. Replays tests/data/kernel-lines.txt: NFLOG records captured from the
 *    real kernel together with the line the kernel's LOG target printed
 *    for the same packet; our line must be identical.
 * 2. Hand-built records for what the capture cannot produce on loopback
 *    (escaping, ARP, bridge/netdev, MAC decoding, no payload, line cap).
 * 3. Every prefix of a set of packets and random bytes: no crash under
 *    ASan/UBSan, never a newline.
 * 4. The line format_text() makes from the decoded fields, for the packets
 *    it can, against the walk (format_text_walk()), on every record of the
 *    captured corpora and every log_flags combination.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "corpus.h"
#include "decode.h"
#include "format.h"

/* ---- helpers --------------------------------------------------------- */

static struct buf out;

static const char *render(const struct nflogd_record *rec, unsigned flags)
{
	struct nflogd_decoded dec;
	decode_record(rec, &dec);
	buf_reset(&out);
	format_text(&out, rec, &dec, flags);
	buf_putc(&out, '\0');
	return out.data;
}

static bool no_newline(const struct buf *b)
{
	return memchr(b->data, '\n', b->len) == NULL && memchr(b->data, '\r', b->len) == NULL;
}

static void rec_init(struct nflogd_record *rec, uint8_t family, const void *payload, uint32_t len)
{
	memset(rec, 0, sizeof *rec);
	rec->family = family;
	rec->payload = payload;
	rec->payload_len = len;
	rec->prefix = "P ";
	rec->prefix_len = 2;
}

static void set_dev(struct record_ifdev *dev, uint32_t index, const char *name)
{
	dev->index = index;
	snprintf(dev->name, sizeof dev->name, "%s", name);
}

/* ---- 1. replay of real kernel lines ---------------------------------- */

static void kernel_line(const struct nflogd_record *rec, unsigned flags, const char *line,
			void *arg)
{
	int *cases = arg;
	++*cases;
	CHECK(rec != NULL, "fixture record parses before kernel line %d", *cases);
	if (rec)
		CHECK_STREQ(render(rec, flags), line, "kernel line %d (flags 0x%02x)", *cases,
			    flags);
}

static void test_kernel_lines(void)
{
	int cases = 0;
	corpus_kernel_lines(kernel_line, &cases);
	CHECK(cases >= 100, "replayed %d real kernel lines", cases);
}

/* ---- 2. hand-built cases ---------------------------------------------- */

/* UDP 10.0.0.1:1000 -> 10.0.0.2:53, 28 bytes. */
static const uint8_t udp4[] = {
	0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 10,   0,
	0,    1,    10,	  0,	0,    2,    0x03, 0xe8, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,
};
#define UDP4_TAIL                                                                                  \
	"SRC=10.0.0.1 DST=10.0.0.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=4660 DF "                   \
	"PROTO=UDP SPT=1000 DPT=53 LEN=8 "

static void test_escaping(void)
{
	struct nflogd_record rec;
	static const char hostile[] = "a\nb\"c\\d\x1b[31m\xff\x7f\r\x00z";
	rec_init(&rec, 2, udp4, sizeof udp4);
	rec.prefix = hostile;
	rec.prefix_len = sizeof hostile - 1;
	set_dev(&rec.indev, 3, "e\x1b\xff\\n");
	CHECK_STREQ(render(&rec, 0),
		    "a\\x0ab\"c\\x5cd\\x1b[31m\\xff\\x7f\\x0d\\x00zIN=e\\x1b\\xff\\x5cn OUT= "
		    "MAC= " UDP4_TAIL,
		    "prefix and interface name bytes escaped as \\xHH");
	CHECK(no_newline(&out), "no newline in an escaped line");

	rec_init(&rec, 2, udp4, sizeof udp4);
	rec.prefix = NULL;
	rec.prefix_len = 0;
	CHECK_STREQ(render(&rec, 0), "IN= OUT= " UDP4_TAIL, "no prefix, no devices");

	static char long_prefix[127];
	memset(long_prefix, '\n', sizeof long_prefix);
	rec.prefix = long_prefix;
	rec.prefix_len = sizeof long_prefix;
	render(&rec, FORMAT_LOG_ALL);
	CHECK(no_newline(&out) && strlen(out.data) == 127 * 4 + strlen("IN= OUT= " UDP4_TAIL),
	      "127 newlines become 508 escaped bytes, the packet is still complete");
}

static void test_devices(void)
{
	struct nflogd_record rec;
	rec_init(&rec, 2, udp4, sizeof udp4);
	set_dev(&rec.indev, 5, "br0");
	set_dev(&rec.physindev, 6, "veth1");
	set_dev(&rec.outdev, 7, "eth0");
	set_dev(&rec.physoutdev, 7, "eth0");
	CHECK_STREQ(render(&rec, 0), "P IN=br0 OUT=eth0 PHYSIN=veth1 MAC= " UDP4_TAIL,
		    "PHYSIN only when it differs from IN");

	rec_init(&rec, 7, udp4, sizeof udp4); /* bridge family */
	rec.hw_protocol = 0x0800;
	set_dev(&rec.indev, 5, "br0");
	set_dev(&rec.physindev, 6, "veth1");
	set_dev(&rec.outdev, 5, "br0");
	set_dev(&rec.physoutdev, 8, "veth2");
	CHECK_STREQ(render(&rec, 0), "P IN=veth1 OUT=veth2 MAC= " UDP4_TAIL,
		    "bridge family: the kernel names the bridge ports");

	rec_init(&rec, 2, udp4, sizeof udp4);
	rec.indev.index = 9; /* not resolved */
	CHECK_STREQ(render(&rec, 0), "P IN= OUT= MAC= " UDP4_TAIL, "unresolved name prints empty");
}

static const uint8_t eth_hdr[14] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
};

static void test_mac(void)
{
	struct nflogd_record rec;
	rec_init(&rec, 2, udp4, sizeof udp4);
	set_dev(&rec.indev, 2, "eth0");
	rec.has_hwtype = true;
	rec.hwtype = 1;
	rec.hwhdr = eth_hdr;
	rec.hwhdr_len = 14;
	CHECK_STREQ(render(&rec, 0),
		    "P IN=eth0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 " UDP4_TAIL,
		    "MAC= raw header");
	CHECK_STREQ(render(&rec, FORMAT_LOG_MACDECODE),
		    "P IN=eth0 OUT= MACSRC=02:00:00:00:00:01 MACDST=02:00:00:00:00:02 "
		    "MACPROTO=0800 " UDP4_TAIL,
		    "ether flag decodes the header");
	rec.family = 5; /* netdev, with a VLAN tag */
	rec.hw_protocol = 0x0800;
	rec.has_vlan = true;
	rec.vlan_proto = 0x8100;
	rec.vlan_tci = 0x2064; /* priority 1, VID 100: the kernel prints the TCI */
	CHECK_STREQ(
	    render(&rec, FORMAT_LOG_MACDECODE),
	    "P IN=eth0 OUT= MACSRC=02:00:00:00:00:01 MACDST=02:00:00:00:00:02 VPROTO=8100 VID=8292 "
	    "MACPROTO=0800 " UDP4_TAIL,
	    "VLAN tag");
	rec.hwhdr_len = 13;
	CHECK_STREQ(render(&rec, FORMAT_LOG_MACDECODE), "P IN=eth0 OUT= " UDP4_TAIL,
		    "ether flag, header too short: nothing, like the kernel");
	rec.hwtype = 772; /* loopback */
	CHECK_STREQ(render(&rec, FORMAT_LOG_MACDECODE),
		    "P IN=eth0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08 " UDP4_TAIL,
		    "ether flag on a non-Ethernet device falls back to MAC=");
	rec.hwhdr = NULL;
	rec.hwhdr_len = 0;
	CHECK_STREQ(render(&rec, 0), "P IN=eth0 OUT= MAC= " UDP4_TAIL, "no header: empty MAC=");

	static uint8_t sit[34];
	memset(sit, 0, sizeof sit);
	sit[14 + 12] = 192;
	sit[14 + 15] = 1;
	sit[14 + 16] = 192;
	sit[14 + 19] = 2;
	rec.hwtype = 776;
	rec.hwhdr = sit;
	rec.hwhdr_len = sizeof sit;
	render(&rec, 0);
	CHECK(strstr(out.data, " TUNNEL=192.0.0.1->192.0.0.2 SRC=") != NULL,
	      "SIT: TUNNEL= after MAC");

	rec_init(&rec, 5, NULL, 0); /* netdev, unknown EtherType */
	rec.hw_protocol = 0x88cc;
	set_dev(&rec.indev, 2, "eth0");
	rec.has_hwtype = true;
	rec.hwtype = 1;
	rec.hwhdr = eth_hdr;
	rec.hwhdr_len = 14;
	CHECK_STREQ(render(&rec, 0),
		    "P IN=eth0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 ",
		    "unknown EtherType: common part and MAC only");
}

static void test_no_payload(void)
{
	struct nflogd_record rec;
	rec_init(&rec, 2, NULL, 0);
	set_dev(&rec.outdev, 1, "lo");
	rec.has_uid = rec.has_gid = true;
	rec.uid = 1000;
	rec.gid = 100;
	rec.has_mark = true;
	rec.mark = 0xdead;
	CHECK_STREQ(render(&rec, FORMAT_LOG_ALL), "P IN= OUT=lo UID=1000 GID=100 MARK=0xdead ",
		    "copymode meta: common, UID/GID, MARK");
	CHECK_STREQ(render(&rec, 0), "P IN= OUT=lo MARK=0xdead ", "UID/GID only with skuid");
	rec.mark = 0;
	CHECK_STREQ(render(&rec, 0), "P IN= OUT=lo ", "MARK=0x0 is never printed");
	set_dev(&rec.indev, 2, "eth0");
	CHECK_STREQ(render(&rec, 0), "P IN=eth0 OUT=lo MAC= ", "input device: MAC= still");
}

static void test_arp(void)
{
	static const uint8_t arp[28] = {
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01, 0x02, 0, 0,	0,   0, 0x01,
		192,  168,  1,	  1,	0, 0, 0,    0,	  0,	0, 192, 168, 1, 2,
	};
	struct nflogd_record rec;
	rec_init(&rec, 3, arp, sizeof arp);
	set_dev(&rec.indev, 2, "eth0");
	CHECK_STREQ(render(&rec, 0),
		    "P IN=eth0 OUT= ARP HTYPE=1 PTYPE=0x0800 OPCODE=1 MACSRC=02:00:00:00:00:01 "
		    "IPSRC=192.168.1.1 MACDST=00:00:00:00:00:00 IPDST=192.168.1.2",
		    "ARP request");
	rec.has_hwtype = true;
	rec.hwtype = 1;
	rec.hwhdr = eth_hdr;
	rec.hwhdr_len = 14;
	CHECK_STREQ(
	    render(&rec, FORMAT_LOG_MACDECODE),
	    "P IN=eth0 OUT= MACSRC=02:00:00:00:00:01 MACDST=02:00:00:00:00:02 MACPROTO=0800 "
	    "ARP HTYPE=1 PTYPE=0x0800 OPCODE=1 MACSRC=02:00:00:00:00:01 "
	    "IPSRC=192.168.1.1 MACDST=00:00:00:00:00:00 IPDST=192.168.1.2",
	    "ARP with ether flag");
	rec.payload_len = 20;
	CHECK_STREQ(render(&rec, 0),
		    "P IN=eth0 OUT= ARP HTYPE=1 PTYPE=0x0800 OPCODE=1 INCOMPLETE [12 bytes]",
		    "ARP body cut short");
	rec.payload_len = 7;
	CHECK_STREQ(render(&rec, 0), "P IN=eth0 OUT= TRUNCATED", "ARP header cut short");
	static uint8_t arp_ib[28];
	memcpy(arp_ib, arp, sizeof arp_ib);
	arp_ib[1] = 32;				  /* InfiniBand: no body decoding */
	rec_init(&rec, 7, arp_ib, sizeof arp_ib); /* bridge family dispatches on the EtherType */
	rec.hw_protocol = 0x0806;
	CHECK_STREQ(render(&rec, 0), "P IN= OUT= ARP HTYPE=32 PTYPE=0x0800 OPCODE=1",
		    "non-Ethernet ARP via the bridge family");
}

/* An IPv4 packet with 40 bytes of options that quotes, in an ICMP error,
 * one with 40 bytes of IP options and 40 bytes of TCP options. */
static size_t build_long_packet(uint8_t *p)
{
	memset(p, 0, 240);
	p[0] = 0x4f;
	p[3] = 240;
	p[8] = 64;
	p[9] = 1;
	memset(p + 20, 1, 40);
	p[60] = 3;
	p[61] = 3; /* port unreachable */
	p[68] = 0x4f;
	p[71] = 172;
	p[77] = 6; /* quoted: ihl 15, TCP */
	memset(p + 88, 1, 40);
	p[128 + 12] = 0xf0;
	p[128 + 13] = 0xff; /* doff 15, all flags */
	memset(p + 148, 1, 40);
	return 240;
}

static void test_line_cap(void)
{
	static uint8_t pkt[240];
	static uint8_t hw[200];
	static char prefix[127];
	struct nflogd_record rec;
	rec_init(&rec, 2, pkt, (uint32_t)build_long_packet(pkt));
	render(&rec, FORMAT_LOG_ALL);
	size_t natural = strlen(out.data);
	CHECK(natural > 480 && natural < 1016, "long packet alone fits (%zu bytes)", natural);
	CHECK(strstr(out.data, "CWR ECE URG ACK PSH RST SYN FIN URGP=0 OPT (0101") != NULL,
	      "quoted TCP options shown: %s", out.data);
	memset(prefix, 'x', sizeof prefix);
	rec.prefix = prefix;
	rec.prefix_len = sizeof prefix;
	set_dev(&rec.indev, 2, "eth0");
	rec.has_hwtype = true;
	rec.hwtype = 0xffff;
	rec.hwhdr = hw;
	rec.hwhdr_len = sizeof hw;
	render(&rec, FORMAT_LOG_ALL);
	CHECK(strlen(out.data) == 1016, "line cut at the kernel's 1016 bytes (%zu)",
	      strlen(out.data));
	prefix[0] = '\n';
	render(&rec, FORMAT_LOG_ALL);
	CHECK(strlen(out.data) == 1019, "escaping does not count against the cap (%zu)",
	      strlen(out.data));
}

/* ---- 3. robustness ----------------------------------------------------- */

/* Every cut of a packet renders without a newline (and, under ASan,
 * without reading past the cut). */
static int render_all_cuts(uint8_t family, const uint8_t *pkt, uint32_t len)
{
	static uint8_t copy[2048];
	struct nflogd_record rec;
	int bad = 0;
	for (uint32_t n = 0; n <= len; n++) {
		memcpy(copy + sizeof copy - n, pkt, n); /* at the end: ASan sees overreads */
		rec_init(&rec, family, copy + sizeof copy - n, n);
		render(&rec, FORMAT_LOG_ALL);
		bad += !no_newline(&out) || strncmp(out.data, "P IN= OUT= ", 11) != 0;
		render(&rec, 0);
		bad += !no_newline(&out);
	}
	return bad;
}

static void test_cuts(void)
{
	static uint8_t pkt[240];
	CHECK(render_all_cuts(2, udp4, sizeof udp4) == 0, "UDP cut at every byte");
	size_t len = build_long_packet(pkt);
	CHECK(render_all_cuts(2, pkt, (uint32_t)len) == 0,
	      "ICMP error with options cut at every byte");

	struct nflogd_record rec;
	rec_init(&rec, 2, pkt, 19);
	CHECK_STREQ(render(&rec, 0), "P IN= OUT= TRUNCATED", "19 bytes of IPv4: TRUNCATED");
	rec_init(&rec, 2, pkt, 59);
	CHECK_STREQ(
	    render(&rec, FORMAT_LOG_IPOPT),
	    "P IN= OUT= SRC=0.0.0.0 DST=0.0.0.0 LEN=240 TOS=0x00 PREC=0x00 TTL=64 ID=0 TRUNCATED",
	    "IP options cut short");
	rec_init(&rec, 2, pkt, 80);
	CHECK_STREQ(render(&rec, 0),
		    "P IN= OUT= SRC=0.0.0.0 DST=0.0.0.0 LEN=240 TOS=0x00 PREC=0x00 TTL=64 ID=0 "
		    "PROTO=ICMP TYPE=3 CODE=3 INCOMPLETE [20 bytes] ",
		    "ICMP error shorter than required_len");

	static const uint8_t v6hop[] = {
		/* IPv6, hop-by-hop claiming 2 KiB */
		0x60, 0, 0, 0,	 0, 16, 0, 64, 0, 0, 0,	 0, 0, 0, 0, 0, 0, 0, 0,
		0,    0, 0, 0,	 1, 0,	0, 0,  0, 0, 0,	 0, 0, 0, 0, 0, 0, 0, 0,
		0,    1, 6, 255, 1, 4,	0, 0,  0, 0, 60, 0, 0, 0, 0, 0, 0, 0,
	};
	CHECK(render_all_cuts(10, v6hop, sizeof v6hop) == 0,
	      "IPv6 extension chain cut at every byte");
	rec_init(&rec, 10, v6hop, sizeof v6hop);
	render(&rec, 0);
	/* The kernel computes the bytes left in unsigned arithmetic: a header
	 * length past the end wraps (seen on the real kernel too). */
	CHECK(strstr(out.data, "FLOWLBL=0 PROTO=TCP INCOMPLETE [4294965264 bytes] ") != NULL,
	      "transport header past the end: %s", out.data);
	static uint8_t v6hop2[sizeof v6hop];
	memcpy(v6hop2, v6hop, sizeof v6hop);
	v6hop2[40] = 60; /* another extension header, out of reach */
	rec_init(&rec, 10, v6hop2, sizeof v6hop2);
	render(&rec, 0);
	CHECK(strstr(out.data, "FLOWLBL=0 TRUNCATED") != NULL, "extension header out of reach: %s",
	      out.data);
	render(&rec, FORMAT_LOG_IPOPT);
	CHECK(strstr(out.data, "FLOWLBL=0 OPT ( ) TRUNCATED") != NULL, "same with ip options: %s",
	      out.data);

	/* Random bytes as IPv4, IPv6 and ARP. */
	static uint8_t rnd[256];
	unsigned seed = 12345;
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		uint32_t n = (uint32_t)(rand_r(&seed) % sizeof rnd);
		for (uint32_t j = 0; j < n; j++)
			rnd[j] = (uint8_t)rand_r(&seed);
		if (n && i % 3 == 0)
			rnd[0] = (uint8_t)(0x40 | (rnd[0] & 0x0f));
		if (n > 6 && i % 3 == 1) {
			rnd[0] = 0x60;
			rnd[6] = (uint8_t)(i % 2 ? 44 : 0);
		}
		struct nflogd_record rec2;
		rec_init(&rec2,
			 (uint8_t)(i % 3 == 0	? 2
				   : i % 3 == 1 ? 10
						: 3),
			 rnd + sizeof rnd - n, n);
		memmove(rnd + sizeof rnd - n, rnd, n);
		render(&rec2, (unsigned)i & FORMAT_LOG_ALL);
		bad += !no_newline(&out);
	}
	CHECK(bad == 0, "20000 random packets: no newline, no crash");
}

/* ---- 4. decode once: the line from the decoded fields = the walk ------- */

struct fast_run {
	struct buf fast, walk;
	int records, lines, differ;
};

/* format_text() (the common packets from the decoded fields) against
 * format_text_walk() (the kernel's walk), for every log_flags combination. */
static void fast_vs_walk(const struct nflogd_record *rec, void *arg)
{
	struct fast_run *r = arg;
	struct nflogd_decoded dec;
	decode_record(rec, &dec);
	r->records++;
	for (unsigned combo = 0; combo < 32; combo++) {
		unsigned flags = (combo & 0x0f) | (combo & 0x10 ? FORMAT_LOG_MACDECODE : 0);
		buf_reset(&r->fast);
		buf_reset(&r->walk);
		format_text(&r->fast, rec, &dec, flags);
		format_text_walk(&r->walk, rec, flags);
		r->lines++;
		if (r->fast.len == r->walk.len && !memcmp(r->fast.data, r->walk.data, r->fast.len))
			continue;
		if (r->differ++ < 3)
			printf("# flags 0x%02x:\n#   fast: %.*s\n#   walk: %.*s\n", flags,
			       (int)r->fast.len, r->fast.data, (int)r->walk.len, r->walk.data);
	}
}

static void fast_vs_walk_line(const struct nflogd_record *rec, unsigned flags, const char *line,
			      void *arg)
{
	(void)flags;
	(void)line;
	if (rec)
		fast_vs_walk(rec, arg);
}

static void test_fast_line(void)
{
	struct fast_run r = { .records = 0 };
	buf_init(&r.fast);
	buf_init(&r.walk);
	corpus_kernel_lines(fast_vs_walk_line, &r);
	corpus_datagrams(fast_vs_walk, &r);
	CHECK(r.records > 500 && r.differ == 0,
	      "the line from the decoded fields is the walk's: %d of %d lines (%d records, all "
	      "log_flags)",
	      r.lines - r.differ, r.lines, r.records);
	buf_free(&r.fast);
	buf_free(&r.walk);
}

int main(void)
{
	buf_init(&out);
	test_kernel_lines();
	test_escaping();
	test_devices();
	test_mac();
	test_no_payload();
	test_arp();
	test_line_cap();
	test_cuts();
	test_fast_line();
	buf_free(&out);
	return check_done();
}
