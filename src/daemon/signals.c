/* signals.c - what each signal does to the running daemon. */
#include <signal.h>
#include <string.h>

#include "counters.h"
#include "daemon_state.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "shutdown_deadline.h"

/* Shutdown reads what the kernel holds and flushes every output; should a
 * peer or disk hang that, SIGALRM ends the process after this long, armed
 * by the signal's handler itself (shutdown_deadline.h): a stuck loop too. */
#define SHUTDOWN_DEADLINE_S 15

/* Shutdown: unbind each group so the kernel sends what it still holds,
 * read until every socket is empty, flush every output, leave the loop. */
static void shutdown_daemon(struct daemon *d, int sig)
{
	log_info("%s: reading what the kernel still holds, flushing, exiting", strsignal(sig));
	notify_stopping("stopping: draining groups and flushing outputs");
	for (size_t i = 0; i < d->run.cfg.n_groups; i++)
		group_finish(d->run.groups[i]);
	daemon_write_event(d, OUTPUT_EVENT_STOP, "nflogd stopping");
	loop_break(d->loop);
}

/* SIGUSR1 (after logrotate moved the files): every output reopens. */
static void reopen_outputs(struct daemon *d)
{
	size_t failed = 0;
	for (size_t i = 0; i < d->run.cfg.n_outputs; i++) {
		char err[512];
		if (output_reopen(d->run.outputs[i], err, sizeof err) < 0) {
			log_error("output %s: reopen failed, still writing where it was: %s",
				  d->run.outputs[i]->name, err);
			failed++;
		}
	}
	log_info("outputs reopened (%zu of %zu failed; those are retried)", failed,
		 d->run.cfg.n_outputs);
}

static void signalcb(int sig, void *arg)
{
	struct daemon *d = arg;
	switch (sig) {
	case SIGTERM:
	case SIGINT: shutdown_daemon(d, sig); break;
	case SIGHUP: daemon_reload(d); break;
	case SIGUSR1: reopen_outputs(d); break;
	case SIGUSR2: counters_log(&d->run); break;
	}
}

int signals_watch(struct daemon *d)
{
	static const int sigs[DAEMON_SIGNALS] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 };
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < DAEMON_SIGNALS; i++)
		if (!(d->ev_signals[i] = loop_signal(d->loop, sigs[i], signalcb, d)))
			return -1;
	/* after the loop installed its handlers: wrap those of the stop signals */
	if (shutdown_deadline_on(SIGTERM, SHUTDOWN_DEADLINE_S) < 0 ||
	    shutdown_deadline_on(SIGINT, SHUTDOWN_DEADLINE_S) < 0)
		return -1;
	return 0;
}

void signals_unwatch(struct daemon *d)
{
	for (size_t i = 0; i < DAEMON_SIGNALS; i++) {
		loop_event_free(d->ev_signals[i]);
		d->ev_signals[i] = NULL;
	}
}
