/* rfc3339.h - RFC 3339 timestamps with microseconds (pure but for a
 * per-thread cache of the current second's text). */
#ifndef NFLOGD_RFC3339_H
#define NFLOGD_RFC3339_H

#include <sys/time.h>

#include "buf.h"

/* Bytes of every timestamp format_rfc3339() writes. */
#define RFC3339_LEN 32

/* Append tv as RFC 3339 local time with microseconds and UTC offset,
 * "2026-11-27T11:43:52.472765+00:00" (RFC3339_LEN bytes). The date and time of a
 * second are computed once (localtime_r) and kept per thread; the
 * microseconds are written for every call. */
void format_rfc3339(struct buf *b, const struct timeval *tv);

#endif
