/* reader_api.c - drives the reader API (nflogr's object in C) against the
 * real kernel, for reader_api.sh. Each subcommand prints key=value lines.
 *
 *   reader_api basic GROUP      queue/next/loop/queued/fd/group on 5 records
 *   reader_api overrun GROUP POLICY SECONDS
 *                               tiny rcvbuf, read nothing for SECONDS, then
 *                               drain: counters drops/lost/received
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

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "basic") == 0)
		return basic((uint16_t)atoi(argv[2]));
	if (argc >= 5 && strcmp(argv[1], "overrun") == 0)
		return overrun((uint16_t)atoi(argv[2]), argv[3], atoi(argv[4]));
	fprintf(stderr, "usage: reader_api basic GROUP | overrun GROUP handle|disable SECONDS\n");
	return 2;
}
