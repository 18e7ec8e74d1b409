/* notify.h - talking to systemd (sd_notify), and only that.
 *
 * Without NOTIFY_SOCKET (not under systemd) every call is a no-op. A
 * status is sent as one line (control characters become spaces), cut at
 * 2048 bytes. A message that cannot be sent to systemd is reported once.
 */
#ifndef NFLOGD_NOTIFY_H
#define NFLOGD_NOTIFY_H

#include "compiler.h"
struct loop;

/* Start the watchdog pings if systemd asked for them (WATCHDOG_USEC): a
 * timer on the same loop that reads NFLOG, at half the interval, so a
 * stuck loop stops the pings. 0 or -1. */
int notify_init(struct loop *l) MUST_CHECK;
void notify_fini(void);

void notify_ready(const char *status);	   /* READY=1 + STATUS= */
void notify_status(const char *status);	   /* STATUS= */
void notify_reloading(const char *status); /* RELOADING=1 + MONOTONIC_USEC= + STATUS= */
void notify_stopping(const char *status);  /* STOPPING=1 + STATUS= */

#endif
