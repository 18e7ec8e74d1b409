/* nflogdata_object.c - nflogr.NflogData: one record, read-only.
 *
 * The object holds a copy of the library's record inside its own memory
 * (one allocation per record: the record and its byte fields) and makes
 * each attribute's Python value when it is read. Iterating it yields
 * (name, value) for nflogr's 14 attributes, so dict(data) has exactly
 * those keys; everything else (seq, hook, ..., decode()) is extra.
 */
#include <stdalign.h>
#include <stddef.h>

#include "nflogr_py.h"

typedef struct {
	PyObject_VAR_HEAD struct nflogr_record *rec; /* in mem */
	alignas(16) unsigned char mem[];
} NflogDataObject;

#define REC(o) (((NflogDataObject *)(o))->rec)

PyObject *nflogdata_new(const struct nflogr_record *rec)
{
	size_t size = nflogr_record_copy_size(rec);
	NflogDataObject *d = PyObject_NewVar(NflogDataObject, &NflogData_Type, (Py_ssize_t)size);
	if (!d)
		return NULL;
	d->rec = nflogr_record_copy(rec, d->mem, size);
	if (!d->rec) { /* cannot happen: mem is big enough and aligned */
		Py_DECREF(d);
		return PyErr_Format(PyExc_SystemError, "nflogr_record_copy refused its memory");
	}
	return (PyObject *)d;
}

static void nflogdata_dealloc(PyObject *self) { PyObject_Free(self); }

PyObject *nflogr_text_to_str(const char *p, Py_ssize_t len, int *was_valid)
{
	PyObject *s = PyUnicode_DecodeUTF8(p, len, NULL);
	if (was_valid)
		*was_valid = s != NULL;
	if (s || !PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
		return s;
	PyErr_Clear();
	/* surrogateescape makes one U+DC80..U+DCFF per bad byte: U+FFFD each */
	PyObject *esc = PyUnicode_DecodeUTF8(p, len, "surrogateescape");
	if (!esc)
		return NULL;
	Py_ssize_t n = PyUnicode_GET_LENGTH(esc);
	Py_UCS4 max = PyUnicode_MAX_CHAR_VALUE(esc);
	s = PyUnicode_New(n, max > 0xfffd ? max : 0xfffd);
	for (Py_ssize_t i = 0; s && i < n; i++) {
		Py_UCS4 c = PyUnicode_READ_CHAR(esc, i);
		PyUnicode_WRITE(PyUnicode_KIND(s), PyUnicode_DATA(s), i,
				c >= 0xdc80 && c <= 0xdcff ? 0xfffd : c);
	}
	Py_DECREF(esc);
	return s;
}

/* ---- nflogr's 14 attributes ---- */

/* An int that nflogr reports as 0 when the kernel did not send it. */
#define INT_OR_ZERO(fn, type, accessor)                                                            \
	static PyObject *fn(PyObject *self, void *closure)                                         \
	{                                                                                          \
		(void)closure;                                                                     \
		type v = 0;                                                                        \
		accessor(REC(self), &v);                                                           \
		return PyLong_FromUnsignedLong(v);                                                 \
	}

/* An int, or None when the kernel did not send it. */
#define INT_OR_NONE(fn, type, accessor)                                                            \
	static PyObject *fn(PyObject *self, void *closure)                                         \
	{                                                                                          \
		(void)closure;                                                                     \
		type v;                                                                            \
		if (!accessor(REC(self), &v))                                                      \
			Py_RETURN_NONE;                                                            \
		return PyLong_FromUnsignedLong(v);                                                 \
	}

/* bytes, or None when the kernel did not send them. */
#define BYTES_OR_NONE(fn, accessor)                                                                \
	static PyObject *fn(PyObject *self, void *closure)                                         \
	{                                                                                          \
		(void)closure;                                                                     \
		size_t len;                                                                        \
		const void *p = accessor(REC(self), &len);                                         \
		if (!p)                                                                            \
			Py_RETURN_NONE;                                                            \
		return PyBytes_FromStringAndSize(p, (Py_ssize_t)len);                              \
	}

/* An interface name (str, as the os module decodes names), or None. */
#define IFNAME(fn, dev)                                                                            \
	static PyObject *fn(PyObject *self, void *closure)                                         \
	{                                                                                          \
		(void)closure;                                                                     \
		const char *name = nflogr_record_ifname(REC(self), dev);                           \
		if (!name)                                                                         \
			Py_RETURN_NONE;                                                            \
		return PyUnicode_DecodeFSDefault(name);                                            \
	}

/* An interface index (int), or None when the record names none. */
#define IFINDEX(fn, dev)                                                                           \
	static PyObject *fn(PyObject *self, void *closure)                                         \
	{                                                                                          \
		(void)closure;                                                                     \
		uint32_t index = nflogr_record_ifindex(REC(self), dev);                            \
		if (!index)                                                                        \
			Py_RETURN_NONE;                                                            \
		return PyLong_FromUnsignedLong(index);                                             \
	}

INT_OR_ZERO(get_proto, uint16_t, nflogr_record_proto)
INT_OR_ZERO(get_hwtype, uint16_t, nflogr_record_hwtype)
INT_OR_ZERO(get_nfmark, uint32_t, nflogr_record_mark)
IFNAME(get_indev, NFLOGR_INDEV)
IFNAME(get_physindev, NFLOGR_PHYSINDEV)
IFNAME(get_outdev, NFLOGR_OUTDEV)
IFNAME(get_physoutdev, NFLOGR_PHYSOUTDEV)
INT_OR_NONE(get_uid, uint32_t, nflogr_record_uid)
INT_OR_NONE(get_gid, uint32_t, nflogr_record_gid)
BYTES_OR_NONE(get_hwaddr, nflogr_record_hwaddr)
BYTES_OR_NONE(get_hwhdr, nflogr_record_hwhdr)
BYTES_OR_NONE(get_payload, nflogr_record_payload)

static PyObject *get_timestamp(PyObject *self, void *closure)
{
	(void)closure;
	struct timeval tv;
	nflogr_record_timestamp(REC(self), &tv);
	return PyFloat_FromDouble((double)tv.tv_sec + (double)tv.tv_usec / 1e6);
}

static PyObject *get_prefix(PyObject *self, void *closure)
{
	(void)closure;
	size_t len;
	const char *p = nflogr_record_prefix(REC(self), &len);
	return nflogr_text_to_str(p ? p : "", (Py_ssize_t)len, NULL);
}

/* ---- beyond nflogr ---- */

static PyObject *get_prefix_bytes(PyObject *self, void *closure)
{
	(void)closure;
	size_t len;
	const char *p = nflogr_record_prefix(REC(self), &len);
	return PyBytes_FromStringAndSize(p ? p : "", (Py_ssize_t)len);
}

INT_OR_NONE(get_seq, uint32_t, nflogr_record_seq)
INT_OR_NONE(get_seq_global, uint32_t, nflogr_record_seq_global)
INT_OR_NONE(get_ct_info, uint32_t, nflogr_record_ct_info)
IFINDEX(get_indev_index, NFLOGR_INDEV)
IFINDEX(get_physindev_index, NFLOGR_PHYSINDEV)
IFINDEX(get_outdev_index, NFLOGR_OUTDEV)
IFINDEX(get_physoutdev_index, NFLOGR_PHYSOUTDEV)

static PyObject *get_group(PyObject *self, void *closure)
{
	(void)closure;
	return PyLong_FromLong(nflogr_record_group(REC(self)));
}

static PyObject *get_hook(PyObject *self, void *closure)
{
	(void)closure;
	int hook = nflogr_record_hook(REC(self));
	if (hook < 0)
		Py_RETURN_NONE;
	return PyLong_FromLong(hook);
}

static PyObject *str_or_none(const char *s)
{
	if (!s)
		Py_RETURN_NONE;
	return PyUnicode_FromString(s);
}

static PyObject *get_hook_name(PyObject *self, void *closure)
{
	(void)closure;
	return str_or_none(nflogr_record_hook_name(REC(self)));
}

static PyObject *get_family(PyObject *self, void *closure)
{
	(void)closure;
	return PyLong_FromLong(nflogr_record_family(REC(self)));
}

static PyObject *get_family_name(PyObject *self, void *closure)
{
	(void)closure;
	return str_or_none(nflogr_record_family_name(REC(self)));
}

static PyObject *get_timestamp_from_kernel(PyObject *self, void *closure)
{
	(void)closure;
	struct timeval tv;
	return PyBool_FromLong(nflogr_record_timestamp(REC(self), &tv));
}

/* nflogr's 14 first, in nflogr's order: iteration walks these. */
#define NFLOGR_ATTRS 14

static PyGetSetDef nflogdata_getset[] = {
	{ "proto", get_proto, NULL, PyDoc_STR("Layer 3 protocol (EtherType) of the packet (int)"),
	  NULL },
	{ "hwtype", get_hwtype, NULL, PyDoc_STR("Hardware type identifier (int, see if_arp.h)"),
	  NULL },
	{ "nfmark", get_nfmark, NULL, PyDoc_STR("Netfilter packet mark value (int)"), NULL },
	{ "timestamp", get_timestamp, NULL,
	  PyDoc_STR("When the packet was logged (float, seconds since the epoch); the receive "
		    "time when the kernel sent none (output, postrouting: see "
		    "timestamp_from_kernel)"),
	  NULL },
	{ "indev", get_indev, NULL,
	  PyDoc_STR("Name of the logical interface the packet was received on (str), or None"),
	  NULL },
	{ "physindev", get_physindev, NULL,
	  PyDoc_STR("Name of the physical interface the packet was received on (str), or None"),
	  NULL },
	{ "outdev", get_outdev, NULL,
	  PyDoc_STR("Name of the logical interface the packet will be sent on (str), or None"),
	  NULL },
	{ "physoutdev", get_physoutdev, NULL,
	  PyDoc_STR("Name of the physical interface the packet will be sent on (str), or None"),
	  NULL },
	{ "uid", get_uid, NULL,
	  PyDoc_STR("User id of the local socket that sent the packet (int), or None"), NULL },
	{ "gid", get_gid, NULL,
	  PyDoc_STR("Group id of the local socket that sent the packet (int), or None"), NULL },
	{ "hwaddr", get_hwaddr, NULL, PyDoc_STR("Layer 2 source address (bytes), or None"), NULL },
	{ "hwhdr", get_hwhdr, NULL, PyDoc_STR("Layer 2 packet header (bytes), or None"), NULL },
	{ "payload", get_payload, NULL, PyDoc_STR("Layer 3 packet data (bytes), or None"), NULL },
	{ "prefix", get_prefix, NULL,
	  PyDoc_STR("The rule's log prefix (str; bytes that are not UTF-8 become U+FFFD, the "
		    "exact bytes are in prefix_bytes)"),
	  NULL },
	{ "prefix_bytes", get_prefix_bytes, NULL, PyDoc_STR("The log prefix, exactly (bytes)"),
	  NULL },
	{ "group", get_group, NULL, PyDoc_STR("The NFLOG group (int)"), NULL },
	{ "seq", get_seq, NULL, PyDoc_STR("Sequence number in the group (int; FLAG_SEQ), or None"),
	  NULL },
	{ "seq_global", get_seq_global, NULL,
	  PyDoc_STR("Sequence number across groups (int; FLAG_SEQ_GLOBAL), or None"), NULL },
	{ "hook", get_hook, NULL,
	  PyDoc_STR("Netfilter hook number (int: 0 prerouting, 1 input, 2 forward, 3 output, "
		    "4 postrouting), or None"),
	  NULL },
	{ "hook_name", get_hook_name, NULL, PyDoc_STR("The hook's name (str), or None"), NULL },
	{ "family", get_family, NULL,
	  PyDoc_STR("Protocol family (int: 2 ipv4, 10 ipv6, 7 bridge, 3 arp, 5 netdev)"), NULL },
	{ "family_name", get_family_name, NULL, PyDoc_STR("The family's name (str), or None"),
	  NULL },
	{ "indev_index", get_indev_index, NULL, PyDoc_STR("indev's interface index, or None"),
	  NULL },
	{ "physindev_index", get_physindev_index, NULL,
	  PyDoc_STR("physindev's interface index, or None"), NULL },
	{ "outdev_index", get_outdev_index, NULL, PyDoc_STR("outdev's interface index, or None"),
	  NULL },
	{ "physoutdev_index", get_physoutdev_index, NULL,
	  PyDoc_STR("physoutdev's interface index, or None"), NULL },
	{ "ct_info", get_ct_info, NULL,
	  PyDoc_STR("Conntrack state (int, enum ip_conntrack_info; FLAG_CONNTRACK), or None"),
	  NULL },
	{ "timestamp_from_kernel", get_timestamp_from_kernel, NULL,
	  PyDoc_STR("True when timestamp is the kernel's, False when it is the receive time"),
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- text(), json(), decode() ---- */

/* str of a library formatter's snprintf-like output for the record. */
static PyObject *format_record(PyObject *self, unsigned log_flags, bool json)
{
	char small[1024];
	char *buf = small;
	long n = json ? nflogr_record_json(REC(self), small, sizeof small)
		      : nflogr_record_text(REC(self), log_flags, small, sizeof small);
	if (n >= (long)sizeof small) {
		if (!(buf = PyMem_Malloc((size_t)n + 1)))
			return PyErr_NoMemory();
		n = json ? nflogr_record_json(REC(self), buf, (size_t)n + 1)
			 : nflogr_record_text(REC(self), log_flags, buf, (size_t)n + 1);
	}
	PyObject *s = n < 0 ? PyErr_NoMemory() : nflogr_text_to_str(buf, n, NULL);
	if (buf != small)
		PyMem_Free(buf);
	return s;
}

/* log_flags: an int of LOG_* bits, one nft word, or an iterable of words. */
static int parse_log_flags(PyObject *arg, unsigned *flags)
{
	*flags = 0;
	if (PyLong_Check(arg)) {
		long v = PyLong_AsLong(arg);
		if (v == -1 && PyErr_Occurred())
			return -1;
		*flags = (unsigned)v & NFLOGR_LOG_ALL;
		return 0;
	}
	PyObject *words = PyUnicode_Check(arg) ? PyTuple_Pack(1, arg) : PySequence_Tuple(arg);
	if (!words)
		return -1;
	for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(words); i++) {
		const char *w = PyUnicode_AsUTF8(PyTuple_GET_ITEM(words, i));
		int bit = w ? nflogr_log_flag(w) : -1;
		if (bit < 0) {
			if (w)
				PyErr_Format(
				    PyExc_ValueError,
				    "unknown log flag %R: use \"tcp sequence\", \"tcp "
				    "options\", \"ip options\", \"skuid\", \"ether\" or \"all\"",
				    PyTuple_GET_ITEM(words, i));
			Py_DECREF(words);
			return -1;
		}
		*flags |= (unsigned)bit;
	}
	Py_DECREF(words);
	return 0;
}

PyDoc_STRVAR(text_doc,
	     "text($self, /, log_flags=())\n--\n\n"
	     "The line the kernel's LOG target prints for this packet, as nflogd's text\n"
	     "format writes it after its timestamp (\"<prefix>IN=.. OUT=.. SRC=.. ...\").\n"
	     "log_flags: nft's `log flags` words (\"tcp sequence\", \"tcp options\",\n"
	     "\"ip options\", \"skuid\", \"ether\", \"all\"), one word, or LOG_* bits.");

static PyObject *nflogdata_text(PyObject *self, PyObject *args, PyObject *kwargs)
{
	static char *kwlist[] = { "log_flags", NULL };
	PyObject *arg = NULL;
	unsigned flags = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:text", kwlist, &arg))
		return NULL;
	if (arg && parse_log_flags(arg, &flags) < 0)
		return NULL;
	return format_record(self, flags, false);
}

PyDoc_STRVAR(json_doc, "json($self, /)\n--\n\n"
		       "The record as nflogd's JSON output writes it (one object, str).");

static PyObject *nflogdata_json(PyObject *self, PyObject *unused)
{
	(void)unused;
	return format_record(self, 0, true);
}

/* What nflogr_record_fields builds the decode() dict with. */
struct decode_ctx {
	PyObject *top;
	PyObject *objects; /* key of each object -> its dict */
};

/* The Python value of one field's text, as json.loads would give it. */
static PyObject *field_value(PyObject *dict, const char *key, enum nflogr_field_type type,
			     const char *value, size_t len)
{
	if (!value)
		Py_RETURN_NONE;
	switch (type) {
	case NFLOGR_FIELD_INT: return PyLong_FromString(value, NULL, 10);
	case NFLOGR_FIELD_BOOL: return PyBool_FromLong(value[0] == 't');
	case NFLOGR_FIELD_FLAGS: {
		PyObject *s = PyUnicode_DecodeASCII(value, (Py_ssize_t)len, "replace");
		PyObject *list = s && len ? PyUnicode_Split(s, NULL, -1) : s ? PyList_New(0) : NULL;
		Py_XDECREF(s);
		return list;
	}
	case NFLOGR_FIELD_TEXT: {
		int valid;
		PyObject *s = nflogr_text_to_str(value, (Py_ssize_t)len, &valid);
		if (!s || valid)
			return s;
		/* as the JSON output: the raw bytes follow as "<key>_hex" */
		PyObject *hex = PyBytes_FromStringAndSize(value, (Py_ssize_t)len);
		PyObject *hex_str = hex ? PyObject_CallMethod(hex, "hex", NULL) : NULL;
		Py_XDECREF(hex);
		PyObject *hex_key = PyUnicode_FromFormat("%s_hex", key);
		/* inserted after the key itself: the caller adds s, then this */
		int r = hex_str && hex_key ? PyDict_SetItemString(dict, key, s) : -1;
		if (r == 0)
			r = PyDict_SetItem(dict, hex_key, hex_str);
		Py_XDECREF(hex_str);
		Py_XDECREF(hex_key);
		if (r < 0)
			Py_CLEAR(s);
		return s;
	}
	default: return PyUnicode_DecodeASCII(value, (Py_ssize_t)len, "replace");
	}
}

static int decode_field(void *arg, const char *parent, const char *key, enum nflogr_field_type type,
			const char *value, size_t len)
{
	struct decode_ctx *c = arg;
	PyObject *dict = parent ? PyDict_GetItemString(c->objects, parent) : c->top;
	if (!dict)
		return -1;
	PyObject *v =
	    type == NFLOGR_FIELD_OBJECT ? PyDict_New() : field_value(dict, key, type, value, len);
	if (!v)
		return -1;
	int r = PyDict_SetItemString(dict, key, v);
	if (r == 0 && type == NFLOGR_FIELD_OBJECT)
		r = PyDict_SetItemString(c->objects, key, v);
	Py_DECREF(v);
	return r;
}

PyDoc_STRVAR(decode_doc,
	     "decode($self, /)\n--\n\n"
	     "The record's fields as a dict with the keys and values of nflogd's JSON\n"
	     "output: the kernel's attributes and the decoded packet (src, dst, protocol,\n"
	     "spt, dpt, tcp_flags, icmp_type, ...); equal to json.loads(data.json()).");

static PyObject *nflogdata_decode(PyObject *self, PyObject *unused)
{
	(void)unused;
	struct decode_ctx c = { .top = PyDict_New(), .objects = PyDict_New() };
	int r = c.top && c.objects ? nflogr_record_fields(REC(self), decode_field, &c) : -1;
	Py_XDECREF(c.objects);
	if (r != 0) {
		Py_CLEAR(c.top);
		if (!PyErr_Occurred())
			PyErr_NoMemory();
	}
	return c.top;
}

/* ---- repr: what a person looks for first ---- */

struct repr_ctx {
	PyObject *parts; /* list of "key=value" */
};

static int repr_field(void *arg, const char *parent, const char *key, enum nflogr_field_type type,
		      const char *value, size_t len)
{
	static const char *const keys[] = { "src", "dst", "protocol", "spt", "dpt" };
	struct repr_ctx *c = arg;
	(void)type;
	(void)len;
	if (parent || !value)
		return 0;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strcmp(key, keys[i]) != 0)
			continue;
		PyObject *part = PyUnicode_FromFormat("%s=%s", key, value); /* NUL-terminated */
		int r = part ? PyList_Append(c->parts, part) : -1;
		Py_XDECREF(part);
		return r;
	}
	return 0;
}

static PyObject *nflogdata_repr(PyObject *self)
{
	PyObject *prefix = get_prefix(self, NULL);
	const char *hook = nflogr_record_hook_name(REC(self));
	const char *family = nflogr_record_family_name(REC(self));
	struct repr_ctx c = { .parts = PyList_New(0) };
	PyObject *sep = PyUnicode_FromString(" ");
	PyObject *rest = NULL, *repr = NULL;
	if (prefix && c.parts && sep && nflogr_record_fields(REC(self), repr_field, &c) == 0 &&
	    (rest = PyUnicode_Join(sep, c.parts)))
		repr = PyUnicode_FromFormat("<NflogData group=%d hook=%s family=%s prefix=%R %U>",
					    nflogr_record_group(REC(self)), hook ? hook : "?",
					    family ? family : "?", prefix, rest);
	if (!repr && !PyErr_Occurred())
		PyErr_NoMemory();
	Py_XDECREF(prefix);
	Py_XDECREF(c.parts);
	Py_XDECREF(sep);
	Py_XDECREF(rest);
	return repr;
}

/* ---- iteration: (name, value) for nflogr's 14 attributes ---- */

typedef struct {
	PyObject_HEAD PyObject *data;
	int next;
} NflogDataIterObject;

static PyObject *nflogdata_iter(PyObject *self)
{
	NflogDataIterObject *it = PyObject_New(NflogDataIterObject, &NflogDataIter_Type);
	if (!it)
		return NULL;
	it->data = Py_NewRef(self);
	it->next = 0;
	return (PyObject *)it;
}

static void nflogdata_iter_dealloc(NflogDataIterObject *it)
{
	Py_DECREF(it->data);
	PyObject_Free(it);
}

static PyObject *nflogdata_iter_next(NflogDataIterObject *it)
{
	if (it->next >= NFLOGR_ATTRS)
		return NULL;
	const PyGetSetDef *a = &nflogdata_getset[it->next++];
	PyObject *value = a->get(it->data, NULL);
	if (!value)
		return NULL;
	PyObject *pair = Py_BuildValue("(sN)", a->name, value);
	return pair;
}

PyTypeObject NflogDataIter_Type = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "nflogr.NflogDataIter",
	.tp_basicsize = sizeof(NflogDataIterObject),
	.tp_dealloc = (destructor)nflogdata_iter_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = PyDoc_STR("(name, value) pairs of an NflogData's nflogr attributes."),
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)nflogdata_iter_next,
};

static PyMethodDef nflogdata_methods[] = {
	{ "text", (PyCFunction)(void (*)(void))nflogdata_text, METH_VARARGS | METH_KEYWORDS,
	  text_doc },
	{ "json", nflogdata_json, METH_NOARGS, json_doc },
	{ "decode", nflogdata_decode, METH_NOARGS, decode_doc },
	{ NULL, NULL, 0, NULL },
};

PyDoc_STRVAR(nflogdata_doc,
	     "One logged packet (read-only). nflogr's attributes: proto, hwtype, nfmark,\n"
	     "timestamp, indev, physindev, outdev, physoutdev, uid, gid, hwaddr, hwhdr,\n"
	     "payload, prefix; dict(data) gives exactly those. Also: prefix_bytes, group,\n"
	     "seq, seq_global, hook, hook_name, family, family_name, *_index, ct_info,\n"
	     "timestamp_from_kernel, and text(), json(), decode().");

PyTypeObject NflogData_Type = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "nflogr.NflogData",
	.tp_basicsize = offsetof(NflogDataObject, mem),
	.tp_itemsize = 1,
	.tp_dealloc = nflogdata_dealloc,
	.tp_repr = nflogdata_repr,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = nflogdata_doc,
	.tp_iter = nflogdata_iter,
	.tp_methods = nflogdata_methods,
	.tp_getset = nflogdata_getset,
};
