/*
 * unit.h — a tiny TAP producer for the C unit tests.
 * Each test binary prints "ok N - what" / "not ok N - what" lines and ends
 * with "1..N"; tests/run.sh counts them.  main() returns unit_done().
 * SKIP(reason) stands for a test that cannot run here: "ok N - skipped #
 * SKIP reason", counted apart; a skip without a reason is a failure.
 */
#ifndef ROLEBOOT_UNIT_H
#define ROLEBOOT_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_n, unit_failed;

static inline int unit_ok(int cond, const char *what, const char *file, int line)
{
	unit_n++;
	if (cond) {
		printf("ok %d - %s\n", unit_n, what);
	} else {
		unit_failed++;
		printf("not ok %d - %s\n# at %s:%d\n", unit_n, what, file, line);
	}
	fflush(stdout);
	return cond;
}

static inline void unit_skip(const char *reason, const char *file, int line)
{
	unit_n++;
	if (reason && *reason) {
		printf("ok %d - skipped # SKIP %s\n", unit_n, reason);
	} else {
		unit_failed++;
		printf("not ok %d - a skip without a reason\n# at %s:%d\n", unit_n, file, line);
	}
	fflush(stdout);
}

#define OK(cond, what) unit_ok(!!(cond), (what), __FILE__, __LINE__)
#define STREQ(a, b, what) unit_ok((a) && (b) && !strcmp((a), (b)), (what), __FILE__, __LINE__)
#define SKIP(reason) unit_skip((reason), __FILE__, __LINE__)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_n);
	return unit_failed ? 1 : 0;
}

#endif
