/*
 * report.h — the JSON account of one apply, success or failure.
 *
 * Steps with their status and duration, the files changed, the bundle
 * (role, version, URL, BLAKE2b-512, signing key), fetch counters, and for a
 * failure the step and its one-line message.  It sees only what it reports:
 * the steps as report_step kept them and the facts the caller gathered
 * (struct report_facts), never the apply itself.  Written to
 * ROOT/var/lib/roleboot/report.json, printed by --json, and POSTed to the
 * role's report URL.  Secret values never reach it: messages never hold
 * them (vars.c) and file contents are not part of it.
 */
#ifndef ROLEBOOT_REPORT_H
#define ROLEBOOT_REPORT_H

#include <stddef.h>
#include <time.h>

#include "util.h"

#define REPORT_PATH "/var/lib/roleboot/report.json"
#define REPORT_MAX_STEPS 16

struct report_step {
	const char *name; /* static */
	int code;         /* 0 or the exit code of its failure */
	double ms;
};

struct report {
	time_t started;
	double t0;
	struct report_step steps[REPORT_MAX_STEPS];
	size_t nsteps;
	const char *failed_step; /* static, NULL on success */
	char error[1024];
};

/* A folder or file that changed. */
struct report_change {
	const char *path;   /* borrowed; a folder's without '/' */
	int folder;         /* 1 for a folder */
	const char *change; /* static: "new", "changed", "mode" or "owner" */
};

/* What the report says about the run besides its steps, as far as the run
 * got.  The caller fills it; strings are borrowed, changes is owned
 * (report_facts_release frees it). */
struct report_facts {
	int dry_run;
	const char *role;       /* the role's name, else ROLE as given; may be NULL */
	const char *bundle_url; /* the source that worked, or NULL */
	int has_version;        /* the manifest was read */
	long long version;
	int fetched; /* the bundle was downloaded: blake2b and size */
	char blake2b[129];
	size_t size;
	int verified; /* the signature checked: key and trusted_comment */
	char key[17];
	const char *trusted_comment;
	struct report_change *changes;
	size_t nchanges;
	size_t total; /* folders and files in the plan, changed or not */
	size_t enabled, restarted;
	unsigned requests, retries, resumes; /* fetch counters */
};

void report_init(struct report *r);
/* Keeps the outcome of one step that began at since (clock_now()); the
 * first failing one is the report's failed step, with the last error. */
void report_step(struct report *r, const char *name, int code, double since);
/* Adds one changed entry to f->changes. */
void report_add_change(struct report_facts *f, const char *path, int folder, const char *change);
void report_facts_release(struct report_facts *f);
void report_json(const struct report *r, const struct report_facts *f, int code, struct buf *out);

#endif
