/* fields.c - the one table of record fields and how to read each one.
 *
 * Each reader appends a value's text or reports it absent. Readers of the
 * decoded layers test the has_* flag of their layer first, so a record
 * without a payload (copymode none/meta) simply has none of them.
 */
#include "fields.h"

#include "rfc3339.h"

/* Shorthands for the readers below: the record and its decoded payload. */
#define R (s->rec)
#define D (s->dec)

/* A reader that exists when cond holds and writes its value with the
 * statement write, and fn_value: the same without the test, for the JSON
 * plans, which know already that the record has the value. The table
 * names both with READ(fn). */
#define READER(fn, cond, write)                                                                    \
	static bool fn##_value(struct buf *b, const struct field_src *s)                           \
	{                                                                                          \
		write;                                                                             \
		return true;                                                                       \
	}                                                                                          \
	static bool fn(struct buf *b, const struct field_src *s)                                   \
	{                                                                                          \
		return (cond) && fn##_value(b, s);                                                 \
	}
#define READ(fn) .put = fn, .value = fn##_value

/* An integer value. */
#define INT_READER(fn, cond, expr) READER(fn, cond, buf_put_u32(b, (uint32_t)(expr)))
/* A boolean value. */
#define BOOL_READER(fn, cond, expr) READER(fn, cond, put_bool(b, (expr)))
/* Bytes rendered as hex: absent when the pointer is NULL. */
#define HEX_READER(fn, ptr, len) READER(fn, ptr, buf_put_hex(b, (ptr), (len), false, 0))
/* A MAC address, aa:bb:cc:dd:ee:ff. */
#define MAC_READER(fn, cond, addr) READER(fn, cond, buf_put_hex(b, (addr), 6, false, ':'))
/* An IPv4 address, dotted quad. */
#define IPV4_READER(fn, cond, addr) READER(fn, cond, buf_put_ipv4(b, (addr)))

static void put_bool(struct buf *b, bool v)
{
	if (v)
		buf_putlit(b, "true");
	else
		buf_putlit(b, "false");
}

/* The decoder names the layer before it reads the header; a header that
 * did not fit leaves l3 set with l3_truncated. Per decode.h, a read IPv4
 * header always sets has_id, and a read IPv6 header makes len >= 40. */
static bool is_ipv4(const struct field_src *s) { return D->l3 == DECODE_L3_IPV4 && D->has_id; }

static bool is_ipv6(const struct field_src *s) { return D->l3 == DECODE_L3_IPV6 && D->len >= 40; }

static bool is_ip(const struct field_src *s) { return is_ipv4(s) || is_ipv6(s); }

static bool has_arp_addrs(const struct field_src *s) { return D->has_arp && D->has_arp_addrs; }

/* An address of the given layer (DECODE_L3_IPV4/IPV6); IPv6 in RFC 5952
 * form, unlike the kernel's text line, because JSON readers compare it. */
static void put_ip(struct buf *b, uint8_t l3, const uint8_t addr[16])
{
	if (l3 == DECODE_L3_IPV4)
		buf_put_ipv4(b, addr);
	else
		buf_put_ipv6(b, addr);
}

/* The kernel's protocol name, else the number, so the value is always a string. */
static void put_proto_name(struct buf *b, uint8_t proto)
{
	const char *name = decode_proto_name(proto);
	if (name)
		buf_puts(b, name);
	else
		buf_put_u32(b, proto);
}

/* ---- the record: what the kernel sent ---- */

static bool put_timestamp(struct buf *b, const struct field_src *s)
{
	format_rfc3339(b, &R->ts);
	return true;
}

static bool put_timestamp_source(struct buf *b, const struct field_src *s)
{
	if (R->ts_from_kernel)
		buf_putlit(b, "kernel");
	else
		buf_putlit(b, "receive");
	return true;
}

INT_READER(put_group, true, R->group)

/* The daemon's config allows only printable ASCII without quotes or
 * backslashes in a netns key: a string that never needs escaping. */
READER(put_netns, R->netns, buf_puts(b, R->netns))
INT_READER(put_seq, R->has_seq, R->seq)
INT_READER(put_seq_global, R->has_seq_global, R->seq_global)

/* An unknown hook number is still said, as its number. */
static bool put_hook(struct buf *b, const struct field_src *s)
{
	if (!R->has_packet_hdr)
		return false;
	const char *name = record_hook_name(R->family, R->hook);
	if (name)
		buf_puts(b, name);
	else
		buf_put_u32(b, R->hook);
	return true;
}

static bool put_family(struct buf *b, const struct field_src *s)
{
	const char *name = record_family_name(R->family);
	if (name)
		buf_puts(b, name);
	else
		buf_put_u32(b, R->family);
	return true;
}

static const char *text_prefix(const struct field_src *s, size_t *len)
{
	*len = R->prefix_len;
	return R->prefix;
}

INT_READER(put_proto, R->has_packet_hdr, R->hw_protocol)
INT_READER(put_hwtype, R->has_hwtype, R->hwtype)
INT_READER(put_hwlen, R->has_hwlen, R->hwlen)
/* The kernel sends NFULA_MARK only for a non-zero mark: absent means 0. */
INT_READER(put_nfmark, true, R->has_mark ? R->mark : 0)

/* An interface's name: absent when not sent or not resolved to a name. */
static const char *ifdev_name(const struct record_ifdev *dev, size_t *len)
{
	if (!dev->index || !dev->name[0])
		return NULL;
	size_t n = 1; /* names are short: a loop costs less than a strnlen call */
	while (n < sizeof dev->name && dev->name[n])
		n++;
	*len = n;
	return dev->name;
}

static const char *text_indev(const struct field_src *s, size_t *len)
{
	return ifdev_name(&R->indev, len);
}
static const char *text_physindev(const struct field_src *s, size_t *len)
{
	return ifdev_name(&R->physindev, len);
}
static const char *text_outdev(const struct field_src *s, size_t *len)
{
	return ifdev_name(&R->outdev, len);
}
static const char *text_physoutdev(const struct field_src *s, size_t *len)
{
	return ifdev_name(&R->physoutdev, len);
}

INT_READER(put_indev_index, R->indev.index, R->indev.index)
INT_READER(put_physindev_index, R->physindev.index, R->physindev.index)
INT_READER(put_outdev_index, R->outdev.index, R->outdev.index)
INT_READER(put_physoutdev_index, R->physoutdev.index, R->physoutdev.index)
INT_READER(put_uid, R->has_uid, R->uid)
INT_READER(put_gid, R->has_gid, R->gid)
HEX_READER(put_hwaddr, R->hwaddr, R->hwaddr_len)
HEX_READER(put_hwhdr, R->hwhdr, R->hwhdr_len)
HEX_READER(put_l2hdr, R->l2hdr, R->l2hdr_len)
INT_READER(put_vlan_id, R->has_vlan, R->vlan_tci & 0x0fff)
INT_READER(put_vlan_tci, R->has_vlan, R->vlan_tci)
INT_READER(put_vlan_proto, R->has_vlan, R->vlan_proto)
INT_READER(put_ct_info, R->has_ct_info, R->ct_info)
INT_READER(put_payload_len, true, R->payload ? R->payload_len : 0)
HEX_READER(put_payload, R->payload, R->payload_len)

/* ---- decoded: the link-layer header ---- */

MAC_READER(put_mac_src, D->has_eth, D->mac_src)
MAC_READER(put_mac_dst, D->has_eth, D->mac_dst)
INT_READER(put_mac_proto, D->has_eth, D->mac_proto)

/* ---- decoded: IPv4 / IPv6 ---- */

static bool put_src(struct buf *b, const struct field_src *s)
{
	if (!is_ip(s))
		return false;
	put_ip(b, D->l3, D->src);
	return true;
}

static bool put_dst(struct buf *b, const struct field_src *s)
{
	if (!is_ip(s))
		return false;
	put_ip(b, D->l3, D->dst);
	return true;
}

INT_READER(put_len, is_ip(s), D->len)
INT_READER(put_tos, is_ipv4(s), D->tos)
INT_READER(put_prec, is_ipv4(s), D->tos & 0xe0)
INT_READER(put_ttl, is_ipv4(s), D->ttl)
INT_READER(put_tc, is_ipv6(s), D->tos)
INT_READER(put_hoplimit, is_ipv6(s), D->ttl)
INT_READER(put_flowlabel, is_ipv6(s), D->flowlabel)
INT_READER(put_ip_id, is_ipv4(s) || (is_ipv6(s) && D->has_id), D->id)
BOOL_READER(put_ce, is_ipv4(s), D->ce)
BOOL_READER(put_df, is_ipv4(s), D->df)
BOOL_READER(put_mf, is_ipv4(s) || (is_ipv6(s) && D->has_frag), D->mf)
/* In bytes for both families: IPv4's field counts 8-byte units. */
INT_READER(put_frag_offset, is_ipv4(s) || (is_ipv6(s) && D->has_frag),
	   is_ipv4(s) ? (uint32_t)D->frag_offset * 8 : D->frag_offset)

static bool put_ip_options(struct buf *b, const struct field_src *s)
{
	if (!is_ipv4(s) || !D->ip_options || !D->ip_options_len)
		return false;
	buf_put_hex(b, D->ip_options, D->ip_options_len, false, 0);
	return true;
}

/* ---- decoded: transport ---- */

static bool put_protocol(struct buf *b, const struct field_src *s)
{
	if (!D->has_proto)
		return false;
	put_proto_name(b, D->proto);
	return true;
}

INT_READER(put_protocol_number, D->has_proto, D->proto)
INT_READER(put_spt, D->has_ports, D->sport)
INT_READER(put_dpt, D->has_ports, D->dport)
INT_READER(put_udp_len, D->has_udp_len, D->udp_len)
INT_READER(put_tcp_seq, D->has_tcp, D->tcp_seq)
INT_READER(put_tcp_ack, D->has_tcp, D->tcp_ack)
INT_READER(put_window, D->has_tcp, D->tcp_window)
INT_READER(put_res, D->has_tcp, D->tcp_res)
INT_READER(put_urgp, D->has_tcp, D->tcp_urgp)

/* The kernel LOG line's flag names, in its print order. */
static const struct {
	uint16_t bit;
	const char *name;
} tcp_flag_names[] = {
	{ TCPF_CWR, "CWR" }, { TCPF_ECE, "ECE" }, { TCPF_URG, "URG" },
	{ TCPF_ACK, "ACK" }, { TCPF_PSH, "PSH" }, { TCPF_RST, "RST" },
	{ TCPF_SYN, "SYN" }, { TCPF_FIN, "FIN" }, { TCPF_AE, "AE" },
};

static bool put_tcp_flags(struct buf *b, const struct field_src *s)
{
	if (!D->has_tcp)
		return false;
	bool first = true;
	for (size_t i = 0; i < sizeof tcp_flag_names / sizeof tcp_flag_names[0]; i++) {
		if (!(D->tcp_flags & tcp_flag_names[i].bit))
			continue;
		if (!first)
			buf_putc(b, ' ');
		buf_puts(b, tcp_flag_names[i].name);
		first = false;
	}
	return true;
}

static bool put_tcp_options(struct buf *b, const struct field_src *s)
{
	if (!D->has_tcp || !D->tcp_options || !D->tcp_options_len)
		return false;
	buf_put_hex(b, D->tcp_options, D->tcp_options_len, false, 0);
	return true;
}

INT_READER(put_icmp_type, D->has_icmp, D->icmp_type)
INT_READER(put_icmp_code, D->has_icmp, D->icmp_code)
INT_READER(put_icmp_id, D->has_icmp_echo, D->icmp_id)
INT_READER(put_icmp_seq, D->has_icmp_echo, D->icmp_seq)

IPV4_READER(put_gateway, D->has_icmp_gateway, D->icmp_gateway)

INT_READER(put_mtu, D->has_icmp_mtu, D->icmp_mtu)
INT_READER(put_parameter, D->has_icmp_parameter, D->icmp_parameter)

/* ---- decoded: the packet quoted in an ICMP error ---- */

static bool has_inner(const struct field_src *s)
{
	return D->has_inner && (D->inner.l3 == DECODE_L3_IPV4 || D->inner.l3 == DECODE_L3_IPV6);
}

static bool put_inner(struct buf *b, const struct field_src *s)
{
	(void)b;
	return has_inner(s);
}

static bool put_inner_src(struct buf *b, const struct field_src *s)
{
	if (!has_inner(s))
		return false;
	put_ip(b, D->inner.l3, D->inner.src);
	return true;
}

static bool put_inner_dst(struct buf *b, const struct field_src *s)
{
	if (!has_inner(s))
		return false;
	put_ip(b, D->inner.l3, D->inner.dst);
	return true;
}

static bool put_inner_protocol(struct buf *b, const struct field_src *s)
{
	if (!has_inner(s) || !D->inner.has_proto)
		return false;
	put_proto_name(b, D->inner.proto);
	return true;
}

INT_READER(put_inner_protocol_number, has_inner(s) && D->inner.has_proto, D->inner.proto)
INT_READER(put_inner_spt, has_inner(s) && D->inner.has_ports, D->inner.sport)
INT_READER(put_inner_dpt, has_inner(s) && D->inner.has_ports, D->inner.dport)

INT_READER(put_spi, D->has_spi, D->spi)

/* ---- decoded: ARP ---- */

INT_READER(put_arp_htype, D->has_arp, D->arp_htype)
INT_READER(put_arp_ptype, D->has_arp, D->arp_ptype)
INT_READER(put_arp_op, D->has_arp, D->arp_op)
MAC_READER(put_arp_sha, has_arp_addrs(s), D->arp_sha)
IPV4_READER(put_arp_spa, has_arp_addrs(s), D->arp_spa)
MAC_READER(put_arp_tha, has_arp_addrs(s), D->arp_tha)
IPV4_READER(put_arp_tpa, has_arp_addrs(s), D->arp_tpa)

/* ---- decoded: what could not be read ---- */

/* The outermost layer that was cut short; inner layers are then missing. */
static bool put_truncated(struct buf *b, const struct field_src *s)
{
	if (D->l3_truncated)
		buf_putlit(b, "network");
	else if (D->l4_incomplete)
		buf_putlit(b, "transport");
	else if (D->has_tcp && D->tcp_options_truncated)
		buf_putlit(b, "tcp_options");
	else
		return false;
	return true;
}

INT_READER(put_truncated_bytes, !D->l3_truncated && D->l4_incomplete, D->l4_avail)

/* ---- the table ---- */

#define KEY(k) .key = k, .json_key = ",\"" k "\":", .json_key_len = sizeof(",\"" k "\":") - 1
/* schema = "ecs": the ECS field (doc/ecs.md); without it, "nflog.<key>". */
#define ECS(name, type) .ecs = name, .ecs_type = type

/* Present-when texts shared by several rows. */
#define W_IP "IPv4 or IPv6 packet"
#define W_V4 "IPv4 packet"
#define W_V6 "IPv6 packet"
#define W_PROTO "the transport protocol is known (IPv4, IPv6 after its extension headers)"
#define W_PORTS "TCP, UDP or UDP-Lite with a readable header"
#define W_TCP "TCP with a readable header"
#define W_ICMP "ICMP or ICMPv6 with a readable header"
#define W_ECHO "ICMP/ICMPv6 echo request or reply"
#define W_INNER "inner is present"
#define W_ETH "Ethernet input device with a 14-byte link-layer header"
#define W_ARP "ARP packet"
#define W_ARPA "Ethernet/IPv4 ARP packet with a complete body"

const struct field fields_table[] = {
	{ KEY("timestamp"), .layer = FIELD_L_RECORD, .journal = "NFLOG_TIMESTAMP",
	  .type = FIELD_STRING, .presence = FIELD_ALWAYS, .when = "always",
	  .desc =
	      "When the packet was logged: RFC 3339 local time with microseconds and UTC offset",
	  .put = put_timestamp, ECS("@timestamp", ECS_DATE) },
	{ KEY("timestamp_source"), .layer = FIELD_L_RECORD, .journal = "NFLOG_TIMESTAMP_SOURCE",
	  .type = FIELD_STRING, .presence = FIELD_ALWAYS, .when = "always",
	  .desc = "\"kernel\", or \"receive\" when the kernel sent no timestamp (output, "
		  "postrouting) and the receive time stands in",
	  .put = put_timestamp_source },
	{ KEY("group"), .layer = FIELD_L_RECORD, .journal = "NFLOG_GROUP", .type = FIELD_INT,
	  .presence = FIELD_ALWAYS, .when = "always",
	  .desc = "NFLOG group the packet was logged to", READ(put_group) },
	{ KEY("netns"), .layer = FIELD_L_RECORD, .journal = "NFLOG_NETNS", .type = FIELD_STRING,
	  .presence = FIELD_OPTIONAL, .when = "only for a group with a netns key",
	  .desc = "The network namespace the group is read in: its netns key as written (a "
		  "name under /run/netns, or a path)",
	  READ(put_netns) },
	{ KEY("seq"), .layer = FIELD_L_RECORD, .journal = "NFLOG_SEQ", .type = FIELD_INT,
	  .presence = FIELD_NULLABLE, .when = "always; null unless the group has the seq flag",
	  .desc = "Per-group sequence number (starts at 0); a gap means lost records",
	  READ(put_seq), ECS("event.sequence", ECS_LONG) },
	{ KEY("seq_global"), .layer = FIELD_L_RECORD, .journal = "NFLOG_SEQ_GLOBAL",
	  .type = FIELD_INT, .presence = FIELD_NULLABLE,
	  .when = "always; null unless the group has the seq_global flag",
	  .desc = "Sequence number across all groups (starts at 1)", READ(put_seq_global) },
	{ KEY("hook"), .layer = FIELD_L_RECORD, .journal = "NFLOG_HOOK", .type = FIELD_STRING,
	  .presence = FIELD_NULLABLE, .when = "always; null without a packet header",
	  .desc = "Netfilter hook, as nft names it in the family: prerouting, input, forward, "
		  "output, postrouting (ipv4, ipv6, bridge), ingress (ipv4, ipv6); input, output "
		  "(arp); ingress, egress (netdev); else its number",
	  .put = put_hook },
	{ KEY("family"), .layer = FIELD_L_RECORD, .journal = "NFLOG_FAMILY", .type = FIELD_STRING,
	  .presence = FIELD_ALWAYS, .when = "always",
	  .desc = "Protocol family of the rule: ipv4, ipv6, bridge, arp, netdev (else its number)",
	  .put = put_family },
	{ KEY("prefix"), .layer = FIELD_L_RECORD, .journal = "NFLOG_PREFIX", .type = FIELD_TEXT,
	  .presence = FIELD_NULLABLE,
	  .when = "always; \"\" when the rule set none (nft and iptables send an empty one)",
	  .desc = "The rule's log prefix (nflogr prefix)", .text = text_prefix,
	  ECS("rule.name", ECS_KEYWORD) },
	{ KEY("proto"), .layer = FIELD_L_RECORD, .journal = "NFLOG_ETHERTYPE", .type = FIELD_INT,
	  .presence = FIELD_NULLABLE, .when = "always; null without a packet header",
	  .desc = "Layer-3 protocol as an EtherType, e.g. 2048 for IPv4 (nflogr proto)",
	  READ(put_proto) },
	{ KEY("hwtype"), .layer = FIELD_L_RECORD, .journal = "NFLOG_HWTYPE", .type = FIELD_INT,
	  .presence = FIELD_NULLABLE,
	  .when = "always; null when the kernel sent none (no input device)",
	  .desc = "ARPHRD_* type of the input device, e.g. 1 for Ethernet (nflogr hwtype)",
	  READ(put_hwtype) },
	{ KEY("hwlen"), .layer = FIELD_L_RECORD, .journal = "NFLOG_HWLEN", .type = FIELD_INT,
	  .presence = FIELD_NULLABLE, .when = "always; null when the kernel sent none",
	  .desc = "Link-layer header length of the input device", READ(put_hwlen) },
	{ KEY("nfmark"), .layer = FIELD_L_RECORD, .journal = "NFLOG_MARK", .type = FIELD_INT,
	  .presence = FIELD_ALWAYS, .when = "always",
	  .desc = "Netfilter packet mark; 0 when unmarked (the kernel sends only non-zero marks) "
		  "(nflogr nfmark)",
	  READ(put_nfmark) },
	{ KEY("indev"), .layer = FIELD_L_RECORD, .journal = "NFLOG_IN", .type = FIELD_TEXT,
	  .presence = FIELD_NULLABLE,
	  .when = "always; null when there is no input interface or its name is unknown",
	  .desc = "Logical input interface name (nflogr indev)", .text = text_indev,
	  ECS("observer.ingress.interface.name", ECS_KEYWORD) },
	{ KEY("indev_index"), .layer = FIELD_L_RECORD, .journal = "NFLOG_IN_INDEX",
	  .type = FIELD_INT, .presence = FIELD_NULLABLE,
	  .when = "always; null when there is no input interface",
	  .desc = "Logical input interface index", READ(put_indev_index),
	  ECS("observer.ingress.interface.id", ECS_KEYWORD) },
	{ KEY("physindev"), .layer = FIELD_L_RECORD, .journal = "NFLOG_PHYSIN", .type = FIELD_TEXT,
	  .presence = FIELD_NULLABLE,
	  .when = "always; null unless bridged, or when its name is unknown",
	  .desc = "Physical input interface name, bridge port (nflogr physindev)",
	  .text = text_physindev },
	{ KEY("physindev_index"), .layer = FIELD_L_RECORD, .journal = "NFLOG_PHYSIN_INDEX",
	  .type = FIELD_INT, .presence = FIELD_NULLABLE, .when = "always; null unless bridged",
	  .desc = "Physical input interface index", READ(put_physindev_index) },
	{ KEY("outdev"), .layer = FIELD_L_RECORD, .journal = "NFLOG_OUT", .type = FIELD_TEXT,
	  .presence = FIELD_NULLABLE,
	  .when = "always; null when there is no output interface or its name is unknown",
	  .desc = "Logical output interface name (nflogr outdev)", .text = text_outdev,
	  ECS("observer.egress.interface.name", ECS_KEYWORD) },
	{ KEY("outdev_index"), .layer = FIELD_L_RECORD, .journal = "NFLOG_OUT_INDEX",
	  .type = FIELD_INT, .presence = FIELD_NULLABLE,
	  .when = "always; null when there is no output interface",
	  .desc = "Logical output interface index", READ(put_outdev_index),
	  ECS("observer.egress.interface.id", ECS_KEYWORD) },
	{ KEY("physoutdev"), .layer = FIELD_L_RECORD, .journal = "NFLOG_PHYSOUT",
	  .type = FIELD_TEXT, .presence = FIELD_NULLABLE,
	  .when = "always; null unless bridged, or when its name is unknown",
	  .desc = "Physical output interface name, bridge port (nflogr physoutdev)",
	  .text = text_physoutdev },
	{ KEY("physoutdev_index"), .layer = FIELD_L_RECORD, .journal = "NFLOG_PHYSOUT_INDEX",
	  .type = FIELD_INT, .presence = FIELD_NULLABLE, .when = "always; null unless bridged",
	  .desc = "Physical output interface index", READ(put_physoutdev_index) },
	{ KEY("uid"), .layer = FIELD_L_RECORD, .journal = "NFLOG_UID", .type = FIELD_INT,
	  .presence = FIELD_NULLABLE,
	  .when = "always; null unless a local socket sent the packet (never 0 for absent)",
	  .desc = "User id owning the sending socket (nflogr uid)", READ(put_uid),
	  ECS("user.id", ECS_KEYWORD) },
	{ KEY("gid"), .layer = FIELD_L_RECORD, .journal = "NFLOG_GID", .type = FIELD_INT,
	  .presence = FIELD_NULLABLE,
	  .when = "always; null unless a local socket sent the packet (never 0 for absent)",
	  .desc = "Group id owning the sending socket (nflogr gid)", READ(put_gid),
	  ECS("group.id", ECS_KEYWORD) },
	{ KEY("hwaddr"), .layer = FIELD_L_RECORD, .journal = "NFLOG_HWADDR", .type = FIELD_HEX,
	  .presence = FIELD_NULLABLE,
	  .when = "always; null when the kernel sent none (output hook)",
	  .desc = "Link-layer source address (nflogr hwaddr)", READ(put_hwaddr) },
	{ KEY("hwhdr"), .layer = FIELD_L_RECORD, .journal = "NFLOG_MAC", .type = FIELD_HEX,
	  .presence = FIELD_NULLABLE,
	  .when = "always; null when the kernel sent none (output hook)",
	  .desc = "Link-layer header, the bytes of the kernel LOG line's MAC= (nflogr hwhdr)",
	  READ(put_hwhdr) },
	{ KEY("l2hdr"), .layer = FIELD_L_RECORD, .journal = "NFLOG_L2HDR", .type = FIELD_HEX,
	  .presence = FIELD_NULLABLE,
	  .when = "always; null unless the kernel sent NFULA_L2HDR (bridge family)",
	  .desc = "Layer-2 header of a bridged packet", READ(put_l2hdr) },
	{ KEY("vlan_id"), .layer = FIELD_L_RECORD, .journal = "NFLOG_VLAN_ID", .type = FIELD_INT,
	  .presence = FIELD_NULLABLE, .when = "always; null unless the packet carried a VLAN tag",
	  .desc = "VLAN id (the low 12 bits of vlan_tci)", READ(put_vlan_id),
	  ECS("network.vlan.id", ECS_KEYWORD) },
	{ KEY("vlan_tci"), .layer = FIELD_L_RECORD, .journal = "NFLOG_VLAN_TCI", .type = FIELD_INT,
	  .presence = FIELD_NULLABLE, .when = "always; null unless the packet carried a VLAN tag",
	  .desc = "VLAN tag control information: priority, DEI and id", READ(put_vlan_tci) },
	{ KEY("vlan_proto"), .layer = FIELD_L_RECORD, .journal = "NFLOG_VLAN_PROTO",
	  .type = FIELD_INT, .presence = FIELD_NULLABLE,
	  .when = "always; null unless the packet carried a VLAN tag",
	  .desc = "VLAN tag protocol as an EtherType, e.g. 33024 for 802.1Q",
	  READ(put_vlan_proto) },
	{ KEY("ct_info"), .layer = FIELD_L_RECORD, .journal = "NFLOG_CT_INFO", .type = FIELD_INT,
	  .presence = FIELD_NULLABLE,
	  .when = "always; null unless the group has the conntrack flag and the kernel sent it",
	  .desc = "Conntrack state (enum ip_conntrack_info)", READ(put_ct_info) },
	{ KEY("payload_len"), .layer = FIELD_L_RECORD, .journal = "NFLOG_PAYLOAD_LEN",
	  .type = FIELD_INT, .presence = FIELD_ALWAYS, .when = "always",
	  .desc = "Bytes of layer-3 packet copied (0 without payload, copymode none or meta)",
	  READ(put_payload_len) },
	{ KEY("mac_src"), .layer = FIELD_L_ETH, .journal = "NFLOG_MAC_SRC", .type = FIELD_STRING,
	  .presence = FIELD_OPTIONAL, .when = W_ETH,
	  .desc = "Ethernet source address, aa:bb:cc:dd:ee:ff", READ(put_mac_src),
	  ECS("source.mac", ECS_MAC) },
	{ KEY("mac_dst"), .layer = FIELD_L_ETH, .journal = "NFLOG_MAC_DST", .type = FIELD_STRING,
	  .presence = FIELD_OPTIONAL, .when = W_ETH,
	  .desc = "Ethernet destination address, aa:bb:cc:dd:ee:ff", READ(put_mac_dst),
	  ECS("destination.mac", ECS_MAC) },
	{ KEY("mac_proto"), .layer = FIELD_L_ETH, .journal = "NFLOG_MAC_PROTO", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_ETH, .desc = "EtherType of the Ethernet header",
	  READ(put_mac_proto) },
	{ KEY("src"), .layer = FIELD_L_IP, .journal = "NFLOG_SRC", .type = FIELD_STRING,
	  .presence = FIELD_OPTIONAL, .when = W_IP,
	  .desc = "Source address; IPv6 in RFC 5952 compressed form", .put = put_src,
	  ECS("source.ip", ECS_IP) },
	{ KEY("dst"), .layer = FIELD_L_IP, .journal = "NFLOG_DST", .type = FIELD_STRING,
	  .presence = FIELD_OPTIONAL, .when = W_IP,
	  .desc = "Destination address; IPv6 in RFC 5952 compressed form", .put = put_dst,
	  ECS("destination.ip", ECS_IP) },
	{ KEY("len"), .layer = FIELD_L_IP, .journal = "NFLOG_LEN", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_IP,
	  .desc = "IP packet length (IPv6: payload length + 40), as in LEN=", READ(put_len) },
	{ KEY("tos"), .layer = FIELD_L_IP, .journal = "NFLOG_TOS", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_V4, .desc = "Type of service byte", READ(put_tos) },
	{ KEY("prec"), .layer = FIELD_L_IP, .journal = "NFLOG_PREC", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_V4, .desc = "Precedence bits of tos (tos & 0xe0)",
	  READ(put_prec) },
	{ KEY("ttl"), .layer = FIELD_L_IP, .journal = "NFLOG_TTL", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_V4, .desc = "Time to live", READ(put_ttl) },
	{ KEY("tc"), .layer = FIELD_L_IP, .journal = "NFLOG_TC", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_V6, .desc = "Traffic class", READ(put_tc) },
	{ KEY("hoplimit"), .layer = FIELD_L_IP, .journal = "NFLOG_HOPLIMIT", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_V6, .desc = "Hop limit", READ(put_hoplimit) },
	{ KEY("flowlabel"), .layer = FIELD_L_IP, .journal = "NFLOG_FLOWLBL", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_V6, .desc = "Flow label", READ(put_flowlabel) },
	{ KEY("ip_id"), .layer = FIELD_L_IP, .journal = "NFLOG_ID", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = "IPv4 packet, or IPv6 packet with a Fragment header",
	  .desc = "Identification (IPv6: of the Fragment header)", READ(put_ip_id) },
	{ KEY("ce"), .layer = FIELD_L_IP, .journal = "NFLOG_CE", .type = FIELD_BOOL,
	  .presence = FIELD_OPTIONAL, .when = W_V4,
	  .desc = "The reserved (congestion experienced) flag bit is set", READ(put_ce) },
	{ KEY("df"), .layer = FIELD_L_IP, .journal = "NFLOG_DF", .type = FIELD_BOOL,
	  .presence = FIELD_OPTIONAL, .when = W_V4, .desc = "Don't-fragment flag", READ(put_df) },
	{ KEY("mf"), .layer = FIELD_L_IP, .journal = "NFLOG_MF", .type = FIELD_BOOL,
	  .presence = FIELD_OPTIONAL, .when = "IPv4 packet, or IPv6 packet with a Fragment header",
	  .desc = "More-fragments flag", READ(put_mf) },
	{ KEY("frag_offset"), .layer = FIELD_L_IP, .journal = "NFLOG_FRAG", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = "IPv4 packet, or IPv6 packet with a Fragment header",
	  .desc = "Fragment offset in bytes (the IPv4 header field times 8)",
	  READ(put_frag_offset) },
	{ KEY("ip_options"), .layer = FIELD_L_IP, .journal = "NFLOG_IP_OPT", .type = FIELD_HEX,
	  .presence = FIELD_OPTIONAL, .when = "IPv4 packet with header options",
	  .desc = "The IPv4 options bytes", .put = put_ip_options },
	{ KEY("protocol"), .layer = FIELD_L_PROTO, .journal = "NFLOG_PROTO", .type = FIELD_STRING,
	  .presence = FIELD_OPTIONAL, .when = W_PROTO,
	  .desc = "Transport protocol as the kernel LOG line names it (TCP, UDP, UDPLITE, ICMP, "
		  "ICMPv6, AH, ESP), else its number",
	  .put = put_protocol, ECS("network.transport", ECS_TRANSPORT) },
	{ KEY("protocol_number"), .layer = FIELD_L_PROTO, .journal = "NFLOG_PROTO_NUMBER",
	  .type = FIELD_INT, .presence = FIELD_OPTIONAL, .when = W_PROTO,
	  .desc = "Transport protocol number (IPPROTO_*)", READ(put_protocol_number),
	  ECS("network.iana_number", ECS_KEYWORD) },
	{ KEY("spt"), .layer = FIELD_L_L4, .journal = "NFLOG_SPT", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_PORTS, .desc = "Source port", READ(put_spt),
	  ECS("source.port", ECS_LONG) },
	{ KEY("dpt"), .layer = FIELD_L_L4, .journal = "NFLOG_DPT", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_PORTS, .desc = "Destination port", READ(put_dpt),
	  ECS("destination.port", ECS_LONG) },
	{ KEY("udp_len"), .layer = FIELD_L_L4, .journal = "NFLOG_UDP_LEN", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = "UDP or UDP-Lite with a readable header",
	  .desc = "UDP length field", READ(put_udp_len) },
	{ KEY("tcp_seq"), .layer = FIELD_L_L4, .journal = "NFLOG_TCP_SEQ", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_TCP, .desc = "TCP sequence number",
	  READ(put_tcp_seq) },
	{ KEY("tcp_ack"), .layer = FIELD_L_L4, .journal = "NFLOG_TCP_ACK", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_TCP, .desc = "TCP acknowledgement number",
	  READ(put_tcp_ack) },
	{ KEY("window"), .layer = FIELD_L_L4, .journal = "NFLOG_WINDOW", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_TCP, .desc = "TCP window", READ(put_window) },
	{ KEY("res"), .layer = FIELD_L_L4, .journal = "NFLOG_RES", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_TCP,
	  .desc = "TCP reserved bits, as the kernel's RES=", READ(put_res) },
	{ KEY("tcp_flags"), .layer = FIELD_L_L4, .journal = "NFLOG_TCP_FLAGS", .type = FIELD_FLAGS,
	  .presence = FIELD_OPTIONAL, .when = W_TCP,
	  .desc = "Set TCP flags in the kernel's order: CWR ECE URG ACK PSH RST SYN FIN AE "
		  "(journal: space-separated)",
	  .put = put_tcp_flags },
	{ KEY("urgp"), .layer = FIELD_L_L4, .journal = "NFLOG_URGP", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_TCP, .desc = "TCP urgent pointer", READ(put_urgp) },
	{ KEY("tcp_options"), .layer = FIELD_L_L4, .journal = "NFLOG_TCP_OPT", .type = FIELD_HEX,
	  .presence = FIELD_OPTIONAL, .when = "TCP header with options",
	  .desc = "The TCP options bytes (as far as copied)", .put = put_tcp_options },
	{ KEY("icmp_type"), .layer = FIELD_L_ICMP, .journal = "NFLOG_ICMP_TYPE", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_ICMP, .desc = "ICMP/ICMPv6 type",
	  READ(put_icmp_type) },
	{ KEY("icmp_code"), .layer = FIELD_L_ICMP, .journal = "NFLOG_ICMP_CODE", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_ICMP, .desc = "ICMP/ICMPv6 code",
	  READ(put_icmp_code) },
	{ KEY("icmp_id"), .layer = FIELD_L_ICMP, .journal = "NFLOG_ICMP_ID", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_ECHO, .desc = "Echo identifier",
	  READ(put_icmp_id) },
	{ KEY("icmp_seq"), .layer = FIELD_L_ICMP, .journal = "NFLOG_ICMP_SEQ", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_ECHO, .desc = "Echo sequence number",
	  READ(put_icmp_seq) },
	{ KEY("gateway"), .layer = FIELD_L_ICMP, .journal = "NFLOG_GATEWAY", .type = FIELD_STRING,
	  .presence = FIELD_OPTIONAL, .when = "ICMP redirect",
	  .desc = "Gateway address of the redirect", READ(put_gateway) },
	{ KEY("mtu"), .layer = FIELD_L_ICMP, .journal = "NFLOG_MTU", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = "ICMP fragmentation needed, ICMPv6 packet too big",
	  .desc = "Next-hop MTU", READ(put_mtu) },
	{ KEY("parameter"), .layer = FIELD_L_ICMP, .journal = "NFLOG_PARAMETER", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = "ICMP parameter problem, ICMPv6 parameter problem",
	  .desc = "Pointer to the faulty byte", READ(put_parameter) },
	{ KEY("inner"), .layer = FIELD_L_ICMP, .journal = NULL, .type = FIELD_OBJECT,
	  .presence = FIELD_OPTIONAL, .when = "ICMP/ICMPv6 error quoting a readable IP header",
	  .desc = "The packet quoted in the ICMP error (journal: NFLOG_INNER_* fields)",
	  .put = put_inner },
	{ KEY("src"), .layer = FIELD_L_ICMP, .journal = "NFLOG_INNER_SRC", .parent = "inner",
	  .type = FIELD_STRING, .presence = FIELD_OPTIONAL, .when = W_INNER,
	  .desc = "Source address of the quoted packet", .put = put_inner_src },
	{ KEY("dst"), .layer = FIELD_L_ICMP, .journal = "NFLOG_INNER_DST", .parent = "inner",
	  .type = FIELD_STRING, .presence = FIELD_OPTIONAL, .when = W_INNER,
	  .desc = "Destination address of the quoted packet", .put = put_inner_dst },
	{ KEY("protocol"), .layer = FIELD_L_ICMP, .journal = "NFLOG_INNER_PROTO", .parent = "inner",
	  .type = FIELD_STRING, .presence = FIELD_OPTIONAL,
	  .when = "the quoted header names its transport protocol",
	  .desc = "Transport protocol of the quoted packet, named like protocol",
	  .put = put_inner_protocol },
	{ KEY("protocol_number"), .layer = FIELD_L_ICMP, .journal = "NFLOG_INNER_PROTO_NUMBER",
	  .parent = "inner", .type = FIELD_INT, .presence = FIELD_OPTIONAL,
	  .when = "the quoted header names its transport protocol",
	  .desc = "Transport protocol number of the quoted packet",
	  READ(put_inner_protocol_number) },
	{ KEY("spt"), .layer = FIELD_L_ICMP, .journal = "NFLOG_INNER_SPT", .parent = "inner",
	  .type = FIELD_INT, .presence = FIELD_OPTIONAL,
	  .when = "the quoted packet's ports could be read",
	  .desc = "Source port of the quoted packet", READ(put_inner_spt) },
	{ KEY("dpt"), .layer = FIELD_L_ICMP, .journal = "NFLOG_INNER_DPT", .parent = "inner",
	  .type = FIELD_INT, .presence = FIELD_OPTIONAL,
	  .when = "the quoted packet's ports could be read",
	  .desc = "Destination port of the quoted packet", READ(put_inner_dpt) },
	{ KEY("spi"), .layer = FIELD_L_L4, .journal = "NFLOG_SPI", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = "AH or ESP with a readable header",
	  .desc = "Security parameters index", READ(put_spi) },
	{ KEY("arp_htype"), .layer = FIELD_L_ARP, .journal = "NFLOG_ARP_HTYPE", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_ARP, .desc = "ARP hardware type",
	  READ(put_arp_htype) },
	{ KEY("arp_ptype"), .layer = FIELD_L_ARP, .journal = "NFLOG_ARP_PTYPE", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_ARP, .desc = "ARP protocol type (EtherType)",
	  READ(put_arp_ptype) },
	{ KEY("arp_op"), .layer = FIELD_L_ARP, .journal = "NFLOG_ARP_OP", .type = FIELD_INT,
	  .presence = FIELD_OPTIONAL, .when = W_ARP, .desc = "ARP opcode: 1 request, 2 reply",
	  READ(put_arp_op) },
	{ KEY("arp_sha"), .layer = FIELD_L_ARP, .journal = "NFLOG_ARP_SHA", .type = FIELD_STRING,
	  .presence = FIELD_OPTIONAL, .when = W_ARPA,
	  .desc = "Sender hardware address, aa:bb:cc:dd:ee:ff", READ(put_arp_sha) },
	{ KEY("arp_spa"), .layer = FIELD_L_ARP, .journal = "NFLOG_ARP_SPA", .type = FIELD_STRING,
	  .presence = FIELD_OPTIONAL, .when = W_ARPA, .desc = "Sender IPv4 address",
	  READ(put_arp_spa) },
	{ KEY("arp_tha"), .layer = FIELD_L_ARP, .journal = "NFLOG_ARP_THA", .type = FIELD_STRING,
	  .presence = FIELD_OPTIONAL, .when = W_ARPA,
	  .desc = "Target hardware address, aa:bb:cc:dd:ee:ff", READ(put_arp_tha) },
	{ KEY("arp_tpa"), .layer = FIELD_L_ARP, .journal = "NFLOG_ARP_TPA", .type = FIELD_STRING,
	  .presence = FIELD_OPTIONAL, .when = W_ARPA, .desc = "Target IPv4 address",
	  READ(put_arp_tpa) },
	{ KEY("truncated"), .layer = FIELD_L_TRUNC, .journal = "NFLOG_TRUNCATED",
	  .type = FIELD_STRING, .presence = FIELD_OPTIONAL,
	  .when = "a header could not be read in full",
	  .desc = "The outermost layer cut short: network, transport or tcp_options; layers inside "
		  "it are missing",
	  .put = put_truncated },
	{ KEY("truncated_bytes"), .layer = FIELD_L_TRUNC, .journal = "NFLOG_TRUNCATED_BYTES",
	  .type = FIELD_INT, .presence = FIELD_OPTIONAL, .when = "truncated is transport",
	  .desc =
	      "Bytes that were left for the transport header (the kernel's INCOMPLETE [n bytes])",
	  READ(put_truncated_bytes) },
	{ KEY("payload"), .layer = FIELD_L_RECORD, .journal = "NFLOG_PAYLOAD", .type = FIELD_HEX,
	  .presence = FIELD_NULLABLE,
	  .when = "always; null without payload (copymode none or meta)",
	  .desc =
	      "The packet as copied, cut at copy_range (nflogr payload): from the layer-3 header; "
	      "at the netdev egress hook from the link-layer header, which the decoded fields skip",
	  READ(put_payload) },
};

const size_t fields_count = sizeof fields_table / sizeof fields_table[0];

const struct field_ecs_const fields_ecs_consts[] = {
	{ "ecs.version", "\"8.17.0\"", ECS_KEYWORD },
	{ "event.kind", "\"event\"", ECS_KEYWORD },
	{ "event.category", "[\"network\"]", ECS_KEYWORD },
};

const size_t fields_ecs_consts_count = sizeof fields_ecs_consts / sizeof fields_ecs_consts[0];

unsigned field_layers(const struct field_src *s)
{
	unsigned l = FIELD_L_RECORD;
	if (D->has_eth)
		l |= FIELD_L_ETH;
	if (is_ip(s))
		l |= FIELD_L_IP;
	if (D->has_proto)
		l |= FIELD_L_PROTO;
	if (D->has_ports || D->has_udp_len || D->has_tcp || D->has_spi)
		l |= FIELD_L_L4;
	if (D->has_icmp || D->has_icmp_echo || D->has_icmp_gateway || D->has_icmp_mtu ||
	    D->has_icmp_parameter || D->has_inner)
		l |= FIELD_L_ICMP;
	if (D->has_arp)
		l |= FIELD_L_ARP;
	if (D->l3_truncated || D->l4_incomplete || D->tcp_options_truncated)
		l |= FIELD_L_TRUNC;
	return l;
}

/* One bit per condition a reader tests, beyond the layers (cond is 0 or 1). */
#define SHAPE_BIT(k, n, cond) ((k) |= (uint64_t)(cond) << (n))

static uint64_t shape_record(const struct nflogd_record *r)
{
	uint64_t k = 0;
	SHAPE_BIT(k, 0, r->has_seq);
	SHAPE_BIT(k, 1, r->has_seq_global);
	SHAPE_BIT(k, 2, r->has_packet_hdr);
	SHAPE_BIT(k, 3, !!(r->prefix));
	SHAPE_BIT(k, 4, r->has_hwtype);
	SHAPE_BIT(k, 5, r->has_hwlen);
	SHAPE_BIT(k, 6, !!(r->indev.index));
	SHAPE_BIT(k, 7, !!(r->indev.name[0]));
	SHAPE_BIT(k, 8, !!(r->physindev.index));
	SHAPE_BIT(k, 9, !!(r->physindev.name[0]));
	SHAPE_BIT(k, 10, !!(r->outdev.index));
	SHAPE_BIT(k, 11, !!(r->outdev.name[0]));
	SHAPE_BIT(k, 12, !!(r->physoutdev.index));
	SHAPE_BIT(k, 13, !!(r->physoutdev.name[0]));
	SHAPE_BIT(k, 14, r->has_uid);
	SHAPE_BIT(k, 15, r->has_gid);
	SHAPE_BIT(k, 16, !!(r->hwaddr));
	SHAPE_BIT(k, 17, !!(r->hwhdr));
	SHAPE_BIT(k, 18, !!(r->l2hdr));
	SHAPE_BIT(k, 19, r->has_vlan);
	SHAPE_BIT(k, 20, r->has_ct_info);
	SHAPE_BIT(k, 21, !!(r->payload));
	SHAPE_BIT(k, 22, !!(r->netns));
	return k;
}

static uint64_t shape_decoded(const struct field_src *s)
{
	uint64_t k = 0;
	SHAPE_BIT(k, 0, is_ipv4(s));
	SHAPE_BIT(k, 1, is_ipv6(s));
	SHAPE_BIT(k, 2, D->has_id);
	SHAPE_BIT(k, 3, D->has_frag);
	SHAPE_BIT(k, 4, D->ip_options && D->ip_options_len);
	SHAPE_BIT(k, 5, D->has_ports);
	SHAPE_BIT(k, 6, D->has_udp_len);
	SHAPE_BIT(k, 7, D->has_tcp);
	SHAPE_BIT(k, 8, D->tcp_options && D->tcp_options_len);
	SHAPE_BIT(k, 9, D->has_spi);
	SHAPE_BIT(k, 10, D->has_icmp);
	SHAPE_BIT(k, 11, D->has_icmp_echo);
	SHAPE_BIT(k, 12, D->has_icmp_gateway);
	SHAPE_BIT(k, 13, D->has_icmp_mtu);
	SHAPE_BIT(k, 14, D->has_icmp_parameter);
	SHAPE_BIT(k, 15, has_inner(s));
	SHAPE_BIT(k, 16, D->inner.has_proto);
	SHAPE_BIT(k, 17, D->inner.has_ports);
	SHAPE_BIT(k, 18, D->has_arp_addrs);
	SHAPE_BIT(k, 19, D->l3_truncated);
	SHAPE_BIT(k, 20, D->l4_incomplete);
	SHAPE_BIT(k, 21, D->tcp_options_truncated);
	return k;
}

uint64_t field_shape(const struct field_src *s)
{
	/* layers: 8 bits, the record's: 23, the decoded payload's: 22 */
	return (uint64_t)field_layers(s) | shape_record(R) << 8 | shape_decoded(s) << 31;
}

const struct field *field_find(const char *parent, const char *key)
{
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		bool same_parent =
		    parent ? f->parent && strcmp(f->parent, parent) == 0 : !f->parent;
		if (same_parent && strcmp(f->key, key) == 0)
			return f;
	}
	return NULL;
}

bool field_put(const struct field *f, struct buf *b, const struct field_src *s)
{
	if (f->type != FIELD_TEXT)
		return f->put(b, s);
	size_t len = 0;
	const char *p = f->text(s, &len);
	if (!p)
		return false;
	buf_put(b, p, len);
	return true;
}

/* ---- the field reference in doc/fields.md ---- */

static const char *doc_type(enum field_type type)
{
	switch (type) {
	case FIELD_INT: return "integer";
	case FIELD_BOOL: return "boolean";
	case FIELD_STRING: return "string";
	case FIELD_HEX: return "hex string";
	case FIELD_TEXT: return "string";
	case FIELD_FLAGS: return "array of strings";
	case FIELD_OBJECT: return "object";
	}
	return "?";
}

static void doc_code(struct buf *b, const char *parent, const char *name, const char *suffix)
{
	buf_putc(b, '`');
	if (parent) {
		buf_puts(b, parent);
		buf_putc(b, '.');
	}
	buf_puts(b, name);
	buf_puts(b, suffix);
	buf_putc(b, '`');
}

static void doc_row(struct buf *b, const struct field *f)
{
	buf_putlit(b, "| ");
	doc_code(b, f->parent, f->key, "");
	buf_putlit(b, " | ");
	if (f->journal)
		doc_code(b, NULL, f->journal, "");
	else
		buf_putc(b, '-');
	buf_putlit(b, " | ");
	buf_puts(b, doc_type(f->type));
	if (f->presence == FIELD_NULLABLE)
		buf_putlit(b, " or null");
	buf_putlit(b, " | ");
	buf_puts(b, f->when);
	buf_putlit(b, " | ");
	buf_puts(b, f->desc);
	buf_putlit(b, " |\n");
}

/* The companion that keeps the raw bytes of text that is not UTF-8. */
static void doc_hex_row(struct buf *b, const struct field *f)
{
	buf_putlit(b, "| ");
	doc_code(b, f->parent, f->key, "_hex");
	buf_putlit(b, " | - | hex string | only when ");
	doc_code(b, f->parent, f->key, "");
	buf_putlit(b, " is not valid UTF-8 | The raw bytes of ");
	doc_code(b, f->parent, f->key, "");
	buf_putlit(b, " |\n");
}

void fields_doc_markdown(struct buf *b)
{
	buf_putlit(b, "| JSON key | Journal field | Type | Present | Meaning |\n");
	buf_putlit(b, "|---|---|---|---|---|\n");
	for (size_t i = 0; i < fields_count; i++) {
		doc_row(b, &fields_table[i]);
		if (fields_table[i].type == FIELD_TEXT)
			doc_hex_row(b, &fields_table[i]);
	}
}

/* ---- the ECS mapping in doc/ecs.md ---- */

static const char *doc_ecs_type(enum field_ecs_type t, enum field_type native)
{
	switch (t) {
	case ECS_DATE: return "date";
	case ECS_IP: return "ip";
	case ECS_LONG: return "long";
	case ECS_KEYWORD:
	case ECS_MAC:
	case ECS_TRANSPORT: return "keyword";
	case ECS_NONE: break;
	}
	switch (native) { /* under "nflog": the value as the nflogd schema has it */
	case FIELD_INT: return "long";
	case FIELD_BOOL: return "boolean";
	case FIELD_FLAGS: return "keyword (array)";
	case FIELD_OBJECT: return "object";
	default: return "keyword";
	}
}

/* How the value is written, where the type alone does not say. */
static const char *doc_ecs_form(const struct field *f)
{
	switch (f->ecs_type) {
	case ECS_KEYWORD: return f->type == FIELD_INT ? ", a number as a string" : "";
	case ECS_MAC: return ", AA-BB-CC-DD-EE-FF";
	case ECS_TRANSPORT: return ", the IANA keyword in lowercase (ICMPv6: ipv6-icmp)";
	case ECS_NONE: return f->type == FIELD_HEX ? ", hex" : "";
	default: return "";
	}
}

static void doc_ecs_row(struct buf *b, const struct field *f)
{
	buf_putlit(b, "| ");
	if (f->ecs) {
		doc_code(b, NULL, f->ecs, "");
	} else {
		buf_putlit(b, "`" FIELD_ECS_NAMESPACE ".");
		if (f->parent) {
			buf_puts(b, f->parent);
			buf_putc(b, '.');
		}
		buf_puts(b, f->key);
		buf_putc(b, '`');
	}
	buf_putlit(b, " | ");
	buf_puts(b, doc_ecs_type(f->ecs_type, f->type));
	buf_puts(b, doc_ecs_form(f));
	buf_putlit(b, " | ");
	doc_code(b, f->parent, f->key, "");
	buf_putlit(b, " | ");
	if (f->presence == FIELD_NULLABLE) { /* ECS leaves out what nflogd writes as null */
		buf_putlit(b, "when ");
		doc_code(b, f->parent, f->key, "");
		buf_putlit(b, " is not null");
	} else {
		buf_puts(b, f->when);
	}
	buf_putlit(b, " |\n");
}

void fields_doc_ecs(struct buf *b)
{
	buf_putlit(b, "| ECS field | Type | From | Present |\n");
	buf_putlit(b, "|---|---|---|---|\n");
	for (size_t i = 0; i < fields_ecs_consts_count; i++) {
		const struct field_ecs_const *c = &fields_ecs_consts[i];
		buf_putlit(b, "| ");
		doc_code(b, NULL, c->ecs, "");
		buf_putlit(b, " | ");
		buf_puts(b, doc_ecs_type(c->ecs_type, FIELD_STRING));
		buf_putlit(b, " | - | always: ");
		buf_puts(b, c->json);
		buf_putlit(b, " |\n");
	}
	for (int with_name = 1; with_name >= 0; with_name--)
		for (size_t i = 0; i < fields_count; i++)
			if ((fields_table[i].ecs != NULL) == with_name)
				doc_ecs_row(b, &fields_table[i]);
}
