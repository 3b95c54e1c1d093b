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

#endif
