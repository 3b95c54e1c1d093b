/*
 * cli.h — what the cmd_* entry points share in reading their arguments.
 */
#ifndef ROLEBOOT_CLI_H
#define ROLEBOOT_CLI_H

/* arg as a whole decimal number of at least min (no sign, nothing after
 * it, no overflow) into *out; -1 with one error naming the option. */
int number_arg(const char *opt, const char *arg, unsigned long long min, unsigned long long *out);

#endif
