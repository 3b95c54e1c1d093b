/*
 * bytes.h — copying short pieces of memory on the hot paths (template
 * output, role lines, tree and role strings).
 */
#ifndef ROLEBOOT_BYTES_H
#define ROLEBOOT_BYTES_H

#include <stddef.h>

/* memcpy for many short pieces: up to 64 bytes are copied inline, eight
 * at a time, since a call to a libc memcpy built on rep movs (musl's, in
 * the static binary) costs more than such a copy. */
static inline void copy_bytes(void *to, const void *from, size_t n)
{
	char *t = to;
	const char *f = from;
	size_t i = 0;

	if (n > 64) {
		__builtin_memcpy(t, f, n);
		return;
	}
	for (; i + 8 <= n; i += 8)
		__builtin_memcpy(t + i, f + i, 8);
	for (; i < n; i++)
		t[i] = f[i];
}

#endif
