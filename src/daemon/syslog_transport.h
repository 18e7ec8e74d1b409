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
 * Adding TLS (RFC 5425: octet-counted RFC 5424 messages over TLS) is a
 * fourth `struct syslog_transport_ops`; the queue, the framing, the
 * backoff and the output's state machine stay as they are:
 * - stream = true, watch_read = true, scheme "tls" (in messages).
 * - connect: the TCP connect of this file, then the handshake on the same
 *   non-blocking fd (OpenSSL: SSL_set_fd, SSL_set_tlsext_host_name,
 *   SSL_set1_host, SSL_connect): return EINPROGRESS with c->want set from
 *   SSL_ERROR_WANT_READ / WANT_WRITE until the handshake is done; the
 *   output's connect timer bounds the handshake too. Keep the SSL object
 *   in c->priv, and put a verification failure in words into c->reason.
 * - send: OpenSSL wants a write that returned WANT_WRITE/WANT_READ retried
 *   with the same bytes, but the queue may offer others next time (a
 *   DROPPED report goes in front when nothing is in flight). So copy up
 *   to one record (16 KiB) of iov into a buffer in c->priv, return that
 *   count as taken, and finish SSL_write of that buffer before taking
 *   more; while it is unfinished return -EAGAIN with c->want from the
 *   SSL error (LOOP_READ for WANT_READ).
 * - recv: SSL_read and discard (alerts, close_notify as 0, TLS 1.3
 *   session tickets).
 * - acked: tcpi_bytes_acked counts bytes on the wire (TLS records, not
 *   plaintext). After each SSL_write, note (BIO_number_written of the
 *   socket BIO, plaintext total); acked() returns the plaintext total of
 *   the last note whose wire count the peer's TCP has acknowledged. That
 *   is as far as TLS can tell: the peer's TCP has the record, not that
 *   the peer's syslog daemon read it.
 * - close: SSL_shutdown once (not waiting for the peer's), SSL_free, then
 *   the socket.
 * libevent's OpenSSL bufferevents would own the fd and buffer the bytes
 * themselves, hiding what reached the wire; a non-blocking SSL over the
 * fd keeps the acknowledgement promise and loop.c as the only libevent
 * user.
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
	char reason[128];    /* a failure in words when errno says too little
				(TLS: the certificate check); "" otherwise */
	void *priv;	     /* a transport's own state (TLS: its SSL object) */
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
	 * -errno; after -EAGAIN, c->want says what to wait for. */
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

/* The transport for a configured target kind (a static table, not owned). */
const struct syslog_transport_ops *syslog_transport_for(enum syslog_transport kind);
/* A connection over ops with no socket yet. */
void syslog_conn_init(struct syslog_conn *c, const struct syslog_transport_ops *ops);

#endif
