/* running.h - what runs: a config and the outputs and groups made from it.
 *
 * The daemon owns one; a reload builds the next one beside it and swaps
 * it in (reload.h). The arrays are parallel to the config's lists:
 * outputs[i] runs cfg.outputs[i], groups[i] runs cfg.groups[i].
 */
#ifndef NFLOGD_RUNNING_H
#define NFLOGD_RUNNING_H

#include "config.h"

struct group_rt;
struct output;

struct running {
	struct nflogd_config cfg; /* owned */
	struct output **outputs;  /* owned, parallel to cfg.outputs (NULL: not open) */
	struct group_rt **groups; /* owned, parallel to cfg.groups (NULL: not bound) */
};

#endif
