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
#include <stdint.h>

#include "bytes.h"

struct pool;

/* The free room of the block being cut from: the first member of every
 * struct pool, so that a piece that fits is cut inline (a tree of 10,000
 * zones takes 200,000 of them); the rest of the pool is pool.c's. */
struct pool_room {
	char *next, *end; /* NULL, NULL before the first block */
};

struct pool *pool_new(void);
/* The out-of-line cut, for n bytes the room cannot hold: a new block. */
void *pool_cut(struct pool *p, size_t n);

/* n bytes aligned for any pointer or integer. */
static inline void *pool_get(struct pool *p, size_t n)
{
	struct pool_room *r = (struct pool_room *)(void *)p;
	uintptr_t at = ((uintptr_t)r->next + 7) & ~(uintptr_t)7;

	if (r->next && at <= (uintptr_t)r->end && n <= (uintptr_t)r->end - at) {
		r->next = (char *)at + n;
		return (char *)at;
	}
	return pool_cut(p, n);
}

/* A copy of s[0..n) and a NUL, byte-aligned (strings need no more). */
static inline char *pool_strndup(struct pool *p, const char *s, size_t n)
{
	struct pool_room *r = (struct pool_room *)(void *)p;
	char *d;

	if (r->next && n < (size_t)(r->end - r->next)) {
		d = r->next;
		r->next += n + 1;
	} else {
		d = pool_cut(p, n + 1);
	}
	copy_bytes(d, s, n);
	d[n] = '\0';
	return d;
}

char *pool_strdup(struct pool *p, const char *s);
/* Asks pool_free() to zero every block before giving it back (a pool that
 * holds secrets). */
void pool_wipe_on_free(struct pool *p);
/* Every block; p may be NULL. */
void pool_free(struct pool *p);

#endif
