/* atomic.c — see atomic.h */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

int write_full(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int mkdir_p(const char *path, unsigned mode)
{
	char *copy = xstrdup(path), *p;
	int ret = 0;

	for (p = copy + 1; ret == 0; p++) {
		char c = *p;

		if (c && c != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			ret = -1;
		*p = c;
		if (!c)
			break;
	}
	free(copy);
	return ret;
}

/* A new file beside path holding data, fsynced; its name is returned. */
static char *write_temp(const char *path, const char *data, size_t len, unsigned mode)
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
	if (write_full(fd, data, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
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

	if (mkdir_p(dirname(copy), 0755) < 0) {
		error_errno("%s: cannot create folder", copy);
		goto out;
	}
	tmp = write_temp(path, data, len, mode);
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
