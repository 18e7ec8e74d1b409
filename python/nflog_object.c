/* nflog_object.c - nflogr.Nflog: one bound group, read as nflogr reads it.
 *
 * Every read on the libnflogr handle is made without waiting and with the
 * GIL held (the handle is used by one thread at a time that way); a wait
 * is a poll() with the GIL released, on the group's socket and on an
 * eventfd that close() signals, so other threads run meanwhile, a signal
 * ends the wait (KeyboardInterrupt on SIGINT) and close() wakes waiters.
 *
 * close() unbinds the group: the kernel sends what it still held, and
 * what was received can still be read; once it is all read, next() raises
 * NflogClosedError and iteration ends (StopIteration). The socket itself
 * is closed when the object goes away.
 */
#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "nflogr_py.h"

typedef struct {
	PyObject_HEAD struct nflogr *h;
	int wake_fd; /* eventfd, readable once close() has unbound the group */
	bool closed;
	/* close() is waiting for the kernel's ACK of its unbind, without the
	 * GIL: no other thread may read the socket meanwhile, or it would take
	 * that ACK (and close() would time out). Waiters wait on wake_fd. */
	bool unbinding;
	uint32_t copy_range;
	uint64_t drops_base; /* drops = the handle's counter - drops_base */
} NflogObject;

PyObject *nflog_object_new(struct nflogr *h, uint32_t copy_range)
{
	NflogObject *self = PyObject_New(NflogObject, &Nflog_Type);
	if (!self) {
		nflogr_close(h);
		return NULL;
	}
	self->h = h;
	self->closed = false;
	self->unbinding = false;
	self->copy_range = copy_range;
	self->drops_base = 0;
	self->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (self->wake_fd < 0) {
		PyErr_SetFromErrno(PyExc_OSError);
		Py_DECREF(self);
		return NULL;
	}
	return (PyObject *)self;
}

static void nflog_dealloc(NflogObject *self)
{
	nflogr_close(self->h);
	if (self->wake_fd >= 0)
		close(self->wake_fd);
	PyObject_Free(self);
}

/* ---- reading ---- */

static PyObject *raise_closed(void)
{
	PyErr_SetString(NflogClosedError,
			"the handle is closed and everything it received has been read");
	return NULL;
}

/* The exception for a failed read of the handle (errno set). */
static PyObject *raise_read_error(NflogObject *self)
{
	int e = errno;
	const char *msg = nflogr_last_error(self->h);
	if (e == ENOBUFS) {
		PyErr_SetString(NflogDroppedError, msg);
		return NULL;
	}
	PyObject *exc_args = Py_BuildValue("(is)", e, msg);
	if (exc_args) {
		PyErr_SetObject(PyExc_OSError, exc_args);
		Py_DECREF(exc_args);
	}
	return NULL;
}

/* Wait without the GIL until the socket (or close()) says something.
 * 0 to read again, -1 with an exception (KeyboardInterrupt on SIGINT). */
static int wait_readable(NflogObject *self)
{
	struct pollfd p[2] = {
		{ .fd = self->wake_fd, .events = POLLIN },
		{ .fd = nflogr_fd(self->h), .events = POLLIN },
	};
	nfds_t n = self->unbinding ? 1 : 2;
	int r, e;
	Py_BEGIN_ALLOW_THREADS r = poll(p, n, -1);
	e = errno;
	Py_END_ALLOW_THREADS if (r >= 0) return 0;
	if (e == EINTR) /* run the Python signal handlers; they may raise */
		return PyErr_CheckSignals();
	errno = e;
	PyErr_SetFromErrno(PyExc_OSError);
	return -1;
}

/* The next record as an NflogData; None without wait when there is none;
 * NULL with NflogClosedError once closed and drained, or another error. */
static PyObject *next_record(NflogObject *self, bool wait)
{
	for (;;) {
		if (self->unbinding) {
			if (!wait)
				Py_RETURN_NONE;
			if (wait_readable(self) < 0)
				return NULL;
			continue;
		}
		const struct nflogr_record *rec;
		int r = nflogr_next(self->h, false, &rec);
		if (r == 1)
			return nflogdata_new(rec);
		if (r < 0)
			return raise_read_error(self);
		if (self->closed)
			return raise_closed();
		if (!wait)
			Py_RETURN_NONE;
		if (wait_readable(self) < 0)
			return NULL;
	}
}

PyDoc_STRVAR(queue_doc, "queue($self, /, wait=True)\n--\n\n"
			"Read from the socket into the queue when the queue is empty, waiting\n"
			"for the kernel unless wait is False. Returns the number of records\n"
			"queued (0 when nothing is there). Raises NflogDroppedError once per\n"
			"socket overrun with enobufs=ENOBUFS_RAISE.");

static PyObject *nflog_queue(NflogObject *self, PyObject *args, PyObject *kwargs)
{
	static char *kwlist[] = { "wait", NULL };
	int wait = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|p:queue", kwlist, &wait))
		return NULL;
	for (;;) {
		if (self->unbinding) {
			if (!wait)
				return PyLong_FromLong(0);
			if (wait_readable(self) < 0)
				return NULL;
			continue;
		}
		int r = nflogr_queue(self->h, false);
		if (r < 0)
			return raise_read_error(self);
		if (r > 0 || !wait || self->closed)
			return PyLong_FromLong(r);
		if (wait_readable(self) < 0)
			return NULL;
	}
}

PyDoc_STRVAR(next_doc,
	     "next($self, /, wait=True)\n--\n\n"
	     "Return the next record (NflogData), waiting for one unless wait is\n"
	     "False (then None when there is none). Other threads run while it waits;\n"
	     "SIGINT ends the wait with KeyboardInterrupt. Raises NflogDroppedError once\n"
	     "per socket overrun with enobufs=ENOBUFS_RAISE (reading can go on), and\n"
	     "NflogClosedError after close() once everything received was read.");

static PyObject *nflog_next(NflogObject *self, PyObject *args, PyObject *kwargs)
{
	static char *kwlist[] = { "wait", NULL };
	int wait = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|p:next", kwlist, &wait))
		return NULL;
	return next_record(self, wait);
}

PyDoc_STRVAR(loop_doc, "loop($self, /, fn, count=-1)\n--\n\n"
		       "Call fn(data) for each record, up to count records (-1: no limit),\n"
		       "waiting for them. Returns None once count records were passed, or once\n"
		       "the handle is closed and drained. An exception raised by fn propagates\n"
		       "unchanged (the record it was given is consumed).");

static PyObject *nflog_loop(NflogObject *self, PyObject *args, PyObject *kwargs)
{
	static char *kwlist[] = { "fn", "count", NULL };
	PyObject *fn;
	long count = -1;
	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|l:loop", kwlist, &fn, &count))
		return NULL;
	if (!PyCallable_Check(fn))
		return PyErr_Format(PyExc_TypeError, "fn must be callable");
	for (; count != 0; count -= count > 0) {
		PyObject *data = next_record(self, true);
		if (!data) {
			if (!PyErr_ExceptionMatches(NflogClosedError))
				return NULL;
			PyErr_Clear();
			break;
		}
		PyObject *r = PyObject_CallOneArg(fn, data);
		Py_DECREF(data);
		if (!r)
			return NULL;
		Py_DECREF(r);
	}
	Py_RETURN_NONE;
}

PyDoc_STRVAR(close_doc, "close($self, /)\n--\n\n"
			"Unbind the group: the kernel first sends what it still held back for\n"
			"batching. What was received can still be read; then iteration stops\n"
			"and next() raises NflogClosedError. Threads waiting in next() wake up.");

static PyObject *nflog_close(NflogObject *self, PyObject *unused)
{
	(void)unused;
	if (self->closed)
		Py_RETURN_NONE;
	self->closed = true;
	self->unbinding = true;
	int r;
	Py_BEGIN_ALLOW_THREADS /* the kernel's ACK */
	    r = nflogr_unbind(self->h);
	Py_END_ALLOW_THREADS self->unbinding = false;
	uint64_t one = 1;
	if (write(self->wake_fd, &one, sizeof one) < 0) /* wake waiters */
		return PyErr_SetFromErrno(PyExc_OSError);
	if (r < 0)
		return raise_read_error(self);
	Py_RETURN_NONE;
}

static PyObject *nflog_exit(NflogObject *self, PyObject *args)
{
	(void)args;
	return nflog_close(self, NULL);
}

static PyObject *nflog_enter(PyObject *self, PyObject *unused)
{
	(void)unused;
	return Py_NewRef(self);
}

PyDoc_STRVAR(getfd_doc, "getfd($self, /)\n--\n\n"
			"The socket's file descriptor (int; readable when records wait), for\n"
			"select/poll/asyncio, or None once closed.");

static PyObject *nflog_getfd(NflogObject *self, PyObject *unused)
{
	(void)unused;
	if (self->closed)
		Py_RETURN_NONE;
	return PyLong_FromLong(nflogr_fd(self->h));
}

PyDoc_STRVAR(fileno_doc, "fileno($self, /)\n--\n\n"
			 "The socket's file descriptor; ValueError once closed.");

static PyObject *nflog_fileno(NflogObject *self, PyObject *unused)
{
	(void)unused;
	if (self->closed)
		return PyErr_Format(PyExc_ValueError, "I/O operation on closed handle");
	return PyLong_FromLong(nflogr_fd(self->h));
}

PyDoc_STRVAR(getgroup_doc, "getgroup($self, /)\n--\n\nThe group number (int).");

static PyObject *nflog_getgroup(NflogObject *self, PyObject *unused)
{
	(void)unused;
	return PyLong_FromLong(nflogr_group(self->h));
}

/* ---- iteration: for data in nflog ---- */

static PyObject *nflog_iternext(NflogObject *self)
{
	PyObject *data = next_record(self, true);
	if (!data && PyErr_ExceptionMatches(NflogClosedError))
		PyErr_Clear(); /* NULL without an exception: StopIteration */
	return data;
}

static Py_ssize_t nflog_length(NflogObject *self) { return (Py_ssize_t)nflogr_queued(self->h); }

/* ---- attributes ---- */

static PyObject *get_rcvbuf(NflogObject *self, void *closure)
{
	(void)closure;
	if (self->closed)
		Py_RETURN_NONE;
	/* as nflogr: what was asked for; the kernel reserves twice that */
	return PyLong_FromUnsignedLongLong(nflogr_rcvbuf(self->h) / 2);
}

static int set_rcvbuf(NflogObject *self, PyObject *value, void *closure)
{
	(void)closure;
	if (!value) {
		PyErr_SetString(PyExc_TypeError, "rcvbuf cannot be deleted");
		return -1;
	}
	long long bytes = PyLong_AsLongLong(value);
	if (bytes == -1 && PyErr_Occurred())
		return -1;
	if (bytes < 0 || bytes > (1LL << 30)) {
		PyErr_SetString(PyExc_ValueError, "rcvbuf must be in range [0, 1073741824] bytes");
		return -1;
	}
	if (self->closed) {
		PyErr_SetString(NflogClosedError, "the handle is closed");
		return -1;
	}
	if (nflogr_set_rcvbuf(self->h, (uint64_t)bytes) < 0) {
		raise_read_error(self);
		return -1;
	}
	return 0;
}

static PyObject *get_drops(NflogObject *self, void *closure)
{
	(void)closure;
	return PyLong_FromUnsignedLongLong(nflogr_counter(self->h, NFLOGR_DROPS) -
					   self->drops_base);
}

static int set_drops(NflogObject *self, PyObject *value, void *closure)
{
	(void)closure;
	int is_zero = value && PyLong_Check(value) ? PyObject_Not(value) : 0;
	if (is_zero < 0)
		return -1;
	if (!is_zero) {
		PyErr_SetString(PyExc_ValueError, "drops can only be set to 0");
		return -1;
	}
	self->drops_base = nflogr_counter(self->h, NFLOGR_DROPS);
	return 0;
}

static PyObject *get_queued(NflogObject *self, void *closure)
{
	(void)closure;
	return PyLong_FromSize_t(nflogr_queued(self->h));
}

/* A counter of the handle: closure is its enum nflogr_counter. */
static PyObject *get_counter(NflogObject *self, void *closure)
{
	return PyLong_FromUnsignedLongLong(
	    nflogr_counter(self->h, (enum nflogr_counter)(intptr_t)closure));
}

static PyObject *get_lost_exact(NflogObject *self, void *closure)
{
	(void)closure;
	bool exact;
	nflogr_lost(self->h, &exact);
	return PyBool_FromLong(exact);
}

static PyObject *get_flags(NflogObject *self, void *closure)
{
	(void)closure;
	return PyLong_FromUnsignedLong(nflogr_flags(self->h));
}

static PyObject *get_copy_range(NflogObject *self, void *closure)
{
	(void)closure;
	return PyLong_FromUnsignedLong(self->copy_range);
}

static PyObject *get_closed(NflogObject *self, void *closure)
{
	(void)closure;
	return PyBool_FromLong(self->closed);
}

#define COUNTER(name, which, doc)                                                                  \
	{                                                                                          \
		name, (getter)get_counter, NULL, PyDoc_STR(doc), (void *)(intptr_t)(which)         \
	}

static PyGetSetDef nflog_getset[] = {
	{ "rcvbuf", (getter)get_rcvbuf, (setter)set_rcvbuf,
	  PyDoc_STR("Socket receive buffer in bytes, as asked for (the kernel reserves twice "
		    "that); settable; None once closed."),
	  NULL },
	{ "drops", (getter)get_drops, (setter)set_drops,
	  PyDoc_STR("Socket overruns (ENOBUFS received) under ENOBUFS_RAISE and "
		    "ENOBUFS_HANDLE: events, not records (see lost). Can be set to 0."),
	  NULL },
	{ "queued", (getter)get_queued, NULL,
	  PyDoc_STR("Records received from the socket and not read yet (int)."), NULL },
	COUNTER("received", NFLOGR_RECEIVED, "Records handed out so far."),
	COUNTER("lost", NFLOGR_LOST,
		"Records lost: exact with FLAG_SEQ (see lost_exact), else a lower bound."),
	COUNTER("truncated", NFLOGR_TRUNCATED, "Datagrams larger than the receive buffer."),
	COUNTER("malformed", NFLOGR_MALFORMED, "Messages that could not be parsed."),
	COUNTER("unsequenced", NFLOGR_UNSEQUENCED,
		"Records without a sequence number although FLAG_SEQ is on (logged while "
		"the group was being bound): received, outside the loss count."),
	{ "lost_exact", (getter)get_lost_exact, NULL,
	  PyDoc_STR("True when lost is exact (FLAG_SEQ accepted by the kernel)."), NULL },
	{ "flags", (getter)get_flags, NULL, PyDoc_STR("The FLAG_* bits the kernel accepted (int)."),
	  NULL },
	{ "copy_range", (getter)get_copy_range, NULL,
	  PyDoc_STR("Payload bytes copied per packet with COPY_PACKET (int)."), NULL },
	{ "closed", (getter)get_closed, NULL, PyDoc_STR("True once close() was called."), NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef nflog_methods[] = {
	{ "queue", (PyCFunction)(void (*)(void))nflog_queue, METH_VARARGS | METH_KEYWORDS,
	  queue_doc },
	{ "next", (PyCFunction)(void (*)(void))nflog_next, METH_VARARGS | METH_KEYWORDS, next_doc },
	{ "loop", (PyCFunction)(void (*)(void))nflog_loop, METH_VARARGS | METH_KEYWORDS, loop_doc },
	{ "close", (PyCFunction)nflog_close, METH_NOARGS, close_doc },
	{ "getfd", (PyCFunction)nflog_getfd, METH_NOARGS, getfd_doc },
	{ "fileno", (PyCFunction)nflog_fileno, METH_NOARGS, fileno_doc },
	{ "getgroup", (PyCFunction)nflog_getgroup, METH_NOARGS, getgroup_doc },
	{ "__enter__", (PyCFunction)nflog_enter, METH_NOARGS,
	  PyDoc_STR("__enter__($self, /)\n--\n\nReturn self (a context manager).") },
	{ "__exit__", (PyCFunction)nflog_exit, METH_VARARGS,
	  PyDoc_STR("__exit__($self, /, *exc_info)\n--\n\nclose().") },
	{ NULL, NULL, 0, NULL },
};

static PyMappingMethods nflog_mapping = {
	.mp_length = (lenfunc)nflog_length,
};

PyDoc_STRVAR(nflog_doc, "One bound NFLOG group, from nflogr.open().\n\n"
			"Iterate it (`for data in nflog:`), or call next(), queue() or loop().\n"
			"A context manager: leaving the with block closes it.");

PyTypeObject Nflog_Type = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "nflogr.Nflog",
	.tp_basicsize = sizeof(NflogObject),
	.tp_dealloc = (destructor)nflog_dealloc,
	.tp_as_mapping = &nflog_mapping,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = nflog_doc,
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)nflog_iternext,
	.tp_methods = nflog_methods,
	.tp_getset = nflog_getset,
};
