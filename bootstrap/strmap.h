/*
 * strmap.h — a map from strings to a size_t, for sets of names that must
 * stay linear in their size (bundle entries, role sections): open
 * addressing over an FNV-1a hash, never more than half full.
 *
 * The map owns copies of its keys; strmap_release() frees them.  A zeroed
 * struct strmap (STRMAP_INIT) is an empty map.
 */
#ifndef ROLEBOOT_STRMAP_H
#define ROLEBOOT_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_BASIS 14695981039346656037ULL
#define FNV1A_PRIME 1099511628211ULL

/* FNV-1a of data[0..len), continuing from h (FNV1A_BASIS to start). */
uint64_t fnv1a(const void *data, size_t len, uint64_t h);

struct strmap {
	char **keys;  /* owned: cap slots, NULL when free */
	size_t *vals; /* owned: cap values */
	size_t cap, n;
};
#define STRMAP_INIT \
	{ \
		NULL, NULL, 0, 0 \
	}

/* Adds key with val and returns 0; when key is there already, leaves the
 * map as it is, sets *old (when not NULL) to its value and returns 1. */
int strmap_put(struct strmap *m, const char *key, size_t val, size_t *old);
void strmap_release(struct strmap *m);

#endif
