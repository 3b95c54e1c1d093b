/* valtree.c — see valtree.h */
#include "valtree.h"

#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "bytes.h"
#include "util.h"

/* A zeroed node of kind with extra bytes after it, from near's pool or malloc. */
static struct tv *node_new(const struct tv *near, enum tv_kind kind, size_t extra)
{
	struct pool *pool = near ? near->pool : NULL;
	struct tv *v;

	if (extra > (size_t)-1 - sizeof(*v))
		extra = 0;
	v = pool ? pool_get(pool, sizeof(*v) + extra) : xmalloc(sizeof(*v) + extra);
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->pool = pool;
	return v;
}

struct tv *tv_null(void)
{
	return node_new(NULL, TV_NULL, 0);
}

struct tv *tv_bool_in(const struct tv *near, int b)
{
	struct tv *v = node_new(near, TV_BOOL, 0);

	v->b = !!b;
	return v;
}

struct tv *tv_bool(int b)
{
	return tv_bool_in(NULL, b);
}

/* A string node and its text are one allocation (templates over thousands
 * of zones make hundreds of thousands of them). */
struct tv *tv_stringn_in(const struct tv *near, const char *s, size_t len)
{
	struct tv *v;

	if (len > (size_t)-1 - sizeof(*v) - 1)
		len = 0;
	v = node_new(near, TV_STRING, len + 1);
	v->str = (char *)(v + 1);
	copy_bytes(v->str, s, len);
	v->str[len] = '\0';
	v->len = len;
	return v;
}

struct tv *tv_stringn(const char *s, size_t len)
{
	return tv_stringn_in(NULL, s, len);
}
struct tv *tv_string(const char *s)
{
	return tv_stringn(s, strlen(s));
}
struct tv *tv_list_in(const struct tv *near)
{
	return node_new(near, TV_LIST, 0);
}
struct tv *tv_map_in(const struct tv *near)
{
	return node_new(near, TV_MAP, 0);
}
struct tv *tv_list(void)
{
	return tv_list_in(NULL);
}
struct tv *tv_map(void)
{
	return tv_map_in(NULL);
}

struct tv *tv_pool_map(void)
{
	struct tv *v = tv_map();

	v->pool = pool_new();
	v->owns_pool = 1;
	return v;
}

/* Room for one more item (and key); a pooled node's arrays come from its pool. */
static void tv_reserve(struct tv *v)
{
	size_t cap;
	void *items, *keys = NULL;

	if (v->n < v->cap)
		return;
	cap = v->cap ? v->cap * 2 : 4;
	if (cap > (size_t)-1 / sizeof(*v->items))
		cap = (size_t)-1; /* the allocation fails */
	if (!v->pool) {
		v->items = xrealloc(v->items, cap * sizeof(*v->items));
		if (v->kind == TV_MAP)
			v->keys = xrealloc(v->keys, cap * sizeof(*v->keys));
		v->cap = cap;
		return;
	}
	items = pool_get(v->pool, cap * sizeof(*v->items));
	if (v->n)
		memcpy(items, v->items, v->n * sizeof(*v->items));
	if (v->kind == TV_MAP) {
		keys = pool_get(v->pool, cap * sizeof(*v->keys));
		if (v->n)
			memcpy(keys, v->keys, v->n * sizeof(*v->keys));
	}
	v->items = items;
	v->keys = keys;
	v->cap = cap;
}

/* A pooled container holds only nodes of its own pool: a node from
 * elsewhere (a small malloc'd subtree such as the host facts) is copied
 * into the pool and freed, so that the whole tree goes with its pool. */
static struct tv *adopt(const struct tv *into, struct tv *v)
{
	struct tv *copy;
	size_t i;

	if (!into->pool || !v || v->pool == into->pool)
		return v;
	switch (v->kind) {
	case TV_STRING:
		copy = tv_stringn_in(into, v->str, v->len);
		break;
	case TV_BOOL:
		copy = tv_bool_in(into, v->b);
		break;
	case TV_LIST:
	case TV_MAP:
		copy = node_new(into, v->kind, 0);
		for (i = 0; i < v->n; i++) {
			if (v->kind == TV_LIST)
				tv_push(copy, v->items[i]);
			else
				tv_set(copy, v->keys[i], v->items[i]);
			v->items[i] = NULL; /* now the copy's (copied, the original freed) */
		}
		break;
	default:
		copy = node_new(into, v->kind, 0);
		break;
	}
	if (v->secret)
		tv_mark_secret(copy);
	tv_free(v);
	return copy;
}

void tv_mark_secret(struct tv *v)
{
	v->secret = 1;
	if (v->pool)
		pool_wipe_on_free(v->pool);
}

void tv_push(struct tv *list, struct tv *item)
{
	item = adopt(list, item);
	tv_reserve(list);
	list->items[list->n++] = item;
}

void tv_set(struct tv *map, const char *key, struct tv *val)
{
	size_t i, len;

	val = adopt(map, val);
	for (i = 0; i < map->n; i++) {
		if (!strcmp(map->keys[i], key)) {
			tv_free(map->items[i]);
			map->items[i] = val;
			return;
		}
	}
	tv_reserve(map);
	if (map->pool) {
		len = strlen(key);
		map->keys[map->n] = pool_strndup(map->pool, key, len);
	} else {
		map->keys[map->n] = xstrdup(key);
	}
	map->items[map->n++] = val;
}

struct tv *tv_get(const struct tv *map, const char *key)
{
	size_t i;

	if (!map || map->kind != TV_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i], key))
			return map->items[i];
	return NULL;
}

struct tv *tv_submap(struct tv *map, const char *key)
{
	struct tv *v = tv_get(map, key);

	if (v && v->kind == TV_MAP)
		return v;
	v = tv_map_in(map);
	tv_set(map, key, v);
	return v;
}

int tv_truthy(const struct tv *v)
{
	if (!v)
		return 0;
	switch (v->kind) {
	case TV_NULL:
		return 0;
	case TV_BOOL:
		return v->b;
	case TV_STRING:
		return v->len > 0;
	case TV_LIST:
		return v->n > 0;
	case TV_MAP:
		return 1;
	}
	return 0;
}

void tv_free(struct tv *v)
{
	size_t i;

	if (!v || (v->pool && !v->owns_pool))
		return; /* the pool's memory: freed, and wiped when it held a secret, with its root */
	for (i = 0; i < v->n; i++) {
		tv_free(v->items[i]);
		if (v->keys && !v->pool)
			free(v->keys[i]);
	}
	if (v->str && v->secret)
		explicit_bzero(v->str, v->len);
	if (v->owns_pool) {
		pool_free(v->pool);
		free(v);
		return;
	}
	free(v->items);
	free(v->keys);
	if (v->str != (char *)(v + 1))
		free(v->str);
	free(v);
}
