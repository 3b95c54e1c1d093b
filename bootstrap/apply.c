/* apply.c — the steps of roleboot apply; see apply.h. */
#include "apply.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "command.h"
#include "reapply.h"
#include "render.h"
#include "roleboot.h"
#include "services.h"

int apply_load_role(struct apply *a)
{
	switch (role_load(a->role_arg, &a->role)) {
	case ROLE_BAD_URL:
		return EXIT_USAGE;
	case ROLE_UNFETCHED:
		return EXIT_FETCH;
	case ROLE_REFUSED:
		return EXIT_ROLE;
	}
	note("role", "%s: role '%s'", a->role_arg, a->role.name);
	if (!a->fetch.cacert && a->role.cacert)
		a->fetch.cacert = a->role.cacert; /* for the downloads of apply_fetch */
	return 0;
}

/* Signature and bundle from one source; 0 or -1 (an error was printed). */
static int fetch_from(struct apply *a, const char *url, const char *sig_url)
{
	char *path;
	int fd = tmp_file("roleboot-bundle", &path), ret = -1;

	if (fd < 0)
		return -1;
	buf_reset(&a->sigtext);
	if (fetch_to_buf(sig_url, SIG_MAX, &a->sigtext) < 0 ||
	    fetch_to_fd(url, fd, a->max_size, &a->fetched) < 0) {
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

/* Every source in order (the bundle, then each mirror), then round again
 * while some source failed in a way that may pass (not a refusal such as a
 * size cap or a forbidden redirect), until the deadline. */
int apply_fetch(struct apply *a)
{
	const struct fetch_config *c = &a->fetch;
	unsigned round;
	size_t i;
	char *sig_url;
	int r, transient = 1;

	fetch_configure(&a->fetch);
	for (round = 1; round <= FETCH_ROUNDS && transient; round++) {
		transient = 0;
		for (i = 0; i <= a->role.nmirrors; i++) {
			const char *url = i ? a->role.mirrors[i - 1] : a->role.bundle;

			if (c->deadline && fetch_now() >= c->deadline)
				goto out;
			if (i == 0 && a->role.signature)
				sig_url = xstrdup(a->role.signature);
			else
				sig_url = xasprintf("%s.minisig", url);
			note("fetch", "%s%s", url, round > 1 ? " (again)" : "");
			r = fetch_from(a, url, sig_url);
			free(sig_url);
			if (r == 0)
				return 0;
			transient |= fetch_stats()->last_transient;
		}
	}
out:
	error("bundle for role '%s': every source failed%s", a->role.name,
	      c->deadline && fetch_now() >= c->deadline ? " before the deadline" : "");
	return EXIT_FETCH;
}

int apply_verify(struct apply *a)
{
	char id[17];

	if (a->keys.n == 0) {
		error("no trusted keys: give --pubkey or put keys in %s/etc/roleboot/trusted.d",
		      strcmp(a->plan.root, "/") ? a->plan.root : "");
		return EXIT_SIG;
	}
	if (sig_check(a->bundle_url, a->sigtext.data ? a->sigtext.data : "", a->sigtext.len,
	              &a->sig, a->keys.keys, a->keys.n, a->fetched.blake2b, a->bundle_tmp,
	              a->max_size, &a->key_index) < 0)
		return EXIT_SIG;
	a->verified = 1;
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

int apply_read_bundle(struct apply *a)
{
	struct bundle_limits lim = BUNDLE_LIMITS_DEFAULT;
	char err[512];

	if (bundle_read(a->bundle_tmp, &lim, &a->bundle, err, sizeof(err)) < 0) {
		error("%s: %s", a->bundle_url, err);
		return EXIT_BUNDLE;
	}
	return 0;
}

/* manifest.ini parsed, and every file it names found in the bundle;
 * 0, EXIT_BUNDLE or EXIT_ROLE (a manifest that does not parse). */
static int parse_manifest(struct apply *a)
{
	const struct bundle_entry *me = bundle_find(&a->bundle, "manifest.ini");
	size_t i;

	if (!me) {
		error("%s: bundle has no manifest.ini", a->bundle_url);
		return EXIT_BUNDLE;
	}
	if (manifest_parse("manifest.ini", (const char *)me->data, me->len, &a->manifest) < 0)
		return EXIT_ROLE;
	for (i = 0; i < a->manifest.nfiles; i++) {
		const struct mfile *f = &a->manifest.files[i];
		const char *name = f->template ? f->template : f->source;

		if (name && !bundle_find(&a->bundle, name)) {
			error("manifest.ini:%d: [file %s] names '%s', which is not in the bundle",
			      f->line, f->path, name);
			return EXIT_BUNDLE;
		}
	}
	return 0;
}

int apply_check_manifest(struct apply *a)
{
	const struct manifest *m = &a->manifest;
	char when[32];
	struct tm tm;
	int code = parse_manifest(a);

	if (code)
		return code;
	if (strcmp(m->role, a->role.name)) {
		error("bundle is for role '%s', but %s asks for role '%s'", m->role, a->role_arg,
		      a->role.name);
		return EXIT_ROLE;
	}
	if (m->has_expires && m->expires < time(NULL)) {
		gmtime_r(&m->expires, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		error("bundle '%s' version %lld expired on %s", m->role, m->version, when);
		return EXIT_ROLE;
	}
	if (a->expect_version >= 0 && m->version != a->expect_version) {
		error("bundle '%s' is version %lld, not the version %lld asked for "
		      "(--expect-version)",
		      m->role, m->version, a->expect_version);
		return EXIT_ROLE;
	}
	if (a->old.present && !strcmp(a->old.role, m->role) && m->version < a->old.version &&
	    !a->allow_downgrade) {
		error("bundle '%s' version %lld is older than the applied version %lld (use "
		      "--allow-downgrade)",
		      m->role, m->version, a->old.version);
		return EXIT_ROLE;
	}
	reapply_add(&a->role, &a->manifest);
	return 0;
}

/* A per-node file: kept when the target has it, else made by its command
 * (stdout), never shipped in a bundle.  Its content counts as secret. */
static int generated(struct apply *a, const struct mfile *f, struct buf *out)
{
	char *target = rootfs_full(&a->plan.fs, f->path), **argv = NULL;
	char *quoted = NULL, *subject = NULL;
	struct stat st;
	int status, ret = -1;

	if (rootfs_lstat(&a->plan.fs, f->path, &st) == 0 && S_ISREG(st.st_mode)) {
		ret = rootfs_read(&a->plan.fs, f->path, 1u << 20, out) < 0
		              ? rootfs_fail(&a->plan.fs, f->path, "cannot read")
		              : 0;
		goto out;
	}
	argv = command_split(f->generate, target, a->plan.root, "");
	if (!argv) {
		error("manifest.ini:%d: [file %s]: empty generate command", f->line, f->path);
		goto out;
	}
	status = command_run(argv, out, 0);
	if (status < 0)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !out->len) {
		quoted = xasprintf("'%s'", f->generate);
		subject = xasprintf("generate %s", f->path);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			error("%s: %s printed nothing", subject, quoted);
		else
			command_failed(subject, quoted, argv[0], status, NULL);
		goto out;
	}
	ret = 0;
out:
	command_free(argv);
	free(quoted);
	free(subject);
	free(target);
	return ret;
}

static int render_file(struct apply *a, const struct mfile *f, const struct tv *scope,
                       struct buf *out, int *secret)
{
	const struct bundle_entry *e;

	*secret = 0;
	if (f->template)
		return render_template_in(f->template, a->data, scope, entry_lookup, &a->bundle,
		                          out, secret);
	if (f->content) {
		buf_puts(out, f->content);
		return 0;
	}
	if (f->generate) {
		*secret = 1;
		return generated(a, f, out);
	}
	e = bundle_find(&a->bundle, f->source);
	buf_add(out, e->data, e->len);
	return 0;
}

/* Renders f (with scope on top of the data) and adds it to the plan;
 * 0 or EXIT_RENDER. */
static int add_file(struct apply *a, const struct mfile *f, const struct tv *scope)
{
	struct buf out = BUF_INIT;
	int secret;

	if (render_file(a, f, scope, &out, &secret) < 0) {
		buf_release(&out);
		return EXIT_RENDER;
	}
	install_add(&a->plan, f, &out, secret);
	return 0;
}

/* A foreach file: one copy per role section of its variable, the path's
 * {{name}} replaced by the section's name. */
static int add_each(struct apply *a, const struct mfile *f)
{
	const struct tv *list = tv_get(a->data, f->foreach), *item, *name;
	struct mfile *copy;
	char *path;
	size_t i;
	int r;

	for (i = 0; list && list->kind == TV_LIST && i < list->n; i++) {
		item = list->items[i];
		name = tv_get(item, "name");
		if (!name || name->kind != TV_STRING)
			continue;
		path = manifest_foreach_path(f, name->str);
		if (!path)
			return EXIT_RENDER;
		copy = xmalloc(sizeof(*copy));
		*copy = *f;
		copy->path = path;
		copy->foreach = NULL;
		a->each = xrealloc(a->each, (a->neach + 1) * sizeof(*a->each));
		a->each[a->neach++] = copy;
		r = add_file(a, copy, item);
		if (r)
			return r;
	}
	return 0;
}

/* Two entries that came to the same path (a foreach file's copy and
 * another file). */
static int check_unique(const struct apply *a)
{
	size_t i, j;

	for (i = 0; i < a->plan.n; i++)
		for (j = i + 1; j < a->plan.n; j++)
			if (!strcmp(a->plan.files[i].path, a->plan.files[j].path)) {
				error("manifest.ini:%d and %d: both lay down %s",
				      a->plan.files[i].mf->line, a->plan.files[j].mf->line,
				      a->plan.files[i].path);
				return EXIT_RENDER;
			}
	return 0;
}

int apply_render(struct apply *a)
{
	const struct tv *fam;
	size_t i;
	int r;

	a->data = render_data(&a->manifest, &a->role, a->ov, a->nov, a->plan.root, &a->kcmd);
	if (!a->data)
		return EXIT_RENDER;
	fam = tv_get(tv_get(tv_get(a->data, "host"), "os"), "family");
	a->family = fam && fam->kind == TV_STRING ? fam->str : NULL;
	for (i = 0; i < a->manifest.ndirs; i++)
		if (manifest_applies(&a->manifest.dirs[i].families, a->family))
			install_add_dir(&a->plan, &a->manifest.dirs[i]);
	for (i = 0; i < a->manifest.nfiles; i++) {
		const struct mfile *f = &a->manifest.files[i];

		if (!manifest_applies(&f->families, a->family))
			continue;
		r = f->foreach ? add_each(a, f) : add_file(a, f, NULL);
		if (r)
			return r;
	}
	return check_unique(a);
}

int apply_next_planned(const struct apply *a, size_t *pos, struct planned *e)
{
	const struct plan *p = &a->plan;

	memset(e, 0, sizeof(*e));
	if (*pos < p->ndirs) {
		e->dir = &p->dirs[*pos];
		e->path = e->dir->md->path;
		e->change = e->dir->change;
	} else if (*pos - p->ndirs < p->n) {
		e->file = &p->files[*pos - p->ndirs];
		e->path = e->file->path;
		e->change = e->file->change;
		e->secret = e->file->secret;
	} else {
		return 0;
	}
	(*pos)++;
	return 1;
}

void apply_note_changes(const struct apply *a, const char *label)
{
	struct planned e;
	size_t pos = 0;

	while (apply_next_planned(a, &pos, &e))
		if (e.change != CH_NONE)
			note(label, "%s%s (%s)", e.path, e.dir ? "/" : "",
			     apply_change_word(e.change));
}

int apply_stage(struct apply *a)
{
	if (install_prepare(&a->plan) < 0)
		return EXIT_INSTALL;
	a->changed = install_changed(&a->plan);
	return 0;
}

int apply_validate(struct apply *a)
{
	return install_validate(&a->plan) < 0 ? EXIT_RENDER : 0;
}

/* What `roleboot apply` with no ROLE needs to re-apply this run: the role
 * file's URL (not when it carries a password: the state is world-readable)
 * and the values given on the command lines, the last one of each name,
 * secret ones left out. */
static void record_source(struct apply *a, struct state *st)
{
	char *shown = url_display(a->role.where);
	size_t i, j;

	if (!strcmp(shown, a->role.where))
		st->source = xstrdup(a->role.where);
	else
		warning("%s: the role's URL holds credentials: not recorded for re-applies", shown);
	free(shown);
	for (i = 0; i < a->nov; i++) {
		const struct mvar *v = manifest_var(&a->manifest, a->ov[i].name);

		for (j = i + 1; j < a->nov && strcmp(a->ov[j].name, a->ov[i].name); j++)
			;
		if (j == a->nov && v && !v->secret)
			state_add_var(st, a->ov[i].name, a->ov[i].value);
	}
}

/* The state the install leaves, in the same transaction as the files;
 * a converged node keeps its state file (and its time) untouched. */
static void add_state(struct apply *a)
{
	struct buf text = BUF_INIT;
	struct planned e;
	struct state st;
	size_t pos = 0;

	memset(&st, 0, sizeof(st));
	st.role = a->manifest.role;
	st.version = a->manifest.version;
	st.bundle = a->bundle_url;
	hex_encode(a->fetched.blake2b, sizeof(a->fetched.blake2b), st.blake2b);
	sig_keyid_str(a->sig.keyid, st.keyid);
	st.time = time(NULL);
	record_source(a, &st);
	while (apply_next_planned(a, &pos, &e)) {
		const struct plan_file *f = e.file;

		if (!f)
			continue; /* folders are not in the state */
		/* a hash of secret content would let a reader of the state test guesses */
		/* a replace = no file is the node's once laid down (the sync agent's
		 * zones): no hash, and the manifest's mode, so that what the node
		 * writes there later never changes the state */
		if (!f->mf->replace)
			state_add_file(&st, f->path, "keep", f->want_mode, f->mf->owner,
			               f->mf->group);
		else
			state_add_file(&st, f->path, e.secret ? "secret" : f->sha256, f->mode,
			               f->mf->owner, f->mf->group);
	}
	st.present = 1;
	if (!state_same(&st, &a->old)) {
		state_format(&st, &text);
		install_add_own(&a->plan, STATE_PATH, &text, 0644);
	}
	st.role = st.bundle = NULL; /* borrowed */
	state_release(&st);
}

int apply_install(struct apply *a)
{
	if (a->diff)
		install_diff(&a->plan); /* what is about to change, before it does */
	add_state(a);
	if (install_commit(&a->plan) < 0)
		return EXIT_INSTALL;
	apply_note_changes(a, "changed");
	return 0;
}

const char *apply_change_word(int change)
{
	if (change & CH_NEW)
		return "new";
	if (change & CH_CONTENT)
		return "changed";
	if (change & CH_MODE)
		return "mode";
	return "owner";
}

/* The root systemctl works on: NULL for the live system. */
static const char *root_of(const struct apply *a)
{
	return a->offline ? a->plan.root : NULL;
}

size_t apply_pending_services(const struct apply *a, int enable)
{
	const char *root = root_of(a);
	size_t i, n = 0;

	for (i = 0; i < a->manifest.nservices; i++) {
		const struct mservice *s = &a->manifest.services[i];

		if (!s->enable || !manifest_applies(&s->families, a->family) ||
		    services_is_enabled(root, s->name))
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

/* 1 when a file changed and the service restarts on any change
 * (restart-on-change), or a file that changed notifies it. */
static int service_changed(const struct apply *a, const struct mservice *s)
{
	struct planned e;
	size_t pos = 0, j;

	while (apply_next_planned(a, &pos, &e)) {
		if (!e.file || e.change == CH_NONE)
			continue;
		if (s->restart)
			return 1;
		for (j = 0; j < e.file->mf->nnotify; j++)
			if (!strcmp(e.file->mf->notify[j], s->name))
				return 1;
	}
	return 0;
}

/* 1 when a file that changed is a systemd unit or drop-in, which the
 * running systemd goes on using as it read it until a daemon-reload. */
static int units_changed(const struct apply *a)
{
	static const char *const dirs[] = {"/etc/systemd/system/", "/run/systemd/system/",
	                                   "/usr/local/lib/systemd/system/",
	                                   "/usr/lib/systemd/system/", "/lib/systemd/system/"};
	struct planned e;
	size_t pos = 0, j;

	while (apply_next_planned(a, &pos, &e)) {
		if (!e.file || e.change == CH_NONE)
			continue;
		for (j = 0; j < sizeof(dirs) / sizeof(dirs[0]); j++)
			if (!strncmp(e.path, dirs[j], strlen(dirs[j])))
				return 1;
	}
	return 0;
}

int apply_services(struct apply *a)
{
	size_t i, n;

	if (!a->offline && units_changed(a)) {
		if (services_daemon_reload() < 0)
			return EXIT_SERVICE;
		note("reloaded", "systemd (unit files changed)");
	}
	n = apply_pending_services(a, 1);

	if (n == (size_t)-1)
		return EXIT_SERVICE;
	a->enabled = n;
	if (reapply_off(&a->role) && services_is_enabled(root_of(a), REAPPLY_TIMER)) {
		if (services_disable(root_of(a), REAPPLY_TIMER) < 0)
			return EXIT_SERVICE;
		note("disabled", "%s (reapply = off)", REAPPLY_TIMER);
	}
	if (a->offline || !a->now)
		return 0;
	for (i = 0; i < a->manifest.nservices; i++) {
		const struct mservice *s = &a->manifest.services[i];

		if (!manifest_applies(&s->families, a->family))
			continue;
		if (service_changed(a, s)) {
			if (services_restart(s->name) < 0)
				return EXIT_SERVICE;
			note("restarted", "%s", s->name);
			a->restarted++;
		} else if (s->start && !services_is_active(s->name)) {
			if (services_start(s->name) < 0)
				return EXIT_SERVICE;
			note("started", "%s", s->name);
		}
	}
	return 0;
}

void apply_release(struct apply *a)
{
	size_t i;

	if (a->bundle_tmp) {
		unlink(a->bundle_tmp);
		cleanup_forget(a->bundle_tmp);
	}
	free(a->bundle_tmp);
	free(a->bundle_url);
	buf_release(&a->sigtext);
	free(a->ov);
	tv_free(a->data);
	install_release(&a->plan);
	for (i = 0; i < a->neach; i++) {
		free(a->each[i]->path);
		free(a->each[i]);
	}
	free(a->each);
	state_release(&a->old);
	manifest_release(&a->manifest);
	bundle_release(&a->bundle);
	role_release(&a->role);
	keyring_release(&a->keys);
	kcmdline_release(&a->kcmd);
}
