/* test_record.c - record_parse() on hand-built NFLOG netlink messages,
 * well-formed, truncated and inconsistent. */
#include <arpa/inet.h>
#include <endian.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <string.h>

#include "check.h"
#include "record.h"

static char buf[8192];
static const struct timeval recv_time = { .tv_sec = 1700000000, .tv_usec = 123456 };

static struct nlmsghdr *packet_msg(uint8_t family, uint16_t group)
{
	memset(buf, 0, sizeof buf);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET;
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof *nfg);
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(group);
	return nlh;
}

static void put_packet_hdr(struct nlmsghdr *nlh, uint16_t proto, uint8_t hook)
{
	struct nfulnl_msg_packet_hdr ph = { .hw_protocol = htons(proto), .hook = hook };
	mnl_attr_put(nlh, NFULA_PACKET_HDR, sizeof ph, &ph);
}

static void test_output_hook_record(void)
{
	struct nlmsghdr *nlh = packet_msg(2, 5);
	put_packet_hdr(nlh, 0x0800, 3);
	mnl_attr_put_u32(nlh, NFULA_IFINDEX_OUTDEV, htonl(1));
	mnl_attr_put_u32(nlh, NFULA_UID, htonl(65534));
	mnl_attr_put_u32(nlh, NFULA_GID, htonl(65533));
	mnl_attr_put_u32(nlh, NFULA_SEQ, htonl(7));
	mnl_attr_put_u32(nlh, NFULA_SEQ_GLOBAL, htonl(9));
	mnl_attr_put_u32(nlh, NFULA_MARK, htonl(0x2a));
	mnl_attr_put_strz(nlh, NFULA_PREFIX, "drop: ");
	const uint8_t payload[] = { 0x45, 0, 0, 20 };
	mnl_attr_put(nlh, NFULA_PAYLOAD, sizeof payload, payload);

	struct nflogd_record r;
	CHECK(record_parse(nlh, &recv_time, &r) == 0, "output-hook record parses");
	CHECK(r.group == 5 && r.family == 2, "group and family");
	CHECK(r.has_packet_hdr && r.hw_protocol == 0x0800 && r.hook == 3, "packet header");
	CHECK(!r.ts_from_kernel && r.ts.tv_sec == recv_time.tv_sec &&
		  r.ts.tv_usec == recv_time.tv_usec,
	      "no kernel timestamp: receive time, marked");
	CHECK(r.outdev.index == 1 && r.indev.index == 0, "outdev index, no indev");
	CHECK(r.has_uid && r.uid == 65534 && r.has_gid && r.gid == 65533, "uid/gid");
	CHECK(r.has_seq && r.seq == 7 && r.has_seq_global && r.seq_global == 9, "seq numbers");
	CHECK(r.has_mark && r.mark == 0x2a, "mark");
	CHECK(r.prefix_len == 6 && memcmp(r.prefix, "drop: ", 6) == 0, "prefix without its NUL");
	CHECK(r.payload_len == 4 && r.payload[0] == 0x45, "payload");
	CHECK(r.msg == (const uint8_t *)mnl_nlmsg_get_payload(nlh) &&
		  r.msg_len == nlh->nlmsg_len - MNL_NLMSG_HDRLEN && r.msg[0] == 2 && r.msg[3] == 5,
	      "msg: the whole message after the netlink header (nfgenmsg first)");
	CHECK(!r.has_hwtype && r.hwaddr_len == 0 && r.hwhdr_len == 0, "no link layer on output");
	CHECK_STREQ(record_hook_name(r.family, r.hook), "output", "hook name");
	CHECK_STREQ(record_family_name(r.family), "ipv4", "family name");
}

static void test_input_hook_record(void)
{
	struct nlmsghdr *nlh = packet_msg(10, 8);
	put_packet_hdr(nlh, 0x86dd, 1);
	struct nfulnl_msg_packet_timestamp ts = { .sec = htobe64(1795779833),
						  .usec = htobe64(761528) };
	mnl_attr_put(nlh, NFULA_TIMESTAMP, sizeof ts, &ts);
	mnl_attr_put_u32(nlh, NFULA_IFINDEX_INDEV, htonl(3));
	struct nfulnl_msg_packet_hw hw = { .hw_addrlen = htons(6),
					   .hw_addr = { 1, 2, 3, 4, 5, 6 } };
	mnl_attr_put(nlh, NFULA_HWADDR, sizeof hw, &hw);
	mnl_attr_put_u16(nlh, NFULA_HWTYPE, htons(1));
	mnl_attr_put_u16(nlh, NFULA_HWLEN, htons(14));
	const uint8_t hdr[14] = { 0xaa, 0, 0, 0, 0, 0xbb, 1, 2, 3, 4, 5, 6, 0x86, 0xdd };
	mnl_attr_put(nlh, NFULA_HWHEADER, sizeof hdr, hdr);
	struct nlattr *vlan = mnl_attr_nest_start(nlh, NFULA_VLAN);
	mnl_attr_put_u16(nlh, NFULA_VLAN_PROTO, htons(0x8100));
	mnl_attr_put_u16(nlh, NFULA_VLAN_TCI, htons(0x2005));
	mnl_attr_nest_end(nlh, vlan);
	const uint8_t l2[4] = { 9, 8, 7, 6 };
	mnl_attr_put(nlh, NFULA_L2HDR, sizeof l2, l2);

	struct nflogd_record r;
	CHECK(record_parse(nlh, &recv_time, &r) == 0, "input-hook record parses");
	CHECK(r.ts_from_kernel && r.ts.tv_sec == 1795779833 && r.ts.tv_usec == 761528,
	      "kernel timestamp used");
	CHECK(r.indev.index == 3 && r.indev.name[0] == '\0', "indev index, name left to the cache");
	CHECK(r.hwaddr_len == 6 && r.hwaddr[5] == 6, "hwaddr length from hw_addrlen");
	CHECK(r.has_hwtype && r.hwtype == 1 && r.has_hwlen && r.hwlen == 14, "hwtype, hwlen");
	CHECK(r.hwhdr_len == 14 && r.hwhdr[13] == 0xdd, "hw header");
	CHECK(r.has_vlan && r.vlan_proto == 0x8100 && r.vlan_tci == 0x2005,
	      "NFULA_VLAN (dropped by nflog_nlmsg_parse) is parsed");
	CHECK(r.l2hdr_len == 4 && r.l2hdr[0] == 9, "NFULA_L2HDR is parsed");
	CHECK(!r.has_uid && !r.has_gid, "uid/gid absent, not 0");
	CHECK(r.prefix == NULL, "prefix absent");
	CHECK(!r.has_mark, "mark absent");
}

static void test_malformed(void)
{
	struct nflogd_record r;
	struct nlmsghdr *nlh = packet_msg(2, 1);
	mnl_attr_put_u16(nlh, NFULA_MARK, htons(1)); /* 2 bytes where 4 are due */
	CHECK(record_parse(nlh, &recv_time, &r) < 0, "short fixed-size attribute rejected");

	nlh = packet_msg(2, 1);
	put_packet_hdr(nlh, 0x0800, 3);
	nlh->nlmsg_len -= 2; /* attribute runs past the message */
	CHECK(record_parse(nlh, &recv_time, &r) < 0, "attribute past the message end rejected");

	nlh = packet_msg(2, 1);
	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	CHECK(record_parse(nlh, &recv_time, &r) < 0, "non-packet message rejected");

	nlh = packet_msg(2, 1);
	nlh->nlmsg_len = NLMSG_LENGTH(2); /* shorter than nfgenmsg */
	CHECK(record_parse(nlh, &recv_time, &r) < 0, "message shorter than nfgenmsg rejected");

	nlh = packet_msg(2, 1);
	struct nfulnl_msg_packet_timestamp ts = { .sec = htobe64(5), .usec = htobe64(2000000) };
	mnl_attr_put(nlh, NFULA_TIMESTAMP, sizeof ts, &ts);
	CHECK(record_parse(nlh, &recv_time, &r) == 0 && !r.ts_from_kernel,
	      "impossible usec: receive time kept");

	nlh = packet_msg(2, 1);
	struct nfulnl_msg_packet_hw hw = { .hw_addrlen = htons(200) };
	mnl_attr_put(nlh, NFULA_HWADDR, sizeof hw, &hw);
	CHECK(record_parse(nlh, &recv_time, &r) == 0 && r.hwaddr_len == 8,
	      "hw_addrlen larger than the attribute is clamped");

	nlh = packet_msg(2, 1);
	mnl_attr_put(nlh, NFULA_PREFIX, 3, "abc"); /* no NUL at all */
	CHECK(record_parse(nlh, &recv_time, &r) == 0 && r.prefix_len == 3,
	      "prefix without NUL bounded by the attribute");

	nlh = packet_msg(2, 1);
	mnl_attr_put(nlh, NFULA_PREFIX, 5, "a\0bc"); /* embedded NUL */
	CHECK(record_parse(nlh, &recv_time, &r) == 0 && r.prefix_len == 1,
	      "prefix ends at the first NUL");

	nlh = packet_msg(2, 1);
	struct nlattr *vlan = mnl_attr_nest_start(nlh, NFULA_VLAN);
	mnl_attr_put_u8(nlh, NFULA_VLAN_TCI, 1); /* 1 byte where 2 are due */
	mnl_attr_nest_end(nlh, vlan);
	CHECK(record_parse(nlh, &recv_time, &r) < 0, "short VLAN TCI rejected");

	nlh = packet_msg(2, 1);
	mnl_attr_put(nlh, 200, 3, "xyz"); /* unknown attribute type */
	CHECK(record_parse(nlh, &recv_time, &r) == 0, "unknown attribute ignored");
}

/* Hooks are named per family, as nft names them (issue 12: every family
 * used to get the IPv4 names). */
static void test_hook_names(void)
{
	static const struct {
		uint8_t family, hook;
		const char *name;
	} cases[] = {
		{ 2, 0, "prerouting" }, { 2, 1, "input" },	 { 2, 2, "forward" },
		{ 2, 3, "output" },	{ 2, 4, "postrouting" }, { 2, 5, "ingress" },
		{ 10, 1, "input" },	{ 10, 5, "ingress" },	 { 3, 0, "input" },
		{ 3, 1, "output" },	{ 3, 2, "forward" },	 { 5, 0, "ingress" },
		{ 5, 1, "egress" },	{ 7, 0, "prerouting" },	 { 7, 1, "input" },
		{ 7, 2, "forward" },	{ 7, 3, "output" },	 { 7, 4, "postrouting" },
		{ 7, 5, "brouting" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_STREQ(record_hook_name(cases[i].family, cases[i].hook), cases[i].name,
			    "family %u hook %u", cases[i].family, cases[i].hook);
	CHECK(record_hook_name(3, 3) == NULL && record_hook_name(5, 2) == NULL &&
		  record_hook_name(7, 6) == NULL && record_hook_name(0, 1) == NULL,
	      "hooks a family does not have are NULL (said as numbers)");
}

int main(void)
{
	test_output_hook_record();
	test_input_hook_record();
	test_malformed();
	test_hook_names();
	CHECK(record_hook_name(2, 9) == NULL && record_family_name(99) == NULL,
	      "unknown names are NULL");
	return check_done();
}
