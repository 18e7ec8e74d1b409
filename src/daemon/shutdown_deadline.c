/* shutdown_deadline.c - alarm() armed from the signal handler itself (see
 * shutdown_deadline.h). A signal handler can only reach static state: the
 * wrapped handlers and the deadline live here, set once at start. */
#include "shutdown_deadline.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static struct sigaction wrapped[NSIG]; /* the handlers found, per signal */
static unsigned deadline_s;
static volatile sig_atomic_t armed;

static void deadline_handler(int sig, siginfo_t *si, void *ctx)
{
	if (!armed) {
		armed = 1;
		alarm(deadline_s);
	}
	const struct sigaction *old = &wrapped[sig];
	if (old->sa_flags & SA_SIGINFO)
		old->sa_sigaction(sig, si, ctx);
	else
		old->sa_handler(sig);
}

int shutdown_deadline_on(int sig, unsigned seconds)
{
	struct sigaction old, sa;
	if (sig <= 0 || sig >= NSIG || sigaction(sig, NULL, &old) < 0)
		return -1;
	if (!(old.sa_flags & SA_SIGINFO) &&
	    (old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN))
		return -1; /* nothing to chain to: the loop does not watch sig */
	if ((old.sa_flags & SA_SIGINFO) && old.sa_sigaction == deadline_handler)
		return 0; /* wrapped already */
	wrapped[sig] = old;
	deadline_s = seconds;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = deadline_handler;
	sa.sa_mask = old.sa_mask;
	sa.sa_flags = (old.sa_flags & SA_RESTART) | SA_SIGINFO;
	return sigaction(sig, &sa, NULL);
}
