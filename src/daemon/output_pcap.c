/* output_pcap.c - records as a pcap capture (Wireshark, tcpdump -r,
 * tshark, Suricata), written by a file sink (file_sink.h) framed in pcap
 * records: the same keys and behaviour as a file output (rotation with a
 * file header in every file, reopen, owner and mode, one write per batch,
 * the backlog while the disk is full). The format is written here rather
 * than with libpcap's pcap_dump(): that one writes through stdio, whose
 * buffer splits records across write() calls at its own boundaries and
 * hides which records reached the file when a write fails, so that
 * neither "a record is never split" nor exact counts could hold.
 *
 * A classic pcap file has no place for a loss record: losses are counted
 * and logged (rate-limited), and said again at close. With linktype
 * "raw", a record that holds no IPv4/IPv6 packet (ARP, a bridged frame of
 * another protocol, no payload) is dropped, counted and logged likewise.
 */
#include "output.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_sink.h"
#include "log.h"
#include "pcap_format.h"
#include "ratelimit.h"

#define PCAP_REPORT_INTERVAL_S 10
#define PCAP_SCAN_CHUNK (1024 * 1024) /* bytes read at a time to check a file */

_Static_assert(PCAP_LINKTYPE_NFLOG == CAPTURE_NFLOG && PCAP_LINKTYPE_RAW == CAPTURE_RAW,
	       "config's linktype values are the pcap LINKTYPE_* numbers");

struct pcap_out {
	struct file_sink sink;
	struct file_framing framing; /* pcap records, this linktype's file header */
	uint32_t linktype;
	uint64_t not_ip;       /* raw: records without an IP packet, dropped */
	uint64_t losses, lost; /* loss records not in the capture, messages they tell of */
	bool lost_unknown;     /* some loss had no count */
	struct ratelimit not_ip_report, loss_report;
};

/* The pcap output a check_existing call is about (its sink is f). */
#define PCAP_OUT_OF(f)                                                                             \
	((const struct pcap_out *)((const char *)(f)-offsetof(struct pcap_out, sink)))

static size_t record_len(const char *p, size_t avail)
{
	return pcap_record_len((const uint8_t *)p, avail);
}

/* ---- an existing capture ---- */

static const char *linktype_name(uint32_t linktype)
{
	return linktype == PCAP_LINKTYPE_RAW ? "raw (101)" : "nflog (239)";
}

/* The offset where the records of f's file stop being whole (its size
 * when all are), reading it from the start; -1 with the reason in err
 * when it cannot be read or holds what nflogd never writes. */
static int64_t whole_end(struct file_sink *f, char *err, size_t errlen)
{
	uint8_t *chunk = malloc(PCAP_SCAN_CHUNK);
	uint64_t pos = PCAP_FILE_HEADER_LEN, at = 0;
	size_t have = 0;
	if (!chunk) {
		snprintf(err, errlen, "out of memory reading %s", f->path);
		return -1;
	}
	while (f->size - pos >= PCAP_RECORD_HEADER_LEN) {
		if (pos < at || pos + PCAP_RECORD_HEADER_LEN > at + have) {
			ssize_t n = pread(f->fd, chunk, PCAP_SCAN_CHUNK, (off_t)pos);
			if (n < PCAP_RECORD_HEADER_LEN) {
				snprintf(err, errlen, "cannot read %s: %s", f->path,
					 n < 0 ? strerror(errno) : "shorter than its size");
				pos = UINT64_MAX;
				break;
			}
			at = pos;
			have = (size_t)n;
		}
		uint32_t caplen = pcap_record_caplen(chunk + (pos - at));
		if (caplen > PCAP_SNAPLEN) {
			snprintf(err, errlen,
				 "%s holds a record of %u bytes at offset %llu, more than nflogd "
				 "writes: not a capture nflogd can append to",
				 f->path, caplen, (unsigned long long)pos);
			pos = UINT64_MAX;
			break;
		}
		if (f->size - pos - PCAP_RECORD_HEADER_LEN < caplen)
			break;
		pos += PCAP_RECORD_HEADER_LEN + caplen;
	}
	free(chunk);
	return pos == UINT64_MAX ? -1 : (int64_t)pos;
}

/* A capture nflogd appends to must be one it writes itself (same header:
 * byte order, link type, snap length); a crash in the middle of a write
 * leaves the file ending in part of a record, never a whole one: cut off.
 * Reads the whole file, once, when it is opened. */
static int check_capture(struct file_sink *f, char *err, size_t errlen)
{
	const struct pcap_out *p = PCAP_OUT_OF(f);
	uint8_t hdr[PCAP_FILE_HEADER_LEN];
	size_t n = f->size < sizeof hdr ? (size_t)f->size : sizeof hdr;
	if (pread(f->fd, hdr, n, 0) != (ssize_t)n) {
		snprintf(err, errlen, "cannot read %s to check that it is a capture: %s", f->path,
			 strerror(errno));
		return -1;
	}
	if (memcmp(hdr, p->framing.header, n) != 0) {
		snprintf(err, errlen,
			 "%s is not a pcap capture of linktype %s as nflogd writes it: nflogd "
			 "appends only to its own captures; move it away or choose another path",
			 f->path, linktype_name(p->linktype));
		return -1;
	}
	int64_t end = n < sizeof hdr ? 0 : whole_end(f, err, errlen);
	if (end < 0)
		return -1;
	if ((uint64_t)end == f->size)
		return 0;
	log_warn("output %s: %s ended in a partial %s of %llu bytes, left by a write cut short (a "
		 "crash): cut off, it was never a whole record",
		 f->out->name, f->path, end ? "record" : "file header",
		 (unsigned long long)(f->size - (uint64_t)end));
	file_sink_cut(f, (uint64_t)end);
	return 0;
}

/* ---- records ---- */

static void not_ip(struct output *o, struct pcap_out *p, const struct nflogd_record *rec)
{
	const char *family = record_family_name(rec->family);
	o->stats.dropped++;
	p->not_ip++;
	if (!ratelimit_allow(&p->not_ip_report))
		return;
	log_warn("output %s: a record of group %u (family %s%s) holds no IPv4/IPv6 packet: not "
		 "written, as linktype raw holds IP packets only (linktype nflog holds every "
		 "record); %llu such records so far",
		 o->name, rec->group, family ? family : "unknown",
		 rec->payload_len ? "" : ", no payload", (unsigned long long)p->not_ip);
}

static void pcap_write(struct output *o, const struct nflogd_record *rec,
		       const struct nflogd_decoded *dec)
{
	struct pcap_out *p = o->priv;
	(void)dec;
	size_t start = p->sink.batch.len;
	if (pcap_put_record(&p->sink.batch, p->linktype, rec) == PCAP_PUT_NOT_IP) {
		not_ip(o, p, rec);
		return;
	}
	file_sink_end_record(&p->sink, start); /* drops and counts it when out of memory */
}

static void pcap_write_loss(struct output *o, const struct output_loss *loss)
{
	struct pcap_out *p = o->priv;
	char count[32] = "an unknown number of";
	p->losses++;
	p->lost += loss->count;
	p->lost_unknown |= !loss->count;
	if (!ratelimit_allow(&p->loss_report))
		return;
	if (loss->count)
		snprintf(count, sizeof count, "%llu", (unsigned long long)loss->count);
	log_warn("output %s: group %u lost %s messages (%s): the capture %s has a gap there (a "
		 "pcap file has no place to say so); %llu losses so far",
		 o->name, loss->group, count, output_loss_reason(loss->kind), p->sink.path,
		 (unsigned long long)p->losses);
}

/* ---- the output ---- */

static void pcap_flush(struct output *o)
{
	struct pcap_out *p = o->priv;
	file_sink_flush(&p->sink);
}

static int pcap_reopen(struct output *o, char *err, size_t errlen)
{
	struct pcap_out *p = o->priv;
	return file_sink_reopen(&p->sink, err, errlen);
}

static int pcap_open(struct output *o, const struct output_config *oc, char *err, size_t errlen)
{
	struct pcap_out *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "output %s: out of memory", oc->name);
		return -1;
	}
	p->linktype = oc->linktype;
	p->framing.record_word = "record";
	p->framing.record_len = record_len;
	p->framing.check_existing = check_capture;
	pcap_file_header(p->framing.header, p->linktype);
	p->framing.header_len = PCAP_FILE_HEADER_LEN;
	p->not_ip_report = p->loss_report =
	    (struct ratelimit)RATELIMIT_INIT(PCAP_REPORT_INTERVAL_S);
	if (file_sink_open(&p->sink, o, oc, &p->framing, err, errlen) < 0) {
		free(p);
		return -1;
	}
	o->priv = p;
	return 0;
}

static void pcap_close(struct output *o)
{
	struct pcap_out *p = o->priv;
	if (!p)
		return;
	if (p->losses)
		log_info("output %s: %llu losses (%s%llu messages) are not marked in the capture",
			 o->name, (unsigned long long)p->losses, p->lost_unknown ? "at least " : "",
			 (unsigned long long)p->lost);
	if (p->not_ip)
		log_info("output %s: %llu records without an IPv4/IPv6 packet were not written "
			 "(linktype raw)",
			 o->name, (unsigned long long)p->not_ip);
	file_sink_close(&p->sink);
	free(p);
	o->priv = NULL;
}

const struct output_ops output_pcap_ops = {
	.open = pcap_open,
	.write = pcap_write,
	.write_loss = pcap_write_loss,
	.flush = pcap_flush,
	.reopen = pcap_reopen,
	.close = pcap_close,
};
