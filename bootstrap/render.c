/* render.c — see render.h */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "template.h"

/* kernel.var.NAME holds the kernel command line's value of NAME: secret
 * when the bundle declares NAME secret, as the variable itself is. */
static void mark_kernel_secrets(const struct manifest *m, struct tv *data)
{
	struct tv *vars = tv_get(tv_get(data, "kernel"), "var");
	const struct mvar *var;
	size_t i;

	for (i = 0; vars && vars->kind == TV_MAP && i < vars->n; i++) {
		var = manifest_var(m, vars->keys[i]);
		if (var && var->secret)
			tv_mark_secret(vars->items[i]);
	}
}

struct tv *render_data(const struct manifest *m, const struct role *r, const struct override *ov,
                       size_t nov, const char *root, const struct kcmdline *k)
{
	struct tv *data = tv_pool_map(), *bundle;
	char version[32];

	if (vars_build(m, r, ov, nov, data) < 0) {
		tv_free(data);
		return NULL;
	}
	tv_set(tv_submap(data, "role"), "name", tv_string(r ? r->name : m->role));
	bundle = tv_submap(data, "bundle");
	snprintf(version, sizeof(version), "%lld", m->version);
	tv_set(bundle, "role", tv_string(m->role));
	tv_set(bundle, "version", tv_string(version));
	facts_gather(data, root, k);
	mark_kernel_secrets(m, data);
	return data;
}

struct partials {
	entry_fn get;
	void *ctx;
	struct buf name;
};

static int find_partial(void *ctx, const char *name, const char **text, size_t *len)
{
	struct partials *p = ctx;

	/* only NAME.mustache: a name that comes from data (a dynamic partial)
	 * can never pull another kind of bundle entry in as a template */
	buf_reset(&p->name);
	buf_printf(&p->name, "%s.mustache", name);
	return p->get(p->ctx, p->name.data, text, len);
}

int render_template(const char *name, const struct tv *data, entry_fn get, void *ctx,
                    struct buf *out, int *secret)
{
	return render_template_in(name, data, NULL, get, ctx, out, secret);
}

int render_template_in(const char *name, const struct tv *data, const struct tv *scope,
                       entry_fn get, void *ctx, struct buf *out, int *secret)
{
	struct partials p = {get, ctx, BUF_INIT};
	struct tpl_opts opts;
	const char *text;
	size_t len;
	char err[512];
	int ret = -1;

	memset(&opts, 0, sizeof(opts));
	opts.strict = 1;
	opts.max_depth = 16;
	opts.partial = find_partial;
	opts.partial_ctx = &p;
	opts.scope = scope;
	if (get(ctx, name, &text, &len) < 0) {
		error("template '%s' is not in the bundle", name);
		goto out;
	}
	if (tpl_render(name, text, len, data, &opts, out, secret, err, sizeof(err)) < 0) {
		error("%s", err);
		goto out;
	}
	ret = 0;
out:
	buf_release(&p.name);
	return ret;
}
