/*
 * xalloc.h — allocation that never returns NULL: when memory is exhausted
 * the program ends with a message (there is nothing sane to roll back to).
 */
#ifndef ROLEBOOT_XALLOC_H
#define ROLEBOOT_XALLOC_H

#include <stddef.h>

#include "msg.h" /* PRINTF */

/* Ends the program: memory exhausted, or a size that overflowed. */
void xalloc_fail(void) __attribute__((noreturn));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);

/* memcpy for the hot paths that copy many short pieces (template output,
 * lines, tree and role strings): up to 64 bytes are copied inline, eight
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
