/* peersend.c - what a log peer can take without nflogd: send COUNT
 * entries shaped like nflogd's, as fast as possible, and report the rate
 * and this sender's own CPU per entry.
 *
 *   peersend -m journal -c COUNT
 *       sd_journal_sendv of the fields nflogd sends for a UDP packet
 *       logged in OUTPUT (PRIORITY, SYSLOG_IDENTIFIER, MESSAGE_ID, MESSAGE
 *       = the kernel LOG line, and the 30 NFLOG_* fields such a record
 *       has), the sequence number changing per entry
 *   peersend -m tcp -c COUNT -p PORT [-a 127.0.0.1]
 *       one TCP connection, RFC 5424 frames with octet counting (RFC 6587)
 *       shaped like nflogd's (structured data nflog@32473 with the same
 *       parameters, the LOG line as MSG), written in batches with write()
 *
 * Prints "sent=N seconds=S rate=R cpu_us_per_entry=C" on stdout.
 */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

#define LINE                                                                                       \
	"bench IN= OUT=lo SRC=127.0.0.1 DST=127.0.0.1 LEN=44 TOS=0x00 PREC=0x00 TTL=64 ID=4242 "   \
	"DF "                                                                                      \
	"PROTO=UDP SPT=40000 DPT=9999 LEN=24 UID=0 GID=0"

static const char *journal_fields[] = {
	"NFLOG_TIMESTAMP=2026-11-27T13:00:00.123456+00:00",
	"NFLOG_TIMESTAMP_SOURCE=receive",
	"NFLOG_GROUP=42",
	NULL, /* NFLOG_SEQ=, per entry */
	"NFLOG_HOOK=output",
	"NFLOG_FAMILY=ipv4",
	"NFLOG_PREFIX=bench ",
	"NFLOG_HWTYPE=772",
	"NFLOG_MARK=0",
	"NFLOG_OUT=lo",
	"NFLOG_OUT_INDEX=1",
	"NFLOG_UID=0",
	"NFLOG_GID=0",
	"NFLOG_PAYLOAD_LEN=44",
	"NFLOG_SRC=127.0.0.1",
	"NFLOG_DST=127.0.0.1",
	"NFLOG_LEN=44",
	"NFLOG_TOS=0x00",
	"NFLOG_PREC=0x00",
	"NFLOG_TTL=64",
	"NFLOG_ID=4242",
	"NFLOG_CE=false",
	"NFLOG_DF=true",
	"NFLOG_MF=false",
	"NFLOG_FRAG=0",
	"NFLOG_PROTO=UDP",
	"NFLOG_PROTO_NUMBER=17",
	"NFLOG_SPT=40000",
	"NFLOG_DPT=9999",
	"NFLOG_UDP_LEN=24",
};
#define NJF (sizeof journal_fields / sizeof journal_fields[0])

static int send_journal(long count)
{
	struct iovec iov[NJF + 4];
	char seq[40];
	int n = 0;
	iov[n++] = (struct iovec){ (void *)"PRIORITY=4", 10 };
	iov[n++] = (struct iovec){ (void *)"SYSLOG_IDENTIFIER=nflogd", 24 };
	iov[n++] = (struct iovec){ (void *)"MESSAGE_ID=c7b75b174e944289a01e59243fce44fd", 43 };
	iov[n++] = (struct iovec){ (void *)"MESSAGE=" LINE, sizeof "MESSAGE=" LINE - 1 };
	int seq_i = -1;
	for (size_t i = 0; i < NJF; i++) {
		if (!journal_fields[i]) {
			seq_i = n;
			iov[n++] = (struct iovec){ seq, 0 };
		} else {
			iov[n++] =
			    (struct iovec){ (void *)journal_fields[i], strlen(journal_fields[i]) };
		}
	}
	for (long i = 0; i < count; i++) {
		iov[seq_i].iov_len = (size_t)snprintf(seq, sizeof seq, "NFLOG_SEQ=%ld", i);
		int r = sd_journal_sendv(iov, n);
		if (r < 0) {
			fprintf(stderr, "peersend: sd_journal_sendv: %s\n", strerror(-r));
			return -1;
		}
	}
	return 0;
}

static int send_tcp(long count, const char *addr, int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, "peersend: connect %s:%d: %s\n", addr, port, strerror(errno));
		return -1;
	}
	static char out[256 * 1024];
	char msg[1024];
	size_t used = 0;
	for (long i = 0; i < count; i++) {
		int m = snprintf(
		    msg, sizeof msg,
		    "<164>1 2026-11-27T13:00:00.123456+00:00 bench nflogd - PACKET "
		    "[nflog@32473 group=\"42\" seq=\"%ld\" hook=\"output\" family=\"ipv4\" "
		    "prefix=\"bench \" out=\"lo\" src=\"127.0.0.1\" dst=\"127.0.0.1\" "
		    "proto=\"UDP\" spt=\"40000\" dpt=\"9999\" len=\"44\" mark=\"0\" uid=\"0\" "
		    "gid=\"0\"] " LINE,
		    i);
		if (used + (size_t)m + 16 > sizeof out) {
			for (size_t off = 0; off < used;) {
				ssize_t w = write(fd, out + off, used - off);
				if (w < 0) {
					perror("peersend: write");
					return -1;
				}
				off += (size_t)w;
			}
			used = 0;
		}
		used += (size_t)sprintf(out + used, "%d ", m);
		memcpy(out + used, msg, (size_t)m);
		used += (size_t)m;
	}
	for (size_t off = 0; off < used;) {
		ssize_t w = write(fd, out + off, used - off);
		if (w < 0) {
			perror("peersend: write");
			return -1;
		}
		off += (size_t)w;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = "journal", *addr = "127.0.0.1";
	long count = 100000;
	int port = 0, opt;
	while ((opt = getopt(argc, argv, "m:c:p:a:")) != -1) {
		switch (opt) {
		case 'm': mode = optarg; break;
		case 'c': count = strtol(optarg, NULL, 10); break;
		case 'p': port = atoi(optarg); break;
		case 'a': addr = optarg; break;
		default:
			fprintf(stderr,
				"usage: peersend -m journal|tcp -c COUNT [-p PORT] [-a ADDR]\n");
			return 2;
		}
	}
	double t0 = now(), c0 = cpu_s();
	int r = strcmp(mode, "tcp") == 0 ? send_tcp(count, addr, port) : send_journal(count);
	if (r < 0)
		return 1;
	double dt = now() - t0, dc = cpu_s() - c0;
	printf("sent=%ld seconds=%.3f rate=%.0f cpu_us_per_entry=%.3f\n", count, dt,
	       dt > 0 ? (double)count / dt : 0, count ? dc / (double)count * 1e6 : 0);
	return 0;
}
