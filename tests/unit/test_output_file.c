/* test_output_file.c - the file output without a loop: size rotation
 * (names, whole lines, keep), and the backlog accounting of a write that
 * fails (against /dev/full, which fails every write with ENOSPC).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
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

static void test_backlog(void)
{
	char path[] = "/dev/full";
	struct output_config oc = file_config("full", path);
	oc.backlog = 4096;
	char err[512];
	struct output *o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o != NULL, "open /dev/full: %s", o ? "" : err);
	if (!o)
		return;
	for (uint64_t i = 0; i < 10; i++)
		put_record(o, i);
	output_flush(o);
	CHECK(o->stats.errors == 1 && o->stats.written == 0 && o->stats.queued == 10 &&
		  o->stats.dropped == 0,
	      "ENOSPC: 10 records held (errors %llu queued %llu)",
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
}

static void test_backlog_counts_after_close(void)
{
	char path[] = "/dev/full";
	struct output_config oc = file_config("full0", path);
	oc.backlog = 0;
	char err[512];
	struct output *o = output_open(&oc, NULL, err, sizeof err);
	CHECK(o != NULL, "open /dev/full with backlog 0");
	if (!o)
		return;
	for (uint64_t i = 0; i < 20; i++)
		put_record(o, i);
	output_flush(o);
	CHECK(o->stats.dropped == 20 && o->stats.queued == 0 && o->stats.written == 0,
	      "backlog 0: all 20 dropped at once (dropped %llu)",
	      (unsigned long long)o->stats.dropped);
	put_record(o, 20);
	CHECK(o->stats.dropped == 21, "while failing with backlog 0, a new record is dropped");
	output_close(o);
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
	test_backlog();
	test_backlog_counts_after_close();
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return check_done();
}
