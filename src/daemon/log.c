/* log.c - leveled messages on stderr, journal-aware. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int current_level = LOG_LEVEL_INFO;
static bool stderr_is_journal;

/* JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected; it only
 * applies if stderr is still that stream. */
static bool detect_journal_stream(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	if (!js)
		return false;
	unsigned long long dev, ino;
	if (sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	struct stat st;
	if (fstat(2, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(void) { stderr_is_journal = detect_journal_stream(); }

void log_set_level(int level) { current_level = level; }

int log_get_level(void) { return current_level; }

int log_level_from_name(const char *name)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
		{ "error", LOG_LEVEL_ERROR },
		{ "warning", LOG_LEVEL_WARNING },
		{ "info", LOG_LEVEL_INFO },
		{ "debug", LOG_LEVEL_DEBUG },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].level;
	return -1;
}

static const char *level_word(int level)
{
	switch (level) {
	case LOG_LEVEL_ERROR: return "error";
	case LOG_LEVEL_WARNING: return "warning";
	case LOG_LEVEL_INFO: return "info";
	default: return "debug";
	}
}

__attribute__((format(printf, 2, 0))) static void log_vwrite(int level, const char *fmt, va_list ap)
{
	if (level > current_level)
		return;
	char line[2048];
	vsnprintf(line, sizeof line, fmt, ap);
	if (stderr_is_journal)
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "nflogd: %s: %s\n", level_word(level), line);
}

#define LOG_FN(fn, level)                                                                          \
	void fn(const char *fmt, ...)                                                              \
	{                                                                                          \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		log_vwrite(level, fmt, ap);                                                        \
		va_end(ap);                                                                        \
	}

LOG_FN(log_error, LOG_LEVEL_ERROR)
LOG_FN(log_warn, LOG_LEVEL_WARNING)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)
