/* syslog_ackmap.h - which plaintext bytes a TLS peer has acknowledged
 * (pure: no I/O).
 *
 * The peer's TCP acknowledges bytes on the wire: TLS records, with their
 * headers, padding and MACs, and the handshake. The syslog queue counts
 * plaintext. After each completed write the TLS transport notes where the
 * wire stood and how much plaintext it had written by then; once the
 * peer's TCP has acknowledged a note's wire offset, all of the plaintext
 * written before it has reached the peer's TCP. Plaintext is credited
 * whole writes at a time, never early.
 *
 * Notes are kept in a ring that grows as needed up to a bound; past it
 * (or out of memory) the newest note is moved forward instead: credit
 * comes later, never before its time.
 */
#ifndef NFLOGD_SYSLOG_ACKMAP_H
#define NFLOGD_SYSLOG_ACKMAP_H

#include <stddef.h>
#include <stdint.h>

#define SYSLOG_ACKMAP_MAX 4096 /* notes: 64 MiB in flight at 16 KiB per write */

struct syslog_ackmap_note {
	uint64_t wire;	/* wire bytes written when the write completed */
	uint64_t plain; /* plaintext bytes written by then */
};

struct syslog_ackmap {
	struct syslog_ackmap_note *note; /* a ring of cap notes */
	size_t cap, head, used;
	uint64_t plain_acked; /* what _acked last returned */
};

/* An empty map (it allocates on the first note). */
void syslog_ackmap_init(struct syslog_ackmap *m);
/* Free the notes; the map is empty and usable again. */
void syslog_ackmap_free(struct syslog_ackmap *m);
/* A new connection: forget every note, nothing acknowledged. */
void syslog_ackmap_reset(struct syslog_ackmap *m);
/* A write completed: wire bytes written so far on this connection, and
 * plaintext bytes written so far (both running counts). */
void syslog_ackmap_note(struct syslog_ackmap *m, uint64_t wire, uint64_t plain);
/* The peer's TCP has acknowledged wire bytes of this connection: the
 * plaintext bytes known to have reached it (a running count, never
 * smaller than before). */
uint64_t syslog_ackmap_acked(struct syslog_ackmap *m, uint64_t wire);

#endif
