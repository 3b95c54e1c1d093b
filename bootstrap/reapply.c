/* reapply.c — see reapply.h */
#include "reapply.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char service_text[] =
        "# roleboot-apply.service: re-applies the role this node applied last, so\n"
        "# that a node that drifted from it converges.  Written by roleboot apply\n"
        "# for a role with `reapply =`; started by roleboot-apply.timer.\n"
        "[Unit]\n"
        "Description=roleboot: re-apply this node's role (drift correction)\n"
        "Documentation=man:roleboot(8)\n"
        "Wants=network-online.target\n"
        "After=network-online.target roleboot-firstboot.service\n"
        "ConditionPathExists=/var/lib/roleboot/state\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        "EnvironmentFile=-/etc/sysconfig/roleboot\n"
        "ExecStart=/bin/sh -c 'exec /usr/bin/roleboot apply --now -q $$ROLEBOOT_OPTS'\n"
        "TimeoutStartSec=15min\n";

/* A unit file of roleboot's own; notify: the service restarted (with --now
 * on a live system) when the file changed, or NULL. */
static void add_file(struct manifest *m, const char *path, char *content, const char *notify)
{
	struct mfile *f;

	m->files = xrealloc(m->files, (m->nfiles + 1) * sizeof(*m->files));
	f = &m->files[m->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->content = content;
	f->mode = 0644;
	f->owner = xstrdup("root");
	f->group = xstrdup("root");
	f->replace = 1; /* roleboot's own: always as this version writes it */
	if (notify) {
		f->notify = xcalloc(1, sizeof(*f->notify));
		f->notify[0] = xstrdup(notify);
		f->nnotify = 1;
	}
}

int reapply_off(const struct role *r)
{
	return r->reapply && !strcmp(r->reapply, "off");
}

void reapply_add(const struct role *r, struct manifest *m)
{
	struct mservice *s;
	const char *delay = r->reapply_delay ? r->reapply_delay : REAPPLY_DELAY_DEFAULT;

	if (!r->reapply || reapply_off(r))
		return;
	/* the service is a oneshot the timer runs: never started or restarted
	 * by apply itself */
	add_file(m, "/etc/systemd/system/roleboot-apply.service", xstrdup(service_text), NULL);
	/* the timer counts from its own start (OnActiveSec), so apply --now
	 * can start it on a live system: the first re-apply comes SPAN later,
	 * as it does SPAN after boot when timers.target starts it.  A changed
	 * file (a new span) notifies the timer itself: restarted, it counts
	 * the new span from then, or from the end of the last run
	 * (OnUnitInactiveSec), whichever elapses first */
	add_file(m, "/etc/systemd/system/" REAPPLY_TIMER,
	         xasprintf("# roleboot-apply.timer: re-applies role '%s' every %s (role file:\n"
	                   "# reapply = %s, reapply-delay = %s).  Written by roleboot apply.\n"
	                   "[Unit]\n"
	                   "Description=roleboot: re-apply this node's role every %s\n"
	                   "Documentation=man:roleboot(8)\n"
	                   "\n"
	                   "[Timer]\n"
	                   "OnActiveSec=%s\n"
	                   "OnUnitInactiveSec=%s\n"
	                   "RandomizedDelaySec=%s\n"
	                   "\n"
	                   "[Install]\n"
	                   "WantedBy=timers.target\n",
	                   r->name, r->reapply, r->reapply, delay, r->reapply, r->reapply,
	                   r->reapply, delay),
	         REAPPLY_TIMER);
	m->services = xrealloc(m->services, (m->nservices + 1) * sizeof(*m->services));
	s = &m->services[m->nservices++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(REAPPLY_TIMER);
	s->enable = 1;
	s->start = 1;
}
