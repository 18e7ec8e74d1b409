/* format.h - a record to a line of text or JSON (pure).
 *
 * Formatters append to a struct buf and never allocate beyond growing
 * it. They escape every untrusted byte (prefix, interface names,
 * payload-derived text); see doc/ for the escaping rules.
 */
#ifndef NFLOGD_FORMAT_H
#define NFLOGD_FORMAT_H

#include <sys/time.h>

#include "buf.h"
#include "decode.h"
#include "record.h"
#include "rfc3339.h" /* format_rfc3339(), for the formats' users */

/* log_flags bits: the kernel's own NF_LOG_* values (linux/netfilter/nf_log.h),
 * as nft `log flags ...` sets them. */
#define FORMAT_LOG_TCPSEQ 0x01	  /* "tcp sequence" */
#define FORMAT_LOG_TCPOPT 0x02	  /* "tcp options" */
#define FORMAT_LOG_IPOPT 0x04	  /* "ip options" */
#define FORMAT_LOG_UID 0x08	  /* "skuid" */
#define FORMAT_LOG_MACDECODE 0x20 /* "ether" */
#define FORMAT_LOG_ALL 0x2f	  /* "all" */

/* The kernel LOG target's line for this record, exactly as
 * net/netfilter/nf_log_syslog.c prints it for the same packet and flags:
 * "<prefix>IN=.. OUT=.. [MAC=..] SRC=.. DST=.. LEN=.. ... " including its
 * trailing space. No timestamp, no newline. dec must be decode_record()'s
 * result for rec (its fields give the common packets' line), or NULL. */
void format_text(struct buf *b, const struct nflogd_record *rec, const struct nflogd_decoded *dec,
		 unsigned log_flags);

/* The same line, always by walking the packet as the kernel does: the
 * reference format_text() is compared with (tests, fuzzing). */
void format_text_walk(struct buf *b, const struct nflogd_record *rec, unsigned log_flags);

/* One JSON object for the record (JSON Lines), without the newline, with
 * the default options, by walking the field table: the reference the fast
 * formatter is tested against. Many records: json_formatter_write()
 * (json_formatter.h) writes the same bytes at a fraction of the cost. */
void format_json(struct buf *b, const struct nflogd_record *rec, const struct nflogd_decoded *dec);

#endif
