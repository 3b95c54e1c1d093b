/*
 * t_valtree.c — the value tree templates render against (valtree.h): node kinds,
 * lists, map set/get/replace (order kept, keys copied), tv_submap, Mustache
 * truthiness and tv_free of a whole tree (leaks show under the sanitizer
 * build).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "valtree.h"
#include "unit.h"

static void node_cases(void)
{
	struct tv *v;

	v = tv_null();
	OK(v && v->kind == TV_NULL, "tv_null: a null node");
	tv_free(v);
	v = tv_bool(7);
	OK(v && v->kind == TV_BOOL && v->b == 1, "tv_bool: any non-zero is 1");
	tv_free(v);
	v = tv_bool(0);
	OK(v && v->kind == TV_BOOL && v->b == 0, "tv_bool(0) is 0");
	tv_free(v);
	v = tv_string("hello");
	OK(v && v->kind == TV_STRING && v->len == 5 && !strcmp(v->str, "hello") && !v->secret,
	   "tv_string: text, length, not secret");
	tv_free(v);
	v = tv_stringn("ab\0cd", 5);
	OK(v && v->len == 5 && !memcmp(v->str, "ab\0cd", 5) && v->str[5] == '\0',
	   "tv_stringn: length kept past a NUL, terminated");
	tv_free(v);
	v = tv_stringn("abcdef", 3);
	OK(v && v->len == 3 && !strcmp(v->str, "abc"), "tv_stringn: only len bytes");
	tv_free(v);
	v = tv_string("");
	OK(v && v->len == 0 && v->str && v->str[0] == '\0', "tv_string(\"\"): empty, not NULL");
	tv_free(v);
	v = tv_list();
	OK(v && v->kind == TV_LIST && v->n == 0, "tv_list: empty list");
	tv_free(v);
	v = tv_map();
	OK(v && v->kind == TV_MAP && v->n == 0, "tv_map: empty map");
	tv_free(v);
	tv_free(NULL); /* harmless: a crash would end the run */
}

static void list_cases(void)
{
	struct tv *l = tv_list();
	char s[16];
	int i, order = 1;

	for (i = 0; i < 100; i++) {
		snprintf(s, sizeof(s), "%d", i);
		tv_push(l, tv_string(s));
	}
	OK(l->n == 100, "push: 100 items (the list grows)");
	for (i = 0; i < 100; i++) {
		snprintf(s, sizeof(s), "%d", i);
		order &= l->items[i]->kind == TV_STRING && !strcmp(l->items[i]->str, s);
	}
	OK(order, "push: items kept in order");
	tv_free(l);
}

static void map_cases(void)
{
	struct tv *m = tv_map(), *v;
	char key[8] = "name";
	char k[16];
	int i, order = 1;

	tv_set(m, key, tv_string("ns1"));
	strcpy(key, "XXXX");
	v = tv_get(m, "name");
	OK(v && v->kind == TV_STRING && !strcmp(v->str, "ns1"), "set/get: a value by key");
	OK(!tv_get(m, "XXXX"), "set: the key is copied, not borrowed");
	OK(!tv_get(m, "nam") && !tv_get(m, "names") && !tv_get(m, "NAME"),
	   "get: absent, prefix, longer and other-case keys are NULL");
	tv_set(m, "ttl", tv_string("300"));
	tv_set(m, "name", tv_bool(1));
	v = tv_get(m, "name");
	OK(m->n == 2 && v && v->kind == TV_BOOL && v->b == 1,
	   "set: an existing key is replaced, not added");
	OK(!strcmp(m->keys[0], "name") && !strcmp(m->keys[1], "ttl"),
	   "set: a replaced key keeps its place");
	OK(!tv_get(NULL, "name"), "get on NULL is NULL");
	v = tv_list();
	OK(!tv_get(v, "name"), "get on a list is NULL");
	tv_free(v);
	v = tv_string("name");
	OK(!tv_get(v, "name"), "get on a string is NULL");
	tv_free(v);
	tv_free(m);

	m = tv_map();
	for (i = 0; i < 50; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		tv_set(m, k, tv_string(k));
	}
	for (i = 0; i < 50; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		v = tv_get(m, k);
		order &= !strcmp(m->keys[i], k) && v && !strcmp(v->str, k);
	}
	OK(m->n == 50 && order, "set: 50 keys kept in insertion order, each found");
	tv_free(m);
}

static void submap_cases(void)
{
	struct tv *m = tv_map(), *a, *b, *c;

	a = tv_submap(m, "host");
	OK(a && a->kind == TV_MAP && a->n == 0 && tv_get(m, "host") == a,
	   "submap: an absent key gets an empty map");
	tv_set(a, "name", tv_string("ns1"));
	b = tv_submap(m, "host");
	OK(b == a && tv_get(b, "name"), "submap: an existing map is returned, contents kept");
	tv_set(m, "os", tv_string("debian"));
	c = tv_submap(m, "os");
	OK(c && c->kind == TV_MAP && c->n == 0 && tv_get(m, "os") == c && m->n == 2,
	   "submap: a non-map value is replaced by an empty map");
	c = tv_submap(tv_submap(tv_submap(m, "kernel"), "var"), "x");
	OK(c && tv_get(tv_get(tv_get(m, "kernel"), "var"), "x") == c, "submap: chained, nested");
	tv_free(m);
}

static void truthy_cases(void)
{
	struct {
		struct tv *v;
		int want;
		const char *what;
	} t[12];
	struct tv *one = tv_list(), *map1 = tv_map(), *sec = tv_string("s");
	char what[80];
	size_t i, n = 0;

	tv_push(one, tv_null());
	tv_set(map1, "k", tv_bool(0));
	tv_mark_secret(sec);
#define T(val, w, text) (t[n].v = (val), t[n].want = (w), t[n].what = (text), n++)
	T(tv_null(), 0, "null");
	T(tv_bool(0), 0, "false");
	T(tv_bool(1), 1, "true");
	T(tv_string(""), 0, "empty string");
	T(tv_string("0"), 1, "the string 0");
	T(tv_string("false"), 1, "the string false");
	T(tv_stringn("\0", 1), 1, "a string of one NUL byte");
	T(tv_list(), 0, "empty list");
	T(one, 1, "a list of one null");
	T(tv_map(), 1, "an empty map");
	T(map1, 1, "a map");
	T(sec, 1, "a secret string");
#undef T
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "truthy: %s is %s", t[i].what,
		         t[i].want ? "true" : "false");
		OK(tv_truthy(t[i].v) == t[i].want, what);
		tv_free(t[i].v);
	}
	OK(tv_truthy(NULL) == 0, "truthy: a missing value (NULL) is false");
}

/* A tree of every kind, secrets included, freed in one call: ASan and
 * LeakSanitizer (make SANITIZE=1) fail the run on a leak or a double free. */
static void free_cases(void)
{
	struct tv *root = tv_map(), *zones = tv_list(), *z, *key;
	int i;

	for (i = 0; i < 20; i++) {
		z = tv_map();
		tv_set(z, "name", tv_string("example.com"));
		tv_set(z, "primary", tv_bool(i & 1));
		tv_set(z, "notes", tv_null());
		tv_set(z, "name", tv_string("example.org")); /* replaced: the old one freed */
		key = tv_string("c2VjcmV0");
		tv_mark_secret(key);
		tv_set(tv_submap(z, "tsig"), "secret", key);
		tv_push(zones, z);
	}
	tv_set(root, "zones", zones);
	tv_submap(root, "zones"); /* the list replaced by a map: the list freed */
	OK(tv_get(root, "zones")->kind == TV_MAP, "free: a list replaced by tv_submap");
	tv_free(root);
}

/* A pooled tree: nodes from elsewhere are copied in, secrets kept; the
 * root frees (and wipes) the pool in one call, checked by ASan/LSan and
 * valgrind for leaks and double frees. */
static void pool_cases(void)
{
	struct tv *root = tv_pool_map(), *facts = tv_map(), *list = tv_list(), *got, *sec;
	struct tv *pooled;

	tv_set(facts, "name", tv_string("ns1"));
	tv_push(list, tv_string("192.0.2.1"));
	tv_push(list, tv_bool(1));
	tv_set(facts, "ip4", list);
	sec = tv_string("c2VjcmV0");
	tv_mark_secret(sec);
	tv_set(facts, "key", sec);
	tv_set(root, "host", facts); /* facts, list and sec are the root's now */
	got = tv_get(root, "host");
	OK(got && got->kind == TV_MAP && got->pool == root->pool && got->n == 3,
	   "pool: a malloc'd map set into a pooled tree is copied into its pool");
	got = tv_get(got, "ip4");
	OK(got && got->kind == TV_LIST && got->n == 2 && got->pool == root->pool &&
	           got->items[0]->pool == root->pool && !strcmp(got->items[0]->str, "192.0.2.1") &&
	           got->items[1]->kind == TV_BOOL && got->items[1]->b == 1,
	   "pool: its list and the list's items come along, in order, with their values");
	got = tv_get(tv_get(root, "host"), "key");
	OK(got && got->secret && got->pool == root->pool && !strcmp(got->str, "c2VjcmV0"),
	   "pool: a secret string stays secret when copied in");
	pooled = tv_stringn_in(root, "same pool", 9);
	tv_set(root, "kept", pooled);
	OK(tv_get(root, "kept") == pooled, "pool: a node of the tree's own pool is not copied");
	tv_free(pooled); /* a pooled node: nothing to do, it goes with the pool */
	OK(tv_get(root, "kept") == pooled && !strcmp(pooled->str, "same pool"),
	   "pool: tv_free of a pooled node leaves it to the pool");
	tv_free(root);
}

int main(void)
{
	node_cases();
	list_cases();
	map_cases();
	submap_cases();
	truthy_cases();
	free_cases();
	pool_cases();
	return unit_done();
}
