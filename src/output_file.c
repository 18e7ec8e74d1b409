/* output_file.c - STUB */
