/*
 * atomic.h — whole writes and atomic replacement of files by path.
 *
 * For files outside any target root (the sync agent's zone and status
 * files); under a root, rootfs_write() and the install transaction do the
 * same without following links.  write_atomic() writes a temp beside path
 * (.NAME.rb-XXXXXX, mode 0600 until written, removed on signals), fsyncs
 * it, gives it its mode, renames it over path and fsyncs the folder;
 * missing folders are made 0755.  On any failure path is untouched and the
 * temp gone; the error was printed.
 */
#ifndef ROLEBOOT_ATOMIC_H
#define ROLEBOOT_ATOMIC_H

#include <stddef.h>

/* write(2) until all of data is written or an error (EINTR retried). */
int write_full(int fd, const void *data, size_t len);
/* mkdir -p: every missing folder of path made with mode; 0, or -1 (errno;
 * ENOTDIR when a file is in the way). */
int mkdir_p(const char *path, unsigned mode);
int write_atomic(const char *path, const void *data, size_t len, unsigned mode);
/* The same, running check on the written temp file before the rename; when
 * check fails (it prints why) the temp is removed and path is untouched. */
int write_atomic_checked(const char *path, const void *data, size_t len, unsigned mode,
                         int (*check)(const char *tmp, void *ctx), void *ctx);
/* The same, printing nothing: on failure *what says which step failed
 * ("cannot write", ...) and errno why; *what is NULL when check failed
 * (check printed why). */
int write_atomic_quiet(const char *path, const void *data, size_t len, unsigned mode,
                       int (*check)(const char *tmp, void *ctx), void *ctx, const char **what);

/*
 * Streamed replacement, for output too big to hold (pack).  atomic_open()
 * makes the temp beside path (mode 0600, registered for removal on
 * signals) and returns its descriptor, *tmp set to its name; -1 (errno)
 * when it cannot.  atomic_commit() gives it mode, fsyncs and closes it,
 * renames it over path and fsyncs the folder: 0, or -1 (errno) with the
 * temp removed and path untouched.  atomic_discard() closes and removes
 * it.  Both free *tmp and set it to NULL.  These print nothing: the caller
 * says what failed.
 */
int atomic_open(const char *path, char **tmp);
int atomic_commit(int fd, char **tmp, const char *path, unsigned mode);
void atomic_discard(int fd, char **tmp);

#endif
