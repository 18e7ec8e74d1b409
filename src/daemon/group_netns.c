/* group_netns.c - a group read in another network namespace.
 *
 * Its sockets (the NFLOG socket and its interface cache's) are created
 * inside the namespace: this thread enters it (netns.h, the library's),
 * creates them and comes back; they stay in that namespace for good. The
 * namespace is named by a file (/run/netns/NAME, /proc/PID/ns/net); the
 * group follows what that file is: while there is none, or it is no
 * namespace yet (`ip netns add` creates the file before it mounts the
 * namespace on it), the group waits without a reader; when the file goes
 * or names another namespace, the reader is unbound (the kernel hands over
 * what it still holds) and closed, which lets the old namespace go.
 */
#include "group.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ifcache.h"
#include "log.h"
#include "loop.h"
#include "netns.h"

#define BIND_REPORT_INTERVAL_S 60 /* a namespace nflogd cannot enter: once a minute */

enum bind_result {
	BIND_OK,
	BIND_WAIT, /* no namespace there (yet): g->ns->waiting says why */
	BIND_FAIL, /* it is there, and the group cannot be bound in it: err says why */
};

static void ifcache_readcb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ifcache_process_events(arg);
}

static void set_waiting(struct group_rt *g, const char *why)
{
	snprintf(g->ns->waiting, sizeof g->ns->waiting, "%s %s", g->cfg->netns_path, why);
}

/* The interface cache and the reader, created in the namespace this
 * thread is in now. */
static enum bind_result open_inside(struct group_rt *g, char *err, size_t errlen)
{
	struct group_netns *ns = g->ns;
	if (!(ns->ifc = ifcache_open())) {
		snprintf(err, errlen, "%s: cannot open its interface cache: %s", g->label,
			 strerror(errno));
		return BIND_FAIL;
	}
	return group_start_reader(g, err, errlen) < 0 ? BIND_FAIL : BIND_OK;
}

/* Names from the namespace's own link events (the cache also asks it on a
 * miss): watched on the loop once the thread is back home. */
static void watch_links(struct group_rt *g)
{
	struct group_netns *ns = g->ns;
	int fd = ifcache_fd(ns->ifc);
	if (fd >= 0 &&
	    !(ns->ev_ifc = loop_watch_fd(g->env->loop, fd, LOOP_READ, ifcache_readcb, ns->ifc)))
		log_warn("%s: cannot watch its namespace's link events: interface renames show "
			 "up late",
			 g->label);
}

/* Enter the namespace of fd, make the sockets there, come back. */
static enum bind_result bind_in(struct group_rt *g, int fd, char *err, size_t errlen)
{
	int home;
	if (netns_enter(fd, &home) < 0) {
		if (errno == EINVAL) { /* a file, but no namespace (not mounted yet) */
			set_waiting(g, "is no network namespace (yet)");
			return BIND_WAIT;
		}
		snprintf(err, errlen, "%s: cannot enter network namespace %s: %s%s", g->label,
			 g->cfg->netns_path, strerror(errno),
			 errno == EPERM ? " (entering a namespace needs CAP_SYS_ADMIN: under "
					  "systemd, the drop-in nflogd-netns.conf gives it)"
					: "");
		return BIND_FAIL;
	}
	enum bind_result r = open_inside(g, err, errlen);
	if (netns_leave(home) < 0) {
		/* Sockets made from now on would be in the wrong namespace, and
		 * nothing tells: stop rather than log into the wrong places. */
		log_error("%s: cannot return to nflogd's own network namespace: %s", g->label,
			  strerror(errno));
		abort();
	}
	if (r == BIND_OK)
		watch_links(g);
	return r;
}

/* Bind g in the namespace its path names now. */
static enum bind_result bind_netns(struct group_rt *g, char *err, size_t errlen)
{
	int fd = open(g->cfg->netns_path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		if (e == ENOENT || e == ENOTDIR) {
			set_waiting(g, "does not exist");
			return BIND_WAIT;
		}
		snprintf(err, errlen, "%s: cannot open network namespace %s: %s", g->label,
			 g->cfg->netns_path, strerror(e));
		return BIND_FAIL;
	}
	enum bind_result r = bind_in(g, fd, err, errlen);
	close(fd);
	if (r == BIND_OK) {
		g->ns->dev = st.st_dev;
		g->ns->ino = st.st_ino;
		g->ns->waiting[0] = '\0';
	} else {
		ifcache_close(g->ns->ifc);
		g->ns->ifc = NULL;
	}
	return r;
}

int group_netns_open(struct group_rt *g)
{
	const struct group_config *gc = g->cfg;
	if (!(g->ns = calloc(1, sizeof *g->ns))) {
		log_error("%s: out of memory", g->label);
		return -1;
	}
	snprintf(g->ns->name, sizeof g->ns->name, "%s", gc->netns);
	g->ns->past.exact = true;
	g->ns->bind_report = (struct ratelimit)RATELIMIT_INIT(BIND_REPORT_INTERVAL_S);
	char err[768];
	switch (bind_netns(g, err, sizeof err)) {
	case BIND_OK: return 0;
	case BIND_WAIT:
		log_warn("%s: network namespace %s: waiting for it (bound when it appears)",
			 g->label, g->ns->waiting);
		return 0;
	case BIND_FAIL: log_error("%s", err); return -1;
	}
	return -1;
}

void group_netns_close(struct group_rt *g)
{
	if (!g->ns)
		return;
	loop_event_free(g->ns->ev_ifc);
	ifcache_close(g->ns->ifc);
	free(g->ns);
	g->ns = NULL;
}

/* Whether the namespace g is bound in is still the one its path names. */
static bool still_there(const struct group_rt *g)
{
	struct stat st;
	return stat(g->cfg->netns_path, &st) == 0 && st.st_dev == g->ns->dev &&
	       st.st_ino == g->ns->ino;
}

static void unbind(struct group_rt *g)
{
	struct group_totals before = g->ns->past;
	group_stop_reader(g);
	loop_event_free(g->ns->ev_ifc);
	g->ns->ev_ifc = NULL;
	ifcache_close(g->ns->ifc);
	g->ns->ifc = NULL;
	log_warn("%s: network namespace %s is gone or was replaced: unbound after %llu records "
		 "from it; waiting for it (bound when it appears)",
		 g->label, g->cfg->netns_path,
		 (unsigned long long)(g->ns->past.received - before.received));
}

bool group_follow_netns(struct group_rt *g)
{
	if (!g->ns)
		return false;
	bool changed = false;
	if (g->reader && !still_there(g)) {
		unbind(g);
		changed = true;
	}
	if (g->reader)
		return changed;
	char err[768];
	switch (bind_netns(g, err, sizeof err)) {
	case BIND_OK: ratelimit_reset(&g->ns->bind_report); return true;
	case BIND_WAIT:
		if (changed)
			log_debug("%s: %s: %s", __func__, g->label, g->ns->waiting);
		return changed;
	case BIND_FAIL:
		snprintf(g->ns->waiting, sizeof g->ns->waiting, "%.255s", err);
		if (ratelimit_allow(&g->ns->bind_report))
			log_error("%s (tried again when the namespace changes, and every few "
				  "seconds)",
				  err);
		return changed;
	}
	return changed;
}
