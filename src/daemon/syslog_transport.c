/* syslog_transport.c - unix datagram, UDP and TCP sockets for the syslog
 * output: non-blocking, and TCP's count of acknowledged bytes. */
#include "syslog_transport.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_acked */

#include "loop.h"

void syslog_conn_init(struct syslog_conn *c, const struct syslog_transport_ops *ops)
{
	*c = (struct syslog_conn){ .ops = ops, .fd = -1 };
}

/* A non-blocking socket of type to sa, connecting: 0, EINPROGRESS or an
 * errno (the socket closed then). */
static int sock_connect(struct syslog_conn *c, int type, const struct sockaddr *sa, socklen_t len)
{
	c->reason[0] = '\0';
	c->fd = socket(sa->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return errno;
	if (connect(c->fd, sa, len) == 0)
		return 0;
	int e = errno;
	if (e == EINPROGRESS) {
		c->want = LOOP_WRITE;
		return e;
	}
	close(c->fd);
	c->fd = -1;
	return e;
}

void syslog_sock_close(struct syslog_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->want = 0;
	c->unflushed = 0;
}

/* The socket is writable after EINPROGRESS: the connect's outcome. */
static int sock_connect_result(struct syslog_conn *c)
{
	int e = 0;
	socklen_t len = sizeof e;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	return e;
}

static ssize_t sock_send(struct syslog_conn *c, const struct iovec *iov, int iovcnt)
{
	struct msghdr mh = { .msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt };
	ssize_t r = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r >= 0)
		return r;
	c->want = LOOP_WRITE;
	return -errno;
}

static ssize_t sock_recv(struct syslog_conn *c)
{
	char b[256];
	ssize_t n = recv(c->fd, b, sizeof b, MSG_DONTWAIT);
	return n < 0 ? -errno : n;
}

static int dgram_connect(struct syslog_conn *c, const struct sockaddr *sa, socklen_t len)
{
	return sock_connect(c, SOCK_DGRAM, sa, len);
}

/* ---- TCP: the peer's acknowledgements ---- */

/* tcpi_bytes_acked (Linux 4.1+): the bytes of this connection the peer
 * has acknowledged; the last count when it cannot be read. */
static uint64_t tcp_bytes_acked(struct syslog_conn *c)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	memset(&ti, 0, sizeof ti);
	if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return c->acked_base + c->acked_last;
	return ti.tcpi_bytes_acked;
}

/* Connected: what was acknowledged so far was the handshake. */
static int tcp_connected(struct syslog_conn *c)
{
	c->acked_base = tcp_bytes_acked(c);
	c->acked_last = 0;
	return 0;
}

int syslog_tcp_connect(struct syslog_conn *c, const struct sockaddr *sa, socklen_t len)
{
	c->acked_base = c->acked_last = 0;
	int e = sock_connect(c, SOCK_STREAM, sa, len);
	return e ? e : tcp_connected(c);
}

int syslog_tcp_connect_continue(struct syslog_conn *c)
{
	int e = sock_connect_result(c);
	return e ? e : tcp_connected(c);
}

uint64_t syslog_tcp_acked(struct syslog_conn *c)
{
	uint64_t n = tcp_bytes_acked(c);
	if (n >= c->acked_base + c->acked_last)
		c->acked_last = n - c->acked_base;
	return c->acked_last;
}

const struct syslog_transport_ops syslog_transport_unix = {
	.scheme = "unix",
	.connect = dgram_connect,
	.connect_continue = sock_connect_result,
	.send = sock_send,
	.recv = sock_recv,
	.close = syslog_sock_close,
};

const struct syslog_transport_ops syslog_transport_udp = {
	.scheme = "udp",
	.watch_read = true,
	.connect = dgram_connect,
	.connect_continue = sock_connect_result,
	.send = sock_send,
	.recv = sock_recv,
	.close = syslog_sock_close,
};

const struct syslog_transport_ops syslog_transport_tcp = {
	.scheme = "tcp",
	.stream = true,
	.watch_read = true,
	.connect = syslog_tcp_connect,
	.connect_continue = syslog_tcp_connect_continue,
	.send = sock_send,
	.recv = sock_recv,
	.acked = syslog_tcp_acked,
	.close = syslog_sock_close,
};

const struct syslog_transport_ops *syslog_transport_for(enum syslog_transport kind)
{
	switch (kind) {
	case SYSLOG_UDP: return &syslog_transport_udp;
	case SYSLOG_TCP: return &syslog_transport_tcp;
	case SYSLOG_TLS: return &syslog_transport_tls;
	case SYSLOG_LOCAL: break;
	}
	return &syslog_transport_unix;
}
