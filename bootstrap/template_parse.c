/*
 * template_parse.c — compiling a Mustache template into tokens (see
 * template_int.h).
 *
 * One scan, left to right.  Each tag is found with the current delimiters,
 * its line is checked against the standalone rule, the text before it
 * becomes a token, then the tag does.  Besides single tags, a few pairs of
 * adjacent tags count as standalone, as the inheritance spec wants:
 * "{{<p}}{{/p}}", "{{<p}}{{$b}}" and "{{/b}}{{/p}}" alone on a line take the
 * whole line with them; "{{$b}}{{/b}}" takes its indentation but leaves the
 * newline.  And since a block's body is a text of its own, the closing tag
 * of a block ends the line of a tag just before it as the end of the text
 * would ("{{/x}}{{/b}}").
 */
#include "template_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DELIM_MAX 16 /* longest custom delimiter */
#define NEST_MAX 100 /* sections, blocks and parents open at once, per template */

struct parser {
	struct tpl *t;
	const char *s; /* template text (not owned) */
	size_t len;
	size_t pos;  /* first byte not yet turned into tokens */
	size_t lpos; /* byte at which line counting stopped ... */
	size_t line; /* ... and the line it is on */
	char otag[DELIM_MAX + 1];
	size_t olen;
	char ctag[DELIM_MAX + 2]; /* ctag[0] is a slot for '}' or '=' */
	size_t clen;              /* length of ctag + 1 */
	size_t open[NEST_MAX];    /* token indexes of the open tags with a body ... */
	size_t body[NEST_MAX];    /* ... and where each body starts in s */
	size_t nopen;
	size_t pair_at;   /* a tag starting here is the second of a standalone pair ... */
	size_t pair_next; /* ... and the text after it starts here */
	char *err;
	size_t errlen;
};

struct tag {
	char sigil;       /* '#', '^', '/', '!', '>', '&', '{', '=', '$', '<' or 0 */
	size_t start;     /* offset of the opening delimiter */
	size_t end;       /* offset just past the closing delimiter */
	const char *body; /* content, whitespace trimmed */
	size_t blen;
	size_t line;
	int standalone;
	size_t ws;   /* where the text before the tag ends */
	size_t next; /* where the text after the tag starts */
};

/* ---- messages and tokens ---------------------------------------------- */

void tpl_verr(char *err, size_t errlen, const char *name, size_t line, const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s:%zu: ", name, line);
	if (n < 0)
		err[0] = '\0';
	else if ((size_t)n < errlen)
		errbuf_vset(err + n, errlen - (size_t)n, fmt, ap);
}

const char *tpl_shown(char *dst, const char *s, size_t n)
{
	size_t i;

	if (n > TPL_NAME_SHOW)
		n = TPL_NAME_SHOW;
	for (i = 0; i < n; i++)
		dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	dst[n] = '\0';
	return dst;
}

static int perr(struct parser *p, size_t line, const char *fmt, ...) PRINTF(3, 4);

static int perr(struct parser *p, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tpl_verr(p->err, p->errlen, p->t->name, line, fmt, ap);
	va_end(ap);
	return -1;
}

void tpl_free(struct tpl *t)
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

static int has_body(enum tok_kind kind)
{
	return kind == T_SECTION || kind == T_INVERTED || kind == T_BLOCK || kind == T_PARENT;
}

static const char *kind_word(enum tok_kind kind)
{
	return kind == T_BLOCK ? "block" : kind == T_PARENT ? "parent" : "section";
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

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

/* ---- names ------------------------------------------------------------ */

/* A leading '*' (a dynamic name) and the blanks after it: *star tells. */
static void strip_star(const char **s, size_t *n, int *star)
{
	*star = *n && **s == '*';
	if (!*star)
		return;
	(*s)++;
	(*n)--;
	while (*n && is_ws(**s)) {
		(*s)++;
		(*n)--;
	}
}

/* Names compare as written, except that "* x" is "*x". */
static int same_name(const char *a, size_t an, const char *b, size_t bn)
{
	int sa, sb;

	strip_star(&a, &an, &sa);
	strip_star(&b, &bn, &sb);
	return sa == sb && an == bn && !memcmp(a, b, an);
}

/* Give token k the name body[0..n).  split: the name is looked up in the
 * data, so "a.b" also gets its parts "a", "b"; dyn: a dynamic name, kept
 * as "*" and the name. */
static int set_name(struct parser *p, size_t line, const char *body, size_t n, int split, int dyn,
                    struct tok *k)
{
	size_t i, w = n + (dyn ? 1 : 0);
	char *part, tmp[TPL_NAME_SHOW + 1];

	if (!n)
		return perr(p, line, dyn ? "empty name after '*'" : "empty tag");
	if (n > TPL_NAME_MAX)
		return perr(p, line, "name longer than %d bytes", TPL_NAME_MAX);
	for (i = 0; i < n; i++)
		if (!tpl_name_byte(body[i]))
			return perr(p, line, "malformed tag '%s'", tpl_shown(tmp, body, n));
	k->dyn = (unsigned char)dyn;
	k->name = xmalloc(w + n + 2);
	k->name[0] = '*';
	memcpy(k->name + w - n, body, n);
	k->name[w] = '\0';
	if (!split || (n == 1 && body[0] == '.'))
		return 0;
	part = k->name + w + 1;
	k->parts = part;
	memcpy(part, body, n);
	part[n] = '\0';
	k->nparts = 1;
	for (i = 0; i < n; i++) {
		if (part[i] != '.')
			continue;
		if (i == 0 || i + 1 == n || part[i + 1] == '.')
			return perr(p, line, "malformed name '%s'", k->name);
		part[i] = '\0';
		k->nparts++;
	}
	return 0;
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
	if (from < p->len && s[from] && strchr("#^/!>&{=$<", s[from]))
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
		return perr(p, g->line, "tag is not closed (no '%s' follows '%s')", close, p->otag);
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

/* Offset just past the newline that ends the line at b when only blanks
 * come first (the end of the text counts as one); TPL_NONE otherwise. */
static size_t blank_to_eol(const struct parser *p, size_t b)
{
	const char *s = p->s;

	while (b < p->len && is_blank(s[b]))
		b++;
	if (b == p->len)
		return b;
	if (s[b] == '\r' && b + 1 < p->len && s[b + 1] == '\n')
		b++;
	return s[b] == '\n' ? b + 1 : TPL_NONE;
}

/* The tag that starts exactly at offset at, if one does: 0 and *h, else
 * -1 (an error met here is met again by parse()). */
static int peek_tag(struct parser *p, size_t at, struct tag *h)
{
	size_t save = p->pos;
	int rc;

	if (p->len - at < p->olen || memcmp(p->s + at, p->otag, p->olen))
		return -1;
	p->pos = at;
	rc = find_tag(p, h);
	p->pos = save;
	return rc ? -1 : 0;
}

/* Whether g, then h, is one of the standalone pairs (top of the file). */
static int pair_ok(const struct parser *p, const struct tag *g, const struct tag *h)
{
	const struct tok *in, *up;

	if (g->sigil == '<')
		return h->sigil == '$' ||
		       (h->sigil == '/' && same_name(g->body, g->blen, h->body, h->blen));
	if (g->sigil == '$')
		return h->sigil == '/' && same_name(g->body, g->blen, h->body, h->blen);
	if (g->sigil != '/' || h->sigil != '/' || p->nopen < 2)
		return 0;
	in = &p->t->toks[p->open[p->nopen - 1]];
	up = &p->t->toks[p->open[p->nopen - 2]];
	return in->kind == T_BLOCK && up->kind == T_PARENT &&
	       same_name(in->name, strlen(in->name), g->body, g->blen) &&
	       same_name(up->name, strlen(up->name), h->body, h->blen);
}

/* g stands alone on the left but something follows it: is that the other
 * half of a standalone pair?  Then remember where the partner starts and
 * where the text after it does. */
static int check_pair(struct parser *p, const struct tag *g)
{
	struct tag h;
	size_t next;

	if ((g->sigil != '<' && g->sigil != '$' && g->sigil != '/') || peek_tag(p, g->end, &h) ||
	    !pair_ok(p, g, &h))
		return 0;
	next = blank_to_eol(p, h.end);
	if (next == TPL_NONE)
		return 0;
	p->pair_at = h.start;
	p->pair_next = g->sigil == '$' ? h.end : next;
	return 1;
}

/* A block's body is a text of its own, so its closing tag ends the line of
 * a tag just before it, as the end of the text would: the offset of that
 * closing tag when only blanks separate it from g, else TPL_NONE. */
static size_t block_end(struct parser *p, const struct tag *g)
{
	const struct tok *k;
	struct tag h;
	size_t b = g->end, in = g->sigil == '/' ? 2 : 1;

	while (b < p->len && is_blank(p->s[b]))
		b++;
	if (p->nopen < in || peek_tag(p, b, &h) || h.sigil != '/')
		return TPL_NONE;
	k = &p->t->toks[p->open[p->nopen - in]];
	if (k->kind != T_BLOCK || !same_name(k->name, strlen(k->name), h.body, h.blen))
		return TPL_NONE;
	return b;
}

/* A tag other than a variable alone on its line (blanks around it) takes
 * the whole line with it, newline included; so does a pair. */
static void check_standalone(struct parser *p, struct tag *g)
{
	const char *s = p->s;
	size_t a = g->start, b;

	g->ws = g->start;
	g->next = g->end;
	if (g->start == p->pair_at) {
		p->pair_at = TPL_NONE;
		g->standalone = 1;
		g->next = p->pair_next;
		return;
	}
	if (!g->sigil || g->sigil == '&' || g->sigil == '{')
		return;
	while (a > p->pos && is_blank(s[a - 1]))
		a--;
	if (a > 0 && s[a - 1] != '\n')
		return;
	b = blank_to_eol(p, g->end);
	if (b == TPL_NONE)
		b = block_end(p, g);
	if (b == TPL_NONE) {
		if (!check_pair(p, g))
			return;
		b = g->end;
	}
	g->standalone = 1;
	g->ws = a;
	g->next = b;
}

/* ---- tags ------------------------------------------------------------- */

/* {{=<% %>=}}: two delimiters without blanks or '=', split by blanks. */
static int set_delims(struct parser *p, const struct tag *g)
{
	const char *b = g->body;
	size_t n = g->blen, i = 0, j, k;
	char tmp[TPL_NAME_SHOW + 1];

	while (i < n && tpl_name_byte(b[i]) && b[i] != '=')
		i++;
	j = i;
	while (j < n && is_ws(b[j]))
		j++;
	for (k = j; k < n && tpl_name_byte(b[k]) && b[k] != '='; k++)
		;
	if (!i || j == i || j == n || k != n)
		return perr(p, g->line, "bad set-delimiter tag '%s'", tpl_shown(tmp, b, n));
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

/* {{>name}}, {{>*name}}: the indentation of a standalone tag goes along. */
static int add_partial(struct parser *p, const struct tag *g)
{
	struct tok *k = push_tok(p->t, T_PARTIAL, g->line);
	const char *b = g->body;
	size_t n = g->blen;
	int dyn;

	k->standalone = (unsigned char)g->standalone;
	k->text = p->s + g->ws;
	k->len = g->standalone ? g->start - g->ws : 0;
	strip_star(&b, &n, &dyn);
	return set_name(p, g->line, b, n, dyn, dyn, k);
}

/* A section, inverted section, block or parent: its body follows. */
static int open_tag(struct parser *p, const struct tag *g, enum tok_kind kind)
{
	struct tok *k;
	const char *b = g->body;
	size_t n = g->blen;
	int dyn = 0;

	if (p->nopen == NEST_MAX)
		return perr(p, g->line, "sections nested deeper than %d", NEST_MAX);
	k = push_tok(p->t, kind, g->line);
	if (kind == T_BLOCK || kind == T_PARENT) {
		k->standalone = (unsigned char)g->standalone;
		k->text = p->s + g->ws;
		k->len = g->standalone ? g->start - g->ws : 0;
	}
	if (kind == T_PARENT)
		strip_star(&b, &n, &dyn);
	p->open[p->nopen] = p->t->n - 1;
	p->body[p->nopen++] = g->next;
	return set_name(p, g->line, b, n, kind == T_SECTION || kind == T_INVERTED || dyn, dyn, k);
}

/* The body [from, to) of a standalone block: the blanks that all its lines
 * with something on them start with become the block's indentation (its
 * lines are shifted by the difference wherever it is rendered); without
 * such lines the tag's own indentation stays. */
static void body_indent(const struct parser *p, size_t from, size_t to, struct tok *k)
{
	const char *s = p->s, *ind = NULL, *nl;
	size_t i = from, j, m, n = 0;

	while (i < to) {
		for (j = i; j < to && is_blank(s[j]); j++)
			;
		if (j < to && s[j] != '\n' && !(s[j] == '\r' && j + 1 < to && s[j + 1] == '\n')) {
			for (m = 0; ind && m < n && m < j - i && ind[m] == s[i + m]; m++)
				;
			n = ind ? m : j - i;
			ind = ind ? ind : s + i;
		}
		nl = memchr(s + j, '\n', to - j);
		if (!nl)
			break;
		i = (size_t)(nl - s) + 1;
	}
	if (ind) {
		k->text = ind;
		k->len = n;
	}
}

/* Chain the blocks directly inside parent i: they are its arguments. */
static void link_args(struct tpl *t, size_t i)
{
	size_t *slot = &t->toks[i].link, j = i + 1, end = t->toks[i].end;
	struct tok *k;

	while (j < end) {
		k = &t->toks[j];
		if (k->kind == T_BLOCK) {
			*slot = j;
			slot = &k->link;
		}
		j = has_body(k->kind) ? k->end : j + 1;
	}
}

static int close_tag(struct parser *p, const struct tag *g)
{
	struct tok *k;
	size_t i;
	char tmp[TPL_NAME_SHOW + 1];

	if (!g->blen)
		return perr(p, g->line, "empty tag");
	if (!p->nopen)
		return perr(p, g->line, "closing tag '%s' without an open section",
		            tpl_shown(tmp, g->body, g->blen));
	i = p->open[p->nopen - 1];
	k = &p->t->toks[i];
	if (!same_name(k->name, strlen(k->name), g->body, g->blen))
		return perr(p, g->line,
		            "closing tag '%s' does not match %s '%s' opened on line %zu",
		            tpl_shown(tmp, g->body, g->blen), kind_word(k->kind), k->name, k->line);
	k->end = p->t->n;
	if (k->kind == T_BLOCK && k->standalone)
		body_indent(p, p->body[p->nopen - 1], g->ws, k);
	if (k->kind == T_PARENT)
		link_args(p->t, i);
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
		return open_tag(p, g, T_SECTION);
	case '^':
		return open_tag(p, g, T_INVERTED);
	case '$':
		return open_tag(p, g, T_BLOCK);
	case '<':
		return open_tag(p, g, T_PARENT);
	case '/':
		return close_tag(p, g);
	case '>':
		return add_partial(p, g);
	default:
		k = push_tok(p->t, g->sigil ? T_RAW : T_VAR, g->line);
		return set_name(p, g->line, g->body, g->blen, 1, 0, k);
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

		return perr(p, k->line, "%s '%s' is not closed", kind_word(k->kind), k->name);
	}
	return 0;
}

int tpl_compile(const char *name, const char *text, size_t len, int own, char *err, size_t errlen,
                struct tpl **out)
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
	p.pair_at = TPL_NONE;
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
