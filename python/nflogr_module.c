/* nflogr_module.c - the nflogr module: open(), its constants and
 * exceptions, as nflogr 0.2.3 documents them, over libnflogr. */
#include "nflogr_py.h"

PyObject *NflogError;
PyObject *NflogRetryError;
PyObject *NflogDroppedError;
PyObject *NflogClosedError;

/* ValueError naming the argument and its range when a setter refused. */
static int check_set(int r, const char *what, const char *range)
{
	if (r == 0)
		return 0;
	PyErr_Format(PyExc_ValueError, "%s must be %s", what, range);
	return -1;
}

/* The netns argument: None, an fd (int) or an object with fileno(). */
static int netns_fd(PyObject *netns, int *fd)
{
	*fd = -1;
	if (netns == Py_None)
		return 0;
	*fd = PyObject_AsFileDescriptor(netns);
	return *fd < 0 ? -1 : 0;
}

/* The arguments of open(), as nflogr names and bounds them. */
struct open_args {
	long long group, qthresh, rcvbuf, nlbuf, enobufs, copymode, flags, copy_range;
	double timeout;
	PyObject *netns;
};

static int fill_options(struct nflogr_options *o, const struct open_args *a)
{
	int fd;
	if (check_set(a->timeout < 0 ? -1 : nflogr_options_set_timeout(o, a->timeout), "timeout",
		      "in range [0, 42949672.95] seconds") ||
	    check_set(a->qthresh < 0 || a->qthresh > 0xffffffffLL
			  ? -1
			  : nflogr_options_set_qthresh(o, (uint32_t)a->qthresh),
		      "qthresh", "in range [0, 4294967295]") ||
	    check_set(a->rcvbuf < 0 ? -1 : nflogr_options_set_rcvbuf(o, (uint64_t)a->rcvbuf),
		      "rcvbuf", "in range [0, 1073741824] bytes") ||
	    check_set(a->nlbuf < 0 || a->nlbuf > 0xffffffffLL
			  ? -1
			  : nflogr_options_set_nlbuf(o, (uint32_t)a->nlbuf),
		      "nlbuf", "0 (the kernel default) or in range [4096, 131072] bytes") ||
	    check_set(a->enobufs < 0 || a->enobufs > 2
			  ? -1
			  : nflogr_options_set_enobufs(o, (enum nflogr_enobufs)a->enobufs),
		      "enobufs", "ENOBUFS_RAISE, ENOBUFS_HANDLE, or ENOBUFS_DISABLE") ||
	    check_set(a->copymode < 0 || a->copymode > 2
			  ? -1
			  : nflogr_options_set_copymode(o, (enum nflogr_copymode)a->copymode),
		      "copymode", "COPY_NONE, COPY_META, or COPY_PACKET") ||
	    check_set(a->flags < 0 || a->flags > 0xffff
			  ? -1
			  : nflogr_options_set_flags(o, (unsigned)a->flags),
		      "flags", "FLAG_SEQ, FLAG_SEQ_GLOBAL and FLAG_CONNTRACK or-ed together") ||
	    check_set(a->copy_range < 0 || a->copy_range > 65535
			  ? -1
			  : nflogr_options_set_copy_range(o, (uint32_t)a->copy_range),
		      "copy_range", "in range [0, 65535] bytes (0: the whole packet)"))
		return -1;
	if (netns_fd(a->netns, &fd) < 0)
		return -1;
	return check_set(nflogr_options_set_netns(o, fd), "netns", "a network namespace fd");
}

/* Bind the group without the GIL (the kernel's ACK may take a while). */
static struct nflogr *bind_group(uint16_t group, const struct nflogr_options *o)
{
	char err[512] = "";
	struct nflogr *h;
	int e;
	Py_BEGIN_ALLOW_THREADS h = nflogr_open(group, o, err, sizeof err);
	e = errno;
	Py_END_ALLOW_THREADS if (h) return h;
	PyObject *exc_args = Py_BuildValue("(is)", e, err);
	if (exc_args) { /* OSError(errno, msg) is PermissionError for EPERM */
		PyErr_SetObject(PyExc_OSError, exc_args);
		Py_DECREF(exc_args);
	}
	return NULL;
}

PyDoc_STRVAR(open_doc,
	     "open($module, /, group, timeout=0.0, qthresh=1, rcvbuf=0, nlbuf=0,\n"
	     "     enobufs=ENOBUFS_RAISE, copymode=COPY_PACKET, *, flags=0, copy_range=0,\n"
	     "     netns=None)\n"
	     "--\n\n"
	     "Open an nflog listener for an NFLOG group (needs root or CAP_NET_ADMIN).\n\n"
	     "group (int): the group number, 0..65535.\n"
	     "timeout (float): seconds (0.01 steps) the kernel waits before it sends\n"
	     "    a batch of records that has not reached qthresh.\n"
	     "qthresh (int): records the kernel batches before it sends them.\n"
	     "rcvbuf (int): socket receive buffer in bytes; 0: the system default.\n"
	     "nlbuf (int): the kernel's batch buffer in bytes; 0: the kernel default\n"
	     "    (one page), else 4096..131072. It leaves rcvbuf alone.\n"
	     "enobufs (int): when the socket overran (the kernel dropped records):\n"
	     "    ENOBUFS_RAISE raises NflogDroppedError once, ENOBUFS_HANDLE counts it\n"
	     "    in drops, ENOBUFS_DISABLE turns the kernel's reports off.\n"
	     "copymode (int): COPY_NONE, COPY_META (no payload) or COPY_PACKET.\n"
	     "flags (int): FLAG_SEQ (sequence numbers: `lost` is exact), FLAG_SEQ_GLOBAL,\n"
	     "    FLAG_CONNTRACK, or-ed together.\n"
	     "copy_range (int): payload bytes copied with COPY_PACKET; 0: the whole packet.\n"
	     "netns: a network namespace (an open file of /run/netns/NAME or an fd) to\n"
	     "    open the group in; interface names are then that namespace's.\n\n"
	     "Returns an Nflog object. Raises ValueError for an argument out of range,\n"
	     "PermissionError when another process holds the group or the capability\n"
	     "is missing (the message says which), OSError for other failures.");

static PyObject *nflogr_open_fn(PyObject *self, PyObject *args, PyObject *kwargs)
{
	static char *kwlist[] = { "group",    "timeout", "qthresh",    "rcvbuf", "nlbuf", "enobufs",
				  "copymode", "flags",	 "copy_range", "netns",	 NULL };
	struct open_args a = { .qthresh = 1,
			       .enobufs = NFLOGR_ENOBUFS_RAISE,
			       .copymode = NFLOGR_COPY_PACKET,
			       .netns = Py_None };
	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "L|dLLLLL$LLO:open", kwlist, &a.group,
					 &a.timeout, &a.qthresh, &a.rcvbuf, &a.nlbuf, &a.enobufs,
					 &a.copymode, &a.flags, &a.copy_range, &a.netns))
		return NULL;
	if (a.group < 0 || a.group > 65535)
		return PyErr_Format(PyExc_ValueError, "group must be in range [0, 65535]");
	struct nflogr_options *o = nflogr_options_new();
	if (!o)
		return PyErr_NoMemory();
	struct nflogr *h = fill_options(o, &a) < 0 ? NULL : bind_group((uint16_t)a.group, o);
	nflogr_options_free(o);
	if (!h)
		return NULL;
	const char *warning = nflogr_warning(h);
	if (warning[0] && PyErr_WarnEx(PyExc_RuntimeWarning, warning, 1) < 0) {
		nflogr_close(h);
		return NULL;
	}
	return nflog_object_new(h, a.copy_range ? (uint32_t)a.copy_range : 65535);
}

static PyMethodDef module_methods[] = {
	{ "open", (PyCFunction)(void (*)(void))nflogr_open_fn, METH_VARARGS | METH_KEYWORDS,
	  open_doc },
	{ NULL, NULL, 0, NULL },
};

PyDoc_STRVAR(module_doc,
	     "Read the packets netfilter logs to an NFLOG group (nftables `log group N`,\n"
	     "iptables -j NFLOG): nflogr's API over libnflogr, the reader of nflogd.\n\n"
	     "    import nflogr\n"
	     "    with nflogr.open(1, flags=nflogr.FLAG_SEQ) as nflog:\n"
	     "        for data in nflog:\n"
	     "            print(data.prefix, data.indev, data.text())\n\n"
	     "open() returns an Nflog object: iterate it, or call next(), queue(), loop().\n"
	     "Each record is an NflogData object with nflogr's 14 attributes (dict(data)\n"
	     "gives exactly those) and more (seq, hook, family, prefix_bytes, ...).\n"
	     "See nflogr(3) for the C library.");

static struct PyModuleDef nflogr_module = {
	PyModuleDef_HEAD_INIT, "nflogr", module_doc, -1, module_methods, NULL, NULL, NULL, NULL,
};

/* Add an exception class to m as nflogr.NAME. */
static PyObject *add_exception(PyObject *m, const char *name, PyObject *base, const char *doc)
{
	char qualified[64];
	snprintf(qualified, sizeof qualified, "nflogr.%s", name);
	PyObject *e = PyErr_NewExceptionWithDoc(qualified, doc, base, NULL);
	if (!e || PyModule_AddObjectRef(m, name, e) < 0)
		return NULL;
	return e;
}

static int add_constants(PyObject *m)
{
	static const struct {
		const char *name;
		long value;
	} constants[] = {
		{ "COPY_NONE", NFLOGR_COPY_NONE },
		{ "COPY_META", NFLOGR_COPY_META },
		{ "COPY_PACKET", NFLOGR_COPY_PACKET },
		{ "ENOBUFS_RAISE", NFLOGR_ENOBUFS_RAISE },
		{ "ENOBUFS_HANDLE", NFLOGR_ENOBUFS_HANDLE },
		{ "ENOBUFS_DISABLE", NFLOGR_ENOBUFS_DISABLE },
		{ "FLAG_SEQ", NFLOGR_FLAG_SEQ },
		{ "FLAG_SEQ_GLOBAL", NFLOGR_FLAG_SEQ_GLOBAL },
		{ "FLAG_CONNTRACK", NFLOGR_FLAG_CONNTRACK },
		{ "LOG_TCPSEQ", NFLOGR_LOG_TCPSEQ },
		{ "LOG_TCPOPT", NFLOGR_LOG_TCPOPT },
		{ "LOG_IPOPT", NFLOGR_LOG_IPOPT },
		{ "LOG_UID", NFLOGR_LOG_UID },
		{ "LOG_MACDECODE", NFLOGR_LOG_MACDECODE },
		{ "LOG_ALL", NFLOGR_LOG_ALL },
	};
	for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++)
		if (PyModule_AddIntConstant(m, constants[i].name, constants[i].value) < 0)
			return -1;
	return PyModule_AddStringConstant(m, "__version__", nflogr_version());
}

static int add_types(PyObject *m)
{
	PyTypeObject *types[] = { &Nflog_Type, &NflogData_Type, &NflogDataIter_Type };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (PyType_Ready(types[i]) < 0)
			return -1;
	if (PyModule_AddObjectRef(m, "Nflog", (PyObject *)&Nflog_Type) < 0 ||
	    PyModule_AddObjectRef(m, "NflogData", (PyObject *)&NflogData_Type) < 0)
		return -1;
	return 0;
}

PyMODINIT_FUNC PyInit_nflogr(void); /* the module's one exported symbol */

PyMODINIT_FUNC PyInit_nflogr(void)
{
	PyObject *m = PyModule_Create(&nflogr_module);
	if (!m)
		return NULL;
	if (!(NflogError = add_exception(m, "NflogError", PyExc_Exception,
					 "Base class of nflogr's errors.")) ||
	    !(NflogRetryError = add_exception(m, "NflogRetryError", NflogError,
					      "Kept for nflogr's API; never raised.")) ||
	    !(NflogDroppedError =
		  add_exception(m, "NflogDroppedError", NflogError,
				"The socket overran and the kernel dropped records (ENOBUFS, "
				"with enobufs=ENOBUFS_RAISE). Reading can go on.")) ||
	    !(NflogClosedError = add_exception(
		  m, "NflogClosedError", NflogError,
		  "The handle was closed and everything it had received has been read.")) ||
	    add_constants(m) < 0 || add_types(m) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
