/* vars.c — see vars.h */
#include "vars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "vartype.h"
#include "util.h"

static const char *const reserved[] = {"role", "bundle", "host", "kernel"};

/* Where a value came from and what it is called; messages are built from
 * these only when a value is refused, so that good values cost nothing. */
struct source {
	const char *kind, *sname; /* section kind and name, or NULL */
	const char *name;         /* variable or key name */
	const char *what;         /* file, "--var", "kernel command line" */
	int line;                 /* 0 when what has no lines */
	int is_default;
};

static void refuse(const struct mvar *var, const struct source *src, const char *why,
                   const char *item)
{
	char origin[512], label[512];

	if (src->line)
		snprintf(origin, sizeof(origin), "%s:%d%s", src->what, src->line,
		         src->is_default ? " (default)" : "");
	else
		snprintf(origin, sizeof(origin), "%s", src->what);
	if (src->kind)
		snprintf(label, sizeof(label), "%s \"%s\".%s", src->kind, src->sname, src->name);
	else
		snprintf(label, sizeof(label), "%s", src->name);
	if (var->secret)
		error("%s: value of '%s' (secret) %s", origin, label, why);
	else
		error("%s: value of '%s' %s: '%s'", origin, label, why, item);
}

static struct tv *typed_item(const struct tv *near, const struct mvar *var, const char *item)
{
	struct tv *v = var->type == VT_BOOL ? tv_bool_in(near, parse_bool(item))
	                                    : tv_stringn_in(near, item, strlen(item));

	if (var->secret)
		tv_mark_secret(v);
	return v;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One typed value (a list when the declaration says so) or NULL on error;
 * its nodes come from near's pool (valtree.h).  A list is split on commas
 * in place: each item, trimmed, is copied once, into its node. */
static struct tv *typed(const struct tv *near, const struct mvar *var, const struct source *src,
                        const char *text)
{
	struct tv *out, *item;
	const char *p, *end, *comma, *why;

	if (!var->list) {
		if (vtype_check(var->type, text, &why) < 0) {
			refuse(var, src, why, text);
			return NULL;
		}
		return typed_item(near, var, text);
	}
	out = tv_list_in(near);
	if (var->secret)
		tv_mark_secret(out); /* even its length is not to be shown */
	for (p = text;; p = comma + 1) {
		comma = strchr(p, ',');
		end = comma ? comma : p + strlen(p);
		while (p < end && blank(*p))
			p++;
		while (end > p && blank(end[-1]))
			end--;
		if (end > p) {
			item = tv_stringn_in(near, p, (size_t)(end - p));
			if (vtype_check(var->type, item->str, &why) < 0) {
				refuse(var, src, why, item->str);
				tv_free(item);
				tv_free(out);
				return NULL;
			}
			if (var->type == VT_BOOL) {
				struct tv *b = typed_item(near, var, item->str);

				tv_free(item);
				item = b;
			} else if (var->secret) {
				tv_mark_secret(item);
			}
			tv_push(out, item);
		}
		if (!comma)
			break;
	}
	return out;
}

static const struct override *find_override(const struct override *ov, size_t nov, const char *name)
{
	const struct override *hit = NULL;
	size_t i;

	for (i = 0; i < nov; i++)
		if (!strcmp(ov[i].name, name))
			hit = &ov[i]; /* the last one wins */
	return hit;
}

static const struct role_kv *find_kv(const struct role_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return &kv[i];
	return NULL;
}

/* Value of one declared scalar/list: override, then role, then default.
 * src names the variable; its origin is filled in here. */
static struct tv *pick(const struct tv *near, const struct manifest *m, const struct mvar *var,
                       struct source *src, const struct role *r, const struct role_kv *kv,
                       const struct override *o)
{
	if (o) {
		src->what = o->origin;
		/* a process's argv and the kernel command line are readable by every
		 * user of the machine (ps, /proc/PID/cmdline, /proc/cmdline) */
		if (var->secret)
			warning("%s: '%s' is a secret variable: its value is visible to every user "
			        "of "
			        "this machine there; set it in the role file (mode 0600) instead",
			        o->origin, src->name);
		return typed(near, var, src, o->value);
	}
	if (kv) {
		src->what = r->source;
		src->line = kv->line;
		return typed(near, var, src, kv->value);
	}
	if (var->def) {
		src->what = m->where;
		src->line = var->line;
		src->is_default = 1;
		return typed(near, var, src, var->def);
	}
	if (var->list) {
		struct tv *empty = tv_list_in(near);

		if (var->secret)
			tv_mark_secret(empty);
		return empty;
	}
	if (src->kind)
		error("%s: no value for '%s \"%s\".%s': the role file must set it",
		      r ? r->source : "role", src->kind, src->sname, src->name);
	else
		error("%s: no value for '%s': the role file must set it", r ? r->source : "role",
		      src->name);
	return NULL;
}

/* The declared keys of one section kind: the variables "kind.key", found
 * once per kind rather than once per section of a large role. */
struct fields {
	const char *kind;         /* borrowed from the manifest */
	size_t klen;              /* its length */
	const struct mvar **vars; /* owned array; the variables are borrowed */
	size_t n;
};

static void fields_of(const struct manifest *m, const char *kind, struct fields *f)
{
	size_t i, klen = strlen(kind);

	f->kind = kind;
	f->klen = klen;
	f->n = 0;
	f->vars = xcalloc(m->nvars ? m->nvars : 1, sizeof(*f->vars));
	for (i = 0; i < m->nvars; i++) {
		const char *n = m->vars[i].name;

		if (!strncmp(n, kind, klen) && n[klen] == '.')
			f->vars[f->n++] = &m->vars[i];
	}
}

/* The key a field variable declares: "primaries" of "zone.primaries". */
static const char *field_key(const struct fields *f, size_t i)
{
	return f->vars[i]->name + f->klen + 1;
}

static int field_declared(const struct fields *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(field_key(f, i), key))
			return 1;
	return 0;
}

/* Every key the role file sets must be declared by the bundle. */
static int check_declared(const struct manifest *m, const struct role *r)
{
	const struct mvar *v;
	struct fields f = {NULL, 0, NULL, 0};
	size_t i, j;
	int rc = -1;

	for (i = 0; i < r->nvars; i++) {
		v = manifest_var(m, r->vars[i].key);
		if (!v || v->type == VT_SECTION || strchr(r->vars[i].key, '.')) {
			error("%s:%d: '%s' is not a variable of bundle '%s'", r->source,
			      r->vars[i].line, r->vars[i].key, m->role);
			goto out;
		}
	}
	for (i = 0; i < r->nsections; i++) {
		const struct role_section *s = &r->sections[i];

		if (!f.kind || strcmp(f.kind, s->kind)) { /* a kind other than the last one's */
			v = manifest_var(m, s->kind);
			if (!v || v->type != VT_SECTION) {
				error("%s:%d: [%s \"%s\"]: bundle '%s' declares no section '%s'",
				      r->source, s->line, s->kind, s->name, m->role, s->kind);
				goto out;
			}
			free(f.vars);
			fields_of(m, v->name, &f);
		}
		for (j = 0; j < s->n; j++) {
			if (!field_declared(&f, s->kv[j].key)) {
				error("%s:%d: '%s' is not a key of section '%s' in bundle '%s'",
				      r->source, s->kv[j].line, s->kv[j].key, s->kind, m->role);
				goto out;
			}
		}
	}
	rc = 0;
out:
	free(f.vars);
	return rc;
}

/* One role section [kind "name"] as a map of its declared keys. */
static struct tv *section_map(const struct tv *near, const struct manifest *m,
                              const struct mvar *sec, const struct fields *f, const struct role *r,
                              const struct role_section *s)
{
	struct tv *map = tv_map_in(near), *v;
	const char *why, *key;
	size_t i;

	if (vtype_check(sec->key_type, s->name, &why) < 0) {
		error("%s:%d: section name of [%s \"%s\"] %s", r->source, s->line, s->kind, s->name,
		      why);
		goto fail;
	}
	tv_set(map, "name", tv_stringn_in(near, s->name, strlen(s->name)));
	for (i = 0; i < f->n; i++) {
		key = field_key(f, i);
		struct source src = {s->kind, s->name, key, NULL, 0, 0};

		v = pick(near, m, f->vars[i], &src, r, find_kv(s->kv, s->n, key), NULL);
		if (!v)
			goto fail;
		tv_set(map, key, v);
	}
	return map;
fail:
	tv_free(map);
	return NULL;
}

static int build_section(const struct manifest *m, const struct mvar *sec, const struct role *r,
                         struct tv *root)
{
	struct tv *list = tv_list_in(root), *item;
	struct fields f;
	size_t i;
	int rc = -1;

	fields_of(m, sec->name, &f);
	for (i = 0; r && i < r->nsections; i++) {
		if (strcmp(r->sections[i].kind, sec->name))
			continue;
		item = section_map(root, m, sec, &f, r, &r->sections[i]);
		if (!item) {
			tv_free(list);
			goto out;
		}
		tv_push(list, item);
	}
	tv_set(root, sec->name, list);
	rc = 0;
out:
	free(f.vars);
	return rc;
}

int vars_build(const struct manifest *m, const struct role *r, const struct override *ov,
               size_t nov, struct tv *root)
{
	const struct override *o;
	const struct mvar *var;
	struct tv *v;
	size_t i, j;

	for (i = 0; i < m->nvars; i++)
		for (j = 0; j < sizeof(reserved) / sizeof(reserved[0]); j++)
			if (!strcmp(m->vars[i].name, reserved[j]))
				return error("%s:%d: '%s' is reserved for facts", m->where,
				             m->vars[i].line, reserved[j]);
	if (r && check_declared(m, r) < 0)
		return -1;
	for (i = 0; i < nov; i++) {
		var = manifest_var(m, ov[i].name);
		if (!var || var->type == VT_SECTION || strchr(ov[i].name, '.'))
			return error("%s: '%s' is not a variable of bundle '%s'", ov[i].origin,
			             ov[i].name, m->role);
	}
	for (i = 0; i < m->nvars; i++) {
		var = &m->vars[i];
		if (var->type == VT_SECTION) {
			if (build_section(m, var, r, root) < 0)
				return -1;
			continue;
		}
		if (strchr(var->name, '.'))
			continue;
		struct source src = {NULL, NULL, var->name, NULL, 0, 0};

		o = find_override(ov, nov, var->name);
		v = pick(root, m, var, &src, r, r ? find_kv(r->vars, r->nvars, var->name) : NULL,
		         o);
		if (!v)
			return -1;
		tv_set(root, var->name, v);
	}
	return 0;
}
