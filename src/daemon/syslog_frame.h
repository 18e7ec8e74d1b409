/* syslog_frame.h - syslog messages as bytes (pure, no I/O).
 *
 * Builds RFC 3164 lines the way syslog(3) writes them, RFC 5424 messages
 * with one structured-data element, and RFC 6587 octet-counted frames
 * for TCP. Every untrusted byte is escaped here, so no prefix can end a
 * frame early, forge a second message or break the SD syntax.
 */
#ifndef NFLOGD_SYSLOG_FRAME_H
#define NFLOGD_SYSLOG_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>

#include "buf.h"

enum syslog_frame_format {
	SYSLOG_FRAME_RFC3164,
	SYSLOG_FRAME_RFC5424,
	/* RFC 3164 as the kernel's LOG lines reach a syslog file: records
	 * (MSGID "NFLOG") tagged "kernel:" without a PID; every other message
	 * (nflogd's own) as RFC 3164 with the ident and PID */
	SYSLOG_FRAME_KERNEL,
};

/* RFC 5424 field limits (section 6). */
#define SYSLOG_APP_NAME_MAX 48
#define SYSLOG_HOSTNAME_MAX 255
#define SYSLOG_MSGID_MAX 32
#define SYSLOG_SD_NAME_MAX 32

struct syslog_frame_hdr {
	enum syslog_frame_format format;
	unsigned pri;	      /* facility * 8 + severity */
	const char *hostname; /* RFC 3164: NULL = none, as syslog(3) on /dev/log;
				 RFC 5424: NULL or "" = "-" */
	const char *app_name; /* the ident; NULL or "" = "-" (5424) */
	unsigned long procid; /* the pid */
	const char *msgid;    /* RFC 5424 only; NULL = "-" */
	struct timeval ts;    /* RFC 3164: local time, seconds; 5424: RFC 3339 */
};

/* "<PRI>Mmm dd hh:mm:ss [HOST ]APP[PID]:", "<PRI>Mmm dd hh:mm:ss
 * [HOST ]kernel:" (SYSLOG_FRAME_KERNEL, records) or
 * "<PRI>1 TIMESTAMP HOST APP PROCID MSGID" (then SD and the message). */
void syslog_frame_begin(struct buf *b, const struct syslog_frame_hdr *h);

/* RFC 5424 structured data: either syslog_sd_nil(), or syslog_sd_open(),
 * any number of syslog_sd_param() and syslog_sd_close(). */
/* " -": no structured data. */
void syslog_sd_nil(struct buf *b);
/* " [SD-ID": an element begins (sd_id checked by the caller). */
void syslog_sd_open(struct buf *b, const char *sd_id);
/* ' name="value"': in value '"', '\' and ']' are escaped per RFC 5424
 * after bytes < 0x20, >= 0x7f and '\' became \xHH (the text format's
 * rule): unescaped, the value reads as the text line shows it. */
void syslog_sd_param(struct buf *b, const char *name, const char *value, size_t len);
/* "]": the element ends. */
void syslog_sd_close(struct buf *b);

/* " MSG": control bytes (< 0x20, 0x7f) become \xHH, so a message is
 * always one line; everything else is kept (text lines are escaped
 * already, and this leaves them untouched). */
void syslog_frame_msg(struct buf *b, const char *msg, size_t len);

/* RFC 6587 3.4.1 octet counting: "LEN SP" and the frame. */
void syslog_octet_count(struct buf *b, const char *frame, size_t len);

/* 1..max bytes of PRINTUSASCII (33..126): an RFC 5424 header field. */
bool syslog_printusascii(const char *s, size_t max);

/* True when s is a private RFC 5424 SD-ID, NAME@NUMBER: NAME of SD-NAME
 * characters (PRINTUSASCII but '=', ']', '"' and '@'), NUMBER a private
 * enterprise number (digits, dot-separated sub-identifiers allowed), at
 * most SYSLOG_SD_NAME_MAX in all. Names without '@' are IANA's. */
bool syslog_sd_id_valid(const char *s);

#endif
