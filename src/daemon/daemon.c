/* daemon.c - the daemon's life: start (loop, signals, interface cache,
 * status timer, outputs, groups), run the loop, stop and free. What each
 * signal does is in signals.c and daemon_reload.c, the record path in
 * group.c, the counters in counters.c. */
#include "daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "daemon_state.h"
#include "ifcache.h"
#include "log.h"
#include "loop.h"
#include "netns_watch.h"
#include "nflogd-build.h"
#include "notify.h"

void daemon_status(const struct daemon *d, char *out, size_t len)
{
	counters_status(&d->run, d->reload_error, out, len);
}

static void status_timercb(void *arg)
{
	struct daemon *d = arg;
	char status[1024];
	daemon_status(d, status, sizeof status);
	notify_status(status);
}

int daemon_arm_status_timer(struct daemon *d)
{
	return loop_timer_arm(d->status_timer, d->run.cfg.daemon.status_interval);
}

void daemon_write_event(struct daemon *d, enum output_event ev, const char *text)
{
	for (size_t i = 0; d->run.outputs && i < d->run.cfg.n_outputs; i++) {
		output_write_event(d->run.outputs[i], ev, text);
		output_flush(d->run.outputs[i]);
	}
}

void daemon_follow_netns(void *daemon)
{
	struct daemon *d = daemon;
	bool changed = false;
	for (size_t i = 0; d->run.groups && i < d->run.cfg.n_groups; i++)
		if (d->run.groups[i])
			changed |= group_follow_netns(d->run.groups[i]);
	if (!changed)
		return;
	char status[1024];
	daemon_status(d, status, sizeof status);
	notify_status(status);
}

static void ifcache_readcb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ifcache_process_events(arg);
}

/* ---- start and stop ---- */

/* Each step that fails says what it was: errno after libevent or
 * sd-daemon calls need not be about them. */
static int startup_failed(const char *what)
{
	log_error("startup failed: %s", what);
	return -1;
}

static int setup_loop(struct daemon *d)
{
	if (!(d->loop = d->env.loop = loop_new()))
		return startup_failed("cannot create the event loop");
	if (signals_watch(d) < 0)
		return startup_failed("cannot watch signals");
	if (!(d->env.ifc = ifcache_open()))
		return startup_failed("out of memory");
	int fd = ifcache_fd(d->env.ifc);
	if (fd < 0)
		log_warn("no rtnetlink link events: interface renames show up late");
	else if (!(d->ev_ifc = loop_watch_fd(d->loop, fd, LOOP_READ, ifcache_readcb, d->env.ifc)))
		return startup_failed("cannot watch rtnetlink link events");
	d->status_timer = loop_timer(d->loop, true, status_timercb, d);
	if (!d->status_timer || daemon_arm_status_timer(d) < 0)
		return startup_failed("cannot start the status timer");
	return notify_init(d->loop); /* says itself what failed */
}

static int open_all(struct daemon *d)
{
	struct running *run = &d->run;
	run->outputs = calloc(run->cfg.n_outputs + 1, sizeof *run->outputs);
	run->groups = calloc(run->cfg.n_groups + 1, sizeof *run->groups);
	if (!run->outputs || !run->groups)
		return -1;
	/* outputs first: a group starts delivering as soon as it is bound */
	for (size_t i = 0; i < run->cfg.n_outputs; i++) {
		char err[512];
		if (!(run->outputs[i] =
			  output_open(&run->cfg.outputs[i], d->loop, err, sizeof err))) {
			log_error("%s", err);
			return -1;
		}
	}
	for (size_t i = 0; i < run->cfg.n_groups; i++)
		if (!(run->groups[i] = group_open(&d->env, &run->cfg.groups[i], run->outputs)))
			return -1;
	if (!(d->netns = netns_watch_new(d->loop, daemon_follow_netns, d)))
		return -1;
	netns_watch_set(d->netns, &run->cfg);
	return 0;
}

static void teardown(struct daemon *d)
{
	struct running *run = &d->run;
	for (size_t i = 0; run->groups && i < run->cfg.n_groups; i++)
		group_close(run->groups[i]);
	free(run->groups);
	for (size_t i = 0; run->outputs && i < run->cfg.n_outputs; i++)
		output_close(run->outputs[i]);
	free(run->outputs);
	signals_unwatch(d);
	netns_watch_free(d->netns);
	loop_event_free(d->ev_ifc);
	loop_event_free(d->status_timer);
	notify_fini();
	ifcache_close(d->env.ifc);
	loop_free(d->loop);
	config_free(&run->cfg);
}

int daemon_run(const struct daemon_options *opts, struct nflogd_config *cfg)
{
	struct daemon daemon = { .opts = opts, .run.cfg = *cfg }, *d = &daemon;
	memset(cfg, 0, sizeof *cfg); /* the daemon owns it now */
	int rc = 1;
	if (setup_loop(d) < 0)
		goto out;
	if (open_all(d) < 0) {
		notify_status("startup failed: a group could not be bound or an output opened "
			      "(the reason is in the log: journalctl -u nflogd)");
		goto out;
	}
	char status[1024];
	daemon_status(d, status, sizeof status);
	daemon_write_event(d, OUTPUT_EVENT_START, "nflogd started");
	notify_ready(status);
	log_info("nflogd %s running with %s: %zu groups, %zu outputs", NFLOGD_VERSION,
		 opts->config_path, d->run.cfg.n_groups, d->run.cfg.n_outputs);
	if (loop_run(d->loop) < 0) {
		log_error("event loop failed");
		goto out;
	}
	rc = 0;
out:
	/* the outputs close first: what they give up then is in the counters */
	for (size_t i = 0; d->run.outputs && i < d->run.cfg.n_outputs; i++)
		if (d->run.outputs[i])
			output_shutdown(d->run.outputs[i]);
	counters_log(&d->run);
	teardown(d);
	return rc;
}
