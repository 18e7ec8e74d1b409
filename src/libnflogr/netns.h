/* netns.h - create sockets inside another network namespace.
 *
 * A socket belongs to the namespace its creator was in when it was made
 * (netlink, rtnetlink and ioctl sockets alike): the calling thread enters
 * the namespace, creates them, and comes back. Only this thread moves.
 */
#ifndef NFLOGD_NETNS_H
#define NFLOGD_NETNS_H

/* Move the calling thread into the network namespace of fd (an open
 * /run/netns/NAME or /proc/PID/ns/net), keeping its own namespace open in
 * *home. 0, or -1 with errno (EPERM without CAP_SYS_ADMIN; EINVAL when
 * fd is not a network namespace). */
int netns_enter(int fd, int *home);
/* Move the calling thread back into home (from netns_enter) and close it.
 * 0, or -1 with errno (the thread then stays where it was). */
int netns_leave(int home);

#endif
