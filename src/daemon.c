/* daemon.c - the event loop: every group's socket, signals, the interface
 * cache, and the path of a record from reader to outputs. The only file
 * that knows libevent. */
#include "daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "ifcache.h"
#include "log.h"
#include "nflog.h"
#include "nflogd-build.h"
#include "output.h"

/* Records one group may hand out per wakeup before the loop turns to the
 * others: a flooded group cannot starve a quiet one. */
#define GROUP_BUDGET 4096
#define LOSS_WARN_INTERVAL_S 5

struct daemon;

struct group_rt {
	struct daemon *d;
	const struct group_config *cfg;
	struct nflog_reader *reader;
	struct event *ev;
	struct output **outputs;
	size_t n_outputs;
	time_t last_loss_warning;
	uint64_t losses_since_warning;
};

struct daemon {
	struct event_base *base;
	const struct nflogd_config *cfg;
	struct ifcache *ifc;
	struct event *ev_ifc;
	struct output **outputs;     /* parallel to cfg->outputs */
	struct group_rt *groups;     /* parallel to cfg->groups */
	struct event *ev_signals[5];
	struct nflogd_decoded dec;   /* scratch, reused record after record */
};

static const char *loss_word(enum nflog_loss_kind kind)
{
	switch (kind) {
	case NFLOG_LOSS_ENOBUFS: return "socket overrun (ENOBUFS)";
	case NFLOG_LOSS_SEQ_GAP: return "sequence gap";
	case NFLOG_LOSS_TRUNCATED: return "datagram truncated";
	case NFLOG_LOSS_MALFORMED: return "malformed message";
	}
	return "loss";
}

/* Warnings are rate-limited per group; the counters stay exact. */
static void warn_loss(struct group_rt *g, enum nflog_loss_kind kind, uint64_t count)
{
	time_t now = time(NULL);
	g->losses_since_warning++;
	if (now - g->last_loss_warning < LOSS_WARN_INTERVAL_S)
		return;
	const struct nflog_counters *c = nflog_reader_counters(g->reader);
	log_warn("group %u: %s%s%llu; totals: %llu lost by sequence, %llu overruns, %llu truncated",
		 g->cfg->group, loss_word(kind), count ? ", messages lost: " : "",
		 (unsigned long long)count, (unsigned long long)c->lost,
		 (unsigned long long)c->drops, (unsigned long long)c->truncated);
	g->last_loss_warning = now;
	g->losses_since_warning = 0;
}

static void on_loss(void *arg, uint16_t group, enum nflog_loss_kind kind, uint64_t count)
{
	struct group_rt *g = arg;
	(void)group;
	if (g->cfg->enobufs != ENOBUFS_RAISE) {
		log_debug("group %u: %s %llu", g->cfg->group, loss_word(kind), (unsigned long long)count);
		return;
	}
	warn_loss(g, kind, count);
	/* With seq on, an overrun is followed by a gap that says exactly how
	 * many were lost: write that one, not an "unknown" record first. */
	if (kind == NFLOG_LOSS_ENOBUFS && (g->cfg->flags & GROUP_FLAG_SEQ))
		return;
	struct output_loss loss = { .group = g->cfg->group, .kind = kind, .count = count };
	gettimeofday(&loss.when, NULL);
	for (size_t i = 0; i < g->n_outputs; i++)
		output_write_loss(g->outputs[i], &loss);
}

static void on_record(const struct nflogd_record *rec, void *arg)
{
	struct group_rt *g = arg;
	decode_record(rec, &g->d->dec);
	for (size_t i = 0; i < g->n_outputs; i++)
		output_write(g->outputs[i], rec, &g->d->dec);
}

static void flush_group_outputs(struct group_rt *g)
{
	for (size_t i = 0; i < g->n_outputs; i++)
		output_flush(g->outputs[i]);
}

/* Read what the socket holds, up to the budget, then flush the batch. */
static void group_readcb(evutil_socket_t fd, short what, void *arg)
{
	struct group_rt *g = arg;
	(void)fd;
	(void)what;
	if (nflog_reader_loop(g->reader, on_record, g, GROUP_BUDGET, false) < 0)
		log_error("group %u: receive failed: %s", g->cfg->group, strerror(errno));
	flush_group_outputs(g);
}

static void ifcache_readcb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ifcache_process_events(arg);
}

/* Shutdown: unbind each group so the kernel sends what it still holds,
 * read until every socket is empty, flush every output, leave the loop. */
static void shutdown_groups(struct daemon *d)
{
	for (size_t i = 0; i < d->cfg->n_groups; i++) {
		struct group_rt *g = &d->groups[i];
		if (!g->reader)
			continue;
		if (nflog_reader_unbind(g->reader) < 0)
			log_warn("group %u: unbind: %s", g->cfg->group, strerror(errno));
		while (nflog_reader_loop(g->reader, on_record, g, GROUP_BUDGET, false) > 0)
			flush_group_outputs(g);
		flush_group_outputs(g);
	}
}

static void reopen_outputs(struct daemon *d)
{
	for (size_t i = 0; i < d->cfg->n_outputs; i++) {
		char err[512];
		if (output_reopen(d->outputs[i], err, sizeof err) < 0)
			log_error("output %s: reopen failed, still writing to the old file: %s",
				  d->outputs[i]->name, err);
	}
	log_info("outputs reopened");
}

static void signalcb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	(void)what;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("%s: reading what the kernel still holds, flushing, exiting",
			 strsignal((int)sig));
		shutdown_groups(d);
		event_base_loopbreak(d->base);
		break;
	case SIGUSR1:
		reopen_outputs(d);
		break;
	case SIGHUP:
		log_warn("SIGHUP: configuration reload is not implemented in this version; "
			 "reopening outputs only");
		reopen_outputs(d);
		break;
	}
}

static int open_outputs(struct daemon *d)
{
	d->outputs = calloc(d->cfg->n_outputs ? d->cfg->n_outputs : 1, sizeof *d->outputs);
	if (!d->outputs)
		return -1;
	for (size_t i = 0; i < d->cfg->n_outputs; i++) {
		char err[512];
		d->outputs[i] = output_open(&d->cfg->outputs[i], err, sizeof err);
		if (!d->outputs[i]) {
			log_error("%s", err);
			return -1;
		}
	}
	return 0;
}

static void fill_reader_options(struct nflog_options *o, const struct group_config *gc,
				struct group_rt *g, struct ifcache *ifc)
{
	memset(o, 0, sizeof *o);
	o->group = gc->group;
	o->copymode = (uint8_t)gc->copymode;
	o->copy_range = gc->copy_range;
	o->qthresh = gc->qthresh;
	o->timeout_cs = gc->timeout_cs;
	o->set_timeout = true;
	o->nlbuf = gc->nlbuf;
	o->rcvbuf = gc->rcvbuf;
	o->enobufs = (enum nflog_enobufs)gc->enobufs;
	o->flags = gc->flags;
	o->ifcache = ifc;
	o->on_loss = on_loss;
	o->loss_arg = g;
}

static void describe_group(const struct group_rt *g)
{
	const struct group_config *gc = g->cfg;
	static const char *const modes[] = { "none", "meta", "packet" };
	char outs[256] = "";
	size_t used = 0;
	for (size_t i = 0; i < g->n_outputs && used < sizeof outs; i++)
		used += (size_t)snprintf(outs + used, sizeof outs - used, "%s%s", i ? "," : "",
					 g->outputs[i]->name);
	log_info("group %u bound: copymode %s, copy_range %u, qthresh %u, timeout %u.%02us, "
		 "nlbuf %u, rcvbuf %llu (effective), flags 0x%x -> %s", gc->group,
		 modes[gc->copymode], gc->copy_range, gc->qthresh, gc->timeout_cs / 100,
		 gc->timeout_cs % 100, gc->nlbuf, (unsigned long long)nflog_reader_rcvbuf(g->reader),
		 nflog_reader_flags(g->reader), outs);
}

static int open_group(struct daemon *d, struct group_rt *g, const struct group_config *gc)
{
	g->d = d;
	g->cfg = gc;
	g->n_outputs = gc->n_outputs;
	g->outputs = calloc(gc->n_outputs ? gc->n_outputs : 1, sizeof *g->outputs);
	if (!g->outputs)
		return -1;
	for (size_t i = 0; i < gc->n_outputs; i++)
		g->outputs[i] = d->outputs[gc->outputs[i]];
	struct nflog_options o;
	fill_reader_options(&o, gc, g, d->ifc);
	char err[512], warn[512];
	g->reader = nflog_reader_open(&o, err, sizeof err, warn, sizeof warn);
	if (warn[0])
		log_warn("%s", warn);
	if (!g->reader) {
		log_error("%s", err);
		return -1;
	}
	g->ev = event_new(d->base, nflog_reader_fd(g->reader), EV_READ | EV_PERSIST, group_readcb, g);
	if (!g->ev || event_add(g->ev, NULL) < 0)
		return -1;
	describe_group(g);
	return 0;
}

static int open_groups(struct daemon *d)
{
	d->groups = calloc(d->cfg->n_groups ? d->cfg->n_groups : 1, sizeof *d->groups);
	if (!d->groups)
		return -1;
	for (size_t i = 0; i < d->cfg->n_groups; i++)
		if (open_group(d, &d->groups[i], &d->cfg->groups[i]) < 0)
			return -1;
	return 0;
}

static int setup_signals(struct daemon *d)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		d->ev_signals[i] = evsignal_new(d->base, sigs[i], signalcb, d);
		if (!d->ev_signals[i] || event_add(d->ev_signals[i], NULL) < 0)
			return -1;
	}
	return 0;
}

static int setup_ifcache(struct daemon *d)
{
	d->ifc = ifcache_open();
	if (!d->ifc)
		return -1;
	int fd = ifcache_fd(d->ifc);
	if (fd < 0) {
		log_warn("no rtnetlink link events: interface renames show up late");
		return 0;
	}
	d->ev_ifc = event_new(d->base, fd, EV_READ | EV_PERSIST, ifcache_readcb, d->ifc);
	return d->ev_ifc && event_add(d->ev_ifc, NULL) == 0 ? 0 : -1;
}

static void log_final_counters(const struct daemon *d)
{
	for (size_t i = 0; d->groups && i < d->cfg->n_groups; i++) {
		const struct group_rt *g = &d->groups[i];
		if (!g->reader)
			continue;
		const struct nflog_counters *c = nflog_reader_counters(g->reader);
		log_info("group %u: received %llu, lost %llu, overruns %llu, truncated %llu, malformed %llu",
			 g->cfg->group, (unsigned long long)c->received, (unsigned long long)c->lost,
			 (unsigned long long)c->drops, (unsigned long long)c->truncated,
			 (unsigned long long)c->malformed);
	}
	for (size_t i = 0; d->outputs && i < d->cfg->n_outputs; i++) {
		const struct output *o = d->outputs[i];
		if (!o)
			continue;
		log_info("output %s: written %llu, dropped %llu, errors %llu", o->name,
			 (unsigned long long)o->stats.written, (unsigned long long)o->stats.dropped,
			 (unsigned long long)o->stats.errors);
	}
}

static void teardown(struct daemon *d)
{
	for (size_t i = 0; d->groups && i < d->cfg->n_groups; i++) {
		struct group_rt *g = &d->groups[i];
		if (g->ev)
			event_free(g->ev);
		nflog_reader_close(g->reader);
		free(g->outputs);
	}
	free(d->groups);
	for (size_t i = 0; d->outputs && i < d->cfg->n_outputs; i++)
		output_close(d->outputs[i]);
	free(d->outputs);
	for (size_t i = 0; i < sizeof d->ev_signals / sizeof d->ev_signals[0]; i++)
		if (d->ev_signals[i])
			event_free(d->ev_signals[i]);
	if (d->ev_ifc)
		event_free(d->ev_ifc);
	ifcache_close(d->ifc);
	if (d->base)
		event_base_free(d->base);
}

int daemon_run(const struct nflogd_config *cfg)
{
	struct daemon d = { .cfg = cfg };
	int rc = 1;
	d.base = event_base_new();
	if (!d.base) {
		log_error("cannot create the event loop");
		goto out;
	}
	if (setup_signals(&d) < 0 || setup_ifcache(&d) < 0) {
		log_error("startup failed: %s", strerror(errno));
		goto out;
	}
	/* outputs first: a group starts delivering as soon as it is bound */
	if (open_outputs(&d) < 0 || open_groups(&d) < 0)
		goto out;
	log_info("nflogd %s running with %s: %zu groups, %zu outputs", NFLOGD_VERSION, cfg->path,
		 cfg->n_groups, cfg->n_outputs);
	if (event_base_dispatch(d.base) < 0) {
		log_error("event loop failed");
		goto out;
	}
	rc = 0;
out:
	log_final_counters(&d);
	teardown(&d);
	return rc;
}
