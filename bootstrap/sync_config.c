/* sync_config.c — the sync agent's configuration and AWS credentials; see sync.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "awscreds.h"
#include "inifile.h"
#include "sync.h"
#include "vartype.h"
#include "util.h"
#include "zone.h"

static int set_text(struct inifile *ini, char **slot, const char *key, const char *v)
{
	if (*slot)
		return error("%s:%d: '%s' is set twice", ini->where, ini->line, key);
	if (!*v || has_control(v))
		return error("%s:%d: '%s' is empty or holds a control character", ini->where,
		             ini->line, key);
	*slot = xstrdup(v);
	return 0;
}

static int set_seconds(struct inifile *ini, long *slot, const char *key, const char *v)
{
	char *end;

	errno = 0;
	*slot = strtol(v, &end, 10);
	if (errno || !*v || *end || *slot < 0 || *slot > 86400)
		return error("%s:%d: '%s' must be seconds (0-86400), not '%s'", ini->where,
		             ini->line, key, v);
	return 0;
}

/* resolver = ADDR[:PORT] ...: one or more, separated by spaces or commas. */
static int set_resolvers(struct inifile *ini, struct sync_config *c, const char *v)
{
	char *copy = xstrdup(v), *save = NULL, *word;
	int ret = 0;

	if (c->nresolvers)
		ret = error("%s:%d: 'resolver' is set twice", ini->where, ini->line);
	for (word = strtok_r(copy, " \t,", &save); word && !ret;
	     word = strtok_r(NULL, " \t,", &save)) {
		c->resolvers = xrealloc(c->resolvers, (c->nresolvers + 1) * sizeof(*c->resolvers));
		if (resolve_parse_server(word, &c->resolvers[c->nresolvers++]) < 0)
			ret = error("%s:%d: resolver '%s' is not ADDR, ADDR:PORT or [ADDR6]:PORT",
			            ini->where, ini->line, word);
	}
	if (!ret && !c->nresolvers)
		ret = error("%s:%d: 'resolver' is empty", ini->where, ini->line);
	free(copy);
	return ret;
}

static int sync_key(struct inifile *ini, struct sync_config *c, const char *key, const char *v)
{
	static const char *const text[] = {"directory", "endpoint",    "rndc",
	                                   "checkzone", "credentials", "status"};
	char **slots[] = {&c->directory, &c->endpoint,    &c->rndc,
	                  &c->checkzone, &c->credentials, &c->status};
	size_t i;

	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (!strcmp(key, text[i]))
			return set_text(ini, slots[i], key, v);
	if (!strcmp(key, "interval"))
		return set_seconds(ini, &c->interval, key, v);
	if (!strcmp(key, "jitter"))
		return set_seconds(ini, &c->jitter, key, v);
	if (!strcmp(key, "alias-ttl"))
		return set_seconds(ini, &c->alias_ttl, key, v);
	if (!strcmp(key, "resolver"))
		return set_resolvers(ini, c, v);
	return error("%s:%d: unknown key '%s' in [sync]", ini->where, ini->line, key);
}

static int section_cb(struct inifile *ini, const char *section)
{
	struct sync_config *c = ini->user;
	char kind[INIFILE_SECTION_BUF], name[INIFILE_SECTION_BUF];
	const char *why = NULL;
	int form = inifile_split_section(section, kind, name);
	size_t i, n;

	if (form == 0 && !strcmp(section, "sync"))
		return 0;
	if (form <= 0 || strcmp(kind, "zone"))
		return error("%s:%d: unknown section [%s] (expected [sync] or [zone \"NAME\"])",
		             ini->where, ini->line, section);
	if (vtype_check(VT_HOSTNAME, name, &why) < 0)
		return error("%s:%d: zone \"%s\" %s", ini->where, ini->line, name, why);
	n = strlen(name);
	if (n > 1 && name[n - 1] == '.')
		name[n - 1] = '\0';
	for (i = 0; i < c->nzones; i++) {
		if (!strcasecmp(c->zones[i].name, name))
			return error("%s:%d: zone listed twice", ini->where, ini->line);
	}
	c->zones = xrealloc(c->zones, (c->nzones + 1) * sizeof(*c->zones));
	memset(&c->zones[c->nzones], 0, sizeof(*c->zones));
	c->zones[c->nzones].name = xstrdup(name);
	c->zones[c->nzones].private_zone = -1;
	c->zones[c->nzones++].line = ini->line;
	return 0;
}

static int zone_key(struct inifile *ini, struct sync_zone *z, const char *key, const char *v)
{
	if (!strcmp(key, "private")) {
		if (z->private_zone >= 0)
			return error("%s:%d: 'private' is set twice", ini->where, ini->line);
		if (!strcmp(v, "yes") || !strcmp(v, "no"))
			z->private_zone = !strcmp(v, "yes");
		else
			return error("%s:%d: 'private' must be yes or no, not '%s'", ini->where,
			             ini->line, v);
	} else if (set_text(ini, &z->id, key, v) < 0) {
		return -1;
	}
	if (z->id && z->private_zone >= 0)
		return error("%s:%d: zone %s: 'id' and 'private' both pick the hosted zone: "
		             "give one of them",
		             ini->where, ini->line, z->name);
	return 0;
}

static int key_cb(struct inifile *ini, const char *section, const char *key, const char *v)
{
	struct sync_config *c = ini->user;

	if (!strcmp(section, "sync"))
		return sync_key(ini, c, key, v);
	if (c->nzones && (!strcmp(key, "id") || !strcmp(key, "private")))
		return zone_key(ini, &c->zones[c->nzones - 1], key, v);
	return error("%s:%d: unknown key '%s' in [%s]", ini->where, ini->line, key, section);
}

static int load_credentials(struct sync_config *c)
{
	const char *env_file = getenv("AWS_SHARED_CREDENTIALS_FILE"), *home = getenv("HOME");
	const char *profile = getenv("AWS_PROFILE");
	char *path;
	int ret;

	if (awscreds_env(&c->creds)) {
		ret = 0;
	} else {
		if (c->credentials)
			path = xstrdup(c->credentials);
		else if (env_file && *env_file)
			path = xstrdup(env_file);
		else
			path = xasprintf("%s/.aws/credentials", home && *home ? home : "/root");
		/* a file the config names must be kept from others */
		ret = awscreds_file(path, profile && *profile ? profile : "default",
		                    c->credentials != NULL, &c->creds);
		free(path);
	}
	return ret;
}

static void defaults(struct sync_config *c)
{
	if (!c->endpoint)
		c->endpoint = r53_default_endpoint();
	if (!c->checkzone)
		c->checkzone = xstrdup("named-checkzone");
	if (!c->status)
		c->status = xstrdup("/var/lib/roleboot/sync-status");
}

int sync_config_parse(const char *where, const char *text, size_t len, struct sync_config *c)
{
	int ret = -1;

	memset(c, 0, sizeof(*c));
	c->interval = 60;
	c->jitter = 10;
	c->alias_ttl = ZONE_ALIAS_TTL;
	c->where = xstrdup(where);
	if (inifile_read(where, text, len, section_cb, key_cb, c) < 0)
		goto out;
	if (!c->directory || !c->nzones) {
		error("%s: [sync] needs 'directory' and at least one [zone \"NAME\"]", where);
		goto out;
	}
	defaults(c);
	ret = 0;
out:
	if (ret < 0)
		sync_config_release(c);
	return ret;
}

static int parse_file(const char *where, const char *text, size_t len, void *c)
{
	return sync_config_parse(where, text, len, c);
}

int sync_config_load(const char *path, struct sync_config *c)
{
	int ret;

	memset(c, 0, sizeof(*c));
	ret = read_file_parse(path, 1u << 20, parse_file, c);
	if (ret == 0)
		ret = load_credentials(c);
	if (ret < 0)
		sync_config_release(c);
	return ret;
}

void sync_config_release(struct sync_config *c)
{
	size_t i;

	for (i = 0; i < c->nzones; i++) {
		free(c->zones[i].name);
		free(c->zones[i].id);
		free(c->zones[i].error);
		r53_records_release(&c->zones[i].recs);
	}
	free(c->zones);
	free(c->resolvers);
	free(c->where);
	free(c->directory);
	free(c->endpoint);
	free(c->rndc);
	free(c->checkzone);
	free(c->credentials);
	free(c->status);
	awscreds_release(&c->creds);
	memset(c, 0, sizeof(*c));
}
