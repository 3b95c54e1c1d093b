/*
 * pool.h — memory handed out in pieces from large blocks and given back all
 * at once.
 *
 * For the many small things that live and die together: the nodes of a
 * template data tree, the strings of a zone's 100,000 record sets.  Cutting
 * them from 64 KiB blocks costs neither malloc's per-chunk overhead nor a
 * free() each.  pool_free() releases every block; pieces cannot be freed
 * one by one.  Like the x* helpers, allocation never fails (util.h).
 */
#ifndef ROLEBOOT_POOL_H
#define ROLEBOOT_POOL_H

#include <stddef.h>

struct pool;

struct pool *pool_new(void);
/* n bytes aligned for any pointer or integer. */
void *pool_get(struct pool *p, size_t n);
/* A copy of s[0..n) and a NUL, byte-aligned (strings need no more). */
char *pool_strndup(struct pool *p, const char *s, size_t n);
char *pool_strdup(struct pool *p, const char *s);
/* Asks pool_free() to zero every block before giving it back (a pool that
 * holds secrets). */
void pool_wipe_on_free(struct pool *p);
/* Every block; p may be NULL. */
void pool_free(struct pool *p);

#endif
