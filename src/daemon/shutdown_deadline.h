/* shutdown_deadline.h - a shutdown deadline that does not need the event
 * loop.
 *
 * SIGTERM and SIGINT reach the daemon through the event loop: libevent's
 * handler only notes them and the loop runs the callback. Should the loop
 * be stuck in a system call (stderr into a journald that does not read,
 * a file on a disk that hangs), that callback, and a deadline it would
 * start, never come. So the deadline starts in the signal handler: the
 * handler libevent installed is wrapped by one that first calls alarm()
 * (async-signal-safe) and then libevent's. SIGALRM's default action ends
 * the process when the deadline passes, stuck or not.
 */
#ifndef NFLOGD_SHUTDOWN_DEADLINE_H
#define NFLOGD_SHUTDOWN_DEADLINE_H

/* Wrap the handler now installed for sig (call it after the loop has
 * registered its own), so that the first signal wrapped this way arms
 * alarm(seconds). 0, or -1 when sig has no handler function to wrap. */
int shutdown_deadline_on(int sig, unsigned seconds);

#endif
