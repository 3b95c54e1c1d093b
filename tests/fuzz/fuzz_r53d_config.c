/*
 * fuzz_r53d_config.c — route53d's config parser (r53d_config_parse) on
 * arbitrary input.  On success: a listen address, 1-64 workers, a port, a
 * fudge within bounds, every zone an absolute lower-case name listed once
 * with an id, every key's client an address listed once with a name and a
 * secret, no credentials; on failure a released (zeroed) config.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "r53d_config.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct r53d_config *c)
{
	size_t i, j, n;

	if (!c->listen_ip || !c->endpoint || c->processes < 1 || c->processes > 64 ||
	    c->listen_port > 65535 || c->fudge < 1 || c->fudge > 3600 || c->creds.key_id ||
	    c->creds.secret)
		abort();
	for (i = 0; i < c->nzones; i++) {
		n = strlen(c->zones[i].name);
		if (!n || c->zones[i].name[n - 1] != '.' || !*c->zones[i].id)
			abort();
		for (j = 0; j < n; j++)
			if (c->zones[i].name[j] >= 'A' && c->zones[i].name[j] <= 'Z')
				abort();
		for (j = 0; j < i; j++)
			if (!strcmp(c->zones[i].name, c->zones[j].name))
				abort();
	}
	for (i = 0; i < c->nkeys; i++) {
		if (!*c->keys[i].client || !*c->keys[i].name || !*c->keys[i].secret)
			abort();
		for (j = 0; j < i; j++)
			if (!strcmp(c->keys[i].client, c->keys[j].client))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct r53d_config zero;
	struct r53d_config c;

	msg_set_silent(1);
	if (r53d_config_parse("fuzz.ini", (const char *)data, size, &c) == 0) {
		check(&c);
		r53d_config_release(&c);
	} else if (memcmp(&c, &zero, sizeof(c))) {
		abort();
	}
	return 0;
}
