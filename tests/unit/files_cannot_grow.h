/* files_cannot_grow.h - a full disk for a unit test, without a disk: from
 * the call on, no write may grow a regular file (RLIMIT_FSIZE 0: EFBIG,
 * SIGXFSZ ignored), as the disk-full paths of the file sink see it. */
#ifndef NFLOGD_TEST_FILES_CANNOT_GROW_H
#define NFLOGD_TEST_FILES_CANNOT_GROW_H

#include <signal.h>
#include <sys/resource.h>

/* Make every write that would grow a file fail; returns the limit to put
 * back with setrlimit(RLIMIT_FSIZE, &old). */
static inline struct rlimit files_cannot_grow(void)
{
	struct rlimit old, none = { 0, 0 };
	getrlimit(RLIMIT_FSIZE, &old);
	none.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &none);
	return old;
}

#endif
