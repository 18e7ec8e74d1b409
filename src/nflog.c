/* nflog.c - STUB */
