/* loadgen.c - send a fixed number of small UDP datagrams on loopback, as
 * fast as possible or at a fixed rate, with sendmmsg.
 *
 * Run it inside the benchmark's own network namespace (bench/run.sh does):
 * the traffic never leaves that namespace's loopback.
 *
 *   loadgen [-c COUNT] [-r RATE] [-d ADDR] [-p PORT] [-s BYTES] [-b BATCH]
 *     -c  datagrams to send (default 100000)
 *     -r  datagrams per second; 0 = unlimited (default 0)
 *     -d  destination IPv4 address (default 127.0.0.1)
 *     -p  destination UDP port (default 9999)
 *     -s  payload bytes per datagram (default 16)
 *     -b  datagrams per sendmmsg call (default 64)
 *
 * Prints one line: "sent=N seconds=S rate=R cpu_us_per_packet=C" (C: the
 * sender's CPU, kernel logging included, per datagram). Exit 0 when every datagram
 * was sent, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 1024

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep until the monotonic clock reads t (seconds). */
static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t,
			       .tv_nsec = (long)((t - (double)(time_t)t) * 1e9) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static unsigned long parse_num(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || end == s) {
		fprintf(stderr, "loadgen: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long count = 100000, rate = 0, size = 16, batch = 64;
	unsigned long port = 9999;
	const char *addr = "127.0.0.1";
	int opt;
	while ((opt = getopt(argc, argv, "c:r:d:p:s:b:")) != -1) {
		switch (opt) {
		case 'c': count = parse_num(optarg, "count"); break;
		case 'r': rate = parse_num(optarg, "rate"); break;
		case 'd': addr = optarg; break;
		case 'p': port = parse_num(optarg, "port"); break;
		case 's': size = parse_num(optarg, "size"); break;
		case 'b': batch = parse_num(optarg, "batch"); break;
		default:
			fprintf(stderr, "usage: loadgen [-c COUNT] [-r RATE] [-d ADDR] [-p PORT] "
					"[-s BYTES] [-b BATCH]\n");
			return 2;
		}
	}
	if (!batch || batch > MAX_BATCH || size > 1400 || !port || port > 65535) {
		fprintf(stderr, "loadgen: batch 1..%d, size 0..1400, port 1..65535\n", MAX_BATCH);
		return 2;
	}
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, addr, &dst.sin_addr) != 1) {
		fprintf(stderr, "loadgen: bad address %s\n", addr);
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("loadgen: socket");
		return 1;
	}
	/* A large send buffer: sendmmsg then blocks only when loopback does. */
	int sndbuf = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);

	static char payload[1400];
	memset(payload, 'x', sizeof payload);
	static struct iovec iov[MAX_BATCH];
	static struct mmsghdr msgs[MAX_BATCH];
	for (unsigned long i = 0; i < batch; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = size;
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = sizeof dst;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	/* With a rate, send in small slices so the pacing is smooth: about
	 * one slice per 100 µs, never more than batch datagrams. */
	unsigned long slice = batch;
	if (rate) {
		slice = rate / 10000;
		if (slice < 1)
			slice = 1;
		if (slice > batch)
			slice = batch;
	}
	double start = now_s();
	unsigned long sent = 0, errors = 0;
	while (sent < count) {
		if (rate) {
			double due = start + (double)sent / (double)rate;
			if (due > now_s())
				sleep_until(due);
		}
		unsigned long n = count - sent < slice ? count - sent : slice;
		int r = sendmmsg(fd, msgs, (unsigned)n, 0);
		if (r < 0) {
			if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN)
				continue;
			if (++errors > 1000) {
				perror("loadgen: sendmmsg");
				break;
			}
			continue;
		}
		sent += (unsigned long)r;
	}
	double secs = now_s() - start;
	/* The sender's own CPU includes what the kernel spends logging each
	 * packet (NFLOG runs in the sender's context on the OUTPUT hook). */
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf("sent=%lu seconds=%.3f rate=%.0f cpu_us_per_packet=%.3f\n", sent, secs,
	       secs > 0 ? (double)sent / secs : 0.0, sent ? cpu * 1e6 / (double)sent : 0.0);
	close(fd);
	return sent == count ? 0 : 1;
}
