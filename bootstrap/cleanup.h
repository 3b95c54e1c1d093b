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

void cleanup_init(void);
void cleanup_add(const char *path);
void cleanup_add_dir(const char *path);
void cleanup_forget(const char *path);
/* Remove a folder tree now (no symlinks followed); 0 or -1. */
int remove_tree(const char *path);

/*
 * Temporary files and folders in $TMPDIR (roleboot-bundle-*, roleboot-
 * stage-*, roleboot-verify-*) are held with a shared flock(2) by the run
 * that made them, for as long as it lives: cleanup_hold(path) opens and
 * locks one (the descriptor stays open until exit).  cleanup_sweep_tmp()
 * removes every such entry that no live process holds, i.e. what runs
 * killed by SIGKILL left behind (staged copies may hold secrets).
 */
void cleanup_hold(const char *path);
void cleanup_sweep_tmp(void);

#endif
