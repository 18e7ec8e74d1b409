/* record.c - STUB */
