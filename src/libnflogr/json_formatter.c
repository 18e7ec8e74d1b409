/* json_formatter.c - JSON objects from a plan made once per record shape.
 *
 * A layout, made from fields_table[] when the formatter is made, lists the
 * members of the object in order: for schema nflogd the table itself (the
 * "inner" object opening and closing around its children), for ECS the
 * table's ECS names arranged as nested objects. Walking the layout for one
 * record writes its JSON (json_formatter_reference() for ECS does just
 * that). The first record of a shape walks it once more in "plan" mode:
 * the keys, braces, quotes and nulls go into the plan's literal text and
 * each value the record has becomes an op, so that every later record of
 * that shape is the literal text with the values written in between. The
 * shape (field_shape()) decides which fields are there, so the literal
 * text is the same for all of them.
 */
#include "json_formatter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "json_values.h"
#include "shape_cache.h"

#define JSON_PLANS SHAPE_CACHE_SLOTS /* 32 shapes kept at once */
#define JSON_DEPTH 8		     /* objects nested in a layout, the record's own included */
#define ECS_NAME_MAX 64

/* How a field's value is written. */
enum json_value {
	JV_RAW,	      /* the field's text as is: numbers, booleans */
	JV_QUOTED,    /* the text in quotes: strings, hex; numbers as ECS keywords */
	JV_TEXT,      /* untrusted bytes, escaped; "<name>_hex" after when not UTF-8 */
	JV_FLAGS,     /* space-separated words as an array of strings */
	JV_MAC,	      /* quoted, as ECS writes MAC addresses: AA-BB-CC-DD-EE-FF */
	JV_TRANSPORT, /* quoted, the IANA protocol keyword in lowercase */
};

enum lay_kind {
	LAY_FIELD, /* a member whose value a field gives */
	LAY_CONST, /* a member whose value is fixed text */
	LAY_OPEN,  /* a member that is an object: the steps up to its LAY_CLOSE */
	LAY_CLOSE,
};

/* One step of a layout. */
struct lay {
	enum lay_kind kind;
	enum json_value value; /* LAY_FIELD */
	const char *name;      /* member name, name_len bytes (not NUL-terminated) */
	size_t name_len;       /* (LAY_CLOSE: 0) */
	const struct field *f; /* LAY_FIELD; LAY_OPEN: the FIELD_OBJECT saying whether the
				  object is there, or NULL (there when a member is) */
	const char *json;      /* LAY_CONST: the value */
	size_t close;	       /* LAY_OPEN: index of its LAY_CLOSE */
};

/* A value of a plan, and the literal text before it. */
struct json_op {
	uint32_t lit_end; /* in the plan's text, where the literal ends */
	uint32_t lit_len;
	const char *lit; /* set once the plan's text is complete */
	uint32_t lay;	 /* the LAY_FIELD that writes the value */
	/* the field's reader when the value is its text alone (JV_RAW,
	 * JV_QUOTED: most values), called straight; else NULL */
	bool (*put)(struct buf *b, const struct field_src *s);
};

/* Bytes a literal copy may read and write beyond the literal's end. */
#define LIT_SLACK 32

/* What every record of one shape shares. */
struct plan {
	size_t n_ops;
	struct json_op *ops; /* room for every LAY_FIELD, and the last literal */
	struct buf lit;	     /* the literal text, values left out */
};

struct json_formatter {
	struct json_options opts;
	bool null_keys; /* null for absent nullable fields (never with ECS) */
	struct lay *lay;
	size_t n_lay, n_fields;
	char *names; /* ECS: the "nflog.<key>" names the layout points into */
	struct plan plans[JSON_PLANS];
	struct shape_cache shapes; /* which plan is made for which shape */
	struct buf probe;	   /* presence checks while a plan is made */
};

/* ---- values ---- */

static enum json_value native_value(const struct field *f)
{
	switch (f->type) {
	case FIELD_INT:
	case FIELD_BOOL: return JV_RAW;
	case FIELD_TEXT: return JV_TEXT;
	case FIELD_FLAGS: return JV_FLAGS;
	case FIELD_STRING:
	case FIELD_HEX:
	case FIELD_OBJECT: break;
	}
	return JV_QUOTED;
}

static enum json_value ecs_value(const struct field *f)
{
	switch (f->ecs_type) {
	case ECS_MAC: return JV_MAC;
	case ECS_TRANSPORT: return JV_TRANSPORT;
	case ECS_KEYWORD: return f->type == FIELD_INT ? JV_QUOTED : native_value(f);
	case ECS_NONE:
	case ECS_DATE:
	case ECS_IP:
	case ECS_LONG: break;
	}
	return native_value(f);
}

static bool value_is_quoted(enum json_value v)
{
	return v == JV_QUOTED || v == JV_MAC || v == JV_TRANSPORT;
}

/* aa:bb:cc:dd:ee:ff from mark on, as AA-BB-CC-DD-EE-FF. */
static void ecs_mac(struct buf *b, size_t mark)
{
	for (size_t i = mark; i < b->len; i++) {
		char c = b->data[i];
		b->data[i] = c == ':' ? '-' : (c >= 'a' && c <= 'f') ? (char)(c - 'a' + 'A') : c;
	}
}

/* The kernel's protocol name from mark on as the IANA keyword in
 * lowercase: TCP -> tcp, ICMPv6 -> ipv6-icmp; a number stays. */
static void ecs_transport(struct buf *b, size_t mark)
{
	for (size_t i = mark; i < b->len; i++)
		if (b->data[i] >= 'A' && b->data[i] <= 'Z')
			b->data[i] = (char)(b->data[i] - 'A' + 'a');
	if (b->len - mark == 6 && memcmp(b->data + mark, "icmpv6", 6) == 0) {
		buf_truncate(b, mark);
		buf_putlit(b, "ipv6-icmp");
	}
}

/* Write the value of a present field (the quotes of a quoted one aside). */
static void run_value(const struct lay *l, struct buf *b, const struct field_src *s)
{
	size_t mark = b->len;
	switch (l->value) {
	case JV_RAW:
	case JV_QUOTED: l->f->put(b, s); return;
	case JV_TEXT: json_text_value(b, l->f, s, l->name, l->name_len); return;
	case JV_FLAGS: json_flags_value(b, l->f, s); return;
	case JV_MAC:
		l->f->put(b, s);
		ecs_mac(b, mark);
		return;
	case JV_TRANSPORT:
		l->f->put(b, s);
		ecs_transport(b, mark);
		return;
	}
}

/* ---- the walk over a layout ---- */

struct walk {
	const struct json_formatter *jf;
	const struct field_src *s;
	unsigned layers;   /* field_layers(s) */
	struct buf *b;	   /* the output, or the literal text of the plan being made */
	struct plan *plan; /* making a plan: values become ops; NULL: write them */
	struct buf *probe; /* scratch for presence checks */
};

/* An object being written: where its member began, members so far. */
struct level {
	size_t mark;
	unsigned members;
};

/* Does the record have f's value? */
static bool present(const struct walk *w, const struct field *f)
{
	if (!(w->layers & f->layer))
		return false;
	if (f->type == FIELD_TEXT) {
		size_t n;
		return f->text(w->s, &n) != NULL;
	}
	buf_reset(w->probe);
	return f->put(w->probe, w->s);
}

static void member_name(struct walk *w, struct level *lv, const char *name, size_t len)
{
	if (lv->members++)
		buf_putc(w->b, ',');
	buf_putc(w->b, '"');
	buf_put(w->b, name, len);
	buf_putlit(w->b, "\":");
}

/* Making a plan: the value of layout step i comes after lit_end bytes. */
static void add_op(struct plan *p, size_t lit_end, size_t i, const struct lay *l)
{
	struct json_op *op = &p->ops[p->n_ops++];
	op->lit_end = (uint32_t)lit_end;
	op->lay = (uint32_t)i;
	op->put = NULL;
	if (l->value == JV_RAW || l->value == JV_QUOTED)
		op->put = l->f->value ? l->f->value : l->f->put;
}

static void field_member(struct walk *w, struct level *lv, size_t i)
{
	const struct lay *l = &w->jf->lay[i];
	if (!present(w, l->f)) {
		if (l->f->presence == FIELD_NULLABLE && w->jf->null_keys) {
			member_name(w, lv, l->name, l->name_len);
			buf_putlit(w->b, "null");
		}
		return;
	}
	member_name(w, lv, l->name, l->name_len);
	bool quoted = value_is_quoted(l->value);
	if (quoted)
		buf_putc(w->b, '"');
	if (w->plan)
		add_op(w->plan, w->b->len, i, l);
	else
		run_value(l, w->b, w->s);
	if (quoted)
		buf_putc(w->b, '"');
}

/* The object: its members in layout order; an object none of whose
 * members is there is left out, name and all. */
static void walk(struct walk *w)
{
	const struct json_formatter *jf = w->jf;
	struct level stack[JSON_DEPTH] = { { w->b->len, 0 } };
	size_t depth = 0;
	buf_putc(w->b, '{');
	for (size_t i = 0; i < jf->n_lay; i++) {
		const struct lay *l = &jf->lay[i];
		struct level *lv = &stack[depth];
		switch (l->kind) {
		case LAY_FIELD: field_member(w, lv, i); break;
		case LAY_CONST:
			member_name(w, lv, l->name, l->name_len);
			buf_puts(w->b, l->json);
			break;
		case LAY_OPEN:
			if (l->f && !present(w, l->f)) {
				i = l->close;
				break;
			}
			stack[++depth] = (struct level){ w->b->len, 0 };
			member_name(w, lv, l->name, l->name_len);
			buf_putc(w->b, '{');
			break;
		case LAY_CLOSE:
			if (lv->members) {
				buf_putc(w->b, '}');
			} else {
				buf_truncate(w->b, lv->mark);
				stack[depth - 1].members--;
			}
			depth--;
			break;
		}
	}
	buf_putc(w->b, '}');
}

/* ---- layouts ---- */

/* Room for the steps of either layout: every entry, the ECS constants, an
 * open and a close per object. */
static size_t lay_room(void) { return 3 * (fields_count + fields_ecs_consts_count) + 4; }

static struct lay *lay_add(struct json_formatter *jf, enum lay_kind kind, const char *name,
			   size_t name_len)
{
	struct lay *l = &jf->lay[jf->n_lay++];
	*l = (struct lay){ .kind = kind, .name = name, .name_len = name_len };
	return l;
}

static void lay_field(struct json_formatter *jf, const struct field *f, const char *name,
		      size_t name_len, enum json_value value)
{
	struct lay *l = lay_add(jf, LAY_FIELD, name, name_len);
	l->f = f;
	l->value = value;
	jf->n_fields++;
}

static bool left_out(const struct json_formatter *jf, const struct field *f)
{
	return !jf->opts.payload && !f->parent && strcmp(f->key, "payload") == 0;
}

/* Schema nflogd: the table in its order, "inner" around its children. */
static void lay_native(struct json_formatter *jf)
{
	size_t open = 0;
	for (size_t i = 0; i < fields_count; i++) {
		const struct field *f = &fields_table[i];
		if (open && !f->parent) {
			jf->lay[open].close = jf->n_lay;
			lay_add(jf, LAY_CLOSE, NULL, 0);
			open = 0;
		}
		if (left_out(jf, f))
			continue;
		if (f->type == FIELD_OBJECT) {
			open = jf->n_lay;
			lay_add(jf, LAY_OPEN, f->key, strlen(f->key))->f = f;
			continue;
		}
		lay_field(jf, f, f->key, strlen(f->key), native_value(f));
	}
	if (open) {
		jf->lay[open].close = jf->n_lay;
		lay_add(jf, LAY_CLOSE, NULL, 0);
	}
}

/* Schema ECS: a tree of the dotted names, members in the order their
 * names first appear: the fields ECS names, the constants, then
 * everything else under "nflog". */
struct ecs_node {
	const char *name;
	size_t name_len;
	int first, last, next;		 /* children, in order; -1: none */
	const struct field *f;		 /* a leaf's field, or NULL */
	const struct field_ecs_const *c; /* a leaf's constant, or NULL */
};

struct ecs_tree {
	struct ecs_node *n;
	size_t count, room;
};

/* The child of parent called name, made when missing; -1 on a clash
 * (a leaf where an object must be, or a name taken twice). */
static int ecs_child(struct ecs_tree *t, int parent, const char *name, size_t len, bool leaf)
{
	for (int c = t->n[parent].first; c >= 0; c = t->n[c].next) {
		const struct ecs_node *n = &t->n[c];
		if (n->name_len == len && memcmp(n->name, name, len) == 0)
			return leaf || n->f || n->c ? -1 : c;
	}
	if (t->count == t->room)
		return -1;
	int c = (int)t->count++;
	t->n[c] =
	    (struct ecs_node){ .name = name, .name_len = len, .first = -1, .last = -1, .next = -1 };
	if (t->n[parent].last >= 0)
		t->n[t->n[parent].last].next = c;
	else
		t->n[parent].first = c;
	t->n[parent].last = c;
	return c;
}

/* Insert a dotted path; the leaf's node, or -1 on a clash. */
static int ecs_insert(struct ecs_tree *t, const char *path)
{
	int node = 0;
	for (const char *p = path;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		node = ecs_child(t, node, p, len, !dot);
		if (node < 0 || !dot)
			return node;
		p = dot + 1;
	}
}

/* Depth-first into the layout; false when nested too deep. */
static bool ecs_flatten(struct json_formatter *jf, const struct ecs_tree *t, int node, size_t depth)
{
	for (int c = t->n[node].first; c >= 0; c = t->n[c].next) {
		const struct ecs_node *n = &t->n[c];
		if (n->f) {
			lay_field(jf, n->f, n->name, n->name_len, ecs_value(n->f));
		} else if (n->c) {
			lay_add(jf, LAY_CONST, n->name, n->name_len)->json = n->c->json;
		} else {
			if (depth + 1 >= JSON_DEPTH)
				return false;
			size_t open = jf->n_lay;
			lay_add(jf, LAY_OPEN, n->name, n->name_len);
			if (!ecs_flatten(jf, t, c, depth + 1))
				return false;
			jf->lay[open].close = jf->n_lay;
			lay_add(jf, LAY_CLOSE, NULL, 0);
		}
	}
	return true;
}

/* "nflog.<key>" or "nflog.<parent>.<key>" into jf->names, slot i. */
static const char *ecs_own_name(struct json_formatter *jf, size_t i, const struct field *f)
{
	char *name = jf->names + i * ECS_NAME_MAX;
	int n = snprintf(name, ECS_NAME_MAX, "%s.%s%s%s", FIELD_ECS_NAMESPACE,
			 f->parent ? f->parent : "", f->parent ? "." : "", f->key);
	return n > 0 && n < ECS_NAME_MAX ? name : NULL;
}

static bool ecs_insert_field(struct json_formatter *jf, struct ecs_tree *t, size_t i)
{
	const struct field *f = &fields_table[i];
	const char *name = f->ecs ? f->ecs : ecs_own_name(jf, i, f);
	int leaf = name ? ecs_insert(t, name) : -1;
	if (leaf < 0)
		return false;
	t->n[leaf].f = f;
	return true;
}

static bool lay_ecs(struct json_formatter *jf)
{
	struct ecs_tree t = { .room = lay_room() };
	jf->names = calloc(fields_count, ECS_NAME_MAX);
	t.n = calloc(t.room, sizeof *t.n);
	bool ok = jf->names && t.n;
	if (ok)
		t.n[t.count++] = (struct ecs_node){ .first = -1, .last = -1, .next = -1 };
	for (int pass = 0; ok && pass < 3; pass++) {
		for (size_t i = 0; ok && pass == 1 && i < fields_ecs_consts_count; i++) {
			int leaf = ecs_insert(&t, fields_ecs_consts[i].ecs);
			ok = leaf >= 0;
			if (ok)
				t.n[leaf].c = &fields_ecs_consts[i];
		}
		for (size_t i = 0; ok && pass != 1 && i < fields_count; i++) {
			const struct field *f = &fields_table[i];
			if (f->type != FIELD_OBJECT && !left_out(jf, f) && !f->ecs == (pass == 2))
				ok = ecs_insert_field(jf, &t, i);
		}
	}
	ok = ok && ecs_flatten(jf, &t, 0, 0);
	free(t.n);
	return ok;
}

/* ---- plans ---- */

/* The plan for s's shape, made now if it is not kept; NULL when out of
 * memory. */
static const struct plan *plan_for(struct json_formatter *jf, const struct field_src *s)
{
	uint64_t shape = field_shape(s);
	bool made;
	size_t slot = shape_cache_slot(&jf->shapes, shape, &made);
	struct plan *p = &jf->plans[slot];
	if (made)
		return p;
	buf_reset(&p->lit);
	buf_reset(&jf->probe);
	p->n_ops = 0;
	struct walk w = { .jf = jf,
			  .s = s,
			  .layers = field_layers(s),
			  .b = &p->lit,
			  .plan = p,
			  .probe = &jf->probe };
	walk(&w);
	buf_reserve(&p->lit, LIT_SLACK); /* what put_literal() reads past the end */
	bool ok = buf_ok(&p->lit) && buf_ok(&jf->probe) && p->lit.len <= UINT32_MAX;
	shape_cache_made(&jf->shapes, slot, shape, ok);
	if (!ok)
		return NULL;
	/* the text is complete (no more realloc): point each op at its literal;
	 * a last op with no value holds the text after the last value */
	p->ops[p->n_ops] = (struct json_op){ .lit_end = (uint32_t)p->lit.len };
	for (size_t i = 0, at = 0; i <= p->n_ops; at = p->ops[i++].lit_end) {
		p->ops[i].lit = p->lit.data + at;
		p->ops[i].lit_len = (uint32_t)(p->ops[i].lit_end - at);
	}
	return p;
}

/* Append n bytes of a plan's literal text in 32-byte copies, which may
 * read and write up to LIT_SLACK bytes beyond: the plan's text has that
 * much room after its end, and so does b after the reserve. (A memcpy
 * call per literal cost more than the copy; most literals are a key and
 * its quotes, under 32 bytes.) */
static inline void put_literal(struct buf *b, const char *p, size_t n)
{
	if (!buf_reserve(b, n + LIT_SLACK))
		return;
	char *o = b->data + b->len;
	memcpy(o, p, 32);
	for (size_t i = 32; i < n; i += 32)
		memcpy(o + i, p + i, 32);
	b->len += n;
}

/* The literal text with the record's values in between. */
static void replay(const struct json_formatter *jf, const struct plan *p, struct buf *b,
		   const struct field_src *s)
{
	const struct json_op *op = p->ops, *end = p->ops + p->n_ops;
	for (; op < end; op++) {
		put_literal(b, op->lit, op->lit_len);
		if (op->put)
			op->put(b, s);
		else
			run_value(&jf->lay[op->lay], b, s);
	}
	put_literal(b, end->lit, end->lit_len);
}

void json_formatter_write(struct json_formatter *jf, struct buf *b, const struct nflogd_record *rec,
			  const struct nflogd_decoded *dec)
{
	const struct field_src s = { .rec = rec, .dec = dec };
	const struct plan *p = plan_for(jf, &s);
	if (p)
		replay(jf, p, b, &s);
	else
		json_formatter_reference(jf, b, rec, dec);
}

void json_formatter_reference(const struct json_formatter *jf, struct buf *b,
			      const struct nflogd_record *rec, const struct nflogd_decoded *dec)
{
	if (jf->opts.schema == JSON_SCHEMA_NFLOGD) {
		format_json_walk(b, rec, dec, &jf->opts);
		return;
	}
	const struct field_src s = { .rec = rec, .dec = dec };
	struct buf probe;
	buf_init(&probe);
	struct walk w = { .jf = jf, .s = &s, .layers = field_layers(&s), .b = b, .probe = &probe };
	walk(&w);
	buf_free(&probe);
}

/* ---- the formatter ---- */

struct json_formatter *json_formatter_new(const struct json_options *opts)
{
	struct json_formatter *jf = calloc(1, sizeof *jf);
	if (!jf)
		return NULL;
	jf->opts = *opts;
	jf->null_keys = opts->null_keys && opts->schema != JSON_SCHEMA_ECS;
	buf_init(&jf->probe);
	bool ok = (jf->lay = calloc(lay_room(), sizeof *jf->lay)) != NULL;
	if (ok && opts->schema == JSON_SCHEMA_ECS)
		ok = lay_ecs(jf);
	else if (ok)
		lay_native(jf);
	for (size_t i = 0; ok && i < JSON_PLANS; i++) {
		buf_init(&jf->plans[i].lit);
		ok = (jf->plans[i].ops = calloc(jf->n_fields + 2, sizeof(struct json_op))) != NULL;
	}
	if (!ok) {
		json_formatter_free(jf);
		return NULL;
	}
	return jf;
}

void json_formatter_free(struct json_formatter *jf)
{
	if (!jf)
		return;
	for (size_t i = 0; i < JSON_PLANS; i++) {
		free(jf->plans[i].ops);
		buf_free(&jf->plans[i].lit);
	}
	buf_free(&jf->probe);
	free(jf->names);
	free(jf->lay);
	free(jf);
}
