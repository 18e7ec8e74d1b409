/* nflogr_py.h - what the three sources of the nflogr Python module share:
 * the module (nflogr_module.c: open(), constants, exceptions), the Nflog
 * handle (nflog_object.c) and its records (nflogdata_object.c), all over
 * libnflogr's public API. */
#ifndef NFLOGR_PY_H
#define NFLOGR_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <nflogr.h>

/* nflogr's exceptions: NflogError and its subclasses. */
extern PyObject *NflogError;
extern PyObject *NflogRetryError;
extern PyObject *NflogDroppedError;
extern PyObject *NflogClosedError;

extern PyTypeObject Nflog_Type;
extern PyTypeObject NflogData_Type;
extern PyTypeObject NflogDataIter_Type;

/* A new Nflog object owning h (closed with it), for a group opened with
 * copy_range. NULL (h closed) with an exception set on failure. */
PyObject *nflog_object_new(struct nflogr *h, uint32_t copy_range);

/* A new NflogData holding a copy of rec. NULL with an exception set. */
PyObject *nflogdata_new(const struct nflogr_record *rec);

/* Untrusted bytes as str: UTF-8, each byte that is not part of a valid
 * sequence replaced by U+FFFD, as the JSON output does. New reference. */
PyObject *nflogr_text_to_str(const char *p, Py_ssize_t len, int *was_valid);

#endif
