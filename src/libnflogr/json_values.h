/* json_values.h - the JSON values that are more than a field's text,
 * shared by the table walk (format_json.c) and the per-shape plans
 * (json_formatter.c). Internal to the library's formatters.
 */
#ifndef NFLOGD_JSON_VALUES_H
#define NFLOGD_JSON_VALUES_H

#include "buf.h"
#include "fields.h"
#include "json_formatter.h"

/* A FIELD_TEXT value as a JSON string, escaped; when its bytes are not
 * valid UTF-8, a member ,"<key>_hex":"<raw bytes in hex>" follows (key is
 * key_len bytes, not NUL-terminated). False, appending nothing, when the
 * record lacks the value. */
bool json_text_value(struct buf *b, const struct field *f, const struct field_src *s,
		     const char *key, size_t key_len);

/* A FIELD_FLAGS value as a JSON array of strings; false, appending
 * nothing, when the record lacks the value. */
bool json_flags_value(struct buf *b, const struct field *f, const struct field_src *s);

/* The table walk of format_json() with these options (schema nflogd
 * only): the reference the per-shape plans are compared with. */
void format_json_walk(struct buf *b, const struct nflogd_record *rec,
		      const struct nflogd_decoded *dec, const struct json_options *opts);

#endif
