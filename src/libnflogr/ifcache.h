/* ifcache.h - interface index to name, without a syscall per field.
 *
 * A small direct-mapped cache filled on a miss with if_indextoname() and
 * kept true by rtnetlink link events (renames, removals), so a record
 * shows the name the interface had when the packet was read.
 */
#ifndef NFLOGD_IFCACHE_H
#define NFLOGD_IFCACHE_H

#include <net/if.h>
#include <stdint.h>

struct ifcache;

/* Open the cache and its rtnetlink listener. NULL on failure (errno).
 * Without the listener (it could not be opened) it still works on misses.
 * Names are those of the network namespace the caller is in now, even
 * after it moves to another one (netns.h). */
struct ifcache *ifcache_open(void);
void ifcache_close(struct ifcache *c);

/* rtnetlink socket to watch for readability, or -1. */
int ifcache_fd(const struct ifcache *c);
/* Read pending link events and update the cache. */
void ifcache_process_events(struct ifcache *c);

/* Copy the name of ifindex into name (IF_NAMESIZE bytes); "" if unknown. */
void ifcache_name(struct ifcache *c, uint32_t ifindex, char name[IF_NAMESIZE]);

#endif
