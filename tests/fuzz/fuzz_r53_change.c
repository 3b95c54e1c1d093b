/*
 * fuzz_r53_change.c — the parser of ChangeResourceRecordSets answers
 * (r53_change_parse) on arbitrary input: no crash, no leak, every field it
 * fills NUL-terminated within its buffer and free of control characters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "r53_change.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void field(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct r53_change_error e;

	msg_set_silent(1);
	if (size > (1u << 20))
		return 0;
	r53_change_parse((const char *)data, size, &e);
	field(e.code, sizeof(e.code));
	field(e.text, sizeof(e.text));
	return 0;
}
