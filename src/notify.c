/* notify.c - sd_notify messages and the watchdog timer. */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"
#include "loop.h"

static struct loop_event *watchdog_timer;

static void watchdog_timercb(void *arg)
{
	(void)arg;
	sd_notify(0, "WATCHDOG=1");
}

int notify_init(struct loop *l)
{
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	watchdog_timer = loop_timer(l, true, watchdog_timercb, NULL);
	if (!watchdog_timer || loop_timer_arm(watchdog_timer, (double)usec / 2e6) < 0) {
		log_error("cannot start the watchdog timer");
		return -1;
	}
	log_debug("watchdog: pinging every %.3f s", (double)usec / 2e6);
	return 0;
}

void notify_fini(void)
{
	loop_event_free(watchdog_timer);
	watchdog_timer = NULL;
}

static void send_with_status(const char *what, const char *status)
{
	sd_notifyf(0, "%s%sSTATUS=%s", what ? what : "", what ? "\n" : "", status ? status : "");
}

void notify_ready(const char *status)
{
	send_with_status("READY=1", status);
}

void notify_status(const char *status)
{
	send_with_status(NULL, status);
}

void notify_reloading(const char *status)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	char what[96];
	snprintf(what, sizeof what, "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	send_with_status(what, status);
}

void notify_stopping(const char *status)
{
	send_with_status("STOPPING=1", status);
}
