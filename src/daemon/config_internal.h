/* config_internal.h - what the parts of the config parser share: the
 * loading state, key tables and the checked getters. Not for outside
 * src/config*.c. */
#ifndef NFLOGD_CONFIG_INTERNAL_H
#define NFLOGD_CONFIG_INTERNAL_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Loading state. The *_at arrays remember, per output or group, the setting
 * that defined a name, path or group number (NULL while none parsed): the
 * duplicate checks need the first one's value and place. */
struct ctx {
	struct nflogd_config *cfg;
	struct buf *errors;
	unsigned n_errors;
	const char *dir;		   /* of the main file, for @include */
	const config_setting_t **name_at;  /* per output: its valid name */
	const config_setting_t **path_at;  /* per output: its valid file path */
	const config_setting_t **group_at; /* per group: its valid number */
	bool output_unnamed;		   /* an output's name was missing or bad */
};

struct word {
	const char *name;
	unsigned value;
};

enum key_kind {
	KEY_INT,   /* integer in min..max */
	KEY_SIZE,  /* bytes, integer or "4M": 0 or min..max */
	KEY_WORD,  /* one string of words */
	KEY_WORDS, /* list of strings of words, OR-ed */
	KEY_FUNC,  /* fn does it all */
};

typedef bool key_fn(struct ctx *c, const config_setting_t *s, void *obj);

struct key {
	const char *name;
	enum key_kind kind;
	bool required;
	size_t offset, size; /* the field in obj (not for KEY_FUNC) */
	long long min, max;
	const char *range; /* KEY_SIZE: max in words, for messages */
	const struct word *words;
	key_fn *fn;
};

#define FIELD(type, member) .offset = offsetof(type, member), .size = sizeof(((type *)0)->member)

/* An output type: its word in `type = "..."` and its own keys. */
struct output_type_def {
	const char *name;
	const struct key *keys;
};

const char *cfg_quote(const char *s, char *out, size_t size);
bool cfg_err(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *cfg_where(const struct ctx *c, const config_setting_t *first, const config_setting_t *s,
		      char *out, size_t size);
bool cfg_type_error(struct ctx *c, const config_setting_t *s, const char *want);
const struct word *cfg_word_find(const struct word *words, const char *name);
bool cfg_word_error(struct ctx *c, const config_setting_t *s, const char *what, const char *got,
		    const struct word *words);
bool cfg_get_string(struct ctx *c, const config_setting_t *s, const char **out);
bool cfg_get_int(struct ctx *c, const config_setting_t *s, long long min, long long max,
		 long long *out);
bool cfg_get_size(struct ctx *c, const config_setting_t *s, uint64_t min, uint64_t max,
		  const char *range, uint64_t *out);
bool cfg_get_words(struct ctx *c, const config_setting_t *s, const struct word *words,
		   unsigned *out);
void cfg_walk_section(struct ctx *c, const config_setting_t *sec, const char *what,
		      const struct key *const *tables, const struct key *const *quiet, void *obj);
bool cfg_is_section(struct ctx *c, const config_setting_t *s, const char *what);
size_t cfg_index_of(const void *elem, const void *base, size_t size);
char *cfg_strdup(struct ctx *c, const config_setting_t *s, const char *v);
bool cfg_is_list(struct ctx *c, const config_setting_t *s);
bool cfg_alloc_ok(struct ctx *c, const config_setting_t *s, void *p);
void cfg_err_file(struct ctx *c, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* config_output.c: the outputs section. */
void config_parse_outputs(struct ctx *c, const config_setting_t *s);
/* A boolean into *out, or an error at s (false). */
bool cfg_get_bool(struct ctx *c, const config_setting_t *s, bool *out);

/* ---- config_tls.c: a syslog output's tls = { ... } ---- */

/* The tls group s into the output_config obj, its files read and checked. */
bool config_key_tls(struct ctx *c, const config_setting_t *s, void *obj);
/* The defaults of tls and stall_timeout into o. */
void config_tls_defaults(struct output_config *o);
/* What the keys of output section sec cannot check alone: tls only with a
 * tls:// target, cert with key (and the key the certificate's),
 * stall_timeout only for a stream. */
void config_check_tls(struct ctx *c, const config_setting_t *sec, struct output_config *o);
/* Whether a and b are the same settings and the same file contents. */
bool config_tls_equal(const struct tls_config *a, const struct tls_config *b);
/* Free what t holds (key bytes cleared first) and empty it. */
void config_tls_free(struct tls_config *t);

#endif
