/* fields.h - the one table of record fields (nflogr's dict(data)).
 *
 * fields_table[] names every field a record offers, says how to read it
 * and how it is typed. The JSON formatter walks it for its keys, the
 * journal output walks it for its NFLOG_* fields, and doc/fields.md is
 * generated from it (test_fields fails when the file and the table
 * disagree): add a field here and all three follow.
 *
 * Reading a value: field_put() appends the value text to a buffer and
 * says whether the record has the value at all. The text is what a
 * journal field carries verbatim; the JSON formatter decorates it by type.
 */
#ifndef NFLOGD_FIELDS_H
#define NFLOGD_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "decode.h"
#include "record.h"

/* What the field readers look at: one record and its decoded payload. */
struct field_src {
	const struct nflogd_record *rec;
	const struct nflogd_decoded *dec;
};

/* The JSON type of a field, and the shape of its value text. */
enum field_type {
	FIELD_INT,    /* decimal digits: a JSON number */
	FIELD_BOOL,   /* "true" or "false" */
	FIELD_STRING, /* printable ASCII that never needs escaping (names, addresses, times) */
	FIELD_HEX,    /* lowercase hex, two digits per byte, no separators: a JSON string */
	FIELD_TEXT,   /* untrusted bytes verbatim; JSON escapes them and adds "<key>_hex"
			 when they are not valid UTF-8 */
	FIELD_FLAGS,  /* names separated by single spaces: a JSON array of strings */
	FIELD_OBJECT, /* a JSON object made of the entries right after it that name
			 it as .parent; its value text is empty */
};

/* The layer a field belongs to. A field can be present only when its
 * layer is (field_layers()), so the JSON formatter skips a whole absent
 * layer with one test instead of asking each of its fields. */
enum field_layer {
	FIELD_L_RECORD = 1 << 0, /* what the kernel sent: always looked at */
	FIELD_L_ETH = 1 << 1,	 /* the Ethernet header was read */
	FIELD_L_IP = 1 << 2,	 /* an IPv4 or IPv6 header was read */
	FIELD_L_PROTO = 1 << 3,	 /* the transport protocol is known */
	FIELD_L_L4 = 1 << 4,	 /* TCP, UDP, AH or ESP header fields */
	FIELD_L_ICMP = 1 << 5,	 /* ICMP/ICMPv6 fields, the quoted packet */
	FIELD_L_ARP = 1 << 6,
	FIELD_L_TRUNC = 1 << 7, /* something was cut short */
};

/* Whether the JSON object carries the key when the record lacks the value. */
enum field_presence {
	FIELD_ALWAYS,	/* every record has it */
	FIELD_NULLABLE, /* key always there, null when the kernel sent nothing */
	FIELD_OPTIONAL, /* key left out when the packet has no such layer */
};

/* schema = "ecs" (doc/ecs.md): the Elastic Common Schema type of the ECS
 * field an entry maps to, which also says how its value is written there. */
enum field_ecs_type {
	ECS_NONE,      /* no ECS field: the key and value go under "nflog" as they are */
	ECS_DATE,      /* an RFC 3339 string, as is */
	ECS_IP,	       /* an address string, as is */
	ECS_LONG,      /* a JSON number, as is */
	ECS_KEYWORD,   /* a string: a number is written in quotes */
	ECS_MAC,       /* keyword: "AA-BB-CC-DD-EE-FF", ECS's form for MAC addresses */
	ECS_TRANSPORT, /* keyword: the IANA protocol keyword in lowercase ("tcp", "ipv6-icmp") */
};

/* The object that holds, with schema = "ecs", the fields ECS has no name for. */
#define FIELD_ECS_NAMESPACE "nflog"

struct field {
	const char *key; /* JSON key (inside .parent's object when set) */
	/* ",\"key\":" padded with NULs: the formatter copies the whole
	 * array (a fixed-size copy) and keeps json_key_len bytes of it. */
	char json_key[24];
	unsigned json_key_len;
	enum field_layer layer;
	const char *journal; /* journald field name; NULL: JSON only */
	const char *parent;  /* key of the enclosing FIELD_OBJECT, or NULL */
	enum field_type type;
	enum field_presence presence;
	const char *when; /* when present, for doc/fields.md */
	const char *desc; /* one-line meaning, for doc/fields.md */
	/* schema = "ecs": the dotted ECS name ("source.ip") and its type, or
	 * NULL and ECS_NONE for a field that stays "nflog.<key>". */
	const char *ecs;
	enum field_ecs_type ecs_type;
	/* Append the value text and return true, or append nothing and return
	 * false when the record has no such value. NULL for FIELD_TEXT. */
	bool (*put)(struct buf *b, const struct field_src *s);
	/* put without its test whether the record has the value, for callers
	 * that know it has (the JSON plans); NULL: use put. */
	bool (*value)(struct buf *b, const struct field_src *s);
	/* FIELD_TEXT only: the raw bytes and their length, or NULL when absent. */
	const char *(*text)(const struct field_src *s, size_t *len);
};

extern const struct field fields_table[];
extern const size_t fields_count;

/* Members every record has with schema = "ecs" (ecs.version,
 * event.kind, ...): a dotted name and its JSON value text. */
struct field_ecs_const {
	const char *ecs;  /* dotted ECS name */
	const char *json; /* the JSON value, written as is */
	enum field_ecs_type ecs_type;
};
extern const struct field_ecs_const fields_ecs_consts[];
extern const size_t fields_ecs_consts_count;

/* The FIELD_L_* layers s has. */
unsigned field_layers(const struct field_src *s);

/* The shape of a record: a key such that two records with the same shape
 * have the same fields present (field_put() answers alike for every
 * entry). The JSON formatter keeps one plan per shape. It is made of the
 * very conditions the readers test: a reader that tests something new
 * must add it here (test_fields and fuzz_record check that the shape
 * decides presence). */
uint64_t field_shape(const struct field_src *s);

/* The entry with this key (inside the object parent, or at the top when
 * parent is NULL), or NULL. A walk over the table: not for every record. */
const struct field *field_find(const char *parent, const char *key);

/* Append f's value text for s (FIELD_TEXT: the raw bytes; FIELD_OBJECT:
 * nothing) and return true, or return false when the record lacks it. */
bool field_put(const struct field *f, struct buf *b, const struct field_src *s);

/* Append the field reference table of doc/fields.md: one markdown row per
 * entry (children as "parent.key"), plus a "<key>_hex" row per FIELD_TEXT. */
void fields_doc_markdown(struct buf *b);

/* Append the ECS mapping table of doc/ecs.md: one markdown row per ECS
 * field (constants, then the entries with an ECS name), then one per
 * entry that stays under "nflog". */
void fields_doc_ecs(struct buf *b);

#endif
