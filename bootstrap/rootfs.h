/*
 * rootfs.h — paths under a target root, reached without ever leaving it.
 *
 * A target root may hold symbolic links planted by an earlier bundle, a
 * package or an attacker (ROOT/etc/bind -> /tmp/x).  Every path roleboot
 * manages under the root (files, folders, state, report, journal, lock) is
 * reached from a descriptor of the root, one component at a time, and no
 * symbolic link is followed on the way: openat2() with RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS where the kernel has it (Linux 5.6), else a walk of
 * openat(O_NOFOLLOW | O_DIRECTORY).  A link met is refused with ELOOP, and
 * rootfs_fail() names it.  ROLEBOOT_NO_OPENAT2=1 forces the walk (tests;
 * the kernel of RHEL 8 has no openat2).
 *
 * rootfs_read_in() is for what the root's own system reads: os-release,
 * passwd, group.  Links there are followed but kept inside the root, as a
 * chroot would (an absolute target starts at ROOT, ".." stops at ROOT):
 * RESOLVE_IN_ROOT, or the same rules walked by hand.
 *
 * Paths given here are absolute inside the root ("/etc/bind/named.conf");
 * "." components are skipped and ".." is refused (EXDEV).  Functions return
 * a descriptor or 0 on success and -1 with errno set; they print nothing,
 * so that a caller may treat ENOENT as "not there yet".
 */
#ifndef ROLEBOOT_ROOTFS_H
#define ROLEBOOT_ROOTFS_H

#include <stddef.h>
#include <sys/stat.h>

#include "util.h"

struct rootfs {
	char *path;      /* owned: the root as given, "/" when none */
	int fd;          /* the root folder, -1 until rootfs_open */
	char link[4096]; /* where the last refused link was met (root-relative) */
};

void rootfs_init(struct rootfs *r, const char *root);
/* Opens the root folder; with create, makes it (and its parents) first. */
int rootfs_open(struct rootfs *r, int create);
void rootfs_release(struct rootfs *r);

/* The folder rel; with create, missing folders are made with mode. */
int rootfs_dir(struct rootfs *r, const char *rel, int create, unsigned mode);
/* The folder holding rel (see rootfs_dir); *base points into rel. */
int rootfs_parent(struct rootfs *r, const char *rel, int create, unsigned mode, const char **base);
/* Opens rel with flags (O_NOFOLLOW is added); mode for O_CREAT. */
int rootfs_openat(struct rootfs *r, const char *rel, int flags, unsigned mode);
/* lstat of rel itself; a link in a folder above it is refused. */
int rootfs_lstat(struct rootfs *r, const char *rel, struct stat *st);
/* Reads the regular file rel (no link followed) into out, at most max. */
int rootfs_read(struct rootfs *r, const char *rel, size_t max, struct buf *out);
/* Reads rel with links resolved inside the root; a regular file only. */
int rootfs_read_in(struct rootfs *r, const char *rel, size_t max, struct buf *out);
/* Writes rel atomically: temp beside it (O_EXCL|O_NOFOLLOW, 0600 until
 * written), fsync, mode, rename, fsync of the folder.  Missing folders
 * are made 0755.  A link at rel itself is replaced, never written through. */
int rootfs_write(struct rootfs *r, const char *rel, const void *data, size_t len, unsigned mode);

/* The first folder on the way to the folder rel, rel included, that does
 * not exist (a new string, NULL when they all do), for journaling the
 * folders before they are made. */
int rootfs_first_missing(struct rootfs *r, const char *rel, char **missing);

/* Prints one error line for the errno of a failed call above, naming
 * ROOT+rel and, for a refused link, the link; returns -1. */
int rootfs_fail(const struct rootfs *r, const char *rel, const char *doing);
/* ROOT + rel as a new string, for messages and for child processes. */
char *rootfs_full(const struct rootfs *r, const char *rel);

/* Creates a file name in the folder dfd that does not exist yet, from
 * stem + random suffix; O_EXCL|O_NOFOLLOW, mode 0600. fd, or -1. */
int rootfs_tempfile(int dfd, const char *stem, char *name, size_t size);

#endif
