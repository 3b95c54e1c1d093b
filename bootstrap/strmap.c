/* strmap.c — see strmap.h */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

uint64_t fnv1a(const void *data, size_t len, uint64_t h)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * FNV1A_PRIME;
	return h;
}

static size_t slot_of(const struct strmap *m, const char *key)
{
	size_t i = (size_t)fnv1a(key, strlen(key), FNV1A_BASIS) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void grow(struct strmap *m)
{
	struct strmap bigger = {NULL, NULL, m->cap ? m->cap * 2 : 64, 0};
	size_t i, j;

	bigger.keys = xcalloc(bigger.cap, sizeof(*bigger.keys));
	bigger.vals = xcalloc(bigger.cap, sizeof(*bigger.vals));
	for (i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		j = slot_of(&bigger, m->keys[i]);
		bigger.keys[j] = m->keys[i];
		bigger.vals[j] = m->vals[i];
		bigger.n++;
	}
	free(m->keys);
	free(m->vals);
	*m = bigger;
}

int strmap_put(struct strmap *m, const char *key, size_t val, size_t *old)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	i = slot_of(m, key);
	if (m->keys[i]) {
		if (old)
			*old = m->vals[i];
		return 1;
	}
	m->keys[i] = xstrdup(key);
	m->vals[i] = val;
	m->n++;
	return 0;
}

void strmap_release(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
