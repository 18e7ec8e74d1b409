/* counters.h - the daemon's counters in words: the STATUS= line that
 * `systemctl status` shows, and the per-group and per-output lines logged
 * on SIGUSR2, at exit and when a reload unbinds a group. */
#ifndef NFLOGD_COUNTERS_H
#define NFLOGD_COUNTERS_H

#include <stddef.h>

#include "running.h"

/* One line for STATUS= into out (cut at len): reload_error first when it
 * is not empty, then the totals, then each group and output. */
void counters_status(const struct running *run, const char *reload_error, char *out, size_t len);
/* Log the counters of every group and output of run (info level); slots
 * that are NULL (startup failed half way) are skipped. */
void counters_log(const struct running *run);
/* Log the counters of g as it is unbound by a reload (info level). */
void counters_log_unbound(const struct group_rt *g);

#endif
