/* record.h - one packet logged by NFLOG, as the kernel sent it.
 *
 * Filled by record_parse() from one NFULNL_MSG_PACKET netlink message.
 * Byte fields point into the receive buffer: a record is valid only until
 * the next receive on its group. Nothing here is allocated.
 * Every field the kernel did not send is marked absent (has_* false, or a
 * zero length); absent is never reported as 0.
 */
#ifndef NFLOGD_RECORD_H
#define NFLOGD_RECORD_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

struct nlmsghdr;

/* NFLOG hook numbers (NF_INET_*), as in the kernel's packet header. */
enum record_hook {
	RECORD_HOOK_PREROUTING = 0,
	RECORD_HOOK_INPUT = 1,
	RECORD_HOOK_FORWARD = 2,
	RECORD_HOOK_OUTPUT = 3,
	RECORD_HOOK_POSTROUTING = 4,
};

struct record_ifdev {
	uint32_t index;		/* 0: the kernel sent no such interface */
	char name[IF_NAMESIZE]; /* "" until resolved; may stay "" if unknown */
};

struct nflogd_record {
	uint16_t group; /* NFLOG group (nfgenmsg res_id) */
	uint8_t family; /* NFPROTO_IPV4 (2), _IPV6 (10), _BRIDGE (7), _ARP (3), _NETDEV (5) */

	bool has_packet_hdr;  /* NFULA_PACKET_HDR */
	uint16_t hw_protocol; /* nflogr "proto": EtherType, host order */
	uint8_t hook;	      /* enum record_hook (raw kernel value) */

	bool has_hwtype;
	uint16_t hwtype; /* ARPHRD_* of the input device */
	bool has_hwlen;
	uint16_t hwlen; /* the input device's hard_header_len */

	bool has_mark;
	uint32_t mark; /* nflogr "nfmark" */

	/* Kernel timestamp when sent (input, forward, prerouting...). Packets
	 * logged at output/postrouting carry none: then ts is the receive
	 * time and ts_from_kernel is false. */
	struct timeval ts;
	bool ts_from_kernel;

	struct record_ifdev indev, outdev, physindev, physoutdev;

	bool has_uid, has_gid; /* only for packets of local sockets */
	uint32_t uid, gid;

	bool has_seq, has_seq_global;
	uint32_t seq, seq_global;

	const uint8_t *hwaddr; /* NFULA_HWADDR: source link-layer address */
	uint16_t hwaddr_len;
	const uint8_t *hwhdr; /* NFULA_HWHEADER: link-layer header */
	uint16_t hwhdr_len;
	const uint8_t *l2hdr; /* NFULA_L2HDR (bridge family), if any */
	uint16_t l2hdr_len;

	bool has_vlan;	     /* NFULA_VLAN */
	uint16_t vlan_proto; /* host order */
	uint16_t vlan_tci;   /* host order; VID is tci & 0x0fff */

	bool has_ct_info;
	uint32_t ct_info; /* NFULA_CT_INFO (conntrack flag) */

	const uint8_t *payload; /* NFULA_PAYLOAD: layer-3 packet (may be cut by copy_range) */
	uint32_t payload_len;

	/* NFULA_PREFIX without its terminating NUL; hostile bytes, never
	 * assumed to be text or NUL-free. prefix is NULL when absent. */
	const char *prefix;
	uint16_t prefix_len;

	/* The whole message after its netlink header: the nfgenmsg header,
	 * then the attributes as the kernel sent them (what a LINKTYPE_NFLOG
	 * capture holds per packet). */
	const uint8_t *msg;
	uint32_t msg_len;

	/* The network namespace the group was read in, as the reader was
	 * told (nflog_options.netns: printable ASCII without quotes or
	 * backslashes); NULL: not told (the reader's own). */
	const char *netns;
};

/* Parse one NFULNL_MSG_PACKET message into rec (pure, bounds-checked).
 * recv_time fills rec->ts when the kernel sent no timestamp.
 * Returns 0, or -1 when the message is not a well-formed NFLOG packet
 * (wrong type, truncated attributes, attribute of the wrong size). */
int record_parse(const struct nlmsghdr *nlh, const struct timeval *recv_time,
		 struct nflogd_record *rec);

/* Name of a hook number in an NFPROTO family, as nft names the hooks of
 * that family ("input", "ingress", ...), or NULL if unknown. */
const char *record_hook_name(uint8_t family, uint8_t hook);

/* Name of an NFPROTO family ("ipv4", "ipv6", "bridge", "arp", "netdev"),
 * or NULL if unknown. */
const char *record_family_name(uint8_t family);

#endif
