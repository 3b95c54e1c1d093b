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

/* Loads the state of root; a missing file gives present = 0. */
int state_load(const char *root, struct state *st);
int state_save(const char *root, const struct state *st);
/* The file's text, as state_save writes it (apply installs it with the
 * files, in the same transaction). */
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
