/*
 * fuzz_cmdline.c — the kernel command line parser (kcmdline_parse) on
 * arbitrary input.  Besides crashes and leaks it checks what cmdline.h
 * promises: quotes are removed, variable names are not empty and hold no
 * '=', and every result is a NUL-terminated string within the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void word_ok(const char *s, size_t size)
{
	if (strchr(s, '"') || strlen(s) > size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kcmdline k;
	size_t i;

	msg_set_silent(1);
	if (kcmdline_parse(&k, (const char *)data, size) != 0)
		abort();
	if (k.role)
		word_ok(k.role, size);
	if (k.pubkey)
		word_ok(k.pubkey, size);
	for (i = 0; i < k.nvars; i++) {
		if (!k.names[i][0] || strchr(k.names[i], '='))
			abort();
		word_ok(k.names[i], size);
		word_ok(k.values[i], size);
	}
	kcmdline_release(&k);
	return 0;
}
