/*
 * install.h — one transaction over the files a bundle lays down.
 *
 * The caller fills a plan with rendered contents (install_add); then
 *   install_prepare   resolves owners/groups from ROOT/etc/passwd and
 *                     ROOT/etc/group (never the build host's), compares
 *                     with what is on the target, and writes every file into
 *                     a private staging folder (ROOT/var/lib/roleboot/stage-*
 *                     for an apply, $TMPDIR for a dry run);
 *   install_validate  runs each file's validator on its staged copy;
 *   install_commit    one journaled transaction (journal.h): the journal is
 *                     written, folders made or fixed, temps written beside
 *                     the targets (O_EXCL|O_NOFOLLOW, 0600 until complete,
 *                     fsync) and the old files kept as hard links, "ready",
 *                     then every rename; on any failure every target is put
 *                     back as it was and new folders removed.  After a crash
 *                     journal_recover() does the same from the journal.
 * Every path under the root goes through rootfs.h: a symbolic link anywhere
 * on the way to a target is refused, never followed.
 * A file whose content, mode and owner already match is not touched, and
 * neither is a replace = no file that exists (it is kept, whatever it holds).
 * Nothing on the target changes before install_commit, and after a failed
 * install_commit everything is as it was.
 */
#ifndef ROLEBOOT_INSTALL_H
#define ROLEBOOT_INSTALL_H

#include <stddef.h>
#include <sys/types.h>

#include "journal.h"
#include "manifest.h"
#include "rootfs.h"
#include "util.h"

enum change { CH_NONE = 0, CH_NEW = 1, CH_CONTENT = 2, CH_MODE = 4, CH_OWNER = 8 };

struct plan_file {
	const struct mfile *mf; /* borrowed from the manifest; NULL for roleboot's own */
	const char *path;       /* borrowed: mf->path, or owned (roleboot's own files) */
	char *target;           /* owned: ROOT + path, for messages and validators */
	struct buf content;     /* owned: what the file must hold */
	int secret;             /* content holds secret values */
	unsigned mode;          /* the manifest's; a kept file's own */
	unsigned want_mode;     /* the manifest's (secret files lowered) */
	uid_t uid;
	gid_t gid;
	int change;      /* enum change bits */
	int kept;        /* replace = no and the target has the file: it is
			   * left as it is (content, mode, owner), staged as
			   * it is for the validators, and counts as unchanged */
	char *staged;    /* owned: staged copy */
	char sha256[65]; /* of content */
};

struct plan_dir {
	const struct mdir *md; /* borrowed from the manifest */
	char *target;          /* owned: ROOT + path */
	unsigned mode;
	uid_t uid;
	gid_t gid;
	int change;        /* CH_NEW, or CH_MODE / CH_OWNER bits */
	unsigned old_mode; /* for roll-back of a fixed folder */
	uid_t old_uid;
	gid_t old_gid;
};

struct plan {
	char *root;              /* owned, "/" when none */
	struct rootfs fs;        /* the root, every access below it */
	int stage_in_root;       /* stage under ROOT/var/lib/roleboot (not for dry runs) */
	char *stage;             /* owned: private staging folder */
	struct plan_file *files; /* owned: the manifest's files */
	size_t n;
	struct plan_file *own; /* owned: roleboot's own files (the state) */
	size_t nown;
	struct plan_dir *dirs;
	size_t ndirs;
	char **stage_dirs; /* owned: folders made inside stage */
	size_t nstage_dirs;
	struct journal journal;
};

void install_init(struct plan *p, const char *root);
/* Adds one of roleboot's own files (the state) to the transaction: not
 * counted, listed or validated; takes the content. */
void install_add_own(struct plan *p, const char *path, struct buf *content, unsigned mode);
/* Adds a file; takes the content buffer (left empty). */
struct plan_file *install_add(struct plan *p, const struct mfile *mf, struct buf *content,
                              int secret);
void install_add_dir(struct plan *p, const struct mdir *md);
int install_prepare(struct plan *p);
int install_validate(const struct plan *p);
/* Prints a unified diff of each changed, non-secret file (diff -u). */
void install_diff(struct plan *p);
int install_commit(struct plan *p);
size_t install_changed(const struct plan *p);
void install_release(struct plan *p);

#endif
