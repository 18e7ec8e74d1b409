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

/* An output type: its word in `type = "..."` and its own keys (keys, and
 * more_keys when it has those of another type too; may be NULL). */
struct output_type_def {
	const char *name;
	const struct key *keys;
	const struct key *more_keys;
};

/* Keeps the closest candidate that is near enough to be a typo of word. */
struct hint {
	const char *word;
	const char *best;
	unsigned dist;
};

/* ---- config_keys.c: messages ---- */

/* s quoted and escaped into out (cut at size, with "..."), so that one
 * message stays one line whatever bytes it holds. Returns out. */
const char *cfg_quote(const char *s, char *out, size_t size);
/* The name of file (as libconfig reports it: an included file by its bare
 * @include name; NULL: the main file) as the user can open it. Returns
 * file, or out holding the name. */
const char *cfg_file_name(const struct ctx *c, const char *file, char *out, size_t size);
/* "an integer", "a string", ... for a CONFIG_TYPE_* (static text). */
const char *cfg_type_name(int type);
/* Remember candidate in h when it is a closer typo of h->word than any
 * before (NULL is ignored). */
void cfg_hint_try(struct hint *h, const char *candidate);
/* " (did you mean "x"?)" into out when h found one, else ""; returns it. */
const char *cfg_hint_text(const struct hint *h, char *out, size_t size);
/* One error about setting s, at its file and line (counted: the load
 * fails). Returns false, for `return cfg_err(...)` in key parsers. */
bool cfg_err(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* One error at file:line (line 0: none applies), counted as cfg_err(). */
void cfg_err_file(struct ctx *c, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* One "FILE:LINE: warning: ..." about s into c->warnings (if any); the
 * load does not fail for it. */
void cfg_warn(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Where first is, as seen from s: "line 12" in the same file, else
 * "FILE:12". Returns out. */
const char *cfg_where(const struct ctx *c, const config_setting_t *first, const config_setting_t *s,
		      char *out, size_t size);
/* "KEY: expected WANT, got TYPE" about s; returns false. */
bool cfg_type_error(struct ctx *c, const config_setting_t *s, const char *want);

/* ---- config_keys.c: values ---- */

/* The entry of words (ended by a NULL name) named name, or NULL. */
const struct word *cfg_word_find(const struct word *words, const char *name);
/* "bad value GOT for WHAT: expected one of ..." with a hint; returns false. */
bool cfg_word_error(struct ctx *c, const config_setting_t *s, const char *what, const char *got,
		    const struct word *words);
/* Each getter stores the checked value of s into *out and returns true,
 * or reports why not (at s) and returns false, *out untouched. */
/* A non-empty string (it belongs to libconfig's tree). */
bool cfg_get_string(struct ctx *c, const config_setting_t *s, const char **out);
/* An integer in min..max. */
bool cfg_get_int(struct ctx *c, const config_setting_t *s, long long min, long long max,
		 long long *out);
/* Bytes as an integer or a string like "4M": 0, or min..max (range: the
 * limits in words, for the message). */
bool cfg_get_size(struct ctx *c, const config_setting_t *s, uint64_t min, uint64_t max,
		  const char *range, uint64_t *out);
/* A list of strings, each one of words, their values OR-ed. */
bool cfg_get_words(struct ctx *c, const config_setting_t *s, const struct word *words,
		   unsigned *out);

/* ---- config_keys.c: sections ---- */

/* Parse each member of sec by tables (a NULL-ended list of key tables)
 * into obj; unknown keys are errors unless found in quiet; then report
 * missing required keys. what names the section in messages. */
void cfg_walk_section(struct ctx *c, const config_setting_t *sec, const char *what,
		      const struct key *const *tables, const struct key *const *quiet, void *obj);
/* Whether s is a group { ... }; if not, says so (what: its list). */
bool cfg_is_section(struct ctx *c, const config_setting_t *s, const char *what);
/* The index of elem in the array at base of size-byte elements. */
size_t cfg_index_of(const void *elem, const void *base, size_t size);
/* A copy of v (owned by the caller), or NULL after an "out of memory"
 * error at s. */
char *cfg_strdup(struct ctx *c, const config_setting_t *s, const char *v);
/* Whether s is a list ( ... ) (an empty array counts); if not, says so. */
bool cfg_is_list(struct ctx *c, const config_setting_t *s);
/* p != NULL; else an "out of memory" error at s and false. */
bool cfg_alloc_ok(struct ctx *c, const config_setting_t *s, void *p);

/* ---- config_output.c ---- */

/* The outputs section s into c->cfg->outputs. */
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

/* ---- config_quirks.c: around libconfig 1.5 ---- */

/* Before libconfig reads path: every @include in it (and in what it
 * includes) names a regular file or nothing, since libconfig's scanner
 * exit()s on a directory. false after reporting one. */
bool cfg_check_includes(struct ctx *c, const char *path);
/* After libconfig read path: report every integer in it or its includes
 * that libconfig wrapped to 32 bits. */
void cfg_check_wrapped_ints(struct ctx *c, const char *path);
/* libconfig's syntax error in lc as an error, naming the include file
 * that could not be opened when that was the trouble. */
void cfg_syntax_error(struct ctx *c, const config_t *lc);

#endif
