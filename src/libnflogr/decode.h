/* decode.h - payload bytes to protocol fields (pure, bounds-checked).
 *
 * decode_record() reads rec->payload (and rec->hwhdr for Ethernet) and
 * fills a flat struct of what could be read. It never trusts a length
 * field: every read is checked against payload_len, and a header that
 * does not fit is reported as truncated/incomplete, not guessed.
 * The JSON and journal formatters read this struct; the text formatter
 * renders the kernel's LOG line (see format.h).
 */
#ifndef NFLOGD_DECODE_H
#define NFLOGD_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"

/* TCP flag bits of decoded.tcp_flags, in the kernel's print order. */
enum decode_tcp_flag {
	TCPF_FIN = 0x001,
	TCPF_SYN = 0x002,
	TCPF_RST = 0x004,
	TCPF_PSH = 0x008,
	TCPF_ACK = 0x010,
	TCPF_URG = 0x020,
	TCPF_ECE = 0x040,
	TCPF_CWR = 0x080,
	TCPF_AE = 0x100,
};

enum decode_l3 {
	DECODE_L3_NONE = 0, /* no payload, or not IPv4/IPv6/ARP */
	DECODE_L3_IPV4 = 4,
	DECODE_L3_IPV6 = 6,
	DECODE_L3_ARP = 1,
};

/* Addresses and ports of the packet quoted inside an ICMP/ICMPv6 error. */
struct decoded_inner {
	uint8_t l3;		  /* DECODE_L3_IPV4/IPV6, or NONE if unreadable */
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	bool has_proto;
	uint8_t proto;
	bool has_ports;
	uint16_t sport, dport;
};

struct nflogd_decoded {
	uint8_t l3;	   /* enum decode_l3 */
	bool l3_truncated; /* network header (or its options) cut short */

	/* IPv4 / IPv6 */
	uint8_t src[16], dst[16];  /* IPv4 in the first 4 bytes */
	uint32_t len;		   /* v4: total length; v6: payload length + 40 */
	uint8_t tos;		   /* v4: TOS byte; v6: traffic class */
	uint8_t ttl;		   /* v4: TTL; v6: hop limit */
	uint32_t id;		   /* v4: ID; v6: fragment header identification */
	bool has_id;		   /* v4 always; v6 only with a fragment header */
	uint32_t flowlabel;	   /* v6 */
	bool ce, df, mf;	   /* v4 flags; v6: mf from the fragment header */
	bool has_frag;		   /* v4: offset != 0; v6: a fragment header exists */
	uint16_t frag_offset;	   /* v4: the 13-bit offset field as the kernel prints it (FRAG:%u);
				      v6: offset in bytes (frag_off & 0xFFF8) */
	bool is_fragment;	   /* not the first fragment: no transport header */
	const uint8_t *ip_options; /* v4 options / v6 extension-header bytes are not copied: */
	uint16_t ip_options_len;   /* v4 only: options between the header and ihl*4 */

	/* transport protocol, after any IPv6 extension headers */
	bool has_proto;
	uint8_t proto;	    /* IPPROTO_* */
	bool l4_incomplete; /* its header could not be read */
	uint32_t l4_avail;  /* bytes available where it starts (INCOMPLETE [n bytes]) */

	bool has_ports; /* TCP, UDP, UDP-Lite */
	uint16_t sport, dport;
	bool has_udp_len;
	uint16_t udp_len;

	bool has_tcp;
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_window, tcp_urgp;
	uint16_t tcp_flags; /* enum decode_tcp_flag bits */
	uint8_t tcp_res;    /* reserved bits, as the kernel's RES=0x%02x */
	const uint8_t *tcp_options;
	uint8_t tcp_options_len;
	bool tcp_options_truncated;

	bool has_icmp; /* ICMP or ICMPv6 */
	uint8_t icmp_type, icmp_code;
	bool has_icmp_echo;
	uint16_t icmp_id, icmp_seq;
	bool has_icmp_gateway; /* ICMP redirect */
	uint8_t icmp_gateway[4];
	bool has_icmp_mtu; /* ICMP frag-needed / ICMPv6 packet-too-big */
	uint32_t icmp_mtu;
	bool has_icmp_parameter; /* ICMP PARAMETER / ICMPv6 POINTER */
	uint32_t icmp_parameter;
	bool has_inner; /* ICMP error: the quoted packet */
	struct decoded_inner inner;

	bool has_spi; /* AH / ESP */
	uint32_t spi;

	/* ARP (family arp/bridge/netdev with EtherType ARP) */
	bool has_arp;
	uint16_t arp_htype, arp_ptype, arp_op;
	bool has_arp_addrs; /* Ethernet/IPv4 ARP with a complete body */
	uint8_t arp_sha[6], arp_spa[4], arp_tha[6], arp_tpa[4];

	/* Ethernet header from rec->hwhdr (hwtype ARPHRD_ETHER, >= 14 bytes) */
	bool has_eth;
	uint8_t mac_src[6], mac_dst[6];
	uint16_t mac_proto;
};

/* Decode rec's payload; out is fully overwritten. Pure: no allocation. */
void decode_record(const struct nflogd_record *rec, struct nflogd_decoded *out);

/* Name of an IP protocol as the kernel LOG line spells it ("TCP", "UDP",
 * "UDPLITE", "ICMP", "ICMPv6", "AH", "ESP"), or NULL for others. */
const char *decode_proto_name(uint8_t proto);

/* ---- Bounds-checked header readers shared by decode.c and format_text.c.
 * Both walk the payload the way net/netfilter/nf_log_syslog.c walks the
 * skb; these readers are the only code that touches payload bytes. A read
 * behaves like the kernel's skb_header_pointer(): it either fits entirely
 * within the bytes NFLOG gave us or fails. Offsets are computed in 32-bit
 * unsigned arithmetic, as the kernel does. */

/* The layer-3 bytes of one record. */
struct decode_pkt {
	const uint8_t *data;
	uint32_t len;
};

/* n bytes at off, or NULL when they do not all lie within the packet. */
static inline const uint8_t *decode_at(const struct decode_pkt *pkt, uint32_t off, uint32_t n)
{
	if (off > pkt->len || n > pkt->len - off)
		return NULL;
	return pkt->data + off;
}

struct decode_ipv4_hdr { /* the fixed 20 bytes */
	uint8_t ihl;	 /* header length field in 32-bit words, unchecked */
	uint8_t tos, ttl, protocol;
	uint16_t tot_len, id;
	uint16_t frag_off; /* flags and offset, host order */
	const uint8_t *src, *dst;
};

struct decode_ipv6_hdr { /* the fixed 40 bytes */
	uint8_t tclass, nexthdr, hoplimit;
	uint32_t flowlabel;
	uint16_t payload_len;
	const uint8_t *src, *dst;
};

struct decode_tcp_hdr { /* the fixed 20 bytes */
	uint16_t sport, dport, window, urgp;
	uint32_t seq, ack;
	uint8_t doff;	/* data offset field in 32-bit words, unchecked */
	uint8_t res;	/* reserved bits as the kernel prints RES= */
	uint16_t flags; /* enum decode_tcp_flag */
};

struct decode_udp_hdr {
	uint16_t sport, dport, len;
};

struct decode_icmp_hdr { /* ICMP and ICMPv6 share the 8-byte layout */
	uint8_t type, code;
	const uint8_t *rest; /* the 4 bytes after the checksum */
};

/* IPv4 flag and offset bits of decode_ipv4_hdr.frag_off. */
#define DECODE_IP_CE 0x8000
#define DECODE_IP_DF 0x4000
#define DECODE_IP_MF 0x2000
#define DECODE_IP_OFFSET 0x1fff

/* The fixed header at off into h (its pointers point into pkt): true, or
 * false and h untouched when it does not lie whole within the packet.
 * Lengths and offsets the header states are not checked here. */
bool decode_ipv4_hdr(const struct decode_pkt *pkt, uint32_t off, struct decode_ipv4_hdr *h);
/* As decode_ipv4_hdr(), for the 40 bytes of IPv6. */
bool decode_ipv6_hdr(const struct decode_pkt *pkt, uint32_t off, struct decode_ipv6_hdr *h);
/* As decode_ipv4_hdr(), for the 20 bytes of TCP (options not read). */
bool decode_tcp_hdr(const struct decode_pkt *pkt, uint32_t off, struct decode_tcp_hdr *h);
/* As decode_ipv4_hdr(), for the 8 bytes of UDP and UDP-Lite. */
bool decode_udp_hdr(const struct decode_pkt *pkt, uint32_t off, struct decode_udp_hdr *h);
/* As decode_ipv4_hdr(), for the first 8 bytes of ICMP and ICMPv6. */
bool decode_icmp_hdr(const struct decode_pkt *pkt, uint32_t off, struct decode_icmp_hdr *h);
/* A big-endian 16-bit load from a pointer decode_at() returned. */
static inline uint16_t decode_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
/* A big-endian 32-bit load from a pointer decode_at() returned. */
static inline uint32_t decode_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Is nexthdr one the kernel's LOG target walks as an IPv6 extension
 * header (nf_ip6_ext_hdr() minus NEXTHDR_NONE)? */
bool decode_ipv6_is_ext(uint8_t nexthdr);

/* Required bytes of an ICMP message of this type, counted from the ICMP
 * header, below which the kernel prints INCOMPLETE; 0 when unchecked. */
uint32_t decode_icmp_required_len(uint8_t type);

/* The layer-3 protocol of a record: from the family, and for the bridge
 * and netdev families from the EtherType (rec->hw_protocol), the way
 * nf_log_netdev_packet() dispatches. */
enum decode_l3 decode_l3_of(const struct nflogd_record *rec);

/* The layer-3 bytes of rec's payload: the payload itself, or what follows
 * the link-layer header NFLOG copies at the netdev egress hook. Points
 * into rec; {NULL, 0} without a payload. */
struct decode_pkt decode_l3_pkt(const struct nflogd_record *rec);

#endif
