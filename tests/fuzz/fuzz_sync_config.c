/*
 * fuzz_sync_config.c — the sync agent's config parser (sync_config_parse)
 * on arbitrary input.  Besides crashes and leaks it checks what the parser
 * promises on success: a directory, at least one zone, every zone a valid
 * domain name (no final dot; it becomes a file name) listed once
 * (case-insensitively), id and private not both, resolvers with an
 * address and a port, defaults filled in, intervals within bounds, no
 * credentials; on failure a released (zeroed) config.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sync.h"
#include "vartype.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct sync_config *c)
{
	const char *why;
	size_t i, j, n;

	if (!c->directory || !*c->directory || !c->endpoint || !c->checkzone || !c->status ||
	    !c->nzones || c->interval < 0 || c->interval > 86400 || c->jitter < 0 ||
	    c->jitter > 86400 || c->alias_ttl < 0 || c->alias_ttl > 86400 || c->creds.key_id ||
	    c->creds.secret || c->creds.token)
		abort();
	for (i = 0; i < c->nresolvers; i++)
		if (!c->resolvers[i].addr[0] || c->resolvers[i].port < 1 ||
		    c->resolvers[i].port > 65535)
			abort();
	for (i = 0; i < c->nzones; i++) {
		n = strlen(c->zones[i].name);
		if (vtype_check(VT_HOSTNAME, c->zones[i].name, &why) < 0 ||
		    c->zones[i].name[n - 1] == '.')
			abort();
		if (c->zones[i].id && (!*c->zones[i].id || has_control(c->zones[i].id)))
			abort();
		if (c->zones[i].private_zone < -1 || c->zones[i].private_zone > 1 ||
		    (c->zones[i].id && c->zones[i].private_zone >= 0))
			abort();
		for (j = 0; j < i; j++)
			if (!strcasecmp(c->zones[i].name, c->zones[j].name))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sync_config zero;
	struct sync_config c;

	msg_set_silent(1);
	if (sync_config_parse("fuzz.ini", (const char *)data, size, &c) == 0) {
		check(&c);
		sync_config_release(&c);
	} else if (memcmp(&c, &zero, sizeof(c))) {
		abort();
	}
	return 0;
}
