/*
 * util.h — what every module shares: messages (msg.h), allocation
 * (xalloc.h) and growable buffers (buf.h), included here, and the small
 * helpers below: whole files, paths under a root, hex, the clock, text
 * checks.
 */
#ifndef ROLEBOOT_UTIL_H
#define ROLEBOOT_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#include "buf.h"
#include "msg.h"
#include "xalloc.h"

/* Read a whole file; fails (with a message) when it is larger than max. */
int read_file(const char *path, size_t max, struct buf *out);
/* The same, saying why into err instead of printing; READ_TOO_BIG when the
 * file is larger than max, -1 for any other failure. */
#define READ_TOO_BIG (-2)
int read_file_why(const char *path, size_t max, struct buf *out, char *err, size_t errlen);
/* Read a whole file (at most max bytes, as read_file) and hand its text,
 * NUL-terminated ("" when empty), to parse(path, text, len, user); the
 * text is wiped before it is freed, for it may hold secrets.  0, or -1
 * with one error printed (read_file's or the one parse prints). */
typedef int read_parse_fn(const char *where, const char *text, size_t len, void *user);
int read_file_parse(const char *path, size_t max, read_parse_fn *parse, void *user);

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
