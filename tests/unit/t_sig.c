/*
 * t_sig.c — unit tests for sig.c against fixtures made with stock minisign
 * 0.11 (tests/data/sig, see its README) and the test keys in tests/keys.
 * Fixtures are found under $TESTS_DIR, or "tests" when it is unset.
 */
#include "sig.h"
#include "unit.h"
#include "util.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (1024 * 1024)

static const char *tests_dir(void)
{
	const char *d = getenv("TESTS_DIR");

	return d && *d ? d : "tests";
}

static char *data_path(const char *name)
{
	return xasprintf("%s/data/sig/%s", tests_dir(), name);
}

static char *key_path(const char *name)
{
	return xasprintf("%s/keys/%s", tests_dir(), name);
}

/* Load a file or stop: nothing below makes sense without the fixtures. */
static void load(const char *path, struct buf *out)
{
	buf_reset(out);
	if (read_file(path, MIB, out)) {
		printf("Bail out! cannot read fixture %s (set TESTS_DIR)\n", path);
		exit(1);
	}
}

static int contains(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle) != NULL;
}

/* OK() with the error text appended, so a failure shows what was said. */
static void check_err(int cond, const char *what, const char *err)
{
	char line[1536];

	snprintf(line, sizeof(line), "%s [%s]", what, err);
	OK(cond, line);
}

static char tmpdir[512];

static char *write_tmp(const char *name, const char *data, size_t len)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	return path;
}

/* ---- the shared state: keys, the fixture file and its BLAKE2b-512 ---- */

static struct sig_pubkey test_key, other_key;
static unsigned char hello_hash[64];
static char *hello_path;
static struct buf good_sig = BUF_INIT, legacy_sig = BUF_INIT, other_sig = BUF_INIT;

static void setup(void)
{
	struct buf b = BUF_INIT;
	char err[512] = "";
	char *p;

	p = key_path("test.pub");
	load(p, &b);
	free(p);
	if (sig_pubkey_parse(b.data, b.len, &test_key, err, sizeof(err)))
		printf("Bail out! test.pub: %s\n", err), exit(1);
	p = key_path("other.pub");
	load(p, &b);
	free(p);
	if (sig_pubkey_parse(b.data, b.len, &other_key, err, sizeof(err)))
		printf("Bail out! other.pub: %s\n", err), exit(1);
	hello_path = data_path("hello.txt");
	if (sig_blake2b_file(hello_path, hello_hash, err, sizeof(err)))
		printf("Bail out! %s\n", err), exit(1);
	p = data_path("hello.txt.minisig");
	load(p, &good_sig);
	free(p);
	p = data_path("hello.txt.legacy.minisig");
	load(p, &legacy_sig);
	free(p);
	p = data_path("hello.txt.other.minisig");
	load(p, &other_sig);
	free(p);
	buf_release(&b);
}

/* ---- an editable .minisig: up to 6 lines, joined by eol ---- */

#define MS_LINE 2400

struct ms {
	char line[6][MS_LINE];
	int n;
	const char *eol;
	int final_eol;
};

static void ms_load(struct ms *m, const char *text)
{
	const char *p = text, *nl;

	memset(m, 0, sizeof(*m));
	m->eol = "\n";
	m->final_eol = 1;
	while (*p && m->n < 6) {
		nl = strchr(p, '\n');
		snprintf(m->line[m->n++], MS_LINE, "%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
		p = nl ? nl + 1 : p + strlen(p);
	}
}

static void ms_render(const struct ms *m, struct buf *out)
{
	int i;

	buf_reset(out);
	for (i = 0; i < m->n; i++) {
		buf_puts(out, m->line[i]);
		if (i + 1 < m->n || m->final_eol)
			buf_puts(out, m->eol);
	}
}

/* Replace del characters at col of line (col < 0 counts from the end). */
static void edit(struct ms *m, int line, int col, size_t del, const char *ins)
{
	char *l = m->line[line], tail[MS_LINE];
	size_t at = col < 0 ? strlen(l) - (size_t)-col : (size_t)col;

	snprintf(tail, sizeof(tail), "%s", l + at + del);
	snprintf(l + at, MS_LINE - at, "%s%s", ins, tail);
}

static void append(struct ms *m, int line, const char *s)
{
	size_t n = strlen(m->line[line]);

	snprintf(m->line[line] + n, MS_LINE - n, "%s", s);
}

/* Change one base64 character into another valid one. */
static void flip_b64(struct ms *m, int line, int col)
{
	static const char alpha[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *c = &m->line[line][col];

	*c = alpha[(strchr(alpha, *c) - alpha + 1) % 64];
}

/* Re-encode line 2 with another algorithm tag. */
static void set_alg(struct ms *m, const char alg[2])
{
	unsigned char raw[80];

	EVP_DecodeBlock(raw, (const unsigned char *)m->line[1], (int)strlen(m->line[1]));
	memcpy(raw, alg, 2);
	EVP_EncodeBlock((unsigned char *)m->line[1], raw, 74);
}

static void m_none(struct ms *m)
{
	(void)m;
}
static void m_no_final_eol(struct ms *m)
{
	m->final_eol = 0;
}
static void m_crlf(struct ms *m)
{
	m->eol = "\r\n";
}
static void m_blank_tail(struct ms *m)
{
	m->n = 6;
}
static void m_spaces_b64(struct ms *m)
{
	edit(m, 1, 0, 0, "  "), append(m, 3, " \t");
}
static void m_drop4(struct ms *m)
{
	m->n = 3;
}
static void m_drop34(struct ms *m)
{
	m->n = 2;
}
static void m_only1(struct ms *m)
{
	m->n = 1;
}
static void m_empty(struct ms *m)
{
	m->n = 0;
}
static void m_extra(struct ms *m)
{
	m->n = 5, strcpy(m->line[4], "more");
}
static void m_no_untrusted(struct ms *m)
{
	edit(m, 0, 0, 2, "");
}
static void m_no_trusted(struct ms *m)
{
	edit(m, 2, 7, 1, "-");
}
static void m_no_trusted_space(struct ms *m)
{
	strcpy(m->line[2], "trusted comment:");
}
static void m_sig_bad_char(struct ms *m)
{
	m->line[1][10] = '*';
}
static void m_sig_pad_mid(struct ms *m)
{
	m->line[1][20] = '=';
}
static void m_sig_short(struct ms *m)
{
	edit(m, 1, -4, 4, "");
}
static void m_sig_odd(struct ms *m)
{
	edit(m, 1, -1, 1, "");
}
static void m_sig_long(struct ms *m)
{
	edit(m, 1, -4, 4, "AAAAAAAA");
}
static void m_glob_short(struct ms *m)
{
	edit(m, 3, -4, 4, "");
}
static void m_glob_long(struct ms *m)
{
	edit(m, 3, -4, 4, "AAAAAAAA");
}
static void m_glob_pad3(struct ms *m)
{
	edit(m, 3, -4, 4, "A===");
}
static void m_glob_pad_data(struct ms *m)
{
	edit(m, 3, -2, 2, "=A");
}
static void m_glob_garbage(struct ms *m)
{
	append(m, 3, "junk");
}
static void m_glob_garbage2(struct ms *m)
{
	append(m, 3, " x");
}
static void m_alg_xx(struct ms *m)
{
	set_alg(m, "Xx");
}
static void m_alg_bin(struct ms *m)
{
	set_alg(m, "\0\1");
}
static void m_alg_legacy(struct ms *m)
{
	set_alg(m, "Ed");
}
static void m_comment_tab(struct ms *m)
{
	edit(m, 2, -7, 0, "\t");
}
static void m_comment_cr(struct ms *m)
{
	edit(m, 2, -7, 0, "\r");
}
static void m_comment_vt(struct ms *m)
{
	edit(m, 2, -7, 0, "\v");
}
static void m_comment_esc(struct ms *m)
{
	edit(m, 2, -7, 0, "\033[31m");
}
static void m_comment_del(struct ms *m)
{
	edit(m, 2, -1, 0, "\177");
}
static void m_sig_flip(struct ms *m)
{
	flip_b64(m, 1, 60);
}
static void m_keyid_flip(struct ms *m)
{
	flip_b64(m, 1, 5);
}
static void m_comment_flip(struct ms *m)
{
	edit(m, 2, -1, 1, "E");
}
static void m_comment_drop(struct ms *m)
{
	edit(m, 2, -1, 1, "");
}
static void m_glob_flip(struct ms *m)
{
	flip_b64(m, 3, 10);
}

static void m_comment_len(struct ms *m, size_t n)
{
	snprintf(m->line[2], MS_LINE, "trusted comment: %s", "");
	memset(m->line[2] + 17, 'a', n);
	m->line[2][17 + n] = '\0';
}
static void m_comment_max(struct ms *m)
{
	m_comment_len(m, SIG_COMMENT_MAX);
}
static void m_comment_over(struct ms *m)
{
	m_comment_len(m, SIG_COMMENT_MAX + 1);
}

enum stage { PARSE_FAILS, VERIFY_FAILS, VERIFIES };

static const struct {
	const char *name;
	void (*mutate)(struct ms *);
	enum stage stage;
	const char *want; /* substring of err, or the trusted comment */
} sig_cases[] = {
        {"stock prehashed signature", m_none, VERIFIES, "roleboot test fixture"},
        {"no final newline", m_no_final_eol, VERIFIES, "roleboot test fixture"},
        {"crlf line ends", m_crlf, VERIFIES, "roleboot test fixture"},
        {"blank lines after line 4", m_blank_tail, VERIFIES, "roleboot test fixture"},
        {"blanks around base64 lines", m_spaces_b64, VERIFIES, "roleboot test fixture"},
        {"line 4 missing", m_drop4, PARSE_FAILS, "signature: missing line 4 (global signature)"},
        {"lines 3-4 missing", m_drop34, PARSE_FAILS, "missing line 3 (trusted comment)"},
        {"only line 1", m_only1, PARSE_FAILS, "missing line 2 (signature)"},
        {"empty", m_empty, PARSE_FAILS, "missing line 1 (untrusted comment)"},
        {"text after line 4", m_extra, PARSE_FAILS, "signature: unexpected text after line 4"},
        {"no untrusted prefix", m_no_untrusted, PARSE_FAILS,
         "signature line 1: missing \"untrusted comment: \" prefix"},
        {"no trusted prefix", m_no_trusted, PARSE_FAILS,
         "signature line 3: missing \"trusted comment: \" prefix"},
        {"trusted prefix without space", m_no_trusted_space, PARSE_FAILS, "line 3: missing"},
        {"bad base64 character", m_sig_bad_char, PARSE_FAILS,
         "signature line 2: not valid base64 (bad character at column 11)"},
        {"padding inside line 2", m_sig_pad_mid, PARSE_FAILS, "bad character at column 21"},
        {"line 2 four chars short", m_sig_short, PARSE_FAILS,
         "signature line 2: decodes to 72 bytes, expected 74"},
        {"line 2 one char short", m_sig_odd, PARSE_FAILS, "99 characters, not a multiple of 4"},
        {"line 2 too long", m_sig_long, PARSE_FAILS, "decodes to 78 bytes, expected 74"},
        {"global sig short", m_glob_short, PARSE_FAILS,
         "signature line 4 (global signature): decodes to 63 bytes, expected 64"},
        {"global sig long", m_glob_long, PARSE_FAILS, "decodes to 69 bytes, expected 64"},
        {"global sig three pads", m_glob_pad3, PARSE_FAILS, "bad character at column 86"},
        {"global sig data after pad", m_glob_pad_data, PARSE_FAILS, "bad character at column 87"},
        {"global sig trailing garbage", m_glob_garbage, PARSE_FAILS, "bad character at column 87"},
        {"global sig trailing word", m_glob_garbage2, PARSE_FAILS, "not a multiple of 4"},
        {"unknown algorithm", m_alg_xx, PARSE_FAILS,
         "signature: unknown algorithm \"Xx\" (expected \"Ed\" or \"ED\")"},
        {"binary algorithm", m_alg_bin, PARSE_FAILS, "unknown algorithm 0x0001"},
        {"tab in trusted comment", m_comment_tab, VERIFY_FAILS, "trusted comment does not verify"},
        {"cr inside trusted comment", m_comment_cr, PARSE_FAILS,
         "trusted comment: control character 0x0d at column 32"},
        {"vt in trusted comment", m_comment_vt, PARSE_FAILS, "control character 0x0b"},
        {"escape in trusted comment", m_comment_esc, PARSE_FAILS, "control character 0x1b"},
        {"del in trusted comment", m_comment_del, PARSE_FAILS, "control character 0x7f"},
        {"trusted comment too long", m_comment_over, PARSE_FAILS,
         "trusted comment: longer than 1024 bytes"},
        {"flipped signature byte", m_sig_flip, VERIFY_FAILS,
         "signature does not verify: the file or its signature was altered, or it was signed "
         "by another key"},
        {"prehashed tag changed to legacy", m_alg_legacy, VERIFY_FAILS,
         "signature does not verify"},
        {"flipped key id byte", m_keyid_flip, VERIFY_FAILS,
         "does not match any trusted key (trusted: B7A536DEFD94A5F0)"},
        {"flipped trusted comment byte", m_comment_flip, VERIFY_FAILS,
         "trusted comment does not verify"},
        {"truncated trusted comment", m_comment_drop, VERIFY_FAILS,
         "trusted comment does not verify"},
        {"longest trusted comment", m_comment_max, VERIFY_FAILS, "trusted comment does not verify"},
        {"flipped global signature byte", m_glob_flip, VERIFY_FAILS,
         "trusted comment does not verify: the trusted comment or the global signature was "
         "altered"},
};

static void run_sig_cases(void)
{
	struct buf text = BUF_INIT;
	struct sig_signature sig;
	struct ms m;
	char err[1024], what[256];
	size_t i, which;

	for (i = 0; i < sizeof(sig_cases) / sizeof(sig_cases[0]); i++) {
		ms_load(&m, good_sig.data);
		sig_cases[i].mutate(&m);
		ms_render(&m, &text);
		strcpy(err, "");
		which = 99;
		int pr = sig_parse(text.data, text.len, &sig, err, sizeof(err));
		int vr = pr ? -1
		            : sig_verify(&sig, &test_key, 1, hello_hash, hello_path, MIB, &which,
		                         err, sizeof(err));
		snprintf(what, sizeof(what), "sig case: %s", sig_cases[i].name);
		if (sig_cases[i].stage == PARSE_FAILS)
			check_err(pr == -1 && contains(err, sig_cases[i].want), what, err);
		else if (sig_cases[i].stage == VERIFY_FAILS)
			check_err(pr == 0 && vr == -1 && contains(err, sig_cases[i].want), what,
			          err);
		else
			check_err(vr == 0 && which == 0 &&
			                  !strcmp(sig.trusted_comment, sig_cases[i].want),
			          what, err);
	}
	buf_release(&text);
}

/* ---- checks on parsed structs and on the file ---- */

static int parse_good(struct sig_signature *sig)
{
	char err[512];

	return sig_parse(good_sig.data, good_sig.len, sig, err, sizeof(err));
}

static void test_struct_tampering(void)
{
	static const unsigned char id[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
	struct sig_pubkey both[2] = {test_key, other_key};
	struct sig_signature sig;
	unsigned char hash[64];
	char err[512] = "";
	int r;

	parse_good(&sig);
	memcpy(sig.keyid, id, 8);
	r = sig_verify(&sig, both, 2, hello_hash, NULL, 0, NULL, err, sizeof(err));
	check_err(r && !strcmp(err, "signature key id EFCDAB8967452301 does not match any "
	                            "trusted key (trusted: B7A536DEFD94A5F0, 9FA4A0695AAEC30A)"),
	          "key id mismatch names the signature id and every trusted id", err);
	r = sig_verify(&sig, NULL, 0, hello_hash, NULL, 0, NULL, err, sizeof(err));
	check_err(r && contains(err, "EFCDAB8967452301: no trusted keys"), "no trusted keys", err);

	parse_good(&sig);
	sig.sig[63] ^= 0x01;
	r = sig_verify(&sig, &test_key, 1, hello_hash, NULL, 0, NULL, err, sizeof(err));
	check_err(r && contains(err, "signature does not verify"), "decoded sig byte flipped", err);

	parse_good(&sig);
	sig.global_sig[0] ^= 0x80;
	r = sig_verify(&sig, &test_key, 1, hello_hash, NULL, 0, NULL, err, sizeof(err));
	check_err(r && contains(err, "trusted comment does not verify"), "global sig byte flipped",
	          err);

	parse_good(&sig);
	sig.trusted_comment[0] ^= 0x20;
	r = sig_verify(&sig, &test_key, 1, hello_hash, NULL, 0, NULL, err, sizeof(err));
	check_err(r && contains(err, "trusted comment does not verify"), "comment byte flipped",
	          err);

	parse_good(&sig);
	memcpy(hash, hello_hash, 64);
	hash[5] ^= 0x04;
	r = sig_verify(&sig, &test_key, 1, hash, NULL, 0, NULL, err, sizeof(err));
	check_err(r && contains(err, "signature does not verify"), "other prehash", err);
	r = sig_verify(&sig, &test_key, 1, NULL, hello_path, MIB, NULL, err, sizeof(err));
	check_err(r && contains(err, "no BLAKE2b-512 given"), "prehashed without a prehash", err);

	parse_good(&sig);
	memcpy(sig.alg, "EE", 2);
	r = sig_verify(&sig, &test_key, 1, hello_hash, NULL, 0, NULL, err, sizeof(err));
	check_err(r && contains(err, "unknown algorithm \"EE\""), "verify rechecks algorithm", err);
}

static void test_wrong_key(void)
{
	struct sig_pubkey both[2] = {test_key, other_key};
	struct sig_signature sig;
	char err[512] = "";
	size_t which = 99;
	int r;

	r = sig_parse(other_sig.data, other_sig.len, &sig, err, sizeof(err));
	OK(r == 0, "other key's signature parses");
	r = sig_verify(&sig, &test_key, 1, hello_hash, NULL, 0, NULL, err, sizeof(err));
	check_err(r && !strcmp(err, "signature key id 9FA4A0695AAEC30A does not match any "
	                            "trusted key (trusted: B7A536DEFD94A5F0)"),
	          "signed by other key, only test key trusted", err);
	strcpy(err, "");
	r = sig_verify(&sig, both, 2, hello_hash, NULL, 0, &which, err, sizeof(err));
	check_err(r == 0 && which == 1, "second trusted key verifies, which = 1", err);

	/* The right id but another Ed25519 key: the signature itself fails. */
	both[1] = other_key;
	memcpy(both[1].keyid, test_key.keyid, SIG_KEYID_LEN);
	parse_good(&sig);
	r = sig_verify(&sig, &both[1], 1, hello_hash, NULL, 0, NULL, err, sizeof(err));
	check_err(r && contains(err, "signature does not verify"), "same id, other key", err);
}

static void test_file_tampering(void)
{
	struct sig_signature sig;
	struct buf data = BUF_INIT;
	unsigned char hash[64];
	char err[512] = "", *flipped;
	int r;

	load(hello_path, &data);
	data.data[7] ^= 0x01;
	flipped = write_tmp("flipped.txt", data.data, data.len);
	r = sig_blake2b_file(flipped, hash, err, sizeof(err));
	OK(r == 0 && memcmp(hash, hello_hash, 64), "flipped file hashes differently");
	parse_good(&sig);
	r = sig_verify(&sig, &test_key, 1, hash, flipped, MIB, NULL, err, sizeof(err));
	check_err(r && contains(err, "signature does not verify"), "prehashed: flipped file byte",
	          err);
	sig_parse(legacy_sig.data, legacy_sig.len, &sig, err, sizeof(err));
	r = sig_verify(&sig, &test_key, 1, NULL, flipped, MIB, NULL, err, sizeof(err));
	check_err(r && contains(err, "signature does not verify"), "legacy: flipped file byte",
	          err);
	unlink(flipped);
	free(flipped);
	buf_release(&data);
}

static void test_legacy(void)
{
	struct sig_signature sig;
	struct buf data = BUF_INIT;
	char err[512] = "", *missing;
	size_t which = 99;
	int r;

	load(hello_path, &data);
	r = sig_parse(legacy_sig.data, legacy_sig.len, &sig, err, sizeof(err));
	OK(r == 0 && !memcmp(sig.alg, "Ed", 2), "legacy signature parses as \"Ed\"");
	r = sig_verify(&sig, &test_key, 1, NULL, hello_path, MIB, &which, err, sizeof(err));
	check_err(r == 0 && which == 0 && !strcmp(sig.trusted_comment, "roleboot legacy fixture"),
	          "legacy good", err);
	r = sig_verify(&sig, &test_key, 1, hello_hash, hello_path, data.len, NULL, err,
	               sizeof(err));
	check_err(r == 0, "legacy: file exactly at the size cap", err);
	r = sig_verify(&sig, &test_key, 1, NULL, hello_path, data.len - 1, NULL, err, sizeof(err));
	check_err(r && contains(err, "larger than") && contains(err, "legacy"),
	          "legacy: file over the size cap", err);
	r = sig_verify(&sig, &test_key, 1, NULL, NULL, MIB, NULL, err, sizeof(err));
	check_err(r && contains(err, "no file to read"), "legacy: no path", err);
	missing = data_path("no-such-file");
	r = sig_verify(&sig, &test_key, 1, NULL, missing, MIB, NULL, err, sizeof(err));
	check_err(r && contains(err, "no-such-file: cannot open: No such file"),
	          "legacy: missing file", err);
	free(missing);
	buf_release(&data);
}

/* Other signatures straight from stock minisign: default and longest comments. */
static void test_stock_fixtures(void)
{
	struct buf text = BUF_INIT, want = BUF_INIT;
	struct sig_signature sig;
	char err[512] = "", *p;
	int r, i;

	p = data_path("hello.txt.default.minisig");
	load(p, &text);
	free(p);
	r = sig_parse(text.data, text.len, &sig, err, sizeof(err));
	if (!r)
		r = sig_verify(&sig, &test_key, 1, hello_hash, NULL, 0, NULL, err, sizeof(err));
	check_err(r == 0 && !strncmp(sig.trusted_comment, "timestamp:", 10) &&
	                  contains(sig.trusted_comment, "\tfile:hello.txt\thashed"),
	          "stock default trusted comment (tab-separated) verifies", err);

	p = data_path("hello.txt.long.minisig");
	load(p, &text);
	free(p);
	for (i = 0; i < SIG_COMMENT_MAX / 2; i++)
		buf_puts(&want, "\xc3\xa9");
	r = sig_parse(text.data, text.len, &sig, err, sizeof(err));
	if (!r)
		r = sig_verify(&sig, &test_key, 1, hello_hash, NULL, 0, NULL, err, sizeof(err));
	check_err(r == 0 && !strcmp(sig.trusted_comment, want.data),
	          "stock signature with a 1024-byte UTF-8 trusted comment verifies", err);
	buf_release(&text);
	buf_release(&want);
}

static void test_nul_in_comment(void)
{
	struct buf text = BUF_INIT;
	struct sig_signature sig;
	char err[512] = "";
	char *cut = strstr(good_sig.data, "fixture");
	int r;

	buf_add(&text, good_sig.data, (size_t)(cut - good_sig.data));
	buf_add(&text, "\0", 1);
	buf_puts(&text, cut);
	r = sig_parse(text.data, text.len, &sig, err, sizeof(err));
	check_err(r && contains(err, "control character 0x00"), "NUL in trusted comment", err);
	r = sig_parse(NULL, 0, &sig, err, sizeof(err));
	check_err(r && contains(err, "missing line 1"), "NULL text", err);
	buf_release(&text);
}

/* ---- public keys ---- */

static const char test_b64[] = "RWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS/m";

static const struct {
	const char *name;
	const char *text;
	const char *want; /* key id, or substring of err */
	int ok;
} key_cases[] = {
        {"bare line", test_b64, "B7A536DEFD94A5F0", 1},
        {"bare line, newline", "RWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS/m\n",
         "B7A536DEFD94A5F0", 1},
        {"bare line, blanks around",
         " \t\n  RWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS/m \r\n\n",
         "B7A536DEFD94A5F0", 1},
        {".pub text, crlf",
         "untrusted comment: minisign public key B7A536DEFD94A5F0\r\n"
         "RWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS/m\r\n",
         "B7A536DEFD94A5F0", 1},
        {"other .pub text",
         "untrusted comment: x\nRWQKw65aaaCkn19dRWbVvI5aYqDjqNaz17s4G3Rr9VD1rabGs5B1gqDC",
         "9FA4A0695AAEC30A", 1},
        {"empty", "", "public key: empty", 0},
        {"blanks only", " \n\t ", "public key: empty", 0},
        {"comment only", "untrusted comment: minisign public key X\n",
         "public key: comment line without a key line", 0},
        {"comment and blank line", "untrusted comment: k\n \n", "comment line without a key line",
         0},
        {"line after the key",
         "untrusted comment: k\nRWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS/m\nmore\n",
         "public key: unexpected text after the key line", 0},
        {"two bare lines", "RWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS/m\nRWTw",
         "unexpected text after the key line", 0},
        {"four chars short", "RWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zc",
         "public key: decodes to 39 bytes, expected 42", 0},
        {"padded long", "RWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS/mQQ==",
         "decodes to 43 bytes, expected 42", 0},
        {"extra pad block", "RWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS/m====",
         "bad character at column 57", 0},
        {"not a multiple of 4", "RWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS/",
         "55 characters, not a multiple of 4", 0},
        {"bad character", "RWTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS-m",
         "public key: not valid base64 (bad character at column 55)", 0},
        {"space inside", "RWTwpZT93jaltyMYtvjKy67nmeV2 e7NjJIb5fWnTWYQa5K5n9zcxS/m",
         "bad character at column 29", 0},
        {"algorithm ED", "RUTwpZT93jaltyMYtvjKy67nmeV2Pe7NjJIb5fWnTWYQa5K5n9zcxS/m",
         "public key: unknown algorithm \"ED\" (expected \"Ed\")", 0},
        {"a signature is not a key",
         "untrusted comment: signature\n"
         "RUTwpZT93jalt9HS+wthTBHY/vqdHC78KRNzoqS4i5jaZZmfY84hM+hF0jj/"
         "k4NaPK5kNQfswCF+Bga5T1RnLrCVid1Q"
         "kJo8pQ8=\n",
         "decodes to 74 bytes, expected 42", 0},
};

static void run_key_cases(void)
{
	struct sig_pubkey key;
	char err[512], id[17], what[256];
	size_t i;

	for (i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
		int r;

		strcpy(err, "");
		strcpy(id, "");
		r = sig_pubkey_parse(key_cases[i].text, strlen(key_cases[i].text), &key, err,
		                     sizeof(err));
		if (r == 0)
			sig_keyid_str(key.keyid, id);
		snprintf(what, sizeof(what), "key case: %s", key_cases[i].name);
		if (key_cases[i].ok)
			check_err(r == 0 && !strcmp(id, key_cases[i].want) &&
			                  !memcmp(key.pk, id[0] == 'B' ? test_key.pk : other_key.pk,
			                          32),
			          what, err);
		else
			check_err(r == -1 && contains(err, key_cases[i].want), what, err);
	}
}

/* The id sig_keyid_str prints is the one minisign wrote into the .pub comment. */
static void test_keyid_matches_pub(const char *name, const struct sig_pubkey *key)
{
	struct buf b = BUF_INIT;
	char id[17], what[128], *path = key_path(name);
	const char *nl;

	load(path, &b);
	nl = strchr(b.data, '\n');
	sig_keyid_str(key->keyid, id);
	snprintf(what, sizeof(what), "%s: key id %s is the one in its comment line", name, id);
	OK(nl && nl - b.data >= 16 && !strncmp(nl - 16, id, 16), what);
	free(path);
	buf_release(&b);
}

static void test_blake2b(void)
{
	static const char want[] =
	        "ef59b7c5f5b99c3ae15ce941f29466f071402b278d8b562cc7bc56ea65e5195d"
	        "028d5bd7d83b77a6022af677c18c8fcd9e26bb733fd2a75ec9271e3a970bf166";
	unsigned char h[64];
	char hex[129], err[512] = "", *missing = data_path("no-such-file");
	int r;

	hex_encode(hello_hash, 64, hex);
	OK(!strcmp(hex, want), "blake2b-512 of hello.txt matches openssl dgst -blake2b512");
	r = sig_blake2b_file(missing, h, err, sizeof(err));
	check_err(r && contains(err, "no-such-file: cannot open: No such file"),
	          "blake2b of a missing file", err);
	r = sig_blake2b_file(tmpdir, h, err, sizeof(err));
	check_err(r && contains(err, "cannot read"), "blake2b of a directory", err);
	free(missing);
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	setup();
	snprintf(tmpdir, sizeof(tmpdir), "%s/t_sig.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		return printf("Bail out! cannot make %s\n", tmpdir), 1;
	run_sig_cases();
	test_struct_tampering();
	test_wrong_key();
	test_file_tampering();
	test_legacy();
	test_stock_fixtures();
	test_nul_in_comment();
	run_key_cases();
	test_keyid_matches_pub("test.pub", &test_key);
	test_keyid_matches_pub("other.pub", &other_key);
	test_blake2b();
	rmdir(tmpdir);
	free(hello_path);
	buf_release(&good_sig);
	buf_release(&legacy_sig);
	buf_release(&other_sig);
	return unit_done();
}
