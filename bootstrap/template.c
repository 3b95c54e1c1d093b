/*
 * template.c — see template.h
 *
 * Two stages.  tpl_compile() (template_parse.c) scans a template once, left
 * to right, and turns it into a flat array of tokens: text runs, variables,
 * sections, blocks and parents (each knowing the index just past its body)
 * and partials.  Set-delimiter tags, comments and the standalone-line rules
 * are handled there, so rendering never looks at the source again.
 * render_range() then walks the tokens against a context stack.  Partials
 * and parents are compiled once per tpl_render() call and kept in a small
 * hash table.
 *
 * Indentation travels as a struct indent: the bytes to put at each line
 * start of the template being rendered (from the standalone partial, parent
 * and block tags that led to it) and the bytes to take off first (the
 * indentation of a standalone block's own body, which is re-indented to
 * wherever the block is expanded).
 *
 * Inheritance.  A parent tag renders its template with one more frame on a
 * chain of block arguments; a block tag renders the argument given by the
 * outermost frame that has one of its name, else its own body.  An argument
 * is rendered with the chain as it stood where it was written, so that a
 * template's blocks are only filled by the templates that include it.
 */
#include "template.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "template_int.h"

#define DEPTH_DEFAULT 16                   /* partial nesting when opts say 0 */
#define OUTPUT_DEFAULT ((size_t)256 << 20) /* work limit when opts say 0 */

struct indent {
	const char *add; /* put at the start of each line ... */
	size_t alen;
	const char *del; /* ... after taking off as much of this as is there */
	size_t dlen;
};

struct frame {
	const struct tpl *t;       /* template holding the parent tag */
	size_t tok;                /* index of its T_PARENT token */
	const struct frame *outer; /* the chain where the parent tag was rendered */
};

struct partial_ent {
	char *name;      /* owned; NULL for a free slot */
	struct tpl *tpl; /* owned; NULL when the partial does not exist */
};

struct ctx {
	const struct tpl_opts *o;
	int max_depth; /* partial and parent nesting cap */
	int depth;     /* partials and parents currently open */
	size_t limit;  /* cap on bytes written plus tokens visited */
	size_t steps;  /* tokens visited */
	size_t out0;   /* out->len when rendering started */
	struct buf *out;
	int *used_secret;
	char *err;
	size_t errlen;
	const struct tv **stack; /* owned array; the values are borrowed */
	size_t sn, scap;
	struct partial_ent *parts; /* owned hash table of compiled partials */
	size_t np, pcap;           /* entries used; slots (0 or a power of two) */
	/* indentation still owed to the first line of a block expanded at a
	 * standalone tag, written before the next output (borrowed) */
	const char *pend;
	size_t plen;
};

static const struct indent no_indent = {"", 0, "", 0};

static int rerr(struct ctx *c, const struct tpl *t, size_t line, const char *fmt, ...) PRINTF(4, 5);

static int rerr(struct ctx *c, const struct tpl *t, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tpl_verr(c->err, c->errlen, t->name, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- output ----------------------------------------------------------- */

static int render_range(struct ctx *c, const struct tpl *t, size_t from, size_t to,
                        const struct indent *in, const struct frame *env);

static void push_ctx(struct ctx *c, const struct tv *v)
{
	if (c->sn == c->scap) {
		c->scap = c->scap ? c->scap * 2 : 16;
		c->stack = xrealloc(c->stack, c->scap * sizeof(*c->stack));
	}
	c->stack[c->sn++] = v;
}

/* Resolve a name: "." is the top of the stack; the first part of a dotted
 * name is looked up from the top of the stack down, the others only inside
 * what the previous part found.  NULL when undefined. */
static const struct tv *lookup(const struct ctx *c, const struct tok *k)
{
	const char *part = k->parts;
	const struct tv *v = NULL;
	size_t i;

	if (!c->sn)
		return NULL;
	if (!k->nparts)
		return c->stack[c->sn - 1];
	for (i = c->sn; i-- > 0 && !v;)
		v = tv_get(c->stack[i], part);
	for (i = 1; v && i < k->nparts; i++) {
		part += strlen(part) + 1;
		v = tv_get(v, part);
	}
	return v;
}

static void flush_pending(struct ctx *c)
{
	if (c->plen) {
		buf_add(c->out, c->pend, c->plen);
		c->plen = 0;
	}
}

static void add_escaped(struct buf *out, const char *s, size_t n)
{
	size_t i, run = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		default:
			continue;
		}
		buf_add(out, s + run, i - run);
		buf_puts(out, rep);
		run = i + 1;
	}
	buf_add(out, s + run, n - run);
}

static void emit_value(struct ctx *c, const struct tok *k, const struct tv *v)
{
	if (!v)
		return;
	if (v->secret && c->used_secret)
		*c->used_secret = 1;
	if (v->kind == TV_BOOL) {
		flush_pending(c);
		buf_puts(c->out, v->b ? "true" : "false");
	} else if (v->kind == TV_STRING) {
		if (v->len)
			flush_pending(c);
		if (k->kind == T_VAR && c->o->escape)
			add_escaped(c->out, v->str, v->len);
		else
			buf_add(c->out, v->str, v->len);
	}
}

/* A line of the template starts at p: take off what in->del has of its
 * blanks, then put in->add. */
static const char *line_start(struct ctx *c, const char *p, const char *end,
                              const struct indent *in)
{
	size_t i = 0;

	while (i < in->dlen && p + i < end && p[i] == in->del[i])
		i++;
	c->plen = 0;
	buf_add(c->out, in->add, in->alen);
	return p + i;
}

/* Text, indented as `in` says at each line start of the template. */
static void emit_text(struct ctx *c, const struct tok *k, const struct indent *in)
{
	const char *p = k->text, *end = k->text + k->len, *nl;

	if (!in->alen && !in->dlen) {
		if (k->len) {
			flush_pending(c);
			buf_add(c->out, p, k->len);
		}
		return;
	}
	if (k->bol)
		p = line_start(c, p, end, in);
	else if (k->len)
		flush_pending(c);
	while ((nl = memchr(p, '\n', (size_t)(end - p))) && nl + 1 < end) {
		buf_add(c->out, p, (size_t)(nl + 1 - p));
		p = line_start(c, nl + 1, end, in);
	}
	buf_add(c->out, p, (size_t)(end - p));
}

/* The indentation of what a standalone tag leads to, whose own indentation
 * (as written in the template) is raw: in->add, then raw less what in->del
 * takes off.  Only out->add is set; tmp may hold it. */
static void reindent(const struct indent *in, const char *raw, size_t rlen, struct buf *tmp,
                     struct indent *out)
{
	size_t i = 0;

	while (i < in->dlen && i < rlen && raw[i] == in->del[i])
		i++;
	raw += i;
	rlen -= i;
	if (!in->alen || !rlen) {
		out->add = in->alen ? in->add : raw;
		out->alen = in->alen ? in->alen : rlen;
		return;
	}
	buf_add(tmp, in->add, in->alen);
	buf_add(tmp, raw, rlen);
	out->add = tmp->data;
	out->alen = tmp->len;
}

/* ---- sections and blocks ---------------------------------------------- */

static int with_context(struct ctx *c, const struct tv *v, const struct tpl *t, size_t i,
                        const struct indent *in, const struct frame *env)
{
	int ret;

	push_ctx(c, v);
	ret = render_range(c, t, i + 1, t->toks[i].end, in, env);
	c->sn--;
	return ret;
}

static int render_section(struct ctx *c, const struct tpl *t, size_t i, const struct indent *in,
                          const struct frame *env)
{
	const struct tok *k = &t->toks[i];
	const struct tv *v = lookup(c, k);
	size_t j;

	if (!v && c->o->strict)
		return rerr(c, t, k->line, "undefined variable '%s'", k->name);
	/* a section over a secret bool tells its value, over a secret list its
	 * length; over a secret string only whether it is empty */
	if (v && v->secret && v->kind != TV_STRING && c->used_secret)
		*c->used_secret = 1;
	if (k->kind == T_INVERTED)
		return tv_truthy(v) ? 0 : render_range(c, t, i + 1, k->end, in, env);
	if (!tv_truthy(v))
		return 0;
	if (v->kind != TV_LIST)
		return with_context(c, v, t, i, in, env);
	for (j = 0; j < v->n; j++)
		if (with_context(c, v->items[j], t, i, in, env))
			return -1;
	return 0;
}

/* The argument for block k from the outermost parent tag on the chain env
 * that gives one (its first, when it gives several): its template, index
 * and the chain it was written in.  *at stays NULL when there is none. */
static void find_arg(struct ctx *c, const struct tok *k, const struct frame *env,
                     const struct tpl **at, size_t *ai, const struct frame **aenv)
{
	const struct frame *f;
	size_t j;

	*at = NULL;
	for (f = env; f; f = f->outer) {
		for (j = f->t->toks[f->tok].link; j; j = f->t->toks[j].link) {
			c->steps++;
			if (!strcmp(f->t->toks[j].name, k->name)) {
				*at = f->t;
				*ai = j;
				*aenv = f->outer;
				break;
			}
		}
	}
}

/* {{$name}}: its argument, else its own body; re-indented at a standalone
 * tag.  Expanding an argument goes back into the template that gave it, so
 * it counts toward the nesting cap like a partial (which also bounds how
 * deep the C stack gets). */
static int render_block(struct ctx *c, const struct tpl *t, size_t i, const struct indent *in,
                        const struct frame *env)
{
	const struct tok *k = &t->toks[i], *a;
	const struct tpl *at;
	const struct frame *aenv = env;
	struct indent nin = *in;
	struct buf tmp = BUF_INIT;
	const char *opend = c->pend;
	size_t ai = i, oplen = c->plen;
	int ret, arg;

	find_arg(c, k, env, &at, &ai, &aenv);
	arg = at != NULL;
	if (!arg)
		at = t;
	if (arg && c->depth >= c->max_depth)
		return rerr(c, t, k->line, "block '%s' nested deeper than %d levels", k->name,
		            c->max_depth);
	a = &at->toks[ai];
	if (k->standalone) {
		reindent(in, k->text, k->len, &tmp, &nin);
	} else if (arg) {
		nin.add = "";
		nin.alen = 0;
	}
	if (k->standalone || arg) {
		nin.del = a->standalone ? a->text : "";
		nin.dlen = a->standalone ? a->len : 0;
	}
	/* the tag's blanks were taken: the first line is owed them */
	if (k->standalone && nin.alen && ai + 1 < a->end &&
	    !(at->toks[ai + 1].kind == T_TEXT && at->toks[ai + 1].bol)) {
		c->pend = nin.add;
		c->plen = nin.alen;
	}
	c->depth += arg;
	ret = render_range(c, at, ai + 1, a->end, &nin, aenv);
	c->depth -= arg;
	if (c->plen) { /* nothing was written: what was owed before still is */
		c->pend = opend;
		c->plen = oplen;
	}
	buf_release(&tmp);
	return ret;
}

/* ---- partials and parents --------------------------------------------- */

static size_t name_hash(const char *s)
{
	return (size_t)fnv1a(s, strlen(s), FNV1A_BASIS);
}

/* The slot of name in the table: its entry, or the free slot for it. */
static struct partial_ent *cache_slot(struct ctx *c, const char *name)
{
	size_t i = name_hash(name) & (c->pcap - 1);

	while (c->parts[i].name && strcmp(c->parts[i].name, name))
		i = (i + 1) & (c->pcap - 1);
	return &c->parts[i];
}

static void cache_grow(struct ctx *c)
{
	struct partial_ent *old = c->parts;
	size_t n = c->pcap, i;

	c->pcap = n ? n * 2 : 16;
	c->parts = xcalloc(c->pcap, sizeof(*c->parts));
	for (i = 0; i < n; i++)
		if (old[i].name)
			*cache_slot(c, old[i].name) = old[i];
	free(old);
}

/* The name partial or parent k includes: as written, or for {{>*x}} the
 * string x gives.  *name stays NULL when a dynamic name gives nothing
 * usable (an error in strict mode). */
static int target_name(struct ctx *c, const struct tpl *t, const struct tok *k, const char **name)
{
	const struct tv *v;
	char tmp[TPL_NAME_SHOW + 1];
	size_t i;

	*name = k->dyn ? NULL : k->name;
	if (!k->dyn)
		return 0;
	v = lookup(c, k);
	if (!v)
		return c->o->strict ? rerr(c, t, k->line, "undefined variable '%s'", k->name + 1)
		                    : 0;
	if (v->kind != TV_STRING)
		return c->o->strict ? rerr(c, t, k->line, "dynamic name '%s' is not a string",
		                           k->name + 1)
		                    : 0;
	if (v->secret)
		return c->o->strict ? rerr(c, t, k->line,
		                           "dynamic name '%s' is a secret, not a template name",
		                           k->name + 1)
		                    : 0;
	for (i = 0; i < v->len && tpl_name_byte(v->str[i]); i++)
		;
	if (!v->len || i < v->len || v->len > TPL_NAME_MAX)
		return c->o->strict ? rerr(c, t, k->line,
		                           "dynamic name '%s' gives '%s', not a template name",
		                           k->name + 1, tpl_shown(tmp, v->str, v->len))
		                    : 0;
	*name = v->str;
	return 0;
}

/* The compiled template called name, from the cache or the callback; *pt
 * stays NULL when it does not exist (an error in strict mode). */
static int get_partial(struct ctx *c, const struct tpl *t, const struct tok *k, const char *name,
                       const struct tpl **pt)
{
	struct partial_ent *e = c->pcap ? cache_slot(c, name) : NULL;
	const char *text = NULL;
	size_t len = 0;
	struct tpl *nt = NULL;

	if (!e || !e->name) {
		if (c->o->partial && !c->o->partial(c->o->partial_ctx, name, &text, &len) &&
		    tpl_compile(name, text ? text : "", text ? len : 0, 1, c->err, c->errlen, &nt))
			return -1;
		if (2 * (c->np + 1) > c->pcap)
			cache_grow(c);
		e = cache_slot(c, name);
		e->name = xstrdup(name);
		e->tpl = nt;
		c->np++;
	}
	*pt = e->tpl;
	if (*pt || !c->o->strict)
		return 0;
	if (k->dyn)
		return rerr(c, t, k->line, "%s '%s' (named by '%s') not found",
		            k->kind == T_PARENT ? "parent" : "partial", name, k->name + 1);
	return rerr(c, t, k->line, "%s '%s' not found", k->kind == T_PARENT ? "parent" : "partial",
	            name);
}

/* {{>name}}, and {{<name}}...{{/name}} which also puts its block arguments
 * on the chain: the named template, indented when the tag was standalone.
 * Both count toward the nesting cap. */
static int render_include(struct ctx *c, const struct tpl *t, size_t i, const struct indent *in,
                          const struct frame *env)
{
	const struct tok *k = &t->toks[i];
	const struct frame f = {t, i, env};
	struct indent nin = no_indent;
	struct buf tmp = BUF_INIT;
	const struct tpl *pt = NULL;
	const char *name;
	int ret = -1;

	if (target_name(c, t, k, &name))
		goto out;
	if (name && c->depth >= c->max_depth) {
		rerr(c, t, k->line, "%s '%s' nested deeper than %d levels",
		     k->kind == T_PARENT ? "parent" : "partial", name, c->max_depth);
		goto out;
	}
	if (name && get_partial(c, t, k, name, &pt))
		goto out;
	ret = 0;
	if (!pt)
		goto out;
	/* only a standalone tag indents; nested ones add to the outer indent */
	if (k->standalone)
		reindent(in, k->text, k->len, &tmp, &nin);
	c->depth++;
	ret = render_range(c, pt, 0, pt->n, &nin, k->kind == T_PARENT ? &f : env);
	c->depth--;
out:
	buf_release(&tmp);
	return ret;
}

static int render_range(struct ctx *c, const struct tpl *t, size_t from, size_t to,
                        const struct indent *in, const struct frame *env)
{
	const struct tok *k;
	const struct tv *v;
	size_t i;

	for (i = from; i < to; i++) {
		k = &t->toks[i];
		if (++c->steps + (c->out->len - c->out0) > c->limit)
			return rerr(c, t, k->line, "template expands beyond the limit of %zu bytes",
			            c->limit);
		switch (k->kind) {
		case T_TEXT:
			emit_text(c, k, in);
			break;
		case T_VAR:
		case T_RAW:
			v = lookup(c, k);
			if (!v && c->o->strict)
				return rerr(c, t, k->line, "undefined variable '%s'", k->name);
			emit_value(c, k, v);
			break;
		case T_SECTION:
		case T_INVERTED:
			if (render_section(c, t, i, in, env))
				return -1;
			i = k->end - 1;
			break;
		case T_BLOCK:
			if (render_block(c, t, i, in, env))
				return -1;
			i = k->end - 1;
			break;
		case T_PARTIAL:
		case T_PARENT:
			if (render_include(c, t, i, in, env))
				return -1;
			if (k->kind == T_PARENT)
				i = k->end - 1;
			break;
		}
	}
	return 0;
}

int tpl_render(const char *name, const char *text, size_t len, const struct tv *data,
               const struct tpl_opts *opts, struct buf *out, int *used_secret, char *err,
               size_t errlen)
{
	static const struct tpl_opts defaults;
	struct tpl *t = NULL;
	struct ctx c;
	size_t i;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.o = opts ? opts : &defaults;
	c.max_depth = c.o->max_depth > 0 ? c.o->max_depth : DEPTH_DEFAULT;
	c.limit = c.o->max_output ? c.o->max_output : OUTPUT_DEFAULT;
	c.out = out;
	c.out0 = out->len;
	c.used_secret = used_secret;
	c.err = err;
	c.errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	if (tpl_compile(name ? name : "template", text ? text : "", text ? len : 0, 0, err, errlen,
	                &t))
		goto out;
	push_ctx(&c, data);
	if (c.o->scope)
		push_ctx(&c, c.o->scope);
	ret = render_range(&c, t, 0, t->n, &no_indent, NULL);
out:
	for (i = 0; i < c.pcap; i++) {
		free(c.parts[i].name);
		tpl_free(c.parts[i].tpl);
	}
	free(c.parts);
	free(c.stack);
	tpl_free(t);
	return ret;
}
