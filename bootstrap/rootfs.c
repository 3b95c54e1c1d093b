/* rootfs.c — see rootfs.h */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "atomic.h"

#if defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define HAVE_OPENAT2_H 1
#endif
#endif

#ifndef HAVE_OPENAT2_H
struct open_how {
	uint64_t flags, mode, resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#endif
#ifndef SYS_openat2
#define SYS_openat2 437 /* the same number on every architecture */
#endif

#define MAX_HOPS 40

void rootfs_init(struct rootfs *r, const char *root)
{
	memset(r, 0, sizeof(*r));
	r->path = xstrdup(root && *root ? root : "/");
	r->fd = -1;
}

int rootfs_open(struct rootfs *r, int create)
{
	if (r->fd >= 0)
		return 0;
	if (create && mkdir_p(r->path, 0755) < 0)
		return -1;
	r->fd = open(r->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return r->fd < 0 ? -1 : 0;
}

void rootfs_release(struct rootfs *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

char *rootfs_full(const struct rootfs *r, const char *rel)
{
	return root_path(r->path, rel);
}

static int no_openat2; /* set once the kernel said it has none */

static int use_openat2(void)
{
	const char *off = getenv("ROLEBOOT_NO_OPENAT2");

	return !no_openat2 && !(off && *off && strcmp(off, "0"));
}

/* openat2 below dfd; -2 when the kernel has no openat2 (use the walk). */
static int try_openat2(int dfd, const char *rel, int flags, unsigned mode, uint64_t resolve)
{
	struct open_how how;
	long fd;

	if (!use_openat2())
		return -2;
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = resolve;
	while (*rel == '/')
		rel++;
	fd = syscall(SYS_openat2, dfd, *rel ? rel : ".", &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
		no_openat2 = 1; /* EPERM: a seccomp filter that does not know it */
		return -2;
	}
	return (int)fd;
}

/* Why opening name in dfd as a folder failed: a link gets ELOOP and is
 * remembered, a non-folder ENOTDIR. */
static int refuse(struct rootfs *r, int dfd, const char *name, const char *prefix, int err)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		snprintf(r->link, sizeof(r->link), "%s", prefix);
		err = ELOOP;
	}
	errno = err;
	return -1;
}

/* The walk: one component at a time, no link followed. */
static int walk_dir(struct rootfs *r, const char *rel, int create, unsigned mode)
{
	char *copy = xstrdup(rel), *name, *save = NULL;
	struct buf prefix = BUF_INIT;
	int fd = -1, next, err;

	fd = openat(r->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (name = strtok_r(copy, "/", &save); fd >= 0 && name;
	     name = strtok_r(NULL, "/", &save)) {
		if (!strcmp(name, "."))
			continue;
		buf_putc(&prefix, '/');
		buf_puts(&prefix, name);
		if (!strcmp(name, "..")) {
			close(fd);
			fd = -1;
			errno = EXDEV;
			break;
		}
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, name, mode) < 0 && errno != EEXIST)
				next = -1;
			else
				next = openat(fd, name,
				              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			err = errno;
			if (err == ELOOP || err == ENOTDIR) {
				refuse(r, fd, name, prefix.data, err);
				err = errno;
			}
			close(fd);
			fd = -1;
			errno = err;
			break;
		}
		close(fd);
		fd = next;
	}
	err = errno;
	free(copy);
	buf_release(&prefix);
	errno = err;
	return fd;
}

int rootfs_dir(struct rootfs *r, const char *rel, int create, unsigned mode)
{
	int fd;

	r->link[0] = '\0';
	if (rootfs_open(r, 0) < 0)
		return -1;
	if (!create) {
		fd = try_openat2(r->fd, rel, O_RDONLY | O_DIRECTORY, 0,
		                 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		if (fd >= 0 || (fd == -1 && errno != ELOOP && errno != ENOTDIR))
			return fd;
		/* the walk says which component is the link */
	}
	return walk_dir(r, rel, create, mode);
}

int rootfs_parent(struct rootfs *r, const char *rel, int create, unsigned mode, const char **base)
{
	const char *slash = strrchr(rel, '/');
	char *dir;
	int fd;

	*base = slash ? slash + 1 : rel;
	if (!**base) {
		errno = EISDIR;
		return -1;
	}
	dir = xstrndup(rel, slash ? (size_t)(slash - rel) : 0);
	fd = rootfs_dir(r, *dir ? dir : "/", create, mode);
	free(dir);
	return fd;
}

int rootfs_openat(struct rootfs *r, const char *rel, int flags, unsigned mode)
{
	const char *base;
	int dfd = rootfs_parent(r, rel, 0, 0, &base), fd, err;

	if (dfd < 0)
		return -1;
	fd = openat(dfd, base, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	err = errno;
	if (fd < 0 && err == ELOOP)
		snprintf(r->link, sizeof(r->link), "%s", rel);
	close(dfd);
	errno = err;
	return fd;
}

int rootfs_lstat(struct rootfs *r, const char *rel, struct stat *st)
{
	const char *base;
	int dfd = rootfs_parent(r, rel, 0, 0, &base), ret, err;

	if (dfd < 0)
		return -1;
	ret = fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW);
	err = errno;
	close(dfd);
	errno = err;
	return ret;
}

/* A regular file's bytes; EINVAL for anything else, EFBIG past max. */
static int read_regular(int fd, size_t max, struct buf *out)
{
	char chunk[65536];
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	buf_grow(out, 0);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (out->len + (size_t)n > max) {
			errno = EFBIG;
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	return 0;
}

/* read_regular, then the descriptor closed with errno kept. */
static int read_close(int fd, size_t max, struct buf *out)
{
	int ret, err;

	if (fd < 0)
		return -1;
	ret = read_regular(fd, max, out);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

int rootfs_read(struct rootfs *r, const char *rel, size_t max, struct buf *out)
{
	return read_close(rootfs_openat(r, rel, O_RDONLY, 0), max, out);
}

/* The chroot-like walk for rootfs_read_in, when openat2 is missing: a link
 * restarts at the root (absolute) or at the folder holding it. */
static int walk_in_root(struct rootfs *r, const char *rel)
{
	struct buf rest = BUF_INIT, next = BUF_INIT;
	char target[PATH_MAX], *name, *slash;
	struct stat st, rootst;
	int fd = -1, nfd, hops = 0, err = 0;
	ssize_t n;

	buf_puts(&rest, rel);
	fd = openat(r->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(r->fd, &rootst) < 0)
		goto fail;
	while (rest.len) {
		name = rest.data;
		while (*name == '/')
			name++;
		if (!*name)
			break;
		slash = strchr(name, '/');
		if (slash)
			*slash = '\0';
		buf_reset(&next);
		if (slash)
			buf_puts(&next, slash + 1);
		if (!strcmp(name, ".")) {
			nfd = -3;
		} else if (!strcmp(name, "..")) {
			if (fstat(fd, &st) < 0)
				goto fail;
			nfd = st.st_dev == rootst.st_dev && st.st_ino == rootst.st_ino
			              ? -3
			              : openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		} else if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		           S_ISLNK(st.st_mode)) {
			n = readlinkat(fd, name, target, sizeof(target) - 1);
			if (n < 0)
				goto fail;
			target[n] = '\0';
			if (++hops > MAX_HOPS) {
				errno = ELOOP;
				goto fail;
			}
			if (target[0] == '/') {
				close(fd);
				fd = openat(r->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				if (fd < 0)
					goto fail;
			}
			buf_reset(&rest);
			buf_puts(&rest, target);
			buf_putc(&rest, '/');
			buf_add(&rest, next.data ? next.data : "", next.len);
			continue;
		} else if (!next.len || !next.data[strspn(next.data, "/")]) {
			nfd = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		} else {
			nfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (nfd == -1)
			goto fail;
		if (nfd >= 0) {
			close(fd);
			fd = nfd;
		}
		buf_reset(&rest);
		buf_add(&rest, next.data ? next.data : "", next.len);
	}
	buf_release(&rest);
	buf_release(&next);
	return fd;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	buf_release(&rest);
	buf_release(&next);
	errno = err;
	return -1;
}

int rootfs_read_in(struct rootfs *r, const char *rel, size_t max, struct buf *out)
{
	int fd;

	if (rootfs_open(r, 0) < 0)
		return -1;
	fd = try_openat2(r->fd, rel, O_RDONLY, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (fd == -2)
		fd = walk_in_root(r, rel);
	return read_close(fd, max, out);
}

int rootfs_tempfile(int dfd, const char *stem, char *name, size_t size)
{
	unsigned char rnd[6];
	char hex[13];
	int tries, fd = -1;

	for (tries = 0; tries < 100 && fd < 0; tries++) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			errno = EAGAIN;
			return -1;
		}
		hex_encode(rnd, sizeof(rnd), hex);
		if ((size_t)snprintf(name, size, "%s%s", stem, hex) >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	return fd;
}

int rootfs_write(struct rootfs *r, const char *rel, const void *data, size_t len, unsigned mode)
{
	char tmp[NAME_MAX + 1], *stem = NULL;
	const char *base;
	int dfd, fd = -1, ret = -1, err;

	dfd = rootfs_parent(r, rel, 1, 0755, &base);
	if (dfd < 0)
		return -1;
	stem = xasprintf(".%s.rb-", base);
	fd = rootfs_tempfile(dfd, stem, tmp, sizeof(tmp));
	if (fd < 0)
		goto out;
	if (write_full(fd, data, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		err = errno;
		unlinkat(dfd, tmp, 0);
		errno = err;
		goto out;
	}
	err = close(fd);
	fd = -1;
	if (err < 0 || renameat(dfd, tmp, dfd, base) < 0) {
		err = errno;
		unlinkat(dfd, tmp, 0);
		errno = err;
		goto out;
	}
	ret = fsync(dfd);
out:
	err = errno;
	if (fd >= 0)
		close(fd);
	close(dfd);
	free(stem);
	errno = err;
	return ret;
}

int rootfs_first_missing(struct rootfs *r, const char *rel, char **missing)
{
	char *copy = xstrdup(rel), *p;
	int fd, ret = 0;

	*missing = NULL;
	for (p = copy + 1;; p++) {
		char c = *p;

		if (c && c != '/')
			continue;
		*p = '\0';
		fd = rootfs_dir(r, copy, 0, 0);
		if (fd >= 0) {
			close(fd);
		} else if (errno == ENOENT) {
			*missing = xstrdup(copy);
			break;
		} else {
			ret = -1;
			break;
		}
		*p = c;
		if (!c)
			break;
	}
	free(copy);
	return ret;
}

int rootfs_fail(const struct rootfs *r, const char *rel, const char *doing)
{
	char *full = rootfs_full(r, rel), *link = NULL;
	int err = errno;

	if (err == ELOOP && r->link[0]) {
		link = rootfs_full(r, r->link);
		if (strcmp(link, full))
			error("%s: %s: %s is a symbolic link; links under the root are not "
			      "followed",
			      full, doing, link);
		else
			error("%s: %s: it is a symbolic link; links under the root are not "
			      "followed",
			      full, doing);
	} else if (err == ELOOP) {
		error("%s: %s: a symbolic link is in the way; links under the root are not "
		      "followed",
		      full, doing);
	} else if (err == EXDEV) {
		error("%s: %s: the path leaves the root", full, doing);
	} else if (err == EINVAL) {
		error("%s: %s: not a regular file", full, doing);
	} else {
		errno = err;
		error_errno("%s: %s", full, doing);
	}
	free(link);
	free(full);
	errno = err;
	return -1;
}
