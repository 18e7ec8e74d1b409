/* ifcache.c - interface name cache, refreshed by rtnetlink link events. */
#include "ifcache.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define IFCACHE_SLOTS 256 /* direct-mapped by index; hosts rarely have more */

struct ifcache_slot {
	uint32_t index; /* 0 = empty */
	bool known;	/* false: the kernel has no such interface (cached miss) */
	char name[IF_NAMESIZE];
};

struct ifcache {
	struct mnl_socket *nl;
	/* SIOCGIFNAME on a miss: a socket answers for the namespace it was
	 * created in (if_indextoname() asks the caller's current one, with a
	 * socket of its own per call). */
	int ioctl_fd;
	struct ifcache_slot slots[IFCACHE_SLOTS];
};

struct ifcache *ifcache_open(void)
{
	struct ifcache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->ioctl_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	c->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c->nl && mnl_socket_bind(c->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(c->nl);
		c->nl = NULL;
	}
	return c;
}

void ifcache_close(struct ifcache *c)
{
	if (!c)
		return;
	if (c->nl)
		mnl_socket_close(c->nl);
	if (c->ioctl_fd >= 0)
		close(c->ioctl_fd);
	free(c);
}

int ifcache_fd(const struct ifcache *c) { return c->nl ? mnl_socket_get_fd(c->nl) : -1; }

static struct ifcache_slot *slot_of(struct ifcache *c, uint32_t ifindex)
{
	return &c->slots[ifindex % IFCACHE_SLOTS];
}

static int link_attr_cb(const struct nlattr *a, void *data)
{
	const char **name = data;
	if (mnl_attr_get_type(a) == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		*name = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

static int link_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifcache *c = data;
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return MNL_CB_OK;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	if (ifi->ifi_index <= 0)
		return MNL_CB_OK;
	struct ifcache_slot *s = slot_of(c, (uint32_t)ifi->ifi_index);
	const char *name = NULL;
	mnl_attr_parse(nlh, sizeof *ifi, link_attr_cb, &name);
	if (nlh->nlmsg_type == RTM_DELLINK || !name) {
		if (s->index == (uint32_t)ifi->ifi_index)
			s->index = 0; /* forget: the next lookup asks the kernel */
		return MNL_CB_OK;
	}
	s->index = (uint32_t)ifi->ifi_index;
	s->known = true;
	strncpy(s->name, name, IF_NAMESIZE - 1);
	s->name[IF_NAMESIZE - 1] = '\0';
	return MNL_CB_OK;
}

void ifcache_process_events(struct ifcache *c)
{
	char buf[16384];
	if (!c->nl)
		return;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(c->nl, buf, sizeof buf);
		if (n < 0) {
			if (errno == ENOBUFS) {
				/* events were lost: nothing in the cache can be trusted */
				memset(c->slots, 0, sizeof c->slots);
				continue;
			}
			return; /* EAGAIN or a real error: nothing more to read */
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, link_msg_cb, c);
	}
}

/* The kernel's name for ifindex into name; false when it has none. */
static bool lookup_name(const struct ifcache *c, uint32_t ifindex, char name[IF_NAMESIZE])
{
	if (c->ioctl_fd < 0)
		return if_indextoname(ifindex, name) != NULL;
	struct ifreq ifr = { .ifr_ifindex = (int)ifindex };
	if (ioctl(c->ioctl_fd, SIOCGIFNAME, &ifr) < 0)
		return false;
	memcpy(name, ifr.ifr_name, IF_NAMESIZE);
	name[IF_NAMESIZE - 1] = '\0';
	return true;
}

void ifcache_name(struct ifcache *c, uint32_t ifindex, char name[IF_NAMESIZE])
{
	name[0] = '\0';
	if (!ifindex)
		return;
	struct ifcache_slot *s = slot_of(c, ifindex);
	if (s->index != ifindex) {
		s->index = ifindex;
		s->known = lookup_name(c, ifindex, s->name);
		if (!s->known)
			s->name[0] = '\0';
	}
	memcpy(name, s->name, IF_NAMESIZE);
}
