/*
 * valtree.h — the value tree that templates are rendered against.
 *
 * A tree of nodes: strings, booleans, null, lists and maps (ordered, string
 * keys).  Containers own their children; tv_free() frees a whole tree.
 * A string node may be marked secret: the renderer reports when it emitted
 * one so that the installer can give the file strict modes and keep its
 * content out of logs and diffs.
 */
#ifndef ROLEBOOT_VALTREE_H
#define ROLEBOOT_VALTREE_H

#include <stddef.h>

enum tv_kind { TV_NULL, TV_BOOL, TV_STRING, TV_LIST, TV_MAP };

struct pool; /* pool.h: blocks that nodes, strings and arrays are cut from */

struct tv {
	enum tv_kind kind;
	int secret;              /* TV_STRING: value must never be shown */
	int b;                   /* TV_BOOL */
	unsigned char owns_pool; /* pool is this node's (tv_pool_map), freed with it */
	/* pool the node, its text, keys and arrays come from; NULL: malloc */
	struct pool *pool;
	char *str;         /* TV_STRING: NUL-terminated, allocated with the node */
	size_t len;        /* TV_STRING: length of str */
	struct tv **items; /* TV_LIST items / TV_MAP values: owned */
	char **keys;       /* TV_MAP: owned keys, parallel to items */
	size_t n, cap;
};

struct tv *tv_null(void);
struct tv *tv_bool(int b);
struct tv *tv_string(const char *s);
struct tv *tv_stringn(const char *s, size_t len);
struct tv *tv_list(void);
struct tv *tv_map(void);

/* Pools.  A tree of tens of thousands of nodes (a section per zone) costs
 * more in malloc and free than in anything else, so a tree can take its
 * nodes from a pool of large blocks instead.  tv_pool_map() makes an empty
 * map (the root) that owns a new pool; the _in constructors take their
 * node from the pool of `near` (any node of such a tree), or from malloc
 * when near is NULL or not pooled.  A pooled tree holds only nodes of its
 * pool: tv_push() and tv_set() copy a node from elsewhere into the pool
 * (and free it), so the caller's pointer to it is gone.  tv_free() of a
 * pooled node does nothing (its memory goes with the pool), tv_free() of
 * the root frees the pool in one go, without a walk, and wipes it first
 * when a secret was marked in it: pooled nodes must not be used after
 * that. */
struct tv *tv_pool_map(void);
struct tv *tv_bool_in(const struct tv *near, int b);
struct tv *tv_stringn_in(const struct tv *near, const char *s, size_t len);
struct tv *tv_list_in(const struct tv *near);
struct tv *tv_map_in(const struct tv *near);

/* Append item to a list; the list takes ownership. */
void tv_push(struct tv *list, struct tv *item);
/* Set key in a map, replacing (and freeing) an older value; takes ownership. */
void tv_set(struct tv *map, const char *key, struct tv *val);
/* Value of key in a map, NULL when absent or when map is not a map. */
struct tv *tv_get(const struct tv *map, const char *key);
/* Map at key, created empty when absent (replaced when not a map). */
struct tv *tv_submap(struct tv *map, const char *key);
/* Mustache truthiness: false, null, empty list and empty string are false. */
int tv_truthy(const struct tv *v);
/* Marks a node secret (see secret above); in a pooled tree, the pool is
 * then wiped when freed.  Set secrets only this way. */
void tv_mark_secret(struct tv *v);
void tv_free(struct tv *v);

#endif
