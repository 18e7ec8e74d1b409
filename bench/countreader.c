/* countreader.c - the least an NFLOG reader can do: bind a group, receive
 * the kernel's batches and count the records in them. The benchmark's
 * floor: whatever nflogd does per record comes on top of this.
 *
 *   countreader -g GROUP [-q QTHRESH] [-t TIMEOUT_CS] [-n NLBUF] [-r RCVBUF]
 *               [-m RCVBUF_MAX] [-c COUNT] [-i IDLE_S] [-S]
 *     -q  records the kernel batches per datagram (default 64)
 *     -t  kernel flush timeout in 1/100 s (default 5)
 *     -n  kernel batch buffer, bytes (default 65536)
 *     -r  socket receive buffer, bytes (default 8 MiB; SO_RCVBUFFORCE)
 *     -m  on ENOBUFS double the buffer up to this (default: -r, no growth)
 *     -c  exit after COUNT records
 *     -i  exit after IDLE_S seconds without a record (default: never)
 *     -S  no sequence numbers (default: seq flag on, losses counted exactly)
 *
 * Prints "READY" to stderr once bound, and on exit (also on SIGTERM or
 * SIGINT, after reading what the socket holds) one line to stdout:
 * "received=N lost=N enobufs=N rcvbuf=N cpu_ticks=N" (its own utime +
 * stime in clock ticks, as /proc/PID/stat counts them).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_log/libnetfilter_log.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define RECV_BUF (256 * 1024)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct counts {
	uint64_t received, lost, enobufs;
	bool seq_known;
	uint32_t seq_next;
};

static int send_config(struct mnl_socket *nl, struct nlmsghdr *nlh, const char *what)
{
	static uint32_t seq;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		fprintf(stderr, "countreader: %s: %s\n", what, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
		if (n < 0) {
			fprintf(stderr, "countreader: %s: %s\n", what, strerror(errno));
			return -1;
		}
		int r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(nl), NULL,
				   NULL);
		if (r < 0) {
			fprintf(stderr, "countreader: %s: %s\n", what, strerror(errno));
			return -1;
		}
		if (r == MNL_CB_STOP || r == MNL_CB_OK)
			return 0;
	}
}

static int config_u32(struct mnl_socket *nl, uint16_t group, uint16_t attr, uint32_t v,
		      const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nflog_nlmsg_put_header(buf, NFULNL_MSG_CONFIG, AF_UNSPEC, group);
	mnl_attr_put_u32(nlh, attr, htonl(v));
	return send_config(nl, nlh, what);
}

static uint64_t set_rcvbuf(int fd, uint64_t bytes)
{
	int v = bytes > 0x7fffffff ? 0x7fffffff : (int)bytes, got = 0;
	socklen_t gl = sizeof got;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl);
	return (uint64_t)got;
}

/* Count the packet messages of one datagram; with seq, count gaps. */
static void count_datagram(struct counts *c, const char *buf, size_t len, bool seq)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;
	const uint16_t packet = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type != packet)
			continue;
		c->received++;
		if (!seq)
			continue;
		/* NFULA_SEQ: walk the attributes, no full parse */
		const struct nlattr *a;
		mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		{
			if (mnl_attr_get_type(a) != NFULA_SEQ)
				continue;
			uint32_t s = ntohl(mnl_attr_get_u32(a));
			if (c->seq_known && s != c->seq_next && s - c->seq_next < 0x80000000u)
				c->lost += s - c->seq_next;
			c->seq_known = true;
			c->seq_next = s + 1;
			break;
		}
	}
}

static unsigned long parse_num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end || end == s) {
		fprintf(stderr, "countreader: bad number %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long group = 0, qthresh = 64, timeout = 5, nlbuf = 65536;
	unsigned long rcvbuf = 8UL << 20, rcvbuf_max = 0, want = 0, idle = 0;
	bool have_group = false, seq = true;
	int opt;
	while ((opt = getopt(argc, argv, "g:q:t:n:r:m:c:i:S")) != -1) {
		switch (opt) {
		case 'g':
			group = parse_num(optarg);
			have_group = true;
			break;
		case 'q': qthresh = parse_num(optarg); break;
		case 't': timeout = parse_num(optarg); break;
		case 'n': nlbuf = parse_num(optarg); break;
		case 'r': rcvbuf = parse_num(optarg); break;
		case 'm': rcvbuf_max = parse_num(optarg); break;
		case 'c': want = parse_num(optarg); break;
		case 'i': idle = parse_num(optarg); break;
		case 'S': seq = false; break;
		default:
			have_group = false;
			group = 1UL << 20;
			break;
		}
	}
	if (!have_group || group > 65535) {
		fprintf(stderr,
			"usage: countreader -g GROUP [-q QTHRESH] [-t TIMEOUT_CS] [-n NLBUF] "
			"[-r RCVBUF] [-m RCVBUF_MAX] [-c COUNT] [-i IDLE_S] [-S]\n");
		return 2;
	}
	if (rcvbuf_max < rcvbuf)
		rcvbuf_max = rcvbuf;

	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: recv returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("countreader: netlink socket");
		return 1;
	}
	int fd = mnl_socket_get_fd(nl);
	uint64_t cur = set_rcvbuf(fd, rcvbuf), asked = rcvbuf;
	uint16_t g = (uint16_t)group;
	char cbuf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nflog_nlmsg_put_header(cbuf, NFULNL_MSG_CONFIG, AF_UNSPEC, g);
	nflog_attr_put_cfg_cmd(nlh, NFULNL_CFG_CMD_BIND);
	if (send_config(nl, nlh, "bind") < 0)
		return 1;
	nlh = nflog_nlmsg_put_header(cbuf, NFULNL_MSG_CONFIG, AF_UNSPEC, g);
	nflog_attr_put_cfg_mode(nlh, NFULNL_COPY_PACKET, 0xffff);
	if (send_config(nl, nlh, "copy mode") < 0 ||
	    config_u32(nl, g, NFULA_CFG_QTHRESH, (uint32_t)qthresh, "qthresh") < 0 ||
	    config_u32(nl, g, NFULA_CFG_TIMEOUT, (uint32_t)timeout, "timeout") < 0 ||
	    (nlbuf && config_u32(nl, g, NFULA_CFG_NLBUFSIZ, (uint32_t)nlbuf, "nlbuf") < 0))
		return 1;
	if (seq) {
		nlh = nflog_nlmsg_put_header(cbuf, NFULNL_MSG_CONFIG, AF_UNSPEC, g);
		mnl_attr_put_u16(nlh, NFULA_CFG_FLAGS, htons(NFULNL_CFG_F_SEQ));
		if (send_config(nl, nlh, "flags") < 0)
			return 1;
	}
	if (idle) {
		struct timeval tv = { .tv_sec = (time_t)idle };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	}
	fprintf(stderr, "READY group=%lu rcvbuf=%llu\n", group, (unsigned long long)cur);

	static char buf[RECV_BUF];
	/* the kernel numbers the group's messages from 0: a loss before the
	 * first one read is a gap too */
	struct counts c = { .seq_known = seq, .seq_next = 0 };
	bool draining = false;
	while (!want || c.received < want) {
		if (stop && !draining) {
			draining = true;
			nlh = nflog_nlmsg_put_header(cbuf, NFULNL_MSG_CONFIG, AF_UNSPEC, g);
			nflog_attr_put_cfg_cmd(nlh, NFULNL_CFG_CMD_UNBIND);
			mnl_socket_sendto(nl, nlh,
					  nlh->nlmsg_len); /* the kernel flushes its batch */
		}
		ssize_t n = recv(fd, buf, sizeof buf, draining ? MSG_DONTWAIT : 0);
		if (n < 0) {
			if (errno == ENOBUFS) {
				c.enobufs++;
				if (asked < rcvbuf_max) {
					asked = asked * 2 > rcvbuf_max ? rcvbuf_max : asked * 2;
					cur = set_rcvbuf(fd, asked);
				}
				continue;
			}
			if (errno == EINTR)
				continue;
			if (draining && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				/* give the kernel's last batch a moment to arrive */
				struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
				nanosleep(&ts, NULL);
				if (recv(fd, buf, sizeof buf, MSG_DONTWAIT | MSG_PEEK) < 0)
					break;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break; /* idle timeout */
			perror("countreader: recv");
			return 1;
		}
		count_datagram(&c, buf, (size_t)n, seq);
	}
	struct tms t;
	times(&t);
	printf("received=%llu lost=%llu enobufs=%llu rcvbuf=%llu cpu_ticks=%ld\n",
	       (unsigned long long)c.received, (unsigned long long)c.lost,
	       (unsigned long long)c.enobufs, (unsigned long long)cur,
	       (long)(t.tms_utime + t.tms_stime));
	mnl_socket_close(nl);
	return 0;
}
