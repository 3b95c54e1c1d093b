/* main.c — subcommand table, global set-up, --help, exit status. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "roleboot.h"
#include "util.h"

/*
 * Each command's synopsis, written to follow a 7-column lead: "usage: " in
 * the command's own help, 7 spaces in the list of `roleboot --help`.  Keep
 * them equal to the options the cmd_*.c files take.
 */
/* the usage texts keep one line of text a source line */
/* clang-format off */
#define SYN_APPLY \
	"roleboot apply [--root DIR] [--pubkey KEY]... [--var NAME=VALUE]...\n" \
	"                      [--dry-run] [--diff] [--now] [--json] [--allow-downgrade]\n" \
	"                      [--cacert FILE] [--timeout S] [--connect-timeout S]\n" \
	"                      [--stall-timeout S] [--max-size BYTES] [--cmdline FILE]\n" \
	"                      [--lock-wait SECONDS] [--expect-version N] [-q] [ROLE]\n"
#define SYN_VERIFY \
	"roleboot verify --pubkey KEY [--cacert FILE] [--max-size BYTES] [-q]\n" \
	"                       FILE [SIGFILE]\n"
#define SYN_RENDER \
	"roleboot render [--role ROLE] [--bundle DIR] [--root DIR] [--var NAME=VALUE]...\n" \
	"                       TEMPLATE\n"
#define SYN_PACK "roleboot pack DIR -o BUNDLE.tar.gz\n"
#define SYN_STATUS "roleboot status [--root DIR] [--json] [--lock-wait SECONDS]\n"
#define SYN_SYNC \
	"roleboot sync [--config FILE] [--root DIR] [--lock-wait SECONDS]\n" \
	"                     [--once] [-q]\n"

#define SYN_ROUTE53D "roleboot route53d [--config FILE] [--foreground] [--check] [-q]\n"

#define EXIT_CODES \
	"exit codes:\n" \
	"   0  success (apply --dry-run: nothing would change)\n" \
	"   1  apply --dry-run: the node is not in the bundle's state\n" \
	"   2  usage: bad command line\n" \
	"   3  role file or manifest refused (also: wrong role, downgrade, expired)\n" \
	"   4  fetch: a download failed on every source\n" \
	"   5  signature: missing, malformed, or not by a trusted key\n" \
	"   6  bundle content refused (links, devices, '..', duplicates, limits)\n" \
	"   7  values, templates or validators refused the result\n" \
	"   8  install: writing the files failed; the target was left as it was\n" \
	"   9  services: enabling or restarting a service failed\n" \
	"  10  locked: another roleboot held the root's lock past --lock-wait\n"

const char roleboot_usage[] =
	"usage: " SYN_APPLY
	"       " SYN_VERIFY
	"       " SYN_RENDER
	"       " SYN_PACK
	"       " SYN_STATUS
	"       " SYN_SYNC
	"       " SYN_ROUTE53D
	"       roleboot --version | --help\n"
	"       roleboot COMMAND --help\n"
	"\n"
	"ROLE is a path or an http(s)/file URL of a role file; without it, roleboot.role=\n"
	"from the kernel command line (/proc/cmdline or --cmdline FILE) is used.\n"
	"Downloads retry connection errors, 5xx and 429 with backoff, resume broken\n"
	"transfers, and stop at the --timeout deadline (default 600 s).\n"
	"\n" EXIT_CODES;

static const char apply_help[] =
	"usage: " SYN_APPLY
	"\n"
	"Fetch ROLE's bundle, verify its signature, render it with the role's values,\n"
	"validate and install the files, and enable the services.\n"
	"\n"
	"  -r, --root DIR           install under DIR instead of /\n"
	"  -P, --pubkey KEY         trust a minisign key (base64 line or .pub file); repeatable\n"
	"  -v, --var NAME=VALUE     override a role value (type-checked); repeatable\n"
	"      --dry-run            change nothing; exit 1 when something would change\n"
	"      --diff               print a unified diff of every changed file\n"
	"      --now                restart the services whose files changed\n"
	"      --json               print the report as JSON on stdout\n"
	"      --allow-downgrade    apply a bundle older than the one applied\n"
	"      --cacert FILE        CA bundle for https\n"
	"      --timeout S          one deadline for every download (default 600)\n"
	"      --connect-timeout S  per connection (default 15)\n"
	"      --stall-timeout S    drop a transfer slower than 1 KiB/s for S (default 30)\n"
	"      --max-size BYTES     largest bundle download (default 256 MiB)\n"
	"      --cmdline FILE       kernel command line from FILE, not /proc/cmdline\n"
	"      --lock-wait SECONDS  wait for another run's lock on the root (default 60)\n"
	"      --expect-version N   refuse a bundle whose version is not N (exit 3)\n"
	"  -q, --quiet              errors only, no progress\n"
	"  -h, --help               this text\n"
	"\n"
	"ROLE is a path or an http(s)/file URL of a role file; without it, roleboot.role=\n"
	"from the kernel command line is used, else the role applied last on the root\n"
	"(with the --var values it was given).  Exit codes: roleboot --help.\n";

static const char verify_help[] =
	"usage: " SYN_VERIFY
	"\n"
	"Check FILE's minisign signature (SIGFILE, by default FILE.minisig) and print the\n"
	"trusted comment.  FILE and SIGFILE may be paths or http(s)/file URLs.\n"
	"\n"
	"  -P, --pubkey KEY         trusted key (base64 line or .pub file); repeatable\n"
	"      --cacert FILE        CA bundle for https\n"
	"      --max-size BYTES     largest download (default 16 GiB)\n"
	"  -q, --quiet              errors only\n"
	"  -h, --help               this text\n"
	"\n"
	"Exit codes: 0 verified, 2 usage, 4 fetch, 5 signature refused.\n";

static const char render_help[] =
	"usage: " SYN_RENDER
	"\n"
	"Print TEMPLATE of a bundle source folder rendered with the data apply would use.\n"
	"\n"
	"  -r, --role ROLE          values from this role file (path or URL)\n"
	"  -b, --bundle DIR         the bundle source folder (default: TEMPLATE's folder)\n"
	"      --root DIR           read the host facts (os-release) under DIR\n"
	"  -v, --var NAME=VALUE     override a value; repeatable\n"
	"  -h, --help               this text\n"
	"\n"
	"Exit codes: 0 rendered, 2 usage, 3 role or manifest, 4 fetch, 7 render.\n";

static const char pack_help[] =
	"usage: " SYN_PACK
	"\n"
	"Write a reproducible bundle (sorted names, owner 0/0, mtime 0) of a source folder.\n"
	"\n"
	"  -o, --output FILE        the bundle to write\n"
	"  -h, --help               this text\n"
	"\n"
	"Exit codes: 0 packed, 2 usage, 6 content a bundle may not hold.\n";

static const char status_help[] =
	"usage: " SYN_STATUS
	"\n"
	"Show what is applied on a root: role, version, bundle, key, time, files.\n"
	"\n"
	"  -r, --root DIR           the target root (default /)\n"
	"      --json               as JSON\n"
	"      --lock-wait SECONDS  wait for a running apply's lock (default 60)\n"
	"  -h, --help               this text\n"
	"\n"
	"Exit codes: 0 shown, 2 usage, 8 the state cannot be read, 10 locked.\n";

static const char sync_help[] =
	"usage: " SYN_SYNC
	"\n"
	"Copy the configured Route 53 hosted zones into BIND zone files, writing and\n"
	"reloading a zone only when its data changed.\n"
	"\n"
	"  -c, --config FILE        the config (default /etc/roleboot/sync.ini)\n"
	"      --root DIR           the root whose lock a pass takes (default /)\n"
	"      --once               one pass (for a timer); otherwise loop until SIGTERM\n"
	"      --lock-wait SECONDS  wait for another run's lock on the root (default 60)\n"
	"  -q, --quiet              no progress, and a warning only when the previous\n"
	"                           pass did not give it (kept in the status file)\n"
	"  -h, --help               this text\n"
	"\n"
	"Exit codes: 0 synced, 2 usage, 3 config, 4 API, 7 a zone refused by\n"
	"named-checkzone or rndc, 8 a zone file or the status cannot be written,\n"
	"10 locked.\n";

static const char route53d_help[] =
	"usage: " SYN_ROUTE53D
	"\n"
	"Accept DNS dynamic UPDATEs (RFC 2136) signed with TSIG and apply each as one\n"
	"Route 53 change batch; answer NOERROR only once Route 53 accepted it.\n"
	"Reads the route53d INI format ([server], [kludge], [hostedzone], [tsig],\n"
	"[slave]); binds UDP and TCP, then switches to [server] username.\n"
	"\n"
	"  -c, --config FILE        the config (default /etc/route53d/route53d.ini)\n"
	"  -f, --foreground         stay in the foreground (systemd Type=simple)\n"
	"      --check              only check the config (a validator); exit 0 or 3\n"
	"  -q, --quiet              no log line per message\n"
	"  -h, --help               this text\n"
	"\n"
	"Exit codes: 0 stopped by SIGTERM or SIGINT, 2 usage, 3 config or\n"
	"credentials refused, 9 cannot listen or go to the background.\n";

/* clang-format on */

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help; /* printed on stdout for COMMAND --help */
};

static const struct command commands[] = {
        {"apply", cmd_apply, apply_help},          {"verify", cmd_verify, verify_help},
        {"render", cmd_render, render_help},       {"pack", cmd_pack, pack_help},
        {"status", cmd_status, status_help},       {"sync", cmd_sync, sync_help},
        {"route53d", cmd_route53d, route53d_help},
};

static int finish(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "roleboot: error: cannot write output: %s\n", strerror(errno));
		return code ? code : EXIT_USAGE;
	}
	return code;
}

/* 1 when a command's arguments ask for its help: --help or -h anywhere
 * before a "--", even after other options (an option's value that reads
 * "--help" counts too, as it does for git). */
static int wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
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
		if (wants_help(argc - 1, argv + 1)) {
			fputs(commands[i].help, stdout);
			return finish(EXIT_OK);
		}
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
