/* decode.c - STUB: being written (decode/text helper) */
#include "decode.h"
#include <string.h>
void decode_record(const struct nflogd_record *rec, struct nflogd_decoded *out)
{
	(void)rec;
	memset(out, 0, sizeof *out);
}
const char *decode_proto_name(uint8_t proto) { (void)proto; return NULL; }
