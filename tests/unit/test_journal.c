/* test_journal.c - journald's native protocol without journald: the two
 * forms of a field (journal_entry.c), and the queue and its accounting
 * (journal_conn.c) against a real AF_UNIX datagram socket that this test
 * binds in a temp dir and reads, stops reading, or closes and binds anew
 * (what a journald that reads, stalls, or dies and restarts does to the
 * sender). No mocks: the kernel's own socket behaviour is what is tested.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "journal_conn.h"
#include "journal_entry.h"
#include "log.h"

/* ---- the two forms of a field ---- */

static void test_fields(void)
{
	struct buf b;
	buf_init(&b);
	journal_put_field(&b, "NFLOG_PREFIX=", 13, "ssh-drop ", 9);
	CHECK(b.len == 23 && memcmp(b.data, "NFLOG_PREFIX=ssh-drop \n", 23) == 0,
	      "plain form keeps the trailing space: NAME=value\\n");
	buf_reset(&b);
	journal_put_field(&b, "A=", 2, "", 0);
	CHECK(b.len == 3 && memcmp(b.data, "A=\n", 3) == 0, "empty value: A=\\n");
	buf_reset(&b);
	journal_put_field(&b, "MESSAGE=", 8, "one\ntwo", 7);
	static const char want[] = "MESSAGE\n\x07\0\0\0\0\0\0\0one\ntwo\n";
	CHECK(b.len == sizeof want - 1 && memcmp(b.data, want, sizeof want - 1) == 0,
	      "a value with a newline: NAME\\n, 64-bit LE length, value, \\n (%zu bytes)", b.len);
	buf_reset(&b);
	size_t start = journal_field_begin(&b, "N=", 2);
	buf_puts(&b, "42");
	journal_field_end(&b, start, false);
	journal_put_field(&b, "T=", 2, "\n", 1);
	static const char two[] = "N=42\nT\n\x01\0\0\0\0\0\0\0\n\n";
	CHECK(b.len == sizeof two - 1 && memcmp(b.data, two, sizeof two - 1) == 0,
	      "fields follow each other; a lone newline value");
	buf_free(&b);
}

/* ---- a socket standing in for journald's ---- */

struct peer {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
};

static int peer_bind(struct peer *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", p->path);
	unlink(p->path);
	p->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	return 0;
}

static void peer_close(struct peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/* The next datagram that is not empty (probes are), into out; its
 * length, or -1 when there is none. *memfd: it came as a memfd (its
 * contents are read into out) and whether that was sealed. */
static ssize_t peer_read(struct peer *p, char *out, size_t len, bool *memfd, bool *sealed)
{
	for (;;) {
		union {
			struct cmsghdr h;
			char space[CMSG_SPACE(sizeof(int))];
		} ctl;
		struct iovec iov = { out, len };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = &ctl,
				     .msg_controllen = sizeof ctl };
		ssize_t n = recvmsg(p->fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			return -1;
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		*memfd = cm && cm->cmsg_type == SCM_RIGHTS;
		if (*memfd) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm), sizeof fd);
			int seals = fcntl(fd, F_GET_SEALS);
			*sealed =
			    seals >= 0 && (seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)) ==
					      (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
			n = pread(fd, out, len, 0);
			close(fd);
			return n;
		}
		if (n > 0)
			return n;
	}
}

/* An entry "MESSAGE=entry N\n" (plus pad bytes of 'x' in a field). */
static void queue_entry(struct journal_conn *c, unsigned n, size_t pad)
{
	struct buf *b = journal_conn_entry_begin(c);
	char msg[32];
	int l = snprintf(msg, sizeof msg, "entry %u", n);
	journal_put_field(b, "MESSAGE=", 8, msg, (size_t)l);
	if (pad) {
		size_t start = journal_field_begin(b, "PAD=", 4);
		for (size_t i = 0; i < pad; i++)
			buf_putc(b, 'x');
		journal_field_end(b, start, false);
	}
	journal_conn_entry_end(c, true);
}

/* Read one entry; true when it is "entry N". */
static bool read_entry(struct peer *p, unsigned n)
{
	static char data[256 * 1024];
	bool memfd, sealed;
	ssize_t got = peer_read(p, data, sizeof data, &memfd, &sealed);
	char want[48];
	int l = snprintf(want, sizeof want, "MESSAGE=entry %u\n", n);
	return got >= l && memcmp(data, want, (size_t)l) == 0;
}

/* Look, and prove the look with a probe: what journald read is counted. */
static void look(struct journal_conn *c)
{
	journal_conn_observe(c);
	journal_conn_probe(c);
}

static void test_written_means_read(const char *dir)
{
	struct peer p = { .fd = -1 };
	snprintf(p.path, sizeof p.path, "%s/read.sock", dir);
	struct journal_conn *c = journal_conn_new(p.path, 100, 1 << 20);
	CHECK(journal_conn_connect(c) == -ENOENT, "no socket yet: -ENOENT");
	CHECK(peer_bind(&p) == 0, "bind %s", p.path);
	for (unsigned i = 0; i < 3; i++)
		queue_entry(c, i, 1000);
	CHECK(journal_conn_queued(c) == 3 && journal_conn_pending(c) == 3, "3 entries queued");
	CHECK(journal_conn_connect(c) == 0 && journal_conn_send(c) == 0, "connect and send");
	look(c);
	const struct journal_conn_stats *s = journal_conn_stats(c);
	CHECK(s->written == 0 && journal_conn_in_flight(c) == 3 && journal_conn_queued(c) == 3,
	      "sent but not read: not written, 3 in flight (written %llu)",
	      (unsigned long long)s->written);
	CHECK(read_entry(&p, 0), "the peer reads entry 0, byte for byte");
	look(c);
	CHECK(s->written == 1 && journal_conn_queued(c) == 2,
	      "one read: written 1, queued 2 (written %llu, queued %llu)",
	      (unsigned long long)s->written, (unsigned long long)journal_conn_queued(c));
	CHECK(read_entry(&p, 1) && read_entry(&p, 2), "entries 1 and 2 read, in order");
	look(c);
	CHECK(s->written == 3 && journal_conn_queued(c) == 0 && s->bytes > 3000,
	      "all read: written 3, queued 0, %llu bytes", (unsigned long long)s->bytes);
	journal_conn_free(c);
	peer_close(&p);
}

static void test_full_then_restart(const char *dir)
{
	struct peer p = { .fd = -1 };
	snprintf(p.path, sizeof p.path, "%s/restart.sock", dir);
	CHECK(peer_bind(&p) == 0, "bind %s", p.path);
	struct journal_conn *c = journal_conn_new(p.path, 100000, 64 << 20);
	CHECK(journal_conn_connect(c) == 0, "connect");
	unsigned n = 0;
	int r = 0;
	while (n < 20000 && (r = journal_conn_send(c)) == 0)
		queue_entry(c, n++, 100);
	CHECK(r == -EAGAIN,
	      "a peer that does not read: the send says EAGAIN after %u entries "
	      "(never blocks)",
	      n);
	size_t in_flight = journal_conn_in_flight(c);
	CHECK(in_flight > 0 && journal_conn_pending(c) == 1 && journal_conn_queued(c) == n,
	      "%zu in the peer's socket, 1 waiting, all %u queued", in_flight, n);
	/* the peer dies with its socket (and what it holds); a new one binds */
	peer_close(&p);
	CHECK(peer_bind(&p) == 0, "a new peer at the same path");
	queue_entry(c, n++, 100);
	r = journal_conn_send(c);
	CHECK(r == -ECONNREFUSED && journal_conn_fd(c) < 0,
	      "the dead socket: -ECONNREFUSED, closed (got %d)", r);
	CHECK(journal_conn_in_flight(c) == 0 && journal_conn_pending(c) == n &&
		  journal_conn_stats(c)->resent == in_flight,
	      "what the dead socket held waits to be sent again (%zu resent)",
	      (size_t)journal_conn_stats(c)->resent);
	/* the new peer reads while we send: everything arrives, in order */
	CHECK(journal_conn_connect(c) == 0, "connect to the new peer");
	unsigned next = 0;
	bool in_order = true;
	for (int rounds = 0; rounds < 100000 && next < n; rounds++) {
		journal_conn_send(c);
		while (next < n && read_entry(&p, next))
			next++;
	}
	in_order = next == n;
	look(c);
	CHECK(in_order, "the new peer got all %u entries, each once, in order (%u)", n, next);
	CHECK(journal_conn_stats(c)->written == n && journal_conn_queued(c) == 0,
	      "written %llu = entries handed; nothing lost across the restart",
	      (unsigned long long)journal_conn_stats(c)->written);
	journal_conn_free(c);
	peer_close(&p);
}

static void test_memfd(const char *dir)
{
	struct peer p = { .fd = -1 };
	snprintf(p.path, sizeof p.path, "%s/memfd.sock", dir);
	CHECK(peer_bind(&p) == 0, "bind %s", p.path);
	struct journal_conn *c = journal_conn_new(p.path, 10, 1 << 20);
	queue_entry(c, 7, JOURNAL_DGRAM_MAX); /* over the datagram limit */
	CHECK(journal_conn_connect(c) == 0 && journal_conn_send(c) == 0, "send a large entry");
	static char data[256 * 1024];
	bool memfd = false, sealed = false;
	ssize_t got = peer_read(&p, data, sizeof data, &memfd, &sealed);
	CHECK(memfd && sealed, "it came as a sealed memfd (SCM_RIGHTS)");
	CHECK(got > JOURNAL_DGRAM_MAX && memcmp(data, "MESSAGE=entry 7\nPAD=xx", 22) == 0 &&
		  data[got - 1] == '\n',
	      "the memfd holds the whole entry (%zd bytes)", got);
	look(c);
	CHECK(journal_conn_stats(c)->written == 1 && journal_conn_stats(c)->memfd == 1,
	      "counted as written once read");
	journal_conn_free(c);
	peer_close(&p);
}

static void test_bounds_and_drain(const char *dir)
{
	struct peer p = { .fd = -1 };
	snprintf(p.path, sizeof p.path, "%s/drain.sock", dir);
	CHECK(peer_bind(&p) == 0, "bind %s", p.path);
	struct journal_conn *c = journal_conn_new(p.path, 3, 1 << 20);
	CHECK(journal_conn_room(c, 3) && !journal_conn_room(c, 4), "room for 3 entries");
	for (unsigned i = 0; i < 3; i++)
		queue_entry(c, i, 10);
	CHECK(!journal_conn_room(c, 1), "full after 3");
	CHECK(journal_conn_connect(c) == 0 && journal_conn_send(c) == 0, "sent");
	CHECK(journal_conn_room(c, 3),
	      "entries in flight leave room (journald's socket holds them)");
	CHECK(read_entry(&p, 0), "the peer reads one, then stops");
	uint64_t left = journal_conn_drain(c, 50);
	const struct journal_conn_stats *s = journal_conn_stats(c);
	CHECK(left == 2 && s->written == 1 && s->dropped == 2 && journal_conn_queued(c) == 0,
	      "drain: 1 written, the 2 never read counted as dropped (left %llu)",
	      (unsigned long long)left);
	journal_conn_free(c);
	peer_close(&p);
}

int main(void)
{
	log_init();
	log_set_level(LOG_LEVEL_ERROR - 1);
	char dir[] = "/tmp/nflogd-test-journal.XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return check_done();
	}
	test_fields();
	test_written_means_read(dir);
	test_full_then_restart(dir);
	test_memfd(dir);
	test_bounds_and_drain(dir);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return check_done();
}
