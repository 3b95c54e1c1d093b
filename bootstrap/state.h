/*
 * state.h — what is applied on a root: ROOT/var/lib/roleboot/state.
 *
 * A line-oriented text file, installed by apply in the same transaction as
 * the files it describes (read and written without following links):
 *   role NAME / version N / bundle URL / blake2b HEX / key KEYID /
 *   time UNIX-SECONDS / source ROLE-URL / var NAME=VALUE (one per value
 *   given with --var or roleboot.var.*, secret ones left out) /
 *   file SHA256 MODE OWNER GROUP PATH (one per file)
 * PATH and VALUE come last so that they may hold anything but a newline.
 * source and var let `roleboot apply` with no ROLE re-apply the role that
 * was applied last, with the same values.
 *
 * Every line is "KEY VALUE" (one space after KEY), each '\n' ends a line
 * and counts, blank lines are skipped, keys this version does not know are
 * skipped (left for newer versions), a NUL byte is refused.  A malformed
 * line fails the load with one message "STATE:LINE: ...", LINE counted as
 * an editor counts it (blank lines included).  A state without a bundle
 * line loads with bundle "".
 *
 * Not INI, and not read through inifile: the format stays as every version
 * wrote it, and state.c reads it with its own parser.  The values cannot
 * pass through INI as they are: a PATH may hold anything but a newline
 * (leading or trailing blanks, " ;" that inih takes for a comment, '=' and
 * ':'), and a PATH, a bundle URL (a presigned one runs to hundreds of
 * bytes) or a VALUE may be longer than the INIFILE_MAX_LINE bytes inifile
 * reads on one line.  An INI state would need an escaping and splitting of
 * its own on top of INI, a second reader for the states written so far
 * (loading them stays a must), and would fail to load in older roleboot
 * versions (a downgrade), for no gain: the file is written by roleboot
 * alone, atomically, and line numbers are right without INI.
 *
 * blake2b is the bundle's BLAKE2b-512, the hash its prehashed signature
 * covers, computed once while the bundle downloads.  States written before
 * it have "sha256 HEX" (the bundle's SHA-256) in its place: they load, show
 * and compare as they are, and the next apply that writes the state records
 * blake2b instead (a state rewrite, not a change of the node).  The file
 * lines keep the SHA-256 of each installed file.
 */
#ifndef ROLEBOOT_STATE_H
#define ROLEBOOT_STATE_H

#include <stddef.h>
#include <time.h>

#include "util.h"

#define STATE_PATH "/var/lib/roleboot/state"

struct state_file {
	char *path, *owner, *group; /* owned */
	char sha256[65];
	unsigned mode;
};

struct state {
	int present;         /* 0: nothing applied on this root yet */
	char *role, *bundle; /* owned */
	long long version;
	int has_version;
	char blake2b[129]; /* the bundle's BLAKE2b-512, hex; "" in older states */
	char sha256[65];   /* the bundle's SHA-256, hex: older states only */
	char keyid[17];
	time_t time;
	char *source; /* owned: the role file's URL, or NULL (older states) */
	struct state_var {
		char *name, *value; /* owned */
	} * vars;                   /* owned */
	size_t nvars;
	struct state_file *files; /* owned */
	size_t n;
};

/* Loads the state of root into st (the caller frees it with
 * state_release); a missing file gives 0 with present = 0.  On -1 the error
 * was printed and st is left empty. */
int state_load(const char *root, struct state *st);
/* Parses text[0..len) (need not be NUL-terminated; where names it in
 * messages) into st, as state_load: 0 with st filled and present = 1 (the
 * caller frees it with state_release), or -1 with the error printed and st
 * left empty. */
int state_parse(const char *where, const char *text, size_t len, struct state *st);
/* The file's text (apply installs it with the files, in the same
 * transaction). */
void state_format(const struct state *st, struct buf *out);
void state_add_file(struct state *st, const char *path, const char *sha256, unsigned mode,
                    const char *owner, const char *group);
void state_add_var(struct state *st, const char *name, const char *value);
/* 1 when both record the same applied bundle and files (time aside). */
int state_same(const struct state *a, const struct state *b);
/* Human-readable or JSON description, appended to out. */
void state_describe(const struct state *st, int json, struct buf *out);
void state_release(struct state *st);

#endif
