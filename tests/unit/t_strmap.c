/* t_strmap.c — FNV-1a against its published vectors, and the string map:
 * duplicates found with their first value, growth keeping every key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "unit.h"

int main(void)
{
	struct strmap m = STRMAP_INIT;
	size_t i, old = 0, bad = 0;
	char key[32];

	OK(fnv1a("", 0, FNV1A_BASIS) == 0xcbf29ce484222325ULL, "fnv1a(\"\") is the offset basis");
	OK(fnv1a("a", 1, FNV1A_BASIS) == 0xaf63dc4c8601ec8cULL, "fnv1a(\"a\")");
	OK(fnv1a("foobar", 6, FNV1A_BASIS) == 0x85944171f73967e8ULL, "fnv1a(\"foobar\")");
	OK(fnv1a("bar", 3, fnv1a("foo", 3, FNV1A_BASIS)) == fnv1a("foobar", 6, FNV1A_BASIS),
	   "fnv1a continues from a previous value");

	OK(strmap_put(&m, "zone\ncorp", 7, NULL) == 0, "a new key is added");
	OK(strmap_put(&m, "zone\ncorp", 9, &old) == 1 && old == 7,
	   "a key already there: 1, and its first value");
	OK(strmap_put(&m, "zone\nCorp", 3, NULL) == 0, "keys compare with case");
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "name-%zu", i);
		bad += strmap_put(&m, key, i, NULL) != 0;
	}
	OK(!bad && m.n == 10002, "10000 more keys, each new");
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "name-%zu", i);
		if (strmap_put(&m, key, 0, &old) != 1 || old != i)
			bad++;
	}
	OK(!bad, "after growing, every key is found with its value");
	OK(m.n * 2 <= m.cap, "never more than half full");
	strmap_release(&m);
	OK(m.keys == NULL && m.n == 0, "released: empty again");
	return unit_done();
}
