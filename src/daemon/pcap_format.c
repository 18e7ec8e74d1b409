/* pcap_format.c - classic pcap file and record headers (see pcap_format.h).
 * Header fields are in this machine's byte order: the magic number tells
 * a reader which one. */
#include "pcap_format.h"

#include <string.h>

#include "decode.h"

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4

#define NFPROTO_IPV4 2
#define NFPROTO_IPV6 10
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

void pcap_file_header(uint8_t *out, uint32_t linktype)
{
	put32(out, PCAP_MAGIC_USEC);
	put16(out + 4, PCAP_VERSION_MAJOR);
	put16(out + 6, PCAP_VERSION_MINOR);
	put32(out + 8, 0);  /* thiszone: timestamps are UTC */
	put32(out + 12, 0); /* sigfigs */
	put32(out + 16, PCAP_SNAPLEN);
	put32(out + 20, linktype);
}

uint32_t pcap_ip_orig_len(const uint8_t *pkt, uint32_t len)
{
	uint32_t orig = len;
	if (len >= 4 && pkt[0] >> 4 == 4)
		orig = (uint32_t)pkt[2] << 8 | pkt[3];
	else if (len >= 6 && pkt[0] >> 4 == 6)
		orig = 40 + ((uint32_t)pkt[4] << 8 | pkt[5]); /* 0 with a jumbogram: len */
	return orig > len ? orig : len;
}

/* Whether pkt, rec's layer-3 bytes, is an IPv4 or IPv6 packet
 * (LINKTYPE_RAW): the family says so (or, bridged, the EtherType), and
 * the header agrees. */
static bool packet_is_ip(const struct nflogd_record *rec, const struct decode_pkt *pkt)
{
	if (!pkt->len)
		return false;
	unsigned version = pkt->data[0] >> 4;
	bool v4 = rec->family == NFPROTO_IPV4 || rec->hw_protocol == ETHERTYPE_IPV4;
	bool v6 = rec->family == NFPROTO_IPV6 || rec->hw_protocol == ETHERTYPE_IPV6;
	return (version == 4 && v4) || (version == 6 && v6);
}

enum pcap_put pcap_put_record(struct buf *b, uint32_t linktype, const struct nflogd_record *rec)
{
	const uint8_t *data = rec->msg;
	uint32_t len = rec->msg_len, orig = rec->msg_len;
	if (linktype == PCAP_LINKTYPE_RAW) {
		/* from the IP header: at netdev egress NFLOG copies the link header too */
		struct decode_pkt pkt = decode_l3_pkt(rec);
		if (!packet_is_ip(rec, &pkt))
			return PCAP_PUT_NOT_IP;
		data = pkt.data;
		len = pkt.len;
		orig = pcap_ip_orig_len(data, len);
	}
	if (len > PCAP_SNAPLEN)
		len = PCAP_SNAPLEN;
	if (!buf_reserve(b, PCAP_RECORD_HEADER_LEN + (size_t)len))
		return PCAP_PUT_NO_ROOM;
	uint8_t *p = (uint8_t *)b->data + b->len;
	put32(p, (uint32_t)rec->ts.tv_sec);
	put32(p + 4, (uint32_t)rec->ts.tv_usec);
	put32(p + 8, len);
	put32(p + 12, orig);
	memcpy(p + PCAP_RECORD_HEADER_LEN, data, len);
	b->len += PCAP_RECORD_HEADER_LEN + (size_t)len;
	return PCAP_PUT_OK;
}

uint32_t pcap_record_caplen(const uint8_t *hdr) { return get32(hdr + 8); }

size_t pcap_record_len(const uint8_t *p, size_t avail)
{
	if (avail < PCAP_RECORD_HEADER_LEN)
		return 0;
	uint32_t caplen = pcap_record_caplen(p);
	if (caplen > PCAP_SNAPLEN || avail - PCAP_RECORD_HEADER_LEN < caplen)
		return 0;
	return PCAP_RECORD_HEADER_LEN + (size_t)caplen;
}
