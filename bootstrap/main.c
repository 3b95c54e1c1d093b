/* main.c — subcommand table, global set-up, exit status. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "roleboot.h"
#include "util.h"

const char roleboot_usage[] =
	"usage: roleboot apply [--root DIR] [--pubkey KEY]... [--var NAME=VALUE]...\n"
	"                      [--dry-run] [--diff] [--now] [--json] [--allow-downgrade]\n"
	"                      [--cacert FILE] [--timeout S] [--connect-timeout S]\n"
	"                      [--stall-timeout S] [--max-size BYTES] [--cmdline FILE]\n"
	"                      [-q] [ROLE]\n"
	"       roleboot verify --pubkey KEY [--cacert FILE] [--max-size BYTES] FILE [SIGFILE]\n"
	"       roleboot render [--role ROLE] [--bundle DIR] [--root DIR] [--var NAME=VALUE]...\n"
	"                       TEMPLATE\n"
	"       roleboot pack DIR -o BUNDLE.tar.gz\n"
	"       roleboot status [--root DIR] [--json]\n"
	"       roleboot sync [--config FILE] [--once] [-q]\n"
	"       roleboot --version | --help\n"
	"\n"
	"ROLE is a path or an http(s)/file URL of a role file; without it, roleboot.role=\n"
	"from the kernel command line (/proc/cmdline or --cmdline FILE) is used.\n"
	"Downloads retry connection errors, 5xx and 429 with backoff, resume broken\n"
	"transfers, and stop at the --timeout deadline (default 600 s).\n"
	"\n"
	"exit codes:\n"
	"   0  success (apply --dry-run: nothing would change)\n"
	"   1  apply --dry-run: the node is not in the bundle's state\n"
	"   2  usage: bad command line\n"
	"   3  role file or manifest refused (also: wrong role, downgrade, expired)\n"
	"   4  fetch: a download failed on every source\n"
	"   5  signature: missing, malformed, or not by a trusted key\n"
	"   6  bundle content refused (links, devices, '..', duplicates, limits)\n"
	"   7  values, templates or validators refused the result\n"
	"   8  install: writing the files failed; the target was left as it was\n"
	"   9  services: enabling or restarting a service failed\n";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{"apply", cmd_apply},   {"verify", cmd_verify}, {"render", cmd_render},
	{"pack", cmd_pack},     {"status", cmd_status}, {"sync", cmd_sync},
};

static int finish(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "roleboot: error: cannot write output: %s\n", strerror(errno));
		return code ? code : EXIT_USAGE;
	}
	return code;
}

int main(int argc, char **argv)
{
	size_t i;
	int code;

	if (argc < 2) {
		fputs(roleboot_usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(roleboot_usage, stdout);
		return finish(EXIT_OK);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("roleboot %s (%s)\n", ROLEBOOT_VERSION, curl_version());
		return finish(EXIT_OK);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		cleanup_init();
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			error("cannot initialise libcurl");
			return EXIT_FETCH;
		}
		code = commands[i].fn(argc - 1, argv + 1);
		curl_global_cleanup();
		return finish(code);
	}
	error("'%s' is not a roleboot command; see roleboot --help", argv[1]);
	return EXIT_USAGE;
}
