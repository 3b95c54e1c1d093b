/* role.c — see role.h */
#include "role.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "inifile.h"
#include "pool.h"
#include "util.h"

struct role_ctx {
	struct role *r;
	struct role_section *cur; /* current list section, or NULL */
	size_t cap;               /* room in r->sections */
	int line_name, line_bundle, line_sig, line_report, line_cacert, line_reapply, line_delay;
	int in_fleet; /* inside [fleet] */
};

/* Keys, values and their arrays come from the role's pool: a role of
 * thousands of zones holds tens of thousands of them. */
static void kv_add(struct role *r, struct role_kv **kv, size_t *n, const char *key,
                   const char *value, int line)
{
	struct role_kv *grown;

	if ((*n & (*n - 1)) == 0) { /* 0, 1, 2, 4, ...: full, double it */
		grown = pool_get(r->pool, (*n ? 2 * *n : 1) * sizeof(*grown));
		if (*n)
			memcpy(grown, *kv, *n * sizeof(*grown));
		*kv = grown;
	}
	(*kv)[*n].key = pool_strdup(r->pool, key);
	(*kv)[*n].value = pool_strdup(r->pool, value);
	(*kv)[*n].line = line;
	(*n)++;
}

/* A key in [vars] or a list section: new, or an indented continuation. */
static int kv_put(struct inifile *ini, struct role *r, struct role_kv **kv, size_t *n,
                  const char *key, const char *value)
{
	size_t i, had, add;
	char *joined, *old;

	for (i = 0; i < *n; i++) {
		if (strcmp((*kv)[i].key, key))
			continue;
		if (!ini->continued)
			return error("%s:%d: '%s' is set twice (first on line %d)", ini->where,
			             ini->line, key, (*kv)[i].line);
		old = (*kv)[i].value;
		had = strlen(old);
		add = strlen(value);
		joined = pool_get(r->pool, had + 2 + add + 1);
		memcpy(joined, old, had);
		if (had) {
			memcpy(joined + had, ", ", 2);
			had += 2;
		}
		memcpy(joined + had, value, add + 1);
		(*kv)[i].value = joined;
		return 0;
	}
	kv_add(r, kv, n, key, value, ini->line);
	return 0;
}

static int role_section_cb(struct inifile *ini, const char *section)
{
	struct role_ctx *c = ini->user;
	struct role *r = c->r;
	char kind[INIFILE_SECTION_BUF], name[INIFILE_SECTION_BUF];
	int form = inifile_split_section(section, kind, name);

	c->cur = NULL;
	c->in_fleet = form == 0 && !strcmp(section, "fleet");
	if (form == 0 && (!strcmp(section, "role") || !strcmp(section, "vars") || c->in_fleet))
		return 0;
	if (form <= 0) {
		return error("%s:%d: unknown section [%s] (expected [role], [vars], [fleet] or "
		             "[KIND \"NAME\"])",
		             ini->where, ini->line, section);
	}
	if (r->nsections == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		r->sections = xrealloc(r->sections, c->cap * sizeof(*r->sections));
	}
	c->cur = &r->sections[r->nsections++];
	memset(c->cur, 0, sizeof(*c->cur));
	c->cur->kind = pool_strdup(r->pool, kind);
	c->cur->name = pool_strdup(r->pool, name);
	c->cur->line = ini->line;
	return 0;
}

/* A systemd time span roleboot accepts: digits and one unit, 1 s to 366 d
 * (s, sec, m, min, h, hour, d, day); kept as written for the timer unit. */
static int span_valid(const char *v)
{
	static const char *const units[] = {"s", "sec", "m", "min", "h", "hour", "d", "day"};
	static const unsigned long long secs[] = {1, 1, 60, 60, 3600, 3600, 86400, 86400};
	unsigned long long n = 0;
	const char *p = v;
	size_t i;

	for (; *p >= '0' && *p <= '9' && n < 100000000ULL; p++)
		n = n * 10 + (unsigned long long)(*p - '0');
	if (p == v || n == 0)
		return 0;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(p, units[i]))
			return n * secs[i] <= 366ULL * 86400;
	return 0;
}

static int set_once(struct inifile *ini, char **slot, int *line, const char *key, const char *v)
{
	if (*slot)
		return error("%s:%d: '%s' is set twice (first on line %d)", ini->where, ini->line,
		             key, *line);
	if (!*v)
		return error("%s:%d: '%s' is empty", ini->where, ini->line, key);
	if (has_control(v))
		return error("%s:%d: '%s' holds a control character", ini->where, ini->line, key);
	*slot = xstrdup(v);
	*line = ini->line;
	return 0;
}

static int role_key(struct inifile *ini, struct role_ctx *c, const char *key, const char *v)
{
	struct role *r = c->r;
	int dummy;

	if (!strcmp(key, "name"))
		return set_once(ini, &r->name, &c->line_name, key, v);
	if (!strcmp(key, "bundle"))
		return set_once(ini, &r->bundle, &c->line_bundle, key, v);
	if (!strcmp(key, "signature"))
		return set_once(ini, &r->signature, &c->line_sig, key, v);
	if (!strcmp(key, "report"))
		return set_once(ini, &r->report, &c->line_report, key, v);
	if (!strcmp(key, "cacert")) {
		if (*v != '/')
			return error("%s:%d: cacert must be an absolute path", ini->where,
			             ini->line);
		return set_once(ini, &r->cacert, &c->line_cacert, key, v);
	}
	if (!strcmp(key, "mirror")) {
		char *m = NULL;

		if (set_once(ini, &m, &dummy, key, v) < 0)
			return -1;
		r->mirrors = xrealloc(r->mirrors, (r->nmirrors + 1) * sizeof(*r->mirrors));
		r->mirrors[r->nmirrors++] = m;
		return 0;
	}
	if (!strcmp(key, "reapply") || !strcmp(key, "reapply-delay")) {
		int delay = key[7] == '-';

		if (strcmp(v, "off") && !span_valid(v))
			return error(
			        "%s:%d: %s wants a time span such as 30min, 2h or 1d%s, not '%s'",
			        ini->where, ini->line, key, delay ? "" : " (or off)", v);
		if (delay && !strcmp(v, "off"))
			return error("%s:%d: reapply-delay wants a time span, not 'off'",
			             ini->where, ini->line);
		return set_once(ini, delay ? &r->reapply_delay : &r->reapply,
		                delay ? &c->line_delay : &c->line_reapply, key, v);
	}
	return error("%s:%d: unknown key '%s' in [role] (expected name, bundle, mirror, signature, "
	             "report, cacert, reapply, reapply-delay)",
	             ini->where, ini->line, key);
}

/* [fleet] belongs to the fleet tool (fleet/): its hosts are checked for
 * form here, used there. */
static int fleet_key(struct inifile *ini, const char *key, const char *v)
{
	if (strcmp(key, "hosts"))
		return error("%s:%d: unknown key '%s' in [fleet] (expected hosts)", ini->where,
		             ini->line, key);
	if (has_control(v))
		return error("%s:%d: 'hosts' holds a control character", ini->where, ini->line);
	return 0;
}

static int role_key_cb(struct inifile *ini, const char *section, const char *key, const char *v)
{
	struct role_ctx *c = ini->user;

	if (c->cur) /* a [KIND "NAME"] section: most keys of a large role */
		return kv_put(ini, c->r, &c->cur->kv, &c->cur->n, key, v);
	if (!strcmp(section, "role"))
		return role_key(ini, c, key, v);
	if (!strcmp(section, "vars"))
		return kv_put(ini, c->r, &c->r->vars, &c->r->nvars, key, v);
	if (c->in_fleet)
		return fleet_key(ini, key, v);
	return error("%s:%d: '%s' outside of any section", ini->where, ini->line, key);
}

/* Sections by kind, name, then place in the file. */
static int section_order(const void *x, const void *y)
{
	const struct role_section *a = *(const struct role_section *const *)x;
	const struct role_section *b = *(const struct role_section *const *)y;
	int c = strcmp(a->kind, b->kind);

	if (!c)
		c = strcmp(a->name, b->name);
	return c ? c : a < b ? -1 : a > b;
}

/* A list section may appear once.  Sorting copies of pointers keeps this
 * O(n log n) for the thousands of zones a role can hold, without a table;
 * the one reported is the earliest second appearance, with its first. */
static int check_duplicates(const struct role *r, const char *where)
{
	const struct role_section **by = NULL, *s = NULL, *t = NULL;
	size_t i;

	if (r->nsections < 2)
		return 0;
	by = xmalloc(r->nsections * sizeof(*by));
	for (i = 0; i < r->nsections; i++)
		by[i] = &r->sections[i];
	qsort(by, r->nsections, sizeof(*by), section_order);
	for (i = 1; i < r->nsections; i++) {
		if (strcmp(by[i]->kind, by[i - 1]->kind) || strcmp(by[i]->name, by[i - 1]->name))
			continue;
		if (i >= 2 && !strcmp(by[i]->kind, by[i - 2]->kind) &&
		    !strcmp(by[i]->name, by[i - 2]->name))
			continue; /* a third appearance: the second is the one to name */
		if (!s || by[i] < s) {
			s = by[i];
			t = by[i - 1];
		}
	}
	free(by);
	if (s)
		return error("%s:%d: section [%s \"%s\"] appears twice (first on line %d)", where,
		             s->line, s->kind, s->name, t->line);
	return 0;
}

/* Make every URL in the role absolute against the role file's own URL. */
static int resolve_urls(struct role *r)
{
	char **slots[3] = {&r->bundle, &r->signature, &r->report};
	size_t i;
	char *abs;

	for (i = 0; i < 3 + r->nmirrors; i++) {
		char **slot = i < 3 ? slots[i] : &r->mirrors[i - 3];

		if (!*slot)
			continue;
		abs = url_resolve(r->where, *slot);
		if (!abs)
			return -1;
		free(*slot);
		*slot = abs;
	}
	return 0;
}

int role_parse(const char *where, const char *base_url, const char *text, size_t len,
               struct role *out)
{
	struct role_ctx c;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.r = out;
	out->pool = pool_new();
	out->where = xstrdup(base_url);
	out->source = xstrdup(where);
	if (inifile_read(where, text, len, role_section_cb, role_key_cb, &c) < 0)
		goto fail;
	if (check_duplicates(out, where) < 0)
		goto fail;
	if (!out->name || !out->bundle) {
		error("%s: [role] needs 'name' and 'bundle'", where);
		goto fail;
	}
	if (resolve_urls(out) < 0)
		goto fail;
	return 0;
fail:
	role_release(out);
	return -1;
}

int role_load(const char *src, struct role *out)
{
	struct buf text = BUF_INIT;
	char *url = url_for_arg(src);
	int ret = ROLE_BAD_URL;

	memset(out, 0, sizeof(*out));
	if (!url)
		goto out;
	ret = ROLE_UNFETCHED;
	if (fetch_to_buf(url, ROLE_MAX_SIZE, &text) < 0)
		goto out;
	ret = role_parse(src, url, text.data ? text.data : "", text.len, out) < 0 ? ROLE_REFUSED
	                                                                          : 0;
out:
	buf_release(&text);
	free(url);
	return ret;
}

void role_release(struct role *r)
{
	size_t i;

	if (!r)
		return;
	free(r->where);
	free(r->source);
	free(r->name);
	free(r->bundle);
	free(r->signature);
	free(r->report);
	free(r->cacert);
	free(r->reapply);
	free(r->reapply_delay);
	for (i = 0; i < r->nmirrors; i++)
		free(r->mirrors[i]);
	free(r->mirrors);
	pool_free(r->pool);
	free(r->sections);
	memset(r, 0, sizeof(*r));
}
