/* progress.c — see progress.h */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define TTY_INTERVAL 0.25
#define LOG_INTERVAL 5.0

void progress_init(struct progress *p, const char *label)
{
	const char *env = getenv("ROLEBOOT_PROGRESS");
	const char *every = getenv("ROLEBOOT_PROGRESS_INTERVAL");

	p->label = xstrdup(label);
	p->start = clock_now();
	p->last = p->start;
	p->drawn = 0;
	/* ROLEBOOT_PROGRESS=log forces log lines (for tests and logs) */
	p->tty = isatty(2) && !(env && !strcmp(env, "log"));
	p->interval = every && atof(every) > 0 ? atof(every) : p->tty ? TTY_INTERVAL : LOG_INTERVAL;
}

static void human(double bytes, char *out, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB"};
	int u = 0;

	while (bytes >= 1024 && u < 3) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, len, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

void progress_update(struct progress *p, size_t now, size_t total)
{
	double t = clock_now(), elapsed = t - p->start, rate;
	char got[32], all[32], speed[32], eta[32] = "";

	if (msg_quiet() || elapsed < 1.0 || t - p->last < p->interval)
		return;
	p->last = t;
	rate = (double)now / elapsed;
	human((double)now, got, sizeof(got));
	human((double)total, all, sizeof(all));
	human(rate, speed, sizeof(speed));
	if (total > now && rate > 0)
		snprintf(eta, sizeof(eta), ", ETA %.0f s", (double)(total - now) / rate);
	if (p->tty) {
		fprintf(stderr, "\rroleboot: fetch: %s: %s%s%s, %s/s%s\033[K", p->label, got,
		        total ? " of " : "", total ? all : "", speed, eta);
		p->drawn = 1;
	} else {
		fprintf(stderr, "roleboot: fetch: %s: %s%s%s, %s/s%s\n", p->label, got,
		        total ? " of " : "", total ? all : "", speed, eta);
	}
}

void progress_end(struct progress *p)
{
	if (p->drawn)
		fputc('\n', stderr);
	p->drawn = 0;
}

void progress_release(struct progress *p)
{
	progress_end(p);
	free(p->label);
	p->label = NULL;
}
