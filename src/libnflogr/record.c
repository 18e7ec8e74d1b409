/* record.c - one NFULNL_MSG_PACKET netlink message to a struct nflogd_record.
 *
 * The attributes are walked here rather than with libnetfilter_log's
 * nflog_nlmsg_parse(): that one stops at its compiled NFULA_MAX and drops
 * NFULA_VLAN and NFULA_L2HDR. Every attribute's size is checked before it
 * is read; a malformed message is rejected as a whole.
 */
#include "record.h"

#include <arpa/inet.h>
#include <endian.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <string.h>

/* libmnl's attribute accessors are calls into another library, five or
 * six per attribute: the same arithmetic, inlined (a record has 10-20
 * attributes, and every record takes this path). */
static inline const void *attr_data(const struct nlattr *a)
{
	return (const char *)a + MNL_ATTR_HDRLEN;
}
static inline uint16_t attr_len(const struct nlattr *a)
{
	return (uint16_t)(a->nla_len - MNL_ATTR_HDRLEN);
}
static inline uint16_t attr_type(const struct nlattr *a) { return a->nla_type & NLA_TYPE_MASK; }
/* As mnl_attr_ok(): the header, and the whole attribute, within left bytes. */
static inline bool attr_ok(const struct nlattr *a, int left)
{
	return left >= (int)sizeof *a && a->nla_len >= sizeof *a && (int)a->nla_len <= left;
}
static inline const struct nlattr *attr_next(const struct nlattr *a)
{
	return (const struct nlattr *)((const char *)a + MNL_ALIGN(a->nla_len));
}

/* Minimum payload size of each fixed-size attribute; 0 = variable. */
static const uint16_t attr_min_len[NFULA_MAX + 1] = {
	[NFULA_PACKET_HDR] = sizeof(struct nfulnl_msg_packet_hdr),
	[NFULA_MARK] = 4,
	[NFULA_TIMESTAMP] = sizeof(struct nfulnl_msg_packet_timestamp),
	[NFULA_IFINDEX_INDEV] = 4,
	[NFULA_IFINDEX_OUTDEV] = 4,
	[NFULA_IFINDEX_PHYSINDEV] = 4,
	[NFULA_IFINDEX_PHYSOUTDEV] = 4,
	[NFULA_HWADDR] = 4, /* hw_addrlen + pad; the address itself is checked below */
	[NFULA_UID] = 4,
	[NFULA_SEQ] = 4,
	[NFULA_SEQ_GLOBAL] = 4,
	[NFULA_GID] = 4,
	[NFULA_HWTYPE] = 2,
	[NFULA_HWLEN] = 2,
	[NFULA_CT_INFO] = 4,
};

static uint32_t get_be32(const struct nlattr *a)
{
	uint32_t v;
	memcpy(&v, attr_data(a), 4);
	return ntohl(v);
}

static uint16_t get_be16(const struct nlattr *a)
{
	uint16_t v;
	memcpy(&v, attr_data(a), 2);
	return ntohs(v);
}

static void set_ifdev(struct record_ifdev *dev, const struct nlattr *a)
{
	dev->index = get_be32(a);
	dev->name[0] = '\0';
}

static void parse_timestamp(struct nflogd_record *rec, const struct nlattr *a)
{
	struct nfulnl_msg_packet_timestamp ts;
	memcpy(&ts, attr_data(a), sizeof ts);
	uint64_t sec = be64toh(ts.sec), usec = be64toh(ts.usec);
	if (usec >= 1000000) /* not a time the kernel would send: keep receive time */
		return;
	rec->ts.tv_sec = (time_t)sec;
	rec->ts.tv_usec = (suseconds_t)usec;
	rec->ts_from_kernel = true;
}

static void parse_hwaddr(struct nflogd_record *rec, const struct nlattr *a)
{
	const struct nfulnl_msg_packet_hw *hw = attr_data(a);
	uint16_t avail = attr_len(a) - 4;
	uint16_t len = ntohs(hw->hw_addrlen);
	if (len > avail)
		len = avail;
	if (len > sizeof hw->hw_addr)
		len = sizeof hw->hw_addr;
	rec->hwaddr = hw->hw_addr;
	rec->hwaddr_len = len;
}

static int vlan_attr_cb(const struct nlattr *a, void *data)
{
	struct nflogd_record *rec = data;
	uint16_t type = attr_type(a);
	if ((type == NFULA_VLAN_PROTO || type == NFULA_VLAN_TCI) && attr_len(a) < 2)
		return MNL_CB_ERROR;
	if (type == NFULA_VLAN_PROTO)
		rec->vlan_proto = get_be16(a);
	else if (type == NFULA_VLAN_TCI)
		rec->vlan_tci = get_be16(a);
	return MNL_CB_OK;
}

static int parse_fixed(struct nflogd_record *rec, uint16_t type, const struct nlattr *a)
{
	switch (type) {
	case NFULA_PACKET_HDR: {
		const struct nfulnl_msg_packet_hdr *ph = attr_data(a);
		rec->has_packet_hdr = true;
		rec->hw_protocol = ntohs(ph->hw_protocol);
		rec->hook = ph->hook;
		break;
	}
	case NFULA_MARK:
		rec->has_mark = true;
		rec->mark = get_be32(a);
		break;
	case NFULA_TIMESTAMP: parse_timestamp(rec, a); break;
	case NFULA_IFINDEX_INDEV: set_ifdev(&rec->indev, a); break;
	case NFULA_IFINDEX_OUTDEV: set_ifdev(&rec->outdev, a); break;
	case NFULA_IFINDEX_PHYSINDEV: set_ifdev(&rec->physindev, a); break;
	case NFULA_IFINDEX_PHYSOUTDEV: set_ifdev(&rec->physoutdev, a); break;
	case NFULA_HWADDR: parse_hwaddr(rec, a); break;
	case NFULA_UID:
		rec->has_uid = true;
		rec->uid = get_be32(a);
		break;
	case NFULA_GID:
		rec->has_gid = true;
		rec->gid = get_be32(a);
		break;
	case NFULA_SEQ:
		rec->has_seq = true;
		rec->seq = get_be32(a);
		break;
	case NFULA_SEQ_GLOBAL:
		rec->has_seq_global = true;
		rec->seq_global = get_be32(a);
		break;
	case NFULA_HWTYPE:
		rec->has_hwtype = true;
		rec->hwtype = get_be16(a);
		break;
	case NFULA_HWLEN:
		rec->has_hwlen = true;
		rec->hwlen = get_be16(a);
		break;
	case NFULA_CT_INFO:
		rec->has_ct_info = true;
		rec->ct_info = get_be32(a);
		break;
	}
	return MNL_CB_OK;
}

static void parse_prefix(struct nflogd_record *rec, const struct nlattr *a)
{
	const char *p = attr_data(a);
	uint16_t len = attr_len(a);
	/* The kernel sends the prefix with its NUL; stop at the first NUL
	 * (what the kernel's own LOG line shows), never read past len. */
	const char *nul = memchr(p, '\0', len);
	rec->prefix = p;
	rec->prefix_len = nul ? (uint16_t)(nul - p) : len;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	struct nflogd_record *rec = data;
	uint16_t type = attr_type(a);
	uint16_t len = attr_len(a);

	if (type <= NFULA_MAX && attr_min_len[type] && len < attr_min_len[type])
		return MNL_CB_ERROR;
	switch (type) {
	case NFULA_PAYLOAD:
		rec->payload = attr_data(a);
		rec->payload_len = len;
		return MNL_CB_OK;
	case NFULA_PREFIX: parse_prefix(rec, a); return MNL_CB_OK;
	case NFULA_HWHEADER:
		rec->hwhdr = attr_data(a);
		rec->hwhdr_len = len;
		return MNL_CB_OK;
	case NFULA_L2HDR:
		rec->l2hdr = attr_data(a);
		rec->l2hdr_len = len;
		return MNL_CB_OK;
	case NFULA_VLAN:
		rec->has_vlan = true;
		return mnl_attr_parse_nested(a, vlan_attr_cb, rec) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	case NFULA_CT: /* conntrack details: not decoded (yet) */ return MNL_CB_OK;
	default: return parse_fixed(rec, type, a);
	}
}

int record_parse(const struct nlmsghdr *nlh, const struct timeval *recv_time,
		 struct nflogd_record *rec)
{
	memset(rec, 0, sizeof *rec);
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nfgenmsg)))
		return -1;
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_ULOG ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFULNL_MSG_PACKET)
		return -1;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	rec->group = ntohs(nfg->res_id);
	rec->family = nfg->nfgen_family;
	rec->ts = *recv_time;
	rec->msg = (const uint8_t *)nfg;
	rec->msg_len = nlh->nlmsg_len - NLMSG_HDRLEN;
	/* Walk the attributes here: mnl_attr_parse() silently stops at
	 * an attribute that runs past the message; that is a malformed
	 * message, not a shorter one. */
	const struct nlattr *a =
	    (const struct nlattr *)((const char *)nfg + MNL_ALIGN(sizeof *nfg));
	int left = (int)nlh->nlmsg_len - (int)((const char *)a - (const char *)nlh);
	for (; attr_ok(a, left); a = attr_next(a)) {
		left -= (int)MNL_ALIGN(a->nla_len);
		if (attr_cb(a, rec) != MNL_CB_OK)
			return -1;
	}
	return left > 0 ? -1 : 0;
}

/* Each family numbers its hooks its own way: NF_INET_* (NF_INET_INGRESS
 * is 5), NF_ARP_*, NF_NETDEV_*, NF_BR_* (NF_BR_BROUTING is 5). */
static const char *const inet_hooks[] = {
	"prerouting", "input", "forward", "output", "postrouting", "ingress", NULL,
};
static const char *const arp_hooks[] = { "input", "output", "forward", NULL };
static const char *const netdev_hooks[] = { "ingress", "egress", NULL };
static const char *const bridge_hooks[] = {
	"prerouting", "input", "forward", "output", "postrouting", "brouting", NULL,
};
static const struct {
	uint8_t family;
	const char *const *names; /* NULL-terminated */
} hook_tables[] = {
	{ NFPROTO_IPV4, inet_hooks },	  { NFPROTO_IPV6, inet_hooks },
	{ NFPROTO_ARP, arp_hooks },	  { NFPROTO_NETDEV, netdev_hooks },
	{ NFPROTO_BRIDGE, bridge_hooks },
};

const char *record_hook_name(uint8_t family, uint8_t hook)
{
	for (size_t t = 0; t < sizeof hook_tables / sizeof *hook_tables; t++) {
		if (hook_tables[t].family != family)
			continue;
		const char *const *names = hook_tables[t].names;
		for (size_t i = 0; names[i]; i++)
			if (i == hook)
				return names[i];
		return NULL;
	}
	return NULL;
}

const char *record_family_name(uint8_t family)
{
	switch (family) {
	case 2: return "ipv4";
	case 3: return "arp";
	case 5: return "netdev";
	case 7: return "bridge";
	case 10: return "ipv6";
	default: return NULL;
	}
}
