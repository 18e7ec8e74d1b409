/* journal_conn.h - journald's native socket and the entries waiting for
 * it: a bounded queue, sends that never block, and an honest "written".
 *
 * Entries are built in place at the tail of one byte queue and sent from
 * its head, one datagram each (journald's native protocol), on a
 * non-blocking AF_UNIX datagram socket connected to journald's socket.
 * An entry over JOURNAL_DGRAM_MAX bytes, or one the kernel refuses as too
 * large, goes in a sealed memfd passed with SCM_RIGHTS instead.
 *
 * What "written" means: the kernel taking a datagram only puts it in
 * journald's socket. If journald dies before reading it and its socket
 * dies with it (a journald that bound the socket itself; under systemd
 * the socket unit keeps the socket and its contents across a restart),
 * the datagram is gone and the sender is not told. So a sent entry stays
 * in the queue, "in flight", until it is known read: SIOCOUTQ gives the
 * bytes of ours that journald has not read yet (the kernel charges each
 * datagram to its sender until the reader takes it; what one datagram
 * holds is measured once per length class on a private socket pair), and
 * journald reads in order, so the oldest entries beyond those bytes are
 * read. Such a look only counts once a later send on the same socket has
 * worked (a socket that died would show 0 bytes too: its queue is
 * purged). When the socket turns out dead, every entry in flight is sent
 * again to the next journald: nothing it held unread is lost, and an
 * entry journald read in its last instants can show up twice (NFLOG_SEQ
 * tells them apart). Past what a sender can see: an entry journald has
 * read and not yet stored when it is killed is lost. Every record ends up
 * in one of: written (known read), dropped (could not be sent at all),
 * queued (waiting or in flight).
 */
#ifndef NFLOGD_JOURNAL_CONN_H
#define NFLOGD_JOURNAL_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Entries larger than this go through a memfd, not as a datagram. */
#define JOURNAL_DGRAM_MAX (64 * 1024)

struct journal_conn;

struct journal_conn_stats {
	uint64_t written; /* records journald is known to have read */
	uint64_t bytes;	  /* their bytes in the native format */
	uint64_t dropped; /* records no send could carry (e.g. refused by the kernel) */
	uint64_t errors;  /* failed connects and sends (a full socket is not one) */
	uint64_t resent;  /* records sent again after a socket died with them unread */
	uint64_t memfd;	  /* entries sent through a memfd */
};

/* A queue of at most max_entries entries waiting to be sent, and about
 * max_bytes bytes with those in flight, for the socket at path (not
 * connected yet). NULL when out of memory. The caller frees it with
 * journal_conn_free(). */
struct journal_conn *journal_conn_new(const char *path, size_t max_entries, size_t max_bytes);
/* Close the socket and free the queue (what it holds is not counted:
 * journal_conn_drain() first). NULL is fine. */
void journal_conn_free(struct journal_conn *c);

/* True when `entries` more entries fit in the queue. */
bool journal_conn_room(const struct journal_conn *c, size_t entries);
/* Start an entry at the tail of the queue and return the buffer to
 * append its fields to (owned by c; valid until journal_conn_entry_end). */
struct buf *journal_conn_entry_begin(struct journal_conn *c);
/* Queue the entry built since journal_conn_entry_begin(); record: it is
 * a record the caller counts (not a message of nflogd's own). False when
 * the buffer ran out of memory: the entry is undone. */
bool journal_conn_entry_end(struct journal_conn *c, bool record);

/* Connect to the socket (if not connected). 0, or a negative errno
 * (-ENOENT: no journald socket; -ECONNREFUSED: nobody reads it). */
int journal_conn_connect(struct journal_conn *c);
/* The socket (to watch for writing), or -1 when not connected. */
int journal_conn_fd(const struct journal_conn *c);

/* Send queued entries as far as the socket takes them. 0: all sent;
 * -EAGAIN (or -ENOBUFS): the socket is full, try again when it is
 * writable; another negative errno: the connection is gone (closed here;
 * the entries in flight are queued again; connect again later). An entry
 * the kernel refuses for its own sake is counted as dropped and skipped. */
int journal_conn_send(struct journal_conn *c);
/* Look how much of what was sent journald has not read (SIOCOUTQ); the
 * entries it surely read count as written at the next successful send. */
void journal_conn_observe(struct journal_conn *c);
/* Send an empty datagram (journald ignores it) to prove the socket alive
 * when nothing else is to be sent: what the last look saw read is
 * counted. 0 or a negative errno as journal_conn_send(). */
int journal_conn_probe(struct journal_conn *c);
/* True when a look saw entries read that wait for a send to be counted. */
bool journal_conn_unproven(const struct journal_conn *c);

/* Records queued: not sent yet, or sent and not known read. */
uint64_t journal_conn_queued(const struct journal_conn *c);
/* Entries in flight: sent, not known read. */
size_t journal_conn_in_flight(const struct journal_conn *c);
/* Entries not sent yet. */
size_t journal_conn_pending(const struct journal_conn *c);
const struct journal_conn_stats *journal_conn_stats(const struct journal_conn *c);

/* At close: up to timeout_ms to send what is queued and see it read,
 * without the event loop. What is still queued then is counted as
 * dropped; returns that number of records. */
uint64_t journal_conn_drain(struct journal_conn *c, int timeout_ms);

#endif
