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

void log_init(void);
void log_set_level(int level);
int log_get_level(void);
/* "error", "warning", "info", "debug" -> level, or -1 */
int log_level_from_name(const char *name) MUST_CHECK;

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
