/* cleanup.c — see cleanup.h */
#include "cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct entry {
	char *path; /* owned; NULL once forgotten */
	int is_dir;
};

/* Registered in order; removed newest first, so files go before the folders
 * that hold them.  Changed only with the handled signals blocked. */
static struct entry *entries;
static size_t nentries, capentries;
static volatile sig_atomic_t in_handler;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

int remove_tree(const char *path)
{
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Only async-signal-safe calls: unlink and rmdir. */
static void run_all(void)
{
	size_t i;

	for (i = nentries; i-- > 0;) {
		if (!entries[i].path)
			continue;
		if (entries[i].is_dir)
			rmdir(entries[i].path);
		else
			unlink(entries[i].path);
	}
}

static void at_exit(void)
{
	size_t i;

	run_all();
	for (i = 0; i < nentries; i++)
		free(entries[i].path);
	free(entries);
	entries = NULL;
	nentries = capentries = 0;
}

static void on_signal(int sig)
{
	if (!in_handler) {
		in_handler = 1;
		run_all();
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void cleanup_block_signals(sigset_t *old, int on)
{
	sigset_t set;

	if (!on) {
		sigprocmask(SIG_SETMASK, old, NULL);
		return;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, old);
}

void cleanup_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	atexit(at_exit);
}

static void add(const char *path, int is_dir)
{
	char *copy = xstrdup(path);
	struct entry *grown = NULL;
	sigset_t old;

	if (nentries == capentries) {
		capentries = capentries ? capentries * 2 : 64;
		grown = xmalloc(capentries * sizeof(*grown));
		if (nentries)
			memcpy(grown, entries, nentries * sizeof(*grown));
	}
	cleanup_block_signals(&old, 1);
	if (grown) {
		free(entries);
		entries = grown;
	}
	entries[nentries].is_dir = is_dir;
	entries[nentries++].path = copy;
	cleanup_block_signals(&old, 0);
}

void cleanup_add(const char *path)
{
	add(path, 0);
}
void cleanup_add_dir(const char *path)
{
	add(path, 1);
}

void cleanup_forget(const char *path)
{
	char *p = NULL;
	sigset_t old;
	size_t i;

	cleanup_block_signals(&old, 1);
	for (i = nentries; i-- > 0;) {
		if (entries[i].path && !strcmp(entries[i].path, path)) {
			p = entries[i].path;
			entries[i].path = NULL;
			break;
		}
	}
	while (nentries > 0 && !entries[nentries - 1].path)
		nentries--;
	cleanup_block_signals(&old, 0);
	free(p);
}

/* The shared lock on path, kept; -1 when path was swept meanwhile. */
static int hold(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_SH) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0) {
		close(fd);
		return -1;
	}
	return 0; /* fd stays open: the lock lasts as long as the process */
}

static char *tmp_name(const char *prefix)
{
	const char *tmpdir = getenv("TMPDIR");

	return xasprintf("%s/%s-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp", prefix);
}

int tmp_file(const char *prefix, char **path)
{
	int fd = -1, tries;

	*path = NULL;
	for (tries = 0; tries < 10 && fd < 0; tries++) {
		free(*path);
		*path = tmp_name(prefix);
		fd = mkostemp(*path, O_CLOEXEC);
		if (fd < 0) {
			error_errno("%s: cannot create a temporary file", *path);
			free(*path);
			*path = NULL;
			return -1;
		}
		cleanup_add(*path);
		if (hold(*path) < 0) {
			cleanup_forget(*path);
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		error("%s: swept by other runs ten times; giving up", *path);
		free(*path);
		*path = NULL;
	}
	return fd;
}

char *tmp_dir(const char *prefix)
{
	char *path = NULL;
	int tries;

	for (tries = 0; tries < 10; tries++) {
		free(path);
		path = tmp_name(prefix);
		if (!mkdtemp(path)) {
			error_errno("%s: cannot create a temporary folder", path);
			free(path);
			return NULL;
		}
		cleanup_add_dir(path);
		if (hold(path) == 0)
			return path;
		cleanup_forget(path);
	}
	error("%s: swept by other runs ten times; giving up", path);
	free(path);
	return NULL;
}

static int ours(const char *name)
{
	static const char *const prefixes[] = {"roleboot-bundle-", "roleboot-stage-",
	                                       "roleboot-verify-"};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

void cleanup_sweep_tmp(void)
{
	const char *tmpdir = getenv("TMPDIR");
	struct dirent *de;
	struct stat st;
	char *path;
	DIR *d;
	int fd;

	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	d = opendir(tmpdir);
	while (d && (de = readdir(d))) {
		if (!ours(de->d_name))
			continue;
		path = xasprintf("%s/%s", tmpdir, de->d_name);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		/* only what this user made, and that nobody holds */
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == geteuid() &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0) {
			if (S_ISDIR(st.st_mode))
				remove_tree(path);
			else if (S_ISREG(st.st_mode))
				unlink(path);
		}
		if (fd >= 0)
			close(fd);
		free(path);
	}
	if (d)
		closedir(d);
}
