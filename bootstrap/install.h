/*
 * install.h — one transaction over the files a bundle lays down.
 *
 * The caller fills a plan with rendered contents (install_add); then
 *   install_prepare   resolves owners/groups from ROOT/etc/passwd and
 *                     ROOT/etc/group (never the build host's), compares
 *                     with what is on the target, and writes every file into
 *                     a private staging folder;
 *   install_validate  runs each file's validator on its staged copy;
 *   install_commit    writes temps beside the targets (O_EXCL, fsync),
 *                     then renames them in, keeping hard-link backups until
 *                     every rename succeeded; on any failure every target is
 *                     put back as it was, new folders removed; fsyncs dirs.
 * Folders ([dir] entries) are created, or get their mode and owner fixed,
 * before the files, and are put back the same way on a failure.
 * A file whose content, mode and owner already match is not touched.
 * Nothing on the target changes before install_commit, and after a failed
 * install_commit everything is as it was.
 */
#ifndef ROLEBOOT_INSTALL_H
#define ROLEBOOT_INSTALL_H

#include <stddef.h>
#include <sys/types.h>

#include "manifest.h"
#include "util.h"

enum change { CH_NONE = 0, CH_NEW = 1, CH_CONTENT = 2, CH_MODE = 4, CH_OWNER = 8 };

struct plan_file {
	const struct mfile *mf; /* borrowed from the manifest */
	char *target;           /* owned: ROOT + path */
	struct buf content;     /* owned: what the file must hold */
	int secret;             /* content holds secret values */
	unsigned mode;
	uid_t uid;
	gid_t gid;
	int change;       /* enum change bits */
	char *staged;     /* owned: staged copy */
	char *tmp;        /* owned: temp beside the target during commit */
	char *backup;     /* owned: hard link to the old file during commit */
	char sha256[65];  /* of content */
};

struct plan_dir {
	const struct mdir *md; /* borrowed from the manifest */
	char *target;          /* owned: ROOT + path */
	unsigned mode;
	uid_t uid;
	gid_t gid;
	int change;            /* CH_NEW, or CH_MODE / CH_OWNER bits */
	unsigned old_mode;     /* for roll-back of a fixed folder */
	uid_t old_uid;
	gid_t old_gid;
	int fixed;             /* its mode/owner were changed by this commit */
};

struct plan {
	char *root;  /* owned, "/" when none */
	char *stage; /* owned: private staging folder */
	struct plan_file *files;
	size_t n;
	struct plan_dir *dirs;
	size_t ndirs;
	char **made_dirs; /* owned: folders created by commit, for roll-back */
	size_t nmade;
	char **stage_dirs; /* owned: folders made inside stage */
	size_t nstage_dirs;
};

void install_init(struct plan *p, const char *root);
/* Adds a file; takes the content buffer (left empty). */
struct plan_file *install_add(struct plan *p, const struct mfile *mf, struct buf *content,
			      int secret);
void install_add_dir(struct plan *p, const struct mdir *md);
int install_prepare(struct plan *p);
int install_validate(const struct plan *p);
/* Prints a unified diff of each changed, non-secret file (diff -u). */
void install_diff(const struct plan *p);
int install_commit(struct plan *p);
size_t install_changed(const struct plan *p);
void install_release(struct plan *p);

/* Write data to path atomically (temp beside it, fsync, rename, fsync dir). */
int write_atomic(const char *path, const void *data, size_t len, unsigned mode);
/* The same, running check on the written temp file before the rename; when
 * check fails (it prints why) the temp is removed and path is untouched. */
int write_atomic_checked(const char *path, const void *data, size_t len, unsigned mode,
			 int (*check)(const char *tmp, void *ctx), void *ctx);

#endif
