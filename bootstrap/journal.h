/*
 * journal.h — the intent journal that makes an install all or nothing.
 *
 * Before the first change on the target, the installer writes
 * ROOT/var/lib/roleboot/journal and fsyncs it: one transaction id, then one
 * line per change, in the order they are made:
 *   roleboot-journal 1 TXID
 *   mkdir PATH                      a folder this transaction creates
 *   attr MODE UID GID PATH          a folder whose mode/owner it changes (old values)
 *   new SHA256 PATH                 a file it creates (hash of the new content)
 *   replace SHA256 PATH             a file it replaces
 *   planned                         the list is whole
 * New content is written to DIR/.BASE.rb-TXID, the old file kept as a hard
 * link DIR/.BASE.rb-TXID.old; once every temp is written and fsynced, the
 * line "ready" is appended and fsynced: the commit point.
 *
 * journal_finish() renames every temp into place, removes the backups,
 * fsyncs the folders and removes the journal.  journal_undo() puts every
 * file back (a target whose content has the new hash is replaced by its
 * backup, or removed when it was new), removes temps and backups, restores
 * folder modes/owners and removes the folders made, then the journal.
 * Both only ever act on the names above, through rootfs (no links).
 *
 * journal_recover(), run under the root's lock by every subcommand that
 * touches a root before anything else: with no journal it only sweeps
 * leftovers (stage-* folders and .*.rb-* temps in ROOT/var/lib/roleboot);
 * a journal without "planned" is removed (nothing was changed yet); one
 * with "ready" is finished (rolled back if a rename fails), one without is
 * rolled back.  It prints one "recover:" line saying which.
 */
#ifndef ROLEBOOT_JOURNAL_H
#define ROLEBOOT_JOURNAL_H

#include <stddef.h>

#include "rootfs.h"

#define ROLEBOOT_DIR "/var/lib/roleboot"
#define JOURNAL_PATH ROLEBOOT_DIR "/journal"

enum jkind { J_MKDIR, J_ATTR, J_NEW, J_REPLACE };

struct jentry {
	enum jkind kind;
	char *path;      /* owned, absolute inside the root */
	char sha256[65]; /* J_NEW, J_REPLACE: the new content's */
	unsigned mode;   /* J_ATTR: the folder's old mode and owner */
	unsigned uid, gid;
};

struct journal {
	char tx[17];      /* hex transaction id */
	struct jentry *e; /* owned */
	size_t n;
	int planned, ready; /* read back by journal_recover */
};

/* A new, empty journal with a random transaction id. */
void journal_init(struct journal *j);
void journal_add(struct journal *j, enum jkind kind, const char *path, const char *sha256,
                 unsigned mode, unsigned uid, unsigned gid);
/* The temp (backup: its .old link) name for base, as a new string. */
char *journal_temp(const struct journal *j, const char *base, int backup);
/* Writes and fsyncs the journal, "planned" included; it must not exist. */
int journal_begin(struct rootfs *r, const struct journal *j);
/* Appends and fsyncs "ready": from here on, recovery finishes. */
int journal_ready(struct rootfs *r);
int journal_finish(struct rootfs *r, const struct journal *j);
int journal_undo(struct rootfs *r, const struct journal *j);
int journal_recover(struct rootfs *r);
void journal_release(struct journal *j);

#endif
