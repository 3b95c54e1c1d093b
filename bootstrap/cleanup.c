/* cleanup.c — see cleanup.h */
#include "cleanup.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define CLEANUP_MAX 256

struct entry {
	char *path; /* owned; NULL when the slot is free */
	int is_dir;
};

static struct entry entries[CLEANUP_MAX];
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

static void run_all(int from_signal)
{
	size_t i;

	for (i = 0; i < CLEANUP_MAX; i++) {
		if (!entries[i].path)
			continue;
		if (entries[i].is_dir && !from_signal)
			remove_tree(entries[i].path);
		else if (entries[i].is_dir)
			rmdir(entries[i].path);
		else
			unlink(entries[i].path);
	}
}

static void at_exit(void)
{
	size_t i;

	run_all(0);
	for (i = 0; i < CLEANUP_MAX; i++) {
		free(entries[i].path);
		entries[i].path = NULL;
	}
}

static void on_signal(int sig)
{
	if (!in_handler) {
		in_handler = 1;
		run_all(1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
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
	size_t i;

	for (i = 0; i < CLEANUP_MAX; i++) {
		if (!entries[i].path) {
			entries[i].is_dir = is_dir;
			entries[i].path = xstrdup(path);
			return;
		}
	}
	warning("too many temporary files to track: %s", path);
}

void cleanup_add(const char *path) { add(path, 0); }
void cleanup_add_dir(const char *path) { add(path, 1); }

void cleanup_forget(const char *path)
{
	size_t i;

	for (i = 0; i < CLEANUP_MAX; i++) {
		if (entries[i].path && !strcmp(entries[i].path, path)) {
			char *p = entries[i].path;

			entries[i].path = NULL;
			free(p);
			return;
		}
	}
}
