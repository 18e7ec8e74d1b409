/* netns_watch.h - tell the daemon when network namespaces may have come
 * or gone: inotify on the directories that hold the namespace files of
 * the config's groups (/run/netns: `ip netns add` and `del` create and
 * remove a file there; /run/docker/netns likewise), and a look every few
 * seconds for what inotify cannot see (a directory that does not exist
 * yet, /proc/PID/ns/net). The watcher does not know what changed: the
 * daemon looks at each namespaced group (group_follow_netns()).
 */
#ifndef NFLOGD_NETNS_WATCH_H
#define NFLOGD_NETNS_WATCH_H

#include <stddef.h>

#include "compiler.h"

struct loop;
struct netns_watch;
struct nflogd_config;

/* A watcher on loop calling fn(arg) when namespaces may have changed.
 * The caller's (netns_watch_free()); NULL on failure (logged). */
struct netns_watch *netns_watch_new(struct loop *loop, void (*fn)(void *arg), void *arg) MUST_CHECK;
/* Watch for the namespaces cfg's groups name (none: the watcher sleeps).
 * A directory inotify cannot watch is covered by the periodic look. */
void netns_watch_set(struct netns_watch *w, const struct nflogd_config *cfg);
/* Stop watching and free w (NULL is fine). */
void netns_watch_free(struct netns_watch *w);

#endif
