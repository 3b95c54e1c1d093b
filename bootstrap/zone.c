/* zone.c — see zone.h */
#include "zone.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pool.h"

/* One set of the output: type, TTL and values, borrowed from the records
 * except own and key.  The owner name is made when the set is written, so
 * that a zone of 100,000 sets does not hold it for each. */
struct rset {
	const struct r53_record *rec;  /* the record (or alias) it came from */
	const struct r53_record *data; /* where values and TTL come from */
	const char *type;              /* the output type: rec's, or CNAME */
	struct r53_record *own;        /* owned or NULL: a CNAME made of an alias */
	const char *key;               /* canonical sort key, in the render's pool */
};

/* Route 53 name to bytes: \ooo octal escapes resolved, final dot kept. */
static void unescape(const char *s, struct buf *out)
{
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			buf_putc(out, (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
			s += 3;
		} else if (s[0] == '\\' && s[1]) {
			buf_putc(out, *++s);
		} else {
			buf_putc(out, *s);
		}
	}
}

void zone_name(const char *r53name, const char *zone, struct buf *out)
{
	struct buf raw = BUF_INIT;
	size_t zl = strlen(zone), n, i;
	const unsigned char *c;

	unescape(r53name, &raw);
	n = raw.len;
	if (n && raw.data[n - 1] == '.')
		n--;
	if (n == zl && !strncasecmp(raw.data, zone, zl)) {
		buf_putc(out, '@');
		goto out;
	}
	if (n > zl + 1 && raw.data[n - zl - 1] == '.' && !strncasecmp(raw.data + n - zl, zone, zl))
		n -= zl + 1; /* relative: the $ORIGIN completes it */
	else
		n = raw.len; /* outside the zone: absolute, final dot kept */
	for (i = 0, c = (const unsigned char *)raw.data; i < n; i++, c++) {
		if (*c == '*' && i == 0 && (n == 1 || c[1] == '.'))
			buf_putc(out, '*');
		else if (isalnum(*c) || *c == '-' || *c == '_' || *c == '.' || *c == '/')
			buf_putc(out, (char)*c);
		else
			buf_printf(out, "\\%03u", *c); /* BIND escapes are decimal */
	}
out:
	buf_release(&raw);
}

/* One character string of up to 255 bytes, quoted for BIND. */
static void put_string(const unsigned char *s, size_t len, struct buf *out)
{
	size_t i;

	buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_printf(out, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			buf_printf(out, "\\%03u", s[i]);
		else
			buf_putc(out, (char)s[i]);
	}
	buf_putc(out, '"');
}

/* Next string of a TXT value into raw: quoted with escapes, or a bare word. */
static const char *next_string(const char *p, struct buf *raw)
{
	int quoted = *p == '"';

	buf_reset(raw);
	if (quoted)
		p++;
	for (; *p && (quoted ? *p != '"' : *p != ' '); p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			buf_putc(raw, (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0')));
			p += 3;
		} else if (p[0] == '\\' && p[1]) {
			buf_putc(raw, *++p);
		} else {
			buf_putc(raw, *p);
		}
	}
	return *p ? p + 1 : p;
}

void zone_txt(const char *value, struct buf *out)
{
	struct buf raw = BUF_INIT;
	const char *p = value;
	size_t off, chunk;
	int first = 1;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		p = next_string(p, &raw);
		off = 0;
		do {
			chunk = raw.len - off > 255 ? 255 : raw.len - off;
			if (!first)
				buf_putc(out, ' ');
			put_string((const unsigned char *)(raw.data ? raw.data : "") + off, chunk,
			           out);
			first = 0;
			off += chunk;
		} while (off < raw.len);
	}
	if (first)
		buf_puts(out, "\"\"");
	buf_release(&raw);
}

/* Canonical order key of a name into key: labels from the right,
 * lower-cased, '\1' after each; raw is scratch. */
static void order_key_into(const char *r53name, struct buf *raw, struct buf *key)
{
	size_t end, start;

	buf_reset(raw);
	buf_reset(key);
	unescape(r53name, raw);
	end = raw->len;
	if (end && raw->data[end - 1] == '.')
		end--;
	while (end > 0) {
		start = end;
		while (start > 0 && raw->data[start - 1] != '.')
			start--;
		for (size_t i = start; i < end; i++)
			buf_putc(key, (char)tolower((unsigned char)raw->data[i]));
		buf_putc(key, '\1');
		end = start ? start - 1 : 0;
	}
	buf_grow(key, 0); /* data set even for the root */
}

/* The same, kept in pool. */
static const char *order_key(const char *r53name, struct buf *raw, struct buf *key,
                             struct pool *pool)
{
	order_key_into(r53name, raw, key);
	return pool_strndup(pool, key->data, key->len);
}

static int type_rank(const char *t)
{
	if (!strcmp(t, "SOA"))
		return 0;
	return strcmp(t, "NS") ? 2 : 1;
}

/* Sets a (key ka) and b (key kb) in output order. */
static int set_cmp(const struct rset *a, const char *ka, const struct rset *b, const char *kb)
{
	int c = strcmp(ka, kb);

	if (c)
		return c;
	c = type_rank(a->type) - type_rank(b->type);
	if (c)
		return c;
	c = strcmp(a->type, b->type);
	if (c)
		return c;
	/* sets of one name and type: a stable order of their identifiers */
	return strcmp(a->rec->set_id ? a->rec->set_id : "", b->rec->set_id ? b->rec->set_id : "");
}

static int rset_cmp(const void *pa, const void *pb)
{
	const struct rset *a = pa, *b = pb;

	return set_cmp(a, a->key, b, b->key);
}

/* The synced zone (index into all) that holds id, or nall. */
static size_t synced_zone(const char *alias_zone, const struct zone_src *all, size_t nall)
{
	const char *id = alias_zone ? strrchr(alias_zone, '/') : NULL;
	size_t i;

	id = id ? id + 1 : alias_zone;
	for (i = 0; id && i < nall; i++)
		if (!strcmp(all[i].id, id))
			break;
	return id ? i : nall;
}

/* The record an alias points at: same type, in a synced zone. */
static const struct r53_record *alias_target(const struct r53_record *alias,
                                             const struct zone_src *all, size_t nall, int depth)
{
	size_t i = synced_zone(alias->alias_zone, all, nall), j;

	for (; depth < 4 && alias->alias_name && i < nall; i = nall) {
		for (j = 0; j < all[i].recs->n; j++) {
			const struct r53_record *r = &all[i].recs->recs[j];

			if (!r53_name_eq(r->name, alias->alias_name) ||
			    strcmp(r->type, alias->type))
				continue;
			return r->alias_name ? alias_target(r, all, nall, depth + 1) : r;
		}
	}
	return NULL;
}

/* An alias whose target is in no synced zone. */
static int outside(const struct r53_record *r, const struct zone_src *all, size_t nall)
{
	return r->alias_name && synced_zone(r->alias_zone, all, nall) == nall;
}

/* May the aliases out of the synced zones at the name of record i be one
 * CNAME: not the apex, and every record set of that name such an alias, to
 * one target.  The record sets of a name are next to each other (zone.h). */
static int cname_fits(const struct zone_src *z, size_t i, const struct zone_src *all, size_t nall)
{
	const struct r53_record *r = &z->recs->recs[i], *o;
	size_t j;

	if (r53_name_eq(r->name, z->name))
		return 0;
	for (j = i; j > 0 && r53_name_eq(z->recs->recs[j - 1].name, r->name); j--)
		;
	for (; j < z->recs->n && r53_name_eq((o = &z->recs->recs[j])->name, r->name); j++)
		if (!outside(o, all, nall) || !r53_name_eq(o->alias_name, r->alias_name))
			return 0;
	return 1;
}

enum zone_alias zone_alias_kind(const struct zone_src *z, const struct zone_src *all, size_t nall,
                                size_t i)
{
	const struct r53_record *r = &z->recs->recs[i];

	if (!r->alias_name)
		return ZONE_ALIAS_NOT;
	if (!outside(r, all, nall))
		return alias_target(r, all, nall, 0) ? ZONE_ALIAS_SYNCED : ZONE_ALIAS_MISSING;
	if (cname_fits(z, i, all, nall))
		return ZONE_ALIAS_CNAME;
	if (!strcmp(r->type, "A") || !strcmp(r->type, "AAAA"))
		return ZONE_ALIAS_ADDRESS;
	return ZONE_ALIAS_NONE;
}

/* The looked-up addresses of an alias's target, or NULL. */
static const struct r53_record *alias_addrs(const struct zone_src *z, const struct r53_record *r)
{
	size_t i;

	for (i = 0; z->addrs && i < z->addrs->n; i++) {
		const struct r53_record *a = &z->addrs->recs[i];

		if (a->nvalues && !strcmp(a->type, r->type) && r53_name_eq(a->name, r->alias_name))
			return a;
	}
	return NULL;
}

char *zone_alias_problem(const struct zone_src *z, const struct zone_src *all, size_t nall,
                         size_t i)
{
	const struct r53_record *r = &z->recs->recs[i];
	const char *why;

	switch (zone_alias_kind(z, all, nall, i)) {
	case ZONE_ALIAS_MISSING:
		why = "its target is not in the synced zone";
		break;
	case ZONE_ALIAS_NONE:
		why = "outside the synced zones, where a CNAME may not be, and not of type A or "
		      "AAAA";
		break;
	case ZONE_ALIAS_ADDRESS:
		if (alias_addrs(z, r))
			return NULL;
		why = "outside the synced zones, where a CNAME may not be, and its addresses "
		      "were not looked up";
		break;
	default:
		return NULL;
	}
	return xasprintf("zone %s: alias %s %s -> %s: %s: left out", z->name, r->name, r->type,
	                 r->alias_name, why);
}

/* A CNAME record to an alias's target, with the zone's alias TTL. */
static struct r53_record *alias_cname(const struct zone_src *z, const struct r53_record *r)
{
	struct r53_record *c = xcalloc(1, sizeof(*c));
	size_t n = strlen(r->alias_name);

	c->ttl = z->alias_ttl;
	c->values = xcalloc(1, sizeof(*c->values));
	c->values[0] =
	        xasprintf("%s%s", r->alias_name, n && r->alias_name[n - 1] == '.' ? "" : ".");
	c->nvalues = 1;
	return c;
}

static void own_free(struct r53_record *c)
{
	if (c) {
		free(c->values[0]);
		free(c->values);
		free(c);
	}
}

/* The set record i of z gives: 1 and *set (its own CNAME in set->own),
 * or 0 when it gives none (an alias left out: a warning when warn). */
static int make_set(const struct zone_src *z, const struct zone_src *all, size_t nall, size_t i,
                    int warn, struct rset *set)
{
	const struct r53_record *r = &z->recs->recs[i], *data = r;
	enum zone_alias kind = zone_alias_kind(z, all, nall, i);
	char *why;

	memset(set, 0, sizeof(*set));
	set->type = r->type;
	if (kind == ZONE_ALIAS_SYNCED || kind == ZONE_ALIAS_MISSING)
		data = alias_target(r, all, nall, 0);
	else if (kind == ZONE_ALIAS_ADDRESS)
		data = alias_addrs(z, r);
	else if (kind == ZONE_ALIAS_NONE)
		data = NULL;
	if (kind == ZONE_ALIAS_CNAME) {
		data = set->own = alias_cname(z, r);
		set->type = "CNAME";
	}
	if (!data) {
		why = warn ? zone_alias_problem(z, all, nall, i) : NULL;
		if (why)
			warning("%s", why);
		free(why);
		return 0;
	}
	set->rec = r;
	set->data = data;
	return 1;
}

/* The output sets: aliases resolved, made CNAMEs or dropped, in canonical
 * order; their keys go into pool. */
static struct rset *collect(const struct zone_src *z, const struct zone_src *all, size_t nall,
                            int warn, struct pool *pool, size_t *count)
{
	struct rset *sets = xcalloc(z->recs->n ? z->recs->n : 1, sizeof(*sets));
	struct buf raw = BUF_INIT, key = BUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < z->recs->n; i++) {
		if (!make_set(z, all, nall, i, warn, &sets[n]))
			continue;
		sets[n].key = order_key(sets[n].rec->name, &raw, &key, pool);
		n++;
	}
	buf_release(&raw);
	buf_release(&key);
	qsort(sets, n, sizeof(*sets), rset_cmp);
	*count = n;
	return sets;
}

/* Route 53 lists a zone's record sets by name with the labels reversed,
 * which is the output order of names (not of the types within a name).
 * Whether the names are in order, without keeping a key per set: marks[i]
 * gets SET_GIVES when record i gives a set, SET_SAME_NAME when that set's
 * name is the one of the set before; 0 when a name is out of order. */
#define SET_GIVES 1
#define SET_SAME_NAME 2
static int in_order(const struct zone_src *z, const struct zone_src *all, size_t nall,
                    unsigned char *marks)
{
	struct buf raw = BUF_INIT, keys[2] = {BUF_INIT, BUF_INIT};
	struct rset set;
	size_t i, have = 0, k = 0;
	int ok = 1, c;

	for (i = 0; ok && i < z->recs->n; i++) {
		marks[i] = 0;
		if (!make_set(z, all, nall, i, 0, &set))
			continue;
		own_free(set.own);
		order_key_into(set.rec->name, &raw, &keys[k]);
		marks[i] = SET_GIVES;
		c = have ? strcmp(keys[!k].data, keys[k].data) : -1;
		ok = c <= 0;
		if (c == 0)
			marks[i] |= SET_SAME_NAME;
		have = 1;
		k = !k;
	}
	buf_release(&raw);
	buf_release(&keys[0]);
	buf_release(&keys[1]);
	return ok;
}

/* The sets of one name (equal keys) in output order; stable, as the sort
 * of the whole zone is, and short. */
static void sort_name(struct rset *g, size_t n)
{
	struct rset t;
	size_t i, j;

	for (i = 1; i < n; i++) {
		t = g[i];
		for (j = i; j > 0 && set_cmp(&g[j - 1], "", &t, "") > 0; j--)
			g[j] = g[j - 1];
		g[j] = t;
	}
}

static int soa_value(const char *v, unsigned long serial, struct buf *out)
{
	char f[7][256];

	if (sscanf(v, "%255s %255s %255s %255s %255s %255s %255s", f[0], f[1], f[2], f[3], f[4],
	           f[5], f[6]) != 7)
		return -1;
	buf_printf(out, "%s %s %lu %s %s %s %s", f[0], f[1], serial, f[3], f[4], f[5], f[6]);
	return 0;
}

static int value_text(const char *type, const char *v, unsigned long serial, struct buf *out)
{
	if (!strcmp(type, "TXT") || !strcmp(type, "SPF")) {
		zone_txt(v, out);
		return 0;
	}
	if (!strcmp(type, "SOA"))
		return soa_value(v, serial, out);
	buf_puts(out, v);
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Which sets of a name/type group are served (see zone.h). */
static int kept(const struct rset *g, size_t n, size_t i)
{
	int primary = 0, weighted = 0;
	size_t j;

	for (j = 0; j < n; j++) {
		primary |= g[j].rec->failover && !strcmp(g[j].rec->failover, "PRIMARY");
		weighted |= g[j].rec->weight > 0;
	}
	if (primary)
		return g[i].rec->failover && !strcmp(g[i].rec->failover, "PRIMARY");
	if (weighted)
		return g[i].rec->weight != 0;
	return 1;
}

/* One name and type: the kept sets' values united, sorted, once each. */
static int emit_group(const struct zone_src *z, const struct rset *g, size_t n,
                      unsigned long serial, struct buf *out, size_t *nrecords)
{
	struct buf v = BUF_INIT, owner = BUF_INIT;
	char **vals = NULL;
	size_t nv = 0, i, j;
	long ttl = -1;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		if (!kept(g, n, i))
			continue;
		if (ttl < 0 || g[i].data->ttl < ttl)
			ttl = g[i].data->ttl;
		for (j = 0; j < g[i].data->nvalues; j++) {
			buf_reset(&v);
			if (value_text(g[i].type, g[i].data->values[j], serial, &v) < 0) {
				ret = error("zone record %s %s: malformed value '%s'",
				            g[i].rec->name, g[i].type, g[i].data->values[j]);
				break;
			}
			vals = xrealloc(vals, (nv + 1) * sizeof(*vals));
			vals[nv++] = xstrdup(v.data ? v.data : "");
		}
	}
	if (nv > 1)
		qsort(vals, nv, sizeof(*vals), str_cmp);
	if (nv)
		zone_name(g[0].rec->name, z->name, &owner);
	for (i = 0; ret == 0 && i < nv; i++) {
		if (i == 0 || strcmp(vals[i], vals[i - 1])) {
			buf_printf(out, "%s\t%ld\tIN\t%s\t%s\n", owner.data ? owner.data : "@", ttl,
			           g[0].type, vals[i]);
			(*nrecords)++;
		}
	}
	for (i = 0; i < nv; i++)
		free(vals[i]);
	free(vals);
	buf_release(&v);
	buf_release(&owner);
	return ret;
}

/* About the bytes the zone takes (a little more, as names become relative):
 * out grows once, not by doubling, where each step may leave the smaller
 * copy behind in the heap. */
static size_t size_guess(const struct zone_src *z)
{
	const struct r53_record *r;
	size_t i, j, n = 64;

	for (i = 0; i < z->recs->n; i++) {
		r = &z->recs->recs[i];
		for (j = 0; j < r->nvalues; j++)
			n += strlen(r->name) + strlen(r->values[j]) + 24;
	}
	return n;
}

/* The zone with its names in the order of the records (in_order() said
 * so): the sets of each name made, sorted and written as they come. */
static int render_in_order(const struct zone_src *z, const struct zone_src *all, size_t nall,
                           unsigned long serial, int warn, const unsigned char *marks,
                           struct buf *out, size_t *nrecords)
{
	struct rset *g = NULL;
	size_t i, j, k, m, n, cap = 0;
	int ret = 0;

	for (i = 0; i < z->recs->n && ret == 0; i = j) {
		for (n = 0, j = i; j < z->recs->n && (j == i || !(marks[j] & SET_GIVES) ||
		                                      (marks[j] & SET_SAME_NAME));
		     j++) {
			if (n == cap) {
				cap = cap ? 2 * cap : 8;
				g = xrealloc(g, cap * sizeof(*g));
			}
			if (make_set(z, all, nall, j, warn, &g[n]))
				n++;
		}
		sort_name(g, n);
		for (k = 0; k < n && ret == 0; k = m) {
			for (m = k + 1; m < n && !strcmp(g[m].type, g[k].type); m++)
				;
			ret = emit_group(z, g + k, m - k, serial, out, nrecords);
		}
		while (n > 0)
			own_free(g[--n].own);
	}
	free(g);
	return ret;
}

int zone_render(const struct zone_src *z, const struct zone_src *all, size_t nall,
                unsigned long serial, int warn, struct buf *out, size_t *nrecords)
{
	unsigned char *marks = xmalloc(z->recs->n ? z->recs->n : 1);
	struct pool *keys = NULL;
	struct rset *sets = NULL;
	size_t n = 0, i, j;
	int ret = 0;

	*nrecords = 0;
	buf_grow(out, size_guess(z));
	buf_printf(out, "$ORIGIN %s.\n", z->name);
	if (in_order(z, all, nall, marks)) {
		ret = render_in_order(z, all, nall, serial, warn, marks, out, nrecords);
		goto out;
	}
	keys = pool_new();
	sets = collect(z, all, nall, warn, keys, &n);
	for (i = 0; i < n && ret == 0; i = j) {
		for (j = i + 1; j < n && !strcmp(sets[j].key, sets[i].key) &&
		                !strcmp(sets[j].type, sets[i].type);
		     j++)
			;
		ret = emit_group(z, sets + i, j - i, serial, out, nrecords);
	}
	for (i = 0; i < n; i++)
		own_free(sets[i].own);
out:
	free(sets);
	pool_free(keys);
	free(marks);
	return ret;
}
