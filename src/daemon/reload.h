/* reload.h - a reload as a transaction: begin, then commit or discard.
 *
 * Two parts:
 *  - the plan (pure): from the running config and the new one alone, what
 *    happens to each output and group. An output is kept when an old one
 *    has its name and the same settings, else opened (and the old one of
 *    that name, if any, closed). A group is kept when an old one has its
 *    identity (config_group_identity_cmp(), the one place that says
 *    what makes two groups "the same"), reconfigured on its own socket
 *    when its options differ, else bound; old ones not kept are unbound.
 *    Matching sorts both sides: a reload of n groups costs O(n log n).
 *  - the transaction over the world: reload_begin() opens the new outputs
 *    and binds the new groups, touching nothing that runs; if that fails,
 *    reload_discard() closes what begin made and the daemon runs on as
 *    before. reload_commit() cannot fail: it unbinds the groups that go
 *    (they drain into their old outputs, still open), re-wires and
 *    reconfigures the kept ones, closes the outputs that go, and swaps the
 *    new running set in.
 * The world is reached only through struct reload_ops, so that a unit test
 * drives the whole transaction without a kernel (tests/unit/test_reload.c).
 */
#ifndef NFLOGD_RELOAD_H
#define NFLOGD_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "config.h"
#include "running.h"

/* "Not kept": no old output or group is taken over. */
#define RELOAD_NONE SIZE_MAX

struct reload_plan {
	size_t *output_from; /* per new output: the old one kept, or RELOAD_NONE (open) */
	size_t *group_from;  /* per new group: the old one kept, or RELOAD_NONE (bind) */
	bool *group_changed; /* per new group: kept, with other options (reconfigure) */
	bool *output_kept;   /* per old output: taken over (else closed at commit) */
	bool *group_kept;    /* per old group: taken over (else unbound at commit) */
	size_t outputs_kept, groups_kept, groups_changed;
};

/* Compute the plan that turns old into new; p is owned by the caller
 * (reload_plan_free()). 0, or -1 when out of memory (p is empty then). */
int reload_plan_make(struct reload_plan *p, const struct nflogd_config *old,
		     const struct nflogd_config *new) MUST_CHECK;
/* Free what p holds and empty it (an empty p is fine). */
void reload_plan_free(struct reload_plan *p);

/* What a reload does to the world; arg is given back to each call. The
 * daemon's ops bind real groups and open real outputs. */
struct reload_ops {
	/* Open the output oc describes; NULL with the reason in err. */
	struct output *(*open_output)(void *arg, const struct output_config *oc, char *err,
				      size_t errlen);
	/* Flush and close an output; it is gone afterwards. */
	void (*close_output)(void *arg, struct output *o);
	/* Bind gc's group, routed to the outputs it names among outs (parallel
	 * to the new config's outputs). NULL when it cannot (the op says why). */
	struct group_rt *(*bind_group)(void *arg, const struct group_config *gc,
				       struct output **outs);
	/* Free a group without reading it (one begin bound, being discarded). */
	void (*close_group)(void *arg, struct group_rt *g);
	/* A group that goes: read what the kernel still holds into its old
	 * outputs (still open), then free it. */
	void (*unbind_group)(void *arg, struct group_rt *g);
	/* A group that stays: route it to gc (which replaces its config) and
	 * the outputs gc names among outs; changed: apply gc's options to it. */
	void (*keep_group)(void *arg, struct group_rt *g, const struct group_config *gc,
			   struct output **outs, bool changed);
};

struct reload {
	const struct reload_ops *ops;
	void *arg;
	struct running *cur; /* what runs; untouched until commit */
	struct running next; /* being built; swapped into *cur by commit */
	struct reload_plan plan;
	struct reload_summary {
		size_t outputs_kept, outputs_opened, outputs_closed;
		size_t groups_kept, groups_bound, groups_unbound, groups_reconfigured;
	} done;		 /* what commit did, for the log */
	char error[512]; /* why begin failed ("" if out of memory) */
};

/* Start turning *cur into cfg (taken over: the transaction frees it):
 * plan, then open the outputs and bind the groups that are new. 0 when
 * the reload can be committed; -1 with the reason in r->error. Either way
 * it ends with reload_commit() (only after 0) or reload_discard(). */
int reload_begin(struct reload *r, struct running *cur, struct nflogd_config *cfg,
		 const struct reload_ops *ops, void *arg) MUST_CHECK;
/* Apply a begun reload to *cur; nothing here fails. r->done says what
 * it did; nothing else of r is left to free. */
void reload_commit(struct reload *r);
/* Undo whatever reload_begin() made (after a failure, or instead of a
 * commit); *cur runs on untouched. */
void reload_discard(struct reload *r);

#endif
