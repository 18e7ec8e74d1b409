/* nflogr_record.c - the public record: accessors over the reader's struct
 * nflogd_record, and copies that outlive the next read. */
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nflogr_internal.h"

uint16_t nflogr_record_group(const struct nflogr_record *rec) { return rec->r.group; }
uint8_t nflogr_record_family(const struct nflogr_record *rec) { return rec->r.family; }

const char *nflogr_record_family_name(const struct nflogr_record *rec)
{
	return record_family_name(rec->r.family);
}

int nflogr_record_hook(const struct nflogr_record *rec)
{
	return rec->r.has_packet_hdr ? rec->r.hook : -1;
}

const char *nflogr_record_hook_name(const struct nflogr_record *rec)
{
	return rec->r.has_packet_hdr ? record_hook_name(rec->r.family, rec->r.hook) : NULL;
}

/* Set *out to value when has; return has. */
#define OPTIONAL_VALUE(has, value, out)                                                            \
	do {                                                                                       \
		if (!(has))                                                                        \
			return false;                                                              \
		*(out) = (value);                                                                  \
		return true;                                                                       \
	} while (0)

bool nflogr_record_proto(const struct nflogr_record *rec, uint16_t *proto)
{
	OPTIONAL_VALUE(rec->r.has_packet_hdr, rec->r.hw_protocol, proto);
}

bool nflogr_record_hwtype(const struct nflogr_record *rec, uint16_t *hwtype)
{
	OPTIONAL_VALUE(rec->r.has_hwtype, rec->r.hwtype, hwtype);
}

bool nflogr_record_mark(const struct nflogr_record *rec, uint32_t *mark)
{
	OPTIONAL_VALUE(rec->r.has_mark, rec->r.mark, mark);
}

bool nflogr_record_uid(const struct nflogr_record *rec, uint32_t *uid)
{
	OPTIONAL_VALUE(rec->r.has_uid, rec->r.uid, uid);
}

bool nflogr_record_gid(const struct nflogr_record *rec, uint32_t *gid)
{
	OPTIONAL_VALUE(rec->r.has_gid, rec->r.gid, gid);
}

bool nflogr_record_seq(const struct nflogr_record *rec, uint32_t *seq)
{
	OPTIONAL_VALUE(rec->r.has_seq, rec->r.seq, seq);
}

bool nflogr_record_seq_global(const struct nflogr_record *rec, uint32_t *seq)
{
	OPTIONAL_VALUE(rec->r.has_seq_global, rec->r.seq_global, seq);
}

bool nflogr_record_ct_info(const struct nflogr_record *rec, uint32_t *ct_info)
{
	OPTIONAL_VALUE(rec->r.has_ct_info, rec->r.ct_info, ct_info);
}

bool nflogr_record_vlan(const struct nflogr_record *rec, uint16_t *proto, uint16_t *tci)
{
	if (!rec->r.has_vlan)
		return false;
	*proto = rec->r.vlan_proto;
	*tci = rec->r.vlan_tci;
	return true;
}

bool nflogr_record_timestamp(const struct nflogr_record *rec, struct timeval *tv)
{
	*tv = rec->r.ts;
	return rec->r.ts_from_kernel;
}

static const struct record_ifdev *ifdev(const struct nflogr_record *rec, enum nflogr_dev dev)
{
	switch (dev) {
	case NFLOGR_INDEV: return &rec->r.indev;
	case NFLOGR_OUTDEV: return &rec->r.outdev;
	case NFLOGR_PHYSINDEV: return &rec->r.physindev;
	case NFLOGR_PHYSOUTDEV: return &rec->r.physoutdev;
	}
	return NULL;
}

uint32_t nflogr_record_ifindex(const struct nflogr_record *rec, enum nflogr_dev dev)
{
	const struct record_ifdev *d = ifdev(rec, dev);
	return d ? d->index : 0;
}

const char *nflogr_record_ifname(const struct nflogr_record *rec, enum nflogr_dev dev)
{
	const struct record_ifdev *d = ifdev(rec, dev);
	return d && d->index && d->name[0] ? d->name : NULL;
}

/* Return p (NULL when absent) and set *len. */
static const void *bytes(const void *p, size_t n, size_t *len)
{
	*len = p ? n : 0;
	return p;
}

const void *nflogr_record_hwaddr(const struct nflogr_record *rec, size_t *len)
{
	return bytes(rec->r.hwaddr, rec->r.hwaddr_len, len);
}

const void *nflogr_record_hwhdr(const struct nflogr_record *rec, size_t *len)
{
	return bytes(rec->r.hwhdr, rec->r.hwhdr_len, len);
}

const void *nflogr_record_l2hdr(const struct nflogr_record *rec, size_t *len)
{
	return bytes(rec->r.l2hdr, rec->r.l2hdr_len, len);
}

const void *nflogr_record_payload(const struct nflogr_record *rec, size_t *len)
{
	return bytes(rec->r.payload, rec->r.payload_len, len);
}

const char *nflogr_record_prefix(const struct nflogr_record *rec, size_t *len)
{
	return bytes(rec->r.prefix, rec->r.prefix_len, len);
}

/* ---- copies: the struct, then each byte field, pointers moved along ---- */

size_t nflogr_record_copy_size(const struct nflogr_record *rec)
{
	const struct nflogd_record *r = &rec->r;
	return sizeof *rec + (size_t)r->hwaddr_len + r->hwhdr_len + r->l2hdr_len + r->payload_len +
	       r->prefix_len;
}

/* Copy n bytes of a field to *at and return where they now are. */
static const void *move_field(const void *p, size_t n, unsigned char **at)
{
	if (!p)
		return NULL;
	void *to = *at;
	memcpy(to, p, n);
	*at += n;
	return to;
}

struct nflogr_record *nflogr_record_copy(const struct nflogr_record *rec, void *mem, size_t size)
{
	if (size < nflogr_record_copy_size(rec) || (uintptr_t)mem % alignof(struct nflogr_record)) {
		errno = EINVAL;
		return NULL;
	}
	struct nflogr_record *c = mem;
	*c = *rec;
	unsigned char *at = (unsigned char *)(c + 1);
	struct nflogd_record *r = &c->r;
	r->hwaddr = move_field(r->hwaddr, r->hwaddr_len, &at);
	r->hwhdr = move_field(r->hwhdr, r->hwhdr_len, &at);
	r->l2hdr = move_field(r->l2hdr, r->l2hdr_len, &at);
	r->payload = move_field(r->payload, r->payload_len, &at);
	r->prefix = move_field(r->prefix, r->prefix_len, &at);
	return c;
}

struct nflogr_record *nflogr_record_dup(const struct nflogr_record *rec)
{
	size_t size = nflogr_record_copy_size(rec);
	void *mem = malloc(size);
	if (!mem)
		return NULL;
	return nflogr_record_copy(rec, mem, size);
}

void nflogr_record_free(struct nflogr_record *rec) { free(rec); }
