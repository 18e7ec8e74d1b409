/* daemon_state.h - the daemon object that daemon_run() owns while it runs,
 * and what its parts (daemon.c: start and stop; signals.c; daemon_reload.c)
 * share. Not for outputs or the reader. */
#ifndef NFLOGD_DAEMON_STATE_H
#define NFLOGD_DAEMON_STATE_H

#include "compiler.h"
#include "daemon.h"
#include "group.h"
#include "output.h"
#include "running.h"

#define DAEMON_SIGNALS 5 /* SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 */

struct daemon {
	const struct daemon_options *opts;
	struct loop *loop;
	struct group_env env; /* what every group shares (loop, ifcache, scratch) */
	struct running run;   /* the config, its outputs and its groups */
	struct loop_event *ev_ifc;
	struct netns_watch *netns; /* namespaces of the groups with a netns key */
	struct loop_event *ev_signals[DAEMON_SIGNALS];
	struct loop_event *status_timer;
	char reload_error[512]; /* why the last reload was rejected; kept
				   in STATUS= until a reload succeeds */
};

/* (Re)start the STATUS= timer at the configured interval. 0, or -1 when
 * the loop refused it. */
int daemon_arm_status_timer(struct daemon *d) MUST_CHECK;
/* The STATUS= line of d into out (see counters_status()). */
void daemon_status(const struct daemon *d, char *out, size_t len);
/* Record a daemon event in every output that records them, flushed. */
void daemon_write_event(struct daemon *d, enum output_event ev, const char *text);
/* Look at the namespace of every group with a netns key and follow it
 * (group_follow_netns()); STATUS= says so at once when one changed. */
void daemon_follow_netns(void *daemon);

/* signals.c: watch SIGTERM, SIGINT (drain and stop), SIGHUP (reload),
 * SIGUSR1 (reopen outputs), SIGUSR2 (log counters) on d's loop, and
 * ignore SIGPIPE. 0, or -1 when the loop refused one. */
int signals_watch(struct daemon *d) MUST_CHECK;
/* Stop watching them (the events are freed). */
void signals_unwatch(struct daemon *d);

/* daemon_reload.c: SIGHUP. Load the config file with the same code as
 * --check-config and apply it as a reload transaction (reload.h), or keep
 * everything as it is and say why in the log and in STATUS=. */
void daemon_reload(struct daemon *d);

#endif
