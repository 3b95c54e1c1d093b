/*
 * report.h — the JSON account of one apply, success or failure.
 *
 * Steps with their status and duration, the files changed, the bundle
 * (role, version, URL, SHA-256, signing key), fetch counters, and for a
 * failure the step and its one-line message.  Written to
 * ROOT/var/lib/roleboot/report.json, printed by --json, and POSTed to the
 * role's report URL.  Secret values never reach it: messages never hold
 * them (vars.c) and file contents are not part of it.
 */
#ifndef ROLEBOOT_REPORT_H
#define ROLEBOOT_REPORT_H

#include <stddef.h>
#include <time.h>

#include "apply.h"
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

void report_init(struct report *r);
/* Runs one step, timing it and keeping its outcome; returns its code. */
int report_step(struct report *r, const char *name, int (*fn)(struct apply *), struct apply *a);
void report_json(const struct report *r, const struct apply *a, int code, struct buf *out);

#endif
