/* loop_dns.c - loop_dns.h over libevent's evdns. */
#include "loop_dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "loop_internal.h"

#define RESOLV_CONF "/etc/resolv.conf"
#define HOSTS_FILE "/etc/hosts"
#define SHUTDOWN_TURNS 8 /* loop turns at free for cancelled queries to end */

/* What a file was when it was read: a change means read it again. */
struct file_id {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct loop_dns {
	struct event_base *base;
	struct evdns_base *evdns;
	struct file_id resolv_conf, hosts;
	struct loop_dns_query *live; /* queries evdns still has */
};

struct loop_dns_query {
	struct loop_dns *d;
	struct evdns_getaddrinfo_request *req;
	loop_dns_fn *fn; /* NULL once cancelled */
	void *arg;
	char host[256];
	struct loop_dns_query *prev, *next;
};

/* Whether path is not what *id says (and *id updated to what it is). */
static bool file_changed(struct file_id *id, const char *path)
{
	struct stat st;
	struct file_id now = { 0 };
	if (stat(path, &st) == 0)
		now = (struct file_id){ true, st.st_dev, st.st_ino, st.st_size, st.st_mtim };
	bool changed = now.exists != id->exists || now.dev != id->dev || now.ino != id->ino ||
		       now.size != id->size || now.mtime.tv_sec != id->mtime.tv_sec ||
		       now.mtime.tv_nsec != id->mtime.tv_nsec;
	*id = now;
	return changed;
}

/* Nameservers, search list and options from resolv.conf (127.0.0.1 when
 * it is missing, as glibc), hosts from /etc/hosts. */
static void configure(struct loop_dns *d)
{
	evdns_base_clear_nameservers_and_suspend(d->evdns);
	evdns_base_clear_host_addresses(d->evdns);
	evdns_base_resolv_conf_parse(d->evdns, DNS_OPTIONS_ALL, RESOLV_CONF);
	evdns_base_resume(d->evdns);
}

static void refresh(struct loop_dns *d)
{
	bool conf = file_changed(&d->resolv_conf, RESOLV_CONF);
	bool hosts = file_changed(&d->hosts, HOSTS_FILE);
	if (conf || hosts)
		configure(d);
}

static struct loop_dns *dns_of(struct loop *l)
{
	if (l->dns)
		return l->dns;
	struct loop_dns *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->base = l->base;
	if (!(d->evdns = evdns_base_new(l->base, EVDNS_BASE_DISABLE_WHEN_INACTIVE))) {
		free(d);
		return NULL;
	}
	file_changed(&d->resolv_conf, RESOLV_CONF);
	file_changed(&d->hosts, HOSTS_FILE);
	configure(d); /* even with neither file: 127.0.0.1, as glibc */
	l->dns = d;
	return d;
}

/* "10.0.0.1, 10.0.0.2": the nameservers asked. */
static void nameservers_text(struct evdns_base *evdns, char *out, size_t len)
{
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < evdns_base_count_nameservers(evdns) && n < len; i++) {
		struct sockaddr_storage ss;
		char a[INET6_ADDRSTRLEN] = "?";
		if (evdns_base_get_nameserver_addr(evdns, i, (struct sockaddr *)&ss, sizeof ss) >
		    0) {
			const void *p = ss.ss_family == AF_INET6
					    ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
					    : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
			inet_ntop(ss.ss_family, p, a, sizeof a);
		}
		n += (size_t)snprintf(out + n, len - n, "%s%s", i ? ", " : "", a);
	}
	if (!out[0])
		snprintf(out, len, "none");
}

/* A failed lookup in words. */
static void error_text(const struct loop_dns *d, int err, char *out, size_t len)
{
	char ns[200];
	nameservers_text(d->evdns, ns, sizeof ns);
	if (err == EVUTIL_EAI_NONAME || err == EVUTIL_EAI_NODATA)
		snprintf(out, len,
			 "no such host: neither " HOSTS_FILE " nor the nameservers of " RESOLV_CONF
			 " (%s) know an address for it",
			 ns);
	else if (err == EVUTIL_EAI_FAIL || err == EVUTIL_EAI_AGAIN)
		snprintf(out, len,
			 "the nameservers of " RESOLV_CONF
			 " (%s) did not answer, or answered with an error",
			 ns);
	else
		snprintf(out, len, "%s", evutil_gai_strerror(err));
}

static void unlink_query(struct loop_dns_query *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else if (q->d->live == q)
		q->d->live = q->next;
	if (q->next)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
}

/* evdns's answer (maybe before evdns_getaddrinfo returned). */
static void answercb(int err, struct evutil_addrinfo *res, void *arg)
{
	struct loop_dns_query *q = arg;
	char why[400] = "";
	unlink_query(q);
	if (q->fn && (err || !res)) {
		error_text(q->d, err ? err : EVUTIL_EAI_NONAME, why, sizeof why);
		q->fn(err ? err : EVUTIL_EAI_NONAME, NULL, 0, why, q->arg);
	} else if (q->fn) {
		q->fn(0, res->ai_addr, (socklen_t)res->ai_addrlen, NULL, q->arg);
	}
	if (res)
		evutil_freeaddrinfo(res);
	free(q);
}

struct loop_dns_query *loop_dns_resolve(struct loop *l, const char *host, uint16_t port,
					bool stream, loop_dns_fn *fn, void *arg)
{
	struct loop_dns *d = dns_of(l);
	struct loop_dns_query *q = d ? calloc(1, sizeof *q) : NULL;
	if (!q) {
		fn(EVUTIL_EAI_MEMORY, NULL, 0, "out of memory", arg);
		return NULL;
	}
	refresh(d);
	*q = (struct loop_dns_query){ .d = d, .fn = fn, .arg = arg, .next = d->live };
	snprintf(q->host, sizeof q->host, "%s", host);
	if (d->live)
		d->live->prev = q;
	d->live = q;
	struct evutil_addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = stream ? SOCK_STREAM : SOCK_DGRAM,
		.ai_flags = EVUTIL_AI_NUMERICSERV,
	};
	char service[8];
	snprintf(service, sizeof service, "%u", port);
	struct evdns_getaddrinfo_request *req =
	    evdns_getaddrinfo(d->evdns, q->host, service, &hints, answercb, q);
	if (!req)
		return NULL; /* answered already: q is gone */
	q->req = req;
	return q;
}

void loop_dns_cancel(struct loop_dns_query *q)
{
	if (!q)
		return;
	q->fn = NULL; /* evdns still answers, later: answercb frees q */
	evdns_getaddrinfo_cancel(q->req);
}

void loop_dns_free(struct loop_dns *d)
{
	if (!d)
		return;
	/* a cancelled query ends in a callback the loop delivers: let it */
	for (struct loop_dns_query *q = d->live, *next; q; q = next) {
		next = q->next;
		loop_dns_cancel(q);
	}
	for (int i = 0; d->live && i < SHUTDOWN_TURNS; i++)
		event_base_loop(d->base, EVLOOP_NONBLOCK);
	evdns_base_free(d->evdns, 1);
	free(d);
}
