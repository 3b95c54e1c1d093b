/*
 * template.c — see template.h
 *
 * Two stages.  compile() scans a template once, left to right, and turns it
 * into a flat array of tokens: text runs, variables, sections (each knowing
 * the index just past its body) and partials.  Set-delimiter tags, comments
 * and the standalone-line rules are handled there, so rendering never looks
 * at the source again.  render_range() then walks the tokens against a
 * context stack.  Partials are compiled once per tpl_render() call and kept
 * in a small cache; the indentation of a standalone partial tag is applied
 * while rendering, at each line start of the partial's own text.
 */
#include "template.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DELIM_MAX 16                      /* longest custom delimiter */
#define NEST_MAX 100                      /* sections open at once, per template */
#define DEPTH_DEFAULT 16                  /* partial nesting when opts say 0 */
#define OUTPUT_DEFAULT ((size_t)256 << 20) /* work limit when opts say 0 */
#define NAME_SHOW 80                      /* bytes of a tag shown in messages */
#define NAME_MAX_LEN 200                  /* longest tag name */

enum tok_kind { T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_PARTIAL };

struct tok {
	enum tok_kind kind;
	int bol;          /* T_TEXT: starts a line of the template */
	int standalone;   /* T_PARTIAL: the tag stood alone on its line */
	const char *text; /* T_TEXT: the bytes; T_PARTIAL: its indentation */
	size_t len;       /* length of text */
	char *name;       /* owned: the name as written, NUL, then its parts */
	size_t nparts;    /* number of dot-separated parts; 0 for "." */
	size_t end;       /* T_SECTION, T_INVERTED: index just past the body */
	size_t line;      /* 1-based line of the tag (or text start) */
};

struct tpl {
	char *name;      /* owned: template or partial name, for messages */
	char *src;       /* owned copy of a partial's text; NULL for the top */
	struct tok *toks; /* owned, with their names */
	size_t n, cap;
};

struct parser {
	struct tpl *t;
	const char *s; /* template text (not owned) */
	size_t len;
	size_t pos;       /* first byte not yet turned into tokens */
	size_t lpos;      /* byte at which line counting stopped ... */
	size_t line;      /* ... and the line it is on */
	char otag[DELIM_MAX + 1];
	size_t olen;
	char ctag[DELIM_MAX + 2]; /* ctag[0] is a slot for '}' or '=' */
	size_t clen;              /* length of ctag + 1 */
	size_t open[NEST_MAX];    /* token indexes of the open sections */
	size_t nopen;
	char *err;
	size_t errlen;
};

struct tag {
	char sigil;       /* '#', '^', '/', '!', '>', '&', '{', '=' or 0 */
	size_t start;     /* offset of the opening delimiter */
	size_t end;       /* offset just past the closing delimiter */
	const char *body; /* content, whitespace trimmed */
	size_t blen;
	size_t line;
	int standalone;
	size_t ws;   /* where the text before the tag ends */
	size_t next; /* where the text after the tag starts */
};

struct partial_ent {
	char *name;      /* owned */
	struct tpl *tpl; /* owned; NULL when the partial does not exist */
};

struct ctx {
	const struct tpl_opts *o;
	int max_depth;  /* partial nesting cap */
	int depth;      /* partials currently open */
	size_t limit;   /* cap on bytes written plus tokens visited */
	size_t steps;   /* tokens visited */
	size_t out0;    /* out->len when rendering started */
	struct buf *out;
	int *used_secret;
	char *err;
	size_t errlen;
	const struct tv **stack; /* owned array; the values are borrowed */
	size_t sn, scap;
	struct partial_ent *parts; /* owned cache of compiled partials */
	size_t np, pcap;
};

/* ---- messages --------------------------------------------------------- */

static void verr(char *err, size_t errlen, const char *name, size_t line, const char *fmt,
		 va_list ap) PRINTF(5, 0);

static void verr(char *err, size_t errlen, const char *name, size_t line, const char *fmt,
		 va_list ap)
{
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s:%zu: ", name, line);
	if (n < 0) {
		err[0] = '\0';
		return;
	}
	if ((size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

static int perr(struct parser *p, size_t line, const char *fmt, ...) PRINTF(3, 4);

static int perr(struct parser *p, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(p->err, p->errlen, p->t->name, line, fmt, ap);
	va_end(ap);
	return -1;
}

static int rerr(struct ctx *c, const struct tpl *t, size_t line, const char *fmt, ...)
	PRINTF(4, 5);

static int rerr(struct ctx *c, const struct tpl *t, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(c->err, c->errlen, t->name, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* Tag text for a message (dst holds NAME_SHOW + 1): cut short, with control
 * bytes shown as '?' so that the message stays on one line. */
static const char *shown(char *dst, const char *s, size_t n)
{
	size_t i;

	if (n > NAME_SHOW)
		n = NAME_SHOW;
	for (i = 0; i < n; i++)
		dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	dst[n] = '\0';
	return dst;
}

/* ---- compiled templates ----------------------------------------------- */

static void tpl_free(struct tpl *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->toks[i].name);
	free(t->toks);
	free(t->src);
	free(t->name);
	free(t);
}

/* Append a zeroed token; the pointer is valid until the next push. */
static struct tok *push_tok(struct tpl *t, enum tok_kind kind, size_t line)
{
	struct tok *k;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->toks = xrealloc(t->toks, t->cap * sizeof(*t->toks));
	}
	k = &t->toks[t->n++];
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->line = line;
	return k;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Bytes allowed in names and delimiters: printable, not blank. */
static int is_name_byte(char c) { return (unsigned char)c > 0x20 && c != 0x7f; }

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Line number of byte off; offsets must be asked for in increasing order. */
static size_t line_at(struct parser *p, size_t off)
{
	const char *nl;

	if (off <= p->lpos)
		return p->line;
	while ((nl = memchr(p->s + p->lpos, '\n', off - p->lpos))) {
		p->line++;
		p->lpos = (size_t)(nl - p->s) + 1;
	}
	p->lpos = off;
	return p->line;
}

/* Text [from, to) as a token; force makes an empty one (a line-start mark). */
static void add_text(struct parser *p, size_t from, size_t to, size_t line, int force)
{
	struct tok *k;

	if (to <= from && !force)
		return;
	k = push_tok(p->t, T_TEXT, line);
	k->text = p->s + from;
	k->len = to > from ? to - from : 0;
	k->bol = from == 0 || p->s[from - 1] == '\n';
}

/* ---- the scanner ------------------------------------------------------ */

/* Find the next tag at or after p->pos: 0 found, 1 none left, -1 error. */
static int find_tag(struct parser *p, struct tag *g)
{
	const char *s = p->s, *hit, *close;
	size_t from, clen;

	hit = memmem(s + p->pos, p->len - p->pos, p->otag, p->olen);
	if (!hit)
		return 1;
	memset(g, 0, sizeof(*g));
	g->start = (size_t)(hit - s);
	g->line = line_at(p, g->start);
	from = g->start + p->olen;
	if (from < p->len && s[from] && strchr("#^/!>&{=", s[from]))
		g->sigil = s[from++];
	close = p->ctag + 1;
	clen = p->clen - 1;
	if (g->sigil == '{' || g->sigil == '=') {
		p->ctag[0] = g->sigil == '{' ? '}' : '=';
		close = p->ctag;
		clen = p->clen;
	}
	hit = memmem(s + from, p->len - from, close, clen);
	if (!hit)
		return perr(p, g->line, "tag is not closed (no '%s' follows '%s')", close,
			    p->otag);
	g->body = s + from;
	g->blen = (size_t)(hit - g->body);
	g->end = (size_t)(hit - s) + clen;
	while (g->blen && is_ws(g->body[0])) {
		g->body++;
		g->blen--;
	}
	while (g->blen && is_ws(g->body[g->blen - 1]))
		g->blen--;
	return 0;
}

/* A section, inverted, close, comment, partial or delimiter tag alone on its
 * line (blanks around it) takes the whole line with it, newline included. */
static void check_standalone(const struct parser *p, struct tag *g)
{
	const char *s = p->s;
	size_t a = g->start, b = g->end;

	g->ws = g->start;
	g->next = g->end;
	if (!g->sigil || g->sigil == '&' || g->sigil == '{')
		return;
	while (a > p->pos && is_blank(s[a - 1]))
		a--;
	if (a > 0 && s[a - 1] != '\n')
		return;
	while (b < p->len && is_blank(s[b]))
		b++;
	if (b < p->len) {
		if (s[b] == '\r' && b + 1 < p->len && s[b + 1] == '\n')
			b++;
		if (s[b] != '\n')
			return;
		b++;
	}
	g->standalone = 1;
	g->ws = a;
	g->next = b;
}

/* Give token k the tag's name; split turns "a.b" into parts "a", "b". */
static int set_name(struct parser *p, const struct tag *g, struct tok *k, int split)
{
	size_t i, n = g->blen;
	char *part, tmp[NAME_SHOW + 1];

	if (!n)
		return perr(p, g->line, "empty tag");
	if (n > NAME_MAX_LEN)
		return perr(p, g->line, "name longer than %d bytes", NAME_MAX_LEN);
	for (i = 0; i < n; i++)
		if (!is_name_byte(g->body[i]))
			return perr(p, g->line, "malformed tag '%s'", shown(tmp, g->body, n));
	k->name = xmalloc(2 * n + 2);
	memcpy(k->name, g->body, n);
	k->name[n] = '\0';
	if (!split || (n == 1 && g->body[0] == '.'))
		return 0;
	part = k->name + n + 1;
	memcpy(part, g->body, n);
	part[n] = '\0';
	k->nparts = 1;
	for (i = 0; i < n; i++) {
		if (part[i] != '.')
			continue;
		if (i == 0 || i + 1 == n || part[i + 1] == '.')
			return perr(p, g->line, "malformed name '%s'", k->name);
		part[i] = '\0';
		k->nparts++;
	}
	return 0;
}

/* {{=<% %>=}}: two delimiters without blanks or '=', split by blanks. */
static int set_delims(struct parser *p, const struct tag *g)
{
	const char *b = g->body;
	size_t n = g->blen, i = 0, j, k;
	char tmp[NAME_SHOW + 1];

	while (i < n && is_name_byte(b[i]) && b[i] != '=')
		i++;
	j = i;
	while (j < n && is_ws(b[j]))
		j++;
	for (k = j; k < n && is_name_byte(b[k]) && b[k] != '='; k++)
		;
	if (!i || j == i || j == n || k != n)
		return perr(p, g->line, "bad set-delimiter tag '%s'", shown(tmp, b, n));
	if (i > DELIM_MAX || n - j > DELIM_MAX)
		return perr(p, g->line, "delimiter longer than %d bytes", DELIM_MAX);
	memcpy(p->otag, b, i);
	p->otag[i] = '\0';
	p->olen = i;
	memcpy(p->ctag + 1, b + j, n - j);
	p->ctag[n - j + 1] = '\0';
	p->clen = n - j + 1;
	return 0;
}

static int open_section(struct parser *p, const struct tag *g)
{
	struct tok *k;

	if (p->nopen == NEST_MAX)
		return perr(p, g->line, "sections nested deeper than %d", NEST_MAX);
	k = push_tok(p->t, g->sigil == '#' ? T_SECTION : T_INVERTED, g->line);
	if (set_name(p, g, k, 1))
		return -1;
	p->open[p->nopen++] = p->t->n - 1;
	return 0;
}

static int close_section(struct parser *p, const struct tag *g)
{
	struct tok *k;
	char tmp[NAME_SHOW + 1];

	if (!g->blen)
		return perr(p, g->line, "empty tag");
	if (!p->nopen)
		return perr(p, g->line, "closing tag '%s' without an open section",
			    shown(tmp, g->body, g->blen));
	k = &p->t->toks[p->open[p->nopen - 1]];
	if (strlen(k->name) != g->blen || memcmp(k->name, g->body, g->blen))
		return perr(p, g->line,
			    "closing tag '%s' does not match section '%s' opened on line %zu",
			    shown(tmp, g->body, g->blen), k->name, k->line);
	k->end = p->t->n;
	p->nopen--;
	return 0;
}

static int handle_tag(struct parser *p, const struct tag *g)
{
	struct tok *k;

	switch (g->sigil) {
	case '!':
		return 0;
	case '=':
		return set_delims(p, g);
	case '#':
	case '^':
		return open_section(p, g);
	case '/':
		return close_section(p, g);
	case '>':
		k = push_tok(p->t, T_PARTIAL, g->line);
		k->standalone = g->standalone;
		k->text = p->s + g->ws;
		k->len = g->standalone ? g->start - g->ws : 0;
		return set_name(p, g, k, 0);
	default:
		k = push_tok(p->t, g->sigil ? T_RAW : T_VAR, g->line);
		return set_name(p, g, k, 1);
	}
}

static int parse(struct parser *p)
{
	struct tag g;
	size_t tline;
	int rc;

	for (;;) {
		tline = line_at(p, p->pos);
		rc = find_tag(p, &g);
		if (rc)
			break;
		check_standalone(p, &g);
		add_text(p, p->pos, g.ws, tline, 0);
		/* a tag that starts a line and stays is where indentation goes */
		if (!g.standalone && (g.start == 0 || p->s[g.start - 1] == '\n'))
			add_text(p, g.start, g.start, g.line, 1);
		p->pos = g.next;
		if (handle_tag(p, &g))
			return -1;
	}
	if (rc < 0)
		return -1;
	add_text(p, p->pos, p->len, tline, 0);
	if (p->nopen) {
		const struct tok *k = &p->t->toks[p->open[p->nopen - 1]];

		return perr(p, k->line, "section '%s' is not closed", k->name);
	}
	return 0;
}

/* Compile text into *out.  own: take a private copy of the text (partials,
 * whose text the callback only lends). */
static int compile(const char *name, const char *text, size_t len, int own, char *err,
		   size_t errlen, struct tpl **out)
{
	struct parser p;
	struct tpl *t = xcalloc(1, sizeof(*t));
	int ret = -1;

	t->name = xstrdup(name);
	if (own) {
		t->src = xstrndup(text, len);
		text = t->src;
	}
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.s = text;
	p.len = len;
	p.line = 1;
	p.err = err;
	p.errlen = errlen;
	strcpy(p.otag, "{{");
	p.olen = 2;
	strcpy(p.ctag + 1, "}}");
	p.clen = 3;
	if (parse(&p))
		goto out;
	*out = t;
	t = NULL;
	ret = 0;
out:
	tpl_free(t);
	return ret;
}

/* ---- rendering -------------------------------------------------------- */

static int render_range(struct ctx *c, const struct tpl *t, size_t from, size_t to,
			const char *ind, size_t ilen);

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
	const char *part = k->name + strlen(k->name) + 1;
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
	if (v->kind == TV_BOOL) {
		buf_puts(c->out, v->b ? "true" : "false");
	} else if (v->kind == TV_STRING) {
		if (v->secret && c->used_secret)
			*c->used_secret = 1;
		if (k->kind == T_VAR && c->o->escape)
			add_escaped(c->out, v->str, v->len);
		else
			buf_add(c->out, v->str, v->len);
	}
}

/* Text, with the indentation ind before each line of the template. */
static void emit_text(struct ctx *c, const struct tok *k, const char *ind, size_t ilen)
{
	const char *p = k->text, *end = k->text + k->len, *nl;

	if (!ilen) {
		buf_add(c->out, p, k->len);
		return;
	}
	if (k->bol)
		buf_add(c->out, ind, ilen);
	while ((nl = memchr(p, '\n', (size_t)(end - p))) && nl + 1 < end) {
		buf_add(c->out, p, (size_t)(nl + 1 - p));
		buf_add(c->out, ind, ilen);
		p = nl + 1;
	}
	buf_add(c->out, p, (size_t)(end - p));
}

static int with_context(struct ctx *c, const struct tv *v, const struct tpl *t, size_t i,
			const char *ind, size_t ilen)
{
	int ret;

	push_ctx(c, v);
	ret = render_range(c, t, i + 1, t->toks[i].end, ind, ilen);
	c->sn--;
	return ret;
}

static int render_section(struct ctx *c, const struct tpl *t, size_t i, const char *ind,
			  size_t ilen)
{
	const struct tok *k = &t->toks[i];
	const struct tv *v = lookup(c, k);
	size_t j;

	if (!v && c->o->strict)
		return rerr(c, t, k->line, "undefined variable '%s'", k->name);
	if (k->kind == T_INVERTED)
		return tv_truthy(v) ? 0 : render_range(c, t, i + 1, k->end, ind, ilen);
	if (!tv_truthy(v))
		return 0;
	if (v->kind != TV_LIST)
		return with_context(c, v, t, i, ind, ilen);
	for (j = 0; j < v->n; j++)
		if (with_context(c, v->items[j], t, i, ind, ilen))
			return -1;
	return 0;
}

/* The compiled partial called k->name, from the cache or the callback;
 * *pt stays NULL when it does not exist (an error in strict mode). */
static int get_partial(struct ctx *c, const struct tpl *t, const struct tok *k,
		       const struct tpl **pt)
{
	const char *text = NULL;
	size_t i, len = 0;
	struct tpl *nt = NULL;

	for (i = 0; i < c->np; i++) {
		if (!strcmp(c->parts[i].name, k->name)) {
			*pt = c->parts[i].tpl;
			goto found;
		}
	}
	if (c->o->partial && !c->o->partial(c->o->partial_ctx, k->name, &text, &len)) {
		if (compile(k->name, text ? text : "", text ? len : 0, 1, c->err, c->errlen, &nt))
			return -1;
	}
	if (c->np == c->pcap) {
		c->pcap = c->pcap ? c->pcap * 2 : 8;
		c->parts = xrealloc(c->parts, c->pcap * sizeof(*c->parts));
	}
	c->parts[c->np].name = xstrdup(k->name);
	c->parts[c->np++].tpl = nt;
	*pt = nt;
found:
	if (!*pt && c->o->strict)
		return rerr(c, t, k->line, "partial '%s' not found", k->name);
	return 0;
}

static int render_partial(struct ctx *c, const struct tpl *t, const struct tok *k,
			  const char *ind, size_t ilen)
{
	struct buf nind = BUF_INIT;
	const struct tpl *pt = NULL;
	int ret = -1;

	if (c->depth >= c->max_depth) {
		rerr(c, t, k->line, "partial '%s' nested deeper than %d levels", k->name,
		     c->max_depth);
		goto out;
	}
	if (get_partial(c, t, k, &pt))
		goto out;
	ret = 0;
	if (!pt)
		goto out;
	/* only a standalone tag indents; nested ones add to the outer indent */
	if (k->standalone && ilen + k->len) {
		buf_add(&nind, ind, ilen);
		buf_add(&nind, k->text, k->len);
	}
	c->depth++;
	ret = render_range(c, pt, 0, pt->n, nind.data ? nind.data : "", nind.len);
	c->depth--;
out:
	buf_release(&nind);
	return ret;
}

static int render_range(struct ctx *c, const struct tpl *t, size_t from, size_t to,
			const char *ind, size_t ilen)
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
			emit_text(c, k, ind, ilen);
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
			if (render_section(c, t, i, ind, ilen))
				return -1;
			i = k->end - 1;
			break;
		case T_PARTIAL:
			if (render_partial(c, t, k, ind, ilen))
				return -1;
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
	if (compile(name ? name : "template", text ? text : "", text ? len : 0, 0, err, errlen,
		    &t))
		goto out;
	push_ctx(&c, data);
	ret = render_range(&c, t, 0, t->n, "", 0);
out:
	for (i = 0; i < c.np; i++) {
		free(c.parts[i].name);
		tpl_free(c.parts[i].tpl);
	}
	free(c.parts);
	free(c.stack);
	tpl_free(t);
	return ret;
}
