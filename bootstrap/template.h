/*
 * template.h — Mustache renderer.
 *
 * Implements the Mustache language (variables, sections over lists, maps and
 * booleans, inverted sections, comments, partials, set-delimiter, dotted
 * names, implicit iterator "."), shaped to pass the core of the Mustache
 * spec (../shared/mustache-spec) in spec mode.
 *
 * Two modes, chosen by struct tpl_opts:
 *  - spec mode (escape = 1, strict = 0): {{x}} is HTML-escaped, undefined
 *    names render as empty / falsey, as the spec requires.
 *  - config mode (escape = 0, strict = 1), what apply and render use: values
 *    are inserted verbatim; an undefined name (variable or section) is an
 *    error "NAME:LINE: undefined variable 'x'".
 *
 * Errors (unclosed or mismatched sections, bad tags, undefined names,
 * partial recursion deeper than max_depth, unknown partials in strict mode)
 * are written to err as one line "TEMPLATE:LINE: what" and the function
 * returns -1; out then holds partial output that the caller discards.
 * Nothing is printed.
 */
#ifndef ROLEBOOT_TEMPLATE_H
#define ROLEBOOT_TEMPLATE_H

#include <stddef.h>

#include "data.h"
#include "util.h"

struct tpl_opts {
	int escape;    /* HTML-escape {{x}} (spec mode) */
	int strict;    /* undefined names are errors (config mode) */
	int max_depth; /* partial nesting cap; 0 means 16 */
	/* Look up a partial by name; return 0 and set *text and *len when found
	 * (text stays owned by the callee), -1 when absent. May be NULL. */
	int (*partial)(void *ctx, const char *name, const char **text, size_t *len);
	void *partial_ctx;
	/* Cap on the work of one render: bytes written plus tags visited (so
	 * that a template expanding to nothing still stops); exceeding it is
	 * an error.  0 means 256 MiB. */
	size_t max_output;
};

/* Render text (named `name` in messages) against data, appending to out.
 * *used_secret (may be NULL) is set to 1 when a secret string was emitted. */
int tpl_render(const char *name, const char *text, size_t len, const struct tv *data,
	       const struct tpl_opts *opts, struct buf *out, int *used_secret, char *err,
	       size_t errlen);

#endif
