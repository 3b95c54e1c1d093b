/*
 * t_state.c — ROOT/var/lib/roleboot/state: state_format written, then state_load round
 * trip under a temporary root whose path holds spaces, the text written,
 * a missing state, malformed lines (numbered as an editor numbers them,
 * blank lines included), NUL bytes, a state without a bundle line,
 * state_describe (text and JSON), and a state written before the bundle's
 * digest became BLAKE2b-512.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "rootfs.h"
#include "state.h"
#include "capture.h"
#include "unit.h"
#include "util.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define SHA_C "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_BUNDLE "5d41402abc4b2a76b9719d911017c592ae0f5d41402abc4b2a76b9719d911017"
#define B2_BUNDLE \
	"a71079d42853dea26e453004338670a53814b78137ffbed07603a41d76a483aa" \
	"9bc33b582f77d30a65e6f29a896c0411f38312e1d66e0bf16386c86a89bea572"
#define KEYID "e7620f1842b4e81f"
#define WHEN 1700000000 /* 2023-11-14T22:13:20Z */

static char tmpdir[] = "/tmp/t state.XXXXXX";

static int load(const char *root, struct state *st)
{
	int ret;

	capture_begin();
	ret = state_load(root, st);
	capture_end();
	return ret;
}

/* The state written under root as apply's transaction writes it: its text
 * (state_format) put in place with rootfs_write. */
static int save(const char *root, const struct state *st)
{
	struct rootfs r;
	struct buf b = BUF_INIT;
	int ret;

	capture_begin();
	rootfs_init(&r, root);
	state_format(st, &b);
	ret = rootfs_open(&r, 1) < 0 ? -1 : rootfs_write(&r, STATE_PATH, b.data, b.len, 0644);
	if (ret < 0)
		rootfs_fail(&r, STATE_PATH, "cannot write");
	buf_release(&b);
	rootfs_release(&r);
	capture_end();
	return ret;
}

/* Write text as ROOT's state file, making its folders. */
static void put_state(const char *root, const char *text)
{
	char *dir = xasprintf("%s/var/lib/roleboot", root), *p;
	char *path = xasprintf("%s/state", dir);
	FILE *f;

	for (p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	mkdir(dir, 0755);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	free(dir);
	free(path);
}

/* Write len bytes of text (it may hold NUL bytes) as ROOT's state file. */
static void put_state_len(const char *root, const char *text, size_t len)
{
	char *path = xasprintf("%s/var/lib/roleboot/state", root);
	FILE *f;

	put_state(root, "");
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	free(path);
}

static void fill(struct state *st)
{
	memset(st, 0, sizeof(*st));
	st->present = 1;
	st->role = xstrdup("dns-internal");
	st->bundle = xstrdup("https://boot.example.net/b/dns internal 7.tar.gz");
	st->version = 7;
	snprintf(st->blake2b, sizeof(st->blake2b), "%s", B2_BUNDLE);
	snprintf(st->keyid, sizeof(st->keyid), "%s", KEYID);
	st->time = WHEN;
	state_add_file(st, "/etc/bind/named.conf", SHA_A, 0640, "root", "bind");
	state_add_file(st, "/etc/with space/a  b.conf", SHA_B, 0644, "root", "root");
	state_add_file(st, "/opt/bin/tool", SHA_C, 04755, "1000", "100");
}

static void round_trip(const char *root)
{
	const char *expect_text = "role dns-internal\n"
	                          "version 7\n"
	                          "bundle https://boot.example.net/b/dns internal 7.tar.gz\n"
	                          "blake2b " B2_BUNDLE "\n"
	                          "key " KEYID "\n"
	                          "time 1700000000\n"
	                          "file " SHA_A " 0640 root bind /etc/bind/named.conf\n"
	                          "file " SHA_B " 0644 root root /etc/with space/a  b.conf\n"
	                          "file " SHA_C " 4755 1000 100 /opt/bin/tool\n";
	struct state st, back;
	struct buf text = BUF_INIT;
	struct stat sb;
	char *path = xasprintf("%s%s", root, STATE_PATH);
	int ret;

	fill(&st);
	ret = save(root, &st);
	check_msg(ret == 0, "state written under a root with spaces");
	OK(stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 07777) == 0644,
	   "state file written with mode 0644");
	if (read_file(path, 1 << 20, &text) == 0)
		STREQ(text.data, expect_text, "state file text, line by line");
	else
		OK(0, "state file readable");
	buf_release(&text);

	ret = load(root, &back);
	check_msg(ret == 0, "state_load reads it back");
	if (!ret) {
		OK(back.present == 1, "present = 1");
		STREQ(back.role, st.role, "role round-trips");
		STREQ(back.bundle, st.bundle, "bundle URL with spaces round-trips");
		OK(back.version == 7, "version round-trips");
		STREQ(back.blake2b, B2_BUNDLE, "the bundle's blake2b round-trips");
		OK(back.sha256[0] == '\0', "no sha256 recorded for the bundle");
		STREQ(back.keyid, KEYID, "key id round-trips");
		OK(back.time == (time_t)WHEN, "time round-trips");
		OK(back.n == 3, "three files");
		if (back.n == 3) {
			STREQ(back.files[0].path, "/etc/bind/named.conf", "file 1 path");
			STREQ(back.files[0].sha256, SHA_A, "file 1 sha256");
			OK(back.files[0].mode == 0640, "file 1 mode 0640");
			STREQ(back.files[0].owner, "root", "file 1 owner");
			STREQ(back.files[0].group, "bind", "file 1 group");
			STREQ(back.files[1].path, "/etc/with space/a  b.conf",
			      "file 2 path with spaces");
			OK(back.files[1].mode == 0644, "file 2 mode");
			STREQ(back.files[2].path, "/opt/bin/tool", "file 3 path");
			OK(back.files[2].mode == 04755, "file 3 setuid mode 04755");
			STREQ(back.files[2].owner, "1000", "file 3 numeric owner");
			STREQ(back.files[2].group, "100", "file 3 numeric group");
		}
		state_release(&back);
	}

	/* save over an existing state: replaced, not appended */
	st.version = 8;
	ret = save(root, &st);
	check_msg(ret == 0, "second write replaces the file");
	ret = load(root, &back);
	OK(ret == 0 && back.version == 8 && back.n == 3, "reloaded: version 8, still three files");
	if (!ret)
		state_release(&back);
	state_release(&st);
	OK(st.role == NULL && st.files == NULL && st.n == 0, "state_release clears the struct");

	/* no files at all */
	memset(&st, 0, sizeof(st));
	st.role = xstrdup("r");
	st.bundle = xstrdup("file:///b.tar.gz");
	st.version = 0;
	ret = save(root, &st);
	check_msg(ret == 0, "state without files saved");
	ret = load(root, &back);
	OK(ret == 0 && back.present && back.n == 0 && back.files == NULL && back.version == 0 &&
	           back.blake2b[0] == '\0' && back.sha256[0] == '\0',
	   "state without files (and empty hash/key) loads");
	if (!ret)
		state_release(&back);
	state_release(&st);
	free(path);
}

static void missing(const char *base)
{
	struct state st;
	char *root = xasprintf("%s/empty root", base);
	char *nowhere = xasprintf("%s/no such root", base);
	int ret;

	mkdir(root, 0755);
	memset(&st, 0x5a, sizeof(st));
	ret = load(root, &st);
	check_msg(ret == 0 && st.present == 0 && st.role == NULL && st.n == 0,
	          "missing state file: 0 with present = 0");
	OK(errtext[0] == '\0', "missing state file: nothing printed");
	state_release(&st);
	ret = load(nowhere, &st);
	check_msg(ret == 0 && st.present == 0, "missing root folder: present = 0");
	state_release(&st);
	free(root);
	free(nowhere);
}

struct bad {
	const char *text;
	const char *msg; /* after "STATEPATH" */
	const char *what;
};

static const struct bad bads[] = {
        {"role x\ngarbage\n", ":2: malformed state line", "a line without a space"},
        {"role x\nversion 1\nfile abc\n", ":3: malformed state line", "a file line with one field"},
        {"role x\nfile " SHA_A " 0644 root\n", ":2: malformed state line",
         "a file line without a group and path"},
        {"role x\nfile " SHA_A " 0644 root root\n", ":2: malformed state line",
         "a file line without a path"},
        {"role x\nfile " SHA_A " 0644 root root etc/x\n", ":2: malformed state line",
         "a file line with a relative path"},
        {"role x\nfile " SHA_A " rw root root /etc/x\n", ":2: malformed state line",
         "a file line with a non-octal mode"},
        {"role x\nversion seven\n", ":2: malformed state line", "a version that is not a number"},
        {"role x\nversion 7x\n", ":2: malformed state line", "a version with trailing junk"},
        {"role x\ntime soon\n", ":2: malformed state line", "a time that is not a number"},
        {"version 7\nbundle b\n", ": no role recorded", "no role line"},
        {"", ": no role recorded", "an empty state file"},
};

/* Malformed lines after blank lines: the number is the line's own. */
static const struct bad drift[] = {
        {"role x\n\nversion 1\nfile abc\n", ":4: malformed state line",
         "a bad line after a blank line"},
        {"\n\n\nrole x\ngarbage\n", ":5: malformed state line",
         "a bad line after three leading blank lines"},
        {"role x\nversion 1\n\n\n\n\n\ntime soon\n", ":8: malformed state line",
         "a bad time after a run of blank lines"},
};

static void malformed(const char *base)
{
	char *root = xasprintf("%s/bad root", base);
	char *path = xasprintf("%s%s", root, STATE_PATH);
	char what[256], expect[1024];
	struct state st;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		put_state(root, bads[i].text);
		memset(&st, 0x5a, sizeof(st));
		ret = load(root, &st);
		snprintf(expect, sizeof(expect), "%s%s", path, bads[i].msg);
		snprintf(what, sizeof(what), "refused: %s", bads[i].what);
		check_msg(ret == -1 && contains(errtext, expect), what);
		if (ret == 0) {
			state_release(&st);
			continue;
		}
		snprintf(what, sizeof(what), "left empty: %s", bads[i].what);
		OK(st.role == NULL && st.files == NULL && st.present == 0, what);
	}

	/* Every line counts, blank ones too: the message names the line as an
	 * editor numbers it, and says it once. */
	for (i = 0; i < sizeof(drift) / sizeof(drift[0]); i++) {
		put_state(root, drift[i].text);
		ret = load(root, &st);
		snprintf(expect, sizeof(expect), "roleboot: error: %s%s\n", path, drift[i].msg);
		snprintf(what, sizeof(what), "line number right: %s", drift[i].what);
		check_msg(ret == -1 && !strcmp(errtext, expect), what);
		if (ret == 0)
			state_release(&st);
	}

	/* a NUL byte is refused at its line, not taken for the end of the file
	 * (the lines after it went unread) */
	{
		static const char nul[] = "role x\nversion 1\n\n\0\ngarbage\n";

		put_state_len(root, nul, sizeof(nul) - 1);
	}
	ret = load(root, &st);
	snprintf(expect, sizeof(expect), "roleboot: error: %s:4: NUL byte in the state\n", path);
	check_msg(ret == -1 && !strcmp(errtext, expect), "a NUL byte refused at its line");
	if (ret == 0)
		state_release(&st);

	/* state_parse names the text as told, and reads text that is not
	 * NUL-terminated (here cut before "garbage") */
	capture_begin();
	ret = state_parse("mem", "role x\n\nvar =1\nversion 1\ngarbage", 29, &st);
	capture_end();
	check_msg(ret == -1 && !strcmp(errtext, "roleboot: error: mem:3: malformed state line\n"),
	          "state_parse: the line number in the given name");
	capture_begin();
	ret = state_parse("mem", "role x\nversion 1\ngarbage", 17, &st);
	capture_end();
	check_msg(ret == 0 && st.present && st.version == 1, "state_parse: only len bytes read");
	if (!ret)
		state_release(&st);

	/* no bundle line: loads with bundle "", and compares without a crash */
	put_state(root, "role x\nversion 3\nrole y\n");
	ret = load(root, &st);
	check_msg(ret == 0 && st.bundle && !strcmp(st.bundle, "") && !strcmp(st.role, "y"),
	          "no bundle line: bundle \"\"; a repeated role line: the last one");
	if (!ret) {
		OK(state_same(&st, &st), "a state without a bundle line compares equal to itself");
		state_release(&st);
	}

	/* unknown keys are left for newer versions; a blank line is harmless */
	put_state(root, "role x\nfuture thing here\n\nversion 3\n");
	ret = load(root, &st);
	check_msg(ret == 0 && st.present && st.version == 3,
	          "unknown keys and blank lines are skipped");
	if (!ret)
		state_release(&st);
	free(root);
	free(path);
}

/* The role's source and the values given on the command line come back
 * as written, in order; a var line without NAME= is refused. */
static void source_and_vars(const char *base)
{
	char *root = xasprintf("%s/src root", base);
	struct state st, back;
	struct buf text = BUF_INIT;
	int ret;

	fill(&st);
	st.source = xstrdup("https://boot.example.net/roles/dns internal.role");
	state_add_var(&st, "listen_port", "5300");
	state_add_var(&st, "forwarders", "192.0.2.7, 192.0.2.8=x");
	state_format(&st, &text);
	OK(contains(text.data,
	            "time 1700000000\nsource https://boot.example.net/roles/dns internal.role\n"
	            "var listen_port=5300\nvar forwarders=192.0.2.7, 192.0.2.8=x\nfile "),
	   "source and var lines follow time, before the files");
	ret = save(root, &st);
	check_msg(ret == 0, "state with source and vars saved");
	ret = load(root, &back);
	check_msg(ret == 0, "state with source and vars loaded");
	if (!ret) {
		STREQ(back.source, st.source, "source read back");
		OK(back.nvars == 2 && !strcmp(back.vars[1].name, "forwarders") &&
		           !strcmp(back.vars[1].value, "192.0.2.7, 192.0.2.8=x"),
		   "vars read back: split at the first '='");
		OK(state_same(&st, &back), "the same state compares equal");
		free(back.vars[0].value);
		back.vars[0].value = xstrdup("5301");
		OK(!state_same(&st, &back), "a changed value is a different state");
		state_release(&back);
	}
	put_state(root, "role x\nversion 3\nvar =1\n");
	ret = load(root, &back);
	check_msg(ret == -1 && contains(errtext, "malformed state line"),
	          "var without a name refused");
	buf_release(&text);
	state_release(&st);
	free(root);
}

/* A state written before blake2b: "sha256 HEX" for the bundle.  It loads,
 * shows that hash, compares equal to itself, and differs from the state an
 * apply now writes (which records blake2b), so that the next apply
 * rewrites it; its file lines (drift detection) are read as before. */
static void older_state(const char *base)
{
	char *root = xasprintf("%s/old root", base);
	struct state old, now;
	struct buf out = BUF_INIT;
	int ret;

	put_state(root, "role dns-internal\nversion 7\n"
	                "bundle https://boot.example.net/b/dns internal 7.tar.gz\n"
	                "sha256 " SHA_BUNDLE "\nkey " KEYID "\ntime 1700000000\n"
	                "file " SHA_A " 0640 root bind /etc/bind/named.conf\n"
	                "file " SHA_B " 0644 root root /etc/with space/a  b.conf\n"
	                "file " SHA_C " 4755 1000 100 /opt/bin/tool\n");
	ret = load(root, &old);
	check_msg(ret == 0 && old.present, "older state with sha256 loads");
	if (ret) {
		free(root);
		return;
	}
	STREQ(old.sha256, SHA_BUNDLE, "older state: the bundle's sha256 is kept");
	OK(old.blake2b[0] == '\0', "older state: no blake2b");
	OK(old.n == 3 && !strcmp(old.files[1].sha256, SHA_B) &&
	           !strcmp(old.files[1].path, "/etc/with space/a  b.conf"),
	   "older state: file lines and their hashes read as before");
	OK(state_same(&old, &old), "older state compares equal to itself");
	fill(&now);
	OK(!state_same(&now, &old) && !state_same(&old, &now),
	   "a state with blake2b differs from the older one (the state is rewritten once)");
	state_describe(&old, 0, &out);
	OK(contains(out.data, "sha256:  " SHA_BUNDLE "\n") && !contains(out.data, "blake2b"),
	   "older state: text shows its sha256, no blake2b line");
	buf_reset(&out);
	state_describe(&old, 1, &out);
	OK(contains(out.data, "\"blake2b\":null,\"sha256\":\"" SHA_BUNDLE "\",\"key\":"),
	   "older state: JSON has blake2b null and its sha256");
	buf_reset(&out);
	state_format(&old, &out);
	OK(contains(out.data, "blake2b \nsha256 " SHA_BUNDLE "\nkey "),
	   "older state written back keeps its sha256");
	buf_release(&out);
	state_release(&now);
	state_release(&old);
	free(root);
}

static void save_fails(const char *base)
{
	struct state st;
	char *file = xasprintf("%s/plain file", base);
	FILE *f = fopen(file, "w");
	int ret;

	if (f)
		fclose(f);
	memset(&st, 0, sizeof(st));
	st.role = xstrdup("r");
	st.bundle = xstrdup("b");
	ret = save(file, &st); /* the root is a regular file */
	check_msg(ret == -1 && errtext[0],
	          "a state write under a root that is a file fails with a message");
	state_release(&st);
	free(file);
}

static void describe(void)
{
	const char *expect_json =
	        "{\"applied\":true,\"role\":\"dns-internal\",\"version\":7,\"source\":null,"
	        "\"bundle\":\"https://boot.example.net/b/dns internal 7.tar.gz\","
	        "\"blake2b\":\"" B2_BUNDLE "\",\"key\":\"" KEYID
	        "\",\"time\":\"2023-11-14T22:13:20Z\","
	        "\"files\":[{\"path\":\"/etc/bind/named.conf\",\"sha256\":\"" SHA_A
	        "\",\"mode\":\"0640\","
	        "\"owner\":\"root\",\"group\":\"bind\"},"
	        "{\"path\":\"/etc/with space/a  b.conf\",\"sha256\":\"" SHA_B
	        "\",\"mode\":\"0644\","
	        "\"owner\":\"root\",\"group\":\"root\"},"
	        "{\"path\":\"/opt/bin/tool\",\"sha256\":\"" SHA_C "\",\"mode\":\"4755\","
	        "\"owner\":\"1000\",\"group\":\"100\"}]}\n";
	static const char *const text_parts[] = {
	        "role:    dns-internal\n",
	        "version: 7\n",
	        "bundle:  https://boot.example.net/b/dns internal 7.tar.gz\n",
	        "blake2b: " B2_BUNDLE "\n",
	        "key:     " KEYID "\n",
	        "applied: 2023-11-14T22:13:20Z\n",
	        "files:   3\n",
	        "  0640 root:bind /etc/bind/named.conf\n",
	        "  0644 root:root /etc/with space/a  b.conf\n",
	        "  4755 1000:100 /opt/bin/tool\n",
	};
	struct state st, none;
	struct buf out = BUF_INIT;
	char what[256];
	size_t i;

	fill(&st);
	state_describe(&st, 0, &out);
	for (i = 0; i < sizeof(text_parts) / sizeof(text_parts[0]); i++) {
		snprintf(what, sizeof(what), "text describes: %.*s",
		         (int)strcspn(text_parts[i], "\n"), text_parts[i]);
		OK(contains(out.data, text_parts[i]), what);
	}
	OK(!contains(out.data, "sha256"), "text: no sha256 line when none is recorded");
	buf_reset(&out);
	state_describe(&st, 1, &out);
	STREQ(out.data, expect_json, "JSON describes every field");

	/* JSON escapes what a path or name may hold */
	state_release(&st);
	memset(&st, 0, sizeof(st));
	st.present = 1;
	st.role = xstrdup("r\"q");
	st.bundle = xstrdup("b\\s");
	st.time = 0;
	state_add_file(&st, "/etc/a\"b\tc", SHA_A, 0600, "o", "g");
	buf_reset(&out);
	state_describe(&st, 1, &out);
	OK(contains(out.data, "\"role\":\"r\\\"q\"") && contains(out.data, "\"bundle\":\"b\\\\s\""),
	   "JSON escapes quotes and backslashes");
	OK(contains(out.data, "\"path\":\"/etc/a\\\"b\\tc\""),
	   "JSON escapes a quote and a tab in a path");
	OK(contains(out.data, "\"time\":\"1970-01-01T00:00:00Z\""), "time 0 is the epoch");
	state_release(&st);

	memset(&none, 0, sizeof(none));
	buf_reset(&out);
	state_describe(&none, 0, &out);
	STREQ(out.data, "nothing applied\n", "text of an empty state");
	buf_reset(&out);
	state_describe(&none, 1, &out);
	STREQ(out.data, "{\"applied\":false}\n", "JSON of an empty state");

	/* describe appends */
	buf_reset(&out);
	buf_puts(&out, "> ");
	state_describe(&none, 0, &out);
	STREQ(out.data, "> nothing applied\n", "state_describe appends to the buffer");
	buf_release(&out);
}

int main(void)
{
	char *root;

	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	root = xasprintf("%s/target root", tmpdir);
	round_trip(root);
	missing(tmpdir);
	malformed(tmpdir);
	source_and_vars(tmpdir);
	older_state(tmpdir);
	save_fails(tmpdir);
	describe();
	free(root);
	remove_tree(tmpdir);
	return unit_done();
}
