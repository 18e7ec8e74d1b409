/* daemon.h - the running daemon as main() sees it: one call that runs it.
 * Its parts: daemon_state.h. */
#ifndef NFLOGD_DAEMON_H
#define NFLOGD_DAEMON_H

#include <stdbool.h>

#include "config.h"

struct daemon_options {
	const char *config_path; /* read again on SIGHUP */
	bool verbose;		 /* debug messages whatever log_level says */
};

/* Open every output and bind every group of cfg (taken over: the daemon
 * frees it), tell systemd it is ready, then run until SIGTERM or SIGINT.
 * Returns the exit code: 0 after a clean shutdown, 1 when startup failed. */
int daemon_run(const struct daemon_options *opts, struct nflogd_config *cfg);

#endif
