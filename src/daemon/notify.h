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
/* Stop the watchdog timer (before its loop is freed). */
void notify_fini(void);

/* Tell systemd the daemon is ready (READY=1), with STATUS=status; also
 * after a reload, applied or rejected. */
void notify_ready(const char *status);
/* Refresh STATUS= (the line `systemctl status` shows). */
void notify_status(const char *status);
/* A reload begins: RELOADING=1, MONOTONIC_USEC= and STATUS=status. */
void notify_reloading(const char *status);
/* A stop begins: STOPPING=1 and STATUS=status. */
void notify_stopping(const char *status);

#endif
