/*
 * apply.h — the steps of `roleboot apply`, in order, over one struct apply.
 *
 * Each step returns 0 or the exit code of its failure class (roleboot.h),
 * after printing one error line.  Nothing on the target changes before the
 * "install" step, and a failed install leaves the target as it was.
 * cmd_apply.c parses options, runs the steps, times them for the report
 * and decides the exit code.
 */
#ifndef ROLEBOOT_APPLY_H
#define ROLEBOOT_APPLY_H

#include <stddef.h>

#include "bundle.h"
#include "cmdline.h"
#include "fetch.h"
#include "install.h"
#include "keys.h"
#include "manifest.h"
#include "role.h"
#include "sig.h"
#include "state.h"
#include "vars.h"

#define SIG_MAX 8192
#define BUNDLE_MAX_DEFAULT (256u << 20)
#define FETCH_ROUNDS 3

struct apply {
	const char *root, *role_arg; /* borrowed from argv */
	int dry_run, diff, now, json, allow_downgrade, offline;
	int cmdline_given;        /* --cmdline FILE: the role comes from there */
	size_t max_size;          /* download cap for the bundle */
	long long expect_version; /* --expect-version, or -1 */
	double lock_wait;         /* seconds to wait for the root's lock */
	int lock_fd;              /* the root's lock while held, else -1 */
	struct override *ov;      /* owned array, strings borrowed */
	size_t nov;
	struct fetch_config fetch; /* the downloads' rules: the command line's, and
				    * the role's cacert unless --cacert gave one */
	struct kcmdline kcmd;
	struct keyring keys;
	struct role role;
	char *bundle_url; /* owned: the source that worked */
	char *bundle_tmp; /* owned: downloaded bundle */
	struct buf sigtext;
	struct fetch_result fetched;
	struct sig_signature sig;
	int verified;
	size_t key_index;
	struct bundle bundle;
	struct manifest manifest;
	struct state old; /* what the root had applied, loaded by setup */
	struct tv *data;
	const char *family; /* host.os.family, borrowed from data, or NULL */
	struct plan plan;
	struct mfile **each; /* owned: a foreach file's copy per role section
				* (path owned, the rest borrowed from the manifest) */
	size_t neach;
	size_t changed, enabled, restarted;
};

/* The steps, in order. */
int apply_load_role(struct apply *a);
int apply_fetch(struct apply *a);
int apply_verify(struct apply *a);
/* "bundle": the archive read into a->bundle (EXIT_BUNDLE). */
int apply_read_bundle(struct apply *a);
/* "manifest": manifest.ini parsed into a->manifest (EXIT_ROLE), every file it
 * names found in the bundle (EXIT_BUNDLE, as for a missing manifest.ini),
 * then its role, expiry and version checked against the role and the root. */
int apply_check_manifest(struct apply *a);
int apply_render(struct apply *a);
/* "stage": the plan compared with the target and staged; counts a->changed. */
int apply_stage(struct apply *a);
int apply_validate(struct apply *a);
/* "install": with --diff, the diff of what is about to change first; then
 * the files and the state in one transaction (install.h). */
int apply_install(struct apply *a);
/* "services": the bundle's services enabled (systemd reloaded first on a
 * live system when a unit file changed); with --now on a live system, the
 * services whose files changed restarted and a unit marked start (the
 * reapply timer) started when not active; reapply = off disables the timer
 * (and stops it on a live system).  0 or EXIT_SERVICE. */
int apply_services(struct apply *a);

/* One entry of the plan, a folder or one of the bundle's files (roleboot's
 * own files are not entries).  Everything in it is borrowed from the apply. */
struct planned {
	const char *path;             /* the manifest's path (a folder's without '/') */
	const struct plan_dir *dir;   /* the folder, or NULL */
	const struct plan_file *file; /* the file, or NULL */
	int change;                   /* enum change bits; CH_NONE: left as it is */
	int secret;                   /* a file whose content holds secret values */
};

/* The plan's entries in order, every folder then every file, changed or not:
 *     size_t pos = 0;
 *     struct planned e;
 *     while (apply_next_planned(a, &pos, &e))
 *             ...
 * 1 with *e filled and *pos moved on, 0 after the last one. */
int apply_next_planned(const struct apply *a, size_t *pos, struct planned *e);
/* One line per folder or file that changes, "LABEL: PATH (WORD)", a folder's
 * path ending in '/'. */
void apply_note_changes(const struct apply *a, const char *label);

/* Services of the bundle not enabled yet; with enable, enables them.
 * (size_t)-1 when enabling failed. */
size_t apply_pending_services(const struct apply *a, int enable);
const char *apply_change_word(int change);
void apply_release(struct apply *a);

#endif
