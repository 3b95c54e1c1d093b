/*
 * cmdline.h — roleboot's parameters on the kernel command line (PXE):
 *   roleboot.role=URL  roleboot.pubkey=BASE64  roleboot.var.NAME=VALUE
 * Read from /proc/cmdline, or from the file $ROLEBOOT_CMDLINE (tests).
 * Words are split on blanks; double quotes group ("a b" or x="a b") and are
 * removed; for role and pubkey the last occurrence wins.
 */
#ifndef ROLEBOOT_CMDLINE_H
#define ROLEBOOT_CMDLINE_H

#include <stddef.h>

struct kcmdline {
	char *role;             /* owned or NULL */
	char *pubkey;           /* owned or NULL */
	char **names, **values; /* owned roleboot.var.* in order */
	size_t nvars;
};

/* required = 0: a missing or unreadable file gives an empty result. */
int kcmdline_read(struct kcmdline *k, int required);
/* The same from memory: text[0..len), NUL bytes allowed (one ends its word
 * early).  k is overwritten; returns 0 (nothing in a command line is an
 * error); release k with kcmdline_release(). */
int kcmdline_parse(struct kcmdline *k, const char *text, size_t len);
void kcmdline_release(struct kcmdline *k);

#endif
