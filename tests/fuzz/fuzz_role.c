/* fuzz_role.c — role file parser (inifile + role.c) on arbitrary input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "role.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct role r;

	msg_set_silent(1);
	if (role_parse("fuzz.role", "file:///srv/roles/fuzz.role", text, size, &r) == 0)
		role_release(&r);
	free(text);
	return 0;
}
