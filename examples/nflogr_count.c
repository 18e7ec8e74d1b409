/* nflogr_count.c - count the records of an NFLOG group through libnflogr
 * (<nflogr.h> only): the library's own cost per record, every record
 * parsed and its interfaces named, next to bench/countreader's bare walk
 * (bench/python.sh runs both on the same load).
 *
 *   nflogr_count -g GROUP [-q QTHRESH] [-t TIMEOUT_CS] [-n NLBUF] [-r RCVBUF]
 *                [-c COUNT] [-i IDLE_S]
 *     defaults as countreader: qthresh 64, timeout 5 cs, nlbuf 65536,
 *     rcvbuf 8 MiB (in bytes), sequence numbers on (losses counted exactly);
 *     -c exit after COUNT records, -i after IDLE_S seconds without one
 *
 * Prints "READY" to stderr once bound, and on exit (also on SIGTERM or
 * SIGINT: it unbinds and reads what the kernel still held) one line:
 * "received=N lost=N enobufs=N rcvbuf=N".
 */
#include <errno.h>
#include <nflogr.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || end == s) {
		fprintf(stderr, "nflogr_count: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

static int count_record(const struct nflogr_record *rec, void *arg)
{
	(void)rec;
	(*(unsigned long *)arg)++;
	return 0;
}

static struct nflogr *open_group(int argc, char **argv, unsigned long *want, int *idle_ms)
{
	struct nflogr_options *o = nflogr_options_new();
	unsigned long group = 1UL << 20;
	nflogr_options_set_qthresh(o, 64);
	nflogr_options_set_timeout(o, 0.05);
	nflogr_options_set_nlbuf(o, 65536);
	nflogr_options_set_rcvbuf(o, 8 << 20);
	nflogr_options_set_flags(o, NFLOGR_FLAG_SEQ);
	nflogr_options_set_enobufs(o, NFLOGR_ENOBUFS_HANDLE);
	int opt, bad = 0;
	while ((opt = getopt(argc, argv, "g:q:t:n:r:c:i:")) != -1) {
		switch (opt) {
		case 'g': group = number(optarg); break;
		case 'q': bad |= nflogr_options_set_qthresh(o, (uint32_t)number(optarg)); break;
		case 't': bad |= nflogr_options_set_timeout(o, (double)number(optarg) / 100); break;
		case 'n': bad |= nflogr_options_set_nlbuf(o, (uint32_t)number(optarg)); break;
		case 'r': bad |= nflogr_options_set_rcvbuf(o, number(optarg)); break;
		case 'c': *want = number(optarg); break;
		case 'i': *idle_ms = (int)number(optarg) * 1000; break;
		default: bad = -1;
		}
	}
	if (bad || group > 65535) {
		fprintf(stderr, "usage: nflogr_count -g GROUP [-q QTHRESH] [-t TIMEOUT_CS] "
				"[-n NLBUF] [-r RCVBUF] [-c COUNT] [-i IDLE_S]\n");
		exit(2);
	}
	char err[256];
	struct nflogr *h = nflogr_open((uint16_t)group, o, err, sizeof err);
	nflogr_options_free(o);
	if (!h) {
		fprintf(stderr, "nflogr_count: %s\n", err);
		exit(1);
	}
	return h;
}

int main(int argc, char **argv)
{
	unsigned long want = 0, received = 0;
	int idle_ms = -1;
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: poll returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	struct nflogr *h = open_group(argc, argv, &want, &idle_ms);
	fprintf(stderr, "READY group=%u rcvbuf=%llu\n", nflogr_group(h),
		(unsigned long long)nflogr_rcvbuf(h));
	struct pollfd p = { .fd = nflogr_fd(h), .events = POLLIN };
	while (!stop && (!want || received < want)) {
		long budget = want ? (long)(want - received) : -1;
		if (nflogr_loop(h, count_record, &received, budget, false) < 0 && errno != EINTR)
			break;
		if ((!want || received < want) && poll(&p, 1, idle_ms) == 0)
			break; /* idle */
	}
	if (stop) { /* the kernel sends what it held back, then nothing is left */
		nflogr_unbind(h);
		nflogr_loop(h, count_record, &received, -1, false);
	}
	printf("received=%lu lost=%llu enobufs=%llu rcvbuf=%llu\n", received,
	       (unsigned long long)nflogr_lost(h, NULL),
	       (unsigned long long)nflogr_counter(h, NFLOGR_DROPS),
	       (unsigned long long)nflogr_rcvbuf(h));
	nflogr_close(h);
	return 0;
}
