/* test_pcap.c - the pcap output without a loop: the bytes of its records
 * (pcap_format), files read back with libpcap itself (pcap_open_offline:
 * the reader tcpdump and Wireshark's dumpcap use), size rotation with a
 * header in every file, a full disk (RLIMIT_FSIZE: every write that would
 * grow a file fails with EFBIG) with exact counts, and what open does with
 * an existing file: appends to its own captures, cuts a partial record
 * left by a crash, refuses anything else.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "files_cannot_grow.h"
#include "config.h"
#include "log.h"
#include "output.h"
#include "pcap_format.h"
#include "record.h"

static char msgbuf[70000];
static const struct timeval recv_time = { .tv_sec = 1700000000, .tv_usec = 123456 };

/* An NFLOG message of group 3 (family ipv4 unless set) with a prefix, a
 * mark and payload bytes of an IPv4 packet whose header says total_len. */
static struct nflogd_record make_record(uint8_t family, const uint8_t *payload, uint16_t len,
					uint32_t seq)
{
	memset(msgbuf, 0, sizeof msgbuf);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msgbuf);
	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET;
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof *nfg);
	nfg->nfgen_family = family;
	nfg->res_id = htons(3);
	struct nfulnl_msg_packet_hdr ph = { .hw_protocol = htons(0x0800), .hook = 1 };
	mnl_attr_put(nlh, NFULA_PACKET_HDR, sizeof ph, &ph);
	mnl_attr_put_u32(nlh, NFULA_MARK, htonl(0x2a));
	mnl_attr_put_u32(nlh, NFULA_SEQ, htonl(seq));
	mnl_attr_put_strz(nlh, NFULA_PREFIX, "cap: ");
	if (len)
		mnl_attr_put(nlh, NFULA_PAYLOAD, len, payload);
	struct nflogd_record r;
	if (record_parse(nlh, &recv_time, &r) < 0)
		abort();
	return r;
}

/* 20 bytes of an IPv4 header saying the packet is total bytes long. */
static const uint8_t *ipv4(uint16_t total)
{
	static uint8_t p[20];
	memset(p, 0, sizeof p);
	p[0] = 0x45;
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	p[9] = 17;
	return p;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static void test_format(void)
{
	uint8_t hdr[PCAP_FILE_HEADER_LEN];
	pcap_file_header(hdr, PCAP_LINKTYPE_NFLOG);
	CHECK(get32(hdr) == 0xa1b2c3d4 && hdr[4] + hdr[5] * 256 == 2 &&
		  get32(hdr + 16) == PCAP_SNAPLEN && get32(hdr + 20) == 239,
	      "file header: magic in host order, 2.4, snaplen, LINKTYPE_NFLOG");

	struct buf b;
	buf_init(&b);
	struct nflogd_record r = make_record(2, ipv4(1500), 20, 1);
	CHECK(pcap_put_record(&b, PCAP_LINKTYPE_NFLOG, &r) == PCAP_PUT_OK, "nflog record put");
	const uint8_t *p = (const uint8_t *)b.data;
	CHECK(b.len == PCAP_RECORD_HEADER_LEN + r.msg_len && get32(p) == 1700000000 &&
		  get32(p + 4) == 123456 && get32(p + 8) == r.msg_len && get32(p + 12) == r.msg_len,
	      "nflog: timestamp, captured = original = the message's length");
	CHECK(memcmp(p + PCAP_RECORD_HEADER_LEN, r.msg, r.msg_len) == 0 && p[16] == 2 && p[19] == 3,
	      "nflog: the message after its netlink header, nfgenmsg first");
	CHECK(pcap_record_len(p, b.len) == b.len && pcap_record_len(p, b.len - 1) == 0,
	      "record length: whole, or 0 when cut");

	buf_reset(&b);
	CHECK(pcap_put_record(&b, PCAP_LINKTYPE_RAW, &r) == PCAP_PUT_OK, "raw record put");
	p = (const uint8_t *)b.data;
	CHECK(get32(p + 8) == 20 && get32(p + 12) == 1500 && p[16] == 0x45,
	      "raw: 20 bytes captured of a 1500-byte packet (copy_range), the packet alone");

	const uint8_t v6[8] = { 0x60, 0, 0, 0, 0x01, 0x00, 17, 64 };
	CHECK(pcap_ip_orig_len(v6, 8) == 40 + 256, "IPv6: 40 + payload length");
	CHECK(pcap_ip_orig_len(ipv4(10), 20) == 20, "a header giving less than captured: captured");

	buf_reset(&b);
	const uint8_t arp[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	struct nflogd_record a = make_record(3, arp, sizeof arp, 2);
	CHECK(pcap_put_record(&b, PCAP_LINKTYPE_RAW, &a) == PCAP_PUT_NOT_IP && b.len == 0,
	      "raw: an ARP record is refused, nothing appended");
	struct nflogd_record m = make_record(2, NULL, 0, 3);
	CHECK(pcap_put_record(&b, PCAP_LINKTYPE_RAW, &m) == PCAP_PUT_NOT_IP,
	      "raw: a record without payload (copymode meta) is refused");
	CHECK(pcap_put_record(&b, PCAP_LINKTYPE_NFLOG, &m) == PCAP_PUT_OK,
	      "nflog: a record without payload is written");
	buf_free(&b);
}

/* ---- the output ---- */

static struct output_config pcap_config(const char *name, char *path, uint32_t linktype)
{
	struct output_config oc = {
		.name = (char *)name,
		.type = OUTPUT_PCAP,
		.path = path,
		.mode = 0600,
		.uid = -1,
		.gid = -1,
		.rotate_keep = CONFIG_DEFAULT_ROTATE_KEEP,
		.backlog = CONFIG_DEFAULT_FILE_BACKLOG,
		.linktype = linktype,
	};
	return oc;
}

/* Records of path read with libpcap, or -1 (a file libpcap refuses or
 * that ends in a partial record); *linktype: libpcap's DLT_ for it (LINKTYPE_RAW
 * is DLT_RAW, 12 on Linux), *bytes: captured in all. */
static long pcap_records(const char *path, int *linktype, long *bytes)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc)
		return -1;
	*linktype = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *data;
	long n = 0;
	int rc;
	*bytes = 0;
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		n++;
		*bytes += h->caplen;
	}
	pcap_close(pc);
	return rc == PCAP_ERROR_BREAK ? n : -1;
}

static void put_records(struct output *o, uint32_t from, uint32_t n)
{
	for (uint32_t i = from; i < from + n; i++) {
		struct nflogd_record r = make_record(2, ipv4(100), 20, i);
		output_write(o, &r, NULL);
	}
}

static void test_rotation(const char *dir)
{
	char path[PATH_MAX], name[PATH_MAX + 16], err[512];
	snprintf(path, sizeof path, "%s/rot.pcap", dir);
	struct output_config oc = pcap_config("rot", path, CAPTURE_NFLOG);
	oc.rotate_size = 4096;
	oc.rotate_keep = 3;
	struct output *o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o != NULL, "open %s: %s", path, o ? "" : err);
	if (!o)
		return;
	struct stat st;
	CHECK(stat(path, &st) == 0 && st.st_size == PCAP_FILE_HEADER_LEN,
	      "a new capture has its header at once (a valid, empty capture)");
	for (uint32_t i = 0; i < 400; i += 10) {
		put_records(o, i, 10);
		output_flush(o);
	}
	CHECK(o->stats.written == 400 && o->stats.dropped == 0, "400 written");
	output_close(o);
	long total = 0;
	bool all_read = true, all_small = true;
	for (int k = 0; k <= 3; k++) {
		if (k)
			snprintf(name, sizeof name, "%s.%d", path, k);
		else
			snprintf(name, sizeof name, "%s", path);
		int lt = 0;
		long bytes = 0, n = pcap_records(name, &lt, &bytes);
		all_read &= n > 0 && lt == DLT_NFLOG;
		all_small &= stat(name, &st) == 0 && st.st_size <= 4096;
		total += n;
	}
	CHECK(all_read, "libpcap reads every file, each with its own header (LINKTYPE_NFLOG)");
	CHECK(all_small, "no file over rotate size");
	snprintf(name, sizeof name, "%s.4", path);
	CHECK(access(name, F_OK) != 0 && total > 0 && total < 400,
	      "keep = 3: older files deleted (%ld records kept)", total);
}

static void test_disk_full(const char *dir)
{
	char path[PATH_MAX], err[512];
	snprintf(path, sizeof path, "%s/full.pcap", dir);
	struct output_config oc = pcap_config("full", path, CAPTURE_RAW);
	oc.backlog = 4096;
	struct rlimit saved = files_cannot_grow();
	struct output *o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o != NULL, "a capture opens on a full disk (its header waits): %s", o ? "" : err);
	if (!o) {
		setrlimit(RLIMIT_FSIZE, &saved);
		return;
	}
	put_records(o, 0, 10);
	output_flush(o);
	CHECK(o->stats.errors == 1 && o->stats.written == 0 && o->stats.queued == 10,
	      "10 records held (errors %llu queued %llu)", (unsigned long long)o->stats.errors,
	      (unsigned long long)o->stats.queued);
	put_records(o, 10, 490);
	CHECK(o->stats.written + o->stats.dropped + o->stats.queued == 500 &&
		  o->stats.dropped > 0 && o->stats.queued * 36 <= 4096,
	      "backlog bounded at 4096 bytes, the rest dropped and counted (%llu queued, %llu "
	      "dropped)",
	      (unsigned long long)o->stats.queued, (unsigned long long)o->stats.dropped);
	setrlimit(RLIMIT_FSIZE, &saved);
	uint64_t queued = o->stats.queued;
	output_close(o); /* the last try works: the header, then the backlog */
	int lt = 0;
	long bytes = 0, n = pcap_records(path, &lt, &bytes);
	CHECK(n == (long)queued && lt == DLT_RAW && bytes == 20 * n,
	      "the file holds the header and exactly the records held (%ld of %llu, linktype %d, "
	      "%ld bytes)",
	      n, (unsigned long long)queued, lt, bytes);
}

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

static void test_existing(const char *dir)
{
	char path[PATH_MAX], err[512];
	snprintf(path, sizeof path, "%s/old.pcap", dir);
	struct output_config oc = pcap_config("old", path, CAPTURE_NFLOG);
	struct output *o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o != NULL, "open %s: %s", path, o ? "" : err);
	if (!o)
		return;
	put_records(o, 0, 3);
	output_close(o);
	struct stat st;
	stat(path, &st);
	CHECK(truncate(path, st.st_size - 5) == 0,
	      "cut 5 bytes off"); /* a crash in the middle of the last record */
	o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o != NULL, "reopened after a crash: %s", o ? "" : err);
	if (o) {
		put_records(o, 3, 2);
		output_close(o);
	}
	int lt = 0;
	long bytes = 0;
	CHECK(pcap_records(path, &lt, &bytes) == 4,
	      "the partial record is cut, new ones appended after the whole ones: 2 + 2");

	uint8_t hdr[PCAP_FILE_HEADER_LEN];
	pcap_file_header(hdr, PCAP_LINKTYPE_NFLOG);
	write_file(path, hdr, 10); /* a crash while the header was written */
	o = output_open(&oc, NULL, err, sizeof err);
	output_close(o);
	CHECK(o && stat(path, &st) == 0 && st.st_size == PCAP_FILE_HEADER_LEN,
	      "a partial file header is cut and written whole");

	oc.linktype = CAPTURE_RAW;
	o = output_open(&oc, NULL, err, sizeof err);
	CHECK(!o && strstr(err, "is not a pcap capture of linktype raw (101) as nflogd writes it"),
	      "a capture of another linktype is refused: %s", err);
	output_close(o);
	write_file(path, "{\"json\":1}\n", 11);
	oc.linktype = CAPTURE_NFLOG;
	o = output_open(&oc, NULL, err, sizeof err);
	CHECK(!o && strstr(err, "is not a pcap capture"), "a text file is refused: %s", err);
	output_close(o);
	stat(path, &st);
	CHECK(st.st_size == 11, "and left as it was");
}

static void test_losses(const char *dir)
{
	char path[PATH_MAX], err[512];
	snprintf(path, sizeof path, "%s/loss.pcap", dir);
	struct output_config oc = pcap_config("loss", path, CAPTURE_RAW);
	struct output *o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o != NULL, "open %s: %s", path, o ? "" : err);
	if (!o)
		return;
	struct output_loss loss = { .group = 3, .kind = OUTPUT_LOSS_SEQ_GAP, .count = 5 };
	put_records(o, 0, 2);
	output_write_loss(o, &loss);
	const uint8_t arp[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	struct nflogd_record a = make_record(3, arp, sizeof arp, 9);
	output_write(o, &a, NULL);
	put_records(o, 2, 1);
	output_flush(o);
	CHECK(o->stats.written == 3 && o->stats.dropped == 1,
	      "a loss is no record; an ARP record in a raw capture is dropped and counted");
	output_close(o);
	int lt = 0;
	long bytes = 0;
	CHECK(pcap_records(path, &lt, &bytes) == 3, "the capture stays valid: 3 records");
}

int main(void)
{
	char dir[] = "/tmp/nflogd-test-pcap-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	log_set_level(LOG_LEVEL_ERROR);
	test_format();
	test_rotation(dir);
	test_disk_full(dir);
	test_existing(dir);
	test_losses(dir);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return check_done();
}
