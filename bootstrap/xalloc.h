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

#endif
