/*
 * template_int.h — internals shared by template.c (rendering) and
 * template_parse.c (compiling); not part of the public contract.
 *
 * compile() turns a template into a flat array of tokens.  Tags with a body
 * (sections, inverted sections, blocks, parents) know the index just past
 * their body, so that a renderer can skip or repeat it without searching.
 * Standalone lines are resolved here: a token never sees the blanks and the
 * newline of a line it stood alone on, only the indentation it implies.
 */
#ifndef ROLEBOOT_TEMPLATE_INT_H
#define ROLEBOOT_TEMPLATE_INT_H

#include <stdarg.h>
#include <stddef.h>

#include "util.h"

#define TPL_NAME_SHOW 80      /* bytes of a tag shown in messages */
#define TPL_NAME_MAX 200      /* longest tag name (and dynamic partial name) */
#define TPL_NONE ((size_t)-1) /* "no offset" in parser bookkeeping */

enum tok_kind {
	T_TEXT,
	T_VAR,      /* {{x}} */
	T_RAW,      /* {{{x}}}, {{&x}} */
	T_SECTION,  /* {{#x}} */
	T_INVERTED, /* {{^x}} */
	T_PARTIAL,  /* {{>x}}, {{>*x}} */
	T_BLOCK,    /* {{$x}}: a default inside a template, an argument inside a parent */
	T_PARENT,   /* {{<x}}, {{<*x}} */
};

struct tok {
	enum tok_kind kind;
	unsigned char bol;        /* T_TEXT: starts a line of the template */
	unsigned char standalone; /* T_PARTIAL, T_PARENT, T_BLOCK: alone on its line */
	unsigned char dyn;        /* T_PARTIAL, T_PARENT: the name is looked up in the data */
	/* T_TEXT: the bytes.  T_PARTIAL, T_PARENT: the indentation of a
	 * standalone tag.  T_BLOCK: the indentation of a standalone block's
	 * body (the blanks its lines share, else the tag's own). */
	const char *text;
	size_t len;
	/* owned: the name as written (a dynamic one as "*a.b"), NUL, then the
	 * dot-separated parts of names that are looked up in the data */
	char *name;
	const char *parts; /* the first of those parts, inside name */
	size_t nparts;     /* number of parts; 0 for "." and for literal names */
	size_t end;        /* T_SECTION, T_INVERTED, T_BLOCK, T_PARENT: index past the body */
	/* T_PARENT: index of its first block argument; T_BLOCK directly inside
	 * a parent: the next argument of the same parent.  0 ends the chain. */
	size_t link;
	size_t line; /* 1-based line of the tag (or text start) */
};

struct tpl {
	char *name;       /* owned: template or partial name, for messages */
	char *src;        /* owned copy of a partial's text; NULL for the top */
	struct tok *toks; /* owned, with their names */
	size_t n, cap;
};

/* Compile text (named `name` in messages) into *out.  own: keep a private
 * copy of the text (partials, whose text the callback only lends).  On
 * failure writes "NAME:LINE: what" to err and returns -1. */
int tpl_compile(const char *name, const char *text, size_t len, int own, char *err, size_t errlen,
                struct tpl **out);
void tpl_free(struct tpl *t);

/* "NAME:LINE: " and the message into err (may be NULL or short). */
void tpl_verr(char *err, size_t errlen, const char *name, size_t line, const char *fmt, va_list ap)
        PRINTF(5, 0);

/* Bytes for a message (dst holds TPL_NAME_SHOW + 1): cut short, with control
 * bytes shown as '?' so that the message stays on one line. */
const char *tpl_shown(char *dst, const char *s, size_t n);

/* Bytes allowed in names and delimiters: printable, not blank. */
static inline int tpl_name_byte(char c)
{
	return (unsigned char)c > 0x20 && c != 0x7f;
}

#endif
