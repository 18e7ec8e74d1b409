/* netns_watch.c - inotify on namespace directories and a periodic look
 * (netns_watch.h). */
#include "netns_watch.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "loop.h"

#define NETNS_LOOK_S 2.0 /* the periodic look */
/* `ip netns add` creates the file, then mounts the namespace on it: a
 * second look this long after an event finds it mounted. */
#define NETNS_SETTLE_S 0.2
#define NETNS_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF)

struct netns_watch {
	struct loop *loop;
	void (*fn)(void *arg);
	void *arg;
	int fd; /* inotify; -1 while nothing is watched */
	struct loop_event *ev, *look_timer, *settle_timer;
};

static void inotify_readcb(int fd, short what, void *arg)
{
	struct netns_watch *w = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	(void)what;
	while (read(fd, buf, sizeof buf) > 0)
		; /* which file does not matter: every group is looked at */
	w->fn(w->arg);
	if (loop_timer_arm(w->settle_timer, NETNS_SETTLE_S) < 0)
		log_warn("%s: cannot arm the settle timer: the next look is the periodic one",
			 __func__);
}

static void look_timercb(void *arg)
{
	struct netns_watch *w = arg;
	w->fn(w->arg);
}

static void stop_inotify(struct netns_watch *w)
{
	loop_event_free(w->ev);
	w->ev = NULL;
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

struct netns_watch *netns_watch_new(struct loop *loop, void (*fn)(void *arg), void *arg)
{
	struct netns_watch *w = calloc(1, sizeof *w);
	if (!w) {
		log_error("network namespace watcher: out of memory");
		return NULL;
	}
	*w = (struct netns_watch){ .loop = loop, .fn = fn, .arg = arg, .fd = -1 };
	w->look_timer = loop_timer(loop, true, look_timercb, w);
	w->settle_timer = loop_timer(loop, false, look_timercb, w);
	if (!w->look_timer || !w->settle_timer) {
		log_error("network namespace watcher: cannot create its timers");
		netns_watch_free(w);
		return NULL;
	}
	return w;
}

/* The directory of path into dir. */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= len)
		n = len - 1;
	memcpy(dir, path, n);
	dir[n] = '\0';
}

/* inotify on the directory of every namespace file; what cannot be
 * watched is left to the periodic look. */
static void watch_dirs(struct netns_watch *w, const struct nflogd_config *cfg)
{
	char dir[PATH_MAX];
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		log_warn("network namespaces: no inotify (%s): looked at every %.0f s only",
			 strerror(errno), NETNS_LOOK_S);
		return;
	}
	for (size_t i = 0; i < cfg->n_groups; i++) {
		if (!cfg->groups[i].netns_path)
			continue;
		dir_of(cfg->groups[i].netns_path, dir, sizeof dir);
		if (inotify_add_watch(w->fd, dir, NETNS_EVENTS | IN_ONLYDIR) < 0)
			log_debug("%s: %s not watched (%s): looked at every %.0f s", __func__, dir,
				  strerror(errno), NETNS_LOOK_S);
	}
	if (!(w->ev = loop_watch_fd(w->loop, w->fd, LOOP_READ, inotify_readcb, w))) {
		log_warn("network namespaces: cannot watch inotify: looked at every %.0f s only",
			 NETNS_LOOK_S);
		stop_inotify(w);
	}
}

void netns_watch_set(struct netns_watch *w, const struct nflogd_config *cfg)
{
	bool any = false;
	for (size_t i = 0; i < cfg->n_groups; i++)
		any |= cfg->groups[i].netns_path != NULL;
	stop_inotify(w);
	loop_timer_disarm(w->look_timer);
	loop_timer_disarm(w->settle_timer);
	if (!any)
		return;
	watch_dirs(w, cfg);
	if (loop_timer_arm(w->look_timer, NETNS_LOOK_S) < 0)
		log_error("network namespaces: cannot arm the periodic look: a namespace that "
			  "inotify does not see is not followed");
}

void netns_watch_free(struct netns_watch *w)
{
	if (!w)
		return;
	stop_inotify(w);
	loop_event_free(w->look_timer);
	loop_event_free(w->settle_timer);
	free(w);
}
