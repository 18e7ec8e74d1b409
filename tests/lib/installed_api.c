/* installed_api.c - libnflogr through its installed header only, against
 * the real kernel: built by tests/lib/installed.sh with `pkg-config
 * --cflags --libs nflogr` from a `meson install --destdir` tree, as an
 * outside program is, and run inside that script's network namespace
 * (its nft rules log to groups 71-74). Prints TAP.
 *
 *   installed_api NETNS_PATH IFNAME
 *     NETNS_PATH  a second namespace whose rule logs UDP to port 7604 to
 *                 group 74 and routes 10.99.0.0/24 out of interface IFNAME
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <nflogr.h>
#include <sched.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static int count, failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		int ok_ = !!(cond);                                                                \
		count++;                                                                           \
		failed += !ok_;                                                                    \
		printf("%sok %d - ", ok_ ? "" : "not ", count);                                    \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
	} while (0)

/* One UDP datagram of len bytes (filled with 'x', "hello" in front) to
 * addr:port, IPv4 or IPv6, through fd (or a new socket when fd < 0). */
static void send_udp(int fd, const char *addr, int port, size_t len)
{
	char *msg = malloc(len);
	memset(msg, 'x', len);
	memcpy(msg, "hello", len < 5 ? len : 5);
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		sl = sizeof *in4;
	} else {
		inet_pton(AF_INET6, addr, &in6->sin6_addr);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		sl = sizeof *in6;
	}
	int s = fd >= 0 ? fd : socket(ss.ss_family, SOCK_DGRAM, 0);
	if (sendto(s, msg, len, 0, (struct sockaddr *)&ss, sl) < 0)
		perror("installed_api: sendto");
	if (fd < 0)
		close(s);
	free(msg);
}

/* send_udp as uid/gid 65534 (nobody), from a child process. */
static void send_udp_as_nobody(const char *addr, int port)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(1);
		send_udp(-1, addr, port, 5);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

static struct nflogr *open_group(uint16_t group, unsigned flags, uint32_t qthresh, double timeout,
				 uint64_t rcvbuf, enum nflogr_enobufs enobufs, int netns)
{
	struct nflogr_options *o = nflogr_options_new();
	nflogr_options_set_flags(o, flags);
	nflogr_options_set_qthresh(o, qthresh);
	nflogr_options_set_timeout(o, timeout);
	nflogr_options_set_rcvbuf(o, rcvbuf);
	nflogr_options_set_enobufs(o, enobufs);
	nflogr_options_set_netns(o, netns);
	char err[256];
	struct nflogr *h = nflogr_open(group, o, err, sizeof err);
	nflogr_options_free(o);
	if (!h)
		printf("# open %u: %s\n", group, err);
	return h;
}

static void test_options(void)
{
	struct nflogr_options *o = nflogr_options_new();
	CHECK(o != NULL, "options: new");
	errno = 0;
	CHECK(nflogr_options_set_timeout(o, -1) == -1 && errno == EINVAL, "timeout -1: EINVAL");
	CHECK(nflogr_options_set_nlbuf(o, 1000) == -1 && errno == EINVAL, "nlbuf 1000: EINVAL");
	CHECK(nflogr_options_set_nlbuf(o, 200000) == -1, "nlbuf 200000: refused");
	CHECK(nflogr_options_set_copy_range(o, 70000) == -1, "copy_range 70000: refused");
	CHECK(nflogr_options_set_flags(o, 0x100) == -1, "unknown flag: refused");
	CHECK(nflogr_options_set_enobufs(o, (enum nflogr_enobufs)7) == -1, "enobufs 7: refused");
	CHECK(nflogr_options_set_copymode(o, (enum nflogr_copymode)3) == -1, "copymode 3: refused");
	CHECK(nflogr_options_set_rcvbuf(o, 1ULL << 31) == -1, "rcvbuf 2^31: refused");
	CHECK(nflogr_options_set_netns(o, -2) == -1, "netns fd -2: refused");
	CHECK(nflogr_options_set_timeout(o, 0.5) == 0 && nflogr_options_set_nlbuf(o, 65536) == 0 &&
		  nflogr_options_set_copy_range(o, 0) == 0 &&
		  nflogr_options_set_copymode(o, NFLOGR_COPY_META) == 0 &&
		  nflogr_options_set_rcvbuf_max(o, 1 << 20) == 0,
	      "valid values accepted");
	nflogr_options_free(o);
	nflogr_options_free(NULL);
	CHECK(nflogr_log_flag("tcp sequence") == NFLOGR_LOG_TCPSEQ &&
		  nflogr_log_flag("all") == NFLOGR_LOG_ALL && nflogr_log_flag("bogus") == -1,
	      "log flag words");
	CHECK(strcmp(nflogr_version(), "0") > 0, "version %s", nflogr_version());
}

struct seen { /* what a field walk saw */
	int calls;
	char src[64], dpt[16], uid[16], prefix[64];
	enum nflogr_field_type uid_type;
	int stop_at; /* return 7 at this call (0: never) */
};

static int field_cb(void *arg, const char *parent, const char *key, enum nflogr_field_type type,
		    const char *value, size_t len)
{
	struct seen *s = arg;
	(void)parent;
	s->calls++;
	if (value && strlen(value) != len)
		return -2;
	if (value && strcmp(key, "src") == 0)
		snprintf(s->src, sizeof s->src, "%s", value);
	if (value && strcmp(key, "dpt") == 0)
		snprintf(s->dpt, sizeof s->dpt, "%s", value);
	if (value && strcmp(key, "prefix") == 0)
		snprintf(s->prefix, sizeof s->prefix, "%s", value);
	if (value && strcmp(key, "uid") == 0) {
		snprintf(s->uid, sizeof s->uid, "%s", value);
		s->uid_type = type;
	}
	return s->stop_at && s->calls == s->stop_at ? 7 : 0;
}

/* The output record of the IPv4 datagram sent by nobody to port 7601. */
static void check_output_v4(const struct nflogr_record *r)
{
	uint32_t v32 = 0;
	uint16_t v16 = 0;
	size_t len = 0;
	struct timeval tv, now;
	gettimeofday(&now, NULL);
	CHECK(nflogr_record_group(r) == 71 && nflogr_record_family(r) == 2,
	      "v4 out: group, family");
	CHECK(nflogr_record_hook(r) == 3 && strcmp(nflogr_record_hook_name(r), "output") == 0 &&
		  strcmp(nflogr_record_family_name(r), "ipv4") == 0,
	      "v4 out: hook output");
	CHECK(nflogr_record_proto(r, &v16) && v16 == 0x0800, "v4 out: proto 0x%04x", v16);
	CHECK(nflogr_record_mark(r, &v32) && v32 == 42, "v4 out: mark %u", v32);
	CHECK(nflogr_record_uid(r, &v32) && v32 == 65534, "v4 out: uid %u", v32);
	CHECK(nflogr_record_gid(r, &v32) && v32 == 65534, "v4 out: gid %u", v32);
	CHECK(nflogr_record_seq(r, &v32) && v32 == 0, "v4 out: seq 0");
	CHECK(!nflogr_record_seq_global(r, &v32), "v4 out: no global seq");
	CHECK(!nflogr_record_timestamp(r, &tv) && tv.tv_sec >= now.tv_sec - 5 &&
		  tv.tv_sec <= now.tv_sec,
	      "v4 out: no kernel timestamp, the receive time instead");
	CHECK(nflogr_record_ifindex(r, NFLOGR_OUTDEV) == 1 &&
		  strcmp(nflogr_record_ifname(r, NFLOGR_OUTDEV), "lo") == 0 &&
		  nflogr_record_ifindex(r, NFLOGR_INDEV) == 0 &&
		  !nflogr_record_ifname(r, NFLOGR_INDEV),
	      "v4 out: OUT=lo, no IN");
	CHECK(!nflogr_record_hwhdr(r, &len) && len == 0, "v4 out: no hwhdr");
	const char *prefix = nflogr_record_prefix(r, &len);
	CHECK(prefix && len == 8 && memcmp(prefix, "api-out ", 8) == 0, "v4 out: prefix");
	const unsigned char *p = nflogr_record_payload(r, &len);
	CHECK(p && len == 33 && p[0] == 0x45 && memcmp(p + 28, "hello", 5) == 0,
	      "v4 out: payload %zu bytes", len);
	char line[512], tiny[10];
	long n = nflogr_record_text(r, NFLOGR_LOG_ALL, line, sizeof line);
	CHECK(n > 0 && (size_t)n == strlen(line) &&
		  strncmp(line, "api-out IN= OUT=lo SRC=127.0.0.1 DST=127.0.0.1 LEN=33 ", 54) ==
		      0 &&
		  strstr(line, " UID=65534 GID=65534 MARK=0x2a ") && line[n - 1] == ' ',
	      "v4 out: kernel LOG line: %s", line);
	CHECK(nflogr_record_text(r, NFLOGR_LOG_ALL, tiny, sizeof tiny) == n &&
		  strlen(tiny) == sizeof tiny - 1 && strncmp(tiny, line, sizeof tiny - 1) == 0,
	      "text: snprintf-like when the buffer is small");
	char json[4096];
	n = nflogr_record_json(r, json, sizeof json);
	CHECK(n > 0 && json[0] == '{' && json[n - 1] == '}' &&
		  strstr(json, "\"prefix\":\"api-out \"") && strstr(json, "\"uid\":65534") &&
		  strstr(json, "\"hook\":\"output\""),
	      "v4 out: JSON");
	struct seen s = { 0 };
	CHECK(nflogr_record_fields(r, field_cb, &s) == 0 && s.calls > 30 &&
		  strcmp(s.src, "127.0.0.1") == 0 && strcmp(s.dpt, "7601") == 0 &&
		  strcmp(s.uid, "65534") == 0 && s.uid_type == NFLOGR_FIELD_INT &&
		  strcmp(s.prefix, "api-out ") == 0,
	      "v4 out: field walk (%d fields)", s.calls);
	struct seen stop = { .stop_at = 3 };
	CHECK(nflogr_record_fields(r, field_cb, &stop) == 7 && stop.calls == 3,
	      "field walk stops when the callback says so");
}

static void check_input_v4(const struct nflogr_record *r)
{
	uint32_t v32;
	size_t len;
	struct timeval tv;
	CHECK(nflogr_record_hook(r) == 1 && strcmp(nflogr_record_hook_name(r), "input") == 0,
	      "v4 in: hook input");
	CHECK(nflogr_record_timestamp(r, &tv), "v4 in: the kernel's timestamp");
	CHECK(!nflogr_record_uid(r, &v32) && !nflogr_record_gid(r, &v32), "v4 in: no uid/gid");
	CHECK(nflogr_record_ifindex(r, NFLOGR_INDEV) == 1 &&
		  strcmp(nflogr_record_ifname(r, NFLOGR_INDEV), "lo") == 0,
	      "v4 in: IN=lo");
	CHECK(nflogr_record_hwhdr(r, &len) && len == 14, "v4 in: 14-byte hwhdr");
	CHECK(nflogr_record_hwaddr(r, &len) && len == 6, "v4 in: 6-byte hwaddr");
}

static int count_cb(const struct nflogr_record *r, void *arg)
{
	(void)r;
	return ++*(int *)arg == 1000 ? 1 : 0;
}

static int stop_cb(const struct nflogr_record *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 1;
}

static void test_records(void)
{
	struct nflogr *h = open_group(71, NFLOGR_FLAG_SEQ, 1, 0, 0, NFLOGR_ENOBUFS_RAISE, -1);
	CHECK(h != NULL, "open group 71");
	if (!h)
		return;
	char err[256];
	errno = 0;
	struct nflogr *again = nflogr_open(71, NULL, err, sizeof err);
	CHECK(!again && errno == EPERM && strstr(err, "already bound"),
	      "a group bound twice: EPERM and why: %s", err);
	CHECK(nflogr_group(h) == 71 && nflogr_fd(h) >= 0 && nflogr_flags(h) == NFLOGR_FLAG_SEQ &&
		  nflogr_rcvbuf(h) > 0 && strcmp(nflogr_warning(h), "") == 0,
	      "group, fd, flags, rcvbuf");
	const struct nflogr_record *r;
	CHECK(nflogr_next(h, false, &r) == 0 && nflogr_queue(h, false) == 0,
	      "nothing yet: next and queue without wait return 0");

	send_udp_as_nobody("127.0.0.1", 7601);
	send_udp_as_nobody("::1", 7601);
	CHECK(nflogr_next(h, true, &r) == 1, "next(wait) returns the first record");
	check_output_v4(r);
	struct nflogr_record *kept = nflogr_record_dup(r);
	alignas(16) static unsigned char mem[4096];
	CHECK(nflogr_record_copy(r, mem + 1, sizeof mem - 1) == NULL && errno == EINVAL &&
		  nflogr_record_copy(r, mem, 16) == NULL,
	      "copy into misaligned or small memory: EINVAL");
	struct nflogr_record *copied = nflogr_record_copy(r, mem, sizeof mem);
	CHECK(nflogr_next(h, true, &r) == 1, "the input record");
	check_input_v4(r);
	CHECK(kept && copied, "record kept by dup and copy");
	check_output_v4(kept);
	check_output_v4(copied);
	nflogr_record_free(kept);

	int n = 0;
	CHECK(nflogr_loop(h, stop_cb, &n, -1, true) == 1 && n == 1,
	      "loop stops when the callback says so");
	uint16_t proto;
	CHECK(nflogr_next(h, true, &r) == 1 && nflogr_record_family(r) == 10 &&
		  nflogr_record_proto(r, &proto) && proto == 0x86dd && nflogr_record_hook(r) == 1,
	      "IPv6 input record");
	n = 0;
	CHECK(nflogr_loop(h, count_cb, &n, 5, false) == 0 && n == 0,
	      "loop without wait ends when nothing is there");
	bool exact = false;
	CHECK(nflogr_counter(h, NFLOGR_RECEIVED) == 4 && nflogr_lost(h, &exact) == 0 && exact &&
		  nflogr_counter(h, NFLOGR_DROPS) == 0 &&
		  nflogr_counter(h, NFLOGR_UNSEQUENCED) == 0 &&
		  nflogr_counter(h, (enum nflogr_counter)99) == 0,
	      "counters: 4 received, 0 lost (exact)");
	nflogr_close(h);
	nflogr_close(NULL);
}

/* Under RAISE an overrun fails one read with ENOBUFS; reading then goes
 * on, and with seq received + lost = sent. */
static void test_raise(void)
{
	struct nflogr *h = open_group(72, NFLOGR_FLAG_SEQ, 1, 0, 4096, NFLOGR_ENOBUFS_RAISE, -1);
	if (!h) {
		CHECK(0, "open group 72");
		return;
	}
	for (int i = 0; i < 300; i++)
		send_udp(-1, "127.0.0.1", 7602, 5);
	int enobufs = 0, got = 0, r;
	const struct nflogr_record *rec;
	while ((r = nflogr_next(h, false, &rec)) != 0) {
		if (r < 0 && errno == ENOBUFS && strstr(nflogr_last_error(h), "ENOBUFS"))
			enobufs++;
		else if (r < 0)
			break;
		else
			got++;
	}
	send_udp(-1, "127.0.0.1", 7602, 5); /* a later record settles the gap */
	while (nflogr_next(h, true, &rec) == -1 && errno == ENOBUFS)
		enobufs++;
	got++;
	bool exact;
	uint64_t lost = nflogr_lost(h, &exact);
	CHECK(enobufs >= 1 && nflogr_counter(h, NFLOGR_DROPS) == (uint64_t)enobufs,
	      "RAISE: each overrun fails one read with ENOBUFS (%d) and is counted", enobufs);
	CHECK(exact && (uint64_t)got + lost == 301, "RAISE: received %d + lost %llu = 301 sent",
	      got, (unsigned long long)lost);
	nflogr_close(h);
}

/* Records the kernel holds back for batching arrive on unbind. */
static void test_unbind(void)
{
	struct nflogr *h = open_group(71, NFLOGR_FLAG_SEQ, 100, 30, 0, NFLOGR_ENOBUFS_HANDLE, -1);
	if (!h) {
		CHECK(0, "open group 71 with qthresh 100");
		return;
	}
	for (int i = 0; i < 3; i++)
		send_udp(-1, "127.0.0.1", 7601, 5);
	usleep(100 * 1000);
	const struct nflogr_record *r;
	CHECK(nflogr_next(h, false, &r) == 0, "qthresh 100: the kernel holds the records");
	CHECK(nflogr_unbind(h) == 0, "unbind");
	int n = 0;
	while (nflogr_next(h, false, &r) == 1)
		n++;
	CHECK(n == 6, "after unbind the 6 held records (3 out, 3 in) are read: %d", n);
	nflogr_close(h);
}

/* A record as big as NFLOG makes one: the kernel copies at most 65531
 * bytes of a packet (NFULNL_COPY_RANGE_MAX: a netlink attribute's 16-bit
 * length less its header). A packet of exactly that size arrives whole,
 * a 65535-byte one cut to it. */
static void test_big(void)
{
	struct nflogr *h = open_group(73, NFLOGR_FLAG_SEQ, 1, 0, 1 << 20, NFLOGR_ENOBUFS_RAISE, -1);
	if (!h) {
		CHECK(0, "open group 73");
		return;
	}
	send_udp(-1, "127.0.0.1", 7603, 65531 - 28);
	send_udp(-1, "127.0.0.1", 7603, 65535 - 28);
	const struct nflogr_record *r;
	const unsigned char *p;
	size_t len = 0;
	CHECK(nflogr_next(h, true, &r) == 1 && (p = nflogr_record_payload(r, &len)) &&
		  len == 65531 && p[2] == 0xff && p[3] == 0xfb && p[len - 1] == 'x',
	      "a 65531-byte packet arrives whole: %zu bytes", len);
	CHECK(nflogr_next(h, true, &r) == 1 && nflogr_record_payload(r, &len) && len == 65531,
	      "a 65535-byte packet arrives cut to the kernel's 65531: %zu bytes", len);
	nflogr_close(h);
}

/* Open a group inside another namespace from this one: its sockets are
 * made there, and interfaces are named as that namespace names them. */
static void test_netns(const char *path, const char *ifname)
{
	int ns = open(path, O_RDONLY | O_CLOEXEC);
	struct nflogr *h = open_group(74, 0, 1, 0, 0, NFLOGR_ENOBUFS_RAISE, ns);
	CHECK(h != NULL, "open group 74 in namespace %s", path);
	if (!h)
		return;
	/* a sender in that namespace: a socket belongs to where it was made */
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	setns(ns, CLONE_NEWNET);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	setns(home, CLONE_NEWNET);
	send_udp(s, "10.99.0.2", 7604, 5);
	const struct nflogr_record *r;
	const char *name = NULL;
	if (nflogr_next(h, true, &r) == 1)
		name = nflogr_record_ifname(r, NFLOGR_OUTDEV);
	CHECK(name && strcmp(name, ifname) == 0 && if_nametoindex(ifname) == 0,
	      "the record names %s, an interface only that namespace has (got %s)", ifname,
	      name ? name : "none");
	char err[256];
	struct nflogr_options *o = nflogr_options_new();
	nflogr_options_set_netns(o, s); /* a socket is no namespace */
	errno = 0;
	CHECK(!nflogr_open(75, o, err, sizeof err) && errno == EINVAL && strstr(err, "namespace"),
	      "netns: an fd that is no namespace: EINVAL (%s)", err);
	nflogr_options_free(o);
	close(s);
	close(home);
	close(ns);
	nflogr_close(h);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: installed_api NETNS_PATH IFNAME\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_options();
	test_records();
	test_raise();
	test_unbind();
	test_big();
	test_netns(argv[1], argv[2]);
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}
