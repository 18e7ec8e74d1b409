/* loop_internal.h - what the libevent wrappers share (loop.c, and
 * loop_dns.c beside it); nothing else includes it. */
#ifndef NFLOGD_LOOP_INTERNAL_H
#define NFLOGD_LOOP_INTERNAL_H

struct event_base;
struct loop_dns;

struct loop {
	struct event_base *base;
	struct loop_dns *dns; /* the resolver, made on first use (loop_dns.c) */
};

/* Free a resolver and what it still has on its way; NULL is fine. Called
 * by loop_free() before the event base goes. */
void loop_dns_free(struct loop_dns *d);

#endif
