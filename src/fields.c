/* fields.c - STUB: being written (JSON helper) */
