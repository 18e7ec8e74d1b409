/* shape_cache.h - which slot keeps what a formatter made for a record shape.
 *
 * A formatter that makes something once per record shape (field_shape():
 * the JSON formatter's plans, the journal output's field lists) keeps it
 * in one of SHAPE_CACHE_SLOTS slots of an array of its own, indexed like
 * this cache: 16 sets of 2 slots, the set chosen by a hash of the shape,
 * a new shape taking the place of its set's least recently used one. The
 * cache only says which slot; a zeroed struct is an empty cache.
 */
#ifndef NFLOGD_SHAPE_CACHE_H
#define NFLOGD_SHAPE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHAPE_CACHE_SET_BITS 4
#define SHAPE_CACHE_WAYS 2
#define SHAPE_CACHE_SLOTS ((1 << SHAPE_CACHE_SET_BITS) * SHAPE_CACHE_WAYS)

struct shape_cache {
	uint64_t uses; /* lookups so far: the age of the slots */
	uint64_t shape[SHAPE_CACHE_SLOTS];
	uint64_t last_use[SHAPE_CACHE_SLOTS];
	bool made[SHAPE_CACHE_SLOTS];
};

/* The slot for shape. *made: it already holds what was made for shape;
 * if not, the caller makes it there now and says how that went with
 * shape_cache_made(). */
size_t shape_cache_slot(struct shape_cache *c, uint64_t shape, bool *made);

/* After making slot's contents for shape: ok false (out of memory) leaves
 * the slot empty, to be made again by the next record of any shape. */
void shape_cache_made(struct shape_cache *c, size_t slot, uint64_t shape, bool ok);

#endif
