/* check.h - a minimal TAP producer for the C unit tests.
 *
 *   CHECK(cond, "what is checked %d", n);
 *   CHECK_STREQ(got, want, "name");      (prints both on failure)
 *   return check_done();
 */
#ifndef NFLOGD_CHECK_H
#define NFLOGD_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_count;
static int check_failed;

static void check_report(int ok, const char *file, int line)
{
	check_count++;
	if (!ok)
		check_failed++;
	printf("%sok %d - %s:%d ", ok ? "" : "not ", check_count, file, line);
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		check_report(!!(cond), __FILE__, __LINE__);                                        \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
	} while (0)

#define CHECK_STREQ(got, want, ...)                                                                \
	do {                                                                                       \
		const char *got_ = (got), *want_ = (want);                                         \
		int ok_ = got_ && want_ && strcmp(got_, want_) == 0;                               \
		check_report(ok_, __FILE__, __LINE__);                                             \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		if (!ok_)                                                                          \
			printf("#   got:  \"%s\"\n#   want: \"%s\"\n", got_ ? got_ : "(null)",     \
			       want_ ? want_ : "(null)");                                          \
	} while (0)

static inline int check_done(void)
{
	printf("1..%d\n", check_count);
	if (check_failed)
		printf("# %d of %d checks failed\n", check_failed, check_count);
	return check_failed ? 1 : 0;
}

#endif
