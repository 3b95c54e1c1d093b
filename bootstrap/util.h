/*
 * util.h — messages, allocation and growable buffers shared by every module.
 *
 * Messages: every failure is reported once, where it is detected, by error()
 * or error_errno(), as one line "roleboot: error: <subject>: <what>" on
 * stderr.  Both return -1 so that a caller can write `return error(...)`.
 * Only main() and the cmd_* entry points turn a failure into an exit code.
 * note() prints progress lines "roleboot: <step>: ..." unless quiet.
 *
 * Allocation: x* helpers never return NULL; they abort the program with a
 * message when memory is exhausted (there is nothing sane to roll back to).
 *
 * struct buf: a byte buffer that always travels with its length; data is
 * kept NUL-terminated for convenience, the terminator is not counted.
 */
#ifndef ROLEBOOT_UTIL_H
#define ROLEBOOT_UTIL_H

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

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);

struct buf {
	char *data; /* owned; NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};
#define BUF_INIT {NULL, 0, 0}

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF(2, 3);
void buf_reset(struct buf *b);
char *buf_detach(struct buf *b);

/* Read a whole file; fails (with a message) when it is larger than max. */
int read_file(const char *path, size_t max, struct buf *out);

/* Join ROOT and an absolute path: "/r" + "/etc/x" -> "/r/etc/x". */
char *root_path(const char *root, const char *abs);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void hex_encode(const unsigned char *in, size_t len, char *out);

/* Monotonic seconds (CLOCK_MONOTONIC), for durations and deadlines. */
double clock_now(void);

/* Remove leading and trailing ASCII whitespace in place; returns s. */
char *strtrim(char *s);

/* 1 when s holds a byte < 0x20 or 0x7f (tab included). */
int has_control(const char *s);

/* 1 when s[0..len) is well-formed UTF-8 (RFC 3629): every sequence complete,
 * no overlong forms, no UTF-16 surrogates (U+D800..DFFF), nothing above
 * U+10FFFF; 0 otherwise.  ASCII, NUL included, is valid. */
int utf8_valid(const char *s, size_t len);

#endif
