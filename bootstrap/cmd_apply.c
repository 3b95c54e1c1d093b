/*
 * cmd_apply.c — roleboot apply: role → signed bundle → files and services.
 * Each step returns 0 or the exit code of its failure class; nothing on
 * the target changes before every check has passed.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "cleanup.h"
#include "cmdline.h"
#include "fetch.h"
#include "install.h"
#include "json.h"
#include "keys.h"
#include "render.h"
#include "roleboot.h"
#include "services.h"
#include "sig.h"
#include "state.h"

#define SIG_MAX 8192
#define BUNDLE_MAX (64u << 20)

struct apply {
	const char *root, *role_arg;
	int dry_run, diff, now, json, allow_downgrade, offline;
	struct override *ov; /* owned array, strings borrowed */
	size_t nov;
	struct kcmdline kcmd;
	struct keyring keys;
	struct role role;
	char *bundle_url;  /* owned: the source that worked */
	char *bundle_tmp;  /* owned: downloaded bundle */
	struct fetch_result fetched;
	struct sig_signature sig;
	size_t key_index;
	struct bundle bundle;
	struct manifest manifest;
	struct state old;
	struct tv *data;
	struct plan plan;
	size_t enabled, restarted;
};

static void add_override(struct apply *a, const char *name, const char *value, const char *origin)
{
	a->ov = xrealloc(a->ov, (a->nov + 1) * sizeof(*a->ov));
	a->ov[a->nov].name = name;
	a->ov[a->nov].value = value;
	a->ov[a->nov++].origin = origin;
}

/* Split NAME=VALUE in place (argv strings are writable). */
static int add_var_arg(struct apply *a, char *arg)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return error("--var wants NAME=VALUE, not '%s'", arg);
	*eq = '\0';
	add_override(a, arg, eq + 1, "--var");
	return 0;
}

static int parse_args(struct apply *a, int argc, char **argv)
{
	enum { O_DRY = 256, O_DIFF, O_NOW, O_JSON, O_DOWN };
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},   {"pubkey", required_argument, NULL, 'P'},
		{"var", required_argument, NULL, 'v'},    {"dry-run", no_argument, NULL, O_DRY},
		{"diff", no_argument, NULL, O_DIFF},      {"now", no_argument, NULL, O_NOW},
		{"json", no_argument, NULL, O_JSON},      {"allow-downgrade", no_argument, NULL, O_DOWN},
		{"quiet", no_argument, NULL, 'q'},        {NULL, 0, NULL, 0}};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:P:v:q", opts, NULL)) != -1) {
		switch (c) {
		case 'r': a->root = optarg; break;
		case 'P': if (keyring_add_arg(&a->keys, optarg) < 0) return EXIT_SIG; break;
		case 'v': if (add_var_arg(a, optarg) < 0) return EXIT_USAGE; break;
		case O_DRY: a->dry_run = 1; break;
		case O_DIFF: a->diff = 1; break;
		case O_NOW: a->now = 1; break;
		case O_JSON: a->json = 1; break;
		case O_DOWN: a->allow_downgrade = 1; break;
		case 'q': msg_set_quiet(1); break;
		default: fputs(roleboot_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 < argc)
		return error("apply takes one ROLE, not %d", argc - optind), EXIT_USAGE;
	a->role_arg = optind < argc ? argv[optind] : NULL;
	return 0;
}

/* ROLE, pubkey and vars from the kernel command line when ROLE is omitted. */
static int use_kernel_cmdline(struct apply *a)
{
	size_t i;

	if (a->role_arg) {
		/* kernel values stay available to templates as facts */
		if (kcmdline_read(&a->kcmd, 0) < 0)
			kcmdline_release(&a->kcmd);
		return 0;
	}
	if (kcmdline_read(&a->kcmd, 1) < 0)
		return EXIT_USAGE;
	if (!a->kcmd.role)
		return error("no ROLE given and no roleboot.role= on the kernel command line"),
		       EXIT_USAGE;
	a->role_arg = a->kcmd.role;
	if (a->kcmd.pubkey && keyring_add_arg(&a->keys, a->kcmd.pubkey) < 0)
		return EXIT_SIG;
	/* --var given on the command line still wins: kernel values go first */
	for (i = 0; i < a->kcmd.nvars; i++)
		add_override(a, a->kcmd.names[i], a->kcmd.values[i], "kernel command line");
	if (a->nov > a->kcmd.nvars) {
		struct override *tmp = xmalloc(a->nov * sizeof(*tmp));
		size_t user = a->nov - a->kcmd.nvars;

		memcpy(tmp, a->ov + user, a->kcmd.nvars * sizeof(*tmp));
		memcpy(tmp + a->kcmd.nvars, a->ov, user * sizeof(*tmp));
		free(a->ov);
		a->ov = tmp;
	}
	return 0;
}

static int load_role(struct apply *a)
{
	struct buf text = BUF_INIT;
	char *url = fetch_url_for(a->role_arg);
	int code = EXIT_USAGE;

	if (!url)
		goto out;
	code = EXIT_FETCH;
	if (fetch_to_buf(url, ROLE_MAX_SIZE, &text) < 0)
		goto out;
	code = EXIT_ROLE;
	if (role_parse(a->role_arg, url, text.data ? text.data : "", text.len, &a->role) < 0)
		goto out;
	note("role", "%s: role '%s'", a->role_arg, a->role.name);
	code = 0;
out:
	buf_release(&text);
	free(url);
	return code;
}

/* Signature and bundle from one source; 0 or -1 (an error was printed). */
static int fetch_from(struct apply *a, const char *url, const char *sig_url, struct buf *sigtext)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = xasprintf("%s/roleboot-bundle-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkostemp(path, O_CLOEXEC), ret = -1;

	if (fd < 0) {
		error_errno("%s: cannot create a temporary file", path);
		free(path);
		return -1;
	}
	cleanup_add(path);
	buf_reset(sigtext);
	if (fetch_to_buf(sig_url, SIG_MAX, sigtext) < 0 ||
	    fetch_to_fd(url, fd, BUNDLE_MAX, &a->fetched) < 0) {
		unlink(path);
		cleanup_forget(path);
		free(path);
		goto out;
	}
	a->bundle_tmp = path;
	a->bundle_url = xstrdup(url);
	ret = 0;
out:
	close(fd);
	return ret;
}

static int fetch_bundle(struct apply *a, struct buf *sigtext)
{
	size_t i;
	char *sig_url;
	int r;

	for (i = 0; i <= a->role.nmirrors; i++) {
		const char *url = i ? a->role.mirrors[i - 1] : a->role.bundle;

		if (i == 0 && a->role.signature)
			sig_url = xstrdup(a->role.signature);
		else
			sig_url = xasprintf("%s.minisig", url);
		note("fetch", "%s", url);
		r = fetch_from(a, url, sig_url, sigtext);
		free(sig_url);
		if (r == 0)
			return 0;
	}
	error("bundle for role '%s': every source failed", a->role.name);
	return EXIT_FETCH;
}

static int verify_bundle(struct apply *a, const struct buf *sigtext)
{
	char err[512], id[17];

	if (a->keys.n == 0)
		return error("no trusted keys: give --pubkey or put keys in %s/etc/roleboot/trusted.d",
			     strcmp(a->plan.root, "/") ? a->plan.root : ""),
		       EXIT_SIG;
	if (sig_parse(sigtext->data ? sigtext->data : "", sigtext->len, &a->sig, err,
		      sizeof(err)) < 0 ||
	    sig_verify(&a->sig, a->keys.keys, a->keys.n, a->fetched.blake2b, a->bundle_tmp,
		       BUNDLE_MAX, &a->key_index, err, sizeof(err)) < 0)
		return error("%s: %s", a->bundle_url, err), EXIT_SIG;
	sig_keyid_str(a->sig.keyid, id);
	note("verify", "signed by key %s, trusted comment: %s", id, a->sig.trusted_comment);
	return 0;
}

static int entry_lookup(void *ctx, const char *name, const char **text, size_t *len)
{
	const struct bundle_entry *e = bundle_find(ctx, name);

	if (!e)
		return -1;
	*text = (const char *)e->data;
	*len = e->len;
	return 0;
}

static int read_bundle(struct apply *a)
{
	struct bundle_limits lim = BUNDLE_LIMITS_DEFAULT;
	const struct bundle_entry *me;
	char err[512];
	size_t i;

	if (bundle_read(a->bundle_tmp, &lim, &a->bundle, err, sizeof(err)) < 0)
		return error("%s: %s", a->bundle_url, err), EXIT_BUNDLE;
	me = bundle_find(&a->bundle, "manifest.ini");
	if (!me)
		return error("%s: bundle has no manifest.ini", a->bundle_url), EXIT_BUNDLE;
	if (manifest_parse("manifest.ini", (const char *)me->data, me->len, &a->manifest) < 0)
		return EXIT_ROLE;
	for (i = 0; i < a->manifest.nfiles; i++) {
		const struct mfile *f = &a->manifest.files[i];
		const char *name = f->template ? f->template : f->source;

		if (!bundle_find(&a->bundle, name))
			return error("manifest.ini:%d: [file %s] names '%s', which is not in the bundle",
				     f->line, f->path, name),
			       EXIT_BUNDLE;
	}
	return 0;
}

static int check_manifest(struct apply *a)
{
	const struct manifest *m = &a->manifest;
	char when[32];
	struct tm tm;

	if (strcmp(m->role, a->role.name))
		return error("bundle is for role '%s', but %s asks for role '%s'", m->role,
			     a->role_arg, a->role.name),
		       EXIT_ROLE;
	if (m->has_expires && m->expires < time(NULL)) {
		gmtime_r(&m->expires, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		return error("bundle '%s' version %lld expired on %s", m->role, m->version, when),
		       EXIT_ROLE;
	}
	if (state_load(a->plan.root, &a->old) < 0)
		return EXIT_INSTALL;
	if (a->old.present && !strcmp(a->old.role, m->role) && m->version < a->old.version &&
	    !a->allow_downgrade)
		return error("bundle '%s' version %lld is older than the applied version %lld (use --allow-downgrade)",
			     m->role, m->version, a->old.version),
		       EXIT_ROLE;
	return 0;
}

static int render_all(struct apply *a)
{
	struct buf out = BUF_INIT;
	size_t i;
	int secret;

	a->data = render_data(&a->manifest, &a->role, a->ov, a->nov, a->plan.root, &a->kcmd);
	if (!a->data)
		return EXIT_RENDER;
	for (i = 0; i < a->manifest.nfiles; i++) {
		const struct mfile *f = &a->manifest.files[i];
		const struct bundle_entry *e;

		secret = 0;
		if (f->template) {
			if (render_template(f->template, a->data, entry_lookup, &a->bundle, &out,
					    &secret) < 0) {
				buf_release(&out);
				return EXIT_RENDER;
			}
		} else {
			e = bundle_find(&a->bundle, f->source);
			buf_add(&out, e->data, e->len);
		}
		install_add(&a->plan, f, &out, secret);
	}
	return 0;
}

static const char *change_word(int change)
{
	if (change & CH_NEW)
		return "new";
	if (change & CH_CONTENT)
		return "changed";
	if (change & CH_MODE)
		return "mode";
	return "owner";
}

static void list_changes(const struct apply *a)
{
	size_t i;

	for (i = 0; i < a->plan.n; i++) {
		const struct plan_file *f = &a->plan.files[i];

		if (f->change != CH_NONE)
			note(a->dry_run ? "would change" : "changed", "%s (%s)", f->mf->path,
			     change_word(f->change));
	}
}

/* Services of the bundle that are not enabled yet. */
static size_t pending_services(const struct apply *a, int enable)
{
	const char *root = a->offline ? a->plan.root : NULL;
	size_t i, n = 0;

	for (i = 0; i < a->manifest.nservices; i++) {
		const struct mservice *s = &a->manifest.services[i];

		if (!s->enable || services_is_enabled(root, s->name))
			continue;
		n++;
		if (!enable)
			note("would enable", "%s", s->name);
		else if (services_enable(root, s->name) < 0)
			return (size_t)-1;
		else
			note("enabled", "%s", s->name);
	}
	return n;
}

static int service_changed(const struct apply *a, const struct mservice *s)
{
	size_t i, j;

	for (i = 0; i < a->plan.n; i++) {
		const struct plan_file *f = &a->plan.files[i];

		if (f->change == CH_NONE)
			continue;
		if (s->restart)
			return 1;
		for (j = 0; j < f->mf->nnotify; j++)
			if (!strcmp(f->mf->notify[j], s->name))
				return 1;
	}
	return 0;
}

static int do_services(struct apply *a)
{
	size_t i, n = pending_services(a, 1);

	if (n == (size_t)-1)
		return EXIT_SERVICE;
	a->enabled = n;
	if (a->offline || !a->now)
		return 0;
	for (i = 0; i < a->manifest.nservices; i++) {
		const struct mservice *s = &a->manifest.services[i];

		if (!service_changed(a, s))
			continue;
		if (services_restart(s->name) < 0)
			return EXIT_SERVICE;
		note("restarted", "%s", s->name);
		a->restarted++;
	}
	return 0;
}

static int save_state(struct apply *a)
{
	struct state st;
	size_t i;
	int ret;

	memset(&st, 0, sizeof(st));
	st.role = a->manifest.role;
	st.version = a->manifest.version;
	st.bundle = a->bundle_url;
	hex_encode(a->fetched.sha256, sizeof(a->fetched.sha256), st.sha256);
	sig_keyid_str(a->sig.keyid, st.keyid);
	st.time = time(NULL);
	for (i = 0; i < a->plan.n; i++) {
		const struct plan_file *f = &a->plan.files[i];

		state_add_file(&st, f->mf->path, f->sha256, f->mode, f->mf->owner, f->mf->group);
	}
	st.present = 1;
	/* a converged node keeps its state file (and its time) untouched */
	ret = state_same(&st, &a->old) ? 0 : state_save(a->plan.root, &st);
	st.role = st.bundle = NULL; /* borrowed */
	state_release(&st);
	return ret < 0 ? EXIT_INSTALL : 0;
}

static void print_json(const struct apply *a, size_t changed, int code)
{
	struct buf b = BUF_INIT;
	char id[17];
	size_t i, k = 0;

	sig_keyid_str(a->sig.keyid, id);
	buf_puts(&b, "{\"role\":");
	json_str(&b, a->manifest.role);
	buf_printf(&b, ",\"version\":%lld,\"key\":\"%s\",\"dry_run\":%s,\"changed\":%zu,"
		       "\"unchanged\":%zu,\"enabled\":%zu,\"restarted\":%zu,\"exit\":%d,\"files\":[",
		   a->manifest.version, id, a->dry_run ? "true" : "false", changed,
		   a->plan.n - changed, a->enabled, a->restarted, code);
	for (i = 0; i < a->plan.n; i++) {
		const struct plan_file *f = &a->plan.files[i];

		if (f->change == CH_NONE)
			continue;
		buf_puts(&b, k++ ? ",{\"path\":" : "{\"path\":");
		json_str(&b, f->mf->path);
		buf_printf(&b, ",\"change\":\"%s\"}", change_word(f->change));
	}
	buf_puts(&b, "]}\n");
	fputs(b.data, stdout);
	buf_release(&b);
}

/* Everything up to a plan that has been validated, in order. */
static int prepare(struct apply *a, int argc, char **argv)
{
	struct buf sigtext = BUF_INIT;
	int code;

	if ((code = parse_args(a, argc, argv)) || (code = use_kernel_cmdline(a)))
		goto out;
	install_init(&a->plan, a->root);
	a->offline = a->root != NULL || services_in_chroot();
	if (keyring_add_dir(&a->keys, a->plan.root) < 0) {
		code = EXIT_SIG;
		goto out;
	}
	if ((code = load_role(a)) || (code = fetch_bundle(a, &sigtext)) ||
	    (code = verify_bundle(a, &sigtext)) || (code = read_bundle(a)) ||
	    (code = check_manifest(a)) || (code = render_all(a)))
		goto out;
	if (install_prepare(&a->plan) < 0) {
		code = EXIT_INSTALL;
		goto out;
	}
	if (install_validate(&a->plan) < 0)
		code = EXIT_RENDER;
out:
	buf_release(&sigtext);
	return code;
}

static void apply_release(struct apply *a)
{
	if (a->bundle_tmp) {
		unlink(a->bundle_tmp);
		cleanup_forget(a->bundle_tmp);
	}
	free(a->bundle_tmp);
	free(a->bundle_url);
	free(a->ov);
	tv_free(a->data);
	install_release(&a->plan);
	state_release(&a->old);
	manifest_release(&a->manifest);
	bundle_release(&a->bundle);
	role_release(&a->role);
	keyring_release(&a->keys);
	kcmdline_release(&a->kcmd);
}

int cmd_apply(int argc, char **argv)
{
	struct apply a;
	size_t changed = 0, pending;
	int code;

	memset(&a, 0, sizeof(a));
	code = prepare(&a, argc, argv);
	if (code)
		goto out;
	changed = install_changed(&a.plan);
	list_changes(&a);
	if (a.diff)
		install_diff(&a.plan);
	if (a.dry_run) {
		pending = pending_services(&a, 0);
		note("dry-run", "%s version %lld: %zu would change, %zu unchanged", a.manifest.role,
		     a.manifest.version, changed, a.plan.n - changed);
		code = changed || pending ? EXIT_PENDING : EXIT_OK;
		goto out;
	}
	if (install_commit(&a.plan) < 0) {
		code = EXIT_INSTALL;
		goto out;
	}
	if ((code = do_services(&a)) || (code = save_state(&a)))
		goto out;
	note("apply", "%s version %lld: %zu changed, %zu unchanged, %zu services enabled",
	     a.manifest.role, a.manifest.version, changed, a.plan.n - changed, a.enabled);
out:
	if (a.json && a.manifest.role)
		print_json(&a, changed, code);
	apply_release(&a);
	return code;
}
