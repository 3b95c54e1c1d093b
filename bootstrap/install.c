/* install.c — see install.h */
#include "install.h"

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

#include "cleanup.h"
#include "proc.h"

#define MAX_COMPARE (64u << 20)

void install_init(struct plan *p, const char *root)
{
	memset(p, 0, sizeof(*p));
	p->root = xstrdup(root && *root ? root : "/");
}

struct plan_file *install_add(struct plan *p, const struct mfile *mf, struct buf *content,
			      int secret)
{
	struct plan_file *f;
	unsigned char md[32];

	p->files = xrealloc(p->files, (p->n + 1) * sizeof(*p->files));
	f = &p->files[p->n++];
	memset(f, 0, sizeof(*f));
	f->mf = mf;
	f->target = root_path(p->root, mf->path);
	f->content = *content;
	buf_init(content);
	f->secret = secret;
	f->mode = mf->mode;
	if (secret && (f->mode & 0137)) {
		f->mode &= ~0137u;
		warning("%s holds secret values: mode lowered to %04o", mf->path, f->mode);
	}
	EVP_Digest(f->content.data ? f->content.data : "", f->content.len, md, NULL, EVP_sha256(),
		   NULL);
	hex_encode(md, sizeof(md), f->sha256);
	return f;
}

/* Numeric id or a name looked up in the target's passwd/group file. */
static int lookup_id(const char *root, const char *name, int group, unsigned *id)
{
	char *path = root_path(root, group ? "/etc/group" : "/etc/passwd"), *end;
	FILE *fp = NULL;
	int ret = -1;
	unsigned long n;

	n = strtoul(name, &end, 10);
	if (*name && !*end) {
		*id = (unsigned)n;
		ret = 0;
		goto out;
	}
	fp = fopen(path, "re");
	if (!fp) {
		if (errno == ENOENT && !strcmp(name, "root")) {
			*id = 0;
			ret = 0;
		} else {
			error_errno("%s: cannot read", path);
		}
		goto out;
	}
	for (;;) {
		struct passwd *pw = group ? NULL : fgetpwent(fp);
		struct group *gr = group ? fgetgrent(fp) : NULL;

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
	if (ret < 0)
		error("%s '%s' is not in %s", group ? "group" : "user", name, path);
out:
	if (fp)
		fclose(fp);
	free(path);
	return ret;
}

/* Compare the wanted file with what the target holds. */
static int compare_target(struct plan_file *f)
{
	struct stat st;
	struct buf old = BUF_INIT;
	int ret = -1;

	if (lstat(f->target, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return error_errno("%s: cannot inspect", f->target);
		f->change = CH_NEW;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return error("%s: exists and is not a regular file", f->target);
	f->change = CH_NONE;
	if ((size_t)st.st_size != f->content.len) {
		f->change |= CH_CONTENT;
	} else {
		if (read_file(f->target, MAX_COMPARE, &old) < 0)
			goto out;
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

static int write_all(int fd, const char *data, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* A new file beside path holding data, fsynced; its name is returned. */
static char *write_temp(const char *path, const char *data, size_t len, unsigned mode, uid_t uid,
			gid_t gid, int set_owner)
{
	char *copy = xstrdup(path), *tmp;
	int fd;

	tmp = xasprintf("%s/.%s.rb-XXXXXX", dirname(copy), strrchr(path, '/') + 1);
	free(copy);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		error_errno("%s: cannot create a temporary file", tmp);
		free(tmp);
		return NULL;
	}
	cleanup_add(tmp);
	if (write_all(fd, data, len) < 0 || (set_owner && fchown(fd, uid, gid) < 0) ||
	    fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		error_errno("%s: cannot write", path);
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		error_errno("%s: cannot write", path);
		goto fail;
	}
	return tmp;
fail:
	unlink(tmp);
	cleanup_forget(tmp);
	free(tmp);
	return NULL;
}

static int fsync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0 || fsync(fd) < 0)
		ret = error_errno("%s: cannot sync folder", copy);
	if (fd >= 0)
		close(fd);
	free(copy);
	return ret;
}

int write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	return write_atomic_checked(path, data, len, mode, NULL, NULL);
}

int write_atomic_checked(const char *path, const void *data, size_t len, unsigned mode,
			 int (*check)(const char *tmp, void *ctx), void *ctx)
{
	char *copy = xstrdup(path), *tmp = NULL;
	int ret = -1;

	if (mkdirs(dirname(copy), 0755, NULL, NULL) < 0)
		goto out;
	tmp = write_temp(path, data, len, mode, 0, 0, 0);
	if (!tmp)
		goto out;
	if (check && check(tmp, ctx) < 0) {
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		error_errno("%s: cannot rename into place", path);
		unlink(tmp);
		goto out;
	}
	ret = fsync_dir(path);
out:
	if (tmp)
		cleanup_forget(tmp);
	free(tmp);
	free(copy);
	return ret;
}

static int stage_file(struct plan *p, struct plan_file *f)
{
	char *copy = NULL;
	int fd = -1, ret = -1;

	size_t i, before = p->nstage_dirs;

	f->staged = root_path(p->stage, f->mf->path);
	copy = xstrdup(f->staged);
	if (mkdirs(dirname(copy), 0700, &p->stage_dirs, &p->nstage_dirs) < 0)
		goto out;
	for (i = before; i < p->nstage_dirs; i++)
		cleanup_add_dir(p->stage_dirs[i]);
	cleanup_add(f->staged); /* staged files may hold secrets: removed on signals too */
	fd = open(f->staged, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, f->content.data ? f->content.data : "", f->content.len) < 0) {
		error_errno("%s: cannot stage", f->staged);
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
	d->target = root_path(p->root, md->path);
	d->mode = md->mode;
}

static int prepare_dir(struct plan *p, struct plan_dir *d)
{
	struct stat st;
	unsigned id;
	char *staged;
	size_t i, before = p->nstage_dirs;
	int r;

	if (lookup_id(p->root, d->md->owner, 0, &id) < 0)
		return -1;
	d->uid = id;
	if (lookup_id(p->root, d->md->group, 1, &id) < 0)
		return -1;
	d->gid = id;
	if (lstat(d->target, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return error_errno("%s: cannot inspect", d->target);
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
	r = mkdirs(staged, 0700, &p->stage_dirs, &p->nstage_dirs);
	for (i = before; i < p->nstage_dirs; i++)
		cleanup_add_dir(p->stage_dirs[i]);
	free(staged);
	return r;
}

int install_prepare(struct plan *p)
{
	const char *tmpdir = getenv("TMPDIR");
	size_t i;
	unsigned id;

	p->stage = xasprintf("%s/roleboot-stage-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(p->stage)) {
		error_errno("%s: cannot create staging folder", p->stage);
		free(p->stage);
		p->stage = NULL;
		return -1;
	}
	cleanup_add_dir(p->stage);
	for (i = 0; i < p->ndirs; i++)
		if (prepare_dir(p, &p->dirs[i]) < 0)
			return -1;
	for (i = 0; i < p->n; i++) {
		struct plan_file *f = &p->files[i];

		if (lookup_id(p->root, f->mf->owner, 0, &id) < 0)
			return -1;
		f->uid = id;
		if (lookup_id(p->root, f->mf->group, 1, &id) < 0)
			return -1;
		f->gid = id;
		if (compare_target(f) < 0 || stage_file(p, f) < 0)
			return -1;
	}
	return 0;
}

static int validate_one(const struct plan *p, const struct plan_file *f)
{
	char **argv = proc_split(f->mf->validate, f->staged, p->root, p->stage);
	struct buf out = BUF_INIT;
	char *nl;
	int status, ret = -1;

	if (!argv) {
		error("%s: empty validate command", f->mf->path);
		goto out;
	}
	status = proc_run(argv, &out, 1);
	if (status < 0)
		goto out;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		ret = 0;
		goto out;
	}
	nl = out.data ? strchr(out.data, '\n') : NULL;
	if (nl)
		*nl = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !out.len)
		error("validate %s: cannot run '%s'", f->mf->path, argv[0]);
	else
		error("validate %s: '%s' failed (%s %d)%s%s", f->mf->path, f->mf->validate,
		      WIFEXITED(status) ? "exit" : "signal",
		      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		      f->secret || !out.len ? "" : ": ", f->secret || !out.len ? "" : out.data);
out:
	buf_release(&out);
	proc_free(argv);
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

void install_diff(const struct plan *p)
{
	size_t i;

	fflush(stdout);
	for (i = 0; i < p->n; i++) {
		const struct plan_file *f = &p->files[i];
		char *a, *b;
		pid_t pid;
		int status;

		if (!(f->change & (CH_NEW | CH_CONTENT)))
			continue;
		if (f->secret) {
			printf("--- %s: holds secret values, diff not shown\n", f->mf->path);
			fflush(stdout);
			continue;
		}
		a = xasprintf("a%s", f->mf->path);
		b = xasprintf("b%s", f->mf->path);
		pid = fork();
		if (pid == 0) {
			execlp("diff", "diff", "-u", "--label", a, "--label", b,
			       (f->change & CH_NEW) ? "/dev/null" : f->target, f->staged, (char *)NULL);
			_exit(127);
		}
		if (pid > 0)
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
		free(a);
		free(b);
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

/* Test hook: ROLEBOOT_FAIL_RENAME=N makes the Nth rename of a commit fail,
 * so that the roll-back path is exercised by the test suite. */
static int commit_rename(const char *from, const char *to, int nth)
{
	const char *fail = getenv("ROLEBOOT_FAIL_RENAME");

	if (fail && atoi(fail) == nth) {
		errno = EIO;
		return -1;
	}
	return rename(from, to);
}

/* Folders first: created (removed again on roll-back) or fixed. */
static int commit_dirs(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->ndirs; i++) {
		struct plan_dir *d = &p->dirs[i];

		if (d->change == CH_NONE)
			continue;
		if ((d->change & CH_NEW) && mkdirs(d->target, 0755, &p->made_dirs, &p->nmade) < 0)
			return -1;
		d->fixed = !(d->change & CH_NEW);
		if (chown(d->target, d->uid, d->gid) < 0 || chmod(d->target, d->mode) < 0)
			return error_errno("%s: cannot set owner and mode", d->target);
	}
	return 0;
}

static void roll_back_dirs(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->ndirs; i++) {
		struct plan_dir *d = &p->dirs[i];

		if (d->fixed && (chown(d->target, d->old_uid, d->old_gid) < 0 ||
				 chmod(d->target, d->old_mode) < 0))
			error_errno("%s: cannot restore owner and mode", d->target);
		d->fixed = 0;
	}
}

static void roll_back(struct plan *p, size_t done)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct plan_file *f = &p->files[i];

		if (f->change == CH_NONE)
			continue;
		if (i < done) {
			if (f->backup && rename(f->backup, f->target) < 0)
				error_errno("%s: cannot restore the old file (kept as %s)", f->target,
					    f->backup);
			else if (!f->backup)
				unlink(f->target);
		} else if (f->backup) {
			unlink(f->backup);
		}
		if (f->tmp) {
			unlink(f->tmp);
			cleanup_forget(f->tmp);
		}
	}
	roll_back_dirs(p);
	for (i = p->nmade; i-- > 0;)
		rmdir(p->made_dirs[i]);
}

static int commit_temps(struct plan *p)
{
	size_t i;
	char *copy;
	int r;

	for (i = 0; i < p->n; i++) {
		struct plan_file *f = &p->files[i];

		if (f->change == CH_NONE)
			continue;
		copy = xstrdup(f->target);
		r = mkdirs(dirname(copy), 0755, &p->made_dirs, &p->nmade);
		free(copy);
		if (r < 0)
			return -1;
		f->tmp = write_temp(f->target, f->content.data ? f->content.data : "",
				    f->content.len, f->mode, f->uid, f->gid, 1);
		if (!f->tmp)
			return -1;
	}
	return 0;
}

int install_commit(struct plan *p)
{
	size_t i, done = 0;
	int nth = 0;

	if (commit_dirs(p) < 0 || commit_temps(p) < 0)
		goto fail;
	for (done = 0; done < p->n; done++) {
		struct plan_file *f = &p->files[done];

		if (f->change == CH_NONE)
			continue;
		if (!(f->change & CH_NEW)) {
			f->backup = xasprintf("%s.old", f->tmp);
			if (link(f->target, f->backup) < 0) {
				error_errno("%s: cannot keep a backup", f->target);
				free(f->backup);
				f->backup = NULL;
				goto fail;
			}
			cleanup_add(f->backup);
		}
		if (commit_rename(f->tmp, f->target, ++nth) < 0) {
			error_errno("%s: cannot rename into place", f->target);
			goto fail;
		}
		cleanup_forget(f->tmp);
		free(f->tmp);
		f->tmp = NULL;
	}
	for (i = 0; i < p->n; i++) {
		struct plan_file *f = &p->files[i];

		if (f->change != CH_NONE)
			fsync_dir(f->target);
		if (f->backup) {
			unlink(f->backup);
			cleanup_forget(f->backup);
			free(f->backup);
			f->backup = NULL;
		}
	}
	return 0;
fail:
	roll_back(p, done);
	return -1;
}

void install_release(struct plan *p)
{
	size_t i;

	if (p->stage)
		remove_tree(p->stage);
	for (i = 0; i < p->n; i++) {
		struct plan_file *f = &p->files[i];

		if (f->staged)
			cleanup_forget(f->staged);
		if (f->secret && f->content.data)
			memset(f->content.data, 0, f->content.len);
		buf_release(&f->content);
		free(f->target);
		free(f->staged);
		free(f->tmp);
		free(f->backup);
	}
	for (i = 0; i < p->ndirs; i++)
		free(p->dirs[i].target);
	free(p->dirs);
	for (i = p->nstage_dirs; i-- > 0;) {
		cleanup_forget(p->stage_dirs[i]);
		free(p->stage_dirs[i]);
	}
	if (p->stage)
		cleanup_forget(p->stage);
	for (i = 0; i < p->nmade; i++)
		free(p->made_dirs[i]);
	free(p->made_dirs);
	free(p->stage_dirs);
	free(p->stage);
	free(p->files);
	free(p->root);
	memset(p, 0, sizeof(*p));
}
