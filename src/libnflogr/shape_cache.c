/* shape_cache.c - a small set-associative index of record shapes. */
#include "shape_cache.h"

size_t shape_cache_slot(struct shape_cache *c, uint64_t shape, bool *made)
{
	/* Fibonacci hashing: the shape's bits are flags, most of them alike */
	size_t set =
	    (size_t)((shape * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - SHAPE_CACHE_SET_BITS)) *
	    SHAPE_CACHE_WAYS;
	c->uses++;
	for (size_t i = set; i < set + SHAPE_CACHE_WAYS; i++)
		if (c->made[i] && c->shape[i] == shape) {
			c->last_use[i] = c->uses;
			*made = true;
			return i;
		}
	size_t lru = set;
	for (size_t i = set + 1; i < set + SHAPE_CACHE_WAYS; i++)
		if (c->last_use[i] < c->last_use[lru])
			lru = i;
	c->last_use[lru] = c->uses;
	c->made[lru] = false;
	*made = false;
	return lru;
}

void shape_cache_made(struct shape_cache *c, size_t slot, uint64_t shape, bool ok)
{
	c->shape[slot] = shape;
	c->made[slot] = ok;
}
