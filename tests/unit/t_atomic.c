/*
 * t_atomic.c — whole-file replacement by path (atomic.c): the new text and
 * mode in place, missing folders made; on each failure (a check that
 * refuses, a file where a folder should be) the old file as it was, no temp
 * left, and the step named: on one line by write_atomic_checked(), to the
 * caller only by write_atomic_quiet().
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "capture.h"
#include "unit.h"
#include "util.h"

static char dir[] = "/tmp/t_atomic.XXXXXX";

static char *slurp(const char *path)
{
	static char text[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* Entries of folder d other than . and .. */
static int entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	int n = 0;

	if (!dp)
		return -1;
	while ((e = readdir(dp)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dp);
	return n;
}

/* Exactly one line of text. */
static int one_line(const char *msg)
{
	const char *nl = strchr(msg, '\n');

	return nl && nl > msg && !nl[1];
}

static int refuse(const char *tmp, void *ctx)
{
	int *seen = ctx;

	*seen = !strcmp(slurp(tmp), "bad\n");
	error("%s: refused by the check", tmp);
	return -1;
}

static int accept_(const char *tmp, void *ctx)
{
	int *seen = ctx;

	*seen = !strcmp(slurp(tmp), "good\n");
	return 0;
}

int main(void)
{
	char *path, *deep, *under;
	const char *what, *msg;
	struct stat st;
	int seen = 0, r;

	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	path = xasprintf("%s/f.conf", dir);
	deep = xasprintf("%s/a/b/f.conf", dir);
	under = xasprintf("%s/f.conf/x", dir);

	OK(write_atomic(path, "one\n", 4, 0640) == 0, "a new file is written");
	STREQ(slurp(path), "one\n", "with its text");
	OK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640, "and its mode");
	OK(write_atomic(path, "two\n", 4, 0644) == 0, "an old file is replaced");
	STREQ(slurp(path), "two\n", "by the new text");
	OK(entries(dir) == 1, "no temp is left beside it");
	OK(write_atomic(deep, "x\n", 2, 0644) == 0 && !strcmp(slurp(deep), "x\n"),
	   "missing folders are made");

	r = write_atomic_checked(path, "good\n", 5, 0644, accept_, &seen);
	OK(r == 0 && seen, "the check sees the written temp before the rename");
	STREQ(slurp(path), "good\n", "and what it accepts is put in place");

	seen = 0;
	capture_begin();
	r = write_atomic_checked(path, "bad\n", 4, 0644, refuse, &seen);
	msg = capture_end();
	OK(r < 0 && seen, "a check that refuses fails the write");
	STREQ(slurp(path), "good\n", "and the old file stays as it was");
	OK(entries(dir) == 2, "with no temp left");
	OK(contains(msg, "refused by the check") && one_line(msg),
	   "only the check's own line is printed");

	capture_begin();
	r = write_atomic_quiet(path, "bad\n", 4, 0644, refuse, &seen, &what);
	capture_end();
	OK(r < 0 && what == NULL, "quiet: a refusing check leaves no step named");

	capture_begin();
	r = write_atomic_quiet(under, "x\n", 2, 0644, NULL, NULL, &what);
	msg = capture_end();
	OK(r < 0 && errno == ENOTDIR, "a folder that is a file fails with ENOTDIR");
	STREQ(what, "cannot create its folder", "quiet: names the step");
	OK(!*msg, "quiet: prints nothing");
	STREQ(slurp(path), "good\n", "the file in the way stays as it was");

	capture_begin();
	r = write_atomic_checked(under, "x\n", 2, 0644, NULL, NULL);
	msg = capture_end();
	OK(r < 0 && contains(msg, under) && contains(msg, "cannot create its folder") &&
	           contains(msg, strerror(ENOTDIR)) && one_line(msg),
	   "checked: one line naming the path, the step and the cause");

	STREQ(slurp(path), "good\n", "after every failure the old file is as it was");

	unlink(deep);
	*strrchr(deep, '/') = '\0'; /* dir/a/b */
	rmdir(deep);
	*strrchr(deep, '/') = '\0'; /* dir/a */
	rmdir(deep);
	unlink(path);
	rmdir(dir);
	free(path);
	free(deep);
	free(under);
	return unit_done();
}
