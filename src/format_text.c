/* format_text.c - STUB: being written (decode/text helper) */
#include "format.h"
void format_text(struct buf *b, const struct nflogd_record *rec,
		 const struct nflogd_decoded *dec, unsigned log_flags)
{
	(void)rec; (void)dec; (void)log_flags;
	buf_putlit(b, "IN= OUT= ");
}
