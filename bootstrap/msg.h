/*
 * msg.h — the one family of messages.
 *
 * Every failure is reported once, where it is detected, by error() or
 * error_errno(), as one line "roleboot: error: <subject>: <what>" on
 * stderr.  Both return -1 so that a caller can write `return error(...)`.
 * Only main() and the cmd_* entry points turn a failure into an exit code.
 * warning() prints "roleboot: warning: ..."; note() prints progress lines
 * "roleboot: <step>: ..." unless quiet.
 */
#ifndef ROLEBOOT_MSG_H
#define ROLEBOOT_MSG_H

#include <stdarg.h>
#include <stddef.h>

#define PRINTF(a, b) __attribute__((format(printf, a, b)))

int error(const char *fmt, ...) PRINTF(1, 2);
int error_errno(const char *fmt, ...) PRINTF(1, 2);
void warning(const char *fmt, ...) PRINTF(1, 2);
void note(const char *step, const char *fmt, ...) PRINTF(2, 3);
void msg_set_quiet(int quiet);
void msg_set_silent(int silent); /* drop every message (fuzz targets) */
/* The text of the last error line ("" when none), for reports. */
const char *msg_last_error(void);
int msg_quiet(void);

/* For the pure parsers, which say why into the caller's buffer rather than
 * print: one line formatted into err[0..len) (nothing when err is NULL or
 * len 0), control bytes made spaces.  Both return -1. */
int errbuf_set(char *err, size_t len, const char *fmt, ...) PRINTF(3, 4);
int errbuf_vset(char *err, size_t len, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));

#endif
