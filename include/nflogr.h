/* nflogr.h - libnflogr: read the packets netfilter logs to an NFLOG group.
 *
 * The C form of the nflogr Python module's API, and the reader nflogd
 * itself runs on. Open a group with options, take its records one by one
 * (or have a callback called for each), read each record's fields through
 * accessors, format it as the kernel's LOG line or as nflogd's JSON, and
 * ask the handle how many records were received and lost.
 *
 *     struct nflogr_options *opt = nflogr_options_new();
 *     nflogr_options_set_flags(opt, NFLOGR_FLAG_SEQ);     // exact loss count
 *     char err[256];
 *     struct nflogr *h = nflogr_open(1, opt, err, sizeof err);
 *     nflogr_options_free(opt);
 *     const struct nflogr_record *rec;
 *     while (nflogr_next(h, true, &rec) == 1) { ... }
 *     nflogr_close(h);
 *
 * ABI stability: every type is opaque (struct nflogr, struct
 * nflogr_options, struct nflogr_record) and read or set only through
 * functions, so a later version adds a record field, an option or a
 * counter by adding a function or an enum value, never by changing the
 * size or layout of anything a program has compiled in. Options are an
 * object with setters (not a struct) for the same reason. The library is
 * libnflogr.so.0; its exported symbols carry the version NFLOGR_0.
 *
 * Errors: functions that can fail return -1 (NULL for pointers), set
 * errno, and, for a handle, keep a one-line message naming the group and
 * the cause (nflogr_last_error). Nothing here exits or aborts the program.
 *
 * Threads: a handle is used by one thread at a time; different handles,
 * and records copied out of a handle, are independent.
 */
#ifndef NFLOGR_H
#define NFLOGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NFLOGR_VERSION_MAJOR 0
#define NFLOGR_VERSION_MINOR 1

/* One bound NFLOG group: a netlink socket and what was read from it. */
struct nflogr;
/* How to open a group: created with nflogr_options_new(), set with the
 * nflogr_options_set_*() functions. */
struct nflogr_options;
/* One logged packet. A record handed out by nflogr_next() or nflogr_loop()
 * is valid until the next call that reads on the same handle (or its
 * close); keep one longer with nflogr_record_dup() or nflogr_record_copy(). */
struct nflogr_record;

/* What a read does when the socket overran (the kernel dropped records
 * because the socket buffer was full: ENOBUFS), as in nflogr. */
enum nflogr_enobufs {
	NFLOGR_ENOBUFS_RAISE = 0,   /* the next read fails once with errno ENOBUFS */
	NFLOGR_ENOBUFS_HANDLE = 1,  /* counted (NFLOGR_DROPS) and nothing else */
	NFLOGR_ENOBUFS_DISABLE = 2, /* NETLINK_NO_ENOBUFS: the kernel drops without a
				       word; with NFLOGR_FLAG_SEQ the loss is still counted */
};

/* How much of each packet the kernel copies, as in nflogr. */
enum nflogr_copymode {
	NFLOGR_COPY_NONE = 0,	/* no payload (the kernel treats it as META) */
	NFLOGR_COPY_META = 1,	/* metadata only, no payload */
	NFLOGR_COPY_PACKET = 2, /* metadata and payload (up to the copy range) */
};

/* Group flags (the kernel's NFULNL_CFG_F_*). */
#define NFLOGR_FLAG_SEQ 0x0001	      /* per-group sequence numbers: loss is counted exactly */
#define NFLOGR_FLAG_SEQ_GLOBAL 0x0002 /* sequence numbers across all groups */
#define NFLOGR_FLAG_CONNTRACK 0x0004  /* conntrack information (ct_info) */

/* The counters of a handle (nflogr_counter). */
enum nflogr_counter {
	NFLOGR_RECEIVED = 0,	 /* records handed out */
	NFLOGR_DROPS = 1,	 /* socket overruns (ENOBUFS received): events, not records */
	NFLOGR_LOST = 2,	 /* records lost: exact with NFLOGR_FLAG_SEQ, else a lower
				    bound (see nflogr_lost) */
	NFLOGR_TRUNCATED = 3,	 /* datagrams larger than the receive buffer */
	NFLOGR_MALFORMED = 4,	 /* messages that could not be parsed */
	NFLOGR_RCVBUF_GROWS = 5, /* times the socket buffer was doubled (rcvbuf_max) */
	NFLOGR_UNSEQUENCED = 6,	 /* records without a sequence number although
				    NFLOGR_FLAG_SEQ is on (logged while the group
				    was being bound): received, outside the loss count */
};

/* The interfaces a record may name. */
enum nflogr_dev {
	NFLOGR_INDEV = 0,
	NFLOGR_OUTDEV = 1,
	NFLOGR_PHYSINDEV = 2,
	NFLOGR_PHYSOUTDEV = 3,
};

/* log_flags of nflogr_record_text(): the kernel's NF_LOG_* bits, as nft's
 * `log flags` words set them (nflogr_log_flag() maps a word to its bit). */
#define NFLOGR_LOG_TCPSEQ 0x01	  /* "tcp sequence" */
#define NFLOGR_LOG_TCPOPT 0x02	  /* "tcp options" */
#define NFLOGR_LOG_IPOPT 0x04	  /* "ip options" */
#define NFLOGR_LOG_UID 0x08	  /* "skuid" */
#define NFLOGR_LOG_MACDECODE 0x20 /* "ether" */
#define NFLOGR_LOG_ALL 0x2f	  /* "all" */

/* ---- the library ---- */

/* The library's version, "MAJOR.MINOR.PATCH" (static string). */
const char *nflogr_version(void);

/* ---- options ---- */

/* New options holding nflogr's defaults: timeout 0, qthresh 1, rcvbuf 0
 * (system default), nlbuf 0 (kernel default), enobufs RAISE, copymode
 * PACKET with the whole packet, no flags, the caller's network namespace.
 * NULL (errno ENOMEM) when out of memory. Free with nflogr_options_free. */
struct nflogr_options *nflogr_options_new(void);
/* Free options (NULL is fine). A handle keeps no reference to them. */
void nflogr_options_free(struct nflogr_options *opt);

/* Each setter returns 0, or -1 with errno EINVAL when the value is out of
 * range (the range is in the comment); the options are then unchanged. */

/* Seconds (0.01 steps, 0 .. 42949672.95) the kernel waits before it sends
 * a batch that has not reached qthresh. */
int nflogr_options_set_timeout(struct nflogr_options *opt, double seconds);
/* Records the kernel batches into one datagram (0 behaves as 1). A rule's
 * own threshold (iptables --nflog-threshold) overrides it. */
int nflogr_options_set_qthresh(struct nflogr_options *opt, uint32_t records);
/* Socket receive buffer in bytes (0: the system default, up to 2^30); set
 * with SO_RCVBUFFORCE, so rmem_max does not cap it. */
int nflogr_options_set_rcvbuf(struct nflogr_options *opt, uint64_t bytes);
/* On each overrun, double the receive buffer up to this many bytes
 * (0: never grow; at most 2^30). */
int nflogr_options_set_rcvbuf_max(struct nflogr_options *opt, uint64_t bytes);
/* Kernel batch buffer in bytes: 0 (kernel default, one page) or
 * 4096 .. 131072. It does not change the socket's receive buffer. */
int nflogr_options_set_nlbuf(struct nflogr_options *opt, uint32_t bytes);
/* What a read does after a socket overrun (enum nflogr_enobufs). */
int nflogr_options_set_enobufs(struct nflogr_options *opt, enum nflogr_enobufs policy);
/* How much of each packet the kernel copies (enum nflogr_copymode). */
int nflogr_options_set_copymode(struct nflogr_options *opt, enum nflogr_copymode mode);
/* Payload bytes copied with NFLOGR_COPY_PACKET: 1 .. 65535, or 0 for the
 * whole packet (up to 65535, the default). */
int nflogr_options_set_copy_range(struct nflogr_options *opt, uint32_t bytes);
/* NFLOGR_FLAG_* bits. A kernel without conntrack netlink support refuses
 * NFLOGR_FLAG_CONNTRACK: the group then opens without it, nflogr_flags()
 * says so and nflogr_warning() says why. */
int nflogr_options_set_flags(struct nflogr_options *opt, unsigned flags);
/* Open the group in another network namespace: fd is an open file of one
 * (/run/netns/NAME, /proc/PID/ns/net; -1: the caller's own, the default).
 * nflogr_open() then creates its sockets inside it (CAP_SYS_ADMIN is
 * needed to enter it) and names interfaces as that namespace does; the
 * calling thread returns to its own namespace. The fd is not kept. */
int nflogr_options_set_netns(struct nflogr_options *opt, int fd);

/* ---- a group ---- */

/* Bind NFLOG group (0 .. 65535) with opt (NULL: the defaults), all
 * settings in one message to the kernel. Needs CAP_NET_ADMIN. Returns the
 * handle, or NULL with errno set and a one-line reason in err (errlen
 * bytes, may be NULL/0): EPERM when another process holds the group or
 * CAP_NET_ADMIN is missing (the message says which). */
struct nflogr *nflogr_open(uint16_t group, const struct nflogr_options *opt, char *err,
			   size_t errlen);
/* Unbind the group (if still bound), close its socket and free the handle
 * (NULL is fine). Records not read yet are lost: to keep them, unbind
 * first and read until nflogr_next(h, false, ...) returns 0. */
void nflogr_close(struct nflogr *h);
/* Unbind the group now: the kernel first sends what it still held back
 * for batching. Reading continues until everything sent is read
 * (nflogr_next returns 0 without waiting). 0, or -1 with errno. */
int nflogr_unbind(struct nflogr *h);

/* The netlink socket, for poll/epoll/event loops (readable: records). */
int nflogr_fd(const struct nflogr *h);
/* The group number. */
uint16_t nflogr_group(const struct nflogr *h);
/* The NFLOGR_FLAG_* bits the kernel accepted. */
unsigned nflogr_flags(const struct nflogr *h);
/* The socket receive buffer in bytes as the kernel reports it
 * (getsockopt SO_RCVBUF: twice what was asked, see socket(7)). */
uint64_t nflogr_rcvbuf(const struct nflogr *h);
/* Set the socket receive buffer to bytes (as the rcvbuf option). 0, or -1
 * with errno. */
int nflogr_set_rcvbuf(struct nflogr *h, uint64_t bytes);

/* Read from the socket into the handle's queue when the queue is empty,
 * waiting for the kernel when wait is true. Returns the number of
 * records queued (0 without wait when nothing is there), or -1 with
 * errno: ENOBUFS once per overrun under NFLOGR_ENOBUFS_RAISE (the
 * records read are still there), EINTR when a signal interrupted the
 * wait, or a socket error. */
int nflogr_queue(struct nflogr *h, bool wait);
/* The next record: 1 and *rec set (valid until the next read on h), 0
 * without wait when none is there, -1 with errno as nflogr_queue (after
 * ENOBUFS the next call hands out the record that followed the overrun). */
int nflogr_next(struct nflogr *h, bool wait, const struct nflogr_record **rec);

/* Called by nflogr_loop for each record; return 0 to go on, anything else
 * to stop the loop after this record. */
typedef int (*nflogr_record_fn)(const struct nflogr_record *rec, void *arg);
/* Pass up to count records (count < 0: no limit) to fn, waiting for more
 * when wait is true, else until none is there. Returns the number of
 * records passed, or -1 with errno as nflogr_next when the first read
 * failed (a later failure ends the loop and returns the count so far;
 * nflogr_last_error says what happened). */
long nflogr_loop(struct nflogr *h, nflogr_record_fn fn, void *arg, long count, bool wait);

/* Records received from the socket and not handed out yet (nflogr's
 * "queued"). */
size_t nflogr_queued(const struct nflogr *h);
/* One counter (enum nflogr_counter); 0 for an unknown one. */
uint64_t nflogr_counter(const struct nflogr *h, enum nflogr_counter which);
/* Records lost so far. With NFLOGR_FLAG_SEQ accepted the count is exact
 * (gaps in the kernel's sequence numbers; a gap at the end of a burst
 * counts once a later record arrives) and *exact is set true; without
 * it only events are seen (overruns, truncated datagrams, malformed
 * messages), each losing at least one record: the count is a lower
 * bound and *exact is false. exact may be NULL. */
uint64_t nflogr_lost(const struct nflogr *h, bool *exact);

/* The message of the last call on h that failed (group and cause), ""
 * when none has. Valid until the next call on h. */
const char *nflogr_last_error(const struct nflogr *h);
/* What nflogr_open had to give up to open the group (a flag the kernel
 * refused), "" when nothing. */
const char *nflogr_warning(const struct nflogr *h);

/* ---- a record: what the kernel sent ---- */

/* Accessors of optional values return true and set *out when the kernel
 * sent the value, false (and leave *out alone) when it did not. */

/* The group the record came from. */
uint16_t nflogr_record_group(const struct nflogr_record *rec);
/* The protocol family (NFPROTO_*: 2 ipv4, 10 ipv6, 7 bridge, 3 arp, 5 netdev). */
uint8_t nflogr_record_family(const struct nflogr_record *rec);
/* The family's name ("ipv4", "ipv6", "bridge", "arp", "netdev"), or NULL. */
const char *nflogr_record_family_name(const struct nflogr_record *rec);
/* The netfilter hook number (NF_INET_*: 0 prerouting .. 4 postrouting),
 * or -1 when the kernel sent no packet header. */
int nflogr_record_hook(const struct nflogr_record *rec);
/* The hook's name ("prerouting", "input", "forward", "output",
 * "postrouting", ...), or NULL when unknown or not sent. */
const char *nflogr_record_hook_name(const struct nflogr_record *rec);
/* nflogr "proto": the link-layer protocol (EtherType), host order. */
bool nflogr_record_proto(const struct nflogr_record *rec, uint16_t *proto);
/* nflogr "hwtype": the input device's ARPHRD_* type. */
bool nflogr_record_hwtype(const struct nflogr_record *rec, uint16_t *hwtype);
/* nflogr "nfmark": the packet mark (the kernel sends only a non-zero one). */
bool nflogr_record_mark(const struct nflogr_record *rec, uint32_t *mark);
/* The time the packet was logged into *tv. Returns true when the kernel
 * sent it; false when it sent none (packets logged in output and
 * postrouting carry none) and *tv is the time the record was received. */
bool nflogr_record_timestamp(const struct nflogr_record *rec, struct timeval *tv);
/* The interface index of dev, 0 when the record names none. */
uint32_t nflogr_record_ifindex(const struct nflogr_record *rec, enum nflogr_dev dev);
/* The interface's name when the record was read (NUL-terminated), or
 * NULL when the record names none or no interface has that index. */
const char *nflogr_record_ifname(const struct nflogr_record *rec, enum nflogr_dev dev);
/* The user and group of the local socket that sent the packet. */
bool nflogr_record_uid(const struct nflogr_record *rec, uint32_t *uid);
bool nflogr_record_gid(const struct nflogr_record *rec, uint32_t *gid);
/* Sequence numbers (NFLOGR_FLAG_SEQ, NFLOGR_FLAG_SEQ_GLOBAL). */
bool nflogr_record_seq(const struct nflogr_record *rec, uint32_t *seq);
bool nflogr_record_seq_global(const struct nflogr_record *rec, uint32_t *seq);
/* Conntrack state (NFLOGR_FLAG_CONNTRACK): enum ip_conntrack_info. */
bool nflogr_record_ct_info(const struct nflogr_record *rec, uint32_t *ct_info);
/* The VLAN tag: its protocol and TCI (VID = tci & 0x0fff), host order. */
bool nflogr_record_vlan(const struct nflogr_record *rec, uint16_t *proto, uint16_t *tci);

/* Byte fields: a pointer to *len bytes (valid as long as the record), or
 * NULL when the kernel sent none. */

/* nflogr "hwaddr": the link-layer source address. */
const void *nflogr_record_hwaddr(const struct nflogr_record *rec, size_t *len);
/* nflogr "hwhdr": the link-layer header. */
const void *nflogr_record_hwhdr(const struct nflogr_record *rec, size_t *len);
/* The layer-2 header of bridge-family records. */
const void *nflogr_record_l2hdr(const struct nflogr_record *rec, size_t *len);
/* nflogr "payload": the layer-3 packet (up to the copy range). */
const void *nflogr_record_payload(const struct nflogr_record *rec, size_t *len);
/* nflogr "prefix": the rule's log prefix, *len bytes up to its first NUL.
 * Not NUL-terminated, and not necessarily text (any bytes a rule set). */
const char *nflogr_record_prefix(const struct nflogr_record *rec, size_t *len);

/* ---- keeping a record ---- */

/* Bytes nflogr_record_copy needs for rec (the record and its byte fields). */
size_t nflogr_record_copy_size(const struct nflogr_record *rec);
/* Copy rec into mem (size bytes, aligned like malloc's memory) and return
 * the copy, which lives in mem and needs no freeing; NULL with errno
 * EINVAL when mem is too small or misaligned. */
struct nflogr_record *nflogr_record_copy(const struct nflogr_record *rec, void *mem, size_t size);
/* A copy of rec in memory of its own (free with nflogr_record_free), or
 * NULL with errno ENOMEM. */
struct nflogr_record *nflogr_record_dup(const struct nflogr_record *rec);
/* Free a record from nflogr_record_dup (NULL is fine). */
void nflogr_record_free(struct nflogr_record *rec);

/* ---- a record as text ---- */

/* The line the kernel's LOG target prints for this packet and log_flags
 * (NFLOGR_LOG_*), exactly as nflogd's text format writes it after its
 * timestamp: "<prefix>IN=.. OUT=.. SRC=.. ... " with the trailing space,
 * no newline. Writes at most size bytes including a NUL, like snprintf,
 * and returns the length of the whole line (a result >= size means buf
 * was too small), or -1 with errno ENOMEM. */
long nflogr_record_text(const struct nflogr_record *rec, unsigned log_flags, char *buf,
			size_t size);
/* The record as one JSON object, the same bytes as a line of nflogd's
 * JSON output without its newline (keys: doc/fields.md). snprintf-like,
 * as nflogr_record_text. */
long nflogr_record_json(const struct nflogr_record *rec, char *buf, size_t size);
/* The NFLOGR_LOG_* bit of one nft `log flags` word ("tcp sequence", "tcp
 * options", "ip options", "skuid", "ether", "all"), or -1 (errno EINVAL)
 * for another word. */
int nflogr_log_flag(const char *word);

/* The JSON type of a field (nflogr_record_fields). */
enum nflogr_field_type {
	NFLOGR_FIELD_INT = 0,	 /* decimal digits */
	NFLOGR_FIELD_BOOL = 1,	 /* "true" or "false" */
	NFLOGR_FIELD_STRING = 2, /* printable ASCII (names, addresses, times) */
	NFLOGR_FIELD_HEX = 3,	 /* lowercase hex, two digits per byte */
	NFLOGR_FIELD_TEXT = 4,	 /* untrusted bytes (the JSON output escapes them, and adds
				    "<key>_hex" when they are not UTF-8) */
	NFLOGR_FIELD_FLAGS = 5,	 /* words separated by single spaces (a JSON array) */
	NFLOGR_FIELD_OBJECT = 6, /* opens an object: the fields after it that name it as
				    parent are its members; value "" */
};

/* Called by nflogr_record_fields for each key the JSON output has for
 * this record, in its order: parent is the enclosing object's key (NULL
 * at the top level); value is len bytes (NUL-terminated, valid during the
 * call), or NULL for a JSON null. Return 0 to go on, else to stop. */
typedef int (*nflogr_field_fn)(void *arg, const char *parent, const char *key,
			       enum nflogr_field_type type, const char *value, size_t len);
/* Walk the keys and values of nflogd's JSON output for rec (the decoded
 * protocol fields included), from the same field table. Returns 0, the
 * callback's non-zero value when it stopped the walk, or -1 with errno
 * ENOMEM. */
int nflogr_record_fields(const struct nflogr_record *rec, nflogr_field_fn fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif
