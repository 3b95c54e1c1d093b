/*
 * cmd_render.c — roleboot render [--role ROLE] [--bundle DIR] [--var N=V]... TEMPLATE
 * Renders one template of a bundle source folder (DIR, by default the
 * template's own folder, holding manifest.ini) with the data apply uses.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "render.h"
#include "roleboot.h"

struct folder {
	const char *dir;
	char **names;      /* owned */
	struct buf *texts; /* owned */
	size_t n;
};

static int folder_get(void *ctx, const char *name, const char **text, size_t *len)
{
	struct folder *f = ctx;
	struct buf b = BUF_INIT;
	char *path;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (!strcmp(f->names[i], name)) {
			*text = f->texts[i].data ? f->texts[i].data : "";
			*len = f->texts[i].len;
			return 0;
		}
	}
	if (strstr(name, "..") || *name == '/')
		return -1;
	path = xasprintf("%s/%s", f->dir, name);
	if (access(path, R_OK) < 0 || read_file(path, 16u << 20, &b) < 0) {
		free(path);
		return -1;
	}
	free(path);
	f->names = xrealloc(f->names, (f->n + 1) * sizeof(*f->names));
	f->texts = xrealloc(f->texts, (f->n + 1) * sizeof(*f->texts));
	f->names[f->n] = xstrdup(name);
	f->texts[f->n++] = b;
	return folder_get(ctx, name, text, len);
}

static void folder_release(struct folder *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->names[i]);
		buf_release(&f->texts[i]);
	}
	free(f->names);
	free(f->texts);
}

static int render_main(const char *role_arg, const char *dir, const char *tpl, struct override *ov,
                       size_t nov, const char *root)
{
	struct kcmdline k;
	struct folder f = {dir, NULL, NULL, 0};
	struct manifest m;
	struct role r;
	struct buf out = BUF_INIT;
	struct tv *data = NULL;
	const char *text;
	size_t len;
	int code = EXIT_ROLE, secret = 0, rl;

	memset(&m, 0, sizeof(m));
	memset(&r, 0, sizeof(r));
	if (kcmdline_read(&k, 0) < 0)
		kcmdline_release(&k);
	if (folder_get(&f, "manifest.ini", &text, &len) < 0) {
		error("%s/manifest.ini: cannot read", dir);
		goto out;
	}
	if (manifest_parse("manifest.ini", text, len, &m) < 0)
		goto out;
	if (role_arg && (rl = role_load(role_arg, &r)) < 0) {
		code = rl == ROLE_REFUSED ? EXIT_ROLE : EXIT_FETCH;
		goto out;
	}
	code = EXIT_RENDER;
	data = render_data(&m, role_arg ? &r : NULL, ov, nov, root, &k);
	if (!data || render_template(tpl, data, folder_get, &f, &out, &secret) < 0)
		goto out;
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	code = EXIT_OK;
out:
	buf_release(&out);
	tv_free(data);
	manifest_release(&m);
	role_release(&r);
	folder_release(&f);
	kcmdline_release(&k);
	return code;
}

int cmd_render(int argc, char **argv)
{
	static const struct option opts[] = {{"role", required_argument, NULL, 'r'},
	                                     {"bundle", required_argument, NULL, 'b'},
	                                     {"var", required_argument, NULL, 'v'},
	                                     {"root", required_argument, NULL, 'R'},
	                                     {NULL, 0, NULL, 0}};
	const char *role = NULL, *dir = NULL, *root = "/";
	struct override *ov = NULL;
	size_t nov = 0;
	char *copy = NULL, *eq, *tpl;
	int c, code = EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:b:v:", opts, NULL)) != -1) {
		if (c == 'R') {
			root = optarg;
		} else if (c == 'r') {
			role = optarg;
		} else if (c == 'b') {
			dir = optarg;
		} else if (c == 'v' && (eq = strchr(optarg, '=')) && eq != optarg) {
			*eq = '\0';
			ov = xrealloc(ov, (nov + 1) * sizeof(*ov));
			ov[nov].name = optarg;
			ov[nov].value = eq + 1;
			ov[nov++].origin = "--var";
		} else {
			goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	copy = xstrdup(argv[optind]);
	tpl = argv[optind];
	if (!dir) {
		dir = dirname(copy);
		tpl = strrchr(argv[optind], '/') ? strrchr(argv[optind], '/') + 1 : argv[optind];
	}
	code = render_main(role, dir, tpl, ov, nov, root);
	goto out;
usage:
	fputs("usage: roleboot render [--role ROLE] [--bundle DIR] [--root DIR] [--var "
	      "NAME=VALUE]...\n"
	      "                       TEMPLATE\n",
	      stderr);
out:
	free(copy);
	free(ov);
	return code;
}
