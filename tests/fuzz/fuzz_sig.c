/*
 * fuzz_sig.c — libFuzzer target for the minisign parsers in sig.c.
 * The input is fed whole to sig_parse and to sig_pubkey_parse; whatever
 * parses is then pushed through sig_keyid_str and sig_verify (against the
 * checked-in test key and a fixed prehash), so the verifier also sees
 * arbitrary signatures.  Seed it with the .minisig files in tests/data/sig
 * and the .pub files in tests/keys.
 */
#include "sig.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tests/keys/test.pub */
static const char test_pub[] = "RWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS/m";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char prehash[64];
	struct sig_pubkey keys[2];
	struct sig_signature sig;
	char err[256];
	size_t nkeys = 1, which;

	if (sig_pubkey_parse(test_pub, strlen(test_pub), &keys[0], err, sizeof(err)))
		__builtin_trap();
	if (sig_pubkey_parse((const char *)data, size, &keys[1], err, sizeof(err)) == 0) {
		char id[17];

		sig_keyid_str(keys[1].keyid, id);
		if (strlen(id) != 16)
			__builtin_trap();
		nkeys = 2;
	}
	if (sig_parse((const char *)data, size, &sig, err, sizeof(err)) == 0) {
		if (strlen(sig.trusted_comment) > SIG_COMMENT_MAX)
			__builtin_trap();
		/* Legacy signatures get no path: only the refusal is exercised. */
		sig_verify(&sig, keys, nkeys, prehash, NULL, 0, &which, err, sizeof(err));
	}
	return 0;
}
