/* config_internal.h - what the parts of the config parser share: the
 * loading state, key tables and the checked getters. Not for outside
 * src/daemon/config*.c. */
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
	struct buf *warnings; /* may be NULL: warnings are dropped */
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

/* Keeps the closest candidate that is near enough to be a typo of word. */
struct hint {
	const char *word;
	const char *best;
	unsigned dist;
};

const char *cfg_quote(const char *s, char *out, size_t size);
const char *cfg_file_name(const struct ctx *c, const char *file, char *out, size_t size);
const char *cfg_type_name(int type);
void cfg_hint_try(struct hint *h, const char *candidate);
const char *cfg_hint_text(const struct hint *h, char *out, size_t size);
bool cfg_err(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cfg_warn(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
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

/* config_quirks.c: around libconfig 1.5. */
bool cfg_check_includes(struct ctx *c, const char *path);
void cfg_check_wrapped_ints(struct ctx *c, const char *path);
void cfg_syntax_error(struct ctx *c, const config_t *lc);

#endif
