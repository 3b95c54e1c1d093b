/*
 * render.h — the data templates see and config-mode rendering, shared by
 * `apply` and `render` so that both produce the same bytes.
 *
 * Data: the bundle's variables (vars.h) at the top level, plus
 * role.name, bundle.role, bundle.version, and the facts of facts.h (host.*,
 * kernel.var.*).
 */
#ifndef ROLEBOOT_RENDER_H
#define ROLEBOOT_RENDER_H

#include <stddef.h>

#include "cmdline.h"
#include "valtree.h"
#include "manifest.h"
#include "role.h"
#include "util.h"
#include "vars.h"

/* Looks up a bundle entry (a template or a partial) by name. */
typedef int (*entry_fn)(void *ctx, const char *name, const char **text, size_t *len);

/* The data tree, or NULL after an error was printed.  role and k may be
 * NULL; root is the target root for OS facts.  The tree is the caller's,
 * freed with tv_free(); it copies what it holds, so m, r, ov and k may go
 * before it does. */
struct tv *render_data(const struct manifest *m, const struct role *r, const struct override *ov,
                       size_t nov, const char *root, const struct kcmdline *k);

/* Render template `name` in config mode; partials (and parents) "x" are
 * the bundle entry "x.mustache".  The text is appended to out (the
 * caller's); *secret is set when a secret value went into it.  Prints one
 * error line on failure. */
int render_template(const char *name, const struct tv *data, entry_fn get, void *ctx,
                    struct buf *out, int *secret);
/* The same with scope (one item of a section list, or NULL) on top of
 * data, as inside {{#section}}. */
int render_template_in(const char *name, const struct tv *data, const struct tv *scope,
                       entry_fn get, void *ctx, struct buf *out, int *secret);

#endif
