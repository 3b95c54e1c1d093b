/* data.c — see data.h */
#include "data.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct tv *tv_new(enum tv_kind kind)
{
	struct tv *v = xcalloc(1, sizeof(*v));

	v->kind = kind;
	return v;
}

struct tv *tv_null(void) { return tv_new(TV_NULL); }

struct tv *tv_bool(int b)
{
	struct tv *v = tv_new(TV_BOOL);

	v->b = !!b;
	return v;
}

/* A string node and its text are one allocation (templates over thousands
 * of zones make hundreds of thousands of them). */
struct tv *tv_stringn(const char *s, size_t len)
{
	struct tv *v;

	if (len > (size_t)-1 - sizeof(*v) - 1)
		len = 0;
	v = xmalloc(sizeof(*v) + len + 1);
	memset(v, 0, sizeof(*v));
	v->kind = TV_STRING;
	v->str = (char *)(v + 1);
	memcpy(v->str, s, len);
	v->str[len] = '\0';
	v->len = len;
	return v;
}

struct tv *tv_string(const char *s) { return tv_stringn(s, strlen(s)); }
struct tv *tv_list(void) { return tv_new(TV_LIST); }
struct tv *tv_map(void) { return tv_new(TV_MAP); }

static void tv_reserve(struct tv *v)
{
	if (v->n < v->cap)
		return;
	v->cap = v->cap ? v->cap * 2 : 4;
	v->items = xrealloc(v->items, v->cap * sizeof(*v->items));
	if (v->kind == TV_MAP)
		v->keys = xrealloc(v->keys, v->cap * sizeof(*v->keys));
}

void tv_push(struct tv *list, struct tv *item)
{
	tv_reserve(list);
	list->items[list->n++] = item;
}

void tv_set(struct tv *map, const char *key, struct tv *val)
{
	size_t i;

	for (i = 0; i < map->n; i++) {
		if (!strcmp(map->keys[i], key)) {
			tv_free(map->items[i]);
			map->items[i] = val;
			return;
		}
	}
	tv_reserve(map);
	map->keys[map->n] = xstrdup(key);
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
	v = tv_map();
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

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		tv_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	if (v->str && v->secret)
		memset(v->str, 0, v->len);
	if (v->str != (char *)(v + 1))
		free(v->str);
	free(v);
}
