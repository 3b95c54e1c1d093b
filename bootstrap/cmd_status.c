/* cmd_status.c — roleboot status [--root DIR] [--json] */
#include <getopt.h>
#include <stdio.h>

#include "journal.h"
#include "lock.h"
#include "roleboot.h"
#include "state.h"

/* Under the root's lock, after recovery of an interrupted transaction. */
static int load(const char *root, double wait, struct state *st)
{
	struct rootfs fs;
	int fd = -1, r, code = EXIT_INSTALL;

	rootfs_init(&fs, root);
	r = lock_take(&fs, 0, wait, &fd);
	if (r == LOCK_BUSY)
		code = EXIT_LOCKED;
	else if (r == LOCK_OK && journal_recover(&fs) == 0 && state_load(root, st) == 0)
		code = EXIT_OK;
	lock_drop(fd);
	rootfs_release(&fs);
	return code;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {{"root", required_argument, NULL, 'r'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"lock-wait", required_argument, NULL, 'w'},
	                                     {NULL, 0, NULL, 0}};
	const char *root = "/";
	struct state st;
	struct buf out = BUF_INIT;
	int c, json = 0, code;
	double wait = LOCK_WAIT_DEFAULT;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
		if (c == 'r')
			root = optarg;
		else if (c == 'j')
			json = 1;
		else if (c != 'w' || lock_wait_arg(optarg, &wait) < 0)
			goto usage;
	}
	if (optind != argc)
		goto usage;
	if ((code = load(root, wait, &st)))
		return code;
	state_describe(&st, json, &out);
	fputs(out.data, stdout);
	buf_release(&out);
	state_release(&st);
	return EXIT_OK;
usage:
	fputs("usage: roleboot status [--root DIR] [--json] [--lock-wait S]\n", stderr);
	return EXIT_USAGE;
}
