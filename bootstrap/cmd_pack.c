/* cmd_pack.c — roleboot pack DIR -o BUNDLE.tar.gz */
#include <getopt.h>
#include <stdio.h>

#include "bundle.h"
#include "roleboot.h"
#include "util.h"

int cmd_pack(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
	                                     {NULL, 0, NULL, 0}};
	const char *out = NULL;
	char err[512];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (c != 'o')
			goto usage;
		out = optarg;
	}
	if (!out || optind + 1 != argc)
		goto usage;
	if (bundle_pack(argv[optind], out, err, sizeof(err)) < 0) {
		error("pack %s: %s", argv[optind], err);
		return EXIT_BUNDLE;
	}
	note("pack", "%s -> %s", argv[optind], out);
	return EXIT_OK;
usage:
	fputs("usage: roleboot pack DIR -o BUNDLE.tar.gz\n", stderr);
	return EXIT_USAGE;
}
