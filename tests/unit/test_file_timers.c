/* test_file_timers.c - the file output when the loop refuses a timer.
 *
 * A mock, because the fault cannot be produced for real: libevent's
 * event_add() on a timer fails only when it cannot allocate. This test
 * defines every loop.h function itself (so the linker takes these, not
 * src/daemon/loop.c): timers are plain structs fired by hand, and
 * loop_timer_arm() fails as often as fail_arms says. What it checks: an
 * interval rotation whose timer cannot be re-armed is counted as an error
 * and retried on the retry timer, so rotation does not stop silently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "output.h"

/* ---- the fake loop ---- */

struct loop {
	int unused;
};

struct loop_event {
	loop_timer_fn *fn;
	void *arg;
	bool armed;
	double seconds;
};

static struct loop_event *timers[8];
static size_t n_timers;
static int fail_arms; /* the next this many loop_timer_arm() calls fail */

struct loop *loop_new(void) { return calloc(1, sizeof(struct loop)); }
void loop_free(struct loop *l) { free(l); }
int loop_run(struct loop *l) { return l ? 0 : -1; }
void loop_break(struct loop *l) { (void)l; }

struct loop_event *loop_watch_fd(struct loop *l, int fd, short what, loop_fd_fn *fn, void *arg)
{
	(void)l, (void)fd, (void)what, (void)fn, (void)arg;
	return NULL;
}

int loop_fd_set(struct loop_event *e, short what)
{
	(void)e, (void)what;
	return -1;
}

struct loop_event *loop_timer(struct loop *l, bool repeat, loop_timer_fn *fn, void *arg)
{
	(void)l, (void)repeat;
	struct loop_event *e = calloc(1, sizeof *e);
	e->fn = fn;
	e->arg = arg;
	if (n_timers < sizeof timers / sizeof timers[0])
		timers[n_timers++] = e;
	return e;
}

int loop_timer_arm(struct loop_event *e, double seconds)
{
	if (fail_arms > 0) {
		fail_arms--;
		return -1;
	}
	e->armed = true;
	e->seconds = seconds;
	return 0;
}

void loop_timer_disarm(struct loop_event *e) { e->armed = false; }
bool loop_timer_armed(const struct loop_event *e) { return e->armed; }

struct loop_event *loop_signal(struct loop *l, int sig, loop_signal_fn *fn, void *arg)
{
	(void)l, (void)sig, (void)fn, (void)arg;
	return NULL;
}

void loop_event_free(struct loop_event *e)
{
	for (size_t i = 0; i < n_timers; i++)
		if (timers[i] == e)
			timers[i] = NULL;
	free(e);
}

/* The loop's side of a one-shot timer going off. */
static void fire(struct loop_event *e)
{
	e->armed = false;
	e->fn(e->arg);
}

/* ---- the test ---- */

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int main(void)
{
	char dir[] = "/tmp/nflogd-test-timers-XXXXXX", path[128], first[140];
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/out.log", dir);
	snprintf(first, sizeof first, "%s.1", path);
	log_set_level(LOG_LEVEL_ERROR);
	struct output_config oc = {
		.name = "timed",
		.type = OUTPUT_FILE,
		.path = path,
		.mode = 0600,
		.uid = -1,
		.gid = -1,
		.rotate_interval = 3600,
		.rotate_keep = 3,
		.backlog = CONFIG_DEFAULT_FILE_BACKLOG,
	};
	struct loop *loop = loop_new();
	char err[256];
	struct output *o = output_open(&oc, loop, err, sizeof err);
	CHECK(o != NULL, "file output opens with the fake loop");
	if (!o)
		return check_done();
	CHECK(n_timers == 2, "a retry and a rotation timer");
	struct loop_event *retry = timers[0], *rotation = timers[1];
	CHECK(rotation->armed && rotation->seconds > 0 && rotation->seconds <= 3600,
	      "rotation armed for the next boundary (%.1f s)", rotation->seconds);

	struct output_loss loss = { .group = 1, .kind = OUTPUT_LOSS_SEQ_GAP, .count = 1 };
	output_write_loss(o, &loss);
	output_flush(o);
	fail_arms = 1;
	fire(rotation);
	CHECK(exists(first), "the interval rotation happened");
	CHECK(o->stats.errors == 1, "the refused re-arm is counted (errors %llu)",
	      (unsigned long long)o->stats.errors);
	CHECK(!rotation->armed && retry->armed, "the retry timer takes over");

	fire(retry);
	CHECK(rotation->armed, "the retry re-arms the rotation");
	CHECK(!retry->armed, "and stops once it is armed");

	/* refused again, and the retry refused as well: two errors, said */
	fail_arms = 2;
	output_write_loss(o, &loss);
	output_flush(o);
	fire(rotation);
	CHECK(o->stats.errors == 3, "both refusals counted (errors %llu)",
	      (unsigned long long)o->stats.errors);

	output_close(o);
	loop_free(loop);
	for (int k = 1; k <= 3; k++) {
		char old[160];
		snprintf(old, sizeof old, "%s.%d", path, k);
		unlink(old);
	}
	unlink(path);
	rmdir(dir);
	return check_done();
}
