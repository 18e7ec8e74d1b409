/* drainwait.c - time a stopped reader draining its socket buffer.
 *
 * bench/run.sh stops a reader (SIGSTOP), fills its socket buffer with
 * logged packets and then runs this: it sends SIGCONT and measures, on the
 * monotonic clock, until the reader is done.
 *
 *   drainwait -p PID -f FILE -n LINES [-t]   done when FILE holds LINES lines
 *   drainwait -p PID -x                      done when PID exits
 *                                            (countreader -c N exits after N records)
 *   -t  also print the reader's CPU time then ("cpu_ticks=N user_ticks=U
 *       sys_ticks=S", utime + stime in clock ticks since it started; not
 *       with -x: the process is gone)
 *
 * FILE is followed with inotify (one wakeup per write of the reader, which
 * batches its records) and only its new bytes are read, so the watcher
 * costs little next to the reader. Prints one line "seconds=S lines=N
 * [cpu_ticks=T user_ticks=U sys_ticks=S]" and exits 0, or 1 when it gave
 * up (no progress for 10 seconds).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define IDLE_LIMIT_MS 10000

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Newlines in what was appended to fd since the last call. */
static unsigned long count_new_lines(int fd)
{
	static char buf[1 << 20];
	unsigned long lines = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		for (char *p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p))); p++)
			lines++;
	return lines;
}

/* Follow path until it holds want lines; false after IDLE_LIMIT_MS without a write. */
static bool wait_lines(const char *path, unsigned long want, unsigned long *got)
{
	int in = inotify_init1(IN_CLOEXEC);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fd < 0 || inotify_add_watch(in, path, IN_MODIFY) < 0) {
		fprintf(stderr, "drainwait: %s: %s\n", path, strerror(errno));
		return false;
	}
	char ev[4096];
	*got = count_new_lines(fd);
	while (*got < want) {
		struct pollfd p = { .fd = in, .events = POLLIN };
		if (poll(&p, 1, IDLE_LIMIT_MS) <= 0)
			return false;
		if (read(in, ev, sizeof ev) < 0 && errno != EINTR)
			return false;
		*got += count_new_lines(fd);
	}
	return true;
}

/* utime + stime of pid in clock ticks (and each apart), or -1. */
static long cpu_ticks(pid_t pid, unsigned long *user, unsigned long *sys)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *p = strrchr(buf, ')'); /* the name may hold spaces */
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", user, sys) != 2)
		return -1;
	return (long)(*user + *sys);
}

/* Wait for pid (not our child) to exit, through a pidfd. */
static bool wait_exit(pid_t pid, int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	(void)pid;
	return poll(&p, 1, IDLE_LIMIT_MS * 6) == 1;
}

int main(int argc, char **argv)
{
	pid_t pid = 0;
	const char *path = NULL;
	unsigned long want = 0, got = 0;
	bool until_exit = false, ticks = false;
	int opt;
	while ((opt = getopt(argc, argv, "p:f:n:xt")) != -1) {
		switch (opt) {
		case 'p': pid = (pid_t)strtol(optarg, NULL, 10); break;
		case 'f': path = optarg; break;
		case 'n': want = strtoul(optarg, NULL, 10); break;
		case 'x': until_exit = true; break;
		case 't': ticks = true; break;
		default: pid = 0; break;
		}
	}
	if (pid <= 0 || (!until_exit && (!path || !want))) {
		fprintf(stderr, "usage: drainwait -p PID (-f FILE -n LINES [-t] | -x)\n");
		return 2;
	}
	/* open the pidfd before the reader runs: it may be done very soon */
	int pidfd = until_exit ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	if (until_exit && pidfd < 0) {
		perror("drainwait: pidfd_open");
		return 1;
	}
	double t0 = now_s();
	if (kill(pid, SIGCONT) < 0) {
		perror("drainwait: SIGCONT");
		return 1;
	}
	bool ok = until_exit ? wait_exit(pid, pidfd) : wait_lines(path, want, &got);
	double t1 = now_s();
	printf("seconds=%.6f lines=%lu", t1 - t0, got);
	if (ticks && !until_exit) {
		unsigned long user = 0, sys = 0;
		long total = cpu_ticks(pid, &user, &sys);
		printf(" cpu_ticks=%ld user_ticks=%lu sys_ticks=%lu", total, user, sys);
	}
	printf("\n");
	return ok ? 0 : 1;
}
