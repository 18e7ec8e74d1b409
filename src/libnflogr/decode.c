/* decode.c - payload bytes to the flat protocol fields of decode.h.
 *
 * The walk follows net/netfilter/nf_log_syslog.c, so that the fields the
 * JSON and journal outputs show agree with the kernel's LOG line that
 * format_text.c renders: same offsets, same idea of where a header ends,
 * same stop points. Every byte is read through decode_at(); no length
 * field from the packet is trusted.
 */
#include "decode.h"

#include <string.h>

/* IANA numbers, spelled out here to keep this file free of libc's
 * netinet headers (which disagree between libcs on some names). */
enum {
	PROTO_HOPOPTS = 0,
	PROTO_ICMP = 1,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_ROUTING = 43,
	PROTO_FRAGMENT = 44,
	PROTO_ESP = 50,
	PROTO_AH = 51,
	PROTO_ICMPV6 = 58,
	PROTO_NONE = 59,
	PROTO_DSTOPTS = 60,
	PROTO_UDPLITE = 136,
};

enum {
	NFPROTO_ARP_ = 3,
	NFPROTO_IPV4_ = 2,
	NFPROTO_NETDEV_ = 5,
	NFPROTO_BRIDGE_ = 7,
	NFPROTO_IPV6_ = 10,
};

enum {
	ETHERTYPE_IPV4_ = 0x0800,
	ETHERTYPE_ARP_ = 0x0806,
	ETHERTYPE_RARP_ = 0x8035,
	ETHERTYPE_IPV6_ = 0x86dd,
};

#define ARPHRD_ETHER_ 1
#define ETH_HLEN_ 14
#define ARP_HDR_LEN 8
#define ARP_BODY_LEN 20 /* Ethernet/IPv4: sha, spa, tha, tpa */
#define AH_HDR_LEN 12	/* struct ip_auth_hdr without auth data */
#define ESP_HDR_LEN 8

/* ---- shared header readers ---------------------------------------- */

bool decode_ipv4_hdr(const struct decode_pkt *pkt, uint32_t off, struct decode_ipv4_hdr *h)
{
	const uint8_t *p = decode_at(pkt, off, 20);
	if (!p)
		return false;
	h->ihl = p[0] & 0x0f;
	h->tos = p[1];
	h->tot_len = decode_be16(p + 2);
	h->id = decode_be16(p + 4);
	h->frag_off = decode_be16(p + 6);
	h->ttl = p[8];
	h->protocol = p[9];
	h->src = p + 12;
	h->dst = p + 16;
	return true;
}

bool decode_ipv6_hdr(const struct decode_pkt *pkt, uint32_t off, struct decode_ipv6_hdr *h)
{
	const uint8_t *p = decode_at(pkt, off, 40);
	if (!p)
		return false;
	uint32_t word0 = decode_be32(p);
	h->tclass = (uint8_t)((word0 & 0x0ff00000) >> 20);
	h->flowlabel = word0 & 0x000fffff;
	h->payload_len = decode_be16(p + 4);
	h->nexthdr = p[6];
	h->hoplimit = p[7];
	h->src = p + 8;
	h->dst = p + 24;
	return true;
}

bool decode_tcp_hdr(const struct decode_pkt *pkt, uint32_t off, struct decode_tcp_hdr *h)
{
	const uint8_t *p = decode_at(pkt, off, 20);
	if (!p)
		return false;
	h->sport = decode_be16(p);
	h->dport = decode_be16(p + 2);
	h->seq = decode_be32(p + 4);
	h->ack = decode_be32(p + 8);
	h->doff = p[12] >> 4;
	/* Kernel 6.18: TCP_RESERVED_BITS is 0x0E000000 of the flag word
	 * (the low bit became AE), printed shifted right by 22. */
	h->res = (uint8_t)((p[12] & 0x0e) << 2);
	h->flags = (uint16_t)(p[13] | (p[12] & 0x01) << 8);
	h->window = decode_be16(p + 14);
	h->urgp = decode_be16(p + 18);
	return true;
}

bool decode_udp_hdr(const struct decode_pkt *pkt, uint32_t off, struct decode_udp_hdr *h)
{
	const uint8_t *p = decode_at(pkt, off, 8);
	if (!p)
		return false;
	h->sport = decode_be16(p);
	h->dport = decode_be16(p + 2);
	h->len = decode_be16(p + 4);
	return true;
}

bool decode_icmp_hdr(const struct decode_pkt *pkt, uint32_t off, struct decode_icmp_hdr *h)
{
	const uint8_t *p = decode_at(pkt, off, 8);
	if (!p)
		return false;
	h->type = p[0];
	h->code = p[1];
	h->rest = p + 4;
	return true;
}

bool decode_ipv6_is_ext(uint8_t nexthdr)
{
	switch (nexthdr) {
	case PROTO_HOPOPTS:
	case PROTO_ROUTING:
	case PROTO_FRAGMENT:
	case PROTO_ESP:
	case PROTO_AH:
	case PROTO_DSTOPTS: return true;
	default: return false;
	}
}

uint32_t decode_icmp_required_len(uint8_t type)
{
	switch (type) {
	case 0: /* echo reply */
	case 8: /* echo */ return 4;
	case 3:	 /* destination unreachable */
	case 4:	 /* source quench */
	case 5:	 /* redirect */
	case 11: /* time exceeded */
	case 12: /* parameter problem */ return 8 + 20;
	case 13: /* timestamp */
	case 14: /* timestamp reply */ return 20;
	case 17: /* address mask */
	case 18: /* address mask reply */ return 12;
	default: return 0;
	}
}

enum decode_l3 decode_l3_of(const struct nflogd_record *rec)
{
	switch (rec->family) {
	case NFPROTO_IPV4_: return DECODE_L3_IPV4;
	case NFPROTO_IPV6_: return DECODE_L3_IPV6;
	case NFPROTO_ARP_: return DECODE_L3_ARP;
	case NFPROTO_BRIDGE_:
	case NFPROTO_NETDEV_: break;
	default: return DECODE_L3_NONE;
	}
	switch (rec->hw_protocol) {
	case ETHERTYPE_IPV4_: return DECODE_L3_IPV4;
	case ETHERTYPE_IPV6_: return DECODE_L3_IPV6;
	case ETHERTYPE_ARP_:
	case ETHERTYPE_RARP_: return DECODE_L3_ARP;
	default: return DECODE_L3_NONE;
	}
}

/* At the netdev family's egress hook the device's link-layer header has
 * been built already and NFLOG copies the packet from it (skb->data), not
 * from the network header as at every other hook; the kernel's own LOG
 * line starts at the network header (skb_network_offset). NFLOG does not
 * send that offset, so an Ethernet header (loopback and veth have one
 * too) is recognised by its EtherType: the packet's protocol, with or
 * without one VLAN tag, followed by the right IP version nibble. */
static uint32_t egress_link_header_len(const struct nflogd_record *rec)
{
	const struct decode_pkt pkt = { rec->payload, rec->payload_len };
	if (rec->family != NFPROTO_NETDEV_ || !rec->has_packet_hdr || rec->hook != 1)
		return 0;
	for (uint32_t off = 12; off <= 16; off += 4) {
		const uint8_t *type = decode_at(&pkt, off, 2);
		const uint8_t *l3 = decode_at(&pkt, off + 2, 1);
		if (!type || !l3)
			return 0;
		uint16_t ethertype = decode_be16(type);
		if (ethertype == rec->hw_protocol) {
			uint8_t version = l3[0] >> 4;
			bool fits = (ethertype == ETHERTYPE_IPV4_ && version == 4) ||
				    (ethertype == ETHERTYPE_IPV6_ && version == 6) ||
				    ethertype == ETHERTYPE_ARP_ || ethertype == ETHERTYPE_RARP_;
			return fits ? off + 2 : 0;
		}
		if (ethertype != 0x8100 && ethertype != 0x88a8)
			return 0;
	}
	return 0;
}

struct decode_pkt decode_l3_pkt(const struct nflogd_record *rec)
{
	if (!rec->payload)
		return (struct decode_pkt){ NULL, 0 };
	uint32_t skip = egress_link_header_len(rec);
	return (struct decode_pkt){ rec->payload + skip, rec->payload_len - skip };
}

const char *decode_proto_name(uint8_t proto)
{
	switch (proto) {
	case PROTO_TCP: return "TCP";
	case PROTO_UDP: return "UDP";
	case PROTO_UDPLITE: return "UDPLITE";
	case PROTO_ICMP: return "ICMP";
	case PROTO_ICMPV6: return "ICMPv6";
	case PROTO_AH: return "AH";
	case PROTO_ESP: return "ESP";
	default: return NULL;
	}
}

/* ---- the walk ------------------------------------------------------ */

/* Bytes from off to the end of what we have, never negative. */
static uint32_t avail_from(const struct decode_pkt *pkt, uint32_t off)
{
	return off > pkt->len ? 0 : pkt->len - off;
}

static void mark_incomplete(const struct decode_pkt *pkt, uint32_t off, struct nflogd_decoded *out)
{
	out->l4_incomplete = true;
	out->l4_avail = avail_from(pkt, off);
}

static bool is_port_proto(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_UDPLITE;
}

/* Source and destination port, the first 4 bytes of TCP/UDP/UDP-Lite. */
static void inner_ports(const struct decode_pkt *pkt, uint32_t off, struct decoded_inner *in)
{
	const uint8_t *p = decode_at(pkt, off, 4);
	if (!in->has_proto || !is_port_proto(in->proto) || !p)
		return;
	in->has_ports = true;
	in->sport = decode_be16(p);
	in->dport = decode_be16(p + 2);
}

/* The packet quoted by an ICMP error (IPv4 inside ICMP). */
static void inner_ipv4(const struct decode_pkt *pkt, uint32_t off, struct decoded_inner *in)
{
	struct decode_ipv4_hdr ih;
	if (!decode_ipv4_hdr(pkt, off, &ih))
		return;
	in->l3 = DECODE_L3_IPV4;
	memcpy(in->src, ih.src, 4);
	memcpy(in->dst, ih.dst, 4);
	in->has_proto = true;
	in->proto = ih.protocol;
	if (!(ih.frag_off & DECODE_IP_OFFSET))
		inner_ports(pkt, off + ih.ihl * 4u, in);
}

/* The packet quoted by an ICMPv6 error: skip extension headers the way
 * the kernel's walk does, without printing anything. */
static void inner_ipv6(const struct decode_pkt *pkt, uint32_t off, struct decoded_inner *in)
{
	struct decode_ipv6_hdr ih;
	if (!decode_ipv6_hdr(pkt, off, &ih))
		return;
	in->l3 = DECODE_L3_IPV6;
	memcpy(in->src, ih.src, 16);
	memcpy(in->dst, ih.dst, 16);
	uint32_t ptr = off + 40;
	uint8_t cur = ih.nexthdr;
	while (decode_ipv6_is_ext(cur) && cur != PROTO_ESP) {
		const uint8_t *hp = decode_at(pkt, ptr, 2);
		if (!hp)
			return;
		if (cur == PROTO_FRAGMENT) {
			const uint8_t *fh = decode_at(pkt, ptr, 8);
			if (!fh || (decode_be16(fh + 2) & 0xfff8))
				return; /* not the first fragment: no ports */
			ptr += 8;
		} else if (cur == PROTO_AH) {
			ptr += (hp[1] + 2u) << 2;
		} else {
			ptr += (hp[1] + 1u) << 3;
		}
		cur = hp[0];
	}
	in->has_proto = true;
	in->proto = cur;
	inner_ports(pkt, ptr, in);
}

static bool icmp4_quotes_packet(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static void decode_icmp4(const struct decode_pkt *pkt, uint32_t off, struct nflogd_decoded *out)
{
	struct decode_icmp_hdr ich;
	if (!decode_icmp_hdr(pkt, off, &ich)) {
		mark_incomplete(pkt, off, out);
		return;
	}
	out->has_icmp = true;
	out->icmp_type = ich.type;
	out->icmp_code = ich.code;
	if (avail_from(pkt, off) < decode_icmp_required_len(ich.type)) {
		mark_incomplete(pkt, off, out);
		return;
	}
	switch (ich.type) {
	case 0:
	case 8:
		out->has_icmp_echo = true;
		out->icmp_id = decode_be16(ich.rest);
		out->icmp_seq = decode_be16(ich.rest + 2);
		return;
	case 12:
		out->has_icmp_parameter = true;
		out->icmp_parameter = ich.rest[0];
		break;
	case 5:
		out->has_icmp_gateway = true;
		memcpy(out->icmp_gateway, ich.rest, 4);
		break;
	case 3:
		if (ich.code == 4) { /* fragmentation needed */
			out->has_icmp_mtu = true;
			out->icmp_mtu = decode_be16(ich.rest + 2);
		}
		break;
	default: break;
	}
	if (icmp4_quotes_packet(ich.type)) {
		out->has_inner = true;
		inner_ipv4(pkt, off + 8, &out->inner);
	}
}

static void decode_icmp6(const struct decode_pkt *pkt, uint32_t off, struct nflogd_decoded *out)
{
	struct decode_icmp_hdr ich;
	if (!decode_icmp_hdr(pkt, off, &ich)) {
		mark_incomplete(pkt, off, out);
		return;
	}
	out->has_icmp = true;
	out->icmp_type = ich.type;
	out->icmp_code = ich.code;
	switch (ich.type) {
	case 128:
	case 129:
		out->has_icmp_echo = true;
		out->icmp_id = decode_be16(ich.rest);
		out->icmp_seq = decode_be16(ich.rest + 2);
		return;
	case 4:
		out->has_icmp_parameter = true;
		out->icmp_parameter = decode_be32(ich.rest);
		break;
	case 2:
		out->has_icmp_mtu = true;
		out->icmp_mtu = decode_be32(ich.rest);
		break;
	case 1:
	case 3: break;
	default: return;
	}
	out->has_inner = true;
	inner_ipv6(pkt, off + 8, &out->inner);
}

static void decode_tcp(const struct decode_pkt *pkt, uint32_t off, struct nflogd_decoded *out)
{
	struct decode_tcp_hdr th;
	if (!decode_tcp_hdr(pkt, off, &th)) {
		mark_incomplete(pkt, off, out);
		return;
	}
	out->has_ports = true;
	out->sport = th.sport;
	out->dport = th.dport;
	out->has_tcp = true;
	out->tcp_seq = th.seq;
	out->tcp_ack = th.ack;
	out->tcp_window = th.window;
	out->tcp_urgp = th.urgp;
	out->tcp_flags = th.flags;
	out->tcp_res = th.res;
	if (th.doff * 4u <= 20)
		return;
	uint32_t optlen = th.doff * 4u - 20;
	out->tcp_options = decode_at(pkt, off + 20, optlen);
	if (out->tcp_options)
		out->tcp_options_len = (uint8_t)optlen;
	else
		out->tcp_options_truncated = true;
}

static void decode_udp(const struct decode_pkt *pkt, uint32_t off, struct nflogd_decoded *out)
{
	struct decode_udp_hdr uh;
	if (!decode_udp_hdr(pkt, off, &uh)) {
		mark_incomplete(pkt, off, out);
		return;
	}
	out->has_ports = true;
	out->sport = uh.sport;
	out->dport = uh.dport;
	out->has_udp_len = true;
	out->udp_len = uh.len;
}

/* AH (12-byte header) or ESP (8-byte header): the SPI. */
static void decode_ipsec(const struct decode_pkt *pkt, uint32_t off, uint32_t hdr_len,
			 uint32_t spi_at, struct nflogd_decoded *out)
{
	const uint8_t *p = decode_at(pkt, off, hdr_len);
	if (!p) {
		mark_incomplete(pkt, off, out);
		return;
	}
	out->has_spi = true;
	out->spi = decode_be32(p + spi_at);
}

/* The transport header at off (first fragment or unfragmented). */
static void decode_l4(const struct decode_pkt *pkt, uint8_t proto, bool v6, uint32_t off,
		      struct nflogd_decoded *out)
{
	switch (proto) {
	case PROTO_TCP: decode_tcp(pkt, off, out); break;
	case PROTO_UDP:
	case PROTO_UDPLITE: decode_udp(pkt, off, out); break;
	case PROTO_ICMP:
		if (!v6)
			decode_icmp4(pkt, off, out);
		break;
	case PROTO_ICMPV6:
		if (v6)
			decode_icmp6(pkt, off, out);
		break;
	case PROTO_AH:
		if (!v6)
			decode_ipsec(pkt, off, AH_HDR_LEN, 4, out);
		break;
	case PROTO_ESP:
		if (!v6)
			decode_ipsec(pkt, off, ESP_HDR_LEN, 0, out);
		break;
	default: break;
	}
}

static void decode_ipv4(const struct decode_pkt *pkt, struct nflogd_decoded *out)
{
	struct decode_ipv4_hdr ih;
	out->l3 = DECODE_L3_IPV4;
	if (!decode_ipv4_hdr(pkt, 0, &ih)) {
		out->l3_truncated = true;
		return;
	}
	memcpy(out->src, ih.src, 4);
	memcpy(out->dst, ih.dst, 4);
	out->len = ih.tot_len;
	out->tos = ih.tos;
	out->ttl = ih.ttl;
	out->id = ih.id;
	out->has_id = true;
	out->ce = ih.frag_off & DECODE_IP_CE;
	out->df = ih.frag_off & DECODE_IP_DF;
	out->mf = ih.frag_off & DECODE_IP_MF;
	out->frag_offset = ih.frag_off & DECODE_IP_OFFSET;
	out->has_frag = out->frag_offset != 0;
	out->is_fragment = out->has_frag;
	if (ih.ihl * 4u > 20) {
		uint32_t optlen = ih.ihl * 4u - 20;
		out->ip_options = decode_at(pkt, 20, optlen);
		if (out->ip_options)
			out->ip_options_len = (uint16_t)optlen;
		else
			out->l3_truncated = true;
	}
	out->has_proto = true;
	out->proto = ih.protocol;
	if (!out->is_fragment)
		decode_l4(pkt, ih.protocol, false, ih.ihl * 4u, out);
}

/* One IPv6 extension header at ptr; returns false when the walk ends
 * here (truncated, ESP, or a header after a non-first fragment). */
static bool decode_ipv6_ext(const struct decode_pkt *pkt, uint8_t cur, uint32_t *ptr, uint8_t *next,
			    struct nflogd_decoded *out)
{
	const uint8_t *hp = decode_at(pkt, *ptr, 2);
	if (!hp) {
		out->l3_truncated = true;
		return false;
	}
	*next = hp[0];
	switch (cur) {
	case PROTO_FRAGMENT: {
		const uint8_t *fh = decode_at(pkt, *ptr, 8);
		if (!fh) {
			out->l3_truncated = true;
			return false;
		}
		uint16_t frag_off = decode_be16(fh + 2);
		out->has_frag = true;
		out->frag_offset = frag_off & 0xfff8;
		out->mf = frag_off & 0x0001;
		out->id = decode_be32(fh + 4);
		out->has_id = true;
		out->is_fragment = out->frag_offset != 0;
		*ptr += 8;
		return true;
	}
	case PROTO_AH:
		out->has_proto = true;
		out->proto = PROTO_AH;
		if (out->is_fragment)
			return false;
		decode_ipsec(pkt, *ptr, AH_HDR_LEN, 4, out);
		if (out->l4_incomplete)
			return false;
		out->has_proto = false;
		*ptr += (hp[1] + 2u) << 2;
		return true;
	case PROTO_ESP:
		out->has_proto = true;
		out->proto = PROTO_ESP;
		if (!out->is_fragment)
			decode_ipsec(pkt, *ptr, ESP_HDR_LEN, 0, out);
		return false;
	default: /* hop-by-hop, routing, destination options */
		if (out->is_fragment)
			return false;
		*ptr += (hp[1] + 1u) << 3;
		return true;
	}
}

static void decode_ipv6(const struct decode_pkt *pkt, struct nflogd_decoded *out)
{
	struct decode_ipv6_hdr ih;
	out->l3 = DECODE_L3_IPV6;
	if (!decode_ipv6_hdr(pkt, 0, &ih)) {
		out->l3_truncated = true;
		return;
	}
	memcpy(out->src, ih.src, 16);
	memcpy(out->dst, ih.dst, 16);
	out->len = ih.payload_len + 40u;
	out->tos = ih.tclass;
	out->ttl = ih.hoplimit;
	out->flowlabel = ih.flowlabel;
	uint32_t ptr = 40;
	uint8_t cur = ih.nexthdr;
	while (decode_ipv6_is_ext(cur)) {
		uint8_t next;
		if (!decode_ipv6_ext(pkt, cur, &ptr, &next, out))
			return;
		cur = next;
	}
	out->has_proto = true;
	out->proto = cur;
	if (!out->is_fragment)
		decode_l4(pkt, cur, true, ptr, out);
}

static void decode_arp(const struct decode_pkt *pkt, struct nflogd_decoded *out)
{
	out->l3 = DECODE_L3_ARP;
	const uint8_t *ah = decode_at(pkt, 0, ARP_HDR_LEN);
	if (!ah) {
		out->l3_truncated = true;
		return;
	}
	out->has_arp = true;
	out->arp_htype = decode_be16(ah);
	out->arp_ptype = decode_be16(ah + 2);
	out->arp_op = decode_be16(ah + 6);
	if (out->arp_htype != ARPHRD_ETHER_ || ah[4] != 6 || ah[5] != 4)
		return;
	const uint8_t *body = decode_at(pkt, ARP_HDR_LEN, ARP_BODY_LEN);
	if (!body) {
		out->l3_truncated = true;
		return;
	}
	out->has_arp_addrs = true;
	memcpy(out->arp_sha, body, 6);
	memcpy(out->arp_spa, body + 6, 4);
	memcpy(out->arp_tha, body + 10, 6);
	memcpy(out->arp_tpa, body + 16, 4);
}

static void decode_eth(const struct nflogd_record *rec, struct nflogd_decoded *out)
{
	if (!rec->has_hwtype || rec->hwtype != ARPHRD_ETHER_ || !rec->hwhdr ||
	    rec->hwhdr_len < ETH_HLEN_)
		return;
	out->has_eth = true;
	memcpy(out->mac_dst, rec->hwhdr, 6);
	memcpy(out->mac_src, rec->hwhdr + 6, 6);
	out->mac_proto = decode_be16(rec->hwhdr + 12);
}

void decode_record(const struct nflogd_record *rec, struct nflogd_decoded *out)
{
	memset(out, 0, sizeof *out);
	decode_eth(rec, out);
	struct decode_pkt pkt = decode_l3_pkt(rec);
	if (!pkt.data || pkt.len == 0)
		return;
	switch (decode_l3_of(rec)) {
	case DECODE_L3_IPV4: decode_ipv4(&pkt, out); break;
	case DECODE_L3_IPV6: decode_ipv6(&pkt, out); break;
	case DECODE_L3_ARP: decode_arp(&pkt, out); break;
	default: break;
	}
}
