/* main.c - command line: run the daemon, or check a configuration. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "nflogd-build.h"

enum { EXIT_USAGE = 2 };

static void usage(FILE *to)
{
	fprintf(to,
		"usage: nflogd [-c FILE] [--check-config] [-v] [--version] [--help]\n"
		"  -c, --config FILE   configuration file (default %s)\n"
		"  -t, --check-config  validate the configuration, print FILE: OK or the errors\n"
		"  -v, --verbose       debug messages (overrides daemon.log_level)\n"
		"  -V, --version       print the version\n"
		"  -h, --help          this text\n"
		"Signals: SIGTERM/SIGINT drain and exit, SIGHUP reload the configuration,\n"
		"SIGUSR1 reopen output files, SIGUSR2 log the counters.\n",
		NFLOGD_DEFAULT_CONFIG);
}

/* Load path; print every "FILE:LINE: message" (errors, warnings) and
 * return -1 when it is not valid. */
static int load_config(const char *path, struct nflogd_config *cfg)
{
	struct buf errors, warnings;
	buf_init(&errors);
	buf_init(&warnings);
	int r = config_load(path, cfg, &errors, &warnings);
	fprintf(stderr, "%.*s%.*s", (int)warnings.len, warnings.data ? warnings.data : "",
		(int)errors.len, errors.data ? errors.data : "");
	buf_free(&errors);
	buf_free(&warnings);
	return r;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NFLOGD_DEFAULT_CONFIG;
	bool check_only = false, verbose = false;
	int c;
	while ((c = getopt_long(argc, argv, "c:tvVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 't': check_only = true; break;
		case 'v': verbose = true; break;
		case 'V': printf("nflogd %s\n", NFLOGD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nflogd: unexpected argument: %s\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	log_init();
	struct nflogd_config cfg;
	if (load_config(path, &cfg) < 0)
		return 1;
	if (check_only) {
		printf("%s: OK\n", path);
		config_free(&cfg);
		return 0;
	}
	log_set_level(verbose ? LOG_LEVEL_DEBUG : cfg.daemon.log_level);
	struct daemon_options dopts = { .config_path = path, .verbose = verbose };
	return daemon_run(&dopts, &cfg);
}
