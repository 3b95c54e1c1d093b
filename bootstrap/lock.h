/*
 * lock.h — one roleboot at a time on a root.
 *
 * apply, status and sync take an exclusive flock(2) on
 * ROOT/var/lib/roleboot/lock (opened without following links, mode 0600,
 * our pid written in it for the message of whoever waits) and hold it until
 * they exit; the kernel drops it when the process dies, even by SIGKILL.
 * A second run waits up to `wait` seconds, then gives up: LOCK_BUSY, after
 * one error line naming the lock and the pid that holds it.
 * With create = 0 (a dry run) a root without ROOT/var/lib/roleboot is left
 * as it is and nothing is locked: there is nothing applied to protect.
 */
#ifndef ROLEBOOT_LOCK_H
#define ROLEBOOT_LOCK_H

#include "rootfs.h"

#define LOCK_PATH "/var/lib/roleboot/lock"
#define LOCK_WAIT_DEFAULT 60

enum { LOCK_OK = 0, LOCK_FAILED = -1, LOCK_BUSY = -2 };

/* LOCK_OK with *fd the held lock (or -1 when nothing was locked). */
int lock_take(struct rootfs *r, int create, double wait, int *fd);
void lock_drop(int fd);
/* The value of --lock-wait: whole seconds, 0 or more; 0, or -1 after a
 * message. */
int lock_wait_arg(const char *arg, double *wait);

#endif
