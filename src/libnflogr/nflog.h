/* nflog.h - the NFLOG reader: nflogr's object in C.
 *
 * One netlink socket per group. nflog_reader_open() binds the group and sends
 * every configuration request with an ACK that it checks, so a failure
 * names the group and the cause. Records are parsed in place from a
 * receive buffer that holds a whole kernel batch; a record is valid until
 * the next call on the same reader. The reader knows nothing of outputs.
 */
#ifndef NFLOGD_NFLOG_H
#define NFLOGD_NFLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct ifcache;

enum nflog_enobufs {
	NFLOG_ENOBUFS_RAISE = 0,   /* report each overrun through on_loss */
	NFLOG_ENOBUFS_HANDLE = 1,  /* count it; on_loss still told */
	NFLOG_ENOBUFS_DISABLE = 2, /* NETLINK_NO_ENOBUFS: the kernel drops silently */
};

enum nflog_loss_kind {
	NFLOG_LOSS_ENOBUFS,   /* socket overrun; count unknown (0) */
	NFLOG_LOSS_SEQ_GAP,   /* exact: sequence numbers skipped */
	NFLOG_LOSS_TRUNCATED, /* a datagram larger than the receive buffer */
	NFLOG_LOSS_MALFORMED, /* a message that could not be parsed */
};

struct nflog_options {
	uint16_t group;
	uint8_t copymode;    /* NFULNL_COPY_NONE/META/PACKET */
	uint32_t copy_range; /* 0 = whole packet (up to 65535) */
	uint32_t qthresh;    /* 0 = kernel default (not sent) */
	uint32_t timeout_cs; /* 1/100 s */
	bool set_timeout;    /* send timeout_cs (false = kernel default) */
	uint32_t nlbuf;	     /* 0 = kernel default (not sent) */
	uint64_t rcvbuf;     /* 0 = system default */
	uint64_t rcvbuf_max; /* on ENOBUFS (with enobufs disable: on a sequence
				gap) double rcvbuf up to this; 0 = never grow */
	enum nflog_enobufs enobufs;
	uint16_t flags;		 /* NFULNL_CFG_F_* */
	struct ifcache *ifcache; /* fills interface names; may be NULL */
	/* The network namespace's name, set in every record (rec->netns):
	 * printable ASCII without quotes or backslashes (it is written into
	 * records as it is); NULL: none. Not copied: it must outlive the
	 * reader. */
	const char *netns;
	/* Told of every loss as it is detected; may be NULL. */
	void (*on_loss)(void *arg, uint16_t group, enum nflog_loss_kind kind, uint64_t count);
	void *loss_arg;
};

struct nflog_counters {
	uint64_t received;     /* records parsed and handed out */
	uint64_t drops;	       /* ENOBUFS overruns (events, not messages) */
	uint64_t lost;	       /* messages lost, from sequence gaps (seq flag); a gap
				  at the end of a burst counts once the next record comes */
	uint64_t truncated;    /* datagrams cut short (MSG_TRUNC) */
	uint64_t malformed;    /* messages that could not be parsed */
	uint64_t rcvbuf_grows; /* times the socket buffer was doubled after ENOBUFS */
	/* Records received without a sequence number although the seq flag
	 * is on: logged by the kernel while it bound the group, before it
	 * applied the flags (received, outside the exact loss count). */
	uint64_t unsequenced;
	/* 1 from an overrun (or truncation) until a record newer than the
	 * drop arrives: with seq, its number counts the loss. */
	uint64_t loss_pending;
};

struct nflog_reader;

/* Bind and configure a group (one netlink message: the records the kernel
 * logs right after the bind already carry the flags). NULL on failure, with errno and
 * a one-line reason naming the group in err. Warnings (e.g. a flag the kernel refused but
 * that the group can run without) go to warn (may be empty). */
struct nflog_reader *nflog_reader_open(const struct nflog_options *opt, char *err, size_t errlen,
				       char *warn, size_t warnlen);
/* Apply changed options to the bound group in place, on the same socket
 * (the kernel allows every NFLOG setting to change while bound), so no
 * message is lost. opt->group must be the reader's group. 0, or -1 with
 * a reason in err. Records that arrive meanwhile stay queued: read them
 * (nflog_reader_loop) afterwards. */
int nflog_reader_reconfigure(struct nflog_reader *nl, const struct nflog_options *opt, char *err,
			     size_t errlen, char *warn, size_t warnlen);
/* True when records are waiting in the reader itself (not in the socket):
 * after reconfigure or unbind, read them without waiting for the fd. */
bool nflog_reader_has_pending(const struct nflog_reader *nl);

/* Unbind the group now: the kernel first sends what it still holds for
 * it (a partial batch waiting for qthresh/timeout), so reading until the
 * socket is empty afterwards loses nothing. Returns 0 or -1. */
int nflog_reader_unbind(struct nflog_reader *nl);
/* Unbind the group (if still bound) and close the socket. */
void nflog_reader_close(struct nflog_reader *nl);

int nflog_reader_fd(const struct nflog_reader *nl);
uint16_t nflog_reader_group(const struct nflog_reader *nl);
const struct nflog_counters *nflog_reader_counters(const struct nflog_reader *nl);
/* Socket receive buffer size as the kernel reports it (getsockopt). */
uint64_t nflog_reader_rcvbuf(const struct nflog_reader *nl);
/* Flags the kernel accepted (opt->flags minus any it refused). */
uint16_t nflog_reader_flags(const struct nflog_reader *nl);
/* Messages lost so far. With the seq flag accepted by the kernel the
 * count is exact (sequence gaps) and *exact is set true; without it only
 * events are seen (overruns, truncated datagrams, malformed messages),
 * each losing at least one message: the count is a lower bound and
 * *exact is set false. exact may be NULL. */
uint64_t nflog_reader_lost(const struct nflog_reader *nl, bool *exact);
/* Messages received but not yet handed out (nflogr's "queued"). */
size_t nflog_reader_queued(const struct nflog_reader *nl);

/* Read from the socket into the queue if it is empty. Returns the number
 * of messages queued (0 when !wait and nothing is there), -1 on error. */
int nflog_reader_queue(struct nflog_reader *nl, bool wait);
/* The next record: 1 and *rec filled, 0 when !wait and none, -1 on error. */
int nflog_reader_next(struct nflog_reader *nl, bool wait, struct nflogd_record *rec);

typedef void (*nflog_record_fn)(const struct nflogd_record *rec, void *arg);
/* Pass up to count records to fn (count < 0: no limit). With wait, block
 * for more; without, return once the socket has nothing left. Returns
 * the number of records handled, or -1 on a socket error. */
long nflog_reader_loop(struct nflog_reader *nl, nflog_record_fn fn, void *arg, long count,
		       bool wait);

/* Set the socket receive buffer (SO_RCVBUFFORCE, falling back to
 * SO_RCVBUF); returns the effective size read back, or 0 on failure. */
uint64_t nflog_reader_set_rcvbuf(struct nflog_reader *nl, uint64_t bytes);

#endif
