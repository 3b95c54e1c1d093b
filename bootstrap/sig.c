/* sig.c — minisign keys and signatures over OpenSSL libcrypto; see sig.h */
#include "sig.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#define PUBKEY_BYTES 42  /* "Ed" || key id || Ed25519 public key */
#define SIGLINE_BYTES 74 /* alg || key id || Ed25519 signature */
#define GLOBAL_BYTES 64

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "

/* A line of the input: not NUL-terminated, "\n" and a final "\r" removed. */
struct line {
	const char *p;
	size_t n;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Take the next line from [*p, end); 0 when nothing is left. */
static int next_line(const char **p, const char *end, struct line *out)
{
	const char *nl;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	out->p = *p;
	out->n = (size_t)((nl ? nl : end) - *p);
	*p = nl ? nl + 1 : end;
	if (out->n > 0 && out->p[out->n - 1] == '\r')
		out->n--;
	return 1;
}

static void trim(struct line *l)
{
	while (l->n > 0 && is_space(l->p[0])) {
		l->p++;
		l->n--;
	}
	while (l->n > 0 && is_space(l->p[l->n - 1]))
		l->n--;
}

static int has_prefix(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->n >= n && !memcmp(l->p, prefix, n);
}

/*
 * Decode base64 that must yield exactly want bytes.  EVP_DecodeBlock alone
 * is too lenient (it takes "Q===" and "QQ=A", trims whitespace and counts
 * padding as data), so the alphabet, the padding and the length are checked
 * here first.
 */
static int b64_decode_exact(const struct line *l, unsigned char *out, size_t want, const char *what,
                            char *err, size_t errlen)
{
	unsigned char tmp[96];
	size_t i, pad = 0, got;

	if (l->n == 0)
		return errbuf_set(err, errlen, "%s: empty, expected base64", what);
	if (l->n % 4)
		return errbuf_set(err, errlen,
		                  "%s: not valid base64 (%zu characters, not a multiple of 4)",
		                  what, l->n);
	while (pad < 2 && l->p[l->n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < l->n - pad; i++)
		if (!is_b64(l->p[i]))
			return errbuf_set(err, errlen,
			                  "%s: not valid base64 (bad character at column %zu)",
			                  what, i + 1);
	got = l->n / 4 * 3 - pad;
	if (got != want)
		return errbuf_set(err, errlen, "%s: decodes to %zu bytes, expected %zu", what, got,
		                  want);
	if (l->n / 4 * 3 > sizeof(tmp) ||
	    EVP_DecodeBlock(tmp, (const unsigned char *)l->p, (int)l->n) != (int)(got + pad))
		return errbuf_set(err, errlen, "%s: not valid base64", what);
	memcpy(out, tmp, want);
	return 0;
}

/* Printable form of an algorithm tag for messages. */
static void alg_str(const unsigned char alg[2], char out[8])
{
	if (alg[0] > 0x20 && alg[0] < 0x7f && alg[1] > 0x20 && alg[1] < 0x7f)
		snprintf(out, 8, "\"%c%c\"", alg[0], alg[1]);
	else
		snprintf(out, 8, "0x%02x%02x", alg[0], alg[1]);
}

static int alg_known(const unsigned char alg[2])
{
	return !memcmp(alg, "Ed", 2) || !memcmp(alg, "ED", 2);
}

void sig_keyid_str(const unsigned char keyid[SIG_KEYID_LEN], char out[17])
{
	static const char digits[] = "0123456789ABCDEF";
	int i;

	for (i = 0; i < SIG_KEYID_LEN; i++) {
		out[2 * i] = digits[keyid[SIG_KEYID_LEN - 1 - i] >> 4];
		out[2 * i + 1] = digits[keyid[SIG_KEYID_LEN - 1 - i] & 15];
	}
	out[16] = '\0';
}

int sig_pubkey_parse(const char *text, size_t len, struct sig_pubkey *out, char *err, size_t errlen)
{
	unsigned char raw[PUBKEY_BYTES] = {0};
	struct line l = {text, text ? len : 0};
	const char *nl;

	memset(out, 0, sizeof(*out));
	trim(&l);
	if (has_prefix(&l, "untrusted comment:")) {
		nl = memchr(l.p, '\n', l.n);
		if (!nl)
			return errbuf_set(err, errlen,
			                  "public key: comment line without a key line");
		l.n -= (size_t)(nl + 1 - l.p);
		l.p = nl + 1;
		trim(&l);
	}
	if (l.n == 0)
		return errbuf_set(err, errlen, "public key: empty");
	if (memchr(l.p, '\n', l.n))
		return errbuf_set(err, errlen, "public key: unexpected text after the key line");
	if (b64_decode_exact(&l, raw, sizeof(raw), "public key", err, errlen))
		return -1;
	if (memcmp(raw, "Ed", 2)) {
		char alg[8];

		alg_str(raw, alg);
		return errbuf_set(err, errlen, "public key: unknown algorithm %s (expected \"Ed\")",
		                  alg);
	}
	memcpy(out->keyid, raw + 2, SIG_KEYID_LEN);
	memcpy(out->pk, raw + 2 + SIG_KEYID_LEN, sizeof(out->pk));
	return 0;
}

static int parse_sig_line(const struct line *line, struct sig_signature *out, char *err,
                          size_t errlen)
{
	unsigned char raw[SIGLINE_BYTES] = {0};
	struct line l = *line;

	trim(&l);
	if (b64_decode_exact(&l, raw, sizeof(raw), "signature line 2", err, errlen))
		return -1;
	if (!alg_known(raw)) {
		char alg[8];

		alg_str(raw, alg);
		return errbuf_set(err, errlen,
		                  "signature: unknown algorithm %s (expected \"Ed\" or \"ED\"); "
		                  "made by an incompatible signing tool?",
		                  alg);
	}
	memcpy(out->alg, raw, 2);
	memcpy(out->keyid, raw + 2, SIG_KEYID_LEN);
	memcpy(out->sig, raw + 2 + SIG_KEYID_LEN, sizeof(out->sig));
	return 0;
}

static int parse_trusted(const struct line *l, struct sig_signature *out, char *err, size_t errlen)
{
	size_t plen = strlen(TRUSTED_PREFIX), i, n;
	const unsigned char *c;

	if (!has_prefix(l, TRUSTED_PREFIX))
		return errbuf_set(err, errlen, "signature line 3: missing \"%s\" prefix",
		                  TRUSTED_PREFIX);
	c = (const unsigned char *)l->p + plen;
	n = l->n - plen;
	if (n > SIG_COMMENT_MAX)
		return errbuf_set(err, errlen, "trusted comment: longer than %d bytes",
		                  SIG_COMMENT_MAX);
	/* Tab is let through: stock minisign's default comment is tab-separated. */
	for (i = 0; i < n; i++)
		if ((c[i] < 0x20 && c[i] != '\t') || c[i] == 0x7f)
			return errbuf_set(err, errlen,
			                  "trusted comment: control character 0x%02x at column %zu",
			                  c[i], plen + i + 1);
	memcpy(out->trusted_comment, c, n);
	out->trusted_comment[n] = '\0';
	return 0;
}

int sig_parse(const char *text, size_t len, struct sig_signature *out, char *err, size_t errlen)
{
	static const char *const names[4] = {"untrusted comment", "signature", "trusted comment",
	                                     "global signature"};
	const char *p, *end;
	struct line l[4], rest;
	int i, ret = -1;

	memset(out, 0, sizeof(*out));
	if (!text)
		text = "", len = 0;
	p = text;
	end = text + len;
	for (i = 0; i < 4; i++)
		if (!next_line(&p, end, &l[i])) {
			errbuf_set(err, errlen, "signature: missing line %d (%s)", i + 1, names[i]);
			goto out;
		}
	rest.p = p;
	rest.n = (size_t)(end - p);
	trim(&rest);
	if (rest.n) {
		errbuf_set(err, errlen, "signature: unexpected text after line 4");
		goto out;
	}
	if (!has_prefix(&l[0], UNTRUSTED_PREFIX)) {
		errbuf_set(err, errlen, "signature line 1: missing \"%s\" prefix",
		           UNTRUSTED_PREFIX);
		goto out;
	}
	if (parse_sig_line(&l[1], out, err, errlen) || parse_trusted(&l[2], out, err, errlen))
		goto out;
	trim(&l[3]);
	if (b64_decode_exact(&l[3], out->global_sig, sizeof(out->global_sig),
	                     "signature line 4 (global signature)", err, errlen))
		goto out;
	ret = 0;
out:
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

/* 1 when sig is a valid Ed25519 signature of msg by pk, 0 when not, -1 on error. */
static int ed25519_check(const unsigned char pk[32], const unsigned char sig[64],
                         const unsigned char *msg, size_t len, char *err, size_t errlen)
{
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *ctx = NULL;
	int ret = -1, rc;

	key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	if (!key) {
		errbuf_set(err, errlen, "public key: not a usable Ed25519 key");
		goto out;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1) {
		errbuf_set(err, errlen, "cannot set up Ed25519 verification (libcrypto)");
		goto out;
	}
	rc = EVP_DigestVerify(ctx, sig, 64, msg ? msg : (const unsigned char *)"", len);
	if (rc == 1)
		ret = 1;
	else if (rc == 0)
		ret = 0;
	else
		errbuf_set(err, errlen, "Ed25519 verification failed to run (libcrypto)");
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ret;
}

/* Read at most max bytes of path into out, without printing. */

/* Index of the first key whose id matches, or -1 with a message naming every id. */
static long find_key(const struct sig_signature *sig, const struct sig_pubkey *keys, size_t nkeys,
                     char *err, size_t errlen)
{
	struct buf list = BUF_INIT;
	char id[17];
	long ret = -1;
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (!memcmp(keys[i].keyid, sig->keyid, SIG_KEYID_LEN)) {
			ret = (long)i;
			goto out;
		}
	for (i = 0; i < nkeys; i++) {
		sig_keyid_str(keys[i].keyid, id);
		buf_printf(&list, "%s%s", i ? ", " : "", id);
	}
	sig_keyid_str(sig->keyid, id);
	if (nkeys)
		errbuf_set(err, errlen,
		           "signature key id %s does not match any trusted key (trusted: %s)", id,
		           list.data);
	else
		errbuf_set(err, errlen, "signature key id %s: no trusted keys to check it against",
		           id);
out:
	buf_release(&list);
	return ret;
}

/* The signature over the file: its BLAKE2b-512 for "ED", the file itself for "Ed". */
static int check_file_sig(const struct sig_signature *sig, const struct sig_pubkey *key,
                          const unsigned char prehash[64], const char *path, size_t max_legacy,
                          char *err, size_t errlen)
{
	struct buf data = BUF_INIT;
	int ret = -1, rc;

	if (sig->alg[1] == 'D') {
		if (!prehash) {
			errbuf_set(err, errlen,
			           "signature: prehashed (\"ED\") but no BLAKE2b-512 given");
			goto out;
		}
		rc = ed25519_check(key->pk, sig->sig, prehash, 64, err, errlen);
	} else {
		if (!path) {
			errbuf_set(err, errlen, "signature: legacy (\"Ed\") but no file to read");
			goto out;
		}
		rc = read_file_why(path, max_legacy, &data, err, errlen);
		if (rc == READ_TOO_BIG)
			errbuf_set(err, errlen,
			           "%s: larger than %zu bytes, too big for a legacy (\"Ed\") "
			           "signature; sign it prehashed (minisign without -l)",
			           path, max_legacy);
		if (rc < 0)
			goto out;
		rc = ed25519_check(key->pk, sig->sig, (const unsigned char *)data.data, data.len,
		                   err, errlen);
	}
	if (rc == 0)
		errbuf_set(err, errlen,
		           "signature does not verify: the file or its signature was altered, "
		           "or it was signed by another key");
	if (rc == 1)
		ret = 0;
out:
	buf_release(&data);
	return ret;
}

/* The global signature over sig || trusted comment. */
static int check_global_sig(const struct sig_signature *sig, const struct sig_pubkey *key,
                            char *err, size_t errlen)
{
	unsigned char msg[64 + SIG_COMMENT_MAX];
	size_t n = strnlen(sig->trusted_comment, SIG_COMMENT_MAX);
	int rc;

	memcpy(msg, sig->sig, 64);
	memcpy(msg + 64, sig->trusted_comment, n);
	rc = ed25519_check(key->pk, sig->global_sig, msg, 64 + n, err, errlen);
	if (rc == 0)
		return errbuf_set(
		        err, errlen,
		        "trusted comment does not verify: the trusted comment or the global "
		        "signature was altered");
	return rc == 1 ? 0 : -1;
}

int sig_verify(const struct sig_signature *sig, const struct sig_pubkey *keys, size_t nkeys,
               const unsigned char prehash[64], const char *path, size_t max_legacy, size_t *which,
               char *err, size_t errlen)
{
	long k;

	if (!alg_known(sig->alg)) {
		char alg[8];

		alg_str(sig->alg, alg);
		return errbuf_set(err, errlen,
		                  "signature: unknown algorithm %s (expected \"Ed\" or \"ED\")",
		                  alg);
	}
	k = find_key(sig, keys, nkeys, err, errlen);
	if (k < 0)
		return -1;
	if (check_file_sig(sig, &keys[k], prehash, path, max_legacy, err, errlen))
		return -1;
	if (check_global_sig(sig, &keys[k], err, errlen))
		return -1;
	if (which)
		*which = (size_t)k;
	return 0;
}

int sig_blake2b_file(const char *path, unsigned char out[64], char *err, size_t errlen)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char chunk[65536];
	unsigned int mdlen = 0;
	int fd = -1, ret = -1;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errbuf_set(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_blake2b512(), NULL) != 1) {
		errbuf_set(err, errlen, "%s: cannot set up BLAKE2b-512 (libcrypto)", path);
		goto out;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errbuf_set(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			goto out;
		}
		if (EVP_DigestUpdate(ctx, chunk, (size_t)n) != 1) {
			errbuf_set(err, errlen, "%s: cannot compute BLAKE2b-512 (libcrypto)", path);
			goto out;
		}
	}
	if (EVP_DigestFinal_ex(ctx, out, &mdlen) != 1 || mdlen != 64) {
		errbuf_set(err, errlen, "%s: cannot compute BLAKE2b-512 (libcrypto)", path);
		goto out;
	}
	ret = 0;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	return ret;
}

int sig_check(const char *subject, const char *text, size_t len, struct sig_signature *sig,
              const struct sig_pubkey *keys, size_t nkeys, const unsigned char prehash[64],
              const char *path, size_t max_legacy, size_t *which)
{
	char err[512];

	if (sig_parse(text, len, sig, err, sizeof(err)) < 0 ||
	    sig_verify(sig, keys, nkeys, prehash, path, max_legacy, which, err, sizeof(err)) < 0)
		return error("%s: %s", subject, err);
	return 0;
}
