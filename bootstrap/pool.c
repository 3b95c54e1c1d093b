/* pool.c — see pool.h */
#include "pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util.h"

#define POOL_BLOCK ((size_t)64 << 10) /* bytes of the first block, header included */
#define POOL_HUGE ((size_t)2 << 20)   /* a huge page on x86-64 and arm64 */

/* The first block of a pool is 64 KiB, every later one 2 MiB.  A 2 MiB
 * block is mapped on its own, aligned, and the kernel is asked to back it
 * with a huge page (MADV_HUGEPAGE, honoured where transparent huge pages
 * are "always" or "madvise"): a tree of 10,000 zones then costs a handful
 * of page faults instead of one per 4 KiB, which was a fifth of the time
 * of a render.  Small pools never get there. */
struct pool_block {
	struct pool_block *next;
	size_t used, size; /* bytes after the header; the first block's used
	                    * is kept in the pool's room instead */
	size_t mapped;     /* length of the mapping when mmap'ed, else 0 */
};

struct pool {
	struct pool_room room;     /* first (pool.h): free bytes of blocks[0] */
	struct pool_block *blocks; /* owned; the first is the one cut from */
	size_t nblocks;            /* ordinary blocks made so far */
	int wipe;                  /* zero the blocks when freeing them */
};

/* A block of at least size bytes after its header. */
static struct pool_block *block_new(size_t size)
{
	size_t want = sizeof(struct pool_block) + size, len, lead;
	struct pool_block *b;
	char *map;

	if (size > (size_t)-1 - sizeof(*b) - 2 * POOL_HUGE)
		xalloc_fail();
	if (want >= POOL_HUGE) {
		len = (want + POOL_HUGE - 1) & ~(POOL_HUGE - 1);
		map = mmap(NULL, len + POOL_HUGE, PROT_READ | PROT_WRITE,
		           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map != MAP_FAILED) {
			lead = (POOL_HUGE - ((uintptr_t)map & (POOL_HUGE - 1))) & (POOL_HUGE - 1);
			if (lead)
				munmap(map, lead);
			munmap(map + lead + len, POOL_HUGE - lead);
			b = (struct pool_block *)(void *)(map + lead);
#ifdef MADV_HUGEPAGE
			madvise(b, len, MADV_HUGEPAGE); /* advice: no harm when refused */
#endif
			b->mapped = len;
			b->size = len - sizeof(*b);
			return b;
		}
	}
	b = xmalloc(want);
	b->mapped = 0;
	b->size = size;
	return b;
}

struct pool *pool_new(void)
{
	return xcalloc(1, sizeof(struct pool));
}

/* n bytes that do not fit the room (pool.h's inline cuts looked): a new
 * block, aligned for anything; a large request gets a block of its own,
 * kept behind the current one so that its room is not lost. */
void *pool_cut(struct pool *p, size_t n)
{
	struct pool_block *b = p->blocks, *nb;
	size_t size;

	if (n > POOL_BLOCK / 4) {
		size = n;
	} else {
		size = p->nblocks == 0 ? POOL_BLOCK : POOL_HUGE;
		size -= sizeof(*nb);
		p->nblocks++;
	}
	nb = block_new(size);
	nb->used = n;
	if (b && n > POOL_BLOCK / 4) {
		nb->next = b->next;
		b->next = nb;
		return nb + 1;
	}
	if (b)
		b->used = (size_t)(p->room.next - (char *)(b + 1));
	nb->next = b;
	p->blocks = nb;
	p->room.next = (char *)(nb + 1) + n;
	p->room.end = (char *)(nb + 1) + nb->size;
	return nb + 1;
}

char *pool_strdup(struct pool *p, const char *s)
{
	return pool_strndup(p, s, strlen(s));
}

void pool_wipe_on_free(struct pool *p)
{
	p->wipe = 1;
}

void pool_free(struct pool *p)
{
	struct pool_block *b, *next;

	if (!p)
		return;
	if (p->blocks)
		p->blocks->used = (size_t)(p->room.next - (char *)(p->blocks + 1));
	for (b = p->blocks; b; b = next) {
		next = b->next;
		if (p->wipe)
			explicit_bzero(b + 1, b->used);
		if (b->mapped)
			munmap(b, b->mapped);
		else
			free(b);
	}
	free(p);
}
