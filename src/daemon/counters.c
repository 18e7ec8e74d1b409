/* counters.c - totals, the STATUS= line and the counter log lines. */
#include "counters.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "group.h"
#include "log.h"
#include "nflog.h"
#include "output.h"

struct totals {
	uint64_t received, lost, drops, written, dropped, errors, queued;
	bool lost_inexact; /* some group has no seq flag: lost is a lower bound */
	size_t waiting;	   /* groups waiting for their network namespace */
};

static struct totals sum_counters(const struct running *run)
{
	struct totals t = { 0 };
	for (size_t i = 0; run->groups && i < run->cfg.n_groups; i++) {
		if (!run->groups[i])
			continue;
		struct group_totals g = group_totals(run->groups[i]);
		t.received += g.received;
		t.lost += g.lost;
		t.lost_inexact |= !g.exact;
		t.drops += g.drops;
		t.waiting += !run->groups[i]->reader;
	}
	for (size_t i = 0; run->outputs && i < run->cfg.n_outputs; i++) {
		if (!run->outputs[i])
			continue;
		t.written += run->outputs[i]->stats.written;
		t.dropped += run->outputs[i]->stats.dropped;
		t.errors += run->outputs[i]->stats.errors;
		t.queued += run->outputs[i]->stats.queued;
	}
	return t;
}

/* Totals first: what `systemctl status` shows must fit. */
void counters_status(const struct running *run, const char *reload_error, char *out, size_t len)
{
	struct totals t = sum_counters(run);
	size_t n = 0;
	if (reload_error[0])
		n = (size_t)snprintf(out, len, "%s | ", reload_error);
	char waiting[64] = "";
	if (t.waiting)
		snprintf(waiting, sizeof waiting, " (%zu waiting for their network namespace)",
			 t.waiting);
	n += (size_t)snprintf(
	    out + n, len - n,
	    "%zu groups%s: %llu received, %s%llu lost, %llu overruns; %zu outputs: %llu written, "
	    "%llu queued, %llu dropped, %llu errors |",
	    run->cfg.n_groups, waiting, (unsigned long long)t.received, t.lost_inexact ? ">=" : "",
	    (unsigned long long)t.lost, (unsigned long long)t.drops, run->cfg.n_outputs,
	    (unsigned long long)t.written, (unsigned long long)t.queued,
	    (unsigned long long)t.dropped, (unsigned long long)t.errors);
	for (size_t i = 0; run->outputs && i < run->cfg.n_outputs && n < len; i++)
		if (run->outputs[i] && run->outputs[i]->problem[0])
			n += (size_t)snprintf(out + n, len - n, " %s: %s |", run->outputs[i]->name,
					      run->outputs[i]->problem);
	for (size_t i = 0; run->groups && i < run->cfg.n_groups && n < len; i++) {
		const struct group_rt *g = run->groups[i];
		const struct group_config *gc = &run->cfg.groups[i];
		struct group_totals c = group_totals(g);
		n += (size_t)snprintf(out + n, len - n, " g%u%s%.24s", gc->group,
				      gc->netns ? "@" : "", gc->netns ? gc->netns : "");
		if (n >= len)
			break;
		if (!g->reader)
			n += (size_t)snprintf(out + n, len - n, " waiting");
		else
			n += (size_t)snprintf(out + n, len - n, " %llu/%s%llu/%llu",
					      (unsigned long long)c.received,
					      c.exact ? "" : ">=", (unsigned long long)c.lost,
					      (unsigned long long)c.drops);
	}
	for (size_t i = 0; run->outputs && i < run->cfg.n_outputs && n < len; i++) {
		const struct output_stats *s = &run->outputs[i]->stats;
		n +=
		    (size_t)snprintf(out + n, len - n, " %s %llu/%llu/%llu", run->outputs[i]->name,
				     (unsigned long long)s->written, (unsigned long long)s->dropped,
				     (unsigned long long)s->errors);
	}
}

static void log_group(const struct group_rt *g)
{
	struct group_totals c = group_totals(g);
	log_info("%s: received %llu, lost %s%llu%s, overruns %llu, truncated %llu, "
		 "malformed %llu, unsequenced %llu, rcvbuf %llu (grown %llu times)%s%s",
		 g->label, (unsigned long long)c.received, c.exact ? "" : "at least ",
		 (unsigned long long)c.lost,
		 !c.exact	  ? " (lower bound: no seq flag)"
		 : c.loss_pending ? " (plus the loss of a last overrun: counted when the next "
				    "record arrives)"
				  : "",
		 (unsigned long long)c.drops, (unsigned long long)c.truncated,
		 (unsigned long long)c.malformed, (unsigned long long)c.unsequenced,
		 (unsigned long long)(g->reader ? nflog_reader_rcvbuf(g->reader) : 0),
		 (unsigned long long)c.rcvbuf_grows,
		 g->reader ? "" : "; waiting: ", g->reader ? "" : g->ns->waiting);
}

void counters_log(const struct running *run)
{
	for (size_t i = 0; run->groups && i < run->cfg.n_groups; i++)
		if (run->groups[i])
			log_group(run->groups[i]);
	for (size_t i = 0; run->outputs && i < run->cfg.n_outputs; i++) {
		const struct output *o = run->outputs[i];
		if (!o)
			continue;
		log_info("output %s: written %llu, queued %llu, dropped %llu, errors %llu%s%s",
			 o->name, (unsigned long long)o->stats.written,
			 (unsigned long long)o->stats.queued, (unsigned long long)o->stats.dropped,
			 (unsigned long long)o->stats.errors, o->problem[0] ? "; now: " : "",
			 o->problem);
	}
}

void counters_log_unbound(const struct group_rt *g)
{
	struct group_totals c = group_totals(g);
	log_info("%s unbound: received %llu, lost %s%llu, overruns %llu", g->label,
		 (unsigned long long)c.received, c.exact ? "" : "at least ",
		 (unsigned long long)c.lost, (unsigned long long)c.drops);
}
