/*
 * fuzz_bundle.c — libFuzzer target: the input is a bundle archive.
 * Besides crashes and leaks it checks what bundle_read_memory() promises:
 * one line of error on failure and an empty bundle; on success only names
 * that pass the policy (valid UTF-8 included), each once, with
 * NUL-terminated data within limits.
 */
#include "bundle.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int name_ok(const char *name)
{
	const char *p, *c = name;

	if (!*name || *name == '/' || strlen(name) > 255)
		return 0;
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	if (!utf8_valid(name, strlen(name)))
		return 0;
	for (;;) {
		size_t len = strcspn(c, "/");

		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (!c[len])
			return 1;
		c += len + 1;
	}
}

static void check(const struct bundle *b, const struct bundle_limits *lim)
{
	size_t i, j, total = 0;

	if (b->n > lim->max_entries)
		abort();
	for (i = 0; i < b->n; i++) {
		const struct bundle_entry *e = &b->entries[i];

		if (!name_ok(e->name) || !e->data || e->data[e->len] != 0 || e->len > lim->max_entry)
			abort();
		total += e->len;
		for (j = 0; j < i; j++)
			if (!strcmp(b->entries[j].name, e->name))
				abort();
	}
	if (total > lim->max_total)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bundle_limits lim = {64, 1u << 20, 4u << 20};
	struct bundle b = {NULL, 0};
	char err[256];

	err[0] = '\0';
	if (bundle_read_memory(data, size, &lim, &b, err, sizeof(err)) == 0)
		check(&b, &lim);
	else if (!err[0] || strchr(err, '\n') || b.entries || b.n)
		abort();
	bundle_release(&b);
	return 0;
}
