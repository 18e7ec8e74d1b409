/* test_format_json.c - STUB */
#include "check.h"
int main(void)
{
	CHECK(1, "stub");
	return check_done();
}
