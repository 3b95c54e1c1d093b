/*
 * proc.h — running the commands a bundle or a config names (validators,
 * named-checkzone, rndc), without a shell.
 *
 * proc_split: words split on blanks, '...' and "..." quote; %s becomes
 * `file`, %r `root`, %t `stage`, %% a percent sign.  NULL for an empty
 * command.
 * proc_run: runs argv (PATH searched; the word "roleboot" is the running
 * binary itself, /proc/self/exe, so a bundle can name it) with stdout (and with_stderr, stderr)
 * captured into out (the first 64 KiB); returns the wait status, or -1
 * after printing an error when it could not start.  A program that cannot
 * be executed exits with 127.
 */
#ifndef ROLEBOOT_PROC_H
#define ROLEBOOT_PROC_H

#include "util.h"

char **proc_split(const char *cmd, const char *file, const char *root, const char *stage);
void proc_free(char **argv);
int proc_run(char **argv, struct buf *out, int with_stderr);

/* Where a child's standard streams go (proc_spawn). */
enum proc_stream { PROC_INHERIT, PROC_DISCARD };
struct proc_io {
	int in_fd;            /* the child's stdin; -1: inherited */
	enum proc_stream out; /* its stdout */
	enum proc_stream err; /* its stderr */
};
/* Runs argv (as proc_run) with io; returns the wait status, or -1 after
 * printing an error when it could not start or be waited for. */
int proc_spawn(char **argv, const struct proc_io *io);

/* The one message of a command that failed, for every caller:
 *   "SUBJECT: WHAT failed (exit N): DETAIL"   (or "signal N"; no DETAIL
 *                                            when detail is NULL or "")
 *   "SUBJECT: cannot run 'PROG'"             (exit 127 and no detail)
 * Returns -1. */
int proc_failed(const char *subject, const char *what, const char *prog, int status,
                const char *detail);
/* The first line of out, cut there in place ("" when empty). */
const char *proc_first_line(struct buf *out);

#endif
