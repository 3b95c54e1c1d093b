/*
 * t_reapply.c — the drift timer: the units reapply_add writes (OnActiveSec,
 * OnUnitInactiveSec, RandomizedDelaySec; the timer's file notifies the
 * timer, which is enabled and started), and what apply_services asks of
 * systemctl for it: on a live system with --now, a restart when its file
 * changed, a start when it is not active, nothing when it is; offline or
 * without --now no start and no restart; reapply = off disables and stops.
 * systemctl is a script ($ROLEBOOT_SYSTEMCTL) that logs its arguments and
 * answers is-enabled and is-active from files in a mkdtemp folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "capture.h"
#include "reapply.h"
#include "role.h"
#include "roleboot.h"
#include "unit.h"
#include "util.h"

#define TIMER_PATH "/etc/systemd/system/roleboot-apply.timer"
#define SERVICE_PATH "/etc/systemd/system/roleboot-apply.service"

static char dir[] = "/tmp/t_reapply.XXXXXX";
static char root[] = "/r";
static char logpath[64], enabled[64], active[64], fake[64];

static int parse_role(const char *text, struct role *r)
{
	int ret;

	capture_begin();
	ret = role_parse("x.role", "file:///srv/x.role", text, strlen(text), r);
	capture_end();
	return ret;
}

static const struct mfile *file_of(const struct manifest *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		if (!strcmp(m->files[i].path, path))
			return &m->files[i];
	return NULL;
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, line, n) && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

static void units_cases(void)
{
	struct role r;
	struct manifest m;
	const struct mfile *t, *s;

	memset(&m, 0, sizeof(m));
	if (!OK(parse_role("[role]\nname = demo\nbundle = demo.tar.gz\nreapply = 30min\n", &r) == 0,
	        "a role with reapply = 30min parses"))
		return;
	reapply_add(&r, &m);
	t = file_of(&m, TIMER_PATH);
	s = file_of(&m, SERVICE_PATH);
	OK(m.nfiles == 2 && t && s, "reapply = 30min: the timer and the service units");
	if (!t || !s)
		goto out;
	OK(has_line(t->content, "OnActiveSec=30min"),
	   "the timer's first run is 30min after the timer starts (OnActiveSec)");
	OK(!strstr(t->content, "OnBootSec"), "and not counted from boot (no OnBootSec)");
	OK(has_line(t->content, "OnUnitInactiveSec=30min"), "then 30min after each run");
	OK(has_line(t->content, "RandomizedDelaySec=15min"), "the default randomized delay");
	OK(has_line(t->content, "WantedBy=timers.target"), "started by timers.target at boot");
	OK(t->nnotify == 1 && !strcmp(t->notify[0], REAPPLY_TIMER),
	   "the timer's file notifies the timer (restarted when it changed)");
	OK(s->nnotify == 0, "the service's file notifies nothing (the timer runs it)");
	OK(t->replace && t->mode == 0644 && s->replace && s->mode == 0644,
	   "both are roleboot's own: always replaced, mode 0644");
	OK(m.nservices == 1 && !strcmp(m.services[0].name, REAPPLY_TIMER) && m.services[0].enable &&
	           m.services[0].start && !m.services[0].restart,
	   "the timer is a service entry: enabled, started, not restart-on-change");
out:
	manifest_release(&m);
	role_release(&r);
	memset(&m, 0, sizeof(m));
	if (parse_role("[role]\nname = demo\nbundle = demo.tar.gz\nreapply = off\n", &r) == 0) {
		reapply_add(&r, &m);
		OK(m.nfiles == 0 && m.nservices == 0, "reapply = off: no units, no service entry");
		role_release(&r);
	}
	memset(&m, 0, sizeof(m));
	if (parse_role("[role]\nname = demo\nbundle = demo.tar.gz\n", &r) == 0) {
		reapply_add(&r, &m);
		OK(m.nfiles == 0 && m.nservices == 0, "no reapply key: no units");
		role_release(&r);
	}
}

struct run {
	const char *reapply;          /* the role's reapply value */
	int offline, now;             /* the apply's */
	int timer_change, svc_change; /* the units' enum change */
	int is_enabled, is_active;    /* what systemctl answers */
	const char *want;             /* systemctl's arguments, one call a line */
	const char *note;             /* a line apply prints, or NULL */
	const char *what;
};

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;
	FILE *f = fopen(path, "r");
	char chunk[512];
	size_t n;

	if (f) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&b, chunk, n);
		fclose(f);
	}
	buf_puts(&b, "");
	return b.data;
}

static void touch(const char *path, int on)
{
	FILE *f;

	if (!on) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (f)
		fclose(f);
}

static void services_case(const struct run *c)
{
	struct apply a;
	struct plan_file files[2];
	char *text, *role_text, what[512];
	const char *said;
	size_t i;
	int code;

	memset(&a, 0, sizeof(a));
	role_text =
	        xasprintf("[role]\nname = demo\nbundle = demo.tar.gz\nreapply = %s\n", c->reapply);
	if (parse_role(role_text, &a.role) != 0) {
		OK(0, "the role parses");
		free(role_text);
		return;
	}
	free(role_text);
	reapply_add(&a.role, &a.manifest);
	memset(files, 0, sizeof(files));
	for (i = 0; i < a.manifest.nfiles && i < 2; i++) {
		files[i].mf = &a.manifest.files[i];
		files[i].path = a.manifest.files[i].path;
		files[i].change =
		        strcmp(files[i].path, TIMER_PATH) ? c->svc_change : c->timer_change;
	}
	a.plan.files = files;
	a.plan.n = a.manifest.nfiles;
	a.plan.root = root;
	a.offline = c->offline;
	a.now = c->now;
	touch(enabled, c->is_enabled);
	touch(active, c->is_active);
	unlink(logpath);
	capture_begin();
	code = apply_services(&a);
	said = capture_end();
	text = slurp(logpath);
	snprintf(what, sizeof(what), "%s (systemctl: %s)", c->what, text);
	for (i = 0; what[i]; i++)
		if (what[i] == '\n')
			what[i] = ';';
	OK(code == 0 && !strcmp(text, c->want), what);
	if (c->note)
		check_msg(contains(said, c->note), "and apply says so");
	free(text);
	manifest_release(&a.manifest);
	role_release(&a.role);
}

static void services_cases(void)
{
	static const struct run runs[] = {
	        {"30min", 0, 1, CH_NEW, CH_NEW, 0, 0,
	         "daemon-reload\n--quiet is-enabled roleboot-apply.timer\n"
	         "enable roleboot-apply.timer\nrestart roleboot-apply.timer\n",
	         "restarted: roleboot-apply.timer",
	         "live, --now, new units: reload, enable, and the timer (re)started once"},
	        {"30min", 0, 1, CH_CONTENT, CH_NONE, 1, 1,
	         "daemon-reload\n--quiet is-enabled roleboot-apply.timer\n"
	         "restart roleboot-apply.timer\n",
	         "restarted: roleboot-apply.timer",
	         "live, --now, the timer's file changed (a new span): the timer restarted"},
	        {"30min", 0, 1, CH_NONE, CH_NONE, 1, 0,
	         "--quiet is-enabled roleboot-apply.timer\n--quiet is-active roleboot-apply.timer\n"
	         "start roleboot-apply.timer\n",
	         "started: roleboot-apply.timer",
	         "live, --now, units unchanged, timer not active: started"},
	        {"30min", 0, 1, CH_NONE, CH_NONE, 1, 1,
	         "--quiet is-enabled roleboot-apply.timer\n--quiet is-active "
	         "roleboot-apply.timer\n",
	         NULL, "live, --now, units unchanged, timer active: left running"},
	        {"30min", 0, 1, CH_NONE, CH_CONTENT, 1, 1,
	         "daemon-reload\n--quiet is-enabled roleboot-apply.timer\n"
	         "--quiet is-active roleboot-apply.timer\n",
	         NULL, "live, --now, only the service's unit changed: reload, timer left running"},
	        {"30min", 0, 0, CH_NEW, CH_NEW, 0, 0,
	         "daemon-reload\n--quiet is-enabled roleboot-apply.timer\n"
	         "enable roleboot-apply.timer\n",
	         NULL, "live, no --now: enabled, not started"},
	        {"30min", 1, 1, CH_NEW, CH_NEW, 0, 0,
	         "--root=/r --quiet is-enabled roleboot-apply.timer\n"
	         "--root=/r enable roleboot-apply.timer\n",
	         NULL, "offline, --now: enabled under the root, nothing started"},
	        {"30min", 1, 1, CH_CONTENT, CH_NONE, 1, 0,
	         "--root=/r --quiet is-enabled roleboot-apply.timer\n", NULL,
	         "offline, --now, the timer's file changed: nothing restarted"},
	        {"off", 0, 1, CH_NONE, CH_NONE, 1, 1,
	         "--quiet is-enabled roleboot-apply.timer\ndisable roleboot-apply.timer\n"
	         "stop roleboot-apply.timer\n",
	         "disabled: roleboot-apply.timer (reapply = off)",
	         "live, --now, reapply = off: the timer disabled and stopped"},
	        {"off", 1, 1, CH_NONE, CH_NONE, 1, 1,
	         "--root=/r --quiet is-enabled roleboot-apply.timer\n"
	         "--root=/r disable roleboot-apply.timer\n",
	         NULL, "offline, reapply = off: disabled under the root, not stopped"},
	};
	size_t i;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		services_case(&runs[i]);
}

int main(void)
{
	FILE *f;

	units_cases();
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	snprintf(enabled, sizeof(enabled), "%s/enabled", dir);
	snprintf(active, sizeof(active), "%s/active", dir);
	snprintf(fake, sizeof(fake), "%s/systemctl", dir);
	f = fopen(fake, "w");
	if (!f) {
		printf("Bail out! cannot write %s\n", fake);
		return 1;
	}
	fprintf(f,
	        "#!/bin/sh\n"
	        "echo \"$*\" >>'%s'\n"
	        "case \" $* \" in\n"
	        "*' is-enabled '*) test -e '%s' ;;\n"
	        "*' is-active '*) test -e '%s' ;;\n"
	        "esac\n",
	        logpath, enabled, active);
	fclose(f);
	chmod(fake, 0755);
	setenv("ROLEBOOT_SYSTEMCTL", fake, 1);
	services_cases();
	unlink(fake);
	unlink(logpath);
	unlink(enabled);
	unlink(active);
	rmdir(dir);
	return unit_done();
}
