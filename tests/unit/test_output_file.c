/* test_output_file.c - the file output without a loop: size rotation
 * (names, whole lines, keep), the backlog accounting of a write that
 * fails (a regular file under RLIMIT_FSIZE 0: every write fails with
 * EFBIG; /dev/full would be refused, as any non-regular file is), and
 * what open refuses or repairs: a FIFO, a partial last line.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "files_cannot_grow.h"
#include "config.h"
#include "log.h"
#include "output.h"

static struct output_config file_config(const char *name, char *path)
{
	struct output_config oc = {
		.name = (char *)name,
		.type = OUTPUT_FILE,
		.format = RECORD_FORMAT_TEXT,
		.path = path,
		.mode = 0600,
		.uid = -1,
		.gid = -1,
		.rotate_keep = CONFIG_DEFAULT_ROTATE_KEEP,
		.backlog = CONFIG_DEFAULT_FILE_BACKLOG,
	};
	return oc;
}

/* One loss line per call: about 60 bytes, numbered by count. */
static void put_record(struct output *o, uint64_t n)
{
	struct output_loss loss = { .group = 7, .kind = OUTPUT_LOSS_SEQ_GAP, .count = n + 1 };
	output_write_loss(o, &loss);
}

/* Lines in path, or -1; *whole: the file ends with a newline (or is empty). */
static long file_lines(const char *path, bool *whole, long *size)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long lines = 0;
	int ch, last = '\n';
	*size = 0;
	while ((ch = fgetc(f)) != EOF) {
		lines += ch == '\n';
		last = ch;
		(*size)++;
	}
	fclose(f);
	*whole = last == '\n';
	return lines;
}

static void test_size_rotation(const char *dir)
{
	char path[PATH_MAX], name[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/rot.log", dir);
	struct output_config oc = file_config("rot", path);
	oc.rotate_size = 4096;
	oc.rotate_keep = 3;
	char err[512];
	struct output *o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o != NULL, "open %s: %s", path, o ? "" : err);
	if (!o)
		return;
	for (uint64_t i = 0; i < 1000; i++) {
		put_record(o, i);
		if (i % 37 == 0)
			output_flush(o);
	}
	output_close(o);
	long total = 0;
	bool all_whole = true, all_small = true;
	for (int k = 0; k <= 3; k++) {
		if (k)
			snprintf(name, sizeof name, "%s.%d", path, k);
		else
			snprintf(name, sizeof name, "%s", path);
		bool whole = false;
		long size = 0;
		long lines = file_lines(name, &whole, &size);
		CHECK(lines > 0, "%s exists with lines (%ld)", name, lines);
		all_whole &= whole;
		all_small &= size <= 4096;
		if (k)
			all_small &= size > 4096 - 100; /* filled up to the last line that fits */
		total += lines;
	}
	snprintf(name, sizeof name, "%s.4", path);
	CHECK(access(name, F_OK) != 0, "keep = 3: no %s", name);
	CHECK(all_whole, "every file ends with a whole line");
	CHECK(all_small, "rotated files are as full as whole lines allow, never over 4096 bytes");
	CHECK(total < 1000 && total > 150, "older files deleted: %ld lines kept", total);
}

static void test_backlog(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/full.log", dir);
	struct output_config oc = file_config("full", path);
	oc.backlog = 4096;
	char err[512];
	struct rlimit saved = files_cannot_grow();
	struct output *o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o != NULL, "open %s: %s", path, o ? "" : err);
	if (!o)
		return;
	for (uint64_t i = 0; i < 10; i++)
		put_record(o, i);
	output_flush(o);
	CHECK(o->stats.errors == 1 && o->stats.written == 0 && o->stats.queued == 10 &&
		  o->stats.dropped == 0,
	      "EFBIG: 10 records held (errors %llu queued %llu)",
	      (unsigned long long)o->stats.errors, (unsigned long long)o->stats.queued);
	for (uint64_t i = 10; i < 500; i++)
		put_record(o, i);
	output_flush(o); /* within the retry second: no new attempt */
	CHECK(o->stats.errors == 1, "no write attempt before the retry time");
	CHECK(o->stats.dropped > 0 && o->stats.queued > 0 &&
		  o->stats.queued + o->stats.dropped == 500,
	      "backlog of 4096 bytes: %llu queued, %llu dropped, sum 500",
	      (unsigned long long)o->stats.queued, (unsigned long long)o->stats.dropped);
	CHECK(o->stats.queued * 50 <= 4096, "the backlog holds at most 4096 bytes");
	output_close(o); /* last attempt fails too: what was queued is dropped */
	/* o is freed: the numbers were checked above; close must not leak or crash */
	setrlimit(RLIMIT_FSIZE, &saved);
}

static void test_backlog_counts_after_close(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/full0.log", dir);
	struct output_config oc = file_config("full0", path);
	oc.backlog = 0;
	char err[512];
	struct rlimit saved = files_cannot_grow();
	struct output *o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o != NULL, "open %s with backlog 0", path);
	if (!o) {
		setrlimit(RLIMIT_FSIZE, &saved);
		return;
	}
	for (uint64_t i = 0; i < 20; i++)
		put_record(o, i);
	output_flush(o);
	CHECK(o->stats.dropped == 20 && o->stats.queued == 0 && o->stats.written == 0,
	      "backlog 0: all 20 dropped at once (dropped %llu)",
	      (unsigned long long)o->stats.dropped);
	put_record(o, 20);
	CHECK(o->stats.dropped == 21, "while failing with backlog 0, a new record is dropped");
	output_close(o);
	setrlimit(RLIMIT_FSIZE, &saved);
}

/* A FIFO is refused at once (opening it for writing would wait for a
 * reader), with a message that says what it is; so is a directory. */
static void test_refuse_fifo(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0, "mkfifo %s", path);
	struct output_config oc = file_config("fifo", path);
	char err[512] = "";
	struct output *o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o == NULL && strstr(err, "is a FIFO (named pipe), not a regular file"),
	      "a FIFO without a reader: refused, not waited on (%s)", err);
	output_close(o);
	int rd = open(path, O_RDONLY | O_NONBLOCK); /* now with a reader */
	err[0] = '\0';
	o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o == NULL && strstr(err, "is a FIFO (named pipe)"), "with a reader too (%s)", err);
	output_close(o);
	close(rd);
	oc.path = (char *)dir;
	o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o == NULL, "a directory: refused (%s)", err);
	output_close(o);
}

/* A file that ends in part of a line (a crash mid-write) gets that part
 * cut at open; whole lines stay; a file that ends whole is left alone. */
static void test_cut_partial_line(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/partial.log", dir);
	FILE *fp = fopen(path, "w");
	fputs("one whole line\ntwo whole lines\n{\"timestamp\":\"2026-", fp);
	fclose(fp);
	struct output_config oc = file_config("partial", path);
	char err[512];
	struct output *o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o != NULL, "open %s", path);
	put_record(o, 1);
	output_close(o);
	bool whole = false;
	long size = 0;
	long lines = file_lines(path, &whole, &size);
	fp = fopen(path, "r");
	char first[64] = "", second[64] = "", third[128] = "";
	if (fp) {
		(void)!fgets(first, sizeof first, fp);
		(void)!fgets(second, sizeof second, fp);
		(void)!fgets(third, sizeof third, fp);
		fclose(fp);
	}
	CHECK(lines == 3 && whole && strcmp(second, "two whole lines\n") == 0 &&
		  strstr(third, "nflogd: group 7 lost 2 messages") && !strstr(third, "2026-{"),
	      "the partial line is gone, the next record starts a line of its own (%ld lines)",
	      lines);
	o = output_open(&oc, NULL, err, sizeof err); /* ends whole now: untouched */
	output_close(o);
	long size2 = 0;
	CHECK(file_lines(path, &whole, &size2) == 3 && size2 == size,
	      "a whole file is left as it is");
}

/* A loss record of a group in another network namespace names it. */
static void test_loss_netns(void)
{
	struct output_loss loss = {
		.group = 1, .netns = "blue", .kind = OUTPUT_LOSS_SEQ_GAP, .count = 3
	};
	struct buf b;
	buf_init(&b);
	output_format_loss(&b, &loss, RECORD_FORMAT_JSON);
	buf_putc(&b, '\0');
	CHECK(strstr(b.data, "\"event\":\"loss\",\"group\":1,\"netns\":\"blue\",\"lost\":3,") !=
		  NULL,
	      "json loss record with netns: %s", b.data);
	buf_reset(&b);
	output_format_loss(&b, &loss, RECORD_FORMAT_TEXT);
	buf_putc(&b, '\0');
	CHECK(strstr(b.data, " nflogd: group 1 in netns blue lost 3 messages (seq_gap)") != NULL,
	      "text loss record with netns: %s", b.data);
	buf_free(&b);
}

int main(void)
{
	log_init();
	log_set_level(LOG_LEVEL_ERROR - 1); /* quiet: the errors are expected */
	char dir[] = "/tmp/nflogd-test-output-file.XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return check_done();
	}
	test_size_rotation(dir);
	test_backlog(dir);
	test_backlog_counts_after_close(dir);
	test_refuse_fifo(dir);
	test_cut_partial_line(dir);
	test_loss_netns();
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return check_done();
}
