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
	struct stat st;
	int ret = 0;

	for (p = copy + 1; ret == 0; p++) {
		char c = *p;

		if (c && c != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) == 0) {
			/* made */
		} else if (errno != EEXIST) {
			ret = -1;
		} else if (stat(copy, &st) < 0 || !S_ISDIR(st.st_mode)) {
			errno = ENOTDIR; /* a file in the way, as mkdir -p says */
			ret = -1;
		}
		*p = c;
		if (!c)
			break;
	}
	free(copy);
	return ret;
}

int atomic_open(const char *path, char **tmp)
{
	char *copy = xstrdup(path);
	const char *slash = strrchr(path, '/');
	int fd, saved;

	*tmp = xasprintf("%s/.%s.rb-XXXXXX", dirname(copy), slash ? slash + 1 : path);
	free(copy);
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		free(*tmp);
		*tmp = NULL;
		errno = saved;
		return -1;
	}
	cleanup_add(*tmp);
	return fd;
}

void atomic_discard(int fd, char **tmp)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	if (*tmp) {
		unlink(*tmp);
		cleanup_forget(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	errno = saved;
}

/* Gives the temp its mode, fsyncs and closes it (fd is closed either way);
 * 0 or -1 (errno). */
static int finish(int fd, unsigned mode)
{
	int rc = fchmod(fd, mode) < 0 || fsync(fd) < 0 ? -1 : 0, saved = errno;

	if (close(fd) < 0 && rc == 0)
		return -1;
	errno = saved;
	return rc;
}

static int fsync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0, saved;

	if (fd < 0 || fsync(fd) < 0)
		ret = -1;
	saved = errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	errno = saved;
	return ret;
}

int atomic_commit(int fd, char **tmp, const char *path, unsigned mode)
{
	if (finish(fd, mode) < 0 || rename(*tmp, path) < 0) {
		atomic_discard(-1, tmp);
		return -1;
	}
	cleanup_forget(*tmp);
	free(*tmp);
	*tmp = NULL;
	return fsync_dir(path);
}

int write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	return write_atomic_checked(path, data, len, mode, NULL, NULL);
}

int write_atomic_quiet(const char *path, const void *data, size_t len, unsigned mode,
                       int (*check)(const char *tmp, void *ctx), void *ctx, const char **what)
{
	char *copy = xstrdup(path), *tmp = NULL;
	int fd = -1, ret = -1, saved;

	*what = NULL;
	if (mkdir_p(dirname(copy), 0755) < 0) {
		*what = "cannot create its folder";
		goto out;
	}
	fd = atomic_open(path, &tmp);
	if (fd < 0) {
		*what = "cannot create a temporary file beside it";
		goto out;
	}
	if (write_full(fd, data, len) < 0) {
		*what = "cannot write";
		goto out;
	}
	if (check && check(tmp, ctx) < 0)
		goto out;
	ret = atomic_commit(fd, &tmp, path, mode);
	fd = -1;
	if (ret < 0)
		*what = "cannot put in place";
out:
	saved = errno; /* why it failed, kept over the clean-up */
	atomic_discard(fd, &tmp);
	free(copy);
	errno = saved;
	return ret;
}

int write_atomic_checked(const char *path, const void *data, size_t len, unsigned mode,
                         int (*check)(const char *tmp, void *ctx), void *ctx)
{
	const char *what;
	int ret = write_atomic_quiet(path, data, len, mode, check, ctx, &what);

	if (ret < 0 && what)
		error_errno("%s: %s", path, what);
	return ret;
}
