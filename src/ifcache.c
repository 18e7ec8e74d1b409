/* ifcache.c - STUB */
