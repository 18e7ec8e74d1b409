/* pcap_format.h - the bytes of a classic pcap capture file (the format
 * libpcap, tcpdump and Wireshark read): the file header, one record per
 * packet, and how to walk the records of a file. Pure: no I/O.
 *
 * Files are written in this machine's byte order with microsecond
 * timestamps (magic 0xa1b2c3d4 as this machine stores it), version 2.4,
 * as libpcap's own dump files are. Two link types:
 *  - LINKTYPE_NFLOG (239): per packet the NFLOG message after its netlink
 *    header (nfgenmsg, then the kernel's attributes: prefix, mark, uid,
 *    hook, timestamp, interfaces, payload), what `tcpdump -i nflog:N -w`
 *    writes;
 *  - LINKTYPE_RAW (101): the IPv4 or IPv6 packet alone.
 */
#ifndef NFLOGD_PCAP_FORMAT_H
#define NFLOGD_PCAP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

#define PCAP_LINKTYPE_RAW 101
#define PCAP_LINKTYPE_NFLOG 239
/* libpcap's MAXIMUM_SNAPLEN: larger than any NFLOG message (at most
 * 65535 payload bytes plus attributes) */
#define PCAP_SNAPLEN 262144
#define PCAP_FILE_HEADER_LEN 24
#define PCAP_RECORD_HEADER_LEN 16

/* What pcap_put_record() did with a record. */
enum pcap_put {
	PCAP_PUT_OK,	  /* appended */
	PCAP_PUT_NOT_IP,  /* raw: the record holds no IPv4/IPv6 packet; nothing appended */
	PCAP_PUT_NO_ROOM, /* out of memory (b->failed); b is as it was */
};

/* The file header for linktype into out (PCAP_FILE_HEADER_LEN bytes). */
void pcap_file_header(uint8_t *out, uint32_t linktype);

/* Append the record of rec to b, in linktype: header (rec->ts, captured
 * and original length) and data. NFLOG: rec->msg, whole (captured =
 * original length, as libpcap's nflog capture writes it). RAW:
 * rec->payload; its original length is the one the IP header gives when
 * copy_range cut the packet short. */
enum pcap_put pcap_put_record(struct buf *b, uint32_t linktype, const struct nflogd_record *rec);

/* The length of the IP packet the first len bytes of pkt begin, as its
 * header gives it (IPv4 total length, IPv6 40 + payload length), or len
 * when the header is not there or gives less than len. */
uint32_t pcap_ip_orig_len(const uint8_t *pkt, uint32_t len);

/* The captured length a record header (PCAP_RECORD_HEADER_LEN bytes)
 * gives: the bytes of data that follow it. */
uint32_t pcap_record_caplen(const uint8_t *hdr);

/* The length (header and data) of the record at p, which has avail bytes,
 * or 0 when those hold no whole record (cut short, or a captured length
 * beyond PCAP_SNAPLEN: not a record this format writes). */
size_t pcap_record_len(const uint8_t *p, size_t avail);

#endif
