/* daemon_reload.c - SIGHUP: the reload transaction (reload.h) with the
 * daemon's real outputs and groups, and what the log and STATUS= say. */
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "daemon_state.h"
#include "log.h"
#include "netns_watch.h"
#include "notify.h"
#include "reload.h"

#define REJECTED "last reload rejected, running the previous configuration"

static struct output *open_output(void *arg, const struct output_config *oc, char *err,
				  size_t errlen)
{
	struct daemon *d = arg;
	struct output *o = output_open(oc, d->loop, err, errlen);
	if (!o)
		log_error("reload: %s", err);
	return o;
}

static void close_output(void *arg, struct output *o)
{
	(void)arg;
	output_close(o);
}

static struct group_rt *bind_group(void *arg, const struct group_config *gc, struct output **outs)
{
	struct daemon *d = arg;
	return group_open(&d->env, gc, outs);
}

static void close_group(void *arg, struct group_rt *g)
{
	(void)arg;
	group_close(g);
}

static void unbind_group(void *arg, struct group_rt *g)
{
	(void)arg;
	group_finish(g);
	counters_log_unbound(g);
	group_close(g);
}

/* What was written through the old outputs goes out before they change. */
static void keep_group(void *arg, struct group_rt *g, const struct group_config *gc,
		       struct output **outs, bool changed)
{
	(void)arg;
	group_flush_outputs(g);
	if (group_wire(g, gc, outs) < 0)
		log_error("%s: out of memory re-wiring outputs", g->label);
	if (changed)
		group_reconfigure(g);
}

static const struct reload_ops daemon_reload_ops = {
	.open_output = open_output,
	.close_output = close_output,
	.bind_group = bind_group,
	.close_group = close_group,
	.unbind_group = unbind_group,
	.keep_group = keep_group,
};

/* Each line of text, one message at level. */
static void log_lines(int level, const struct buf *text)
{
	const char *p = text->data, *end = p + text->len;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		int l = nl ? (int)(nl - p) : (int)(end - p);
		if (level == LOG_LEVEL_ERROR)
			log_error("%.*s", l, p);
		else
			log_warn("%.*s", l, p);
		p += l + 1;
	}
}

/* The file does not load: each of its errors in the log, the first one
 * in STATUS=. */
static void report_invalid(struct daemon *d, const struct buf *errors)
{
	char status[1024];
	const char *text = errors->data ? errors->data : "";
	const char *end = memchr(text, '\n', errors->len);
	int first = end ? (int)(end - text) : (int)errors->len;
	log_error("reload rejected, still running the previous configuration; %s has errors:",
		  d->opts->config_path);
	log_lines(LOG_LEVEL_ERROR, errors);
	snprintf(d->reload_error, sizeof d->reload_error, REJECTED ": %.*s", first, text);
	daemon_status(d, status, sizeof status);
	notify_ready(status);
}

/* An output could not be opened or a group bound: nothing changed. */
static void report_failed(struct daemon *d, const struct reload *r)
{
	char status[1024];
	log_error("reload rejected, still running the previous configuration");
	if (r->error[0])
		snprintf(d->reload_error, sizeof d->reload_error, REJECTED ": %.400s", r->error);
	else
		snprintf(d->reload_error, sizeof d->reload_error,
			 REJECTED " (the reason is in the log)");
	daemon_status(d, status, sizeof status);
	notify_ready(status);
}

static void report_applied(struct daemon *d, const struct reload_summary *s)
{
	log_info("reload of %s applied: groups %zu kept, %zu bound, %zu unbound, %zu reconfigured; "
		 "outputs %zu kept, %zu opened, %zu closed",
		 d->opts->config_path, s->groups_kept, s->groups_bound, s->groups_unbound,
		 s->groups_reconfigured, s->outputs_kept, s->outputs_opened, s->outputs_closed);
}

void daemon_reload(struct daemon *d)
{
	notify_reloading("reloading configuration");
	d->reload_error[0] = '\0';
	struct nflogd_config cfg;
	struct buf errors, warnings;
	buf_init(&errors);
	buf_init(&warnings);
	int rc = config_load(d->opts->config_path, &cfg, &errors, &warnings);
	log_lines(LOG_LEVEL_WARNING, &warnings);
	if (rc < 0)
		report_invalid(d, &errors);
	buf_free(&errors);
	buf_free(&warnings);
	if (rc < 0)
		return;
	struct reload r;
	if (reload_begin(&r, &d->run, &cfg, &daemon_reload_ops, d) < 0) {
		reload_discard(&r);
		report_failed(d, &r);
		return;
	}
	reload_commit(&r);
	netns_watch_set(d->netns, &d->run.cfg);
	report_applied(d, &r.done);
	log_set_level(d->opts->verbose ? LOG_LEVEL_DEBUG : d->run.cfg.daemon.log_level);
	if (daemon_arm_status_timer(d) < 0)
		log_error("cannot restart the status timer: STATUS= keeps its last value");
	char status[1024];
	daemon_status(d, status, sizeof status);
	daemon_write_event(d, OUTPUT_EVENT_RELOAD, "nflogd reloaded its configuration");
	notify_ready(status);
}
