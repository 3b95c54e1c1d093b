/*
 * cmd_sync.c — roleboot sync [--config FILE] [--once] [--root DIR] [--lock-wait S] [-q]
 * --once: one pass (for a systemd timer); otherwise a pass every interval
 * plus up to jitter seconds, until SIGTERM or SIGINT ends it cleanly.
 * Each pass holds the lock of the node's root (lock.h, default /), so that
 * a pass and an apply of the node's role never interleave.
 */
#include <getopt.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fetch.h"
#include "journal.h"
#include "lock.h"
#include "roleboot.h"
#include "sync.h"

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* 0, or the exit code of the pass: API failures are fetch failures, a
 * zone file (or the status) that cannot be written is an install failure,
 * a zone refused by named-checkzone (or rndc) is a validation failure. */
static int one_pass(struct sync_config *c, struct rootfs *root, double wait)
{
	struct fetch_config fc;
	struct sync_counts n;
	int r, fd = -1;

	r = lock_take(root, 1, wait, &fd);
	if (r == LOCK_BUSY)
		return EXIT_LOCKED;
	if (r < 0 || journal_recover(root) < 0) {
		lock_drop(fd);
		return EXIT_INSTALL;
	}
	fetch_config_defaults(&fc);
	fc.deadline = fetch_now() + (c->interval > 300 ? (double)c->interval : 300.0);
	fetch_configure(&fc);
	r = sync_run(c, &n);
	if (r < 0)
		r = n.zones_unfetched ? EXIT_FETCH : n.unwritten ? EXIT_INSTALL : EXIT_RENDER;
	note("sync", "%zu zones: %u changed, %u failed, %u reloads, %u API requests (%u throttled)",
	     c->nzones, n.zones_changed, n.zones_failed, n.reloads, n.requests, n.throttled);
	lock_drop(fd);
	return r;
}

static void wait_interval(const struct sync_config *c)
{
	unsigned r = 0;
	long ms = c->interval * 1000;
	struct timespec ts;

	if (c->jitter > 0 && RAND_bytes((unsigned char *)&r, sizeof(r)) == 1)
		ms += (long)(r % (unsigned)(c->jitter * 1000 + 1));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	/* a signal ends the sleep early (nanosleep returns EINTR) */
	if (!stop)
		nanosleep(&ts, NULL);
}

static const char sync_usage[] =
        "usage: roleboot sync [--config FILE] [--once] [--root DIR] [--lock-wait S] [-q]\n";

int cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"config", required_argument, NULL, 'c'},    {"once", no_argument, NULL, 'o'},
	        {"quiet", no_argument, NULL, 'q'},           {"root", required_argument, NULL, 'r'},
	        {"lock-wait", required_argument, NULL, 'w'}, {NULL, 0, NULL, 0}};
	const char *config = "/etc/roleboot/sync.ini", *root = "/";
	double wait = LOCK_WAIT_DEFAULT;
	struct sync_config c;
	struct sigaction sa;
	struct rootfs fs;
	int opt, once = 0, code;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:qr:", opts, NULL)) != -1) {
		if (opt == 'c') {
			config = optarg;
		} else if (opt == 'o') {
			once = 1;
		} else if (opt == 'q') {
			msg_set_quiet(1);
		} else if (opt == 'r') {
			root = optarg;
		} else if (opt == 'w' && lock_wait_arg(optarg, &wait) == 0) {
			continue;
		} else {
			fputs(sync_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(sync_usage, stderr);
		return EXIT_USAGE;
	}
	if (sync_config_load(config, &c) < 0)
		return EXIT_ROLE;
	umask(022);
	rootfs_init(&fs, root);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	do {
		code = one_pass(&c, &fs, wait);
		if (!once && !stop)
			wait_interval(&c);
	} while (!once && !stop);
	if (stop)
		note("sync", "stopped by a signal");
	rootfs_release(&fs);
	sync_config_release(&c);
	return once ? code : EXIT_OK;
}
