/* manifest.c — see manifest.h */
#include "manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "vartype.h"
#include "util.h"

enum msec { SEC_NONE, SEC_BUNDLE, SEC_VAR, SEC_FILE, SEC_SERVICE, SEC_DIR };

struct mctx {
	struct manifest *m;
	enum msec sec;
	int seen_version;
};

int parse_utc(const char *s, time_t *out)
{
	struct tm tm, want, back;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end && *end == 'T')
		end = strptime(end, "T%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	want = tm;
	*out = timegm(&tm);
	/* strptime takes February 30; timegm would roll it into March */
	if (!gmtime_r(out, &back) || back.tm_mday != want.tm_mday || back.tm_mon != want.tm_mon ||
	    back.tm_year != want.tm_year || back.tm_hour != want.tm_hour)
		return -1;
	return 0;
}

int manifest_path_ok(const char *p)
{
	const char *c;

	if (*p != '/' || p[strlen(p) - 1] == '/' || strstr(p, "//") || has_control(p))
		return 0;
	for (c = p; *c; c++) {
		if (*c != '/')
			continue;
		if (c[1] == '.' && (c[2] == '/' || !c[2]))
			return 0;
		if (c[1] == '.' && c[2] == '.' && (c[3] == '/' || !c[3]))
			return 0;
	}
	return 1;
}

static int name_ok(const char *s, const char *extra)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return 0;
	return 1;
}

static int new_section(struct inifile *ini, struct manifest *m, const char *kind, const char *arg)
{
	size_t i;

	if (!strcmp(kind, "var")) {
		if (!name_ok(arg, "_.") || arg[0] == '.' || strstr(arg, ".."))
			return error("%s:%d: bad variable name '%s'", ini->where, ini->line, arg);
		for (i = 0; i < m->nvars; i++)
			if (!strcmp(m->vars[i].name, arg))
				return error("%s:%d: variable '%s' declared twice", ini->where,
				             ini->line, arg);
		m->vars = xrealloc(m->vars, (m->nvars + 1) * sizeof(*m->vars));
		memset(&m->vars[m->nvars], 0, sizeof(*m->vars));
		m->vars[m->nvars].name = xstrdup(arg);
		m->vars[m->nvars].type = VT_INVALID;
		m->vars[m->nvars].key_type = VT_STRING;
		m->vars[m->nvars++].line = ini->line;
		return 0;
	}
	if (!strcmp(kind, "dir")) {
		if (!manifest_path_ok(arg))
			return error("%s:%d: folder path '%s' must be absolute and normalised",
			             ini->where, ini->line, arg);
		for (i = 0; i < m->ndirs; i++)
			if (!strcmp(m->dirs[i].path, arg))
				return error("%s:%d: folder '%s' listed twice", ini->where,
				             ini->line, arg);
		m->dirs = xrealloc(m->dirs, (m->ndirs + 1) * sizeof(*m->dirs));
		memset(&m->dirs[m->ndirs], 0, sizeof(*m->dirs));
		m->dirs[m->ndirs].path = xstrdup(arg);
		m->dirs[m->ndirs].mode = 0755;
		m->dirs[m->ndirs++].line = ini->line;
		return 0;
	}
	if (!strcmp(kind, "file")) {
		if (!manifest_path_ok(arg))
			return error("%s:%d: file path '%s' must be absolute and normalised",
			             ini->where, ini->line, arg);
		for (i = 0; i < m->nfiles; i++)
			if (!strcmp(m->files[i].path, arg))
				return error("%s:%d: file '%s' listed twice", ini->where, ini->line,
				             arg);
		m->files = xrealloc(m->files, (m->nfiles + 1) * sizeof(*m->files));
		memset(&m->files[m->nfiles], 0, sizeof(*m->files));
		m->files[m->nfiles].path = xstrdup(arg);
		m->files[m->nfiles].mode = 0644;
		m->files[m->nfiles].replace = 1;
		m->files[m->nfiles++].line = ini->line;
		return 0;
	}
	if (!name_ok(arg, "@._:-"))
		return error("%s:%d: bad service name '%s'", ini->where, ini->line, arg);
	for (i = 0; i < m->nservices; i++)
		if (!strcmp(m->services[i].name, arg))
			return error("%s:%d: service '%s' listed twice", ini->where, ini->line,
			             arg);
	m->services = xrealloc(m->services, (m->nservices + 1) * sizeof(*m->services));
	memset(&m->services[m->nservices], 0, sizeof(*m->services));
	m->services[m->nservices].name = xstrdup(arg);
	m->services[m->nservices].enable = 1;
	m->services[m->nservices++].line = ini->line;
	return 0;
}

static int man_section_cb(struct inifile *ini, const char *section)
{
	struct mctx *c = ini->user;
	char kind[INIFILE_SECTION_BUF], arg[INIFILE_SECTION_BUF];
	int form = inifile_split_section(section, kind, arg);

	if (form == 0 && !strcmp(section, "bundle")) {
		c->sec = SEC_BUNDLE;
		return 0;
	}
	if (form <= 0 || (strcmp(kind, "var") && strcmp(kind, "file") && strcmp(kind, "service") &&
	                  strcmp(kind, "dir"))) {
		return error("%s:%d: unknown section [%s] (expected [bundle], [var NAME], [file "
		             "PATH], [dir PATH], [service NAME])",
		             ini->where, ini->line, section);
	}
	c->sec = !strcmp(kind, "var")    ? SEC_VAR
	         : !strcmp(kind, "file") ? SEC_FILE
	         : !strcmp(kind, "dir")  ? SEC_DIR
	                                 : SEC_SERVICE;
	return new_section(ini, c->m, kind, arg);
}

static int set_str(struct inifile *ini, char **slot, const char *key, const char *v)
{
	if (*slot)
		return error("%s:%d: '%s' is set twice", ini->where, ini->line, key);
	if (has_control(v))
		return error("%s:%d: '%s' holds a control character", ini->where, ini->line, key);
	*slot = xstrdup(v);
	return 0;
}

static int set_bool(struct inifile *ini, int *slot, const char *key, const char *v)
{
	int b = parse_bool(v);

	if (b < 0)
		return error("%s:%d: '%s' must be yes or no, not '%s'", ini->where, ini->line, key,
		             v);
	*slot = b;
	return 0;
}

static int bundle_key(struct inifile *ini, struct mctx *c, const char *key, const char *v)
{
	struct manifest *m = c->m;
	char *end;

	if (!strcmp(key, "role"))
		return set_str(ini, &m->role, key, v);
	if (!strcmp(key, "version")) {
		errno = 0;
		m->version = strtoll(v, &end, 10);
		if (errno || !*v || *end || m->version < 0)
			return error("%s:%d: version must be a non-negative integer, not '%s'",
			             ini->where, ini->line, v);
		c->seen_version = 1;
		return 0;
	}
	if (!strcmp(key, "expires")) {
		if (parse_utc(v, &m->expires) < 0)
			return error("%s:%d: expires must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, "
			             "not '%s'",
			             ini->where, ini->line, v);
		m->has_expires = 1;
		return 0;
	}
	return error("%s:%d: unknown key '%s' in [bundle]", ini->where, ini->line, key);
}

static int var_key(struct inifile *ini, struct mvar *var, const char *key, const char *v)
{
	enum vtype t;

	if (!strcmp(key, "type") || !strcmp(key, "key-type")) {
		t = vtype_parse(v);
		if (t == VT_INVALID || (t == VT_SECTION && key[0] == 'k'))
			return error("%s:%d: unknown type '%s'", ini->where, ini->line, v);
		if (key[0] == 'k')
			var->key_type = t;
		else
			var->type = t;
		return 0;
	}
	if (!strcmp(key, "default"))
		return set_str(ini, &var->def, key, v);
	if (!strcmp(key, "secret"))
		return set_bool(ini, &var->secret, key, v);
	if (!strcmp(key, "list"))
		return set_bool(ini, &var->list, key, v);
	return error("%s:%d: unknown key '%s' in [var %s]", ini->where, ini->line, key, var->name);
}

static int split_list(const char *v, char ***out, size_t *n)
{
	char *copy = xstrdup(v), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok = strtrim(tok);
		if (!*tok)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = xstrdup(tok);
	}
	free(copy);
	return 0;
}

static int parse_mode(struct inifile *ini, unsigned *out, const char *v)
{
	char *end;
	unsigned long mode;

	errno = 0;
	mode = strtoul(v, &end, 8);
	if (errno || !*v || *end || mode > 07777)
		return error("%s:%d: mode must be octal (e.g. 0644), not '%s'", ini->where,
		             ini->line, v);
	*out = (unsigned)mode;
	return 0;
}

static int families_key(struct inifile *ini, struct mfamilies *f, const char *v)
{
	size_t i;

	if (f->n)
		return error("%s:%d: 'os-family' is set twice", ini->where, ini->line);
	split_list(v, &f->names, &f->n);
	for (i = 0; i < f->n; i++)
		if (!name_ok(f->names[i], "_-"))
			return error("%s:%d: bad os-family '%s'", ini->where, ini->line,
			             f->names[i]);
	return 0;
}

static int dir_key(struct inifile *ini, struct mdir *d, const char *key, const char *v)
{
	if (!strcmp(key, "owner"))
		return set_str(ini, &d->owner, key, v);
	if (!strcmp(key, "group"))
		return set_str(ini, &d->group, key, v);
	if (!strcmp(key, "mode"))
		return parse_mode(ini, &d->mode, v);
	if (!strcmp(key, "os-family"))
		return families_key(ini, &d->families, v);
	return error("%s:%d: unknown key '%s' in [dir %s]", ini->where, ini->line, key, d->path);
}

static int file_key(struct inifile *ini, struct mfile *f, const char *key, const char *v)
{
	if (!strcmp(key, "generate"))
		return set_str(ini, &f->generate, key, v);
	if (!strcmp(key, "os-family"))
		return families_key(ini, &f->families, v);
	if (!strcmp(key, "template"))
		return set_str(ini, &f->template, key, v);
	if (!strcmp(key, "source"))
		return set_str(ini, &f->source, key, v);
	if (!strcmp(key, "owner"))
		return set_str(ini, &f->owner, key, v);
	if (!strcmp(key, "group"))
		return set_str(ini, &f->group, key, v);
	if (!strcmp(key, "validate"))
		return set_str(ini, &f->validate, key, v);
	if (!strcmp(key, "notify"))
		return split_list(v, &f->notify, &f->nnotify);
	if (!strcmp(key, "mode"))
		return parse_mode(ini, &f->mode, v);
	if (!strcmp(key, "replace"))
		return set_bool(ini, &f->replace, key, v);
	if (!strcmp(key, "foreach"))
		return set_str(ini, &f->foreach, key, v);
	return error("%s:%d: unknown key '%s' in [file %s]", ini->where, ini->line, key, f->path);
}

static int man_key_cb(struct inifile *ini, const char *section, const char *key, const char *v)
{
	struct mctx *c = ini->user;
	struct manifest *m = c->m;
	struct mservice *s;

	switch (c->sec) {
	case SEC_BUNDLE:
		return bundle_key(ini, c, key, v);
	case SEC_VAR:
		return var_key(ini, &m->vars[m->nvars - 1], key, v);
	case SEC_FILE:
		return file_key(ini, &m->files[m->nfiles - 1], key, v);
	case SEC_DIR:
		return dir_key(ini, &m->dirs[m->ndirs - 1], key, v);
	case SEC_SERVICE:
		s = &m->services[m->nservices - 1];
		if (!strcmp(key, "enable"))
			return set_bool(ini, &s->enable, key, v);
		if (!strcmp(key, "restart-on-change"))
			return set_bool(ini, &s->restart, key, v);
		if (!strcmp(key, "os-family"))
			return families_key(ini, &s->families, v);
		return error("%s:%d: unknown key '%s' in [service %s]", ini->where, ini->line, key,
		             s->name);
	case SEC_NONE:
		break;
	}
	return error("%s:%d: '%s' outside of any section", ini->where, ini->line, key);
}

static int check_var(const struct manifest *m, const struct mvar *v)
{
	const char *dot = strchr(v->name, '.');
	const struct mvar *parent;
	char *pname;

	if (v->type == VT_INVALID)
		return error("%s:%d: [var %s] needs a type", m->where, v->line, v->name);
	if (v->type == VT_SECTION && (v->list || v->def || v->secret || dot))
		return error("%s:%d: [var %s] of type section takes only key-type", m->where,
		             v->line, v->name);
	if (!dot)
		return 0;
	if (strchr(dot + 1, '.'))
		return error("%s:%d: [var %s]: only one level of section keys", m->where, v->line,
		             v->name);
	pname = xstrndup(v->name, (size_t)(dot - v->name));
	parent = manifest_var(m, pname);
	free(pname);
	if (!parent || parent->type != VT_SECTION)
		return error("%s:%d: [var %s]: '%.*s' is not declared with type = section",
		             m->where, v->line, v->name, (int)(dot - v->name), v->name);
	if (!strcmp(dot + 1, "name"))
		return error("%s:%d: [var %s]: 'name' is the section's own name", m->where, v->line,
		             v->name);
	return 0;
}

static int check_file(const struct manifest *m, struct mfile *f)
{
	size_t i, j;

	if (!!f->template + !!f->source + !!f->generate != 1)
		return error("%s:%d: [file %s] needs exactly one of template, source or generate",
		             m->where, f->line, f->path);
	if (f->foreach) {
		const struct mvar *v = manifest_var(m, f->foreach);

		if (!v || v->type != VT_SECTION)
			return error("%s:%d: [file %s]: foreach '%s' is not declared with type = "
			             "section",
			             m->where, f->line, f->path, f->foreach);
		if (!strstr(f->path, "{{name}}") ||
		    strstr(f->path, "{{name}}") < strrchr(f->path, '/'))
			return error(
			        "%s:%d: [file %s]: a foreach path holds {{name}} in its last part",
			        m->where, f->line, f->path);
		if (f->generate)
			return error("%s:%d: [file %s]: foreach takes a template or a source",
			             m->where, f->line, f->path);
	} else if (strstr(f->path, "{{")) {
		return error("%s:%d: [file %s]: {{name}} in a path needs foreach = SECTION",
		             m->where, f->line, f->path);
	}
	if (!f->owner)
		f->owner = xstrdup("root");
	if (!f->group)
		f->group = xstrdup("root");
	for (i = 0; i < f->nnotify; i++) {
		for (j = 0; j < m->nservices; j++)
			if (!strcmp(m->services[j].name, f->notify[i]))
				break;
		if (j == m->nservices)
			return error(
			        "%s:%d: [file %s] notifies '%s', which has no [service] section",
			        m->where, f->line, f->path, f->notify[i]);
	}
	return 0;
}

static int manifest_check(struct manifest *m, const struct mctx *c)
{
	size_t i;

	if (!m->role || !c->seen_version)
		return error("%s: [bundle] needs 'role' and 'version'", m->where);
	for (i = 0; i < m->nvars; i++)
		if (check_var(m, &m->vars[i]) < 0)
			return -1;
	for (i = 0; i < m->nfiles; i++)
		if (check_file(m, &m->files[i]) < 0)
			return -1;
	for (i = 0; i < m->ndirs; i++) {
		if (!m->dirs[i].owner)
			m->dirs[i].owner = xstrdup("root");
		if (!m->dirs[i].group)
			m->dirs[i].group = xstrdup("root");
	}
	return 0;
}

int manifest_parse(const char *where, const char *text, size_t len, struct manifest *out)
{
	struct mctx c;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.m = out;
	out->where = xstrdup(where);
	if (inifile_read(where, text, len, man_section_cb, man_key_cb, &c) < 0 ||
	    manifest_check(out, &c) < 0) {
		manifest_release(out);
		return -1;
	}
	return 0;
}

const struct mvar *manifest_var(const struct manifest *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nvars; i++)
		if (!strcmp(m->vars[i].name, name))
			return &m->vars[i];
	return NULL;
}

int manifest_applies(const struct mfamilies *f, const char *family)
{
	size_t i;

	if (!f->n)
		return 1;
	for (i = 0; family && i < f->n; i++)
		if (!strcmp(f->names[i], family))
			return 1;
	return 0;
}

char *manifest_foreach_path(const struct mfile *f, const char *name)
{
	struct buf b = BUF_INIT;
	const char *p = f->path, *hit;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		error("[file %s]: section name '%s' cannot be part of a path", f->path, name);
		return NULL;
	}
	while ((hit = strstr(p, "{{name}}"))) {
		buf_add(&b, p, (size_t)(hit - p));
		buf_puts(&b, name);
		p = hit + strlen("{{name}}");
	}
	buf_puts(&b, p);
	if (!manifest_path_ok(b.data)) {
		error("[file %s]: '%s' is not an acceptable path", f->path, b.data);
		buf_release(&b);
		return NULL;
	}
	return b.data;
}

static void families_free(struct mfamilies *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->names[i]);
	free(f->names);
}

void manifest_release(struct manifest *m)
{
	size_t i, j;

	if (!m)
		return;
	for (i = 0; i < m->nvars; i++) {
		free(m->vars[i].name);
		free(m->vars[i].def);
	}
	for (i = 0; i < m->nfiles; i++) {
		struct mfile *f = &m->files[i];

		free(f->path);
		free(f->template);
		free(f->source);
		free(f->owner);
		free(f->group);
		free(f->validate);
		free(f->generate);
		free(f->content);
		free(f->foreach);
		families_free(&f->families);
		for (j = 0; j < f->nnotify; j++)
			free(f->notify[j]);
		free(f->notify);
	}
	for (i = 0; i < m->nservices; i++) {
		free(m->services[i].name);
		families_free(&m->services[i].families);
	}
	for (i = 0; i < m->ndirs; i++) {
		free(m->dirs[i].path);
		free(m->dirs[i].owner);
		free(m->dirs[i].group);
		families_free(&m->dirs[i].families);
	}
	free(m->dirs);
	free(m->vars);
	free(m->files);
	free(m->services);
	free(m->where);
	free(m->role);
	memset(m, 0, sizeof(*m));
}
