/* cmd_verify.c — roleboot verify --pubkey KEY FILE [SIGFILE] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "roleboot.h"
#include "sig.h"
#include "util.h"

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"pubkey", required_argument, NULL, 'P'},
					     {"quiet", no_argument, NULL, 'q'},
					     {NULL, 0, NULL, 0}};
	struct keyring kr = {NULL, 0};
	struct sig_signature sig;
	struct buf text = BUF_INIT;
	unsigned char prehash[64];
	char err[512], id[17], *sigpath = NULL;
	size_t which;
	int c, code = EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "P:q", opts, NULL)) != -1) {
		if (c == 'P' && keyring_add_arg(&kr, optarg) < 0) {
			code = EXIT_SIG;
			goto out;
		}
		if (c == 'q')
			msg_set_quiet(1);
		if (c != 'P' && c != 'q')
			goto usage;
	}
	if (optind >= argc || argc - optind > 2 || kr.n == 0)
		goto usage;
	sigpath = argc - optind == 2 ? xstrdup(argv[optind + 1])
				     : xasprintf("%s.minisig", argv[optind]);
	code = EXIT_SIG;
	if (read_file(sigpath, 8192, &text) < 0)
		goto out;
	if (sig_parse(text.data ? text.data : "", text.len, &sig, err, sizeof(err)) < 0 ||
	    sig_blake2b_file(argv[optind], prehash, err, sizeof(err)) < 0 ||
	    sig_verify(&sig, kr.keys, kr.n, prehash, argv[optind], (size_t)1 << 30, &which, err,
		       sizeof(err)) < 0) {
		error("%s: %s", argv[optind], err);
		goto out;
	}
	sig_keyid_str(sig.keyid, id);
	printf("signature and comment signature verified (key %s)\ntrusted comment: %s\n", id,
	       sig.trusted_comment);
	code = EXIT_OK;
	goto out;
usage:
	fputs("usage: roleboot verify --pubkey KEY FILE [SIGFILE]\n", stderr);
out:
	buf_release(&text);
	free(sigpath);
	keyring_release(&kr);
	return code;
}
