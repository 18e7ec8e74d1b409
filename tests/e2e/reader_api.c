/* reader_api.c - drives the reader API (nflogr's object in C) against the
 * real kernel, for reader_api.sh. Each subcommand prints key=value lines.
 *
 *   reader_api basic GROUP      queue/next/loop/queued/fd/group on 5 records
 *   reader_api overrun GROUP POLICY SECONDS
 *                               tiny rcvbuf, read nothing for SECONDS, then
 *                               drain: counters drops/lost/received
 *   reader_api startseq GROUP STARTS RECORDS
 *                               bind the group STARTS times while a sender
 *                               floods it, read RECORDS records each time:
 *                               records without a sequence number, and the
 *                               reader's unsequenced counter
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nflog.h"

static void print_counters(const struct nflog_reader *nl)
{
	const struct nflog_counters *c = nflog_reader_counters(nl);
	printf("received=%llu drops=%llu lost=%llu truncated=%llu malformed=%llu\n",
	       (unsigned long long)c->received, (unsigned long long)c->drops,
	       (unsigned long long)c->lost, (unsigned long long)c->truncated,
	       (unsigned long long)c->malformed);
}

static struct nflog_reader *open_group(struct nflog_options *o)
{
	char err[512], warn[512];
	struct nflog_reader *nl = nflog_reader_open(o, err, sizeof err, warn, sizeof warn);
	if (!nl) {
		fprintf(stderr, "open: %s\n", err);
		exit(1);
	}
	printf("READY\n");
	fflush(stdout);
	return nl;
}

static void count_fn(const struct nflogd_record *rec, void *arg)
{
	(void)rec;
	(*(long *)arg)++;
}

static int basic(uint16_t group)
{
	struct nflog_options o = { .group = group,
				   .copymode = 2,
				   .qthresh = 5,
				   .timeout_cs = 1000,
				   .set_timeout = true,
				   .flags = 1 };
	struct nflog_reader *nl = open_group(&o);
	printf("group=%u fd_ok=%d\n", nflog_reader_group(nl), nflog_reader_fd(nl) >= 0);
	printf("queue_nowait=%d\n", nflog_reader_queue(nl, false));
	fflush(stdout);
	printf("queue_wait=%d\n", nflog_reader_queue(nl, true)); /* one batch of 5 */
	struct nflogd_record rec;
	int r = nflog_reader_next(nl, false, &rec);
	printf("next=%d seq=%u queued_after_next=%zu\n", r, rec.seq, nflog_reader_queued(nl));
	long n = 0;
	printf("loop2=%ld\n", nflog_reader_loop(nl, count_fn, &n, 2, false));
	printf("queued_after_loop=%zu\n", nflog_reader_queued(nl));
	printf("loop_rest=%ld\n", nflog_reader_loop(nl, count_fn, &n, -1, false));
	print_counters(nl);
	nflog_reader_close(nl);
	return 0;
}

static int overrun(uint16_t group, const char *policy, int seconds)
{
	struct nflog_options o = {
		.group = group, .copymode = 2, .qthresh = 1, .rcvbuf = 4096, .flags = 1
	};
	o.enobufs = strcmp(policy, "disable") == 0 ? NFLOG_ENOBUFS_DISABLE : NFLOG_ENOBUFS_HANDLE;
	struct nflog_reader *nl = open_group(&o);
	sleep((unsigned)seconds); /* the sender floods meanwhile */
	long n = 0;
	nflog_reader_loop(nl, count_fn, &n, -1, false);
	/* one more packet after the overrun makes the sequence gap visible */
	printf("WAITING\n");
	fflush(stdout);
	nflog_reader_loop(nl, count_fn, &n, 1, true);
	nflog_reader_loop(nl, count_fn, &n, -1, false);
	print_counters(nl);
	nflog_reader_close(nl);
	return 0;
}

/* Issue 13 defect #5: a record the kernel logged right after the bind
 * must carry its sequence number (the flags come with the bind), or be
 * counted as unsequenced. */
static int startseq(uint16_t group, int starts, int records)
{
	long no_seq = 0, unsequenced = 0, received = 0;
	for (int i = 0; i < starts; i++) {
		struct nflog_options o = { .group = group,
					   .copymode = 2,
					   .qthresh = 64,
					   .timeout_cs = 5,
					   .set_timeout = true,
					   .nlbuf = 65536,
					   .rcvbuf = 8 << 20,
					   .flags = 1 };
		char err[512], warn[512];
		struct nflog_reader *nl = nflog_reader_open(&o, err, sizeof err, warn, sizeof warn);
		if (!nl) {
			fprintf(stderr, "open: %s\n", err);
			return 1;
		}
		struct nflogd_record rec;
		for (int n = 0; n < records && nflog_reader_next(nl, true, &rec) == 1; n++)
			no_seq += !rec.has_seq;
		unsequenced += (long)nflog_reader_counters(nl)->unsequenced;
		received += (long)nflog_reader_counters(nl)->received;
		nflog_reader_close(nl);
	}
	printf("starts=%d received=%ld no_seq=%ld unsequenced=%ld\n", starts, received, no_seq,
	       unsequenced);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "basic") == 0)
		return basic((uint16_t)atoi(argv[2]));
	if (argc >= 5 && strcmp(argv[1], "overrun") == 0)
		return overrun((uint16_t)atoi(argv[2]), argv[3], atoi(argv[4]));
	if (argc >= 5 && strcmp(argv[1], "startseq") == 0)
		return startseq((uint16_t)atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: reader_api basic GROUP | overrun GROUP handle|disable SECONDS | "
			"startseq GROUP STARTS RECORDS\n");
	return 2;
}
