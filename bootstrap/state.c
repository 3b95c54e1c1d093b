/* state.c — see state.h */
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "rootfs.h"

void state_add_file(struct state *st, const char *path, const char *sha256, unsigned mode,
                    const char *owner, const char *group)
{
	struct state_file *f;

	st->files = xrealloc(st->files, (st->n + 1) * sizeof(*st->files));
	f = &st->files[st->n++];
	f->path = xstrdup(path);
	f->owner = xstrdup(owner);
	f->group = xstrdup(group);
	snprintf(f->sha256, sizeof(f->sha256), "%s", sha256);
	f->mode = mode;
}

void state_add_var(struct state *st, const char *name, const char *value)
{
	st->vars = xrealloc(st->vars, (st->nvars + 1) * sizeof(*st->vars));
	st->vars[st->nvars].name = xstrdup(name);
	st->vars[st->nvars++].value = xstrdup(value);
}

static int parse_file_line(struct state *st, char *rest)
{
	char sha[65], owner[256], group[256];
	unsigned mode;
	int used = 0;

	if (sscanf(rest, "%64s %o %255s %255s %n", sha, &mode, owner, group, &used) != 4 || !used ||
	    rest[used] != '/')
		return -1;
	state_add_file(st, rest + used, sha, mode, owner, group);
	return 0;
}

static int parse_number(const char *s, long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* Replaces *slot (owned) with a copy of value: a repeated line wins. */
static void set_string(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

/* One non-empty line "KEY VALUE", split in place; -1 when malformed. */
static int parse_line(struct state *st, char *line)
{
	long long n;

	char *sp = strchr(line, ' ');
	char *key = line, *val;

	if (!sp)
		return -1;
	*sp = '\0';
	val = sp + 1;
	if (!strcmp(key, "role"))
		set_string(&st->role, val);
	else if (!strcmp(key, "bundle"))
		set_string(&st->bundle, val);
	else if (!strcmp(key, "version")) {
		if (parse_number(val, &st->version) < 0)
			return -1;
		st->has_version = 1;
	} else if (!strcmp(key, "blake2b"))
		snprintf(st->blake2b, sizeof(st->blake2b), "%s", val);
	else if (!strcmp(key, "sha256")) /* states written before blake2b */
		snprintf(st->sha256, sizeof(st->sha256), "%s", val);
	else if (!strcmp(key, "key"))
		snprintf(st->keyid, sizeof(st->keyid), "%s", val);
	else if (!strcmp(key, "time")) {
		if (parse_number(val, &n) < 0)
			return -1;
		st->time = (time_t)n;
	} else if (!strcmp(key, "source") && !st->source)
		st->source = xstrdup(val);
	else if (!strcmp(key, "var")) {
		char *eq = strchr(val, '=');

		if (!eq || eq == val)
			return -1;
		*eq = '\0';
		state_add_var(st, val, eq + 1);
	} else if (!strcmp(key, "file"))
		return parse_file_line(st, val);
	return 0; /* unknown keys are left for newer versions */
}

int state_parse(const char *where, const char *text, size_t len, struct state *st)
{
	char *copy = xmalloc(len + 1), *line, *nl, *end = copy + len, *nul;
	int ret = -1, lineno = 0;

	memset(st, 0, sizeof(*st));
	if (len)
		memcpy(copy, text, len);
	*end = '\0';
	nul = memchr(copy, '\0', len); /* the first one; the line holding it is refused */
	/* Every '\n' ends a line, so that blank lines count as an editor
	 * counts them. */
	for (line = copy; line < end; line = nl + 1) {
		lineno++;
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		*nl = '\0';
		if (nul && nul < nl) {
			error("%s:%d: NUL byte in the state", where, lineno);
			goto cleanup;
		}
		if (*line && parse_line(st, line) < 0) {
			error("%s:%d: malformed state line", where, lineno);
			goto cleanup;
		}
	}
	if (!st->role || !st->has_version) {
		error("%s: no %s recorded", where, st->role ? "version" : "role");
		goto cleanup;
	}
	if (!st->bundle)
		st->bundle = xstrdup("");
	st->present = 1;
	ret = 0;
cleanup:
	if (ret < 0)
		state_release(st);
	free(copy);
	return ret;
}

int state_load(const char *root, struct state *st)
{
	struct rootfs r;
	char *path = root_path(root, STATE_PATH);
	struct buf text = BUF_INIT;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	rootfs_init(&r, root);
	if (rootfs_read(&r, STATE_PATH, 16u << 20, &text) < 0) {
		if (errno == ENOENT)
			ret = 0;
		else
			rootfs_fail(&r, STATE_PATH, "cannot read the state");
		goto cleanup;
	}
	ret = state_parse(path, text.data, text.len, st);
cleanup:
	buf_release(&text);
	rootfs_release(&r);
	free(path);
	return ret;
}

void state_format(const struct state *st, struct buf *out)
{
	size_t i;

	buf_printf(out, "role %s\nversion %lld\nbundle %s\nblake2b %s\n", st->role, st->version,
	           st->bundle, st->blake2b);
	if (st->sha256[0])
		buf_printf(out, "sha256 %s\n", st->sha256);
	buf_printf(out, "key %s\ntime %lld\n", st->keyid, (long long)st->time);
	if (st->source)
		buf_printf(out, "source %s\n", st->source);
	for (i = 0; i < st->nvars; i++)
		buf_printf(out, "var %s=%s\n", st->vars[i].name, st->vars[i].value);
	for (i = 0; i < st->n; i++)
		buf_printf(out, "file %s %04o %s %s %s\n", st->files[i].sha256, st->files[i].mode,
		           st->files[i].owner, st->files[i].group, st->files[i].path);
}

int state_same(const struct state *a, const struct state *b)
{
	size_t i;

	if (!a->present || !b->present || strcmp(a->role, b->role) || a->version != b->version ||
	    strcmp(a->bundle, b->bundle) || strcmp(a->blake2b, b->blake2b) ||
	    strcmp(a->sha256, b->sha256) || strcmp(a->keyid, b->keyid) || a->n != b->n ||
	    a->nvars != b->nvars || strcmp(a->source ? a->source : "", b->source ? b->source : ""))
		return 0;
	for (i = 0; i < a->nvars; i++)
		if (strcmp(a->vars[i].name, b->vars[i].name) ||
		    strcmp(a->vars[i].value, b->vars[i].value))
			return 0;
	for (i = 0; i < a->n; i++) {
		const struct state_file *x = &a->files[i], *y = &b->files[i];

		if (strcmp(x->path, y->path) || strcmp(x->sha256, y->sha256) ||
		    x->mode != y->mode || strcmp(x->owner, y->owner) || strcmp(x->group, y->group))
			return 0;
	}
	return 1;
}

static void iso_time(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void state_describe(const struct state *st, int json, struct buf *out)
{
	char when[32];
	size_t i;

	iso_time(st->time, when);
	if (!json) {
		if (!st->present) {
			buf_puts(out, "nothing applied\n");
			return;
		}
		buf_printf(out, "role:    %s\nversion: %lld\nsource:  %s\nbundle:  %s\n", st->role,
		           st->version, st->source ? st->source : "(not recorded)", st->bundle);
		if (st->blake2b[0] || !st->sha256[0])
			buf_printf(out, "blake2b: %s\n", st->blake2b);
		if (st->sha256[0])
			buf_printf(out, "sha256:  %s\n", st->sha256);
		buf_printf(out, "key:     %s\napplied: %s\nfiles:   %zu\n", st->keyid, when, st->n);
		for (i = 0; i < st->n; i++)
			buf_printf(out, "  %04o %s:%s %s\n", st->files[i].mode, st->files[i].owner,
			           st->files[i].group, st->files[i].path);
		return;
	}
	buf_printf(out, "{\"applied\":%s", st->present ? "true" : "false");
	if (st->present) {
		buf_puts(out, ",\"role\":");
		json_str(out, st->role);
		buf_printf(out, ",\"version\":%lld,\"source\":", st->version);
		if (st->source)
			json_str(out, st->source);
		else
			buf_puts(out, "null");
		buf_puts(out, ",\"bundle\":");
		json_str(out, st->bundle);
		if (st->blake2b[0])
			buf_printf(out, ",\"blake2b\":\"%s\"", st->blake2b);
		else
			buf_puts(out, ",\"blake2b\":null");
		if (st->sha256[0])
			buf_printf(out, ",\"sha256\":\"%s\"", st->sha256);
		buf_printf(out, ",\"key\":\"%s\",\"time\":\"%s\",\"files\":[", st->keyid, when);
		for (i = 0; i < st->n; i++) {
			buf_puts(out, i ? ",{\"path\":" : "{\"path\":");
			json_str(out, st->files[i].path);
			buf_printf(out, ",\"sha256\":\"%s\",\"mode\":\"%04o\",\"owner\":",
			           st->files[i].sha256, st->files[i].mode);
			json_str(out, st->files[i].owner);
			buf_puts(out, ",\"group\":");
			json_str(out, st->files[i].group);
			buf_putc(out, '}');
		}
		buf_putc(out, ']');
	}
	buf_puts(out, "}\n");
}

void state_release(struct state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		free(st->files[i].path);
		free(st->files[i].owner);
		free(st->files[i].group);
	}
	free(st->files);
	for (i = 0; i < st->nvars; i++) {
		free(st->vars[i].name);
		free(st->vars[i].value);
	}
	free(st->vars);
	free(st->source);
	free(st->role);
	free(st->bundle);
	memset(st, 0, sizeof(*st));
}
