/* loop.c - loop.h over libevent 2 (name lookups: loop_dns.c). */
#include "loop.h"

#include <event2/event.h>
#include <math.h>
#include <stdlib.h>

#include "loop_internal.h"

struct loop_event {
	struct loop *loop;
	struct event *ev;
	int fd; /* fd events: loop_fd_set() makes a new event for it */
	union {
		loop_fd_fn *fd_fn;
		loop_timer_fn *timer_fn;
		loop_signal_fn *signal_fn;
	} fn;
	void *arg;
};

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->base = event_base_new();
	if (!l->base) {
		free(l);
		return NULL;
	}
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	loop_dns_free(l->dns);
	event_base_free(l->base);
	free(l);
}

int loop_run(struct loop *l) { return event_base_dispatch(l->base) < 0 ? -1 : 0; }

void loop_break(struct loop *l) { event_base_loopbreak(l->base); }

static void fd_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loop_event *e = arg;
	e->fn.fd_fn((int)fd, what & (LOOP_READ | LOOP_WRITE), e->arg);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loop_event *e = arg;
	(void)fd;
	(void)what;
	e->fn.timer_fn(e->arg);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct loop_event *e = arg;
	(void)what;
	e->fn.signal_fn((int)sig, e->arg);
}

static struct loop_event *event_alloc(struct loop *l, void *arg)
{
	struct loop_event *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->loop = l;
	e->arg = arg;
	e->fd = -1;
	return e;
}

int loop_fd_set(struct loop_event *e, short what)
{
	if (e->ev) {
		event_del(e->ev);
		event_free(e->ev);
		e->ev = NULL;
	}
	if (!what)
		return 0;
	e->ev = event_new(e->loop->base, e->fd, what | EV_PERSIST, fd_cb, e);
	if (!e->ev || event_add(e->ev, NULL) < 0)
		return -1;
	return 0;
}

struct loop_event *loop_watch_fd(struct loop *l, int fd, short what, loop_fd_fn *fn, void *arg)
{
	struct loop_event *e = event_alloc(l, arg);
	if (!e)
		return NULL;
	e->fd = fd;
	e->fn.fd_fn = fn;
	if (loop_fd_set(e, what) < 0) {
		loop_event_free(e);
		return NULL;
	}
	return e;
}

struct loop_event *loop_timer(struct loop *l, bool repeat, loop_timer_fn *fn, void *arg)
{
	struct loop_event *e = event_alloc(l, arg);
	if (!e)
		return NULL;
	e->fn.timer_fn = fn;
	e->ev = event_new(l->base, -1, repeat ? EV_PERSIST : 0, timer_cb, e);
	if (!e->ev) {
		free(e);
		return NULL;
	}
	return e;
}

int loop_timer_arm(struct loop_event *e, double seconds)
{
	if (seconds < 0)
		seconds = 0;
	struct timeval tv = {
		.tv_sec = (time_t)seconds,
		.tv_usec = (suseconds_t)((seconds - floor(seconds)) * 1e6),
	};
	return event_add(e->ev, &tv) < 0 ? -1 : 0;
}

void loop_timer_disarm(struct loop_event *e) { event_del(e->ev); }

bool loop_timer_armed(const struct loop_event *e)
{
	return event_pending(e->ev, EV_TIMEOUT, NULL) != 0;
}

struct loop_event *loop_signal(struct loop *l, int sig, loop_signal_fn *fn, void *arg)
{
	struct loop_event *e = event_alloc(l, arg);
	if (!e)
		return NULL;
	e->fn.signal_fn = fn;
	e->ev = evsignal_new(l->base, sig, signal_cb, e);
	if (!e->ev || event_add(e->ev, NULL) < 0) {
		loop_event_free(e);
		return NULL;
	}
	return e;
}

void loop_event_free(struct loop_event *e)
{
	if (!e)
		return;
	if (e->ev) {
		event_del(e->ev);
		event_free(e->ev);
	}
	free(e);
}
