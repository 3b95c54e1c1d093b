/*
 * t_rootfs.c — paths under a root: links refused on the managed path (every
 * component, the last one included), links resolved inside the root for
 * rootfs_read_in (absolute targets start at the root, ".." stops there,
 * loops end), folders made one at a time, the first missing folder, and the
 * atomic write that replaces a link rather than writing through it.  Each
 * case runs with openat2 and with the fallback walk (ROLEBOOT_NO_OPENAT2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "rootfs.h"
#include "unit.h"
#include "util.h"

static char top[] = "/tmp/t_rootfs.XXXXXX";
static char root[4200], outside[4200];

static void put(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s%s", dir, rel);
	FILE *fp = fopen(path, "w");

	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
	free(path);
}

static void mk(const char *dir, const char *rel)
{
	char *path = xasprintf("%s%s", dir, rel);

	mkdir(path, 0755);
	free(path);
}

static void ln(const char *target, const char *rel)
{
	char *path = xasprintf("%s%s", root, rel);

	if (symlink(target, path) < 0)
		perror(path);
	free(path);
}

typedef int (*reader)(struct rootfs *, const char *, size_t, struct buf *);

/* What read (rootfs_read or rootfs_read_in) gives for rel: the text, or ""
 * with *err set to its errno. */
static char *read_with(reader read, struct rootfs *r, const char *rel, int *err)
{
	struct buf b = BUF_INIT;
	char *text;

	*err = 0;
	if (read(r, rel, 4096, &b) < 0) {
		*err = errno;
		buf_release(&b);
		return xstrdup("");
	}
	text = buf_detach(&b);
	return text ? text : xstrdup("");
}

#define read_in(r, rel, err) read_with(rootfs_read_in, (r), (rel), (err))
#define read_plain(r, rel, err) read_with(rootfs_read, (r), (rel), (err))

static void cases(const char *mode)
{
	struct rootfs r;
	char what[256], *text, *missing = NULL;
	int err, fd;
	struct stat st;

	rootfs_init(&r, root);
	OK(rootfs_open(&r, 0) == 0, "the root opens");

#define T(name) (snprintf(what, sizeof(what), "%s: %s", mode, name), what)
	text = read_plain(&r, "/etc/real/file", &err);
	STREQ(text, "inside\n", T("a plain path reads"));
	free(text);

	text = read_plain(&r, "/etc/out/secret", &err);
	OK(err == ELOOP, T("a link to a folder outside is refused (ELOOP)"));
	OK(strstr(r.link, "/etc/out") != NULL, T("the refused link is named"));
	free(text);

	text = read_plain(&r, "/etc/abs-link", &err);
	OK(err == ELOOP, T("a link as the last component is refused"));
	free(text);

	fd = rootfs_dir(&r, "/etc/out", 0, 0);
	OK(fd < 0 && errno == ELOOP, T("rootfs_dir refuses a linked folder"));

	OK(rootfs_lstat(&r, "/etc/abs-link", &st) == 0 && S_ISLNK(st.st_mode),
	   T("rootfs_lstat sees the link itself"));
	OK(rootfs_lstat(&r, "/etc/out/x", &st) < 0 && errno == ELOOP,
	   T("rootfs_lstat refuses a link above"));

	text = read_in(&r, "/etc/abs-link", &err);
	STREQ(text, "inside\n", T("read_in: an absolute link resolves inside the root"));
	free(text);

	text = read_in(&r, "/etc/rel-link", &err);
	STREQ(text, "inside\n", T("read_in: a relative link resolves"));
	free(text);

	text = read_in(&r, "/etc/climb", &err);
	STREQ(text, "inside\n", T("read_in: '..' stops at the root"));
	free(text);

	text = read_in(&r, "/etc/out/secret", &err);
	OK(err == ENOENT, T("read_in: a link to an outside path looks inside the root"));
	free(text);

	text = read_in(&r, "/etc/loop", &err);
	OK(err == ELOOP, T("read_in: a loop of links ends with ELOOP"));
	free(text);

	text = read_in(&r, "/etc/dirlink/file", &err);
	STREQ(text, "inside\n", T("read_in: a linked folder in the middle resolves"));
	free(text);

	OK(rootfs_first_missing(&r, "/var/new/a/b", &missing) == 0 && missing &&
	           !strcmp(missing, "/var/new"),
	   T("the first missing folder"));
	free(missing);
	missing = NULL;
	OK(rootfs_first_missing(&r, "/etc/real", &missing) == 0 && !missing,
	   T("no missing folder on an existing path"));
	OK(rootfs_first_missing(&r, "/etc/out/x", &missing) < 0 && errno == ELOOP,
	   T("first_missing refuses a link on the way"));

	fd = rootfs_dir(&r, "/etc/out/made", 1, 0755);
	OK(fd < 0 && errno == ELOOP, T("no folder is made through a link"));

	OK(rootfs_write(&r, "/etc/abs-link", "new\n", 4, 0644) == 0,
	   T("an atomic write over a link succeeds"));
	OK(lstat(strcat(strcpy(what, root), "/etc/abs-link"), &st) == 0 && S_ISREG(st.st_mode),
	   "the link was replaced by a regular file");
	text = read_plain(&r, "/etc/real/file", &err);
	STREQ(text, "inside\n", T("the link's target was not written through"));
	free(text);
	unlink(strcat(strcpy(what, root), "/etc/abs-link"));
	ln("/etc/real/file", "/etc/abs-link");

	OK(rootfs_write(&r, "/etc/out/x", "no\n", 3, 0644) < 0 && errno == ELOOP,
	   T("an atomic write below a linked folder is refused"));
	rootfs_release(&r);
#undef T
}

int main(void)
{
	char *check;
	FILE *fp;

	if (!mkdtemp(top))
		return 1;
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	mkdir(root, 0755);
	mkdir(outside, 0755);
	mk(root, "/etc");
	mk(root, "/etc/real");
	mk(root, "/var");
	put(root, "/etc/real/file", "inside\n");
	put(outside, "/secret", "outside\n");
	ln(outside, "/etc/out");
	ln("/etc/real/file", "/etc/abs-link");
	ln("real/file", "/etc/rel-link");
	ln("../../../../../../etc/real/file", "/etc/climb");
	ln("loop2", "/etc/loop");
	ln("loop", "/etc/loop2");
	ln("/etc/real", "/etc/dirlink");

	unsetenv("ROLEBOOT_NO_OPENAT2");
	cases("openat2");
	setenv("ROLEBOOT_NO_OPENAT2", "1", 1);
	cases("fallback walk");

	check = xasprintf("%s/secret", outside);
	fp = fopen(check, "r");
	{
		char line[64] = "";

		OK(fp && fgets(line, sizeof(line), fp) && !strcmp(line, "outside\n"),
		   "the outside file is as it was");
	}
	if (fp)
		fclose(fp);
	free(check);
	remove_tree(top);
	return unit_done();
}
