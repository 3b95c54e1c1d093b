/*
 * t_pool.c — pieces cut from a pool (pool.c, and the inline cuts of
 * pool.h): aligned where asked, never overlapping, kept whole across block
 * changes (the 64 KiB first block, 2 MiB blocks after it) and across
 * requests large enough for a block of their own, which leave the room of
 * the current block in use.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "unit.h"

#define PIECES 60000
#define BIG ((size_t)3 << 20)

int main(void)
{
	struct pool *p = pool_new();
	static char *piece[PIECES];
	static size_t len[PIECES];
	char text[40], *a, *b, *big, *c;
	size_t i, misaligned = 0, wrong = 0, empty_ok;
	void *z;

	/* strings of 1 to 40 bytes and pointer-sized pieces in turn, far more
	 * than one block holds */
	for (i = 0; i < PIECES; i++) {
		len[i] = 1 + i % 40;
		memset(text, 'a' + (int)(i % 26), len[i]);
		if (i % 3 == 0) {
			piece[i] = pool_get(p, len[i]);
			memcpy(piece[i], text, len[i]);
			misaligned += ((uintptr_t)piece[i] & 7) != 0;
		} else {
			piece[i] = pool_strndup(p, text, len[i]);
		}
	}
	OK(misaligned == 0, "pool_get: every piece 8-byte aligned");
	for (i = 0; i < PIECES; i++) {
		size_t j;

		for (j = 0; j < len[i]; j++)
			wrong += piece[i][j] != 'a' + (int)(i % 26);
		if (i % 3 && piece[i][len[i]] != '\0')
			wrong++;
	}
	OK(wrong == 0, "60,000 pieces over several blocks: each holds what was put in it");

	a = pool_strdup(p, "before");
	big = pool_get(p, BIG); /* more than any block: one of its own */
	memset(big, 'x', BIG);
	b = pool_strdup(p, "after");
	OK(b == a + strlen("before") + 1,
	   "a large piece leaves the current block's room in use: the next string follows the "
	   "last");
	OK(big[0] == 'x' && big[BIG - 1] == 'x' && !strcmp(a, "before") && !strcmp(b, "after"),
	   "and every piece keeps its bytes");

	z = pool_get(p, 0);
	c = pool_get(p, 8);
	empty_ok = z != NULL && ((uintptr_t)c & 7) == 0;
	OK(empty_ok, "a piece of 0 bytes is a valid pointer, and the next is aligned");
	c = pool_strndup(p, "abcdef", 3);
	OK(!strcmp(c, "abc"), "pool_strndup copies n bytes and ends them");
	pool_wipe_on_free(p);
	pool_free(p); /* wiping touches every used byte: ASan would say */
	pool_free(NULL);

	p = pool_new(); /* a first request larger than a block */
	big = pool_get(p, 300000);
	memset(big, 'y', 300000);
	a = pool_strdup(p, "small");
	OK(big[299999] == 'y' && !strcmp(a, "small"),
	   "a pool whose first piece is large still cuts small ones");
	pool_wipe_on_free(p);
	pool_free(p);
	return unit_done();
}
