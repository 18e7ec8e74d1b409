/* group.c - one bound group: the reader's options from its config, the
 * path of a record from the reader to the outputs, and losses. */
#include "group.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "log.h"
#include "loop.h"
#include "nflog.h"
#include "output.h"

/* Records one group may hand out per wakeup before the loop turns to the
 * others: a flooded group cannot starve a quiet one. */
#define GROUP_BUDGET 4096
#define LOSS_WARN_INTERVAL_S 5

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
	struct group_totals t = group_totals(g);
	char now_lost[64] = "";
	if (count)
		snprintf(now_lost, sizeof now_lost, ", messages lost: %llu",
			 (unsigned long long)count);
	log_warn("%s: %s%s; totals so far: %s%llu messages lost%s, %llu overruns, "
		 "%llu truncated; rcvbuf now %llu",
		 g->label, loss_word(kind), now_lost, t.exact ? "" : "at least ",
		 (unsigned long long)t.lost,
		 t.exact
		     ? " (exact, by sequence numbers, as later records arrive)"
		     : " (a lower bound: without flags = (\"seq\") the exact number is unknown)",
		 (unsigned long long)t.drops, (unsigned long long)t.truncated,
		 (unsigned long long)nflog_reader_rcvbuf(g->reader));
}

static enum output_loss_kind output_kind(enum nflog_loss_kind kind)
{
	switch (kind) {
	case NFLOG_LOSS_ENOBUFS: return OUTPUT_LOSS_ENOBUFS;
	case NFLOG_LOSS_SEQ_GAP: return OUTPUT_LOSS_SEQ_GAP;
	case NFLOG_LOSS_TRUNCATED: return OUTPUT_LOSS_TRUNCATED;
	case NFLOG_LOSS_MALFORMED: return OUTPUT_LOSS_MALFORMED;
	}
	return OUTPUT_LOSS_MALFORMED;
}

static void on_loss(void *arg, uint16_t group, enum nflog_loss_kind kind, uint64_t count)
{
	struct group_rt *g = arg;
	(void)group;
	if (g->cfg->enobufs != ENOBUFS_RAISE) {
		log_debug("%s: %s: %s %llu", __func__, g->label, loss_word(kind),
			  (unsigned long long)count);
		return;
	}
	warn_loss(g, kind, count);
	/* With seq on, an overrun is followed by a gap that says exactly how
	 * many were lost: write that one, not an "unknown" record first. */
	if (kind == NFLOG_LOSS_ENOBUFS && (nflog_reader_flags(g->reader) & GROUP_FLAG_SEQ))
		return;
	struct output_loss loss = { .group = g->cfg->group,
				    .netns = g->ns ? g->ns->name : NULL,
				    .kind = output_kind(kind),
				    .count = count };
	gettimeofday(&loss.when, NULL);
	for (size_t i = 0; i < g->n_outputs; i++)
		output_write_loss(g->outputs[i], &loss);
}

static void on_record(const struct nflogd_record *rec, void *arg)
{
	struct group_rt *g = arg;
	decode_record(rec, &g->env->dec);
	for (size_t i = 0; i < g->n_outputs; i++)
		output_write(g->outputs[i], rec, &g->env->dec);
}

void group_flush_outputs(struct group_rt *g)
{
	for (size_t i = 0; i < g->n_outputs; i++)
		output_flush(g->outputs[i]);
}

/* Read up to the budget, then flush the batch: one write per output. */
static void group_read(struct group_rt *g)
{
	if (nflog_reader_loop(g->reader, on_record, g, GROUP_BUDGET, false) < 0)
		log_error("%s: receive failed: %s", g->label, strerror(errno));
	group_flush_outputs(g);
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
		group_flush_outputs(g);
	group_flush_outputs(g);
}

/* ---- binding ---- */

static void fill_reader_options(struct nflog_options *o, const struct group_config *gc,
				struct group_rt *g)
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
	o->ifcache = g->ns ? g->ns->ifc : g->env->ifc;
	o->netns = g->ns ? g->ns->name : NULL;
	o->on_loss = on_loss;
	o->loss_arg = g;
}

static void set_label(struct group_rt *g, const struct group_config *gc)
{
	if (gc->netns)
		snprintf(g->label, sizeof g->label, "group %u in netns %.24s", gc->group,
			 gc->netns);
	else
		snprintf(g->label, sizeof g->label, "group %u", gc->group);
}

int group_wire(struct group_rt *g, const struct group_config *gc, struct output **outs)
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
	set_label(g, gc);
	if (g->ns) /* the same namespace (the identity says so), maybe by another name */
		snprintf(g->ns->name, sizeof g->ns->name, "%s", gc->netns);
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
	log_info("%s %s: copymode %s, copy_range %u, qthresh %u, timeout %u.%02us, "
		 "nlbuf %u, rcvbuf %llu (effective), flags 0x%x -> %s",
		 g->label, what, modes[gc->copymode], gc->copy_range, gc->qthresh,
		 gc->timeout_cs / 100, gc->timeout_cs % 100, gc->nlbuf,
		 (unsigned long long)nflog_reader_rcvbuf(g->reader), nflog_reader_flags(g->reader),
		 outs);
}

void group_close(struct group_rt *g)
{
	if (!g)
		return;
	loop_event_free(g->ev);
	nflog_reader_close(g->reader);
	group_netns_close(g);
	free(g->outputs);
	free(g);
}

int group_start_reader(struct group_rt *g, char *err, size_t errlen)
{
	struct nflog_options o;
	fill_reader_options(&o, g->cfg, g);
	char warn[512];
	g->reader = nflog_reader_open(&o, err, errlen, warn, sizeof warn);
	if (warn[0])
		log_warn("%s", warn);
	if (!g->reader)
		return -1;
	g->ev = loop_watch_fd(g->env->loop, nflog_reader_fd(g->reader), LOOP_READ, group_readcb, g);
	if (!g->ev) {
		snprintf(err, errlen, "%s: cannot watch its socket", g->label);
		nflog_reader_close(g->reader);
		g->reader = NULL;
		return -1;
	}
	describe_group(g, "bound");
	return 0;
}

/* The sum of two readers' counters: lost is exact only if it is for both. */
static void add_totals(struct group_totals *t, const struct group_totals *u)
{
	t->received += u->received;
	t->lost += u->lost;
	t->drops += u->drops;
	t->truncated += u->truncated;
	t->malformed += u->malformed;
	t->unsequenced += u->unsequenced;
	t->rcvbuf_grows += u->rcvbuf_grows;
	t->exact &= u->exact;
	t->loss_pending |= u->loss_pending;
}

struct group_totals group_totals(const struct group_rt *g)
{
	struct group_totals t = { .exact = true };
	if (g->ns)
		add_totals(&t, &g->ns->past);
	if (!g->reader)
		return t;
	const struct nflog_counters *c = nflog_reader_counters(g->reader);
	struct group_totals now = {
		.received = c->received,
		.drops = c->drops,
		.truncated = c->truncated,
		.malformed = c->malformed,
		.unsequenced = c->unsequenced,
		.rcvbuf_grows = c->rcvbuf_grows,
		.loss_pending = c->loss_pending != 0,
	};
	now.lost = nflog_reader_lost(g->reader, &now.exact);
	add_totals(&t, &now);
	return t;
}

void group_stop_reader(struct group_rt *g)
{
	group_finish(g);
	if (g->ns) {
		struct group_totals now = group_totals(g);
		g->ns->past = now; /* the past readers' and this one's */
	}
	loop_event_free(g->ev);
	g->ev = NULL;
	nflog_reader_close(g->reader);
	g->reader = NULL;
}

struct group_rt *group_open(struct group_env *env, const struct group_config *gc,
			    struct output **outs)
{
	struct group_rt *g = calloc(1, sizeof *g);
	if (!g || group_wire(g, gc, outs) < 0) {
		log_error("group %u: out of memory", gc->group);
		free(g);
		return NULL;
	}
	g->env = env;
	g->loss_warning = (struct ratelimit)RATELIMIT_INIT(LOSS_WARN_INTERVAL_S);
	if (gc->netns) {
		if (group_netns_open(g) == 0) /* bound, or waiting for its namespace */
			return g;
		group_close(g); /* it said why */
		return NULL;
	}
	char err[512];
	if (group_start_reader(g, err, sizeof err) < 0) {
		log_error("%s", err);
		group_close(g);
		return NULL;
	}
	return g;
}

void group_reconfigure(struct group_rt *g)
{
	if (!g->reader)
		return; /* waiting: the options apply when it is bound */
	struct nflog_options o;
	fill_reader_options(&o, g->cfg, g);
	char err[512], warn[512];
	if (nflog_reader_reconfigure(g->reader, &o, err, sizeof err, warn, sizeof warn) < 0)
		log_error("%s (the group keeps running)", err);
	if (warn[0])
		log_warn("%s", warn);
	describe_group(g, "reconfigured");
	if (nflog_reader_has_pending(g->reader))
		group_read(g);
}

void group_finish(struct group_rt *g)
{
	if (!g->reader)
		return;
	if (nflog_reader_unbind(g->reader) < 0)
		log_warn("%s: unbind: %s", g->label, strerror(errno));
	group_drain(g);
}
