/* format_text.c - the kernel LOG target's line for an NFLOG record.
 *
 * Renders what net/netfilter/nf_log_syslog.c prints for the same packet
 * and log flags (doc/text-format.md). The line carries structure the flat
 * struct nflogd_decoded does not hold (the whole quoted packet of an ICMP
 * error, the "OPT ( ... )" pieces of IPv6 extension headers, the exact
 * points where the kernel stops), so this file walks the payload itself,
 * in the kernel's order, through the bounds-checked readers of decode.c.
 * No printf, no allocation beyond growing the output buffer.
 */
#include "format.h"

#include <string.h>

#define ARPHRD_ETHER_ 1
#define ARPHRD_SIT_ 776
#define ETH_HLEN_ 14
#define NFPROTO_BRIDGE_ 7

/* The kernel assembles the line in a 1019-byte buffer that starts with
 * the two-byte syslog level; what does not fit is cut off. */
#define KERNEL_LINE_MAX 1016

struct text {
	struct buf *b;
	const struct nflogd_record *rec;
	struct decode_pkt pkt;
	unsigned flags;
	size_t escaped_extra; /* bytes escaping added (not in the kernel's count) */
};

/* ---- small renderers ---------------------------------------------- */

#define ONES UINT64_C(0x0101010101010101)

/* Whether none of the 8 bytes of w needs escaping (the bit tricks of "has
 * a byte less than n" and "has a zero byte": exact for the word). */
static inline bool plain8(uint64_t w)
{
	uint64_t below_space = (w - ONES * 0x20) & ~w; /* high bit: byte < 0x20 */
	uint64_t del_or_high = w | (w + ONES);	       /* high bit: byte >= 0x7f */
	uint64_t bs = w ^ (ONES * '\\'), backslash = (bs - ONES) & ~bs;
	return !((below_space | del_or_high | backslash) & ONES * 0x80);
}

/* Untrusted bytes: < 0x20, >= 0x7f and the backslash become \xHH, the
 * rule the kernel's /dev/kmsg applies; the rest is copied as is. */
static void put_escaped(struct text *t, const char *s, size_t n)
{
	size_t run = 0, i = 0;
	for (uint64_t w; i + 8 <= n; i += 8) { /* plain text 8 bytes at a time */
		memcpy(&w, s + i, 8);
		if (!plain8(w))
			break;
	}
	if (n >= 8 && n - i < 8) { /* the last 8, overlapping: plain, they end it */
		uint64_t w;
		memcpy(&w, s + n - 8, 8);
		if (plain8(w))
			i = n;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			continue;
		buf_put(t->b, s + run, i - run);
		buf_putlit(t->b, "\\x");
		buf_put_hex_byte(t->b, c, false);
		t->escaped_extra += 3;
		run = i + 1;
	}
	buf_put(t->b, s + run, n - run);
}

static void put_ifname(struct text *t, const struct record_ifdev *dev)
{
	size_t n = 0; /* names are short: a loop costs less than a strnlen call */
	while (n < sizeof dev->name && dev->name[n])
		n++;
	put_escaped(t, dev->name, n);
}

#define FAST_LIT(o, lit) (memcpy((o), (lit), sizeof(lit) - 1), (o) + sizeof(lit) - 1)
#define FAST_U32(o, lit, v) fast_u32((o), (lit), sizeof(lit) - 1, (v))

/* "<label><decimal> " into space reserved already. */
static inline __attribute__((always_inline)) char *fast_u32(char *o, const char *label, size_t len,
							    uint32_t v)
{
	memcpy(o, label, len);
	o = buf_u32_raw(o + len, v);
	*o++ = ' ';
	return o;
}

/* "<label><decimal> " */
static inline __attribute__((always_inline)) void put_field_u32(struct buf *b, const char *label,
								size_t label_len, uint32_t v)
{
	buf_put(b, label, label_len);
	buf_put_u32(b, v);
	buf_putc(b, ' ');
}
#define PUT_U32(b, lit, v) put_field_u32((b), (lit), sizeof(lit) - 1, (v))

static void put_mac(struct buf *b, const uint8_t *p) { buf_put_hex(b, p, 6, false, ':'); }

/* "INCOMPLETE [n bytes] " with n computed as the kernel does, in
 * unsigned 32-bit arithmetic (it wraps for a nonsense inner ihl). */
static void put_incomplete(struct text *t, uint32_t off)
{
	buf_putlit(t->b, "INCOMPLETE [");
	buf_put_u32(t->b, t->pkt.len - off);
	buf_putlit(t->b, " bytes] ");
}

/* "OPT (" + uppercase hex + ") ", as for IP and TCP options. */
static void put_options(struct buf *b, const uint8_t *p, uint32_t n)
{
	buf_putlit(b, "OPT (");
	buf_put_hex(b, p, n, true, 0);
	buf_putlit(b, ") ");
}

/* ---- common part, link layer, socket owner, mark -------------------- */

static void put_common(struct text *t)
{
	const struct nflogd_record *rec = t->rec;
	if (rec->prefix)
		put_escaped(t, rec->prefix, rec->prefix_len);
	/* Bridge family: NFLOG reports the bridge as the device and the port
	 * as the physical device; the kernel's LOG line names the port. */
	bool bridge = rec->family == NFPROTO_BRIDGE_;
	const struct record_ifdev *in =
	    bridge && rec->physindev.index ? &rec->physindev : &rec->indev;
	const struct record_ifdev *out =
	    bridge && rec->physoutdev.index ? &rec->physoutdev : &rec->outdev;
	buf_putlit(t->b, "IN=");
	put_ifname(t, in);
	buf_putlit(t->b, " OUT=");
	put_ifname(t, out);
	buf_putc(t->b, ' ');
	if (bridge)
		return;
	if (rec->physindev.index && rec->physindev.index != rec->indev.index) {
		buf_putlit(t->b, "PHYSIN=");
		put_ifname(t, &rec->physindev);
		buf_putc(t->b, ' ');
	}
	if (rec->physoutdev.index && rec->physoutdev.index != rec->outdev.index) {
		buf_putlit(t->b, "PHYSOUT=");
		put_ifname(t, &rec->physoutdev);
		buf_putc(t->b, ' ');
	}
}

static bool has_eth_header(const struct nflogd_record *rec)
{
	return rec->has_hwtype && rec->hwtype == ARPHRD_ETHER_ && rec->hwhdr &&
	       rec->hwhdr_len >= ETH_HLEN_;
}

/* The "ether" flag's decoded Ethernet header. */
static void put_eth_decoded(struct text *t)
{
	const struct nflogd_record *rec = t->rec;
	buf_putlit(t->b, "MACSRC=");
	put_mac(t->b, rec->hwhdr + 6);
	buf_putlit(t->b, " MACDST=");
	put_mac(t->b, rec->hwhdr);
	buf_putc(t->b, ' ');
	if (rec->has_vlan) {
		uint8_t proto[2] = { (uint8_t)(rec->vlan_proto >> 8), (uint8_t)rec->vlan_proto };
		buf_putlit(t->b, "VPROTO=");
		buf_put_hex(t->b, proto, 2, false, 0);
		PUT_U32(t->b, " VID=", rec->vlan_tci);
	}
	buf_putlit(t->b, "MACPROTO=");
	buf_put_hex(t->b, rec->hwhdr + 12, 2, false, 0);
	buf_putc(t->b, ' ');
}

/* dump_mac_header(): the link-layer header of the input device. */
static void put_mac_header(struct text *t)
{
	const struct nflogd_record *rec = t->rec;
	if ((t->flags & FORMAT_LOG_MACDECODE) && rec->has_hwtype && rec->hwtype == ARPHRD_ETHER_) {
		if (has_eth_header(rec))
			put_eth_decoded(t);
		return;
	}
	buf_putlit(t->b, "MAC=");
	if (rec->hwhdr && rec->hwhdr_len) {
		buf_put_hex(t->b, rec->hwhdr, rec->hwhdr_len, false, ':');
		/* SIT: the kernel sent 14 bytes before the outer IPv4 header. */
		if (rec->has_hwtype && rec->hwtype == ARPHRD_SIT_ &&
		    rec->hwhdr_len >= ETH_HLEN_ + 20) {
			buf_putlit(t->b, " TUNNEL=");
			buf_put_ipv4(t->b, rec->hwhdr + ETH_HLEN_ + 12);
			buf_putlit(t->b, "->");
			buf_put_ipv4(t->b, rec->hwhdr + ETH_HLEN_ + 16);
		}
	}
	buf_putc(t->b, ' ');
}

static void put_uid_mark(struct text *t)
{
	const struct nflogd_record *rec = t->rec;
	if ((t->flags & FORMAT_LOG_UID) && rec->has_uid && rec->has_gid && buf_reserve(t->b, 32)) {
		char *o = t->b->data + t->b->len;
		o = FAST_U32(o, "UID=", rec->uid);
		o = FAST_U32(o, "GID=", rec->gid);
		t->b->len = (size_t)(o - t->b->data);
	}
	if (rec->has_mark && rec->mark) {
		buf_putlit(t->b, "MARK=0x");
		buf_put_hex_u32(t->b, rec->mark, false);
		buf_putc(t->b, ' ');
	}
}

/* ---- transport headers ---------------------------------------------- */

/* Room put_tcp_flags() needs: every name and its space. */
#define TCP_FLAGS_ROOM 40

/* The set TCP flags, each followed by a space, in the kernel's order
 * (enum decode_tcp_flag bits), into reserved space; returns the end. */
static char *put_tcp_flags(char *o, uint16_t flags)
{
	static const struct {
		uint16_t bit;
		uint8_t len;
		char name[5];
	} names[] = {
		{ TCPF_AE, 3, "AE " },	 { TCPF_CWR, 4, "CWR " }, { TCPF_ECE, 4, "ECE " },
		{ TCPF_URG, 4, "URG " }, { TCPF_ACK, 4, "ACK " }, { TCPF_PSH, 4, "PSH " },
		{ TCPF_RST, 4, "RST " }, { TCPF_SYN, 4, "SYN " }, { TCPF_FIN, 4, "FIN " },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & names[i].bit) {
			memcpy(o, names[i].name, 4);
			o += names[i].len;
		}
	return o;
}

/* Returns true when the kernel stops the line here. */
static bool text_tcp(struct text *t, uint32_t off, bool fragment)
{
	struct decode_tcp_hdr th;
	buf_putlit(t->b, "PROTO=TCP ");
	if (fragment)
		return false;
	if (!decode_tcp_hdr(&t->pkt, off, &th)) {
		put_incomplete(t, off);
		return true;
	}
	PUT_U32(t->b, "SPT=", th.sport);
	PUT_U32(t->b, "DPT=", th.dport);
	if (t->flags & FORMAT_LOG_TCPSEQ) {
		PUT_U32(t->b, "SEQ=", th.seq);
		PUT_U32(t->b, "ACK=", th.ack);
	}
	PUT_U32(t->b, "WINDOW=", th.window);
	buf_putlit(t->b, "RES=0x");
	buf_put_hex_byte(t->b, th.res, false);
	buf_putc(t->b, ' ');
	if (buf_reserve(t->b, TCP_FLAGS_ROOM))
		t->b->len = (size_t)(put_tcp_flags(t->b->data + t->b->len, th.flags) - t->b->data);
	PUT_U32(t->b, "URGP=", th.urgp);
	if (!(t->flags & FORMAT_LOG_TCPOPT) || th.doff * 4u <= 20)
		return false;
	uint32_t optlen = th.doff * 4u - 20;
	const uint8_t *opt = decode_at(&t->pkt, off + 20, optlen);
	if (!opt) {
		buf_putlit(t->b, "OPT (TRUNCATED)");
		return true;
	}
	put_options(t->b, opt, optlen);
	return false;
}

/* UDP and UDP-Lite; returns true when the kernel stops the line here. */
static bool text_udp(struct text *t, uint8_t proto, uint32_t off, bool fragment)
{
	struct decode_udp_hdr uh;
	if (proto == 17)
		buf_putlit(t->b, "PROTO=UDP ");
	else
		buf_putlit(t->b, "PROTO=UDPLITE ");
	if (fragment)
		return false;
	if (!decode_udp_hdr(&t->pkt, off, &uh)) {
		put_incomplete(t, off);
		return true;
	}
	PUT_U32(t->b, "SPT=", uh.sport);
	PUT_U32(t->b, "DPT=", uh.dport);
	PUT_U32(t->b, "LEN=", uh.len);
	return false;
}

/* "SPI=0x%x " of an AH (12-byte) or ESP (8-byte) header at off. */
static void text_ipsec_spi(struct text *t, uint32_t off, uint32_t hdr_len, uint32_t spi_at)
{
	const uint8_t *p = decode_at(&t->pkt, off, hdr_len);
	if (!p) {
		put_incomplete(t, off);
		return;
	}
	buf_putlit(t->b, "SPI=0x");
	buf_put_hex_u32(t->b, decode_be32(p + spi_at), false);
	buf_putc(t->b, ' ');
}

/* ---- IPv4 ------------------------------------------------------------ */

static void text_ipv4(struct text *t, uint32_t iphoff);

static void text_icmp4(struct text *t, uint32_t iphoff, uint32_t off)
{
	struct decode_icmp_hdr ich;
	if (!decode_icmp_hdr(&t->pkt, off, &ich)) {
		put_incomplete(t, off);
		return;
	}
	PUT_U32(t->b, "TYPE=", ich.type);
	PUT_U32(t->b, "CODE=", ich.code);
	uint32_t required = decode_icmp_required_len(ich.type);
	if (required && t->pkt.len - off < required) {
		put_incomplete(t, off);
		return;
	}
	switch (ich.type) {
	case 0:
	case 8:
		PUT_U32(t->b, "ID=", decode_be16(ich.rest));
		PUT_U32(t->b, "SEQ=", decode_be16(ich.rest + 2));
		return;
	case 12: PUT_U32(t->b, "PARAMETER=", ich.rest[0]); return;
	case 5:
		buf_putlit(t->b, "GATEWAY=");
		buf_put_ipv4(t->b, ich.rest);
		buf_putc(t->b, ' ');
		break;
	case 3:
	case 4:
	case 11: break;
	default: return;
	}
	if (iphoff == 0) { /* the kernel quotes one level deep only */
		buf_putc(t->b, '[');
		text_ipv4(t, off + 8);
		buf_putlit(t->b, "] ");
	}
	if (ich.type == 3 && ich.code == 4)
		PUT_U32(t->b, "MTU=", decode_be16(ich.rest + 2));
}

/* Network header fields through the options; false when truncated. */
static bool text_ipv4_header(struct text *t, uint32_t iphoff, const struct decode_ipv4_hdr *ih)
{
	buf_putlit(t->b, "SRC=");
	buf_put_ipv4(t->b, ih->src);
	buf_putlit(t->b, " DST=");
	buf_put_ipv4(t->b, ih->dst);
	buf_putc(t->b, ' ');
	PUT_U32(t->b, "LEN=", ih->tot_len);
	buf_putlit(t->b, "TOS=0x");
	buf_put_hex_byte(t->b, ih->tos & 0x1e, true);
	buf_putlit(t->b, " PREC=0x");
	buf_put_hex_byte(t->b, ih->tos & 0xe0, true);
	buf_putc(t->b, ' ');
	PUT_U32(t->b, "TTL=", ih->ttl);
	PUT_U32(t->b, "ID=", ih->id);
	if (ih->frag_off & DECODE_IP_CE)
		buf_putlit(t->b, "CE ");
	if (ih->frag_off & DECODE_IP_DF)
		buf_putlit(t->b, "DF ");
	if (ih->frag_off & DECODE_IP_MF)
		buf_putlit(t->b, "MF ");
	if (ih->frag_off & DECODE_IP_OFFSET)
		PUT_U32(t->b, "FRAG:", ih->frag_off & DECODE_IP_OFFSET);
	if (!(t->flags & FORMAT_LOG_IPOPT) || ih->ihl * 4u <= 20)
		return true;
	uint32_t optlen = ih->ihl * 4u - 20;
	const uint8_t *opt = decode_at(&t->pkt, iphoff + 20, optlen);
	if (!opt) {
		buf_putlit(t->b, "TRUNCATED");
		return false;
	}
	put_options(t->b, opt, optlen);
	return true;
}

/* dump_ipv4_packet(): iphoff is 0 for the packet, > 0 for the one an
 * ICMP error quotes. */
static void text_ipv4(struct text *t, uint32_t iphoff)
{
	struct decode_ipv4_hdr ih;
	if (!decode_ipv4_hdr(&t->pkt, iphoff, &ih)) {
		buf_putlit(t->b, "TRUNCATED");
		return;
	}
	if (!text_ipv4_header(t, iphoff, &ih))
		return;
	bool fragment = ih.frag_off & DECODE_IP_OFFSET;
	uint32_t off = iphoff + ih.ihl * 4u;
	switch (ih.protocol) {
	case 6:
		if (text_tcp(t, off, fragment))
			return;
		break;
	case 17:
	case 136:
		if (text_udp(t, ih.protocol, off, fragment))
			return;
		break;
	case 1:
		buf_putlit(t->b, "PROTO=ICMP ");
		if (!fragment)
			text_icmp4(t, iphoff, off);
		break;
	case 51:
		/* The kernel checks for a fragment before naming AH. */
		if (fragment)
			break;
		buf_putlit(t->b, "PROTO=AH ");
		text_ipsec_spi(t, off, 12, 4);
		break;
	case 50:
		buf_putlit(t->b, "PROTO=ESP ");
		if (!fragment)
			text_ipsec_spi(t, off, 8, 0);
		break;
	default: PUT_U32(t->b, "PROTO=", ih.protocol); break;
	}
	if (iphoff == 0)
		put_uid_mark(t);
}

/* ---- IPv6 ------------------------------------------------------------ */

static void text_ipv6(struct text *t, uint32_t ip6hoff, bool recurse);

/* Returns true when the kernel stops the line here. */
static bool text_icmp6(struct text *t, uint32_t off, bool recurse)
{
	struct decode_icmp_hdr ic;
	if (!decode_icmp_hdr(&t->pkt, off, &ic)) {
		put_incomplete(t, off);
		return true;
	}
	PUT_U32(t->b, "TYPE=", ic.type);
	PUT_U32(t->b, "CODE=", ic.code);
	switch (ic.type) {
	case 128:
	case 129:
		PUT_U32(t->b, "ID=", decode_be16(ic.rest));
		PUT_U32(t->b, "SEQ=", decode_be16(ic.rest + 2));
		return false;
	case 4:
		buf_putlit(t->b, "POINTER=");
		buf_put_hex(t->b, ic.rest, 4, false, 0);
		buf_putc(t->b, ' ');
		break;
	case 1:
	case 2:
	case 3: break;
	default: return false;
	}
	if (recurse) {
		buf_putc(t->b, '[');
		text_ipv6(t, off + 8, false);
		buf_putlit(t->b, "] ");
	}
	if (ic.type == 2)
		PUT_U32(t->b, "MTU=", decode_be32(ic.rest));
	return false;
}

/* State of the kernel's walk over IPv6 extension headers. */
struct ext_walk {
	uint32_t ptr;
	uint8_t cur;
	bool fragment;
};

/* One extension header at w->ptr, printed the kernel's way. Returns false
 * when the kernel ends the line inside it. */
static bool text_ipv6_ext(struct text *t, struct ext_walk *w)
{
	bool ipopt = t->flags & FORMAT_LOG_IPOPT;
	const uint8_t *hp = decode_at(&t->pkt, w->ptr, 2);
	if (!hp) {
		buf_putlit(t->b, "TRUNCATED");
		return false;
	}
	if (ipopt)
		buf_putlit(t->b, "OPT ( ");
	uint32_t hdrlen;
	switch (w->cur) {
	case 44: { /* fragment */
		buf_putlit(t->b, "FRAG:");
		const uint8_t *fh = decode_at(&t->pkt, w->ptr, 8);
		if (!fh) {
			buf_putlit(t->b, "TRUNCATED ");
			return false;
		}
		uint16_t frag_off = decode_be16(fh + 2);
		PUT_U32(t->b, "", frag_off & 0xfff8);
		if (frag_off & 0x0001)
			buf_putlit(t->b, "INCOMPLETE ");
		buf_putlit(t->b, "ID:");
		buf_put_hex(t->b, fh + 4, 4, false, 0);
		buf_putc(t->b, ' ');
		if (frag_off & 0xfff8)
			w->fragment = true;
		hdrlen = 8;
		break;
	}
	case 0:	 /* hop-by-hop */
	case 43: /* routing */
	case 60: /* destination options */
		if (w->fragment) {
			if (ipopt)
				buf_putc(t->b, ')');
			return false;
		}
		hdrlen = (hp[1] + 1u) << 3;
		break;
	case 51: /* AH */
		if (ipopt) {
			buf_putlit(t->b, "AH ");
			if (w->fragment) {
				buf_putc(t->b, ')');
				return false;
			}
			const uint8_t *ah = decode_at(&t->pkt, w->ptr, 12);
			if (!ah) {
				put_incomplete(t, w->ptr);
				buf_putc(t->b, ')');
				return false;
			}
			buf_putlit(t->b, "SPI=0x");
			buf_put_hex_u32(t->b, decode_be32(ah + 4), false);
			buf_putc(t->b, ' ');
		}
		hdrlen = (hp[1] + 2u) << 2;
		break;
	case 50: /* ESP: the kernel ends the line here either way */
		if (ipopt) {
			buf_putlit(t->b, "ESP ");
			if (w->fragment) {
				buf_putc(t->b, ')');
				return false;
			}
			const uint8_t *eh = decode_at(&t->pkt, w->ptr, 8);
			if (!eh) {
				put_incomplete(t, w->ptr);
				buf_putc(t->b, ')');
				return false;
			}
			buf_putlit(t->b, "SPI=0x");
			buf_put_hex_u32(t->b, decode_be32(eh), false);
			buf_putlit(t->b, " )");
		}
		return false;
	default: /* unreachable with decode_ipv6_is_ext(); kept as the kernel has it */
		buf_putlit(t->b, "Unknown Ext Hdr ");
		buf_put_u32(t->b, w->cur);
		return false;
	}
	if (ipopt)
		buf_putlit(t->b, ") ");
	w->cur = hp[0];
	w->ptr += hdrlen;
	return true;
}

static void text_ipv6_header(struct text *t, const struct decode_ipv6_hdr *ih)
{
	buf_putlit(t->b, "SRC=");
	buf_put_ipv6_full(t->b, ih->src);
	buf_putlit(t->b, " DST=");
	buf_put_ipv6_full(t->b, ih->dst);
	buf_putc(t->b, ' ');
	PUT_U32(t->b, "LEN=", ih->payload_len + 40u);
	PUT_U32(t->b, "TC=", ih->tclass);
	PUT_U32(t->b, "HOPLIMIT=", ih->hoplimit);
	PUT_U32(t->b, "FLOWLBL=", ih->flowlabel);
}

/* dump_ipv6_packet(): recurse is true for the packet, false for the one
 * an ICMPv6 error quotes. */
static void text_ipv6(struct text *t, uint32_t ip6hoff, bool recurse)
{
	struct decode_ipv6_hdr ih;
	if (!decode_ipv6_hdr(&t->pkt, ip6hoff, &ih)) {
		buf_putlit(t->b, "TRUNCATED");
		return;
	}
	text_ipv6_header(t, &ih);
	struct ext_walk w = { .ptr = ip6hoff + 40, .cur = ih.nexthdr, .fragment = false };
	while (decode_ipv6_is_ext(w.cur))
		if (!text_ipv6_ext(t, &w))
			return;
	switch (w.cur) {
	case 6:
		if (text_tcp(t, w.ptr, w.fragment))
			return;
		break;
	case 17:
	case 136:
		if (text_udp(t, w.cur, w.ptr, w.fragment))
			return;
		break;
	case 58:
		buf_putlit(t->b, "PROTO=ICMPv6 ");
		if (!w.fragment && text_icmp6(t, w.ptr, recurse))
			return;
		break;
	default: PUT_U32(t->b, "PROTO=", w.cur); break;
	}
	if (recurse)
		put_uid_mark(t);
}

/* ---- ARP ------------------------------------------------------------- */

static void put_hex16(struct buf *b, const uint8_t *p) { buf_put_hex(b, p, 2, false, 0); }

/* dump_arp_packet(); its line has no trailing space. */
static void text_arp(struct text *t)
{
	const uint8_t *ah = decode_at(&t->pkt, 0, 8);
	if (!ah) {
		buf_putlit(t->b, "TRUNCATED");
		return;
	}
	if ((t->flags & FORMAT_LOG_MACDECODE) && has_eth_header(t->rec))
		put_eth_decoded(t);
	buf_putlit(t->b, "ARP HTYPE=");
	buf_put_u32(t->b, decode_be16(ah));
	buf_putlit(t->b, " PTYPE=0x");
	put_hex16(t->b, ah + 2);
	buf_putlit(t->b, " OPCODE=");
	buf_put_u32(t->b, decode_be16(ah + 6));
	if (decode_be16(ah) != ARPHRD_ETHER_ || ah[4] != 6 || ah[5] != 4)
		return;
	const uint8_t *ap = decode_at(&t->pkt, 8, 20);
	if (!ap) {
		buf_putlit(t->b, " INCOMPLETE [");
		buf_put_u32(t->b, t->pkt.len - 8);
		buf_putlit(t->b, " bytes]");
		return;
	}
	buf_putlit(t->b, " MACSRC=");
	put_mac(t->b, ap);
	buf_putlit(t->b, " IPSRC=");
	buf_put_ipv4(t->b, ap + 6);
	buf_putlit(t->b, " MACDST=");
	put_mac(t->b, ap + 10);
	buf_putlit(t->b, " IPDST=");
	buf_put_ipv4(t->b, ap + 16);
}

/* ---- decode once: common packets from the decoded fields ------------- */

/* What the line needs beyond its prefix and devices when it is made from
 * the decoded fields: two IPv6 addresses, every TCP field, IP and TCP
 * options (40 bytes each, in hex) and the labels. */
#define FAST_ROOM 512

static char *fast_hex_upper(char *o, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		*o++ = digits[p[i] >> 4];
		*o++ = digits[p[i] & 15];
	}
	return o;
}

/* "OPT (" + uppercase hex + ") ", as put_options(). */
static char *fast_options(char *o, const uint8_t *p, size_t n)
{
	o = FAST_LIT(o, "OPT (");
	o = fast_hex_upper(o, p, n);
	return FAST_LIT(o, ") ");
}

/* Whether the decoder read all the line will show, so that the decoded
 * fields give it: an IPv4 header (with its options) or an IPv6 header
 * without extension headers, then the whole header of TCP (with its
 * options when they are shown), UDP or UDP-Lite, not in a later fragment.
 * Anything else (ICMP, AH, ESP, fragments, extension headers, a header cut
 * short) is for the walk, which follows the kernel step by step. */
static bool fast_line_ok(const struct text *t, const struct nflogd_decoded *d)
{
	if (d->l3_truncated || !d->has_proto || d->is_fragment)
		return false;
	if (d->l3 == DECODE_L3_IPV4) {
		if (!d->has_id)
			return false;
	} else if (d->l3 == DECODE_L3_IPV6) {
		uint8_t nexthdr = d->len >= 40 ? t->pkt.data[6] : 0;
		if (d->len < 40 || nexthdr != d->proto || decode_ipv6_is_ext(nexthdr))
			return false;
	} else {
		return false;
	}
	switch (d->proto) {
	case 6: return d->has_tcp && !((t->flags & FORMAT_LOG_TCPOPT) && d->tcp_options_truncated);
	case 17:
	case 136: return d->has_udp_len;
	default: return false;
	}
}

/* text_ipv4_header() or text_ipv6_header() from the decoded fields. */
static char *fast_ip(char *o, const struct nflogd_decoded *d, unsigned flags)
{
	static const char hex_upper[] = "0123456789ABCDEF";
	if (d->l3 == DECODE_L3_IPV6) {
		o = buf_ipv6_full_raw(FAST_LIT(o, "SRC="), d->src);
		o = buf_ipv6_full_raw(FAST_LIT(o, " DST="), d->dst);
		o = FAST_U32(o, " LEN=", d->len);
		o = FAST_U32(o, "TC=", d->tos);
		o = FAST_U32(o, "HOPLIMIT=", d->ttl);
		return FAST_U32(o, "FLOWLBL=", d->flowlabel);
	}
	o = buf_ipv4_raw(FAST_LIT(o, "SRC="), d->src);
	o = buf_ipv4_raw(FAST_LIT(o, " DST="), d->dst);
	o = FAST_U32(o, " LEN=", d->len);
	o = FAST_LIT(o, "TOS=0x");
	*o++ = hex_upper[(d->tos & 0x1e) >> 4];
	*o++ = hex_upper[d->tos & 0x0e];
	o = FAST_LIT(o, " PREC=0x");
	*o++ = hex_upper[(d->tos & 0xe0) >> 4];
	o = FAST_LIT(o, "0 ");
	o = FAST_U32(o, "TTL=", d->ttl);
	o = FAST_U32(o, "ID=", d->id);
	if (d->ce)
		o = FAST_LIT(o, "CE ");
	if (d->df)
		o = FAST_LIT(o, "DF ");
	if (d->mf)
		o = FAST_LIT(o, "MF ");
	if ((flags & FORMAT_LOG_IPOPT) && d->ip_options && d->ip_options_len)
		o = fast_options(o, d->ip_options, d->ip_options_len);
	return o;
}

/* text_tcp() or text_udp() from the decoded fields. */
static char *fast_transport(char *o, const struct nflogd_decoded *d, unsigned flags)
{
	if (d->proto != 6) {
		o = d->proto == 17 ? FAST_LIT(o, "PROTO=UDP ") : FAST_LIT(o, "PROTO=UDPLITE ");
		o = FAST_U32(o, "SPT=", d->sport);
		o = FAST_U32(o, "DPT=", d->dport);
		return FAST_U32(o, "LEN=", d->udp_len);
	}
	o = FAST_LIT(o, "PROTO=TCP ");
	o = FAST_U32(o, "SPT=", d->sport);
	o = FAST_U32(o, "DPT=", d->dport);
	if (flags & FORMAT_LOG_TCPSEQ) {
		o = FAST_U32(o, "SEQ=", d->tcp_seq);
		o = FAST_U32(o, "ACK=", d->tcp_ack);
	}
	o = FAST_U32(o, "WINDOW=", d->tcp_window);
	o = FAST_LIT(o, "RES=0x");
	o = buf_hex_byte_raw(o, d->tcp_res);
	*o++ = ' ';
	o = put_tcp_flags(o, d->tcp_flags);
	o = FAST_U32(o, "URGP=", d->tcp_urgp);
	if ((flags & FORMAT_LOG_TCPOPT) && d->tcp_options && d->tcp_options_len)
		o = fast_options(o, d->tcp_options, d->tcp_options_len);
	return o;
}

/* The network and transport part of the line, and the socket owner and
 * mark after them, from the decoded fields (fast_line_ok() holds). */
static void fast_line(struct text *t, const struct nflogd_decoded *d)
{
	if (!buf_reserve(t->b, FAST_ROOM))
		return;
	char *o = t->b->data + t->b->len;
	o = fast_ip(o, d, t->flags);
	o = fast_transport(o, d, t->flags);
	t->b->len = (size_t)(o - t->b->data);
	put_uid_mark(t);
}

/* ---- the line -------------------------------------------------------- */

/* An IPv4 or IPv6 packet, as nf_log_ip_packet()/nf_log_ip6_packet(). */
static void text_ip(struct text *t, enum decode_l3 l3, const struct nflogd_decoded *dec)
{
	if (t->rec->indev.index)
		put_mac_header(t);
	if (t->pkt.len == 0) {
		/* copymode none/meta: no packet to show, but what NFLOG sent
		 * about the socket and the mark still belongs to the line. */
		put_uid_mark(t);
		return;
	}
	if (dec && fast_line_ok(t, dec))
		fast_line(t, dec);
	else if (l3 == DECODE_L3_IPV4)
		text_ipv4(t, 0);
	else
		text_ipv6(t, 0, true);
}

/* The line, from the decoded fields where they hold all it shows (dec
 * not NULL), else by the walk over the packet. */
static void text_line(struct buf *b, const struct nflogd_record *rec,
		      const struct nflogd_decoded *dec, unsigned log_flags)
{
	struct text t = {
		.b = b,
		.rec = rec,
		.pkt = decode_l3_pkt(rec),
		.flags = log_flags,
	};
	size_t start = b->len;
	put_common(&t);
	enum decode_l3 l3 = decode_l3_of(rec);
	switch (l3) {
	case DECODE_L3_IPV4:
	case DECODE_L3_IPV6: text_ip(&t, l3, dec); break;
	case DECODE_L3_ARP:
		if (t.pkt.len)
			text_arp(&t);
		else if ((log_flags & FORMAT_LOG_MACDECODE) && has_eth_header(rec))
			put_eth_decoded(&t);
		break;
	default: put_mac_header(&t); break;
	}
	size_t cap = KERNEL_LINE_MAX + t.escaped_extra;
	if (b->len - start > cap)
		buf_truncate(b, start + cap);
}

void format_text(struct buf *b, const struct nflogd_record *rec, const struct nflogd_decoded *dec,
		 unsigned log_flags)
{
	text_line(b, rec, dec, log_flags);
}

void format_text_walk(struct buf *b, const struct nflogd_record *rec, unsigned log_flags)
{
	text_line(b, rec, NULL, log_flags);
}
