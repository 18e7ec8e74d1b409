/* test_decode.c - payload bytes to the flat fields of decode.h. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "decode.h"

static void rec_init(struct nflogd_record *rec, uint8_t family, const void *payload, uint32_t len)
{
	memset(rec, 0, sizeof *rec);
	rec->family = family;
	rec->payload = payload;
	rec->payload_len = len;
}

static struct nflogd_decoded decode(uint8_t family, const void *payload, uint32_t len)
{
	struct nflogd_record rec;
	struct nflogd_decoded dec;
	rec_init(&rec, family, payload, len);
	decode_record(&rec, &dec);
	return dec;
}

/* TCP SYN 10.0.0.1:40000 -> 10.0.0.2:22 with 4 bytes of options (MSS). */
static const uint8_t tcp4[] = {
	0x45, 0x1c, 0x00, 0x2c, 0xab, 0xcd, 0x40, 0x00, 0x40, 0x06, 0,	  0,	10,   0,    0,
	1,    10,   0,	  0,	2,    0x9c, 0x40, 0x00, 0x16, 0,    0,	  0,	1,    0,    0,
	0,    2,    0x65, 0xc2, 0xff, 0xff, 0,	  0,	0,    7,    0x02, 0x04, 0x05, 0xb4,
};

static void test_tcp4(void)
{
	struct nflogd_decoded d = decode(2, tcp4, sizeof tcp4);
	CHECK(d.l3 == DECODE_L3_IPV4 && !d.l3_truncated, "IPv4");
	CHECK(d.src[0] == 10 && d.src[3] == 1 && d.dst[3] == 2, "addresses");
	CHECK(d.len == 44 && d.tos == 0x1c && d.ttl == 64 && d.id == 0xabcd && d.has_id,
	      "header fields");
	CHECK(d.df && !d.mf && !d.ce && !d.has_frag && !d.is_fragment, "DF only");
	CHECK(d.has_proto && d.proto == 6, "proto TCP");
	CHECK(d.has_ports && d.sport == 40000 && d.dport == 22, "ports");
	CHECK(d.has_tcp && d.tcp_seq == 1 && d.tcp_ack == 2 && d.tcp_window == 65535 &&
		  d.tcp_urgp == 7,
	      "tcp numbers");
	CHECK(d.tcp_flags == (TCPF_AE | TCPF_CWR | TCPF_ECE | TCPF_SYN), "flags 0x%x", d.tcp_flags);
	CHECK(d.tcp_res == 0x10, "RES 0x%02x", d.tcp_res);
	CHECK(d.tcp_options_len == 4 && d.tcp_options && d.tcp_options[0] == 2 &&
		  !d.tcp_options_truncated,
	      "options");
	CHECK(!d.l4_incomplete, "complete");

	d = decode(2, tcp4, sizeof tcp4 - 1);
	CHECK(d.has_tcp && d.tcp_options_truncated && !d.tcp_options, "options cut short");
	d = decode(2, tcp4, 30);
	CHECK(!d.has_tcp && d.l4_incomplete && d.l4_avail == 10 && d.has_proto,
	      "TCP header cut: 10 bytes");
	d = decode(2, tcp4, 19);
	CHECK(d.l3 == DECODE_L3_IPV4 && d.l3_truncated && !d.has_proto, "IPv4 header cut");
	d = decode(2, tcp4, 0);
	CHECK(d.l3 == DECODE_L3_NONE, "no payload: nothing decoded");
	CHECK(decode_proto_name(6) && strcmp(decode_proto_name(6), "TCP") == 0 &&
		  strcmp(decode_proto_name(136), "UDPLITE") == 0 &&
		  strcmp(decode_proto_name(58), "ICMPv6") == 0 && decode_proto_name(253) == NULL,
	      "protocol names");
}

static void test_ipv4_odd(void)
{
	uint8_t p[64];
	memcpy(p, tcp4, sizeof tcp4);
	p[0] = 0x47; /* ihl 7: 8 bytes of options, then TCP at 28 */
	struct nflogd_decoded d = decode(2, p, 27);
	CHECK(d.l3_truncated && !d.ip_options && d.l4_incomplete && d.l4_avail == 0,
	      "options past the end");
	d = decode(2, p, 44);
	CHECK(d.ip_options_len == 8 && d.ip_options == p + 20 && !d.l3_truncated,
	      "8 bytes of options");
	p[0] = 0x43; /* ihl 3: the kernel reads the transport header at 12 */
	d = decode(2, p, 44);
	CHECK(d.has_tcp && d.sport == 0x0a00 && !d.ip_options, "ihl < 5 handled like the kernel");
	memcpy(p, tcp4, sizeof tcp4);
	p[6] = 0xa0;
	p[7] = 0x10; /* CE + MF, offset 16 */
	d = decode(2, p, sizeof tcp4);
	CHECK(d.ce && d.mf && !d.df && d.has_frag && d.is_fragment && d.frag_offset == 16 &&
		  !d.has_tcp && d.has_proto,
	      "non-first fragment: no transport header");
}

static void test_icmp4(void)
{
	static const uint8_t echo[] = {
		0x45, 0, 0,   28, 0, 1, 0, 0, 64, 1, 0,	   0,	 127, 0,
		0,    1, 127, 0,  0, 1, 8, 0, 0,  0, 0x12, 0x34, 0,   5,
	};
	struct nflogd_decoded d = decode(2, echo, sizeof echo);
	CHECK(d.has_icmp && d.icmp_type == 8 && d.has_icmp_echo && d.icmp_id == 0x1234 &&
		  d.icmp_seq == 5,
	      "echo request");
	d = decode(2, echo, 27);
	CHECK(!d.has_icmp && d.l4_incomplete && d.l4_avail == 7, "ICMP header cut");

	static const uint8_t fragneeded[] = {
		0x45, 0,   0,  56, 0, 1, 0,    0,    64,   1,	 0, 0,	10,   0,
		0,    254, 10, 0,  0, 1, 3,    4,    0,	   0,	 0, 0,	0x05, 0xdc,
		0x45, 0,   0,  40, 0, 2, 0,    0,    64,   17,	 0, 0,	10,   0,
		0,    1,   10, 0,  0, 9, 0x1f, 0x90, 0x00, 0x35, 0, 20, 0,    0,
	};
	d = decode(2, fragneeded, sizeof fragneeded);
	CHECK(d.has_icmp_mtu && d.icmp_mtu == 1500, "frag needed: MTU");
	CHECK(d.has_inner && d.inner.l3 == DECODE_L3_IPV4 && d.inner.dst[3] == 9 &&
		  d.inner.has_proto && d.inner.proto == 17 && d.inner.has_ports &&
		  d.inner.sport == 8080 && d.inner.dport == 53,
	      "quoted packet");
	d = decode(2, fragneeded, 47);
	CHECK(d.has_icmp && d.l4_incomplete && d.l4_avail == 27 && !d.has_inner && !d.has_icmp_mtu,
	      "shorter than the kernel's required_len");

	uint8_t redirect[sizeof fragneeded];
	memcpy(redirect, fragneeded, sizeof redirect);
	redirect[20] = 5;
	redirect[24] = 192;
	redirect[25] = 168;
	redirect[26] = 0;
	redirect[27] = 1;
	d = decode(2, redirect, sizeof redirect);
	CHECK(d.has_icmp_gateway && d.icmp_gateway[0] == 192 && d.icmp_gateway[3] == 1 &&
		  d.has_inner && !d.has_icmp_mtu,
	      "redirect: gateway");
	redirect[20] = 12;
	d = decode(2, redirect, sizeof redirect);
	CHECK(d.has_icmp_parameter && d.icmp_parameter == 192, "parameter problem: pointer");
}

static void test_udp_ipsec(void)
{
	static const uint8_t udplite[] = {
		0x45, 0, 0, 28, 0, 1, 0, 0, 64, 136, 0, 0, 1, 1,
		1,    1, 2, 2,	2, 2, 0, 7, 0,	9,   0, 8, 0, 0,
	};
	struct nflogd_decoded d = decode(2, udplite, sizeof udplite);
	CHECK(d.proto == 136 && d.has_ports && d.sport == 7 && d.dport == 9 && d.has_udp_len &&
		  d.udp_len == 8,
	      "UDP-Lite");
	uint8_t ah[40] = { 0x45, 0, 0, 40, 0, 1, 0, 0, 64, 51, 0,    0,	   1,	 1,
			   1,	 1, 2, 2,  2, 2, 6, 4, 0,  0,  0xde, 0xad, 0xbe, 0xef };
	d = decode(2, ah, sizeof ah);
	CHECK(d.proto == 51 && d.has_spi && d.spi == 0xdeadbeef, "AH SPI");
	d = decode(2, ah, 31);
	CHECK(!d.has_spi && d.l4_incomplete && d.l4_avail == 11, "AH cut");
	ah[9] = 50;
	d = decode(2, ah, 28);
	CHECK(d.proto == 50 && d.has_spi && d.spi == 0x06040000, "ESP SPI");
}

static uint8_t v6[128];

/* IPv6 header ::1 -> ::2, nexthdr nh, payload length plen. */
static void v6_header(uint8_t nh, uint16_t plen)
{
	memset(v6, 0, sizeof v6);
	v6[0] = 0x6a;
	v6[1] = 0xb1;
	v6[2] = 0x23;
	v6[3] = 0x45; /* tc 0xab, flow 0x12345 */
	v6[4] = (uint8_t)(plen >> 8);
	v6[5] = (uint8_t)plen;
	v6[6] = nh;
	v6[7] = 255;
	v6[23] = 1;
	v6[39] = 2;
}

static void test_ipv6(void)
{
	v6_header(17, 8);
	v6[40] = 0x13;
	v6[41] = 0x88;
	v6[42] = 0x00;
	v6[43] = 0x35;
	v6[45] = 8;
	struct nflogd_decoded d = decode(10, v6, 48);
	CHECK(d.l3 == DECODE_L3_IPV6 && d.len == 48 && d.tos == 0xab && d.flowlabel == 0x12345 &&
		  d.ttl == 255 && d.src[15] == 1 && d.dst[15] == 2,
	      "IPv6 header");
	CHECK(d.proto == 17 && d.sport == 5000 && d.dport == 53 && !d.has_id, "UDP over IPv6");

	v6_header(0, 32); /* hop-by-hop, fragment (offset 8, MF), UDP */
	v6[40] = 44;
	v6[41] = 0;
	v6[48] = 17;
	v6[50] = 0x00;
	v6[51] = 0x09;
	v6[52] = 0xca;
	v6[53] = 0xfe;
	v6[54] = 0xba;
	v6[55] = 0xbe;
	d = decode(10, v6, 72);
	CHECK(d.has_frag && d.frag_offset == 8 && d.mf && d.has_id && d.id == 0xcafebabe &&
		  d.is_fragment,
	      "fragment header");
	CHECK(d.has_proto && d.proto == 17 && !d.has_ports, "non-first fragment: proto, no ports");
	d = decode(10, v6, 52);
	CHECK(d.l3_truncated && !d.has_frag, "fragment header cut");
	d = decode(10, v6, 41);
	CHECK(d.l3_truncated && !d.has_proto, "extension header cut");

	v6_header(51, 40); /* AH then TCP */
	v6[40] = 6;
	v6[41] = 4;
	v6[44] = 1;
	v6[45] = 2;
	v6[46] = 3;
	v6[47] = 4;
	v6[64] = 0x00;
	v6[65] = 0x50;
	d = decode(10, v6, 84);
	CHECK(d.has_spi && d.spi == 0x01020304 && d.proto == 6 && d.has_tcp && d.sport == 80 &&
		  d.l4_incomplete == false,
	      "AH then TCP");
	v6_header(50, 16);
	v6[40] = 9;
	v6[43] = 9;
	d = decode(10, v6, 56);
	CHECK(d.proto == 50 && d.has_spi && d.spi == 0x09000009, "ESP ends the walk");
	v6_header(0, 8);
	v6[40] = 6;
	v6[41] = 200; /* claims 1608 bytes */
	d = decode(10, v6, 48);
	CHECK(d.proto == 6 && d.l4_incomplete && d.l4_avail == 0,
	      "extension header longer than the packet");
}

static void test_icmp6(void)
{
	v6_header(58, 8);
	v6[40] = 128;
	v6[44] = 0;
	v6[45] = 7;
	v6[47] = 1;
	struct nflogd_decoded d = decode(10, v6, 48);
	CHECK(d.has_icmp && d.icmp_type == 128 && d.has_icmp_echo && d.icmp_id == 7 &&
		  d.icmp_seq == 1,
	      "ICMPv6 echo");
	v6_header(58, 56);
	v6[40] = 2;
	v6[46] = 0x05;
	v6[47] = 0x00;
	v6[48] = 0x60;
	v6[54] = 6;
	v6[71] = 5;
	v6[87] = 6; /* quoted TCP */
	v6[88] = 0x01;
	v6[89] = 0xbb;
	v6[90] = 0x00;
	v6[91] = 0x50;
	d = decode(10, v6, 96);
	CHECK(d.has_icmp_mtu && d.icmp_mtu == 1280 && d.has_inner && d.inner.l3 == DECODE_L3_IPV6 &&
		  d.inner.proto == 6 && d.inner.has_ports && d.inner.sport == 443 &&
		  d.inner.dport == 80 && d.inner.src[15] == 5,
	      "packet too big with quote");
	v6[40] = 4;
	v6[47] = 0x28;
	d = decode(10, v6, 60);
	CHECK(d.has_icmp_parameter && d.icmp_parameter == 0x0528 && d.has_inner &&
		  d.inner.l3 == DECODE_L3_NONE,
	      "parameter problem, quote cut short");
}

static void test_arp_eth(void)
{
	static const uint8_t arp[28] = {
		0,   1,	  8, 0, 6, 4, 0, 2, 2, 0, 0,   0,   0, 1,
		192, 168, 1, 1, 2, 0, 0, 0, 0, 2, 192, 168, 1, 2,
	};
	static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x06 };
	struct nflogd_record rec;
	struct nflogd_decoded d;
	rec_init(&rec, 7, arp, sizeof arp);
	rec.hw_protocol = 0x0806;
	rec.has_hwtype = true;
	rec.hwtype = 1;
	rec.hwhdr = eth;
	rec.hwhdr_len = 14;
	decode_record(&rec, &d);
	CHECK(d.l3 == DECODE_L3_ARP && d.has_arp && d.arp_op == 2 && d.arp_ptype == 0x0800 &&
		  d.has_arp_addrs && d.arp_spa[3] == 1 && d.arp_tpa[3] == 2 && d.arp_tha[5] == 2,
	      "ARP reply");
	CHECK(d.has_eth && d.mac_src[5] == 1 && d.mac_dst[5] == 2 && d.mac_proto == 0x0806,
	      "Ethernet header");
	rec.payload_len = 27;
	decode_record(&rec, &d);
	CHECK(d.has_arp && !d.has_arp_addrs && d.l3_truncated, "ARP body cut");
	rec.hwhdr_len = 13;
	rec.hw_protocol = 0x86dd;
	rec.payload_len = 0;
	decode_record(&rec, &d);
	CHECK(!d.has_eth && d.l3 == DECODE_L3_NONE, "short link header, no payload");
	rec.family = 5;
	rec.hw_protocol = 0x0800;
	rec.payload = tcp4;
	rec.payload_len = sizeof tcp4;
	decode_record(&rec, &d);
	CHECK(d.l3 == DECODE_L3_IPV4 && d.has_tcp, "netdev family dispatches on the EtherType");
}

/* Every cut of every packet, and random bytes: no crash (ASan/UBSan). */
static void test_robust(void)
{
	static uint8_t tail[256];
	int ok = 1;
	for (uint32_t n = 0; n <= sizeof tcp4; n++) {
		memcpy(tail + sizeof tail - n, tcp4, n);
		struct nflogd_decoded d = decode(2, tail + sizeof tail - n, n);
		ok &= n == 0 || d.l3 == DECODE_L3_IPV4;
	}
	CHECK(ok, "IPv4/TCP cut at every byte");
	unsigned seed = 7;
	for (int i = 0; i < 50000; i++) {
		uint32_t n = (uint32_t)rand_r(&seed) % sizeof tail;
		uint8_t *p = tail + sizeof tail - n;
		for (uint32_t j = 0; j < n; j++)
			p[j] = (uint8_t)rand_r(&seed);
		if (n > 6 && i % 2)
			p[6] = (uint8_t)(i % 4 == 1 ? 0 : 44);
		uint8_t fam = (uint8_t)(i % 3 == 0 ? 2 : i % 3 == 1 ? 10 : 3);
		(void)decode(fam, p, n);
	}
	CHECK(1, "50000 random payloads decoded without a fault");
}

int main(void)
{
	test_tcp4();
	test_ipv4_odd();
	test_icmp4();
	test_udp_ipsec();
	test_ipv6();
	test_icmp6();
	test_arp_eth();
	test_robust();
	return check_done();
}
