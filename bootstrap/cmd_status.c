/* cmd_status.c — roleboot status [--root DIR] [--json] */
#include <getopt.h>
#include <stdio.h>

#include "roleboot.h"
#include "state.h"

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {{"root", required_argument, NULL, 'r'},
					     {"json", no_argument, NULL, 'j'},
					     {NULL, 0, NULL, 0}};
	const char *root = "/";
	struct state st;
	struct buf out = BUF_INIT;
	int c, json = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
		if (c == 'r')
			root = optarg;
		else if (c == 'j')
			json = 1;
		else
			goto usage;
	}
	if (optind != argc)
		goto usage;
	if (state_load(root, &st) < 0)
		return EXIT_INSTALL;
	state_describe(&st, json, &out);
	fputs(out.data, stdout);
	buf_release(&out);
	state_release(&st);
	return EXIT_OK;
usage:
	fputs("usage: roleboot status [--root DIR] [--json]\n", stderr);
	return EXIT_USAGE;
}
