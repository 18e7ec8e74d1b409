/* syslog_transport.h - how a syslog output's bytes reach its peer: the
 * socket I/O behind one small interface, one implementation per kind of
 * target: the local unix datagram socket (/dev/log), UDP and TCP.
 *
 * output_syslog.c owns the connection's life (resolve, connect, timers,
 * when to send) and syslog_queue.c what is sent and what is released; a
 * transport only makes the socket and moves bytes, never blocking: every
 * call returns at once, and one that has to wait says for what (c->want),
 * which the output then waits for on the event loop.
 *
 * A stream transport (TCP) also tells how many of the bytes it took the
 * peer has acknowledged (acked()): the queue keeps a frame until then.
 * TCP reads that from the kernel (TCP_INFO tcpi_bytes_acked, counted from
 * the moment the connection was made, so the handshake is not counted).
 *
 * TLS (RFC 5425: octet-counted RFC 5424 messages over TLS) is the fourth
 * transport, in syslog_tls.c: OpenSSL over the same non-blocking TCP
 * socket, the handshake inside connect (bounded by the output's connect
 * timer), a record's bytes copied before they are written (OpenSSL wants
 * a write retried with the same bytes; c->unflushed counts them until
 * then), and acked() translating the wire bytes the peer's TCP
 * acknowledged into plaintext (syslog_ackmap.h).
 */
#ifndef NFLOGD_SYSLOG_TRANSPORT_H
#define NFLOGD_SYSLOG_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "config.h"

/* One connection to the peer; zeroed by syslog_conn_init. */
struct syslog_conn {
	const struct syslog_transport_ops *ops;
	int fd;		     /* the socket, -1 while there is none */
	short want;	     /* LOOP_READ / LOOP_WRITE: what a call that could
				not finish (EINPROGRESS, -EAGAIN) waits for */
	uint64_t acked_base; /* TCP: tcpi_bytes_acked when connected */
	uint64_t acked_last; /* TCP: the last count acked() returned */
	char reason[1024];   /* a failure in words when errno says too little
				(TLS: the certificate check); "" otherwise */
	void *priv;	     /* a transport's own state (TLS: struct syslog_tls,
				the output's) */
	size_t unflushed;    /* bytes send() took that are not on the socket yet
				(TLS: a record being written): send() again,
				with nothing new, to finish them */
};

struct syslog_transport_ops {
	const char *scheme; /* "unix", "udp", "tcp": for messages */
	bool stream;	    /* a byte stream: frames octet-counted, kept until acked() */
	bool watch_read;    /* read while up: a close or an ICMP error shows there */
	/* A non-blocking socket to sa, connecting: 0 when connected, EINPROGRESS
	 * (wait for c->want, then connect_continue), or an errno. */
	int (*connect)(struct syslog_conn *c, const struct sockaddr *sa, socklen_t len);
	/* The socket is ready for c->want while connecting: 0 when connected,
	 * EINPROGRESS again, or an errno. */
	int (*connect_continue)(struct syslog_conn *c);
	/* Send from iov: the bytes taken (a datagram: all or -errno), or
	 * -errno; after -EAGAIN, c->want says what to wait for. iovcnt 0:
	 * only finish what c->unflushed counts (0 once done). */
	ssize_t (*send)(struct syslog_conn *c, const struct iovec *iov, int iovcnt);
	/* Read and discard what the peer sent (it should send nothing): the
	 * bytes read, 0 when the peer closed, or -errno (-EAGAIN: nothing). */
	ssize_t (*recv)(struct syslog_conn *c);
	/* Streams: bytes of those sent the peer acknowledged since connected,
	 * a running count. NULL for datagrams. */
	uint64_t (*acked)(struct syslog_conn *c);
	/* Close the connection (c->fd becomes -1); safe when there is none. */
	void (*close)(struct syslog_conn *c);
};

extern const struct syslog_transport_ops syslog_transport_unix;
extern const struct syslog_transport_ops syslog_transport_udp;
extern const struct syslog_transport_ops syslog_transport_tcp;
extern const struct syslog_transport_ops syslog_transport_tls; /* syslog_tls.c */

/* The transport for a configured target kind (a static table, not owned). */
const struct syslog_transport_ops *syslog_transport_for(enum syslog_transport kind);
/* A connection over ops with no socket yet. */
void syslog_conn_init(struct syslog_conn *c, const struct syslog_transport_ops *ops);

/* For the transports built on TCP (TLS): TCP's connect, its outcome once
 * the socket is writable, the acknowledged byte count since connected,
 * and close; each as the TCP transport does it. */
int syslog_tcp_connect(struct syslog_conn *c, const struct sockaddr *sa, socklen_t len);
int syslog_tcp_connect_continue(struct syslog_conn *c);
uint64_t syslog_tcp_acked(struct syslog_conn *c);
void syslog_sock_close(struct syslog_conn *c);

#endif
