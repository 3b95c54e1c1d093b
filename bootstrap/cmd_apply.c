/*
 * cmd_apply.c — roleboot apply: options, the order of the steps (apply.h),
 * the report, and the exit code.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apply.h"
#include "cli.h"
#include "cleanup.h"
#include "install.h"
#include "journal.h"
#include "lock.h"
#include "report.h"
#include "roleboot.h"
#include "services.h"

static void add_override(struct apply *a, const char *name, const char *value, const char *origin)
{
	a->ov = xrealloc(a->ov, (a->nov + 1) * sizeof(*a->ov));
	a->ov[a->nov].name = name;
	a->ov[a->nov].value = value;
	a->ov[a->nov++].origin = origin;
}

/* Split NAME=VALUE in place (argv strings are writable). */
static int add_var_arg(struct apply *a, char *arg)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return error("--var wants NAME=VALUE, not '%s'", arg);
	*eq = '\0';
	add_override(a, arg, eq + 1, "--var");
	return 0;
}

enum {
	O_DRY = 256,
	O_DIFF,
	O_NOW,
	O_JSON,
	O_DOWN,
	O_CACERT,
	O_TIMEOUT,
	O_CONNECT,
	O_STALL,
	O_MAXSIZE,
	O_CMDLINE,
	O_LOCKWAIT,
	O_EXPECT
};

static const struct option apply_opts[] = {{"root", required_argument, NULL, 'r'},
                                           {"pubkey", required_argument, NULL, 'P'},
                                           {"var", required_argument, NULL, 'v'},
                                           {"dry-run", no_argument, NULL, O_DRY},
                                           {"diff", no_argument, NULL, O_DIFF},
                                           {"now", no_argument, NULL, O_NOW},
                                           {"json", no_argument, NULL, O_JSON},
                                           {"allow-downgrade", no_argument, NULL, O_DOWN},
                                           {"quiet", no_argument, NULL, 'q'},
                                           {"cacert", required_argument, NULL, O_CACERT},
                                           {"timeout", required_argument, NULL, O_TIMEOUT},
                                           {"connect-timeout", required_argument, NULL, O_CONNECT},
                                           {"stall-timeout", required_argument, NULL, O_STALL},
                                           {"max-size", required_argument, NULL, O_MAXSIZE},
                                           {"cmdline", required_argument, NULL, O_CMDLINE},
                                           {"lock-wait", required_argument, NULL, O_LOCKWAIT},
                                           {"expect-version", required_argument, NULL, O_EXPECT},
                                           {NULL, 0, NULL, 0}};

/* Options that tune fetching; 0, or the exit code for a bad value. */
static int fetch_option(struct apply *a, struct fetch_config *fc, int c, const char *arg)
{
	unsigned long long n;
	const struct option *o;
	char *name;
	int bad;

	if (c == O_CACERT) {
		fc->cacert = arg;
		return 0;
	}
	for (o = apply_opts; o->name && o->val != c; o++)
		;
	name = xasprintf("--%s", o->name ? o->name : "option");
	bad = number_arg(name, arg, 1, &n) < 0;
	free(name);
	if (bad)
		return EXIT_USAGE;
	if (c == O_TIMEOUT)
		fc->deadline = fetch_now() + (double)n;
	else if (c == O_CONNECT)
		fc->connect_timeout = (long)n;
	else if (c == O_STALL)
		fc->stall_timeout = (long)n;
	else
		a->max_size = (size_t)n;
	return 0;
}

static int parse_args(struct apply *a, int argc, char **argv)
{
	struct fetch_config fc;
	int c, code;

	fetch_config_defaults(&fc);
	a->lock_wait = LOCK_WAIT_DEFAULT;
	a->expect_version = -1;
	fc.deadline = fetch_now() + 600;
	a->max_size = BUNDLE_MAX_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:P:v:q", apply_opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			a->root = optarg;
			break;
		case 'P':
			if (keyring_add_arg(&a->keys, optarg) < 0)
				return EXIT_SIG;
			break;
		case 'v':
			if (add_var_arg(a, optarg) < 0)
				return EXIT_USAGE;
			break;
		case O_DRY:
			a->dry_run = 1;
			break;
		case O_DIFF:
			a->diff = 1;
			break;
		case O_NOW:
			a->now = 1;
			break;
		case O_JSON:
			a->json = 1;
			break;
		case O_DOWN:
			a->allow_downgrade = 1;
			break;
		case O_CMDLINE:
			setenv("ROLEBOOT_CMDLINE", optarg, 1);
			a->cmdline_given = 1;
			break;
		case O_EXPECT: {
			unsigned long long n;

			if (number_arg("--expect-version", optarg, 0, &n) < 0 || n > LLONG_MAX)
				return EXIT_USAGE;
			a->expect_version = (long long)n;
			break;
		}
		case O_LOCKWAIT:
			if (lock_wait_arg(optarg, &a->lock_wait) < 0)
				return EXIT_USAGE;
			break;
		case 'q':
			msg_set_quiet(1);
			break;
		case O_CACERT:
		case O_TIMEOUT:
		case O_CONNECT:
		case O_STALL:
		case O_MAXSIZE:
			if ((code = fetch_option(a, &fc, c, optarg)))
				return code;
			break;
		default:
			fputs(roleboot_usage, stderr);
			return EXIT_USAGE;
		}
	}
	a->fetch = fc;
	fetch_configure(&a->fetch); /* for the role file; apply_fetch sets it again */
	if (optind + 1 < argc) {
		error("apply takes one ROLE, not %d", argc - optind);
		return EXIT_USAGE;
	}
	a->role_arg = optind < argc ? argv[optind] : NULL;
	return 0;
}

/* Values first, so that --var given now still wins: moves the last n of
 * the overrides (just added) to the front. */
static void overrides_first(struct apply *a, size_t n)
{
	struct override *tmp;
	size_t user = a->nov - n;

	if (!user)
		return;
	tmp = xmalloc(a->nov * sizeof(*tmp));
	memcpy(tmp, a->ov + user, n * sizeof(*tmp));
	memcpy(tmp + n, a->ov, user * sizeof(*tmp));
	free(a->ov);
	a->ov = tmp;
}

/* ROLE omitted and no roleboot.role= on the kernel command line, but the
 * root has applied a role whose source is recorded: that role, with its
 * values.  1 when it was used. */
static int use_last_role(struct apply *a)
{
	size_t i;

	if (a->cmdline_given || !a->old.present || !a->old.source)
		return 0;
	a->role_arg = a->old.source;
	for (i = 0; i < a->old.nvars; i++)
		add_override(a, a->old.vars[i].name, a->old.vars[i].value, "state");
	overrides_first(a, a->old.nvars);
	note("role", "the role applied last (%s)", a->role_arg);
	return 1;
}

/* ROLE, pubkey and vars from the kernel command line when ROLE is omitted;
 * without roleboot.role= there, the role applied last. */
static int use_kernel_cmdline(struct apply *a)
{
	size_t i;

	if (a->role_arg) {
		/* kernel values stay available to templates as facts */
		if (kcmdline_read(&a->kcmd, 0) < 0)
			kcmdline_release(&a->kcmd);
		return 0;
	}
	if (kcmdline_read(&a->kcmd, 1) < 0)
		return EXIT_USAGE;
	if (!a->kcmd.role && use_last_role(a))
		return 0;
	if (!a->kcmd.role) {
		error("no ROLE given, none applied on %s yet, and no roleboot.role= on the kernel "
		      "command line",
		      a->plan.root);
		return EXIT_USAGE;
	}
	a->role_arg = a->kcmd.role;
	if (a->kcmd.pubkey && keyring_add_arg(&a->keys, a->kcmd.pubkey) < 0)
		return EXIT_SIG;
	/* --var given on the command line still wins: kernel values go first */
	for (i = 0; i < a->kcmd.nvars; i++)
		add_override(a, a->kcmd.names[i], a->kcmd.values[i], "kernel command line");
	overrides_first(a, a->kcmd.nvars);
	return 0;
}

struct step {
	const char *name;
	int (*fn)(struct apply *);
	int in_dry_run;
};

static const struct step steps[] = {
        {"role", apply_load_role, 1},
        {"fetch", apply_fetch, 1},
        {"verify", apply_verify, 1},
        {"bundle", apply_read_bundle, 1},
        {"manifest", apply_check_manifest, 1},
        {"render", apply_render, 1},
        {"stage", apply_stage, 1},
        {"validate", apply_validate, 1},
        {"install", apply_install, 0},
        {"services", apply_services, 0},
};

/* roleboot's own files on the root are never links: refused up front, so
 * that the report written at the end cannot fail on one. */
static int own_files_plain(struct apply *a)
{
	static const char *const own[] = {STATE_PATH, REPORT_PATH};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		if (rootfs_lstat(&a->plan.fs, own[i], &st) < 0) {
			if (errno == ENOENT)
				continue;
			return rootfs_fail(&a->plan.fs, own[i], "cannot inspect");
		}
		if (S_ISLNK(st.st_mode)) {
			char *full = rootfs_full(&a->plan.fs, own[i]);

			error("%s: is a symbolic link; links under the root are not followed",
			      full);
			free(full);
			return -1;
		}
	}
	return 0;
}

/* One roleboot at a time on the root; an interrupted transaction of an
 * earlier run is finished or rolled back before anything is read. */
static int take_root(struct apply *a)
{
	int r;

	if (!a->dry_run && rootfs_open(&a->plan.fs, 1) < 0) {
		error_errno("%s: cannot open the target root", a->plan.root);
		return EXIT_INSTALL;
	}
	r = lock_take(&a->plan.fs, !a->dry_run, a->lock_wait, &a->lock_fd);
	if (r == LOCK_BUSY)
		return EXIT_LOCKED;
	if (r < 0 || journal_recover(&a->plan.fs) < 0 || own_files_plain(a) < 0)
		return EXIT_INSTALL;
	cleanup_sweep_tmp();
	return 0;
}

static int setup(struct apply *a, int argc, char **argv)
{
	int code;

	if ((code = parse_args(a, argc, argv)))
		return code;
	umask(022);
	install_init(&a->plan, a->root);
	a->plan.stage_in_root = !a->dry_run;
	a->offline = a->root != NULL || services_in_chroot();
	if ((code = take_root(a)))
		return code;
	if (state_load(a->plan.root, &a->old) < 0)
		return EXIT_INSTALL;
	if ((code = use_kernel_cmdline(a)))
		return code;
	if (keyring_add_dir(&a->keys, &a->plan.fs) < 0)
		return EXIT_SIG;
	return 0;
}

/* --dry-run ends here: what would change, and whether anything would. */
static int dry_run_result(struct apply *a)
{
	size_t pending = apply_pending_services(a, 0);

	apply_note_changes(a, "would change");
	if (a->diff)
		install_diff(&a->plan);
	note("dry-run", "%s version %lld: %zu would change, %zu unchanged", a->manifest.role,
	     a->manifest.version, a->changed, a->plan.n + a->plan.ndirs - a->changed);
	return a->changed || pending ? EXIT_PENDING : EXIT_OK;
}

/* What the report says of the run, as far as it got; f borrows from a and
 * owns its list of changes (report_facts_release). */
static void gather_facts(const struct apply *a, struct report_facts *f)
{
	const struct fetch_stats *fs = fetch_stats();
	struct planned e;
	size_t pos = 0;

	memset(f, 0, sizeof(*f));
	f->dry_run = a->dry_run;
	f->role = a->role.name ? a->role.name : a->role_arg;
	f->bundle_url = a->bundle_url;
	f->has_version = a->manifest.role != NULL;
	f->version = a->manifest.version;
	f->fetched = a->bundle_tmp != NULL;
	if (f->fetched) {
		hex_encode(a->fetched.blake2b, sizeof(a->fetched.blake2b), f->blake2b);
		f->size = a->fetched.size;
	}
	f->verified = a->verified;
	if (f->verified) {
		sig_keyid_str(a->sig.keyid, f->key);
		f->trusted_comment = a->sig.trusted_comment;
	}
	while (apply_next_planned(a, &pos, &e)) {
		f->total++;
		if (e.change != CH_NONE)
			report_add_change(f, e.path, e.dir != NULL, apply_change_word(e.change));
	}
	f->enabled = a->enabled;
	f->restarted = a->restarted;
	f->requests = fs->requests;
	f->retries = fs->retries;
	f->resumes = fs->resumes;
}

/* Keep the report on the root and send it to the role's report URL; a
 * report that cannot be written or sent never changes the outcome. */
static void publish(const struct report *r, struct apply *a, int code)
{
	struct report_facts facts;
	struct buf json = BUF_INIT;

	gather_facts(a, &facts);
	report_json(r, &facts, code, &json);
	report_facts_release(&facts);
	if (a->json)
		fputs(json.data, stdout);
	/* only a run that holds the lock writes there: one refused by the lock,
	 * or by a link in ROOT/var/lib/roleboot, leaves it alone */
	if (!a->dry_run && a->lock_fd >= 0 &&
	    rootfs_write(&a->plan.fs, REPORT_PATH, json.data, json.len, 0644) < 0)
		warning("report: not kept on the root");
	if (!a->dry_run && a->role.report)
		fetch_post_json(a->role.report, json.data, json.len, 3);
	buf_release(&json);
}

int cmd_apply(int argc, char **argv)
{
	struct apply a;
	struct report r;
	double t;
	size_t i;
	int code;

	memset(&a, 0, sizeof(a));
	a.lock_fd = -1;
	report_init(&r);
	code = setup(&a, argc, argv);
	for (i = 0; !code && i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (a.dry_run && !steps[i].in_dry_run) {
			code = dry_run_result(&a);
			break;
		}
		t = clock_now();
		code = steps[i].fn(&a);
		report_step(&r, steps[i].name, code, t);
	}
	if (!code && !a.dry_run)
		note("apply", "%s version %lld: %zu changed, %zu unchanged, %zu services enabled",
		     a.manifest.role, a.manifest.version, a.changed,
		     a.plan.n + a.plan.ndirs - a.changed, a.enabled);
	if (code != EXIT_USAGE)
		publish(&r, &a, code);
	lock_drop(a.lock_fd);
	apply_release(&a);
	return code;
}
