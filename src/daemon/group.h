/* group.h - one bound NFLOG group at run time: its reader, its event on
 * the loop, the outputs it feeds, and the path of a record from the
 * reader to those outputs (read a batch, decode, write, flush).
 *
 * A group is allocated on its own so that its address (given to the
 * reader and the loop) survives reloads: a reload that keeps the group
 * only re-points it at its new config and outputs.
 *
 * A group with a netns key is read in that network namespace
 * (group_netns.c): bound there when the namespace exists, waiting (no
 * reader) while it does not, unbound when it goes, bound anew when it
 * comes back; group_follow_netns() does each step when told to look.
 */
#ifndef NFLOGD_GROUP_H
#define NFLOGD_GROUP_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

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

/* A group's counters summed over the readers it had (a group in a
 * network namespace gets a new one each time the namespace comes back). */
struct group_totals {
	uint64_t received, lost, drops, truncated, malformed, unsequenced, rcvbuf_grows;
	bool exact;	   /* lost counted by sequence numbers, not a lower bound */
	bool loss_pending; /* the loss of a last overrun is counted by the next record */
};

/* The network namespace part of a group that has a netns key. */
struct group_netns {
	/* the netns key as written, stamped into every record (the reader
	 * points here; a reload that names the namespace otherwise rewrites
	 * it in place) */
	char name[PATH_MAX];
	dev_t dev;		   /* the namespace the reader is bound in (its nsfs inode), */
	ino_t ino;		   /* valid while reader != NULL */
	struct ifcache *ifc;	   /* owned: interface names of that namespace */
	struct loop_event *ev_ifc; /* owned: its link events on the loop */
	char waiting[256];	   /* why there is no reader ("" while bound) */
	struct ratelimit bind_report;
	struct group_totals past; /* of the readers closed so far */
};

struct group_rt {
	struct group_env *env;
	const struct group_config *cfg; /* into the running config */
	struct nflog_reader *reader;	/* owned; NULL while a netns group waits */
	struct loop_event *ev;		/* owned: the reader's socket on the loop */
	struct output **outputs;	/* owned array; the outputs are the daemon's */
	size_t n_outputs;
	struct ratelimit loss_warning;
	struct group_netns *ns; /* owned; NULL: nflogd's own namespace */
	char label[48];		/* "group 1", "group 1 in netns blue": for messages */
};

/* Bind gc's group and route it to the outputs it names among outs (an
 * array parallel to the config's outputs), then log it as bound (or, in a
 * network namespace that is not there, as waiting for it). Returns the
 * group, owned by the caller (group_close()), or NULL after logging why it
 * could not be bound. */
struct group_rt *group_open(struct group_env *env, const struct group_config *gc,
			    struct output **outs) MUST_CHECK;
/* Free g without reading what the kernel still holds for it (see
 * group_finish()). NULL is fine. */
void group_close(struct group_rt *g);

/* Point g at gc (which must outlive it) and at the outputs gc names among
 * outs (and, in a namespace, at gc's name for it). 0, or -1 when out of
 * memory (g unchanged). */
int group_wire(struct group_rt *g, const struct group_config *gc, struct output **outs) MUST_CHECK;
/* Apply g->cfg's reader options to g's socket (a reload changed them);
 * a failure is logged and the group keeps running as it was. */
void group_reconfigure(struct group_rt *g);
/* Unbind g (the kernel sends what it still holds), read all of it into
 * g's outputs and flush them. g stays allocated. */
void group_finish(struct group_rt *g);
/* Flush g's outputs (before they change under it). */
void group_flush_outputs(struct group_rt *g);
/* g's counters, over every reader it had. */
struct group_totals group_totals(const struct group_rt *g);

/* A group with a netns key: look at its namespace and follow it. Gone
 * (or replaced by another one of that name): unbind and read what the
 * kernel still holds, then wait (or bind in the new one). There and not
 * bound: bind. Logged; a failed bind waits for the next look. Returns
 * whether g was bound or unbound. */
bool group_follow_netns(struct group_rt *g);

/* ---- between group.c and group_netns.c ---- */

/* Open g's reader (in the namespace the calling thread is in, with
 * g->ns's interface cache when g has a namespace) and watch its socket,
 * then log it as bound. 0, or -1 with the reason in err. */
int group_start_reader(struct group_rt *g, char *err, size_t errlen) MUST_CHECK;
/* Unbind g's reader, read what the kernel still holds into the outputs,
 * add its counters to g->ns->past and close it. */
void group_stop_reader(struct group_rt *g);
/* group_netns.c: bind g, whose config has a netns key, in its namespace,
 * or set it waiting when the namespace is not there (yet). 0, or -1 after
 * logging why it cannot be bound (no CAP_SYS_ADMIN, the group is taken). */
int group_netns_open(struct group_rt *g) MUST_CHECK;
/* group_netns.c: free what g->ns holds (the reader is closed already). */
void group_netns_close(struct group_rt *g);

#endif
