/* config.h - /etc/nflogd.conf as a validated plain struct.
 *
 * config_load() parses the libconfig file and checks every key (type,
 * range, unknown keys, unknown output names, duplicates). It opens no
 * socket and no output: --check-config and reload use the same code.
 */
#ifndef NFLOGD_CONFIG_H
#define NFLOGD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compiler.h"
#include "json_formatter.h"

enum output_type {
	OUTPUT_FILE = 1,
	OUTPUT_JOURNAL = 2,
	OUTPUT_SYSLOG = 3,
	OUTPUT_PCAP = 4,
};

/* type = "pcap": what a capture record holds; the values are the pcap
 * LINKTYPE_* numbers written in the file header. */
enum capture_linktype {
	CAPTURE_RAW = 101,   /* the IPv4/IPv6 packet */
	CAPTURE_NFLOG = 239, /* the NFLOG message: attributes and packet */
};

/* type = "syslog": where messages go, and how they are written. */
enum syslog_transport {
	SYSLOG_LOCAL = 0, /* unix datagram socket, default /dev/log */
	SYSLOG_UDP = 1,
	SYSLOG_TCP = 2, /* RFC 6587 octet counting */
	SYSLOG_TLS = 3, /* RFC 5425: octet counting over TLS */
};

enum syslog_format {
	SYSLOG_FORMAT_AUTO = 0, /* rfc3164 locally, rfc5424 to a target */
	SYSLOG_FORMAT_RFC3164 = 1,
	SYSLOG_FORMAT_RFC5424 = 2,
	SYSLOG_FORMAT_KERNEL = 3, /* the kernel's LOG lines: "kernel:", kern.warning */
};

enum record_format {
	RECORD_FORMAT_TEXT = 0,
	RECORD_FORMAT_JSON = 1,
};

/* Values are the kernel's NFULNL_COPY_* */
enum copymode {
	COPYMODE_NONE = 0,
	COPYMODE_META = 1,
	COPYMODE_PACKET = 2,
};

enum enobufs_policy {
	ENOBUFS_RAISE = 0,   /* warning + loss record in the group's outputs */
	ENOBUFS_HANDLE = 1,  /* counted only */
	ENOBUFS_DISABLE = 2, /* NETLINK_NO_ENOBUFS: the kernel drops silently */
};

/* Defaults and limits (conf/nflogd.conf explains each choice). */
#define CONFIG_DEFAULT_STATUS_INTERVAL 10 /* seconds, 1..86400 */
#define CONFIG_DEFAULT_FILE_MODE 0640
#define CONFIG_DEFAULT_ROTATE_KEEP 10 /* 1..1000 */
#define CONFIG_ROTATE_KEEP_MAX 1000
#define CONFIG_ROTATE_SIZE_MIN 4096
#define CONFIG_ROTATE_INTERVAL_MAX (366 * 86400)
#define CONFIG_DEFAULT_FILE_BACKLOG (UINT64_C(8) << 20) /* 8 MiB */
#define CONFIG_FILE_BACKLOG_MAX (UINT64_C(1) << 30)	/* 1 GiB */
#define CONFIG_OUTPUT_NAME_MAX 64			/* [A-Za-z0-9_.-] */
#define CONFIG_LOGS_DIRECTORY "/var/log/nflogd"		/* nflogd.service's LogsDirectory= */
#define CONFIG_NETNS_DIR "/run/netns"			/* where `ip netns add NAME` puts NAME */
#define CONFIG_DEFAULT_COPY_RANGE 65535
#define CONFIG_DEFAULT_IDENT "nflogd" /* journal and syslog */
#define CONFIG_DEFAULT_PRIORITY 5     /* notice (the kernel's LOG: warning) */
#define CONFIG_DEFAULT_FACILITY 3     /* daemon */
#define CONFIG_DEFAULT_SYSLOG_SOCKET "/dev/log"
/* The documentation enterprise number (RFC 5612): kept for the rules
 * users already wrote against it; nflogd has no number of its own. */
#define CONFIG_DEFAULT_SD_ID "nflog@32473"
#define CONFIG_DEFAULT_QUEUE_SIZE 10000 /* records, 1..1000000 */
#define CONFIG_QUEUE_SIZE_MAX 1000000
/* tcp and tls: a peer that acknowledges nothing for this long while
 * bytes wait for it (it accepts but never reads) is given up and
 * connected to again. */
#define CONFIG_DEFAULT_STALL_TIMEOUT 30 /* seconds, 1..3600 */
#define CONFIG_STALL_TIMEOUT_MAX 3600
#define CONFIG_TLS_FILE_MAX (1 << 20) /* bytes of a ca, cert or key file */
#define CONFIG_DEFAULT_QTHRESH 64     /* 1..65535 */
#define CONFIG_DEFAULT_TIMEOUT_CS 5   /* 0.05 s */
#define CONFIG_TIMEOUT_MAX_S 600
#define CONFIG_DEFAULT_RCVBUF (UINT64_C(4) << 20)      /* 4 MiB */
#define CONFIG_DEFAULT_RCVBUF_MAX (UINT64_C(64) << 20) /* 64 MiB */
#define CONFIG_RCVBUF_MIN 4096			       /* unless 0 */
#define CONFIG_RCVBUF_MAX (INT64_C(2) << 30)	       /* 2 GiB, stored as INT_MAX */
/* nfulnl_set_nlbufsiz() accepts NLMSG_GOODSIZE..131072; NLMSG_GOODSIZE is
 * a page (at most 8 KiB) minus struct skb_shared_info: 3776 on x86-64 with
 * 4 KiB pages, 7872 with 64 KiB pages. 8192 is accepted by every kernel. */
#define CONFIG_DEFAULT_NLBUF 65536
#define CONFIG_NLBUF_MIN 8192 /* unless 0 */
#define CONFIG_NLBUF_MAX 131072

/* flags bits: the kernel's NFULNL_CFG_F_* */
#define GROUP_FLAG_SEQ 0x0001
#define GROUP_FLAG_SEQ_GLOBAL 0x0002
#define GROUP_FLAG_CONNTRACK 0x0004

/* A file named in tls = { ... }, as written and as read when the config
 * was loaded. The output builds its TLS context from these bytes, not
 * from the file again: what --check-config or a reload checked is what
 * runs, and a reload that finds the bytes changed (a renewed certificate)
 * opens the output afresh. */
struct config_file {
	char *path; /* as written ("$CREDENTIALS_DIRECTORY/..." too); NULL: not set */
	char *data; /* the contents, NUL-terminated; NULL when path is */
	size_t len;
};

/* target = "tls://...": the tls = { ... } group. */
struct tls_config {
	struct config_file ca;	 /* CA certificates; not set: the system's store */
	struct config_file cert; /* a client certificate (chain), with key: mutual TLS */
	struct config_file key;	 /* its private key (PEM, not encrypted) */
	char name[256];		 /* what the server's certificate must name; "" = target host */
	bool verify;		 /* check the server's certificate, default true */
	unsigned min_version;	 /* 0x0303 (TLS 1.2, default) or 0x0304 (TLS 1.3) */
};

struct output_config {
	char *name;
	int line; /* where it is defined, for messages */
	enum output_type type;
	enum record_format format; /* default text */
	unsigned log_flags;	   /* FORMAT_LOG_* bits (format.h), default 0 */
	/* type = "file" and "pcap" */
	char *path;		  /* absolute */
	unsigned mode;		  /* file mode, default 0640 */
	int64_t uid, gid;	  /* owner / group of a created file, -1 = unset */
	uint64_t rotate_size;	  /* bytes, 0 = no size rotation */
	uint32_t rotate_interval; /* seconds, 0 = no time rotation */
	uint32_t rotate_keep;	  /* old files path.1 .. path.N, default 10 */
	uint64_t backlog;	  /* bytes held while the file cannot be written */
	struct json_options json; /* format json: payload, null_keys, schema */
	/* type = "pcap" (and the keys of "file" above but format, log_flags and
	 * the JSON options) */
	enum capture_linktype linktype; /* default nflog */
	/* type = "journal" and "syslog" (fixed arrays: config_free stays simple) */
	char ident[49];	   /* SYSLOG_IDENTIFIER / APP-NAME, default "nflogd" */
	unsigned priority; /* severity 0..7, default 5 (notice) */
	/* type = "journal" */
	bool payload; /* add NFLOG_PAYLOAD (hex), default false */
	/* type = "syslog" */
	unsigned facility;		  /* 0..23, default 3 (daemon) */
	enum syslog_format syslog_format; /* default auto */
	enum syslog_transport transport;  /* local unless target is set */
	char socket_path[108];		  /* local: default "/dev/log" */
	char host[256];			  /* udp/tcp: name or address (IPv6 without []) */
	uint16_t port;
	bool structured_data;	/* RFC 5424 [nflog@32473 ...], default true */
	uint32_t queue_size;	/* also journal: records waiting for the peer, default 10000 */
	char sd_id[33];		/* RFC 5424 SD-ID NAME@NUMBER, default "nflog@32473" */
	struct tls_config tls;	/* target = "tls://..." */
	uint32_t stall_timeout; /* tcp, tls: seconds without acknowledgement, default 30 */
};

struct group_config {
	uint16_t group;
	/* The network namespace the group is read in, as written: a name under
	 * CONFIG_NETNS_DIR or an absolute path; NULL: nflogd's own. */
	char *netns;
	char *netns_path; /* the file to open: CONFIG_NETNS_DIR/NAME or the path */
	int line;
	size_t *outputs; /* indexes into nflogd_config.outputs */
	size_t n_outputs;
	enum copymode copymode;	     /* default packet */
	uint32_t copy_range;	     /* bytes, default 65535 (0 = whole packet) */
	uint32_t qthresh;	     /* messages per kernel batch, default 64 */
	uint32_t timeout_cs;	     /* kernel flush timeout in 1/100 s, default 5 (0.05 s) */
	uint64_t rcvbuf;	     /* bytes, 0 = system default; default 4 MiB; <= INT_MAX */
	uint64_t rcvbuf_max;	     /* bytes, growth limit on ENOBUFS, 0 = no growth;
					default 64 MiB; <= INT_MAX; >= rcvbuf if both set */
	uint32_t nlbuf;		     /* kernel nlbufsiz, 0 = kernel default, else
					8192..131072; default 65536 */
	enum enobufs_policy enobufs; /* default raise */
	uint16_t flags;		     /* GROUP_FLAG_*, default seq */
};

struct daemon_config {
	int log_level;		  /* LOG_LEVEL_* (log.h), default info */
	uint32_t status_interval; /* seconds, default 10 */
};

struct nflogd_config {
	char *path;
	struct daemon_config daemon;
	struct output_config *outputs;
	size_t n_outputs;
	struct group_config *groups;
	size_t n_groups;
};

/* Load and validate path into cfg. Returns 0 when valid. Otherwise -1,
 * with one "FILE:LINE: message\n" line per problem appended to errors
 * (FILE: message when no line applies), and cfg left empty. Either way,
 * what is valid but doubtful is appended to warnings (unless it is NULL)
 * as "FILE:LINE: warning: message\n". cfg must be config_free()d after a
 * successful load. */
int config_load(const char *path, struct nflogd_config *cfg, struct buf *errors,
		struct buf *warnings) MUST_CHECK;
/* Free what cfg owns and empty it; an empty cfg is fine. */
void config_free(struct nflogd_config *cfg);

/* Whether a and b have the same settings (everything but the line): a
 * reload keeps such an output running untouched. */
bool config_output_equal(const struct output_config *a, const struct output_config *b);
/* Whether a and b have the same reader options, whatever outputs they
 * feed (a reload re-wires those without touching the socket). */
bool config_group_options_equal(const struct group_config *a, const struct group_config *b);

/* Orders groups by what makes them one group: a config holds no two
 * with the same identity, and a reload keeps a group whose identity
 * stays (its socket with it). The identity is the network namespace (the
 * file it names: "blue" and "/run/netns/blue" are one) and the group
 * number; any key that joins it joins here and nowhere else.
 * <0, 0 or >0 as strcmp(). */
int config_group_identity_cmp(const struct group_config *a, const struct group_config *b);

/* Index of the output named name, or -1. */
int config_find_output(const struct nflogd_config *cfg, const char *name) MUST_CHECK;

/* What a file of this st_mode is, when it is not a regular file ("a FIFO
 * (named pipe)", "a directory", ...), for messages; NULL for a regular
 * file. A file output writes only regular files: opening a FIFO for
 * writing waits for a reader, and writes to one wait for it to read. */
const char *config_not_regular(unsigned mode);

#endif
