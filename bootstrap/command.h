/*
 * command.h — running the commands a bundle or a config names (validators,
 * named-checkzone, rndc), without a shell.
 *
 * command_split: words split on blanks, '...' and "..." quote; %s becomes
 * `file`, %r `root`, %t `stage`, %% a percent sign.  NULL for an empty
 * command.
 * command_spawn: runs argv (PATH searched; the word "roleboot" is the
 * running binary itself, /proc/self/exe, so a bundle can name it) with its
 * standard streams as io says; returns the wait status, or -1 after
 * printing an error when it could not start or be waited for.  A program
 * that cannot be executed exits with 127.  Every command roleboot runs
 * goes through it.
 * command_run: command_spawn with stdout (and, with_stderr, stderr)
 * captured into out.
 */
#ifndef ROLEBOOT_COMMAND_H
#define ROLEBOOT_COMMAND_H

#include "util.h"

char **command_split(const char *cmd, const char *file, const char *root, const char *stage);
void command_free(char **argv);

/* Where a child's standard streams go. */
enum command_stream {
	COMMAND_INHERIT, /* the parent's */
	COMMAND_DISCARD, /* /dev/null */
	COMMAND_CAPTURE  /* into io->capture: its first 64 KiB, the rest read and dropped */
};
struct command_io {
	int in_fd;               /* the child's stdin; -1: inherited */
	enum command_stream out; /* its stdout */
	enum command_stream err; /* its stderr */
	struct buf *capture;     /* borrowed; needed when out or err is CAPTURE */
};
int command_spawn(char **argv, const struct command_io *io);
int command_run(char **argv, struct buf *out, int with_stderr);

/* The one message of a command that failed, for every caller:
 *   "SUBJECT: WHAT failed (exit N): DETAIL"   (or "signal N"; no DETAIL
 *                                            when detail is NULL or "")
 *   "SUBJECT: cannot run 'PROG'"             (exit 127 and no detail)
 * Returns -1. */
int command_failed(const char *subject, const char *what, const char *prog, int status,
                   const char *detail);
/* The first line of out, cut there in place ("" when empty). */
const char *command_first_line(struct buf *out);

#endif
