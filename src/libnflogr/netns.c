/* netns.c - enter another network namespace and come back. */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

int netns_enter(int fd, int *home)
{
	/* thread-self: in a threaded program, this thread's namespace */
	*home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*home < 0)
		return -1;
	if (setns(fd, CLONE_NEWNET) < 0) {
		int e = errno;
		close(*home);
		*home = -1;
		errno = e;
		return -1;
	}
	return 0;
}

int netns_leave(int home)
{
	int r = setns(home, CLONE_NEWNET);
	int e = errno;
	close(home);
	errno = e;
	return r;
}
