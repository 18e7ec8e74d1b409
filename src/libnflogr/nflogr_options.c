/* nflogr_options.c - the options of nflogr_open(): nflogr's defaults and
 * range-checked setters over the reader's own options struct. */
#include <errno.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <math.h>
#include <stdlib.h>

#include "nflogr_internal.h"

#define TIMEOUT_MAX_CS 4294967295.0
#define RCVBUF_MAX (1ULL << 30)
#define NLBUF_MIN 4096	 /* below one page the kernel ignores the setting */
#define NLBUF_MAX 131072 /* the kernel's own maximum */
#define COPY_RANGE_MAX 65535

_Static_assert(NFLOGR_COPY_NONE == NFULNL_COPY_NONE && NFLOGR_COPY_META == NFULNL_COPY_META &&
		   NFLOGR_COPY_PACKET == NFULNL_COPY_PACKET,
	       "copy modes are the kernel's");
_Static_assert(NFLOGR_FLAG_SEQ == NFULNL_CFG_F_SEQ &&
		   NFLOGR_FLAG_SEQ_GLOBAL == NFULNL_CFG_F_SEQ_GLOBAL &&
		   NFLOGR_FLAG_CONNTRACK == NFULNL_CFG_F_CONNTRACK,
	       "flags are the kernel's");
_Static_assert((int)NFLOGR_ENOBUFS_RAISE == (int)NFLOG_ENOBUFS_RAISE &&
		   (int)NFLOGR_ENOBUFS_HANDLE == (int)NFLOG_ENOBUFS_HANDLE &&
		   (int)NFLOGR_ENOBUFS_DISABLE == (int)NFLOG_ENOBUFS_DISABLE,
	       "enobufs policies are the reader's");

static int invalid(void)
{
	errno = EINVAL;
	return -1;
}

struct nflogr_options *nflogr_options_new(void)
{
	struct nflogr_options *opt = calloc(1, sizeof *opt);
	if (!opt)
		return NULL;
	/* nflogr sends timeout 0 and qthresh 1: every record at once */
	opt->reader.copymode = NFULNL_COPY_PACKET;
	opt->reader.copy_range = COPY_RANGE_MAX;
	opt->reader.qthresh = 1;
	opt->reader.timeout_cs = 0;
	opt->reader.set_timeout = true;
	opt->reader.enobufs = NFLOG_ENOBUFS_RAISE;
	opt->netns_fd = -1;
	return opt;
}

void nflogr_options_free(struct nflogr_options *opt) { free(opt); }

int nflogr_options_set_timeout(struct nflogr_options *opt, double seconds)
{
	double cs = round(seconds * 100.0);
	if (!(cs >= 0 && cs <= TIMEOUT_MAX_CS)) /* NaN fails too */
		return invalid();
	opt->reader.timeout_cs = (uint32_t)cs;
	opt->reader.set_timeout = true;
	return 0;
}

int nflogr_options_set_qthresh(struct nflogr_options *opt, uint32_t records)
{
	/* the kernel flushes when qlen >= qthresh: 0 and 1 both mean every
	 * record, and the reader's 0 means "not sent" */
	opt->reader.qthresh = records ? records : 1;
	return 0;
}

int nflogr_options_set_rcvbuf(struct nflogr_options *opt, uint64_t bytes)
{
	if (bytes > RCVBUF_MAX)
		return invalid();
	opt->reader.rcvbuf = bytes;
	return 0;
}

int nflogr_options_set_rcvbuf_max(struct nflogr_options *opt, uint64_t bytes)
{
	if (bytes > RCVBUF_MAX)
		return invalid();
	opt->reader.rcvbuf_max = bytes;
	return 0;
}

int nflogr_options_set_nlbuf(struct nflogr_options *opt, uint32_t bytes)
{
	if (bytes && (bytes < NLBUF_MIN || bytes > NLBUF_MAX))
		return invalid();
	opt->reader.nlbuf = bytes;
	return 0;
}

int nflogr_options_set_enobufs(struct nflogr_options *opt, enum nflogr_enobufs policy)
{
	if (policy != NFLOGR_ENOBUFS_RAISE && policy != NFLOGR_ENOBUFS_HANDLE &&
	    policy != NFLOGR_ENOBUFS_DISABLE)
		return invalid();
	opt->reader.enobufs = (enum nflog_enobufs)policy;
	return 0;
}

int nflogr_options_set_copymode(struct nflogr_options *opt, enum nflogr_copymode mode)
{
	if (mode != NFLOGR_COPY_NONE && mode != NFLOGR_COPY_META && mode != NFLOGR_COPY_PACKET)
		return invalid();
	opt->reader.copymode = (uint8_t)mode;
	return 0;
}

int nflogr_options_set_copy_range(struct nflogr_options *opt, uint32_t bytes)
{
	if (bytes > COPY_RANGE_MAX)
		return invalid();
	opt->reader.copy_range = bytes ? bytes : COPY_RANGE_MAX;
	return 0;
}

int nflogr_options_set_flags(struct nflogr_options *opt, unsigned flags)
{
	if (flags & ~(unsigned)(NFLOGR_FLAG_SEQ | NFLOGR_FLAG_SEQ_GLOBAL | NFLOGR_FLAG_CONNTRACK))
		return invalid();
	opt->reader.flags = (uint16_t)flags;
	return 0;
}

int nflogr_options_set_netns(struct nflogr_options *opt, int fd)
{
	if (fd < -1)
		return invalid();
	opt->netns_fd = fd;
	return 0;
}
