/* file_sink.h - a file that an output appends whole records to: the part
 * the file output (lines) and the pcap output (capture records) share.
 *
 * The output formats records straight into f->batch and ends each with
 * file_sink_end_record(); file_sink_flush() writes the batch with one
 * write() (more only across a size rotation). Records are only ever
 * written whole: after a failed or short write the file is cut back to
 * the end of the last whole record, and the records not written stay in
 * the batch (up to `backlog` bytes) to be tried again on a timer. What
 * does not fit is dropped and counted: written + dropped + queued (the
 * output's stats) is every record handed to the sink.
 *
 * Rotation (rotate = { size; interval; keep; }) happens between records:
 * path.(N-1) -> path.N, ..., path -> path.1, then a new path. Every new
 * file begins with the framing's header (pcap's file header), so each
 * file, rotated or not, is complete on its own. A failed reopen (SIGUSR1
 * or after a rotation) keeps writing to the old file descriptor and is
 * retried on the same timer. See doc/files.md.
 */
#ifndef NFLOGD_FILE_SINK_H
#define NFLOGD_FILE_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "compiler.h"
#include "config.h"
#include "ratelimit.h"

struct file_sink;
struct loop_event;
struct output;

#define FILE_SINK_HEADER_MAX 32

/* How the records of a sink's files are framed. */
struct file_framing {
	const char *record_word; /* "line", "record": in messages */
	/* The length of the whole record at p. The batch holds only whole
	 * records, so the avail bytes from p on hold it. */
	size_t (*record_len)(const char *p, size_t avail);
	/* An existing file was opened to append to (f->fd, f->size > 0; read
	 * access unless only write access was granted): make it safe to
	 * append to, e.g. cut what a crash left of a record (file_sink_cut()).
	 * 0, or -1 with the reason in err (the file is not of this kind).
	 * NULL: nothing to check. */
	int (*check_existing)(struct file_sink *f, char *err, size_t errlen);
	/* Written after part of a record that could not be cut off the file,
	 * so that the next record starts clean (lines: "\n"); NULL: none. */
	const char *partial_end;
	/* What every new file begins with (0 bytes: nothing). */
	uint8_t header[FILE_SINK_HEADER_MAX];
	size_t header_len;
};

struct file_sink {
	struct output *out; /* whose name, stats and loop these are */
	const struct file_framing *framing;
	char *path;
	unsigned mode;
	int64_t uid, gid;	  /* -1: leave as created */
	uint64_t rotate_size;	  /* 0: none */
	uint32_t rotate_interval; /* seconds, 0: none */
	uint32_t rotate_keep;
	size_t backlog_max;
	int fd;
	uint64_t size;		     /* bytes in the current file */
	bool header_pending;	     /* the current file is empty: its header goes first */
	struct buf batch;	     /* whole records not yet written */
	uint64_t batch_records;	     /* records in batch */
	bool failing;		     /* the last write failed: batch is a backlog */
	bool reopen_pending;	     /* a reopen failed: still on the old fd */
	time_t retry_at;	     /* monotonic: next write attempt while failing */
	time_t rotate_retry_at;	     /* monotonic: next rotation attempt after a failure */
	uint64_t dropped_at_failure; /* stats.dropped when failing began */
	struct loop_event *retry_timer, *rotate_timer;
	struct ratelimit write_report, reopen_report, rotate_report;
};

/* Open the file of oc (path, mode, owner, rotate, backlog) into f, whose
 * memory is the caller's, for out (its name, stats and loop: without a
 * loop nothing is retried), framed as framing says (which must outlive
 * f). 0, or -1 with the reason in err (f holds nothing then). */
int file_sink_open(struct file_sink *f, struct output *out, const struct output_config *oc,
		   const struct file_framing *framing, char *err, size_t errlen) MUST_CHECK;
/* The bytes appended to f->batch since start are one whole record: count
 * it, or drop it (out of memory, or the backlog is full while failing),
 * and write the batch when it has grown large. */
void file_sink_end_record(struct file_sink *f, size_t start);
/* Write the batch (once per drained batch of a group); while failing,
 * the retry timer paces the attempts. */
void file_sink_flush(struct file_sink *f);
/* A new file at path (SIGUSR1, after logrotate moved the old one; the
 * batch is flushed already). 0, or -1 with the reason in err: f goes on
 * writing the old file and retries. */
int file_sink_reopen(struct file_sink *f, char *err, size_t errlen) MUST_CHECK;
/* One last try to write what is held (what fails is counted as
 * dropped), then close the file and free what f holds. */
void file_sink_close(struct file_sink *f);

/* For check_existing: cut the current file back to its first keep bytes
 * (what follows is part of a record, never a whole one). 0, or -1 after
 * logging why not. */
int file_sink_cut(struct file_sink *f, uint64_t keep);

#endif
