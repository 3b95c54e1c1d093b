/* services.c — see services.h */
#include "services.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "util.h"

int services_in_chroot(void)
{
	struct stat a, b;

	if (stat("/proc/1/root", &a) < 0 || stat("/", &b) < 0)
		return 1;
	return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

static const char *systemctl(void)
{
	const char *s = getenv("ROLEBOOT_SYSTEMCTL");

	return s && *s ? s : "systemctl";
}

/* Run systemctl [--root=ROOT] VERB [NAME]; returns its exit status or -1. */
static int run_systemctl(const char *root, const char *verb, const char *name, int quiet)
{
	char *root_opt = root ? xasprintf("--root=%s", root) : NULL;
	struct command_io io = {-1, COMMAND_DISCARD, quiet ? COMMAND_DISCARD : COMMAND_INHERIT,
	                        NULL};
	char *argv[6];
	int n = 0, status, ret = -1;

	argv[n++] = (char *)systemctl();
	if (root_opt)
		argv[n++] = root_opt;
	if (quiet)
		argv[n++] = "--quiet";
	argv[n++] = (char *)verb;
	if (name)
		argv[n++] = (char *)name;
	argv[n] = NULL;
	status = command_spawn(argv, &io);
	if (status < 0)
		goto out;
	if (!WIFEXITED(status))
		command_failed(argv[0], verb, argv[0], status, name ? name : "");
	else if (WEXITSTATUS(status) == 127)
		command_failed(argv[0], verb, argv[0], status, NULL);
	else
		ret = WEXITSTATUS(status);
out:
	free(root_opt);
	return ret;
}

/* "systemctl [--root=ROOT]: VERB NAME failed (exit N)" */
static int failed(const char *root, const char *verb, const char *name, int code)
{
	char *subject = xasprintf("%s%s%s", systemctl(), root ? " --root=" : "", root ? root : "");
	char *what = xasprintf("%s%s%s", verb, name ? " " : "", name ? name : "");

	command_failed(subject, what, systemctl(), code << 8, NULL); /* a wait status: exit code */
	free(subject);
	free(what);
	return -1;
}

int services_is_enabled(const char *root, const char *name)
{
	return run_systemctl(root, "is-enabled", name, 1) == 0;
}

int services_enable(const char *root, const char *name)
{
	int r = run_systemctl(root, "enable", name, msg_quiet());

	if (r > 0)
		return failed(root, "enable", name, r);
	return r;
}

int services_disable(const char *root, const char *name)
{
	int r = run_systemctl(root, "disable", name, msg_quiet());

	if (r == 0 && !root)
		r = run_systemctl(NULL, "stop", name, msg_quiet());
	if (r > 0)
		return failed(root, "disable", name, r);
	return r;
}

int services_is_active(const char *name)
{
	return run_systemctl(NULL, "is-active", name, 1) == 0;
}

int services_start(const char *name)
{
	int r = run_systemctl(NULL, "start", name, msg_quiet());

	if (r > 0)
		return failed(NULL, "start", name, r);
	return r;
}

int services_restart(const char *name)
{
	int r = run_systemctl(NULL, "restart", name, msg_quiet());

	if (r > 0)
		return failed(NULL, "restart", name, r);
	return r;
}

int services_daemon_reload(void)
{
	int r = run_systemctl(NULL, "daemon-reload", NULL, msg_quiet());

	if (r > 0)
		return failed(NULL, "daemon-reload", NULL, r);
	return r;
}
