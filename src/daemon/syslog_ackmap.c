/* syslog_ackmap.c - wire acknowledgements to plaintext, for TLS. */
#include "syslog_ackmap.h"

#include <stdlib.h>

#define SYSLOG_ACKMAP_MIN 64

void syslog_ackmap_init(struct syslog_ackmap *m) { *m = (struct syslog_ackmap){ 0 }; }

void syslog_ackmap_free(struct syslog_ackmap *m)
{
	free(m->note);
	syslog_ackmap_init(m);
}

void syslog_ackmap_reset(struct syslog_ackmap *m)
{
	m->head = m->used = 0;
	m->plain_acked = 0;
}

/* Twice the room, the notes in order from index 0. False when it cannot. */
static int grow(struct syslog_ackmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : SYSLOG_ACKMAP_MIN;
	if (cap > SYSLOG_ACKMAP_MAX)
		return 0;
	struct syslog_ackmap_note *n = malloc(cap * sizeof *n);
	if (!n)
		return 0;
	for (size_t i = 0; i < m->used; i++)
		n[i] = m->note[(m->head + i) % m->cap];
	free(m->note);
	m->note = n;
	m->cap = cap;
	m->head = 0;
	return 1;
}

void syslog_ackmap_note(struct syslog_ackmap *m, uint64_t wire, uint64_t plain)
{
	struct syslog_ackmap_note n = { wire, plain };
	if (m->used == m->cap && !grow(m)) {
		if (m->used) /* full: the newest note moves forward to this one */
			m->note[(m->head + m->used - 1) % m->cap] = n;
		return;
	}
	m->note[(m->head + m->used) % m->cap] = n;
	m->used++;
}

uint64_t syslog_ackmap_acked(struct syslog_ackmap *m, uint64_t wire)
{
	while (m->used && m->note[m->head].wire <= wire) {
		if (m->note[m->head].plain > m->plain_acked)
			m->plain_acked = m->note[m->head].plain;
		m->head = (m->head + 1) % m->cap;
		m->used--;
	}
	return m->plain_acked;
}
