/* nflog.c - bind, configure and read one NFLOG group (libmnl + the
 * libnetfilter_log nlmsg helpers). */
#include "nflog.h"

#include <arpa/inet.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_log/libnetfilter_log.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "ifcache.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* The kernel sends one batch per datagram, up to 128 KiB (nlbufsiz max):
 * twice that leaves room for a single large message as well. */
#define NFLOG_RECV_BUF (256 * 1024)
#define NFLOG_SETUP_TIMEOUT_S 3

/* A datagram that arrived while we waited for a configuration ACK: kept
 * and handed out before anything newer, so setup loses no packet. */
struct pending_dgram {
	struct pending_dgram *next;
	size_t len;
	char data[];
};

struct nflog_reader {
	struct mnl_socket *nl;
	int fd;
	struct nflog_options opt;
	uint16_t flags_active;
	bool bound;
	uint64_t rcvbuf_effective;
	uint64_t rcvbuf_requested; /* what we last asked for (the kernel doubles it) */
	uint32_t nl_seq;

	char *buf; /* current datagram */
	size_t buf_len;
	size_t off;		  /* next message in buf */
	size_t queued;		  /* messages in buf not handed out yet */
	struct timeval recv_time; /* when buf was received */
	struct pending_dgram *pending, *pending_tail;

	bool seq_known;
	uint32_t seq_next;
	/* After an overrun the socket first hands out what it queued before
	 * the drop; only a record that came after the queue ran empty is
	 * newer than the drop, and its sequence number settles the loss. */
	enum { LOSS_SETTLED, LOSS_OLD_QUEUE, LOSS_NEXT_SETTLES } loss_stage;
	struct nflog_counters c;
};

static void report(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(char *out, size_t len, const char *fmt, ...)
{
	if (!out || !len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

static void tell_loss(struct nflog_reader *nl, enum nflog_loss_kind kind, uint64_t count)
{
	if (nl->opt.on_loss)
		nl->opt.on_loss(nl->opt.loss_arg, nl->opt.group, kind, count);
}

/* After an overrun, double the socket buffer, up to rcvbuf_max; never
 * shrink it (ulogd2 does when only a maximum is set). */
static void grow_rcvbuf(struct nflog_reader *nl)
{
	uint64_t max = nl->opt.rcvbuf_max;
	uint64_t cur = nl->rcvbuf_requested ? nl->rcvbuf_requested : nl->rcvbuf_effective / 2;
	if (!max || cur >= max)
		return;
	uint64_t next = cur * 2 > max ? max : cur * 2;
	if (next <= cur || !nflog_reader_set_rcvbuf(nl, next))
		return;
	nl->rcvbuf_requested = next;
	nl->c.rcvbuf_grows++;
}

static void note_enobufs(struct nflog_reader *nl)
{
	nl->c.drops++;
	nl->c.loss_pending = 1;
	nl->loss_stage = LOSS_OLD_QUEUE;
	grow_rcvbuf(nl);
	tell_loss(nl, NFLOG_LOSS_ENOBUFS, 0);
}

/* mnl_nlmsg_ok(), inlined (every message takes it), without its cast of
 * nlmsg_len to int: a length of 2^31 or more would pass and the walk leave
 * the buffer. Only the kernel sends to us (checked in recv_datagram), but
 * a walk over received bytes must not trust that. */
static inline bool message_ok(const struct nlmsghdr *nlh, int left)
{
	return left >= (int)sizeof *nlh && nlh->nlmsg_len >= sizeof *nlh &&
	       nlh->nlmsg_len <= (uint32_t)left;
}

/* mnl_nlmsg_next(), inlined: this runs for every message. */
static inline const struct nlmsghdr *message_next(const struct nlmsghdr *nlh, int *left)
{
	*left -= (int)MNL_ALIGN(nlh->nlmsg_len);
	return (const struct nlmsghdr *)((const char *)nlh + MNL_ALIGN(nlh->nlmsg_len));
}

static bool is_packet_message(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type == ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET);
}

/* Count the packet messages in a datagram (a batch ends with NLMSG_DONE,
 * which is not a record). */
static size_t count_packets(const char *buf, size_t len)
{
	size_t n = 0;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;
	for (; message_ok(nlh, left); nlh = message_next(nlh, &left))
		n += is_packet_message(nlh);
	return n;
}

/* recvmsg one datagram into nl->buf. Returns its length, 0 for one to
 * ignore, -1 with errno (EAGAIN when !wait and nothing is there). */
static ssize_t recv_datagram(struct nflog_reader *nl, bool wait)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = nl->buf, .iov_len = NFLOG_RECV_BUF };
	struct msghdr msg = {
		.msg_name = &sa,
		.msg_namelen = sizeof sa,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n = recvmsg(nl->fd, &msg, wait ? 0 : MSG_DONTWAIT);
	if (n < 0)
		return -1;
	if (sa.nl_pid != 0) /* not from the kernel */
		return 0;
	if (msg.msg_flags & MSG_TRUNC) {
		/* what fits is still parsed; the cut message is lost (the
		 * sequence gap, if seq is on, counts exactly how many) */
		nl->c.truncated++;
		nl->c.loss_pending = 1;
		nl->loss_stage = LOSS_OLD_QUEUE;
		tell_loss(nl, NFLOG_LOSS_TRUNCATED, 0);
		if (n > NFLOG_RECV_BUF)
			n = NFLOG_RECV_BUF;
	}
	gettimeofday(&nl->recv_time, NULL);
	return n;
}

static void stash_datagram(struct nflog_reader *nl, size_t len)
{
	struct pending_dgram *p = malloc(sizeof *p + len);
	if (!p) {
		tell_loss(nl, NFLOG_LOSS_MALFORMED, count_packets(nl->buf, len));
		return;
	}
	p->next = NULL;
	p->len = len;
	memcpy(p->data, nl->buf, len);
	if (nl->pending_tail)
		nl->pending_tail->next = p;
	else
		nl->pending = p;
	nl->pending_tail = p;
}

static bool unstash_datagram(struct nflog_reader *nl)
{
	struct pending_dgram *p = nl->pending;
	if (!p)
		return false;
	nl->pending = p->next;
	if (!nl->pending)
		nl->pending_tail = NULL;
	memcpy(nl->buf, p->data, p->len);
	nl->buf_len = p->len;
	gettimeofday(&nl->recv_time, NULL);
	free(p);
	return true;
}

/* Find the ACK (NLMSG_ERROR) for seq in a datagram: 1 and *err set, or 0. */
static int find_ack(const char *buf, size_t len, uint32_t seq, int *err)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;
	for (; message_ok(nlh, left); nlh = message_next(nlh, &left)) {
		if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq != seq)
			continue;
		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
			continue;
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
		*err = -e->error;
		return 1;
	}
	return 0;
}

/* Send one configuration message with NLM_F_ACK and wait for its ACK.
 * Returns 0 or a positive errno. Packets that arrive meanwhile are kept. */
static int send_config(struct nflog_reader *nl, struct nlmsghdr *nlh)
{
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->nl_seq;
	if (mnl_socket_sendto(nl->nl, nlh, nlh->nlmsg_len) < 0)
		return errno;
	for (;;) {
		ssize_t n = recv_datagram(nl, true);
		if (n < 0) {
			if (errno == ENOBUFS) {
				note_enobufs(nl);
				continue;
			}
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? ETIMEDOUT : errno;
		}
		int err;
		if (find_ack(nl->buf, (size_t)n, nlh->nlmsg_seq, &err))
			return err;
		if (count_packets(nl->buf, (size_t)n))
			stash_datagram(nl, (size_t)n);
	}
}

/* A config message in buf (MNL_SOCKET_BUFFER_SIZE bytes, as every caller
 * has), zeroed first: libmnl 1.0.4 leaves attribute padding as it finds
 * it, and sendto() would pass those stack bytes on (valgrind: "points to
 * uninitialised byte(s)", tests/e2e/valgrind.sh). */
static struct nlmsghdr *config_header(char *buf, uint16_t group)
{
	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	return nflog_nlmsg_put_header(buf, NFULNL_MSG_CONFIG, AF_UNSPEC, group);
}

static int config_cmd(struct nflog_reader *nl, uint8_t cmd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = config_header(buf, nl->opt.group);
	nflog_attr_put_cfg_cmd(nlh, cmd);
	return send_config(nl, nlh);
}

static int config_u32(struct nflog_reader *nl, uint16_t attr, uint32_t value)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = config_header(buf, nl->opt.group);
	mnl_attr_put_u32(nlh, attr, htonl(value));
	return send_config(nl, nlh);
}

static int config_mode(struct nflog_reader *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = config_header(buf, nl->opt.group);
	nflog_attr_put_cfg_mode(nlh, nl->opt.copymode, nl->opt.copy_range);
	return send_config(nl, nlh);
}

static int config_flags(struct nflog_reader *nl, uint16_t flags)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = config_header(buf, nl->opt.group);
	mnl_attr_put_u16(nlh, NFULA_CFG_FLAGS, htons(flags));
	return send_config(nl, nlh);
}

/* Who holds a group, from /proc/net/netfilter/nfnetlink_log (one line per
 * bound group: "group portid qlen mode range timeout use"); 0 if none. */
static uint32_t group_holder(uint16_t group)
{
	FILE *f = fopen("/proc/net/netfilter/nfnetlink_log", "re");
	if (!f)
		return 0;
	unsigned g, portid, rest[5];
	uint32_t holder = 0;
	while (fscanf(f, "%u %u %u %u %u %u %u", &g, &portid, &rest[0], &rest[1], &rest[2],
		      &rest[3], &rest[4]) == 7) {
		if (g == group) {
			holder = portid;
			break;
		}
	}
	fclose(f);
	return holder;
}

/* CAP_NET_ADMIN in our effective set (CapEff bit 12, /proc/self/status). */
static bool have_net_admin(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	char line[256];
	unsigned long long caps = 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps & (1ULL << 12);
}

/* EPERM on bind means another socket holds the group, or we lack
 * CAP_NET_ADMIN. Who holds it is in a root-only /proc file: when we cannot
 * read it but do have the capability, it is still the other process. */
static void explain_bind_error(const struct nflog_reader *nl, int err, char *out, size_t len)
{
	uint16_t g = nl->opt.group;
	if (err != EPERM) {
		report(out, len, "NFLOG group %u: bind failed: %s", g, strerror(err));
		return;
	}
	uint32_t holder = group_holder(g);
	if (holder)
		report(
		    out, len,
		    "NFLOG group %u is already bound by another process "
		    "(netlink port id %u, usually its PID; see /proc/net/netfilter/nfnetlink_log): "
		    "stop it (ulogd2? another nflogd?) or use another group",
		    g, holder);
	else if (have_net_admin())
		report(out, len,
		       "NFLOG group %u is already bound by another process "
		       "(as root, /proc/net/netfilter/nfnetlink_log shows which): "
		       "stop it (ulogd2? another nflogd?) or use another group",
		       g);
	else
		report(out, len,
		       "NFLOG group %u: bind not permitted: nflogd needs CAP_NET_ADMIN "
		       "(run as root or grant the capability)",
		       g);
}

/* Flags: conntrack may fail once with EAGAIN while the kernel loads its
 * conntrack netlink glue, and with EOPNOTSUPP on kernels without it; the
 * group then runs without conntrack information rather than not at all. */
static bool conntrack_refused(int err, uint16_t flags)
{
	return (flags & NFULNL_CFG_F_CONNTRACK) && (err == EAGAIN || err == EOPNOTSUPP);
}

static void warn_conntrack_refused(const struct nflog_reader *nl, int err, char *warn,
				   size_t warnlen)
{
	report(warn, warnlen,
	       "NFLOG group %u: the kernel refused the conntrack flag (%s): "
	       "this kernel lacks CONFIG_NETFILTER_NETLINK_GLUE_CT; the group runs without "
	       "conntrack information",
	       nl->opt.group, strerror(err));
}

/* The kernel numbers a group's messages from 0, counting only those sent
 * while the seq flag is on: expect 0, so that records lost before the
 * first one we read are counted too. */
static void set_active_flags(struct nflog_reader *nl, uint16_t flags)
{
	nl->flags_active = flags;
	if ((flags & NFULNL_CFG_F_SEQ) && !nl->seq_known) {
		nl->seq_known = true;
		nl->seq_next = 0;
	}
}

static int configure_flags(struct nflog_reader *nl, char *warn, size_t warnlen)
{
	uint16_t flags = nl->opt.flags;
	int err = 0;
	for (int attempt = 0; attempt < 3; attempt++) {
		err = config_flags(nl, flags);
		if (err != EAGAIN)
			break;
	}
	if (err && (flags & NFULNL_CFG_F_CONNTRACK)) {
		warn_conntrack_refused(nl, err, warn, warnlen);
		flags &= (uint16_t)~NFULNL_CFG_F_CONNTRACK;
		err = config_flags(nl, flags);
	}
	set_active_flags(nl, err ? 0 : flags);
	return err;
}

/* Send every setting of nl->opt to the bound group, each ACKed. */
static int configure_settings(struct nflog_reader *nl, char *err, size_t errlen, char *warn,
			      size_t warnlen)
{
	const struct nflog_options *o = &nl->opt;
	int e;
	static const char *const what[] = { "copy mode", "qthresh", "timeout", "nlbuf", "flags" };
	int step = 0;
	if ((e = config_mode(nl)))
		goto fail;
	step++;
	if (o->qthresh && (e = config_u32(nl, NFULA_CFG_QTHRESH, o->qthresh)))
		goto fail;
	step++;
	if (o->set_timeout && (e = config_u32(nl, NFULA_CFG_TIMEOUT, o->timeout_cs)))
		goto fail;
	step++;
	if (o->nlbuf && (e = config_u32(nl, NFULA_CFG_NLBUFSIZ, o->nlbuf)))
		goto fail;
	step++;
	if ((o->flags || nl->flags_active) && (e = configure_flags(nl, warn, warnlen)))
		goto fail;
	return 0;
fail:
	report(err, errlen, "NFLOG group %u: the kernel refused the %s setting: %s", o->group,
	       what[step], strerror(e));
	return -1;
}

/* The bind command and every setting in one message. The kernel creates
 * the instance and applies the settings in the same call, so the records
 * it logs right after the bind already carry the flags: with one message
 * per setting, records logged between the bind and the flags message came
 * without a sequence number and escaped exact loss accounting (issue 13:
 * 22-40 per daemon start under load). The kernel checks the flags before
 * it binds: a refused conntrack flag leaves the group unbound. */
static int config_bind(struct nflog_reader *nl, uint16_t flags)
{
	const struct nflog_options *o = &nl->opt;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = config_header(buf, o->group);
	nflog_attr_put_cfg_cmd(nlh, NFULNL_CFG_CMD_BIND);
	nflog_attr_put_cfg_mode(nlh, o->copymode, o->copy_range);
	if (o->qthresh)
		mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(o->qthresh));
	if (o->set_timeout)
		mnl_attr_put_u32(nlh, NFULA_CFG_TIMEOUT, htonl(o->timeout_cs));
	if (o->nlbuf)
		mnl_attr_put_u32(nlh, NFULA_CFG_NLBUFSIZ, htonl(o->nlbuf));
	if (flags)
		mnl_attr_put_u16(nlh, NFULA_CFG_FLAGS, htons(flags));
	int err;
	for (int attempt = 0; attempt < 3; attempt++) /* EAGAIN: conntrack glue loading */
		if ((err = send_config(nl, nlh)) != EAGAIN)
			break;
	return err;
}

static int configure(struct nflog_reader *nl, char *err, size_t errlen, char *warn, size_t warnlen)
{
	uint16_t flags = nl->opt.flags;
	int e = config_bind(nl, flags);
	if (conntrack_refused(e, flags)) {
		warn_conntrack_refused(nl, e, warn, warnlen);
		flags &= (uint16_t)~NFULNL_CFG_F_CONNTRACK;
		e = config_bind(nl, flags);
	}
	if (e) {
		explain_bind_error(nl, e, err, errlen);
		errno = e;
		return -1;
	}
	set_active_flags(nl, flags);
	return 0;
}

uint64_t nflog_reader_set_rcvbuf(struct nflog_reader *nl, uint64_t bytes)
{
	int v = bytes > 0x7fffffff ? 0x7fffffff : (int)bytes;
	/* FORCE ignores rmem_max (we have CAP_NET_ADMIN); without it the
	 * kernel silently caps SO_RCVBUF at rmem_max. */
	if (setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) < 0 &&
	    setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v) < 0)
		return 0;
	int got = 0;
	socklen_t gl = sizeof got;
	if (getsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) < 0)
		return 0;
	nl->rcvbuf_requested = bytes;
	nl->rcvbuf_effective = (uint64_t)got;
	return nl->rcvbuf_effective;
}

static void set_setup_timeout(struct nflog_reader *nl, bool on)
{
	struct timeval tv = { .tv_sec = on ? NFLOG_SETUP_TIMEOUT_S : 0 };
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static int setup_socket(struct nflog_reader *nl, char *err, size_t errlen)
{
	uint16_t g = nl->opt.group;
	nl->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl->nl || mnl_socket_bind(nl->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		report(err, errlen, "NFLOG group %u: netlink socket: %s", g, strerror(errno));
		return -1;
	}
	nl->fd = mnl_socket_get_fd(nl->nl);
	set_setup_timeout(nl, true);
	if (nl->opt.rcvbuf && !nflog_reader_set_rcvbuf(nl, nl->opt.rcvbuf)) {
		report(err, errlen, "NFLOG group %u: cannot set rcvbuf %llu: %s", g,
		       (unsigned long long)nl->opt.rcvbuf, strerror(errno));
		return -1;
	}
	int one = 1;
	if (nl->opt.enobufs == NFLOG_ENOBUFS_DISABLE &&
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one) < 0) {
		report(err, errlen, "NFLOG group %u: NETLINK_NO_ENOBUFS: %s", g, strerror(errno));
		return -1;
	}
	return 0;
}

static uint64_t read_rcvbuf(int fd)
{
	int got = 0;
	socklen_t gl = sizeof got;
	return getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) < 0 ? 0 : (uint64_t)got;
}

struct nflog_reader *nflog_reader_open(const struct nflog_options *opt, char *err, size_t errlen,
				       char *warn, size_t warnlen)
{
	report(warn, warnlen, "%s", "");
	struct nflog_reader *nl = calloc(1, sizeof *nl);
	if (!nl || !(nl->buf = malloc(NFLOG_RECV_BUF))) {
		report(err, errlen, "NFLOG group %u: out of memory", opt->group);
		free(nl);
		errno = ENOMEM;
		return NULL;
	}
	nl->opt = *opt;
	nl->fd = -1;
	if (setup_socket(nl, err, errlen) < 0 || configure(nl, err, errlen, warn, warnlen) < 0) {
		int e = errno;
		nflog_reader_close(nl);
		errno = e;
		return NULL;
	}
	nl->bound = true;
	nl->rcvbuf_effective = read_rcvbuf(nl->fd);
	set_setup_timeout(nl, false); /* reads from now on block only when asked */
	nl->queued = 0;
	return nl;
}

int nflog_reader_reconfigure(struct nflog_reader *nl, const struct nflog_options *opt, char *err,
			     size_t errlen, char *warn, size_t warnlen)
{
	report(warn, warnlen, "%s", "");
	if (opt->group != nl->opt.group) {
		report(err, errlen, "NFLOG group %u: cannot reconfigure as group %u", nl->opt.group,
		       opt->group);
		return -1;
	}
	int no_enobufs = opt->enobufs == NFLOG_ENOBUFS_DISABLE;
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &no_enobufs, sizeof no_enobufs) <
	    0) {
		report(err, errlen, "NFLOG group %u: NETLINK_NO_ENOBUFS: %s", opt->group,
		       strerror(errno));
		return -1;
	}
	bool rcvbuf_changed = opt->rcvbuf != nl->opt.rcvbuf;
	nl->opt = *opt;
	if (rcvbuf_changed && opt->rcvbuf && !nflog_reader_set_rcvbuf(nl, opt->rcvbuf)) {
		report(err, errlen, "NFLOG group %u: cannot set rcvbuf %llu: %s", opt->group,
		       (unsigned long long)opt->rcvbuf, strerror(errno));
		return -1;
	}
	set_setup_timeout(nl, true);
	int r = configure_settings(nl, err, errlen, warn, warnlen);
	set_setup_timeout(nl, false);
	return r;
}

bool nflog_reader_has_pending(const struct nflog_reader *nl)
{
	return nl->queued > 0 || nl->pending != NULL;
}

int nflog_reader_unbind(struct nflog_reader *nl)
{
	if (!nl->bound)
		return 0;
	nl->bound = false;
	set_setup_timeout(nl, true);
	int e = config_cmd(nl, NFULNL_CFG_CMD_UNBIND);
	set_setup_timeout(nl, false);
	errno = e;
	return e ? -1 : 0;
}

void nflog_reader_close(struct nflog_reader *nl)
{
	if (!nl)
		return;
	if (nl->nl) {
		if (nl->bound) {
			char buf[MNL_SOCKET_BUFFER_SIZE];
			struct nlmsghdr *nlh = config_header(buf, nl->opt.group);
			nflog_attr_put_cfg_cmd(nlh, NFULNL_CFG_CMD_UNBIND);
			/* no ACK wait: closing the socket releases the group anyway */
			mnl_socket_sendto(nl->nl, nlh, nlh->nlmsg_len);
		}
		mnl_socket_close(nl->nl);
	}
	while (nl->pending) {
		struct pending_dgram *p = nl->pending;
		nl->pending = p->next;
		free(p);
	}
	free(nl->buf);
	free(nl);
}

int nflog_reader_fd(const struct nflog_reader *nl) { return nl->fd; }
uint16_t nflog_reader_group(const struct nflog_reader *nl) { return nl->opt.group; }
const struct nflog_counters *nflog_reader_counters(const struct nflog_reader *nl) { return &nl->c; }
uint64_t nflog_reader_rcvbuf(const struct nflog_reader *nl) { return nl->rcvbuf_effective; }
uint16_t nflog_reader_flags(const struct nflog_reader *nl) { return nl->flags_active; }
size_t nflog_reader_queued(const struct nflog_reader *nl) { return nl->queued; }

uint64_t nflog_reader_lost(const struct nflog_reader *nl, bool *exact)
{
	bool seq = nl->flags_active & NFULNL_CFG_F_SEQ;
	if (exact)
		*exact = seq;
	if (seq)
		return nl->c.lost;
	return nl->c.drops + nl->c.truncated + nl->c.malformed;
}

static void start_buffer(struct nflog_reader *nl, size_t len)
{
	nl->buf_len = len;
	nl->off = 0;
	nl->queued = count_packets(nl->buf, len);
}

int nflog_reader_queue(struct nflog_reader *nl, bool wait)
{
	while (!nl->queued) {
		if (unstash_datagram(nl)) {
			start_buffer(nl, nl->buf_len);
			continue;
		}
		ssize_t n = recv_datagram(nl, wait);
		if (n < 0) {
			if (errno == ENOBUFS) {
				note_enobufs(nl);
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (nl->loss_stage == LOSS_OLD_QUEUE)
					nl->loss_stage = LOSS_NEXT_SETTLES;
				return 0;
			}
			return -1;
		}
		start_buffer(nl, (size_t)n);
	}
	return (int)nl->queued;
}

/* Sequence numbers (seq flag) make loss exact: a gap is that many
 * messages the kernel built for us and we never got. */
static void check_seq(struct nflog_reader *nl, const struct nflogd_record *rec)
{
	if (!rec->has_seq) {
		/* only records logged before the flags took effect: the bind
		 * message carries them, so this stays 0 unless the kernel
		 * logged on another CPU between creating the instance and
		 * applying its flags, within the same call */
		if (nl->flags_active & NFULNL_CFG_F_SEQ)
			nl->c.unsequenced++;
		return;
	}
	if (nl->loss_stage == LOSS_NEXT_SETTLES) {
		nl->loss_stage = LOSS_SETTLED;
		nl->c.loss_pending = 0;
	}
	if (nl->seq_known && rec->seq != nl->seq_next) {
		uint32_t gap = rec->seq - nl->seq_next;
		if (gap < 0x80000000u) { /* else it went back: instance re-created, resync */
			nl->c.lost += gap;
			/* NETLINK_NO_ENOBUFS hides overruns: the gap is the only sign */
			if (nl->opt.enobufs == NFLOG_ENOBUFS_DISABLE)
				grow_rcvbuf(nl);
			tell_loss(nl, NFLOG_LOSS_SEQ_GAP, gap);
		}
	}
	nl->seq_known = true;
	nl->seq_next = rec->seq + 1;
}

static void fill_names(struct nflog_reader *nl, struct nflogd_record *rec)
{
	struct ifcache *c = nl->opt.ifcache;
	if (!c)
		return;
	ifcache_name(c, rec->indev.index, rec->indev.name);
	ifcache_name(c, rec->outdev.index, rec->outdev.name);
	ifcache_name(c, rec->physindev.index, rec->physindev.name);
	ifcache_name(c, rec->physoutdev.index, rec->physoutdev.name);
}

/* Take the next message of the current datagram: 1 record, 0 skipped. */
static int take_message(struct nflog_reader *nl, struct nflogd_record *rec)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)(nl->buf + nl->off);
	int left = (int)(nl->buf_len - nl->off);
	if (!message_ok(nlh, left)) { /* cannot happen while queued > 0 */
		nl->queued = 0;
		return 0;
	}
	message_next(nlh, &left);
	nl->off = nl->buf_len - (size_t)left;
	if (!is_packet_message(nlh))
		return 0; /* NLMSG_DONE closing a batch, a late ACK */
	nl->queued--;
	if (record_parse(nlh, &nl->recv_time, rec) < 0) {
		nl->c.malformed++;
		tell_loss(nl, NFLOG_LOSS_MALFORMED, 1);
		return 0;
	}
	check_seq(nl, rec);
	fill_names(nl, rec);
	rec->netns = nl->opt.netns;
	nl->c.received++;
	return 1;
}

int nflog_reader_next(struct nflog_reader *nl, bool wait, struct nflogd_record *rec)
{
	for (;;) {
		int q = nflog_reader_queue(nl, wait);
		if (q <= 0)
			return q;
		if (take_message(nl, rec))
			return 1;
	}
}

long nflog_reader_loop(struct nflog_reader *nl, nflog_record_fn fn, void *arg, long count,
		       bool wait)
{
	struct nflogd_record rec;
	long done = 0;
	while (count < 0 || done < count) {
		int r = nflog_reader_next(nl, wait, &rec);
		if (r < 0)
			return done ? done : -1;
		if (r == 0)
			break;
		fn(&rec, arg);
		done++;
	}
	return done;
}
