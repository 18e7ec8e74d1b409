/* loop.h - the event loop, the only wrapper around libevent.
 *
 * Everything that waits — group sockets, output sockets, timers,
 * signals — registers here; no other file includes libevent.
 */
#ifndef NFLOGD_LOOP_H
#define NFLOGD_LOOP_H

#include <stdbool.h>

#include "compiler.h"
#define LOOP_READ 0x02 /* same bits as libevent's EV_READ / EV_WRITE */
#define LOOP_WRITE 0x04

struct loop;
struct loop_event;

typedef void loop_fd_fn(int fd, short what, void *arg);
typedef void loop_timer_fn(void *arg);
typedef void loop_signal_fn(int sig, void *arg);

/* A new loop, owned by the caller (loop_free()); NULL on failure. */
struct loop *loop_new(void) MUST_CHECK;
/* Free l (NULL is fine); its events must be freed first. */
void loop_free(struct loop *l);
/* Run until loop_break(); 0, or -1 on failure. */
int loop_run(struct loop *l) MUST_CHECK;
/* Make loop_run() return once the current callback is done. */
void loop_break(struct loop *l);

/* Watch fd for what (LOOP_READ and/or LOOP_WRITE): fn(fd, what, arg) on
 * each; what = 0 registers it idle. The event is the caller's
 * (loop_event_free()); the fd stays the caller's too. NULL on failure. */
struct loop_event *loop_watch_fd(struct loop *l, int fd, short what, loop_fd_fn *fn,
				 void *arg) MUST_CHECK;
/* Change what an fd event waits for (e.g. LOOP_WRITE only while a queue
 * is not empty). 0 or -1. */
int loop_fd_set(struct loop_event *e, short what) MUST_CHECK;

/* A timer calling fn(arg), not armed until loop_timer_arm(); repeat: it
 * fires every `seconds` once armed. The caller's (loop_event_free());
 * NULL on failure. */
struct loop_event *loop_timer(struct loop *l, bool repeat, loop_timer_fn *fn, void *arg) MUST_CHECK;
/* (Re)start timer e to fire in seconds (< 0 counts as 0). 0, or -1 when
 * the loop refused it (out of memory): then it will not fire. */
int loop_timer_arm(struct loop_event *e, double seconds) MUST_CHECK;
/* Stop timer e; it may be armed again. */
void loop_timer_disarm(struct loop_event *e);
/* Whether timer e is armed and has not fired yet. */
bool loop_timer_armed(const struct loop_event *e);

/* Call fn(sig, arg) from the loop when signal sig arrives (not from the
 * signal handler). The caller's (loop_event_free()); NULL on failure. */
struct loop_event *loop_signal(struct loop *l, int sig, loop_signal_fn *fn, void *arg) MUST_CHECK;

/* Stop and free any event (NULL is fine). */
void loop_event_free(struct loop_event *e);

#endif
