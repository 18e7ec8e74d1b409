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
	TCPF_FIN = 0x001, TCPF_SYN = 0x002, TCPF_RST = 0x004, TCPF_PSH = 0x008,
	TCPF_ACK = 0x010, TCPF_URG = 0x020, TCPF_ECE = 0x040, TCPF_CWR = 0x080,
	TCPF_AE = 0x100,
};

enum decode_l3 {
	DECODE_L3_NONE = 0,     /* no payload, or not IPv4/IPv6/ARP */
	DECODE_L3_IPV4 = 4,
	DECODE_L3_IPV6 = 6,
	DECODE_L3_ARP = 1,
};

/* Addresses and ports of the packet quoted inside an ICMP/ICMPv6 error. */
struct decoded_inner {
	uint8_t l3;               /* DECODE_L3_IPV4/IPV6, or NONE if unreadable */
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	bool has_proto;
	uint8_t proto;
	bool has_ports;
	uint16_t sport, dport;
};

struct nflogd_decoded {
	uint8_t l3;               /* enum decode_l3 */
	bool l3_truncated;        /* network header (or its options) cut short */

	/* IPv4 / IPv6 */
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint32_t len;             /* v4: total length; v6: payload length + 40 */
	uint8_t tos;              /* v4: TOS byte; v6: traffic class */
	uint8_t ttl;              /* v4: TTL; v6: hop limit */
	uint32_t id;              /* v4: ID; v6: fragment header identification */
	bool has_id;              /* v4 always; v6 only with a fragment header */
	uint32_t flowlabel;       /* v6 */
	bool ce, df, mf;          /* v4 flags; v6: mf from the fragment header */
	bool has_frag;            /* v4: offset != 0; v6: a fragment header exists */
	uint16_t frag_offset;     /* v4: the 13-bit offset field as the kernel prints it (FRAG:%u);
	                             v6: offset in bytes (frag_off & 0xFFF8) */
	bool is_fragment;         /* not the first fragment: no transport header */
	const uint8_t *ip_options;/* v4 options / v6 extension-header bytes are not copied: */
	uint16_t ip_options_len;  /* v4 only: options between the header and ihl*4 */

	/* transport protocol, after any IPv6 extension headers */
	bool has_proto;
	uint8_t proto;            /* IPPROTO_* */
	bool l4_incomplete;       /* its header could not be read */
	uint32_t l4_avail;        /* bytes available where it starts (INCOMPLETE [n bytes]) */

	bool has_ports;           /* TCP, UDP, UDP-Lite */
	uint16_t sport, dport;
	bool has_udp_len;
	uint16_t udp_len;

	bool has_tcp;
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_window, tcp_urgp;
	uint16_t tcp_flags;       /* enum decode_tcp_flag bits */
	uint8_t tcp_res;          /* reserved bits, as the kernel's RES=0x%02x */
	const uint8_t *tcp_options;
	uint8_t tcp_options_len;
	bool tcp_options_truncated;

	bool has_icmp;            /* ICMP or ICMPv6 */
	uint8_t icmp_type, icmp_code;
	bool has_icmp_echo;
	uint16_t icmp_id, icmp_seq;
	bool has_icmp_gateway;    /* ICMP redirect */
	uint8_t icmp_gateway[4];
	bool has_icmp_mtu;        /* ICMP frag-needed / ICMPv6 packet-too-big */
	uint32_t icmp_mtu;
	bool has_icmp_parameter;  /* ICMP PARAMETER / ICMPv6 POINTER */
	uint32_t icmp_parameter;
	bool has_inner;           /* ICMP error: the quoted packet */
	struct decoded_inner inner;

	bool has_spi;             /* AH / ESP */
	uint32_t spi;

	/* ARP (family arp/bridge/netdev with EtherType ARP) */
	bool has_arp;
	uint16_t arp_htype, arp_ptype, arp_op;
	bool has_arp_addrs;       /* Ethernet/IPv4 ARP with a complete body */
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

#endif
