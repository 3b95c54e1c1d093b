/*
 * sig.h — minisign public keys and signatures, verified with OpenSSL.
 *
 * Formats (minisign 0.x):
 *   public key   base64 of "Ed" || key id (8) || Ed25519 key (32) = 42 bytes;
 *                a .pub file is "untrusted comment: ..." then that line.
 *   signature    "untrusted comment: ..." / base64 of alg (2: "Ed" legacy,
 *                "ED" prehashed BLAKE2b-512) || key id (8) || sig (64) /
 *                "trusted comment: TEXT" / base64 of global sig (64) over
 *                sig || TEXT.
 *
 * Verification follows minisign's order: exact decoded lengths, algorithm,
 * key id (a mismatch names both ids), signature over the file (or its
 * BLAKE2b-512 for "ED"), then the global signature over the trusted
 * comment.  Only then is the trusted comment to be shown.
 *
 * Functions return 0 on success and -1 on failure, writing one line into
 * err (no printing).  Key ids are shown as minisign shows them: 16
 * upper-case hex digits of the little-endian 64-bit id.
 */
#ifndef ROLEBOOT_SIG_H
#define ROLEBOOT_SIG_H

#include <stddef.h>
#include <stdint.h>

#define SIG_KEYID_LEN 8
#define SIG_COMMENT_MAX 1024

struct sig_pubkey {
	unsigned char keyid[SIG_KEYID_LEN];
	unsigned char pk[32];
};

struct sig_signature {
	unsigned char alg[2]; /* "Ed" or "ED" */
	unsigned char keyid[SIG_KEYID_LEN];
	unsigned char sig[64];
	char trusted_comment[SIG_COMMENT_MAX + 1];
	unsigned char global_sig[64];
};

/* Parse a key given as the base64 line or as the text of a .pub file. */
int sig_pubkey_parse(const char *text, size_t len, struct sig_pubkey *out, char *err,
                     size_t errlen);

/* Parse the text of a .minisig file. */
int sig_parse(const char *text, size_t len, struct sig_signature *out, char *err, size_t errlen);

/* Key id as minisign prints it; out has room for 17 bytes. */
void sig_keyid_str(const unsigned char keyid[SIG_KEYID_LEN], char out[17]);

/*
 * Verify sig against the first key of keys[0..nkeys) whose id matches.
 * prehash: BLAKE2b-512 of the file, used for "ED" signatures.
 * path: the file itself, read (capped at max_legacy bytes) only for legacy
 * "Ed" signatures, which sign the whole file rather than its hash.
 * On success *which is the index of the key that verified.
 */
int sig_verify(const struct sig_signature *sig, const struct sig_pubkey *keys, size_t nkeys,
               const unsigned char prehash[64], const char *path, size_t max_legacy, size_t *which,
               char *err, size_t errlen);

/* What apply and verify both do: parse the signature text[0..len) into
 * *sig and verify it (sig_verify's arguments); on failure one error line
 * "SUBJECT: why" is printed and -1 returned. */
int sig_check(const char *subject, const char *text, size_t len, struct sig_signature *sig,
              const struct sig_pubkey *keys, size_t nkeys, const unsigned char prehash[64],
              const char *path, size_t max_legacy, size_t *which);

/* BLAKE2b-512 of a whole file (for `roleboot verify`). */
int sig_blake2b_file(const char *path, unsigned char out[64], char *err, size_t errlen);

#endif
