/* nflogr_internal.h - the public API's opaque types (include/nflogr.h),
 * defined over the reader's own structs, for the nflogr_*.c sources.
 *
 * A public record is the very struct the reader fills (struct
 * nflogd_record is its first and only member), so handing one out costs
 * nothing and the daemon's records could be handed out as they are.
 */
#ifndef NFLOGD_NFLOGR_INTERNAL_H
#define NFLOGD_NFLOGR_INTERNAL_H

#include "nflog.h"
#include "nflogr.h"
#include "record.h"

struct nflogr_record {
	struct nflogd_record r;
};

struct nflogr_options {
	struct nflog_options reader; /* .group, .ifcache and .on_loss are set by nflogr_open */
	int netns_fd;		     /* -1: the caller's own namespace */
};

#endif
