/* log.h - the daemon's own messages, on stderr, with levels.
 *
 * When stderr is connected to the journal (systemd sets JOURNAL_STREAM),
 * each line starts with the sd-daemon "<N>" priority so that journald
 * files it at the right level; on a terminal it reads "nflogd: warning: ...".
 */
#ifndef NFLOGD_LOG_H
#define NFLOGD_LOG_H

#include "compiler.h"

/* syslog(3) priorities */
enum log_level {
	LOG_LEVEL_ERROR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

/* Look once whether stderr is the journal's stream (then lines carry a
 * "<N>" priority). Call before the first message. */
void log_init(void);
/* Print messages up to level (LOG_LEVEL_*), drop those above. */
void log_set_level(int level);
/* The level set last (LOG_LEVEL_INFO until then). */
int log_get_level(void);
/* "error", "warning", "info", "debug" -> its LOG_LEVEL_*, or -1. */
int log_level_from_name(const char *name) MUST_CHECK;

/* One line at that level (printf format; no newline needed; cut at 2 KiB).
 * Debug messages name their function: log_debug("%s: ...", __func__). */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A problem nflogd works around (records may be lost: it says how many). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* What an administrator wants to see: start, reload, counters. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Detail for a developer (-v or log_level = "debug"). */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
