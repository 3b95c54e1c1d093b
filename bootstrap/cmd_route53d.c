/*
 * cmd_route53d.c — roleboot route53d [--config FILE] [--foreground] [-q]
 *
 * Reads the config and the credentials (as root, when started so), binds
 * UDP and TCP, then switches to [server] username: as root without one it
 * refuses to start.  processes = N runs N workers on the same sockets; the
 * first process replaces a worker that ends and ends them all on SIGTERM
 * or SIGINT.
 * Without --foreground it goes to the background once it listens.
 * --check only reads the config (no credentials, no socket): a validator.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "r53d.h"
#include "roleboot.h"
#include "util.h"

static volatile int stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int drop_privileges(const struct r53d_config *c)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		if (c->username)
			note("route53d", "not root: username %s not switched to", c->username);
		return 0;
	}
	if (!c->username)
		return error("%s: [server] username is required when started as root", c->where);
	errno = 0;
	pw = getpwnam(c->username);
	if (!pw)
		return errno ? error_errno("%s: cannot look up user %s", c->where, c->username)
		             : error("%s: no user %s", c->where, c->username);
	if (pw->pw_uid == 0)
		return error("%s: username %s is root", c->where, c->username);
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return error_errno("cannot switch to user %s", c->username);
	if (setuid(0) == 0)
		return error("user %s could become root again", c->username);
	return 0;
}

static pid_t start_worker(const struct r53d_config *c, const struct r53d_sockets *s)
{
	pid_t pid = fork();

	if (pid < 0) {
		error_errno("cannot start a worker");
	} else if (pid == 0) {
		r53d_serve(c, s, &stop);
		_exit(0);
	}
	return pid;
}

/* processes workers on the sockets; a worker that ends (after
 * R53D_RECYCLE messages, or by a crash) is replaced, one a second at most,
 * until SIGTERM or SIGINT, which is passed on to them. */
static int supervise(const struct r53d_config *c, const struct r53d_sockets *s)
{
	pid_t pids[64], pid;
	unsigned i, left = 0;
	int status;

	for (i = 0; i < c->processes; i++) {
		pids[i] = start_worker(c, s);
		if (pids[i] < 0)
			break;
		left++;
	}
	if (left < c->processes)
		stop = 1;
	for (;;) {
		if (stop)
			for (i = 0; i < c->processes; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGTERM);
		if (!left)
			break;
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		for (i = 0; i < c->processes && pids[i] != pid; i++)
			;
		if (i == c->processes)
			continue;
		pids[i] = 0;
		left--;
		if (stop)
			continue;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			warning("route53d: worker %ld ended (status %d): another takes its place",
			        (long)pid, status);
			sleep(1); /* a worker that keeps failing does not spin */
		}
		pids[i] = start_worker(c, s);
		if (pids[i] > 0)
			left++;
	}
	return left ? -1 : 0;
}

static const char route53d_usage[] =
        "usage: roleboot route53d [--config FILE] [--foreground] [--check] [-q]\n";

int cmd_route53d(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"foreground", no_argument, NULL, 'f'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {"check", no_argument, NULL, 'k'},
	                                     {NULL, 0, NULL, 0}};
	const char *config = "/etc/route53d/route53d.ini";
	struct r53d_sockets s = {-1, -1, 0};
	struct r53d_config c;
	struct sigaction sa;
	int opt, fg = 0, check = 0, code = EXIT_ROLE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:fq", opts, NULL)) != -1) {
		if (opt == 'c') {
			config = optarg;
		} else if (opt == 'f') {
			fg = 1;
		} else if (opt == 'q') {
			msg_set_quiet(1);
		} else if (opt == 'k') {
			check = 1;
		} else {
			fputs(route53d_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(route53d_usage, stderr);
		return EXIT_USAGE;
	}
	if (r53d_config_load(config, &c) < 0)
		return EXIT_ROLE;
	if (!check && geteuid() == 0 && !c.username) {
		error("%s: [server] username is required when started as root", c.where);
		goto out;
	}
	if (!c.nzones)
		warning("%s: no zone in [hostedzone]: every UPDATE is refused", config);
	if (check) {
		note("route53d", "%s: %zu zones, %zu keys, %zu [slave] zones: good", config,
		     c.nzones, c.nkeys, c.nslaves);
		code = EXIT_OK;
		goto out;
	}
	if (r53d_config_credentials(&c) < 0)
		goto out;
	if (r53d_bind(&c, &s) < 0) {
		code = EXIT_SERVICE;
		goto out;
	}
	if (drop_privileges(&c) < 0)
		goto out;
	if (!fg && daemon(0, 1) < 0) {
		error_errno("cannot go to the background");
		code = EXIT_SERVICE;
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	note("route53d", "listening on %s port %u (udp, tcp): %zu zones, %zu keys, %u workers%s",
	     c.listen_ip, s.port, c.nzones, c.nkeys, c.processes, c.dry_run ? ", dry-run" : "");
	supervise(&c, &s);
	note("route53d", "stopped");
	code = EXIT_OK;
out:
	if (s.udp >= 0)
		close(s.udp);
	if (s.tcp >= 0)
		close(s.tcp);
	r53d_config_release(&c);
	return code;
}
