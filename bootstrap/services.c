/* services.c — see services.h */
#include "services.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
	const char *argv[6];
	int n = 0, status;
	pid_t pid;

	argv[n++] = systemctl();
	if (root_opt)
		argv[n++] = root_opt;
	if (quiet)
		argv[n++] = "--quiet";
	argv[n++] = verb;
	if (name)
		argv[n++] = name;
	argv[n] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (quiet && !freopen("/dev/null", "w", stderr))
			_exit(126);
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	free(root_opt);
	if (pid < 0)
		return error_errno("cannot run %s", argv[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_errno("cannot wait for %s", argv[0]);
	if (!WIFEXITED(status))
		return error("%s %s %s: killed by signal %d", argv[0], verb, name ? name : "",
			     WTERMSIG(status));
	if (WEXITSTATUS(status) == 127)
		return error("cannot run %s", argv[0]);
	return WEXITSTATUS(status);
}

int services_is_enabled(const char *root, const char *name)
{
	return run_systemctl(root, "is-enabled", name, 1) == 0;
}

int services_enable(const char *root, const char *name)
{
	int r = run_systemctl(root, "enable", name, msg_quiet());

	if (r > 0)
		return error("systemctl%s%s enable %s failed (exit %d)", root ? " --root=" : "",
			     root ? root : "", name, r);
	return r;
}

int services_disable(const char *root, const char *name)
{
	int r = run_systemctl(root, "disable", name, msg_quiet());

	if (r == 0 && !root)
		r = run_systemctl(NULL, "stop", name, msg_quiet());
	if (r > 0)
		return error("systemctl%s%s disable %s failed (exit %d)", root ? " --root=" : "",
			     root ? root : "", name, r);
	return r;
}

int services_restart(const char *name)
{
	int r = run_systemctl(NULL, "restart", name, msg_quiet());

	if (r > 0)
		return error("systemctl restart %s failed (exit %d)", name, r);
	return r;
}

int services_daemon_reload(void)
{
	int r = run_systemctl(NULL, "daemon-reload", NULL, msg_quiet());

	if (r > 0)
		return error("systemctl daemon-reload failed (exit %d)", r);
	return r;
}
