/*
 * cmd_verify.c — roleboot verify --pubkey KEY FILE [SIGFILE]
 * FILE (and SIGFILE) may be paths or URLs; a URL is downloaded once, hashed
 * while it streams, and never held in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "fetch.h"
#include "keys.h"
#include "roleboot.h"
#include "sig.h"
#include "util.h"

struct verify {
	struct keyring kr;
	const char *file, *sigarg;
	size_t max;
	char *tmp; /* owned: download of a URL */
	unsigned char prehash[64];
};

static int is_url(const char *s)
{
	return strstr(s, "://") != NULL;
}

/* The file's BLAKE2b-512, downloading it first when it is a URL. */
static int load_file(struct verify *v, const char **path)
{
	struct fetch_result res = {{0}, 0};
	char err[256];
	int fd;

	if (!is_url(v->file)) {
		*path = v->file;
		if (sig_blake2b_file(v->file, v->prehash, err, sizeof(err)) < 0)
			return error("%s: %s", v->file, err);
		return 0;
	}
	fd = tmp_file("roleboot-verify", &v->tmp);
	if (fd < 0)
		return -1;
	if (fetch_to_fd(v->file, fd, v->max, &res) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	memcpy(v->prehash, res.blake2b, sizeof(v->prehash));
	*path = v->tmp;
	return 0;
}

static int verify_run(struct verify *v)
{
	struct buf text = BUF_INIT;
	struct sig_signature sig;
	char *sigsrc = v->sigarg ? xstrdup(v->sigarg) : xasprintf("%s.minisig", v->file);
	char *url = url_for_arg(sigsrc), id[17];
	const char *path = NULL;
	size_t which;
	int code = EXIT_FETCH;

	if (!url || fetch_to_buf(url, 8192, &text) < 0 || load_file(v, &path) < 0)
		goto out;
	code = EXIT_SIG;
	if (sig_check(v->file, text.data ? text.data : "", text.len, &sig, v->kr.keys, v->kr.n,
	              v->prehash, path, v->max, &which) < 0)
		goto out;
	sig_keyid_str(sig.keyid, id);
	printf("signature and comment signature verified (key %s)\ntrusted comment: %s\n", id,
	       sig.trusted_comment);
	code = EXIT_OK;
out:
	buf_release(&text);
	free(url);
	free(sigsrc);
	return code;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"pubkey", required_argument, NULL, 'P'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {"cacert", required_argument, NULL, 'C'},
	                                     {"max-size", required_argument, NULL, 'M'},
	                                     {NULL, 0, NULL, 0}};
	struct fetch_config fc;
	struct verify v;
	unsigned long long max;
	int c, code = EXIT_USAGE;

	memset(&v, 0, sizeof(v));
	v.max = (size_t)1 << 34;
	fetch_config_defaults(&fc);
	optind = 1;
	while ((c = getopt_long(argc, argv, "P:q", opts, NULL)) != -1) {
		if (c == 'P' && keyring_add_arg(&v.kr, optarg) < 0) {
			code = EXIT_SIG;
			goto out;
		} else if (c == 'q') {
			msg_set_quiet(1);
		} else if (c == 'C') {
			fc.cacert = optarg;
		} else if (c == 'M') {
			if (number_arg("--max-size", optarg, 1, &max) < 0)
				goto usage;
			v.max = (size_t)max;
		} else if (c != 'P') {
			goto usage;
		}
	}
	if (optind >= argc || argc - optind > 2 || v.kr.n == 0)
		goto usage;
	fetch_configure(&fc);
	v.file = argv[optind];
	v.sigarg = argc - optind == 2 ? argv[optind + 1] : NULL;
	code = verify_run(&v);
	goto out;
usage:
	fputs("usage: roleboot verify --pubkey KEY [--cacert FILE] [--max-size BYTES] FILE "
	      "[SIGFILE]\n",
	      stderr);
out:
	if (v.tmp) {
		unlink(v.tmp);
		cleanup_forget(v.tmp);
		free(v.tmp);
	}
	keyring_release(&v.kr);
	return code;
}
