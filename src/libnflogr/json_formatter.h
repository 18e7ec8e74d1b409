/* json_formatter.h - records as JSON Lines objects, fast, with options.
 *
 * A JSON formatter is made once per output (it holds the options and its
 * plans) and used for every record. It writes exactly what walking the
 * field table would write (format_json() and json_formatter_reference(),
 * compared byte for byte by the tests and the record fuzzer), but walks
 * the table only once per record shape (field_shape(): which fields the
 * record has): the plan it keeps for a shape is the JSON text between the
 * values, with the keys and nulls already in it, and the list of values
 * to write. A record then costs a copy of that text and one reader per
 * value. The plans live in the formatter: nothing is allocated per record
 * once a shape has been seen.
 */
#ifndef NFLOGD_JSON_FORMATTER_H
#define NFLOGD_JSON_FORMATTER_H

#include <stdbool.h>

#include "buf.h"
#include "decode.h"
#include "record.h"

/* The keys a record is written with. */
enum json_schema {
	JSON_SCHEMA_NFLOGD, /* doc/fields.md */
	JSON_SCHEMA_ECS,    /* Elastic Common Schema names, nested (doc/ecs.md) */
};

/* What an output's JSON carries (file output keys payload, null_keys,
 * schema; nflogd.conf(5)). */
struct json_options {
	bool payload;		 /* the packet as "payload" (hex); default true */
	bool null_keys;		 /* nullable fields the record lacks as null; default true;
				    ignored with ECS, which leaves absent fields out */
	enum json_schema schema; /* default JSON_SCHEMA_NFLOGD */
};

#define JSON_OPTIONS_DEFAULT                                                                       \
	{                                                                                          \
		.payload = true, .null_keys = true, .schema = JSON_SCHEMA_NFLOGD                   \
	}

struct json_formatter;

/* A formatter for these options, or NULL when out of memory. The caller
 * owns it: json_formatter_free(). */
struct json_formatter *json_formatter_new(const struct json_options *opts);

/* Free a formatter (NULL is fine). */
void json_formatter_free(struct json_formatter *jf);

/* Append one JSON object for the record (no newline). Grows b only; may
 * allocate the first time a record shape is seen, never after. */
void json_formatter_write(struct json_formatter *jf, struct buf *b, const struct nflogd_record *rec,
			  const struct nflogd_decoded *dec);

/* The same object made the slow way, by walking the field table for this
 * record alone (for schema nflogd: format_json()'s walk with the
 * options). For tests and fuzzing: what json_formatter_write() must equal. */
void json_formatter_reference(const struct json_formatter *jf, struct buf *b,
			      const struct nflogd_record *rec, const struct nflogd_decoded *dec);

#endif
