/* install.c — see install.h */
#include "install.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic.h"
#include "cleanup.h"
#include "command.h"

#define MAX_COMPARE (64u << 20)

void install_init(struct plan *p, const char *root)
{
	memset(p, 0, sizeof(*p));
	p->root = xstrdup(root && *root ? root : "/");
	rootfs_init(&p->fs, p->root);
}

static struct plan_file *add_file(struct plan_file **files, size_t *n, struct buf *content)
{
	struct plan_file *f;
	unsigned char md[32];

	*files = xrealloc(*files, (*n + 1) * sizeof(**files));
	f = &(*files)[(*n)++];
	memset(f, 0, sizeof(*f));
	f->content = *content;
	buf_init(content);
	EVP_Digest(f->content.data ? f->content.data : "", f->content.len, md, NULL, EVP_sha256(),
	           NULL);
	hex_encode(md, sizeof(md), f->sha256);
	return f;
}

struct plan_file *install_add(struct plan *p, const struct mfile *mf, struct buf *content,
                              int secret)
{
	struct plan_file *f = add_file(&p->files, &p->n, content);

	f->mf = mf;
	f->path = mf->path;
	f->target = rootfs_full(&p->fs, mf->path);
	f->secret = secret;
	f->mode = mf->mode;
	if (secret && (f->mode & 0137)) {
		f->mode &= ~0137u;
		warning("%s holds secret values: mode lowered to %04o", mf->path, f->mode);
	}
	f->want_mode = f->mode;
	return f;
}

void install_add_own(struct plan *p, const char *path, struct buf *content, unsigned mode)
{
	struct plan_file *f = add_file(&p->own, &p->nown, content);

	f->path = xstrdup(path);
	f->target = rootfs_full(&p->fs, path);
	f->mode = mode;
}

/* Numeric id or a name looked up in the target's passwd/group file (links
 * in it resolved inside the root). */
static int lookup_id(struct plan *p, const char *name, int group, unsigned *id)
{
	const char *file = group ? "/etc/group" : "/etc/passwd";
	struct buf text = BUF_INIT;
	FILE *fp = NULL;
	int ret = -1;
	unsigned long n;
	char *end;

	n = strtoul(name, &end, 10);
	if (*name && !*end) {
		*id = (unsigned)n;
		ret = 0;
		goto out;
	}
	if (rootfs_read_in(&p->fs, file, 16u << 20, &text) < 0) {
		if (errno == ENOENT && !strcmp(name, "root")) {
			*id = 0;
			ret = 0;
		} else {
			rootfs_fail(&p->fs, file, "cannot read");
		}
		goto out;
	}
	fp = text.len ? fmemopen(text.data, text.len, "r") : NULL;
	for (;;) {
		struct passwd *pw = fp && !group ? fgetpwent(fp) : NULL;
		struct group *gr = fp && group ? fgetgrent(fp) : NULL;

		if (!pw && !gr)
			break;
		if (pw && !strcmp(pw->pw_name, name)) {
			*id = pw->pw_uid;
			ret = 0;
			break;
		}
		if (gr && !strcmp(gr->gr_name, name)) {
			*id = gr->gr_gid;
			ret = 0;
			break;
		}
	}
	if (ret < 0) {
		char *full = rootfs_full(&p->fs, file);

		error("%s '%s' is not in %s", group ? "group" : "user", name, full);
		free(full);
	}
out:
	if (fp)
		fclose(fp);
	buf_release(&text);
	return ret;
}

/* lstat of a path under the root: 0, 1 when it does not exist, -1 (said
 * why) when it cannot be reached or is a link. */
static int inspect(struct plan *p, const char *path, struct stat *st)
{
	char *full;

	if (rootfs_lstat(&p->fs, path, st) < 0)
		return errno == ENOENT ? 1 : rootfs_fail(&p->fs, path, "cannot inspect");
	if (!S_ISLNK(st->st_mode))
		return 0;
	full = rootfs_full(&p->fs, path);
	error("%s: is a symbolic link; links under the root are not followed", full);
	free(full);
	return -1;
}

/* A replace = no file the target has: the plan takes its content, mode and
 * owner, so that it counts as unchanged and the staged tree the validators
 * see holds what the node will have. */
static int keep_target(struct plan *p, struct plan_file *f, const struct stat *st)
{
	struct buf old = BUF_INIT;
	unsigned char md[32];

	if (rootfs_read(&p->fs, f->path, MAX_COMPARE, &old) < 0)
		return rootfs_fail(&p->fs, f->path, "cannot read");
	if (f->content.data)
		explicit_bzero(f->content.data, f->content.len);
	buf_release(&f->content);
	f->content = old;
	EVP_Digest(f->content.data ? f->content.data : "", f->content.len, md, NULL, EVP_sha256(),
	           NULL);
	hex_encode(md, sizeof(md), f->sha256);
	f->mode = st->st_mode & 07777;
	f->uid = st->st_uid;
	f->gid = st->st_gid;
	f->kept = 1;
	return 0;
}

/* Compare the wanted file with what the target holds. */
static int compare_target(struct plan *p, struct plan_file *f)
{
	struct stat st;
	struct buf old = BUF_INIT;
	int ret = -1, r = inspect(p, f->path, &st);

	if (r != 0) {
		f->change = CH_NEW;
		return r < 0 ? -1 : 0;
	}
	if (!S_ISREG(st.st_mode))
		return error("%s: exists and is not a regular file", f->target);
	f->change = CH_NONE;
	if (f->mf && !f->mf->replace)
		return keep_target(p, f, &st);
	if ((size_t)st.st_size != f->content.len) {
		f->change |= CH_CONTENT;
	} else {
		if (rootfs_read(&p->fs, f->path, MAX_COMPARE, &old) < 0) {
			rootfs_fail(&p->fs, f->path, "cannot read");
			goto out;
		}
		if (old.len != f->content.len ||
		    (old.len && memcmp(old.data, f->content.data, old.len)))
			f->change |= CH_CONTENT;
	}
	if ((st.st_mode & 07777) != f->mode)
		f->change |= CH_MODE;
	if (st.st_uid != f->uid || st.st_gid != f->gid)
		f->change |= CH_OWNER;
	ret = 0;
out:
	buf_release(&old);
	return ret;
}

static int mkdirs(const char *dir, unsigned mode, char ***made, size_t *nmade)
{
	char *copy, *parent;
	int ret;

	if (mkdir(dir, mode) == 0) {
		if (made) {
			*made = xrealloc(*made, (*nmade + 1) * sizeof(**made));
			(*made)[(*nmade)++] = xstrdup(dir);
		}
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return error_errno("%s: cannot create folder", dir);
	copy = xstrdup(dir);
	parent = dirname(copy);
	ret = strcmp(parent, dir) ? mkdirs(parent, mode, made, nmade) : -1;
	free(copy);
	if (ret < 0)
		return -1;
	return mkdirs(dir, mode, made, nmade);
}

static int stage_mkdirs(struct plan *p, const char *dir)
{
	size_t i, before = p->nstage_dirs;
	int r = mkdirs(dir, 0700, &p->stage_dirs, &p->nstage_dirs);

	for (i = before; i < p->nstage_dirs; i++)
		cleanup_add_dir(p->stage_dirs[i]);
	return r;
}

static int stage_file(struct plan *p, struct plan_file *f)
{
	char *copy = NULL;
	int fd = -1, ret = -1;

	f->staged = root_path(p->stage, f->path);
	copy = xstrdup(f->staged);
	if (stage_mkdirs(p, dirname(copy)) < 0)
		goto out;
	cleanup_add(f->staged); /* staged files may hold secrets: removed on signals too */
	fd = open(f->staged, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_full(fd, f->content.data ? f->content.data : "", f->content.len) < 0) {
		error_errno("%s: cannot stage (in %s)", f->target, p->stage);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0 && close(fd) < 0 && ret == 0)
		ret = error_errno("%s: cannot stage", f->staged);
	free(copy);
	return ret;
}

void install_add_dir(struct plan *p, const struct mdir *md)
{
	struct plan_dir *d;

	p->dirs = xrealloc(p->dirs, (p->ndirs + 1) * sizeof(*p->dirs));
	d = &p->dirs[p->ndirs++];
	memset(d, 0, sizeof(*d));
	d->md = md;
	d->target = rootfs_full(&p->fs, md->path);
	d->mode = md->mode;
}

static int prepare_dir(struct plan *p, struct plan_dir *d)
{
	struct stat st;
	unsigned id;
	char *staged;
	int r;

	if (lookup_id(p, d->md->owner, 0, &id) < 0)
		return -1;
	d->uid = id;
	if (lookup_id(p, d->md->group, 1, &id) < 0)
		return -1;
	d->gid = id;
	r = inspect(p, d->md->path, &st);
	if (r < 0)
		return -1;
	if (r > 0) {
		d->change = CH_NEW;
	} else if (!S_ISDIR(st.st_mode)) {
		return error("%s: exists and is not a folder", d->target);
	} else {
		d->old_mode = st.st_mode & 07777;
		d->old_uid = st.st_uid;
		d->old_gid = st.st_gid;
		d->change = (d->old_mode != d->mode ? CH_MODE : 0) |
		            (st.st_uid != d->uid || st.st_gid != d->gid ? CH_OWNER : 0);
	}
	staged = root_path(p->stage, d->md->path);
	r = stage_mkdirs(p, staged);
	free(staged);
	return r;
}

/* The private staging folder: ROOT/var/lib/roleboot/stage-TXID, which the
 * next run's recovery removes should this one be killed, or $TMPDIR. */
static int make_stage(struct plan *p)
{
	char *name;
	int dfd, ret = 0;

	if (!p->stage_in_root) {
		p->stage = tmp_dir("roleboot-stage");
		return p->stage ? 0 : -1;
	}
	name = xasprintf("stage-%s", p->journal.tx);
	dfd = rootfs_dir(&p->fs, ROLEBOOT_DIR, 1, 0755);
	if (dfd < 0 || mkdirat(dfd, name, 0700) < 0) {
		ret = rootfs_fail(&p->fs, ROLEBOOT_DIR, "cannot create staging folder in");
	} else {
		char *dir = rootfs_full(&p->fs, ROLEBOOT_DIR);

		p->stage = xasprintf("%s/%s", dir, name);
		free(dir);
		cleanup_add_dir(p->stage);
	}
	if (dfd >= 0)
		close(dfd);
	free(name);
	return ret;
}

/* 1 when name is ".BASE.rb-XXXXXX" (six characters of mkstemp) for the
 * base of a managed file in dir: a temp that a roleboot without the
 * journal left when it was killed. */
static int stale_temp(const struct plan *p, const char *dir, const char *name)
{
	size_t len = strlen(name), dlen = strlen(dir), i, blen;
	const char *path;

	if (len < 12 || name[0] != '.' || strncmp(name + len - 10, ".rb-", 4))
		return 0;
	for (i = len - 6; i < len; i++)
		if (!isalnum((unsigned char)name[i]))
			return 0;
	blen = len - 11;
	for (i = 0; i < p->n; i++) {
		path = p->files[i].path;
		if (!strncmp(path, dir, dlen) && path[dlen] == '/' &&
		    strlen(path + dlen + 1) == blen && !strncmp(path + dlen + 1, name + 1, blen))
			return 1;
	}
	return 0;
}

/* Such temps are copies of old content, secrets included: removed from the
 * folders of the managed files (each folder read once). */
static void sweep_stale(struct plan *p)
{
	char **seen = NULL, *dir;
	size_t i, j, nseen = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd;

	for (i = 0; i < p->n; i++) {
		dir = xstrndup(p->files[i].path,
		               (size_t)(strrchr(p->files[i].path, '/') - p->files[i].path));
		for (j = 0; j < nseen && strcmp(seen[j], dir); j++)
			;
		if (j < nseen || (dfd = rootfs_dir(&p->fs, *dir ? dir : "/", 0, 0)) < 0) {
			free(dir);
			continue;
		}
		seen = xrealloc(seen, (nseen + 1) * sizeof(*seen));
		seen[nseen++] = dir;
		d = fdopendir(dfd);
		if (!d) {
			close(dfd);
			continue;
		}
		while ((de = readdir(d)))
			if (stale_temp(p, dir, de->d_name) &&
			    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode) && unlinkat(dirfd(d), de->d_name, 0) == 0)
				note("removed", "%s/%s (left by an interrupted run)", dir,
				     de->d_name);
		closedir(d);
	}
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
}

int install_prepare(struct plan *p)
{
	size_t i;
	unsigned id;

	journal_init(&p->journal);
	if (rootfs_open(&p->fs, p->stage_in_root) < 0)
		return error_errno("%s: cannot open the target root", p->root);
	if (make_stage(p) < 0)
		return -1;
	for (i = 0; i < p->ndirs; i++)
		if (prepare_dir(p, &p->dirs[i]) < 0)
			return -1;
	for (i = 0; i < p->n; i++) {
		struct plan_file *f = &p->files[i];

		if (lookup_id(p, f->mf->owner, 0, &id) < 0)
			return -1;
		f->uid = id;
		if (lookup_id(p, f->mf->group, 1, &id) < 0)
			return -1;
		f->gid = id;
		if (compare_target(p, f) < 0 || stage_file(p, f) < 0)
			return -1;
	}
	if (p->stage_in_root)
		sweep_stale(p);
	return 0;
}

static int any_secret(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->files[i].secret)
			return 1;
	return 0;
}

static int validate_one(const struct plan *p, const struct plan_file *f)
{
	char **argv = command_split(f->mf->validate, f->staged, p->root, p->stage);
	char *subject = NULL, *quoted = NULL;
	struct buf out = BUF_INIT;
	int status, ret = -1, quiet;

	if (!argv) {
		error("%s: empty validate command", f->mf->path);
		goto out;
	}
	status = command_run(argv, &out, 1);
	if (status < 0)
		goto out;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		ret = 0;
		goto out;
	}
	/* a validator given the staged tree or the root (%t, %r) may read every
	 * staged file: while any holds secret values, its output is not repeated */
	quiet = f->secret ||
	        ((strstr(f->mf->validate, "%t") || strstr(f->mf->validate, "%r")) && any_secret(p));
	subject = xasprintf("validate %s", f->mf->path);
	quoted = xasprintf("'%s'", f->mf->validate);
	command_failed(subject, quoted, argv[0], status, quiet ? NULL : command_first_line(&out));
out:
	buf_release(&out);
	command_free(argv);
	free(subject);
	free(quoted);
	return ret;
}

int install_validate(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->files[i].mf->validate && validate_one(p, &p->files[i]) < 0)
			return -1;
	return 0;
}

/* diff -u of the target (read through rootfs, given as stdin) and the
 * staged copy, on stdout.  diff's exit 1 means "they differ"; anything
 * else but 0 is reported. */
static void diff_one(struct plan *p, const struct plan_file *f)
{
	char *a = xasprintf("a%s", f->path), *b = xasprintf("b%s", f->path);
	char *argv[] = {"diff", "-u", "--label", a, "--label", b, "-", f->staged, NULL};
	struct command_io io = {-1, COMMAND_INHERIT, COMMAND_INHERIT, NULL};
	int status;

	if (!(f->change & CH_NEW)) {
		io.in_fd = rootfs_openat(&p->fs, f->path, O_RDONLY, 0);
		if (io.in_fd < 0) {
			rootfs_fail(&p->fs, f->path, "cannot read for --diff");
			goto out;
		}
	} else {
		argv[6] = "/dev/null";
	}
	status = command_spawn(argv, &io);
	if (status >= 0 && (!WIFEXITED(status) || WEXITSTATUS(status) > 1))
		command_failed(f->path, "diff", "diff", status, NULL);
out:
	if (io.in_fd >= 0)
		close(io.in_fd);
	free(a);
	free(b);
}

void install_diff(struct plan *p)
{
	size_t i;

	fflush(stdout);
	for (i = 0; i < p->n; i++) {
		const struct plan_file *f = &p->files[i];

		if (!(f->change & (CH_NEW | CH_CONTENT)))
			continue;
		if (f->secret) {
			printf("--- %s: holds secret values, diff not shown\n", f->path);
			fflush(stdout);
			continue;
		}
		diff_one(p, f);
	}
}

size_t install_changed(const struct plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		n += p->files[i].change != CH_NONE;
	for (i = 0; i < p->ndirs; i++)
		n += p->dirs[i].change != CH_NONE;
	return n;
}

/* J_MKDIR lines for the folders on the way to dir (dir included) that do
 * not exist yet, each once. */
static int journal_dirs(struct plan *p, const char *dir)
{
	char *missing = NULL, *copy, *c;
	size_t i, len;
	int known;

	if (rootfs_first_missing(&p->fs, dir, &missing) < 0)
		return rootfs_fail(&p->fs, dir, "cannot create");
	if (!missing)
		return 0;
	copy = xstrdup(dir);
	len = strlen(missing);
	for (c = copy + len;; c++) {
		char keep = *c;

		if (keep && keep != '/')
			continue;
		*c = '\0';
		for (i = 0, known = 0; i < p->journal.n && !known; i++)
			known = p->journal.e[i].kind == J_MKDIR &&
			        !strcmp(p->journal.e[i].path, copy);
		if (!known)
			journal_add(&p->journal, J_MKDIR, copy, NULL, 0, 0, 0);
		*c = keep;
		if (!keep)
			break;
	}
	free(copy);
	free(missing);
	return 0;
}

static int journal_file(struct plan *p, const struct plan_file *f)
{
	char *dir;
	int r;

	if (f->change == CH_NONE)
		return 0;
	dir = xstrndup(f->path, (size_t)(strrchr(f->path, '/') - f->path));
	r = journal_dirs(p, *dir ? dir : "/");
	free(dir);
	if (r == 0)
		journal_add(&p->journal, f->change & CH_NEW ? J_NEW : J_REPLACE, f->path, f->sha256,
		            0, 0, 0);
	return r;
}

/* Every change, in the order it is made, before any is made. */
static int plan_journal(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->ndirs; i++) {
		const struct plan_dir *d = &p->dirs[i];

		if ((d->change & CH_NEW) && journal_dirs(p, d->md->path) < 0)
			return -1;
		if (d->change && !(d->change & CH_NEW))
			journal_add(&p->journal, J_ATTR, d->md->path, NULL, d->old_mode, d->old_uid,
			            d->old_gid);
	}
	for (i = 0; i < p->n; i++)
		if (journal_file(p, &p->files[i]) < 0)
			return -1;
	for (i = 0; i < p->nown; i++)
		if (journal_file(p, &p->own[i]) < 0)
			return -1;
	return 0;
}

/* The journal's new folders, then the [dir] entries' modes and owners. */
static int make_dirs(struct plan *p)
{
	size_t i;
	int fd;

	for (i = 0; i < p->journal.n; i++) {
		if (p->journal.e[i].kind != J_MKDIR)
			continue;
		fd = rootfs_dir(&p->fs, p->journal.e[i].path, 1, 0755);
		if (fd < 0)
			return rootfs_fail(&p->fs, p->journal.e[i].path, "cannot create folder");
		close(fd);
	}
	for (i = 0; i < p->ndirs; i++) {
		struct plan_dir *d = &p->dirs[i];

		if (d->change == CH_NONE)
			continue;
		fd = rootfs_dir(&p->fs, d->md->path, 0, 0);
		if (fd < 0)
			return rootfs_fail(&p->fs, d->md->path, "cannot set owner and mode");
		if (fchown(fd, d->uid, d->gid) < 0 || fchmod(fd, d->mode) < 0) {
			close(fd);
			return error_errno("%s: cannot set owner and mode", d->target);
		}
		close(fd);
	}
	return 0;
}

/* The new content beside the target, whole and synced, and the old file
 * kept as a hard link; the temp is 0600 until complete. */
static int write_new(struct plan *p, const struct plan_file *f)
{
	char *tmp = NULL, *old = NULL;
	const char *base;
	struct stat st;
	int dfd, fd = -1, ret = -1;

	dfd = rootfs_parent(&p->fs, f->path, 0, 0, &base);
	if (dfd < 0)
		return rootfs_fail(&p->fs, f->path, "cannot install");
	tmp = journal_temp(&p->journal, base, 0);
	old = journal_temp(&p->journal, base, 1);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_full(fd, f->content.data ? f->content.data : "", f->content.len) < 0 ||
	    fchown(fd, f->uid, f->gid) < 0 || fchmod(fd, f->mode) < 0 || fsync(fd) < 0) {
		error_errno("%s: cannot write", f->target);
		goto out;
	}
	if (!(f->change & CH_NEW)) {
		if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
			error("%s: changed while being installed (now %s)", f->target,
			      S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
			goto out;
		}
		if (linkat(dfd, base, dfd, old, 0) < 0) {
			error_errno("%s: cannot keep a backup", f->target);
			goto out;
		}
	}
	if (fsync(dfd) < 0) {
		error_errno("%s: cannot sync its folder", f->target);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0 && close(fd) < 0 && ret == 0)
		ret = error_errno("%s: cannot write", f->target);
	close(dfd);
	free(tmp);
	free(old);
	return ret;
}

static int write_all_new(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->files[i].change != CH_NONE && write_new(p, &p->files[i]) < 0)
			return -1;
	for (i = 0; i < p->nown; i++)
		if (p->own[i].change != CH_NONE && write_new(p, &p->own[i]) < 0)
			return -1;
	return 0;
}

/* SIGINT, SIGTERM and SIGHUP wait until the transaction is done or undone;
 * SIGKILL leaves the journal to the next run's recovery. */
int install_commit(struct plan *p)
{
	sigset_t mask;
	size_t i;
	int ret = -1;

	for (i = 0; i < p->nown; i++)
		if (compare_target(p, &p->own[i]) < 0)
			return -1;
	if (!p->journal.tx[0])
		journal_init(&p->journal);
	if (plan_journal(p) < 0)
		return -1;
	if (p->journal.n == 0)
		return 0;
	cleanup_block_signals(&mask, 1);
	if (journal_begin(&p->fs, &p->journal) < 0)
		goto out;
	if (make_dirs(p) < 0 || write_all_new(p) < 0 || journal_ready(&p->fs) < 0 ||
	    journal_finish(&p->fs, &p->journal) < 0) {
		if (journal_undo(&p->fs, &p->journal) < 0)
			error("%s: the transaction could not be undone; the next roleboot run "
			      "finishes it from the journal",
			      p->root);
		goto out;
	}
	ret = 0;
out:
	cleanup_block_signals(&mask, 0);
	return ret;
}

static void release_files(struct plan_file *files, size_t n, int own)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct plan_file *f = &files[i];

		if (f->staged)
			cleanup_forget(f->staged);
		if (f->secret && f->content.data)
			explicit_bzero(f->content.data, f->content.len);
		buf_release(&f->content);
		if (own)
			free((char *)f->path);
		free(f->target);
		free(f->staged);
	}
	free(files);
}

void install_release(struct plan *p)
{
	size_t i;

	if (p->stage)
		remove_tree(p->stage);
	release_files(p->files, p->n, 0);
	release_files(p->own, p->nown, 1);
	for (i = 0; i < p->ndirs; i++)
		free(p->dirs[i].target);
	free(p->dirs);
	for (i = p->nstage_dirs; i-- > 0;) {
		cleanup_forget(p->stage_dirs[i]);
		free(p->stage_dirs[i]);
	}
	if (p->stage)
		cleanup_forget(p->stage);
	free(p->stage_dirs);
	free(p->stage);
	journal_release(&p->journal);
	rootfs_release(&p->fs);
	free(p->root);
	memset(p, 0, sizeof(*p));
}
