/*
 * template.h — Mustache renderer.
 *
 * Implements the Mustache language (variables, sections over lists, maps and
 * booleans, inverted sections, comments, partials, set-delimiter, dotted
 * names, implicit iterator "."), shaped to pass the Mustache spec
 * (../shared/mustache-spec) in spec mode: the core modules and the optional
 * ~inheritance and ~dynamic-names ones.
 *
 * Inheritance: {{$name}}default{{/name}} is a block, a place a template
 * offers for filling; {{<parent}}{{$name}}text{{/name}}{{/parent}} renders
 * the template `parent` with its block `name` filled by "text" (everything
 * else between the parent tags is ignored).  Blocks are filled through any
 * number of nested parents and partials, and the outermost parent that
 * fills a block wins.  Parent templates come from the same callback as
 * partials ({{>parent}} is {{<parent}}{{/parent}}) and count toward the same
 * nesting cap.  A standalone block body is re-indented to the indentation
 * of the block tag it is expanded at.
 *
 * Dynamic names: {{>*name}} and {{<*name}} (closed by {{/ *name}}) take the
 * template name from the string value of `name` (dotted names allowed) in
 * the data.  The value must be a plain string of printable, non-blank bytes
 * (at most 200); a secret string is never used as a name.
 *
 * Two modes, chosen by struct tpl_opts:
 *  - spec mode (escape = 1, strict = 0): {{x}} is HTML-escaped, undefined
 *    names render as empty / falsey, as the spec requires; a dynamic name
 *    that gives no usable string renders nothing.
 *  - config mode (escape = 0, strict = 1), what apply and render use: values
 *    are inserted verbatim; an undefined name (variable, section or dynamic
 *    name) is an error "NAME:LINE: undefined variable 'x'", and so is a
 *    dynamic name that is not a string, is secret or is not a valid name.
 *
 * Errors (unclosed or mismatched sections, blocks or parents, bad tags,
 * undefined names, partial or parent nesting deeper than max_depth, unknown
 * partials or parents in strict mode) are written to err as one line
 * "TEMPLATE:LINE: what" and the function returns -1; out then holds partial
 * output that the caller discards.  Nothing is printed.
 */
#ifndef ROLEBOOT_TEMPLATE_H
#define ROLEBOOT_TEMPLATE_H

#include <stddef.h>

#include "valtree.h"
#include "util.h"

struct tpl_opts {
	int escape;    /* HTML-escape {{x}} (spec mode) */
	int strict;    /* undefined names are errors (config mode) */
	int max_depth; /* partial and parent nesting cap; 0 means 16 */
	/* Look up a partial (or parent) by name; return 0 and set *text and
	 * *len when found (text stays owned by the callee), -1 when absent.
	 * May be NULL. */
	int (*partial)(void *ctx, const char *name, const char **text, size_t *len);
	void *partial_ctx;
	/* Cap on the work of one render: bytes written plus tags visited (so
	 * that a template expanding to nothing still stops); exceeding it is
	 * an error.  0 means 256 MiB. */
	size_t max_output;
	/* Pushed on the context stack above data, as a section would push
	 * one item (one role section for a foreach file); may be NULL. */
	const struct tv *scope;
};

/* Render text (named `name` in messages) against data, appending to out.
 * *used_secret (may be NULL) is set to 1 when a secret string was emitted. */
int tpl_render(const char *name, const char *text, size_t len, const struct tv *data,
               const struct tpl_opts *opts, struct buf *out, int *used_secret, char *err,
               size_t errlen);

#endif
