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

#endif
