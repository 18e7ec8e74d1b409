/* loop_dns.h - host names to addresses without blocking the loop.
 *
 * libevent's evdns, one resolver per loop, set up the way glibc's is:
 * nameservers, search domains and options from /etc/resolv.conf (127.0.0.1
 * when it is missing), names from /etc/hosts first. Both files are looked
 * at again before each lookup and re-read when they changed, so an edited
 * hosts file or a new nameserver counts from the next lookup on. Nothing
 * is cached: every lookup asks again, and a changed DNS record is followed.
 * (evdns does not read /etc/nsswitch.conf: names that only NSS modules
 * such as mDNS, LDAP or systemd-resolved's nss-resolve know are not found,
 * unless resolv.conf points at a resolver that knows them.)
 */
#ifndef NFLOGD_LOOP_DNS_H
#define NFLOGD_LOOP_DNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "loop.h"

struct loop_dns_query;

/* The answer: err 0 and the first address (port set), or err != 0 (an
 * EAI_* code) with sa NULL and why saying what went wrong in words. sa and
 * why are valid during the call only. */
typedef void loop_dns_fn(int err, const struct sockaddr *sa, socklen_t len, const char *why,
			 void *arg);

/* Look host up, for a stream (TCP) or datagram socket to port. fn is
 * called once: from the loop later, or before this returns when the
 * answer is known at once (an address, /etc/hosts, a failure to start).
 * Returns the query for loop_dns_cancel() while it runs, or NULL when fn
 * was called already. */
struct loop_dns_query *loop_dns_resolve(struct loop *l, const char *host, uint16_t port,
					bool stream, loop_dns_fn *fn, void *arg);
/* Forget a query that runs: its fn will not be called. */
void loop_dns_cancel(struct loop_dns_query *q);

#endif
