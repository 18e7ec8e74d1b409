/* group.h - one bound NFLOG group at run time: its reader, its event on
 * the loop, the outputs it feeds, and the path of a record from the
 * reader to those outputs (read a batch, decode, write, flush).
 *
 * A group is allocated on its own so that its address (given to the
 * reader and the loop) survives reloads: a reload that keeps the group
 * only re-points it at its new config and outputs.
 */
#ifndef NFLOGD_GROUP_H
#define NFLOGD_GROUP_H

#include <stddef.h>

#include "compiler.h"
#include "config.h"
#include "decode.h"
#include "ratelimit.h"

struct ifcache;
struct loop;
struct loop_event;
struct nflog_reader;
struct output;

/* What every group shares; owned by the daemon, outlives the groups. */
struct group_env {
	struct loop *loop;
	struct ifcache *ifc;	   /* interface names for every reader */
	struct nflogd_decoded dec; /* scratch, reused record after record */
};

struct group_rt {
	struct group_env *env;
	const struct group_config *cfg; /* into the running config */
	struct nflog_reader *reader;	/* owned */
	struct loop_event *ev;		/* owned: the reader's socket on the loop */
	struct output **outputs;	/* owned array; the outputs are the daemon's */
	size_t n_outputs;
	struct ratelimit loss_warning;
};

/* Bind gc's group and route it to the outputs it names among outs (an
 * array parallel to the config's outputs), then log it as bound. Returns
 * the group, owned by the caller (group_close()), or NULL after logging
 * why it could not be bound. */
struct group_rt *group_open(struct group_env *env, const struct group_config *gc,
			    struct output **outs) MUST_CHECK;
/* Free g without reading what the kernel still holds for it (see
 * group_finish()). NULL is fine. */
void group_close(struct group_rt *g);

/* Point g at gc (which must outlive it) and at the outputs gc names among
 * outs. 0, or -1 when out of memory (g unchanged). */
int group_wire(struct group_rt *g, const struct group_config *gc, struct output **outs) MUST_CHECK;
/* Apply g->cfg's reader options to g's socket (a reload changed them);
 * a failure is logged and the group keeps running as it was. */
void group_reconfigure(struct group_rt *g);
/* Unbind g (the kernel sends what it still holds), read all of it into
 * g's outputs and flush them. g stays allocated. */
void group_finish(struct group_rt *g);
/* Flush g's outputs (before they change under it). */
void group_flush_outputs(struct group_rt *g);

#endif
