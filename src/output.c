/* output.c - STUB */
