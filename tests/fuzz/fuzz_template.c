/*
 * fuzz_template.c — libFuzzer target for the Mustache renderer.
 *
 * The input is rendered as a template in both modes (spec and config)
 * against a small fixed value tree.  Every partial or parent name but
 * "missing" resolves to the input itself, so partial and parent tags
 * recurse until the depth cap stops them.  The tree has strings for dynamic
 * names ({{>*p}}, {{<*m}}): usable, missing, empty, secret, not a name.
 * A modest work cap keeps exponential templates (nested sections over
 * lists) from timing out.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

struct input {
	const char *text;
	size_t len;
};

static int self_partial(void *ctx, const char *name, const char **text, size_t *len)
{
	const struct input *in = ctx;

	if (!strcmp(name, "missing"))
		return -1;
	*text = in->text;
	*len = in->len;
	return 0;
}

static struct tv *item(const char *name, int on)
{
	struct tv *m = tv_map();

	tv_set(m, "name", tv_string(name));
	tv_set(m, "on", tv_bool(on));
	return m;
}

static struct tv *make_data(void)
{
	struct tv *d = tv_map(), *l = tv_list(), *s = tv_list(), *h, *secret;

	tv_set(d, "a", tv_string("<&\"x\">"));
	tv_set(d, "t", tv_bool(1));
	tv_set(d, "f", tv_bool(0));
	tv_set(d, "n", tv_null());
	tv_set(d, "e", tv_string(""));
	tv_set(d, "p", tv_string("self"));
	tv_set(d, "m", tv_string("missing"));
	tv_push(l, item("one", 1));
	tv_push(l, item("two", 0));
	tv_set(d, "l", l);
	tv_push(s, tv_string("x"));
	tv_push(s, tv_string("y\nz"));
	tv_set(d, "s", s);
	tv_set(d, "empty", tv_list());
	h = tv_submap(d, "h");
	tv_set(h, "name", tv_string("ns1"));
	tv_set(tv_submap(h, "deep"), "l", tv_bool(0));
	secret = tv_string("hunter2");
	tv_mark_secret(secret);
	tv_set(h, "key", secret);
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tv *tree;
	struct input in = {(const char *)data, size};
	struct tpl_opts o = {.partial = self_partial, .partial_ctx = &in, .max_output = 1 << 20};
	struct buf out = BUF_INIT;
	char err[256];
	int mode, secret;

	if (!tree)
		tree = make_data();
	for (mode = 0; mode < 2; mode++) {
		o.escape = !mode;
		o.strict = mode;
		o.max_depth = mode ? 4 : 0;
		secret = 0;
		/* every failure leaves a message "NAME:LINE: what" */
		if (tpl_render("fuzz", in.text, in.len, tree, &o, &out, &secret, err,
		               sizeof(err)) &&
		    !strstr(err, ": "))
			abort();
		buf_reset(&out);
	}
	buf_release(&out);
	return 0;
}
