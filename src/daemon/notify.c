/* notify.c - sd_notify messages and the watchdog timer.
 *
 * The protocol (sd_notify(3)): one datagram of newline-separated
 * VARIABLE=value assignments. Whatever goes into STATUS= must therefore be
 * one line, or the rest of it would be read as further assignments.
 */
#include "notify.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"
#include "loop.h"

/* STATUS= longer than this is cut (systemctl status shows one line). */
#define STATUS_MAX 2048

static struct loop_event *watchdog_timer;
static bool send_failed_reported;

/* Send one message; a failure is reported once (systemd would otherwise
 * time the start out, or the watchdog fire, without a word from us). */
static void send_message(const char *msg)
{
	int r = sd_notify(0, msg);
	if (r >= 0 || send_failed_reported)
		return;
	send_failed_reported = true;
	const char *sock = getenv("NOTIFY_SOCKET");
	log_warn("cannot notify systemd (NOTIFY_SOCKET=%s): %s", sock ? sock : "unset",
		 strerror(-r));
}

static void watchdog_timercb(void *arg)
{
	(void)arg;
	send_message("WATCHDOG=1");
}

int notify_init(struct loop *l)
{
	uint64_t usec = 0;
	int r = sd_watchdog_enabled(0, &usec);
	if (r < 0)
		log_warn("ignoring a malformed WATCHDOG_USEC/WATCHDOG_PID: %s", strerror(-r));
	if (r <= 0 || usec == 0)
		return 0;
	/* sd_watchdog_enabled(3): ping at half the interval */
	watchdog_timer = loop_timer(l, true, watchdog_timercb, NULL);
	if (!watchdog_timer || loop_timer_arm(watchdog_timer, (double)usec / 2e6) < 0) {
		log_error("cannot start the watchdog timer");
		return -1;
	}
	send_message("WATCHDOG=1");
	log_debug("%s: watchdog %.3f s, pinging every %.3f s", __func__, (double)usec / 1e6,
		  (double)usec / 2e6);
	return 0;
}

void notify_fini(void)
{
	loop_event_free(watchdog_timer);
	watchdog_timer = NULL;
}

/* "what\nSTATUS=status" with status made one line of at most STATUS_MAX
 * bytes: control characters (newlines above all) become spaces. */
static void send_with_status(const char *what, const char *status)
{
	char msg[STATUS_MAX + 160];
	size_t n = 0;
	if (what)
		n = (size_t)snprintf(msg, sizeof msg, "%s\n", what);
	if (n >= sizeof msg)
		n = sizeof msg - 1;
	n += (size_t)snprintf(msg + n, sizeof msg - n, "STATUS=");
	size_t limit = n + STATUS_MAX;
	for (const char *p = status ? status : ""; *p && n < limit && n < sizeof msg - 1; p++)
		msg[n++] = ((unsigned char)*p < 0x20 || *p == 0x7f) ? ' ' : *p;
	msg[n] = '\0';
	send_message(msg);
}

void notify_ready(const char *status) { send_with_status("READY=1", status); }

void notify_status(const char *status) { send_with_status(NULL, status); }

/* MONOTONIC_USEC= must come in the same message as RELOADING=1: systemd
 * 253+ uses it to tell this reload from an earlier one (older versions
 * ignore it). */
void notify_reloading(const char *status)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	char what[96];
	snprintf(what, sizeof what, "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL +
		     (unsigned long long)ts.tv_nsec / 1000);
	send_with_status(what, status);
}

void notify_stopping(const char *status) { send_with_status("STOPPING=1", status); }
