/* daemon.h - the running daemon: groups, outputs, signals, one event loop. */
#ifndef NFLOGD_DAEMON_H
#define NFLOGD_DAEMON_H

#include "config.h"

/* Open every output and bind every group of cfg, then run until SIGTERM
 * or SIGINT. Returns the process exit code (0 after a clean shutdown,
 * 1 when startup failed). */
int daemon_run(const struct nflogd_config *cfg);

#endif
