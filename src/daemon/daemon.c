/* daemon.c - the running daemon: groups, outputs, signals, status and
 * reload, and the path of a record from reader to outputs. */
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "ifcache.h"
#include "log.h"
#include "loop.h"
#include "nflog.h"
#include "nflogd-build.h"
#include "notify.h"
#include "output.h"
#include "ratelimit.h"
#include "shutdown_deadline.h"

/* Records one group may hand out per wakeup before the loop turns to the
 * others: a flooded group cannot starve a quiet one. */
#define GROUP_BUDGET 4096
#define LOSS_WARN_INTERVAL_S 5
/* Shutdown reads what the kernel holds and flushes every output; should a
 * peer or disk hang that, SIGALRM ends the process after this long, armed
 * by the signal's handler itself (shutdown_deadline.h): a stuck loop too. */
#define SHUTDOWN_DEADLINE_S 15

struct daemon;

/* One bound group. Allocated on its own so that its address (given to the
 * reader and the loop) survives reloads. */
struct group_rt {
	struct daemon *d;
	const struct group_config *cfg; /* into d->cfg */
	struct nflog_reader *reader;
	struct loop_event *ev;
	struct output **outputs;
	size_t n_outputs;
	struct ratelimit loss_warning;
};

struct daemon {
	const struct daemon_options *opts;
	struct loop *loop;
	struct nflogd_config cfg; /* owned */
	struct ifcache *ifc;
	struct loop_event *ev_ifc;
	struct output **outputs;  /* parallel to cfg.outputs */
	struct group_rt **groups; /* parallel to cfg.groups */
	struct loop_event *ev_signals[6];
	struct loop_event *status_timer;
	struct nflogd_decoded dec; /* scratch, reused record after record */
	char reload_error[512];	   /* why the last reload was rejected; kept
				      in STATUS= until a reload succeeds */
};

/* ---- records and losses ---- */

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
	if (!ratelimit_allow(&g->loss_warning))
		return;
	const struct nflog_counters *c = nflog_reader_counters(g->reader);
	bool exact;
	uint64_t lost = nflog_reader_lost(g->reader, &exact);
	char now_lost[64] = "";
	if (count)
		snprintf(now_lost, sizeof now_lost, ", messages lost: %llu",
			 (unsigned long long)count);
	log_warn("group %u: %s%s; totals so far: %s%llu messages lost%s, %llu overruns, "
		 "%llu truncated; rcvbuf now %llu",
		 g->cfg->group, loss_word(kind), now_lost, exact ? "" : "at least ",
		 (unsigned long long)lost,
		 exact ? " (exact, by sequence numbers, as later records arrive)"
		       : " (a lower bound: without flags = (\"seq\") the exact number is unknown)",
		 (unsigned long long)c->drops, (unsigned long long)c->truncated,
		 (unsigned long long)nflog_reader_rcvbuf(g->reader));
}

static void on_loss(void *arg, uint16_t group, enum nflog_loss_kind kind, uint64_t count)
{
	struct group_rt *g = arg;
	(void)group;
	if (g->cfg->enobufs != ENOBUFS_RAISE) {
		log_debug("group %u: %s %llu", g->cfg->group, loss_word(kind),
			  (unsigned long long)count);
		return;
	}
	warn_loss(g, kind, count);
	/* With seq on, an overrun is followed by a gap that says exactly how
	 * many were lost: write that one, not an "unknown" record first. */
	if (kind == NFLOG_LOSS_ENOBUFS && (nflog_reader_flags(g->reader) & GROUP_FLAG_SEQ))
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

/* Read up to the budget, then flush the batch: one write per output. */
static void group_read(struct group_rt *g)
{
	if (nflog_reader_loop(g->reader, on_record, g, GROUP_BUDGET, false) < 0)
		log_error("group %u: receive failed: %s", g->cfg->group, strerror(errno));
	flush_group_outputs(g);
}

static void group_readcb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	group_read(arg);
}

/* Read until the reader and its socket are empty. */
static void group_drain(struct group_rt *g)
{
	while (nflog_reader_loop(g->reader, on_record, g, GROUP_BUDGET, false) > 0)
		flush_group_outputs(g);
	flush_group_outputs(g);
}

/* ---- groups ---- */

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
	o->rcvbuf_max = gc->rcvbuf_max;
	o->enobufs = (enum nflog_enobufs)gc->enobufs;
	o->flags = gc->flags;
	o->ifcache = ifc;
	o->on_loss = on_loss;
	o->loss_arg = g;
}

/* Point g at the outputs its config names, among outs. */
static int wire_outputs(struct group_rt *g, const struct group_config *gc, struct output **outs)
{
	struct output **o = calloc(gc->n_outputs ? gc->n_outputs : 1, sizeof *o);
	if (!o)
		return -1;
	for (size_t i = 0; i < gc->n_outputs; i++)
		o[i] = outs[gc->outputs[i]];
	free(g->outputs);
	g->outputs = o;
	g->n_outputs = gc->n_outputs;
	g->cfg = gc;
	return 0;
}

static void describe_group(const struct group_rt *g, const char *what)
{
	const struct group_config *gc = g->cfg;
	static const char *const modes[] = { "none", "meta", "packet" };
	char outs[256] = "";
	size_t used = 0;
	for (size_t i = 0; i < g->n_outputs && used < sizeof outs; i++)
		used += (size_t)snprintf(outs + used, sizeof outs - used, "%s%s", i ? "," : "",
					 g->outputs[i]->name);
	log_info("group %u %s: copymode %s, copy_range %u, qthresh %u, timeout %u.%02us, "
		 "nlbuf %u, rcvbuf %llu (effective), flags 0x%x -> %s",
		 gc->group, what, modes[gc->copymode], gc->copy_range, gc->qthresh,
		 gc->timeout_cs / 100, gc->timeout_cs % 100, gc->nlbuf,
		 (unsigned long long)nflog_reader_rcvbuf(g->reader), nflog_reader_flags(g->reader),
		 outs);
}

static void group_close(struct group_rt *g)
{
	if (!g)
		return;
	loop_event_free(g->ev);
	nflog_reader_close(g->reader);
	free(g->outputs);
	free(g);
}

/* Bind gc's group and route it to outs. NULL (reported) on failure. */
static struct group_rt *group_open(struct daemon *d, const struct group_config *gc,
				   struct output **outs)
{
	struct group_rt *g = calloc(1, sizeof *g);
	if (!g || wire_outputs(g, gc, outs) < 0) {
		log_error("group %u: out of memory", gc->group);
		free(g);
		return NULL;
	}
	g->d = d;
	g->loss_warning = (struct ratelimit)RATELIMIT_INIT(LOSS_WARN_INTERVAL_S);
	struct nflog_options o;
	fill_reader_options(&o, gc, g, d->ifc);
	char err[512], warn[512];
	g->reader = nflog_reader_open(&o, err, sizeof err, warn, sizeof warn);
	if (warn[0])
		log_warn("%s", warn);
	if (!g->reader) {
		log_error("%s", err);
		group_close(g);
		return NULL;
	}
	g->ev = loop_watch_fd(d->loop, nflog_reader_fd(g->reader), LOOP_READ, group_readcb, g);
	if (!g->ev) {
		log_error("group %u: cannot watch its socket", gc->group);
		group_close(g);
		return NULL;
	}
	describe_group(g, "bound");
	return g;
}

/* Apply changed options to a kept group on its own socket. */
static void group_reconfigure(struct daemon *d, struct group_rt *g)
{
	struct nflog_options o;
	fill_reader_options(&o, g->cfg, g, d->ifc);
	char err[512], warn[512];
	if (nflog_reader_reconfigure(g->reader, &o, err, sizeof err, warn, sizeof warn) < 0)
		log_error("%s (the group keeps running)", err);
	if (warn[0])
		log_warn("%s", warn);
	describe_group(g, "reconfigured");
	if (nflog_reader_has_pending(g->reader))
		group_read(g);
}

/* Unbind (the kernel sends what it still holds), read it all, flush. */
static void group_finish(struct group_rt *g)
{
	if (nflog_reader_unbind(g->reader) < 0)
		log_warn("group %u: unbind: %s", g->cfg->group, strerror(errno));
	group_drain(g);
}

/* ---- counters: status line and stats ---- */

struct totals {
	uint64_t received, lost, drops, written, dropped, errors, queued;
	bool lost_inexact; /* some group has no seq flag: lost is a lower bound */
};

static struct totals sum_counters(const struct daemon *d)
{
	struct totals t = { 0 };
	for (size_t i = 0; d->groups && i < d->cfg.n_groups; i++) {
		if (!d->groups[i])
			continue;
		const struct nflog_counters *c = nflog_reader_counters(d->groups[i]->reader);
		bool exact;
		t.received += c->received;
		t.lost += nflog_reader_lost(d->groups[i]->reader, &exact);
		t.lost_inexact |= !exact;
		t.drops += c->drops;
	}
	for (size_t i = 0; d->outputs && i < d->cfg.n_outputs; i++) {
		if (!d->outputs[i])
			continue;
		t.written += d->outputs[i]->stats.written;
		t.dropped += d->outputs[i]->stats.dropped;
		t.errors += d->outputs[i]->stats.errors;
		t.queued += d->outputs[i]->stats.queued;
	}
	return t;
}

/* One line for STATUS=: totals first (what `systemctl status` shows must
 * fit), then per group and per output. */
static void status_text(const struct daemon *d, char *out, size_t len)
{
	struct totals t = sum_counters(d);
	size_t n = 0;
	if (d->reload_error[0])
		n = (size_t)snprintf(out, len, "%s | ", d->reload_error);
	n += (size_t)snprintf(
	    out + n, len - n,
	    "%zu groups: %llu received, %s%llu lost, %llu overruns; %zu outputs: %llu written, "
	    "%llu queued, %llu dropped, %llu errors |",
	    d->cfg.n_groups, (unsigned long long)t.received, t.lost_inexact ? ">=" : "",
	    (unsigned long long)t.lost, (unsigned long long)t.drops, d->cfg.n_outputs,
	    (unsigned long long)t.written, (unsigned long long)t.queued,
	    (unsigned long long)t.dropped, (unsigned long long)t.errors);
	for (size_t i = 0; d->groups && i < d->cfg.n_groups && n < len; i++) {
		const struct nflog_counters *c = nflog_reader_counters(d->groups[i]->reader);
		bool exact;
		uint64_t lost = nflog_reader_lost(d->groups[i]->reader, &exact);
		n += (size_t)snprintf(out + n, len - n, " g%u %llu/%s%llu/%llu",
				      d->cfg.groups[i].group, (unsigned long long)c->received,
				      exact ? "" : ">=", (unsigned long long)lost,
				      (unsigned long long)c->drops);
	}
	for (size_t i = 0; d->outputs && i < d->cfg.n_outputs && n < len; i++) {
		const struct output_stats *s = &d->outputs[i]->stats;
		n +=
		    (size_t)snprintf(out + n, len - n, " %s %llu/%llu/%llu", d->outputs[i]->name,
				     (unsigned long long)s->written, (unsigned long long)s->dropped,
				     (unsigned long long)s->errors);
	}
}

static void log_counters(const struct daemon *d)
{
	for (size_t i = 0; d->groups && i < d->cfg.n_groups; i++) {
		const struct group_rt *g = d->groups[i];
		if (!g)
			continue;
		const struct nflog_counters *c = nflog_reader_counters(g->reader);
		bool exact;
		uint64_t lost = nflog_reader_lost(g->reader, &exact);
		log_info("group %u: received %llu, lost %s%llu%s, overruns %llu, truncated %llu, "
			 "malformed %llu, rcvbuf %llu (grown %llu times)",
			 g->cfg->group, (unsigned long long)c->received, exact ? "" : "at least ",
			 (unsigned long long)lost,
			 !exact ? " (lower bound: no seq flag)"
			 : c->loss_pending
			     ? " (plus the loss of a last overrun: counted when the next "
			       "record arrives)"
			     : "",
			 (unsigned long long)c->drops, (unsigned long long)c->truncated,
			 (unsigned long long)c->malformed,
			 (unsigned long long)nflog_reader_rcvbuf(g->reader),
			 (unsigned long long)c->rcvbuf_grows);
	}
	for (size_t i = 0; d->outputs && i < d->cfg.n_outputs; i++) {
		const struct output *o = d->outputs[i];
		if (!o)
			continue;
		log_info("output %s: written %llu, queued %llu, dropped %llu, errors %llu", o->name,
			 (unsigned long long)o->stats.written, (unsigned long long)o->stats.queued,
			 (unsigned long long)o->stats.dropped, (unsigned long long)o->stats.errors);
	}
}

static void status_timercb(void *arg)
{
	struct daemon *d = arg;
	char status[1024];
	status_text(d, status, sizeof status);
	notify_status(status);
}

static void arm_status_timer(struct daemon *d)
{
	if (d->status_timer)
		loop_timer_arm(d->status_timer, d->cfg.daemon.status_interval);
}

/* ---- outputs ---- */

static void close_outputs(struct output **outs, size_t n)
{
	for (size_t i = 0; outs && i < n; i++)
		output_close(outs[i]);
	free(outs);
}

static void reopen_outputs(struct daemon *d)
{
	size_t failed = 0;
	for (size_t i = 0; i < d->cfg.n_outputs; i++) {
		char err[512];
		if (output_reopen(d->outputs[i], err, sizeof err) < 0) {
			log_error("output %s: reopen failed, still writing where it was: %s",
				  d->outputs[i]->name, err);
			failed++;
		}
	}
	log_info("outputs reopened (%zu of %zu failed; those are retried)", failed,
		 d->cfg.n_outputs);
}

static void write_event(struct daemon *d, enum output_event ev, const char *text)
{
	for (size_t i = 0; d->outputs && i < d->cfg.n_outputs; i++) {
		output_write_event(d->outputs[i], ev, text);
		output_flush(d->outputs[i]);
	}
}

/* ---- reload ---- */

/* A reload that is being built: the new config and what will run it. */
struct next {
	struct nflogd_config cfg;
	struct output **outputs;  /* parallel to cfg.outputs */
	struct group_rt **groups; /* parallel to cfg.groups */
	bool *output_kept;	  /* parallel to the old outputs */
	bool *group_kept;	  /* parallel to the old groups */
	size_t outputs_opened, groups_bound, groups_changed;
};

static int find_group(const struct nflogd_config *cfg, uint16_t group)
{
	for (size_t i = 0; i < cfg->n_groups; i++)
		if (cfg->groups[i].group == group)
			return (int)i;
	return -1;
}

/* Keep outputs whose settings did not change, open the others. */
static int next_outputs(struct daemon *d, struct next *n)
{
	for (size_t i = 0; i < n->cfg.n_outputs; i++) {
		const struct output_config *oc = &n->cfg.outputs[i];
		int j = config_find_output(&d->cfg, oc->name);
		if (j >= 0 && config_output_equal(&d->cfg.outputs[j], oc)) {
			n->outputs[i] = d->outputs[j];
			n->output_kept[j] = true;
			continue;
		}
		char err[512];
		n->outputs[i] = output_open(oc, d->loop, err, sizeof err);
		if (!n->outputs[i]) {
			log_error("reload: %s", err);
			snprintf(d->reload_error, sizeof d->reload_error,
				 "last reload rejected, running the previous configuration: %.400s",
				 err);
			return -1;
		}
		n->outputs_opened++;
	}
	return 0;
}

/* Groups that stay keep their socket; new ones are bound now. */
static int next_groups(struct daemon *d, struct next *n)
{
	for (size_t i = 0; i < n->cfg.n_groups; i++) {
		const struct group_config *gc = &n->cfg.groups[i];
		int j = find_group(&d->cfg, gc->group);
		if (j >= 0) {
			n->groups[i] = d->groups[j];
			n->group_kept[j] = true;
			continue;
		}
		n->groups[i] = group_open(d, gc, n->outputs);
		if (!n->groups[i]) {
			snprintf(d->reload_error, sizeof d->reload_error,
				 "last reload rejected, running the previous configuration: "
				 "group %u cannot be bound (the reason is in the log)",
				 gc->group);
			return -1;
		}
		n->groups_bound++;
	}
	return 0;
}

/* Undo a reload that failed before anything running was touched. */
static void next_discard(struct daemon *d, struct next *n)
{
	for (size_t i = 0; n->groups && i < n->cfg.n_groups; i++)
		if (n->groups[i] && find_group(&d->cfg, n->cfg.groups[i].group) < 0)
			group_close(n->groups[i]);
	for (size_t i = 0; n->outputs && i < n->cfg.n_outputs; i++) {
		int j = config_find_output(&d->cfg, n->cfg.outputs[i].name);
		bool kept = j >= 0 && n->outputs[i] == d->outputs[j];
		if (n->outputs[i] && !kept)
			output_close(n->outputs[i]);
	}
	free(n->outputs);
	free(n->groups);
	free(n->output_kept);
	free(n->group_kept);
	config_free(&n->cfg);
}

/* The switch: nothing below can fail the reload any more. */
static void next_commit(struct daemon *d, struct next *n)
{
	size_t removed = 0;
	for (size_t j = 0; j < d->cfg.n_groups; j++) {
		if (n->group_kept[j])
			continue;
		group_finish(d->groups[j]); /* into its old outputs, still open */
		const struct nflog_counters *c = nflog_reader_counters(d->groups[j]->reader);
		bool exact;
		uint64_t lost = nflog_reader_lost(d->groups[j]->reader, &exact);
		log_info("group %u unbound: received %llu, lost %s%llu, overruns %llu",
			 d->cfg.groups[j].group, (unsigned long long)c->received,
			 exact ? "" : "at least ", (unsigned long long)lost,
			 (unsigned long long)c->drops);
		group_close(d->groups[j]);
		removed++;
	}
	for (size_t i = 0; i < n->cfg.n_groups; i++) {
		struct group_rt *g = n->groups[i];
		const struct group_config *gc = &n->cfg.groups[i];
		if (g->cfg == gc)
			continue; /* newly bound */
		bool changed = !config_group_options_equal(g->cfg, gc);
		flush_group_outputs(g);
		if (wire_outputs(g, gc, n->outputs) < 0)
			log_error("group %u: out of memory re-wiring outputs", gc->group);
		if (changed) {
			group_reconfigure(d, g);
			n->groups_changed++;
		}
	}
	size_t closed = 0;
	for (size_t j = 0; j < d->cfg.n_outputs; j++) {
		if (n->output_kept[j])
			continue;
		output_close(d->outputs[j]);
		closed++;
	}
	log_info("reload of %s applied: groups %zu kept, %zu bound, %zu unbound, %zu reconfigured; "
		 "outputs %zu kept, %zu opened, %zu closed",
		 d->opts->config_path, n->cfg.n_groups - n->groups_bound, n->groups_bound, removed,
		 n->groups_changed, n->cfg.n_outputs - n->outputs_opened, n->outputs_opened,
		 closed);
	free(d->outputs);
	free(d->groups);
	config_free(&d->cfg);
	d->cfg = n->cfg;
	d->outputs = n->outputs;
	d->groups = n->groups;
	free(n->output_kept);
	free(n->group_kept);
}

static void report_rejected(struct daemon *d, const struct buf *errors)
{
	char status[1024];
	const char *text = errors->data ? errors->data : "";
	const char *end = memchr(text, '\n', errors->len);
	int first = end ? (int)(end - text) : (int)errors->len;
	log_error("reload rejected, still running the previous configuration; %s has errors:",
		  d->opts->config_path);
	for (const char *p = text; p < text + errors->len;) {
		const char *nl = memchr(p, '\n', (size_t)(text + errors->len - p));
		int l = nl ? (int)(nl - p) : (int)(text + errors->len - p);
		log_error("%.*s", l, p);
		p += l + 1;
	}
	snprintf(d->reload_error, sizeof d->reload_error,
		 "last reload rejected, running the previous configuration: %.*s", first, text);
	status_text(d, status, sizeof status);
	notify_ready(status);
}

/* SIGHUP: validate the file with the same code as --check-config, then
 * apply it as a difference, or keep everything as it is. */
static void reload(struct daemon *d)
{
	notify_reloading("reloading configuration");
	d->reload_error[0] = '\0';
	struct next n = { 0 };
	struct buf errors;
	buf_init(&errors);
	if (config_load(d->opts->config_path, &n.cfg, &errors) < 0) {
		report_rejected(d, &errors);
		buf_free(&errors);
		return;
	}
	buf_free(&errors);
	n.outputs = calloc(n.cfg.n_outputs + 1, sizeof *n.outputs);
	n.groups = calloc(n.cfg.n_groups + 1, sizeof *n.groups);
	n.output_kept = calloc(d->cfg.n_outputs + 1, sizeof *n.output_kept);
	n.group_kept = calloc(d->cfg.n_groups + 1, sizeof *n.group_kept);
	if (!n.outputs || !n.groups || !n.output_kept || !n.group_kept || next_outputs(d, &n) < 0 ||
	    next_groups(d, &n) < 0) {
		next_discard(d, &n);
		log_error("reload rejected, still running the previous configuration");
		if (!d->reload_error[0])
			snprintf(d->reload_error, sizeof d->reload_error,
				 "last reload rejected, "
				 "running the previous configuration (the reason is in the log)");
		char status[1024];
		status_text(d, status, sizeof status);
		notify_ready(status);
		return;
	}
	next_commit(d, &n);
	log_set_level(d->opts->verbose ? LOG_LEVEL_DEBUG : d->cfg.daemon.log_level);
	arm_status_timer(d);
	char status[1024];
	status_text(d, status, sizeof status);
	write_event(d, OUTPUT_EVENT_RELOAD, "nflogd reloaded its configuration");
	notify_ready(status);
}

/* ---- signals ---- */

/* Shutdown: unbind each group so the kernel sends what it still holds,
 * read until every socket is empty, flush every output, leave the loop. */
static void shutdown_daemon(struct daemon *d, int sig)
{
	log_info("%s: reading what the kernel still holds, flushing, exiting", strsignal(sig));
	notify_stopping("stopping: draining groups and flushing outputs");
	for (size_t i = 0; i < d->cfg.n_groups; i++)
		group_finish(d->groups[i]);
	write_event(d, OUTPUT_EVENT_STOP, "nflogd stopping");
	loop_break(d->loop);
}

static void signalcb(int sig, void *arg)
{
	struct daemon *d = arg;
	switch (sig) {
	case SIGTERM:
	case SIGINT: shutdown_daemon(d, sig); break;
	case SIGHUP: reload(d); break;
	case SIGUSR1: reopen_outputs(d); break;
	case SIGUSR2: log_counters(d); break;
	}
}

static void ifcache_readcb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ifcache_process_events(arg);
}

/* ---- start and stop ---- */

static int setup_loop(struct daemon *d)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 };
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (!(d->ev_signals[i] = loop_signal(d->loop, sigs[i], signalcb, d)))
			return -1;
	d->ifc = ifcache_open();
	if (!d->ifc)
		return -1;
	int fd = ifcache_fd(d->ifc);
	if (fd < 0)
		log_warn("no rtnetlink link events: interface renames show up late");
	else if (!(d->ev_ifc = loop_watch_fd(d->loop, fd, LOOP_READ, ifcache_readcb, d->ifc)))
		return -1;
	d->status_timer = loop_timer(d->loop, true, status_timercb, d);
	if (!d->status_timer)
		return -1;
	arm_status_timer(d);
	return notify_init(d->loop);
}

static int open_all(struct daemon *d)
{
	d->outputs = calloc(d->cfg.n_outputs + 1, sizeof *d->outputs);
	d->groups = calloc(d->cfg.n_groups + 1, sizeof *d->groups);
	if (!d->outputs || !d->groups)
		return -1;
	/* outputs first: a group starts delivering as soon as it is bound */
	for (size_t i = 0; i < d->cfg.n_outputs; i++) {
		char err[512];
		if (!(d->outputs[i] = output_open(&d->cfg.outputs[i], d->loop, err, sizeof err))) {
			log_error("%s", err);
			return -1;
		}
	}
	for (size_t i = 0; i < d->cfg.n_groups; i++)
		if (!(d->groups[i] = group_open(d, &d->cfg.groups[i], d->outputs)))
			return -1;
	return 0;
}

static void teardown(struct daemon *d)
{
	for (size_t i = 0; d->groups && i < d->cfg.n_groups; i++)
		group_close(d->groups[i]);
	free(d->groups);
	close_outputs(d->outputs, d->cfg.n_outputs);
	for (size_t i = 0; i < sizeof d->ev_signals / sizeof d->ev_signals[0]; i++)
		loop_event_free(d->ev_signals[i]);
	loop_event_free(d->ev_ifc);
	loop_event_free(d->status_timer);
	notify_fini();
	ifcache_close(d->ifc);
	loop_free(d->loop);
	config_free(&d->cfg);
}

int daemon_run(const struct daemon_options *opts, struct nflogd_config *cfg)
{
	struct daemon d = { .opts = opts, .cfg = *cfg };
	memset(cfg, 0, sizeof *cfg); /* the daemon owns it now */
	int rc = 1;
	if (!(d.loop = loop_new()) || setup_loop(&d) < 0 ||
	    shutdown_deadline_on(SIGTERM, SHUTDOWN_DEADLINE_S) < 0 ||
	    shutdown_deadline_on(SIGINT, SHUTDOWN_DEADLINE_S) < 0) {
		log_error("startup failed: %s", strerror(errno));
		goto out;
	}
	if (open_all(&d) < 0) {
		notify_status("startup failed: a group could not be bound or an output opened "
			      "(the reason is in the log: journalctl -u nflogd)");
		goto out;
	}
	char status[1024];
	status_text(&d, status, sizeof status);
	write_event(&d, OUTPUT_EVENT_START, "nflogd started");
	notify_ready(status);
	log_info("nflogd %s running with %s: %zu groups, %zu outputs", NFLOGD_VERSION,
		 opts->config_path, d.cfg.n_groups, d.cfg.n_outputs);
	if (loop_run(d.loop) < 0) {
		log_error("event loop failed");
		goto out;
	}
	rc = 0;
out:
	log_counters(&d);
	teardown(&d);
	return rc;
}
