/* nflogr_print.c - print what netfilter logs to an NFLOG group, using
 * libnflogr through <nflogr.h> only (build: cc nflogr_print.c
 * $(pkg-config --cflags --libs nflogr)).
 *
 *   nflogr_print GROUP [COUNT [text|json]]
 *
 * Binds GROUP (needs CAP_NET_ADMIN) with sequence numbers on, prints each
 * record as nflogd's text line (kernel timestamp in seconds, the hook, the
 * kernel LOG line) or as nflogd's JSON, and after COUNT records (default:
 * until SIGINT or SIGTERM) the group's counters on stderr.
 */
#include <errno.h>
#include <nflogr.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct printer {
	char *line; /* reused from record to record */
	size_t cap;
	int json;
};

/* Format rec into p->line, growing it when the record needs more. */
static long format(struct printer *p, const struct nflogr_record *rec)
{
	for (;;) {
		long n = p->json ? nflogr_record_json(rec, p->line, p->cap)
				 : nflogr_record_text(rec, NFLOGR_LOG_ALL, p->line, p->cap);
		if (n < 0 || (size_t)n < p->cap)
			return n;
		char *bigger = realloc(p->line, (size_t)n + 1);
		if (!bigger)
			return -1;
		p->line = bigger;
		p->cap = (size_t)n + 1;
	}
}

static int print_record(const struct nflogr_record *rec, void *arg)
{
	struct printer *p = arg;
	if (format(p, rec) < 0) {
		perror("nflogr_print: format");
		return 1;
	}
	if (p->json) {
		printf("%s\n", p->line);
		return 0;
	}
	struct timeval tv;
	bool from_kernel = nflogr_record_timestamp(rec, &tv);
	const char *hook = nflogr_record_hook_name(rec);
	printf("%lld.%06ld%s %s %s\n", (long long)tv.tv_sec, (long)tv.tv_usec,
	       from_kernel ? "" : "(received)", hook ? hook : "-", p->line);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: nflogr_print GROUP [COUNT [text|json]]\n");
		return 2;
	}
	long group = strtol(argv[1], NULL, 10), count = argc > 2 ? strtol(argv[2], NULL, 10) : -1;
	struct printer p = { .json = argc > 3 && strcmp(argv[3], "json") == 0 };
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: the wait ends */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct nflogr_options *opt = nflogr_options_new();
	if (!opt || nflogr_options_set_flags(opt, NFLOGR_FLAG_SEQ) < 0 ||
	    nflogr_options_set_enobufs(opt, NFLOGR_ENOBUFS_HANDLE) < 0) {
		perror("nflogr_print: options");
		return 1;
	}
	char err[256];
	struct nflogr *h = nflogr_open((uint16_t)group, opt, err, sizeof err);
	nflogr_options_free(opt);
	if (!h) {
		fprintf(stderr, "nflogr_print: %s\n", err);
		return 1;
	}
	fprintf(stderr, "nflogr_print: group %u bound (libnflogr %s)\n", nflogr_group(h),
		nflogr_version());
	setvbuf(stdout, NULL, _IOLBF, 0);
	long done = 0;
	while (!stop && (count < 0 || done < count)) {
		long n = nflogr_loop(h, print_record, &p, count < 0 ? -1 : count - done, true);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "nflogr_print: %s\n", nflogr_last_error(h));
			break;
		}
		done += n > 0 ? n : 0;
	}
	bool exact;
	uint64_t lost = nflogr_lost(h, &exact);
	fprintf(stderr, "received=%llu lost=%llu%s drops=%llu\n",
		(unsigned long long)nflogr_counter(h, NFLOGR_RECEIVED), (unsigned long long)lost,
		exact ? "" : " (at least)", (unsigned long long)nflogr_counter(h, NFLOGR_DROPS));
	nflogr_close(h);
	free(p.line);
	return 0;
}
