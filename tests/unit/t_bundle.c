/*
 * t_bundle.c — bundle_read() policy and bundle_pack() reproducibility.
 * Archives are written here with libarchive (hostile ones too) or, where
 * libarchive's writer would not lie, byte by byte; all under a mkdtemp folder.
 */
#include "bundle.h"
#include "unit.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *tmp_root;

static char *tpath(const char *name)
{
	return xasprintf("%s/%s", tmp_root, name);
}

/* One entry to write; zero fields mean: regular file, 0644, no data. */
struct ent {
	const char *name;
	unsigned type;
	const char *data;
	size_t len; /* 0: strlen(data) */
	unsigned perm;
	const char *hardlink;
	const char *symlink;
};

static int add_filter(struct archive *a, char filter)
{
	switch (filter) {
	case 'z':
		return archive_write_add_filter_gzip(a);
	case 'j':
		return archive_write_add_filter_bzip2(a);
	case 'J':
		return archive_write_add_filter_xz(a);
	case 's':
		return archive_write_add_filter_zstd(a);
	default:
		return archive_write_add_filter_none(a);
	}
}

static int write_entry(struct archive *a, const struct ent *x)
{
	struct archive_entry *e = archive_entry_new();
	size_t len = x->data ? (x->len ? x->len : strlen(x->data)) : 0;
	int ret = -1;

	archive_entry_set_pathname(e, x->name);
	archive_entry_set_filetype(e, x->type ? x->type : AE_IFREG);
	archive_entry_set_perm(e, x->perm ? x->perm : 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	if (x->hardlink)
		archive_entry_set_hardlink(e, x->hardlink);
	if (x->symlink)
		archive_entry_set_symlink(e, x->symlink);
	if (archive_write_header(a, e) < ARCHIVE_WARN)
		goto out;
	if (len && archive_write_data(a, x->data, len) != (la_ssize_t)len)
		goto out;
	ret = 0;
out:
	archive_entry_free(e);
	return ret;
}

/* Writes a pax tar, compressed by filter ('z' gzip, 'j' bzip2, 'J' xz,
 * 's' zstd, else none). */
static int write_archive(const char *path, char filter, const struct ent *ents, size_t n)
{
	struct archive *a = archive_write_new();
	size_t i;
	int ret = -1;

	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    add_filter(a, filter) != ARCHIVE_OK ||
	    archive_write_open_filename(a, path) != ARCHIVE_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (write_entry(a, &ents[i]) < 0)
			goto out;
	if (archive_write_close(a) != ARCHIVE_OK)
		goto out;
	ret = 0;
out:
	if (ret)
		printf("# write_archive %s: %s\n", path, archive_error_string(a));
	archive_write_free(a);
	return ret;
}

static int write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ret;

	if (!f)
		return -1;
	ret = fwrite(data, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		ret = -1;
	return ret;
}

/* Deterministic bytes that gzip cannot shrink much. */
static void noise(unsigned char *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

static void check_refused(const char *file, const struct bundle_limits *lim, const char *want,
                          int prefix, const char *what, int line)
{
	struct bundle b = {(struct bundle_entry *)&b, 99};
	char err[512] = "";
	int rc = bundle_read(file, lim, &b, err, sizeof(err));
	int match = prefix ? !strncmp(err, want, strlen(want)) : !strcmp(err, want);

	if (!unit_ok(rc == -1 && match && !b.entries && !b.n && !strchr(err, '\n'), what, __FILE__,
	             line))
		printf("# rc=%d\n# got  '%s'\n# want '%s'%s\n", rc, err, want, prefix ? "..." : "");
	else if (prefix)
		printf("# %s\n", err);
}

#define REFUSED(file, lim, want, what) check_refused(file, lim, want, 0, what, __LINE__)
#define REFUSED_PREFIX(file, lim, want, what) check_refused(file, lim, want, 1, what, __LINE__)

/* ---- good archives ---- */

static const char binary[] = {'a', 0, 'b', 0, (char)0xff};

static const struct ent good_ents[] = {
        {.name = ".", .type = AE_IFDIR, .perm = 0755},
        {.name = "etc", .type = AE_IFDIR, .perm = 0755},
        {.name = "etc/a.conf", .data = "key = value\n"},
        {.name = "./bin/run", .data = "#!/bin/sh\n", .perm = 0755},
        {.name = "empty"},
        {.name = "bin.dat", .data = binary, .len = sizeof(binary)},
};

static int good_contents(const struct bundle *b)
{
	const struct bundle_entry *e = bundle_find(b, "bin.dat");

	return b->n == 4 && !strcmp(b->entries[0].name, "etc/a.conf") &&
	       !strcmp(b->entries[1].name, "bin/run") && !strcmp(b->entries[2].name, "empty") &&
	       !strcmp(b->entries[3].name, "bin.dat") && b->entries[0].len == 12 &&
	       !strcmp((char *)b->entries[0].data, "key = value\n") && b->entries[0].mode == 0644 &&
	       b->entries[1].mode == 0755 && b->entries[2].len == 0 && b->entries[2].data &&
	       b->entries[2].data[0] == 0 && e && e->len == sizeof(binary) &&
	       !memcmp(e->data, binary, sizeof(binary)) && e->data[e->len] == 0 &&
	       !bundle_find(b, "etc") && !bundle_find(b, "./bin/run") && !bundle_find(b, "nope");
}

static void test_good(char filter, const char *label)
{
	char *path = tpath("good.tar"), what[128], err[512] = "";
	struct bundle b = {NULL, 0};
	int rc;

	if (write_archive(path, filter, good_ents, sizeof(good_ents) / sizeof(good_ents[0])) < 0) {
		snprintf(what, sizeof(what), "%s: cannot write this compression here", label);
		SKIP(what);
		goto out;
	}
	rc = bundle_read(path, NULL, &b, err, sizeof(err));
	snprintf(what, sizeof(what), "%s: good archive loads with its contents", label);
	if (!OK(rc == 0 && good_contents(&b), what))
		printf("# rc=%d err=%s n=%zu\n", rc, err, b.n);
	bundle_release(&b);
	bundle_release(&b);
	snprintf(what, sizeof(what), "%s: release leaves an empty bundle", label);
	OK(!b.entries && !b.n, what);
out:
	unlink(path);
	free(path);
}

static void test_memory(void)
{
	char *path = tpath("mem.tar.gz"), err[512] = "";
	struct buf raw = BUF_INIT;
	struct bundle b = {NULL, 0};
	int rc = -1;

	if (write_archive(path, 'z', good_ents, sizeof(good_ents) / sizeof(good_ents[0])) == 0 &&
	    read_file(path, 1u << 20, &raw) == 0)
		rc = bundle_read_memory(raw.data, raw.len, NULL, &b, err, sizeof(err));
	OK(rc == 0 && good_contents(&b), "bundle_read_memory loads the same archive");
	bundle_release(&b);
	rc = bundle_read_memory(raw.data, raw.len / 2, NULL, &b, err, sizeof(err));
	OK(rc == -1 && !strncmp(err, "bundle: truncated or corrupt archive: ", 38) && !b.n,
	   "bundle_read_memory refuses half of it");
	buf_release(&raw);
	unlink(path);
	free(path);
}

/* ---- hostile entries ---- */

struct hostile {
	const char *what;
	struct ent ents[3];
	const char *want;
};

static const struct hostile hostile_cases[] = {
        {"symbolic link",
         {{.name = "link", .type = AE_IFLNK, .symlink = "/etc/shadow"}},
         "bundle entry 'link': symbolic links are not allowed"},
        {"hard link",
         {{.name = "a", .data = "x"}, {.name = "hard", .hardlink = "a"}},
         "bundle entry 'hard': hard links are not allowed"},
        {"hard link to an earlier good name",
         {{.name = "a", .data = "x"}, {.name = "a", .hardlink = "a"}},
         "bundle entry 'a': hard links are not allowed"},
        {"character device",
         {{.name = "dev/tty", .type = AE_IFCHR}},
         "bundle entry 'dev/tty': character devices are not allowed"},
        {"block device",
         {{.name = "sda", .type = AE_IFBLK}},
         "bundle entry 'sda': block devices are not allowed"},
        {"fifo",
         {{.name = "pipe", .type = AE_IFIFO}},
         "bundle entry 'pipe': fifos are not allowed"},
        {"absolute name",
         {{.name = "/etc/passwd", .data = "x"}},
         "bundle entry '/etc/passwd': name is absolute"},
        {"leading ..", {{.name = "../x", .data = "x"}}, "bundle entry '../x': name contains '..'"},
        {"inner ..",
         {{.name = "etc/../x", .data = "x"}},
         "bundle entry 'etc/../x': name contains '..'"},
        {"trailing .. on a folder",
         {{.name = "etc/..", .type = AE_IFDIR}},
         "bundle entry 'etc/../': name contains '..'"},
        {"empty component",
         {{.name = "a//b", .data = "x"}},
         "bundle entry 'a//b': name contains an empty component"},
        {"inner . component",
         {{.name = "a/./b", .data = "x"}},
         "bundle entry 'a/./b': name contains a '.' component"},
        {"twice ./",
         {{.name = "././b", .data = "x"}},
         "bundle entry '././b': name contains a '.' component"},
        {"control character",
         {{.name = "a\nb", .data = "x"}},
         "bundle entry 'a\\x0ab': name contains a control character"},
        {"DEL character",
         {{.name = "a\x7f", .data = "x"}},
         "bundle entry 'a\\x7f': name contains a control character"},
        {"duplicate name",
         {{.name = "x", .data = "1"}, {.name = "x", .data = "2"}},
         "bundle entry 'x': duplicate of an earlier entry"},
        {"duplicate after ./ normalisation",
         {{.name = "x", .data = "1"}, {.name = "./x", .data = "2"}},
         "bundle entry './x': duplicate of an earlier entry"},
        {"folder and file of one name",
         {{.name = "d", .type = AE_IFDIR}, {.name = "d", .data = "2"}},
         "bundle entry 'd': duplicate of an earlier entry"},
        {"folder twice",
         {{.name = "d", .type = AE_IFDIR}, {.name = "./d", .type = AE_IFDIR}},
         "bundle entry './d/': duplicate of an earlier entry"},
        {"good entries before a bad one",
         {{.name = "a", .data = "1"},
          {.name = "b", .data = "2"},
          {.name = "c", .type = AE_IFLNK, .symlink = "a"}},
         "bundle entry 'c': symbolic links are not allowed"},
};

static void test_hostile(void)
{
	char *path = tpath("hostile.tar.gz"), what[160];
	const struct hostile *h;
	size_t i, n;

	for (i = 0; i < sizeof(hostile_cases) / sizeof(hostile_cases[0]); i++) {
		h = &hostile_cases[i];
		for (n = 0; n < 3 && h->ents[n].name; n++)
			;
		snprintf(what, sizeof(what), "refused: %s", h->what);
		if (write_archive(path, 'z', h->ents, n) < 0)
			OK(0, what);
		else
			REFUSED(path, NULL, h->want, what);
	}
	unlink(path);
	free(path);
}

static void test_names(void)
{
	char *path = tpath("names.tar.gz"), name[300], want[200], err[512] = "";
	struct ent e = {.name = name, .data = "x"};
	struct bundle b = {NULL, 0};
	int rc;

	memset(name, 'n', 255);
	name[255] = '\0';
	write_archive(path, 'z', &e, 1);
	rc = bundle_read(path, NULL, &b, err, sizeof(err));
	OK(rc == 0 && b.n == 1 && strlen(b.entries[0].name) == 255, "a 255-byte name loads");
	bundle_release(&b);
	name[255] = 'n';
	name[256] = '\0';
	write_archive(path, 'z', &e, 1);
	snprintf(want, sizeof(want), "bundle entry '%.80s...': name is longer than 255 bytes",
	         name);
	REFUSED(path, NULL, want, "a 256-byte name is refused, and cut in the message");
	memcpy(name, "./", 2);
	name[256] = 'n';
	name[257] = '\0';
	write_archive(path, 'z', &e, 1);
	rc = bundle_read(path, NULL, &b, err, sizeof(err));
	OK(rc == 0 && b.n == 1 && strlen(b.entries[0].name) == 255,
	   "the 255-byte limit applies after dropping ./");
	bundle_release(&b);
	unlink(path);
	free(path);
}

/* ---- UTF-8 names ---- */

struct u8case {
	const char *bytes; /* a name holding the sequence under test */
	int valid;
	const char *shown; /* the name as an error shows it (invalid ones) */
	const char *what;
};

static const struct u8case u8_cases[] = {
        {"plain.conf", 1, NULL, "ASCII"},
        {"caf\xc3\xa9.conf", 1, NULL, "2 bytes: U+00E9"},
        {"\xc2\x80", 1, NULL, "2 bytes: U+0080, the smallest"},
        {"euro-\xe2\x82\xac", 1, NULL, "3 bytes: U+20AC"},
        {"\xe0\xa0\x80", 1, NULL, "3 bytes: U+0800, the smallest"},
        {"\xed\x9f\xbf", 1, NULL, "3 bytes: U+D7FF, below the surrogates"},
        {"\xee\x80\x80", 1, NULL, "3 bytes: U+E000, above the surrogates"},
        {"\xef\xbf\xbd", 1, NULL, "3 bytes: U+FFFD"},
        {"clef-\xf0\x9d\x84\x9e", 1, NULL, "4 bytes: U+1D11E"},
        {"\xf0\x90\x80\x80", 1, NULL, "4 bytes: U+10000, the smallest"},
        {"\xf4\x8f\xbf\xbf", 1, NULL, "4 bytes: U+10FFFF, the largest"},
        {"\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87/\xe6\x97\xa5\xe6\x9c\xac", 1, NULL,
         "Cyrillic folder, CJK file"},
        {"a\x80", 0, "a\\x80", "lone continuation byte"},
        {"\xbf", 0, "\\xbf", "continuation byte first"},
        {"a\xc3", 0, "a\\xc3", "truncated 2-byte sequence at the end"},
        {"\xc3x", 0, "\\xc3x", "2-byte lead before ASCII"},
        {"\xe2\x82", 0, "\\xe2\\x82", "truncated 3-byte sequence"},
        {"\xe2\x28\xa1", 0, "\\xe2(\\xa1", "bad second byte of 3"},
        {"\xe2\x82\x28", 0, "\\xe2\\x82(", "bad third byte of 3"},
        {"\xf0\x9d\x84", 0, "\\xf0\\x9d\\x84", "truncated 4-byte sequence"},
        {"\xf0\x9d\x84x", 0, "\\xf0\\x9d\\x84x", "bad fourth byte of 4"},
        {"\xc0\xaf", 0, "\\xc0\\xaf", "overlong 2 bytes: C0 AF"},
        {"\xc1\xbf", 0, "\\xc1\\xbf", "overlong 2 bytes: C1 BF"},
        {"\xe0\x80\xaf", 0, "\\xe0\\x80\\xaf", "overlong 3 bytes: E0 80 AF"},
        {"\xe0\x9f\xbf", 0, "\\xe0\\x9f\\xbf", "overlong 3 bytes: E0 9F BF"},
        {"\xf0\x80\x80\xaf", 0, "\\xf0\\x80\\x80\\xaf", "overlong 4 bytes: F0 80 80 AF"},
        {"\xf0\x8f\xbf\xbf", 0, "\\xf0\\x8f\\xbf\\xbf", "overlong 4 bytes: F0 8F BF BF"},
        {"\xed\xa0\x80", 0, "\\xed\\xa0\\x80", "surrogate ED A0 80 (U+D800)"},
        {"\xed\xbf\xbf", 0, "\\xed\\xbf\\xbf", "surrogate ED BF BF (U+DFFF)"},
        {"\xed\xa0\xbd\xed\xb8\x80", 0, "\\xed\\xa0\\xbd\\xed\\xb8\\x80",
         "surrogate pair (CESU-8)"},
        {"\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80", "above U+10FFFF: F4 90 80 80"},
        {"\xf5\x80\x80\x80", 0, "\\xf5\\x80\\x80\\x80", "above U+10FFFF: F5"},
        {"\xf8\x88\x80\x80\x80", 0, "\\xf8\\x88\\x80\\x80\\x80", "5-byte form: F8"},
        {"\xfe", 0, "\\xfe", "byte FE"},
        {"\xff", 0, "\\xff", "byte FF"},
        {"ok/\xc3\xa9/\xc0\xaf", 0, "ok/\\xc3\\xa9/\\xc0\\xaf",
         "valid characters before an invalid one (all escaped)"},
};

static void test_utf8_valid(void)
{
	char what[160];
	size_t i;

	for (i = 0; i < sizeof(u8_cases) / sizeof(u8_cases[0]); i++) {
		const struct u8case *c = &u8_cases[i];

		snprintf(what, sizeof(what), "utf8_valid: %s: %s", c->what,
		         c->valid ? "valid" : "invalid");
		OK(utf8_valid(c->bytes, strlen(c->bytes)) == c->valid, what);
	}
	OK(utf8_valid("", 0) == 1, "utf8_valid: empty text is valid");
	OK(utf8_valid("a\0b", 3) == 1, "utf8_valid: a NUL byte is valid");
	OK(utf8_valid("\xc3\xa9", 1) == 0, "utf8_valid: the length cuts a sequence: invalid");
	OK(utf8_valid("\xc3\xa9xyz", 2) == 1, "utf8_valid: bytes past the length are not read");
}

/*
 * Every name of the table as an entry of an archive (beside a good entry,
 * so that the bad one is never used): valid names load, invalid ones
 * refuse the bundle with the name escaped.
 */
static void test_utf8_names(void)
{
	char *path = tpath("utf8.tar.gz"), what[160], want[256], err[512] = "";
	struct ent ents[2] = {{.name = "manifest.ini", .data = "[bundle]\n"}, {.data = "x"}};
	struct bundle b = {NULL, 0};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(u8_cases) / sizeof(u8_cases[0]); i++) {
		const struct u8case *c = &u8_cases[i];

		ents[1].name = c->bytes;
		snprintf(what, sizeof(what), "archive name, %s: %s", c->what,
		         c->valid ? "loads" : "refused");
		if (write_archive(path, 'z', ents, 2) < 0) {
			OK(0, what);
			continue;
		}
		if (!c->valid) {
			snprintf(want, sizeof(want), "bundle entry '%s': name is not valid UTF-8",
			         c->shown);
			REFUSED(path, NULL, want, what);
			continue;
		}
		rc = bundle_read(path, NULL, &b, err, sizeof(err));
		if (!OK(rc == 0 && b.n == 2 && bundle_find(&b, c->bytes), what))
			printf("# rc=%d err=%s\n", rc, err);
		bundle_release(&b);
	}
	ents[1].name = "d\xc0\xaf";
	ents[1].type = AE_IFDIR;
	ents[1].data = NULL;
	write_archive(path, 'z', ents, 2);
	REFUSED(path, NULL, "bundle entry 'd\\xc0\\xaf/': name is not valid UTF-8",
	        "archive name: an overlong folder name is refused too");
	unlink(path);
	free(path);
}

static void test_utf8_shown(void)
{
	char *path = tpath("utf8long.tar.gz"), name[300], want[300];
	struct ent e = {.name = name, .data = "x"};
	size_t i;

	/* 79 ASCII bytes, then 100 two-byte characters: byte 80 of the
	 * message, where names are cut, falls inside the first of them */
	memset(name, 'n', 79);
	for (i = 0; i < 100; i++)
		memcpy(name + 79 + 2 * i, "\xc3\xa9", 2);
	name[279] = '\0';
	write_archive(path, 'z', &e, 1);
	snprintf(want, sizeof(want), "bundle entry '%.81s...': name is longer than 255 bytes",
	         name);
	REFUSED(path, NULL, want, "a long valid UTF-8 name is cut after a whole character");
	unlink(path);
	free(path);
}

/* ---- limits ---- */

static void test_limits(void)
{
	static const struct bundle_limits lim = {10, 100, 250};
	char *path = tpath("limits.tar.gz"), big[101], err[512] = "", name[16];
	struct ent ents[1001];
	struct bundle b = {NULL, 0};
	size_t i;
	int rc;

	memset(big, 'b', sizeof(big));
	ents[0] = (struct ent){.name = "big", .data = big, .len = 100};
	write_archive(path, 'z', ents, 1);
	rc = bundle_read(path, &lim, &b, err, sizeof(err));
	OK(rc == 0 && b.n == 1 && b.entries[0].len == 100, "an entry at the size limit loads");
	bundle_release(&b);
	ents[0].len = 101;
	write_archive(path, 'z', ents, 1);
	REFUSED(path, &lim, "bundle entry 'big': size 101 exceeds the limit of 100 bytes",
	        "an entry over the size limit is refused");
	ents[0] = (struct ent){.name = "a", .data = big, .len = 100};
	ents[1] = (struct ent){.name = "b", .data = big, .len = 100};
	ents[2] = (struct ent){.name = "c", .data = big, .len = 100};
	write_archive(path, 'z', ents, 3);
	REFUSED(path, &lim, "bundle entry 'c': total size exceeds the limit of 250 bytes",
	        "the total size limit is enforced");
	for (i = 0; i < 1001; i++) {
		snprintf(name, sizeof(name), "d%zu", i);
		ents[i] = (struct ent){.name = xstrdup(name), .type = i % 2 ? AE_IFDIR : AE_IFREG};
	}
	write_archive(path, 'z', ents, 10);
	rc = bundle_read(path, &lim, &b, err, sizeof(err));
	OK(rc == 0 && b.n == 5, "entries up to the count limit load (folders count)");
	bundle_release(&b);
	write_archive(path, 'z', ents, 11);
	REFUSED(path, &lim, "bundle: more than 10 entries", "one entry over the count limit");
	write_archive(path, 'z', ents, 1000);
	rc = bundle_read(path, NULL, &b, err, sizeof(err));
	OK(rc == 0 && b.n == 500, "1000 entries load with the default limits");
	bundle_release(&b);
	write_archive(path, 'z', ents, 1001);
	REFUSED(path, NULL, "bundle: more than 1000 entries",
	        "1001 entries are refused by default");
	for (i = 0; i < 1001; i++)
		free((char *)ents[i].name);
	unlink(path);
	free(path);
}

/* ---- hand-made tar headers: where libarchive's writer would not lie ---- */

static void octal(unsigned char *field, size_t width, uint64_t v)
{
	snprintf((char *)field, width, "%0*llo", (int)width - 1, (unsigned long long)v);
}

static void raw_header(unsigned char *h, const char *name, char type, uint64_t size)
{
	memset(h, 0, 512);
	memcpy(h, name, strlen(name));
	octal(h + 100, 8, 0644);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, 0);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar  ", 8); /* GNU magic and version */
}

static void raw_checksum(unsigned char *h)
{
	unsigned sum = 0;
	size_t i;

	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* An old GNU sparse entry whose map puts data past its real size. */
static void test_lying_sparse(uint64_t map_offset, const char *what)
{
	unsigned char tar[512 * 4];
	char *path = tpath("sparse.tar");

	memset(tar, 0, sizeof(tar));
	raw_header(tar, "s", 'S', 512);
	octal(tar + 386, 12, map_offset); /* sparse[0].offset */
	octal(tar + 398, 12, 512);        /* sparse[0].numbytes */
	octal(tar + 483, 12, 10);         /* realsize: what the header claims */
	raw_checksum(tar);
	memset(tar + 512, 'D', 512);
	write_bytes(path, tar, sizeof(tar));
	REFUSED(path, NULL, "bundle entry 's': data runs past the size in its header", what);
	unlink(path);
	free(path);
}

static void test_raw(void)
{
	unsigned char tar[512 * 4];
	char *path = tpath("raw.tar"), err[512] = "";
	struct bundle b = {NULL, 0};
	int rc;

	test_lying_sparse(0, "sparse data longer than the header's size is refused");
	test_lying_sparse(1u << 30, "sparse data far past the header's size is refused");
	memset(tar, 0, sizeof(tar));
	raw_header(tar, "ok", '0', 3);
	raw_checksum(tar);
	memcpy(tar + 512, "abc", 3);
	write_bytes(path, tar, sizeof(tar));
	rc = bundle_read(path, NULL, &b, err, sizeof(err));
	OK(rc == 0 && b.n == 1 && b.entries[0].len == 3, "a hand-made GNU tar loads");
	bundle_release(&b);
	raw_header(tar, "", '0', 3);
	raw_checksum(tar);
	write_bytes(path, tar, sizeof(tar));
	REFUSED_PREFIX(path, NULL, "bundle entry '", "an empty name is refused");
	raw_header(tar, "big", '0', 3000);
	raw_checksum(tar);
	write_bytes(path, tar, sizeof(tar));
	REFUSED_PREFIX(path, NULL, "bundle: truncated or corrupt archive: ",
	               "a header claiming more data than the file holds");
	tar[148] ^= 1;
	write_bytes(path, tar, sizeof(tar));
	REFUSED_PREFIX(path, NULL,
	               "bundle: truncated or corrupt archive: ", "a bad header checksum");
	raw_header(tar, "ok", '0', 3);
	raw_checksum(tar);
	raw_header(tar + 1024, "next", '0', 0);
	raw_checksum(tar + 1024);
	tar[1024 + 148] ^= 1;
	write_bytes(path, tar, sizeof(tar));
	REFUSED_PREFIX(path, NULL, "bundle: truncated or corrupt archive: ",
	               "a bad checksum in a later header");
	memset(tar, 0, sizeof(tar));
	write_bytes(path, tar, sizeof(tar));
	rc = bundle_read(path, NULL, &b, err, sizeof(err));
	OK(rc == 0 && b.n == 0, "an empty tar (end blocks only) loads as an empty bundle");
	raw_header(tar, "f/", '0', 0);
	raw_checksum(tar);
	write_bytes(path, tar, sizeof(tar));
	rc = bundle_read(path, NULL, &b, err, sizeof(err));
	OK(rc == 0 && b.n == 0, "an old-style folder (type 0, trailing /) is taken as a folder");
	unlink(path);
	free(path);
}

/* ---- broken files ---- */

static void test_broken(void)
{
	static unsigned char data[64 << 10];
	struct ent e = {.name = "noise", .data = (char *)data, .len = sizeof(data)};
	char *gz = tpath("cut.tar.gz"), *plain = tpath("cut.tar"), *missing = tpath("missing");
	char want[512];
	struct buf raw = BUF_INIT;

	noise(data, sizeof(data), 7);
	write_archive(gz, 'z', &e, 1);
	read_file(gz, 1u << 20, &raw);
	write_bytes(gz, raw.data, raw.len / 2);
	REFUSED_PREFIX(gz, NULL, "bundle: truncated or corrupt archive: ", "a gzip cut in half");
	buf_reset(&raw);
	write_archive(plain, 0, &e, 1);
	read_file(plain, 1u << 20, &raw);
	write_bytes(plain, raw.data, raw.len / 2);
	REFUSED_PREFIX(plain, NULL,
	               "bundle: truncated or corrupt archive: ", "a plain tar cut in half");
	write_bytes(plain, data, 4096);
	REFUSED_PREFIX(plain, NULL, "bundle: truncated or corrupt archive: ", "garbage");
	write_bytes(plain, "", 0);
	REFUSED_PREFIX(plain, NULL, "bundle: truncated or corrupt archive: ", "an empty file");
	write_bytes(plain, "PK\x03\x04 not a tar", 15);
	REFUSED_PREFIX(plain, NULL, "bundle: truncated or corrupt archive: ", "a zip signature");
	snprintf(want, sizeof(want), "bundle: %s: cannot open: No such file or directory", missing);
	REFUSED(missing, NULL, want, "a missing file");
	buf_release(&raw);
	unlink(gz);
	unlink(plain);
	free(gz);
	free(plain);
	free(missing);
}

/* ---- pack ---- */

static void put_file(const char *dir, const char *name, const char *data, mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, name);

	write_bytes(path, data, strlen(data));
	chmod(path, mode);
	free(path);
}

static void make_tree(const char *src)
{
	char *a = xasprintf("%s/a", src), *empty = xasprintf("%s/empty", src);

	mkdir(src, 0755);
	mkdir(a, 0700);
	mkdir(empty, 0755);
	put_file(src, "b.txt", "bee\n", 0644);
	put_file(src, "A", "upper\n", 0600);
	put_file(src, "a.b", "dot\n", 0644);
	put_file(src, "a/x.sh", "#!/bin/sh\nexit 0\n", 0700);
	put_file(src, "a/y", "why\n", 0600);
	free(a);
	free(empty);
}

/* Pushes every mtime of the tree an hour back and changes non-x mode bits. */
static void disturb_tree(const char *src)
{
	static const char *names[] = {"",   "/a",   "/empty",  "/b.txt",
	                              "/A", "/a.b", "/a/x.sh", "/a/y"};
	struct timespec ts[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
	char *path;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path = xasprintf("%s%s", src, names[i]);
		utimensat(AT_FDCWD, path, ts, 0);
		free(path);
	}
	path = xasprintf("%s/a/y", src);
	chmod(path, 0640);
	free(path);
}

static const char *const packed_names[] = {"A", "a/", "a/x.sh", "a/y", "a.b", "b.txt", "empty/"};
static const unsigned packed_perms[] = {0644, 0755, 0755, 0644, 0644, 0644, 0755};

static int empty_or_null(const char *s)
{
	return !s || !*s;
}

/* Reads the packed archive with libarchive itself: order and metadata. */
static int packed_headers_ok(const char *path)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t i = 0;
	int ok = 1;

	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 10240) != ARCHIVE_OK)
		ok = 0;
	while (ok && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (i >= 7 || strcmp(archive_entry_pathname(e), packed_names[i]) ||
		    archive_entry_perm(e) != packed_perms[i] || archive_entry_mtime(e) != 0 ||
		    archive_entry_uid(e) != 0 || archive_entry_gid(e) != 0 ||
		    !empty_or_null(archive_entry_uname(e)) ||
		    !empty_or_null(archive_entry_gname(e)) || archive_entry_atime_is_set(e) ||
		    archive_entry_ctime_is_set(e)) {
			printf("# unexpected entry %zu: %s\n", i, archive_entry_pathname(e));
			ok = 0;
		}
		i++;
	}
	archive_read_free(a);
	return ok && i == 7;
}

static int packed_contents_ok(const char *path)
{
	struct bundle b = {NULL, 0};
	const struct bundle_entry *x;
	char err[512] = "";
	int ok;

	if (bundle_read(path, NULL, &b, err, sizeof(err)) < 0) {
		printf("# %s\n", err);
		return 0;
	}
	x = bundle_find(&b, "a/x.sh");
	ok = b.n == 5 && x && x->mode == 0755 && !strcmp((char *)x->data, "#!/bin/sh\nexit 0\n") &&
	     bundle_find(&b, "a/y") && bundle_find(&b, "a/y")->mode == 0644 &&
	     !strcmp((char *)bundle_find(&b, "b.txt")->data, "bee\n");
	bundle_release(&b);
	return ok;
}

static void test_pack_reproducible(void)
{
	char *src = tpath("src"), *out1 = tpath("one.tar.gz"), *out2 = tpath("two.tar.gz");
	struct buf b1 = BUF_INIT, b2 = BUF_INIT;
	char err[512] = "";
	const unsigned char *h;
	int rc1, rc2;

	make_tree(src);
	rc1 = bundle_pack(src, out1, err, sizeof(err));
	disturb_tree(src);
	rc2 = bundle_pack(src, out2, err, sizeof(err));
	if (!OK(rc1 == 0 && rc2 == 0, "pack succeeds twice"))
		printf("# %s\n", err);
	read_file(out1, 1u << 20, &b1);
	read_file(out2, 1u << 20, &b2);
	OK(b1.len > 18 && b1.len == b2.len && !memcmp(b1.data, b2.data, b1.len),
	   "packs an hour of mtimes apart are byte-identical");
	h = (const unsigned char *)b1.data;
	OK(b1.len > 10 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8, "output is gzip");
	OK(b1.len > 10 && h[3] == 0, "gzip header carries no name (FLG 0)");
	OK(b1.len > 10 && !h[4] && !h[5] && !h[6] && !h[7], "gzip header mtime is 0");
	OK(packed_headers_ok(out1),
	   "entries sorted bytewise, mtime 0, uid/gid 0, no names, 0644/0755");
	OK(packed_contents_ok(out1), "the packed bundle reads back with bundle_read");
	rc1 = bundle_pack(src, out1, err, sizeof(err));
	buf_reset(&b2);
	read_file(out1, 1u << 20, &b2);
	OK(rc1 == 0 && b1.len == b2.len && !memcmp(b1.data, b2.data, b1.len),
	   "packing over an existing bundle replaces it with the same bytes");
	buf_release(&b1);
	buf_release(&b2);
	free(src);
	free(out1);
	free(out2);
}

/* 1 when dir holds a file whose name starts with prefix. */
static int has_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	while (d && (de = readdir(d)) != NULL)
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			found = 1;
	if (d)
		closedir(d);
	return found;
}

static void test_pack_refusals(void)
{
	char *src = tpath("bad"), *out = tpath("bad.tar.gz"), *link = tpath("bad/link");
	char *fifo = tpath("bad2/pipe"), *src2 = tpath("bad2"), *inner = tpath("bad3/x.tar.gz");
	char *src3 = tpath("bad3"), want[512], err[512] = "";
	int rc;

	mkdir(src, 0755);
	put_file(src, "a", "a\n", 0644);
	symlink("a", link);
	rc = bundle_pack(src, out, err, sizeof(err));
	snprintf(want, sizeof(want), "pack: '%s/link': symbolic links are not allowed", src);
	if (!OK(rc == -1 && !strcmp(err, want), "a symlink in the source is refused, named"))
		printf("# got '%s'\n", err);
	OK(access(out, F_OK) != 0 && !has_prefixed(tmp_root, "bad.tar.gz") &&
	           !has_prefixed(tmp_root, ".bad.tar.gz.rb-"),
	   "a refused pack leaves neither the bundle nor a temp file");
	mkdir(src2, 0755);
	mkfifo(fifo, 0644);
	rc = bundle_pack(src2, out, err, sizeof(err));
	snprintf(want, sizeof(want), "pack: '%s/pipe': fifos are not allowed", src2);
	if (!OK(rc == -1 && !strcmp(err, want), "a fifo in the source is refused, named"))
		printf("# got '%s'\n", err);
	mkdir(src3, 0755);
	put_file(src3, "z", "z\n", 0644);
	rc = bundle_pack(src3, inner, err, sizeof(err));
	OK(rc == -1 && strstr(err, "the output file is inside the folder being packed") &&
	           !has_prefixed(src3, "x.tar.gz") && !has_prefixed(src3, ".x.tar.gz.rb-"),
	   "an output inside the source is refused, cleaned up");
	rc = bundle_pack(link, out, err, sizeof(err));
	OK(rc == -1 && !strncmp(err, "pack: ", 6), "packing something not a folder fails");
	free(src);
	free(out);
	free(link);
	free(fifo);
	free(src2);
	free(inner);
	free(src3);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	const char *base = getenv("TMPDIR");

	tmp_root = xasprintf("%s/t_bundle.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp_root)) {
		perror("mkdtemp");
		return 1;
	}
	test_good(0, "tar");
	test_good('z', "tar.gz");
	test_good('j', "tar.bz2");
	test_good('J', "tar.xz");
	test_good('s', "tar.zst");
	test_memory();
	test_hostile();
	test_names();
	test_utf8_valid();
	test_utf8_names();
	test_utf8_shown();
	test_limits();
	test_raw();
	test_broken();
	test_pack_reproducible();
	test_pack_refusals();
	nftw(tmp_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(tmp_root);
	return unit_done();
}
