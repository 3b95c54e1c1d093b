/*
 * t_install.c — one install transaction (install.h) into temp roots, the
 * way apply.c drives it: install_add / install_add_dir, install_prepare,
 * install_validate, install_commit, install_release.  A new file in new
 * folders, a changed content, a mode change, an owner change (names from
 * ROOT/etc/passwd and ROOT/etc/group), an unchanged file left alone (same
 * inode and times), replace = no, a failing validator (nothing changes), a
 * commit that fails half-way (everything put back), a link on the way
 * (refused), secret modes, and install_diff (--diff).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "cleanup.h"
#include "install.h"
#include "unit.h"
#include "util.h"

static char top[] = "/tmp/t_install.XXXXXX";
static int nroot;

/* A fresh, empty root under top. */
static char *new_root(void)
{
	char *root = xasprintf("%s/root%d", top, ++nroot);

	mkdir(root, 0755);
	return root;
}

static void mkdirs_in(const char *root, const char *rel)
{
	char *path = xasprintf("%s%s", root, rel), *p;

	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
	free(path);
}

/* Writes ROOT/rel with mode (its folders made). */
static void put(const char *root, const char *rel, const char *text, unsigned mode)
{
	char *path = xasprintf("%s%s", root, rel), *dir = xstrdup(rel);
	int fd;

	*strrchr(dir, '/') = '\0';
	if (*dir)
		mkdirs_in(root, dir);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		perror(path);
	if (fd >= 0) {
		fchmod(fd, mode);
		close(fd);
	}
	free(dir);
	free(path);
}

/* ROOT/rel's content (owned), or NULL when it cannot be read. */
static char *slurp(const char *root, const char *rel)
{
	char *path = xasprintf("%s%s", root, rel);
	struct buf b = BUF_INIT;
	int r;

	capture_begin();
	r = read_file(path, 1 << 20, &b);
	capture_end();
	free(path);
	if (r < 0) {
		buf_release(&b);
		return NULL;
	}
	return b.data ? buf_detach(&b) : xstrdup("");
}

static int has_text(const char *root, const char *rel, const char *want)
{
	char *got = slurp(root, rel);
	int same = got && !strcmp(got, want);

	free(got);
	return same;
}

static int lstat_in(const char *root, const char *rel, struct stat *st)
{
	char *path = xasprintf("%s%s", root, rel);
	int r = lstat(path, st);

	free(path);
	return r;
}

static int exists(const char *root, const char *rel)
{
	struct stat st;

	return lstat_in(root, rel, &st) == 0;
}

/* Entries under dir (recursively) whose name holds part: temps, backups,
 * stage folders that must not outlive a transaction. */
static int count_named(const char *dir, const char *part)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (strstr(de->d_name, part))
			n++;
		sub = xasprintf("%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			n += count_named(sub, part);
		free(sub);
	}
	closedir(d);
	return n;
}

static int clean_after(const char *root)
{
	return count_named(root, ".rb-") == 0 && count_named(root, "stage-") == 0 &&
	       !exists(root, JOURNAL_PATH);
}

static struct mfile mfile(const char *path, unsigned mode, const char *validate, int replace)
{
	struct mfile f;

	memset(&f, 0, sizeof(f));
	f.path = (char *)path;
	f.mode = mode;
	f.owner = (char *)"root";
	f.group = (char *)"root";
	f.validate = (char *)validate;
	f.replace = replace;
	f.line = 1;
	return f;
}

static void add(struct plan *p, const struct mfile *mf, const char *text, int secret)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, text);
	install_add(p, mf, &b, secret);
}

/* prepare, validate and commit as apply does; 0 or the first step that
 * failed (1, 2, 3); messages in errtext. */
static int run(struct plan *p)
{
	int r = 0;

	capture_begin();
	if (install_prepare(p) < 0)
		r = 1;
	else if (install_validate(p) < 0)
		r = 2;
	else if (install_commit(p) < 0)
		r = 3;
	capture_end();
	return r;
}

static void new_files(void)
{
	char *root = new_root();
	struct mfile a = mfile("/etc/app/sub/a.conf", 0640, NULL, 1);
	struct mfile b = mfile("/etc/b.conf", 0644, NULL, 1);
	struct mdir d = {(char *)"/var/cache/app", 0770,      (char *)"root",
	                 (char *)"root",           {NULL, 0}, 1};
	struct plan p;
	struct stat st;
	int r;

	install_init(&p, root);
	p.stage_in_root = 1;
	add(&p, &a, "alpha\n", 0);
	add(&p, &b, "", 0);
	install_add_dir(&p, &d);
	capture_begin();
	r = install_prepare(&p);
	capture_end();
	OK(r == 0, "new: prepared");
	OK(p.files[0].change == CH_NEW && p.files[1].change == CH_NEW && p.dirs[0].change == CH_NEW,
	   "new: files and folder planned as new");
	OK(install_changed(&p) == 3, "new: three changes counted");
	OK(!exists(root, "/etc/app") && !exists(root, "/etc/b.conf") &&
	           !exists(root, "/var/cache/app"),
	   "new: nothing on the target before the commit");
	OK(p.files[0].staged && strstr(p.files[0].staged, "/var/lib/roleboot/stage-") &&
	           has_text("", p.files[0].staged, "alpha\n"),
	   "new: the content staged under ROOT/var/lib/roleboot/stage-*");
	capture_begin();
	r = install_commit(&p);
	capture_end();
	check_msg(r == 0, "new: committed");
	OK(has_text(root, "/etc/app/sub/a.conf", "alpha\n") && has_text(root, "/etc/b.conf", ""),
	   "new: contents laid down (an empty one too)");
	OK(lstat_in(root, "/etc/app/sub/a.conf", &st) == 0 && (st.st_mode & 07777) == 0640 &&
	           st.st_uid == 0 && st.st_gid == 0,
	   "new: mode 0640 and root's owner");
	OK(lstat_in(root, "/etc/app/sub", &st) == 0 && S_ISDIR(st.st_mode) &&
	           (st.st_mode & 07777) == 0755,
	   "new: missing folders made 0755");
	OK(lstat_in(root, "/var/cache/app", &st) == 0 && S_ISDIR(st.st_mode) &&
	           (st.st_mode & 07777) == 0770,
	   "new: the [dir] folder made with its mode");
	install_release(&p);
	OK(clean_after(root), "new: no temps, stage or journal left");
	free(root);
}

/* The same plan over a root laid down by a first run: nothing is touched. */
static void unchanged_and_changed(void)
{
	char *root = new_root();
	struct mfile same = mfile("/etc/same.conf", 0644, NULL, 1);
	struct mfile content = mfile("/etc/content.conf", 0644, NULL, 1);
	struct mfile mode = mfile("/etc/mode.conf", 0600, NULL, 1);
	struct mfile owner = mfile("/etc/owner.conf", 0644, NULL, 1);
	struct stat s0, s1, c0, c1, m1;
	struct plan p;
	int r;

	put(root, "/etc/same.conf", "same\n", 0644);
	put(root, "/etc/content.conf", "old\n", 0644);
	put(root, "/etc/mode.conf", "mode\n", 0644);
	put(root, "/etc/owner.conf", "owner\n", 0644);
	put(root, "/etc/passwd", "root:x:0:0::/root:/bin/sh\nbind:x:105:107::/:/bin/false\n", 0644);
	put(root, "/etc/group", "root:x:0:\nbind:x:107:\n", 0644);
	owner.owner = (char *)"bind";
	owner.group = (char *)"bind";
	lstat_in(root, "/etc/same.conf", &s0);
	lstat_in(root, "/etc/content.conf", &c0);

	install_init(&p, root);
	p.stage_in_root = 1;
	add(&p, &same, "same\n", 0);
	add(&p, &content, "new\n", 0);
	add(&p, &mode, "mode\n", 0);
	add(&p, &owner, "owner\n", 0);
	r = run(&p);
	check_msg(r == 0, "changes: prepared, validated and committed");
	OK(p.files[0].change == CH_NONE, "changes: same content, mode and owner: none");
	OK(p.files[1].change == CH_CONTENT, "changes: other content: CH_CONTENT only");
	OK(p.files[2].change == CH_MODE, "changes: other mode: CH_MODE only");
	OK(p.files[3].change == CH_OWNER, "changes: other owner: CH_OWNER only");
	OK(install_changed(&p) == 3, "changes: three files counted");
	OK(lstat_in(root, "/etc/same.conf", &s1) == 0 && s1.st_ino == s0.st_ino &&
	           s1.st_mtim.tv_sec == s0.st_mtim.tv_sec &&
	           s1.st_mtim.tv_nsec == s0.st_mtim.tv_nsec &&
	           s1.st_ctim.tv_sec == s0.st_ctim.tv_sec &&
	           s1.st_ctim.tv_nsec == s0.st_ctim.tv_nsec,
	   "changes: the unchanged file untouched (inode, mtime, ctime)");
	OK(has_text(root, "/etc/content.conf", "new\n") &&
	           lstat_in(root, "/etc/content.conf", &c1) == 0 && c1.st_ino != c0.st_ino,
	   "changes: new content renamed into place (a new inode)");
	OK(has_text(root, "/etc/mode.conf", "mode\n") &&
	           lstat_in(root, "/etc/mode.conf", &m1) == 0 && (m1.st_mode & 07777) == 0600,
	   "changes: the mode set, content kept");
	OK(lstat_in(root, "/etc/owner.conf", &m1) == 0 && m1.st_uid == 105 && m1.st_gid == 107,
	   "changes: owner and group looked up in ROOT/etc/passwd and group");
	install_release(&p);
	OK(clean_after(root), "changes: no temps, stage or journal left");

	/* a second run of the same plan: converged, nothing written */
	lstat_in(root, "/etc/content.conf", &c0);
	install_init(&p, root);
	p.stage_in_root = 1;
	add(&p, &same, "same\n", 0);
	add(&p, &content, "new\n", 0);
	add(&p, &mode, "mode\n", 0);
	add(&p, &owner, "owner\n", 0);
	r = run(&p);
	OK(r == 0 && install_changed(&p) == 0, "converged: a second run changes nothing");
	OK(lstat_in(root, "/etc/content.conf", &c1) == 0 && c1.st_ino == c0.st_ino &&
	           c1.st_mtim.tv_nsec == c0.st_mtim.tv_nsec &&
	           c1.st_ctim.tv_nsec == c0.st_ctim.tv_nsec,
	   "converged: the file installed before is left alone");
	install_release(&p);
	free(root);
}

static void owner_errors(void)
{
	char *root = new_root();
	struct mfile f = mfile("/etc/x.conf", 0644, NULL, 1);
	struct plan p;
	int r;

	put(root, "/etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644);
	f.owner = (char *)"bind";
	install_init(&p, root);
	p.stage_in_root = 1;
	add(&p, &f, "x\n", 0);
	r = run(&p);
	check_msg(r == 1 && contains(errtext, "user 'bind' is not in ") &&
	                  contains(errtext, "/etc/passwd"),
	          "owner: a user the root does not have is refused (not the host's)");
	install_release(&p);
	OK(!exists(root, "/etc/x.conf"), "owner: nothing installed");
	f.owner = (char *)"4242";
	f.group = (char *)"4343";
	install_init(&p, root);
	p.stage_in_root = 1;
	add(&p, &f, "x\n", 0);
	r = run(&p);
	{
		struct stat st;

		OK(r == 0 && lstat_in(root, "/etc/x.conf", &st) == 0 && st.st_uid == 4242 &&
		           st.st_gid == 4343,
		   "owner: numeric owner and group used as they are");
	}
	install_release(&p);
	free(root);
}

static void keep_cases(void)
{
	char *root = new_root();
	struct mfile kept = mfile("/etc/kept.zone", 0644, NULL, 0);
	struct mfile fresh = mfile("/etc/fresh.zone", 0644, NULL, 0);
	struct stat s0, s1;
	struct plan p;
	int r;

	put(root, "/etc/kept.zone", "the node's own\n", 0600);
	lstat_in(root, "/etc/kept.zone", &s0);
	install_init(&p, root);
	p.stage_in_root = 1;
	add(&p, &kept, "template\n", 0);
	add(&p, &fresh, "template\n", 0);
	r = run(&p);
	check_msg(r == 0, "replace = no: committed");
	OK(p.files[0].kept && p.files[0].change == CH_NONE,
	   "replace = no: an existing file is kept");
	OK(has_text(root, "/etc/kept.zone", "the node's own\n") &&
	           lstat_in(root, "/etc/kept.zone", &s1) == 0 && s1.st_ino == s0.st_ino &&
	           (s1.st_mode & 07777) == 0600 && s1.st_mtim.tv_nsec == s0.st_mtim.tv_nsec,
	   "replace = no: content, mode and inode untouched");
	OK(!p.files[1].kept && p.files[1].change == CH_NEW &&
	           has_text(root, "/etc/fresh.zone", "template\n"),
	   "replace = no: an absent file is laid down");
	install_release(&p);
	free(root);
}

/* A validator runs on the staged copy; when it fails nothing changes. */
static void validator_cases(void)
{
	char *root = new_root();
	struct mfile good = mfile("/etc/good.conf", 0644, "grep -q good %s", 1);
	struct mfile tree = mfile("/etc/tree.conf", 0644, "test -f %t/etc/good.conf", 1);
	struct mfile bad = mfile("/etc/bad.conf", 0644, "grep -q good %s", 1);
	struct stat s0, s1;
	struct plan p;
	int r;

	put(root, "/etc/good.conf", "old\n", 0644);
	lstat_in(root, "/etc/good.conf", &s0);
	install_init(&p, root);
	p.stage_in_root = 1;
	add(&p, &good, "good\n", 0);
	add(&p, &tree, "tree\n", 0);
	add(&p, &bad, "wrong\n", 0);
	r = run(&p);
	check_msg(r == 2 && contains(errtext,
	                             "validate /etc/bad.conf: 'grep -q good %s' failed (exit 1)"),
	          "validate: the failing validator named, with its exit code");
	OK(!contains(errtext, "good.conf") && !contains(errtext, "tree.conf"),
	   "validate: passing validators (staged file, staged tree) say nothing");
	OK(has_text(root, "/etc/good.conf", "old\n") &&
	           lstat_in(root, "/etc/good.conf", &s1) == 0 && s1.st_ino == s0.st_ino &&
	           !exists(root, "/etc/tree.conf") && !exists(root, "/etc/bad.conf"),
	   "validate: failed, so no file on the target changed");
	install_release(&p);
	OK(clean_after(root), "validate: the stage removed");
	free(root);
}

/* A target turned into a link between prepare and commit: the commit
 * stops half-way, and every file and folder is put back as it was. */
static void rollback_cases(void)
{
	char *root = new_root(), *link;
	struct mfile c = mfile("/etc/c.conf", 0644, NULL, 1);
	struct mfile a = mfile("/etc/new/a.conf", 0644, NULL, 1);
	struct mfile b = mfile("/etc/b.conf", 0644, NULL, 1);
	struct mdir d = {(char *)"/etc/c.conf.d", 0700,      (char *)"root",
	                 (char *)"root",          {NULL, 0}, 1};
	struct stat c0, c1, d0, d1;
	struct plan p;
	int r;

	put(root, "/etc/c.conf", "old c\n", 0644);
	put(root, "/etc/b.conf", "old b\n", 0644);
	put(root, "/etc/c.conf.d/x", "x\n", 0644);
	lstat_in(root, "/etc/c.conf", &c0);
	lstat_in(root, "/etc/c.conf.d", &d0);
	install_init(&p, root);
	p.stage_in_root = 1;
	install_add_dir(&p, &d);
	add(&p, &c, "new c\n", 0);
	add(&p, &a, "new a\n", 0);
	add(&p, &b, "new b\n", 0);
	capture_begin();
	r = install_prepare(&p);
	capture_end();
	OK(r == 0 && p.dirs[0].change == CH_MODE, "rollback: prepared (a folder mode to fix)");
	link = xasprintf("%s/etc/b.conf", root);
	unlink(link);
	if (symlink("c.conf", link) < 0)
		perror(link);
	capture_begin();
	r = install_commit(&p);
	capture_end();
	check_msg(r == -1 && contains(errtext, "/etc/b.conf: changed while being installed"),
	          "rollback: the commit fails on the swapped target");
	OK(has_text(root, "/etc/c.conf", "old c\n") && lstat_in(root, "/etc/c.conf", &c1) == 0 &&
	           c1.st_ino == c0.st_ino,
	   "rollback: a file already written for is back as it was (same inode)");
	OK(!exists(root, "/etc/new"), "rollback: the folder made for a new file is removed");
	OK(lstat_in(root, "/etc/c.conf.d", &d1) == 0 &&
	           (d1.st_mode & 07777) == (d0.st_mode & 07777),
	   "rollback: the fixed folder's mode is put back");
	OK(lstat_in(root, "/etc/b.conf", &c1) == 0 && S_ISLNK(c1.st_mode),
	   "rollback: the link is neither followed nor replaced");
	OK(count_named(root, ".rb-") == 0 && !exists(root, JOURNAL_PATH),
	   "rollback: temps, backups and the journal removed");
	install_release(&p);
	free(link);
	free(root);
}

static void link_cases(void)
{
	char *root = new_root(), *outside = xasprintf("%s/outside", top), *path;
	struct mfile f = mfile("/etc/bind/named.conf", 0644, NULL, 1);
	struct plan p;
	int r;

	mkdir(outside, 0755);
	mkdirs_in(root, "/etc");
	path = xasprintf("%s/etc/bind", root);
	if (symlink(outside, path) < 0)
		perror(path);
	install_init(&p, root);
	p.stage_in_root = 1;
	add(&p, &f, "x\n", 0);
	r = run(&p);
	check_msg(r == 1 && contains(errtext, "link"),
	          "links: a link on the way to a target is refused");
	install_release(&p);
	OK(count_named(outside, "named") == 0, "links: nothing written through the link");
	free(path);
	free(outside);
	free(root);
}

static void secret_cases(void)
{
	char *root = new_root();
	struct mfile f = mfile("/etc/key.conf", 0644, NULL, 1);
	struct plan_file *pf;
	struct plan p;
	struct buf b = BUF_INIT;
	struct stat st;
	int r;

	install_init(&p, root);
	p.stage_in_root = 1;
	buf_puts(&b, "secret = hunter2\n");
	capture_begin();
	pf = install_add(&p, &f, &b, 1);
	capture_end();
	check_msg(pf->mode == 0640 && pf->want_mode == 0640 &&
	                  contains(errtext, "mode lowered to 0640"),
	          "secret: mode 0644 lowered to 0640, with a warning");
	OK(b.len == 0, "install_add takes the content buffer");
	r = run(&p);
	OK(r == 0 && lstat_in(root, "/etc/key.conf", &st) == 0 && (st.st_mode & 07777) == 0640,
	   "secret: installed 0640");
	install_release(&p);
	free(root);
}

/* What fn prints on stdout (the diff program inherits it). */
static char *stdout_of(void (*fn)(struct plan *), struct plan *p)
{
	FILE *tmp = tmpfile();
	int saved;
	long n;
	char *text;

	fflush(stdout);
	saved = dup(1);
	if (!tmp || saved < 0 || dup2(fileno(tmp), 1) < 0) {
		printf("Bail out! cannot redirect stdout\n");
		exit(1);
	}
	capture_begin();
	fn(p);
	capture_end();
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	n = lseek(fileno(tmp), 0, SEEK_END);
	text = xcalloc(1, (size_t)(n > 0 ? n : 0) + 1);
	rewind(tmp);
	if (n > 0 && fread(text, 1, (size_t)n, tmp) != (size_t)n)
		text[0] = '\0';
	fclose(tmp);
	return text;
}

static void diff_cases(void)
{
	char *root = new_root(), *out;
	struct mfile changed = mfile("/etc/changed.conf", 0644, NULL, 1);
	struct mfile fresh = mfile("/etc/fresh.conf", 0644, NULL, 1);
	struct mfile same = mfile("/etc/same.conf", 0600, NULL, 1);
	struct mfile secret = mfile("/etc/secret.conf", 0600, NULL, 1);
	struct plan p;
	int r;

	put(root, "/etc/changed.conf", "keep\nold line\n", 0644);
	put(root, "/etc/same.conf", "same\n", 0644); /* mode only: no diff */
	put(root, "/etc/secret.conf", "password = old\n", 0600);
	install_init(&p, root);
	add(&p, &changed, "keep\nnew line\n", 0);
	add(&p, &fresh, "fresh\n", 0);
	add(&p, &same, "same\n", 0);
	add(&p, &secret, "password = new\n", 1);
	capture_begin();
	r = install_prepare(&p);
	capture_end();
	OK(r == 0 && p.stage && !strstr(p.stage, root), "diff: a dry run stages outside the root");
	out = stdout_of(install_diff, &p);
	OK(strstr(out, "--- a/etc/changed.conf\n+++ b/etc/changed.conf\n") &&
	           strstr(out, "\n keep\n-old line\n+new line\n"),
	   "diff: a changed file as diff -u, a/ and b/ labels");
	OK(strstr(out, "--- a/etc/fresh.conf\n+++ b/etc/fresh.conf\n") && strstr(out, "\n+fresh\n"),
	   "diff: a new file against nothing");
	OK(!strstr(out, "same.conf"), "diff: a mode-only change shows no diff");
	OK(strstr(out, "--- /etc/secret.conf: holds secret values, diff not shown\n") &&
	           !strstr(out, "password"),
	   "diff: a secret file is named, its content never shown");
	OK(!errtext[0], "diff: no error");
	free(out);
	OK(has_text(root, "/etc/changed.conf", "keep\nold line\n") &&
	           !exists(root, "/etc/fresh.conf") && !exists(root, "/var/lib/roleboot"),
	   "diff: a dry run changes nothing under the root");
	install_release(&p);
	free(root);
}

int main(void)
{
	if (geteuid() != 0) {
		SKIP("owners are set with fchown: needs root");
		return unit_done();
	}
	if (!mkdtemp(top)) {
		SKIP("cannot make a temp folder");
		return unit_done();
	}
	setenv("TMPDIR", top, 1);
	new_files();
	unchanged_and_changed();
	owner_errors();
	keep_cases();
	validator_cases();
	rollback_cases();
	link_cases();
	secret_cases();
	diff_cases();
	remove_tree(top);
	return unit_done();
}
