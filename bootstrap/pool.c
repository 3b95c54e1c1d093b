/* pool.c — see pool.h */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define POOL_BLOCK ((size_t)64 << 10) /* bytes of an ordinary block, header included */

struct pool_block {
	struct pool_block *next;
	size_t used, size; /* bytes after the header */
};

struct pool {
	struct pool_block *blocks; /* owned; the first is the one cut from */
};

struct pool *pool_new(void)
{
	return xcalloc(1, sizeof(struct pool));
}

/* n bytes at alignment align (a power of two); a large request gets a block
 * of its own, kept behind the current one so that its room is not lost. */
static void *pool_cut(struct pool *p, size_t n, size_t align)
{
	struct pool_block *b = p->blocks, *nb;
	size_t at, size;

	if (b) {
		at = (b->used + align - 1) & ~(align - 1);
		if (at <= b->size && b->size - at >= n) {
			b->used = at + n;
			return (char *)(b + 1) + at;
		}
	}
	size = n > POOL_BLOCK / 4 ? n : POOL_BLOCK - sizeof(*nb);
	if (size > (size_t)-1 - sizeof(*nb))
		size = (size_t)-1 - sizeof(*nb); /* xmalloc fails on it */
	nb = xmalloc(sizeof(*nb) + size);
	nb->size = size;
	nb->used = n;
	if (b && n > POOL_BLOCK / 4) {
		nb->next = b->next;
		b->next = nb;
	} else {
		nb->next = b;
		p->blocks = nb;
	}
	return nb + 1;
}

void *pool_get(struct pool *p, size_t n)
{
	return pool_cut(p, n, 8);
}

char *pool_strndup(struct pool *p, const char *s, size_t n)
{
	char *d = pool_cut(p, n + 1, 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *pool_strdup(struct pool *p, const char *s)
{
	return pool_strndup(p, s, strlen(s));
}

void pool_free(struct pool *p)
{
	struct pool_block *b, *next;

	if (!p)
		return;
	for (b = p->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	free(p);
}
