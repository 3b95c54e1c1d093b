/*
 * cleanup.h — temporary paths removed on every exit path and on signals.
 *
 * A path registered with cleanup_add() is unlinked (or, for a folder made
 * with cleanup_add_dir(), removed with its content) when the process exits
 * or receives SIGINT, SIGTERM or SIGHUP, unless cleanup_forget() was called
 * for it first.  cleanup_init() installs the handlers once, from main().
 */
#ifndef ROLEBOOT_CLEANUP_H
#define ROLEBOOT_CLEANUP_H

#include <signal.h>

void cleanup_init(void);
/* Blocks (on) the signals handled here, or puts back the mask *old saved. */
void cleanup_block_signals(sigset_t *old, int on);
void cleanup_add(const char *path);
void cleanup_add_dir(const char *path);
void cleanup_forget(const char *path);
/* Remove a folder tree now (no symlinks followed); 0 or -1. */
int remove_tree(const char *path);

/*
 * Temporary files and folders in $TMPDIR: tmp_file() and tmp_dir() make
 * $TMPDIR/PREFIX-XXXXXX (0600 / 0700), register it for removal as above,
 * and hold it with a shared flock(2) for as long as the process lives
 * (the descriptor is kept open on purpose).  cleanup_sweep_tmp() removes
 * every roleboot-* entry there that no live process holds, i.e. what runs
 * killed by SIGKILL left behind (staged copies may hold secrets).  An
 * entry swept between its creation and its lock is noticed (no link left)
 * and made again.
 */
/* The open file (*path: owned by the caller), or -1 after a message. */
int tmp_file(const char *prefix, char **path);
/* The folder's path (owned by the caller), or NULL after a message. */
char *tmp_dir(const char *prefix);
void cleanup_sweep_tmp(void);

#endif
