/* bundle.c — see bundle.h */
#include "bundle.h"

#include "atomic.h"
#include "strmap.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_MAX_BYTES 255
#define SHOW_MAX 80 /* bytes of a name quoted in a message */

static const struct bundle_limits default_limits = BUNDLE_LIMITS_DEFAULT;

/*
 * A name fit for a message: control bytes as \xNN, and every byte from 0x80
 * too unless the name is valid UTF-8; cut after SHOW_MAX bytes (a valid
 * name at the end of its character).
 */
static const char *show_name(const char *raw, char *shown, size_t len)
{
	const unsigned char *p = (const unsigned char *)raw;
	size_t i = 0;
	int utf8;

	if (!raw) {
		snprintf(shown, len, "(unreadable name)");
		return shown;
	}
	utf8 = utf8_valid(raw, strlen(raw));
	for (; *p && i + 5 < len; p++) {
		if (i >= SHOW_MAX && (!utf8 || (*p & 0xc0) != 0x80)) {
			memcpy(shown + i, "...", 3);
			i += 3;
			break;
		}
		if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && !utf8))
			i += (size_t)snprintf(shown + i, len - i, "\\x%02x", *p);
		else
			shown[i++] = (char)*p;
	}
	shown[i] = '\0';
	return shown;
}

/* Why an entry of this file type (AE_IF* / S_IF* bits) is refused, or NULL. */
static const char *type_refusal(unsigned type)
{
	switch (type) {
	case AE_IFREG:
	case AE_IFDIR:
		return NULL;
	case AE_IFLNK:
		return "symbolic links are not allowed";
	case AE_IFCHR:
		return "character devices are not allowed";
	case AE_IFBLK:
		return "block devices are not allowed";
	case AE_IFIFO:
		return "fifos are not allowed";
	case AE_IFSOCK:
		return "sockets are not allowed";
	default:
		return "entries of this type are not allowed";
	}
}

static const char *entry_refusal(struct archive_entry *e)
{
	if (archive_entry_hardlink(e))
		return "hard links are not allowed";
	if (archive_entry_symlink(e))
		return "symbolic links are not allowed";
	return type_refusal(archive_entry_filetype(e));
}

/*
 * Checks RAW against the naming policy.  On success returns NULL and stores
 * the normalised name in *norm (owned; "" for a directory entry naming the
 * root itself, "." or "./"); otherwise returns why the name is refused.
 */
static const char *check_name(const char *raw, int is_dir, char **norm)
{
	const char *s = raw;
	size_t len, i, j;

	*norm = NULL;
	if (!raw)
		return "name cannot be read";
	if (!*raw)
		return "name is empty";
	if (has_control(raw))
		return "name contains a control character";
	if (!utf8_valid(raw, strlen(raw)))
		return "name is not valid UTF-8";
	if (*raw == '/')
		return "name is absolute";
	if (s[0] == '.' && s[1] == '/')
		s += 2;
	len = strlen(s);
	if (is_dir && len > 0 && s[len - 1] == '/')
		len--;
	if (is_dir && (len == 0 || (len == 1 && s[0] == '.'))) {
		*norm = xstrdup("");
		return NULL;
	}
	for (i = 0; i <= len; i = j + 1) {
		for (j = i; j < len && s[j] != '/'; j++)
			;
		if (j == i)
			return "name contains an empty component";
		if (j - i == 2 && s[i] == '.' && s[i + 1] == '.')
			return "name contains '..'";
		if (j - i == 1 && s[i] == '.')
			return "name contains a '.' component";
	}
	if (len > NAME_MAX_BYTES)
		return "name is longer than 255 bytes";
	*norm = xstrndup(s, len);
	return NULL;
}

/* State of one bundle_read*(). */
struct reader {
	struct archive *a; /* borrowed */
	struct bundle_limits lim;
	struct bundle b;     /* owned until handed over */
	size_t cap;          /* allocated b.entries */
	struct strmap names; /* every name seen, directories included */
	uint64_t total;      /* sum of the regular files' sizes */
	size_t count;        /* headers seen */
	char *err;
	size_t errlen;
};

static const char *aerr(struct archive *a)
{
	const char *msg = archive_error_string(a);

	return msg ? msg : "unknown error";
}

static void corrupt(struct reader *r)
{
	errbuf_set(r->err, r->errlen, "bundle: truncated or corrupt archive: %s", aerr(r->a));
}

/* Reads the current entry's data into a zeroed buffer of SIZE (+1 for a NUL);
 * a block that would land past SIZE refuses the bundle. */
static int read_data(struct reader *r, const char *shown, size_t size, unsigned char **data)
{
	unsigned char *buf = NULL;
	const void *blk;
	size_t n;
	la_int64_t off;
	int rc, ret = -1;

	buf = xcalloc(size + 1, 1);
	for (;;) {
		rc = archive_read_data_block(r->a, &blk, &n, &off);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc != ARCHIVE_OK) {
			corrupt(r);
			goto cleanup;
		}
		if (off < 0 || (uint64_t)off > size || n > size - (size_t)off) {
			errbuf_set(r->err, r->errlen,
			           "bundle entry '%s': data runs past the size in its header",
			           shown);
			goto cleanup;
		}
		if (n)
			memcpy(buf + off, blk, n);
	}
	*data = buf;
	buf = NULL;
	ret = 0;
cleanup:
	free(buf);
	return ret;
}

/* Checks the header's size against the limits, reads the data and appends
 * the entry; takes ownership of name in every case. */
static int take_file(struct reader *r, struct archive_entry *e, const char *shown, char *name)
{
	la_int64_t size = archive_entry_size(e);
	unsigned char *data = NULL;
	struct bundle_entry *be;
	int ret = -1;

	if (!archive_entry_size_is_set(e) || size < 0) {
		errbuf_set(r->err, r->errlen, "bundle entry '%s': size is missing", shown);
		goto cleanup;
	}
	if ((uint64_t)size > r->lim.max_entry) {
		errbuf_set(r->err, r->errlen,
		           "bundle entry '%s': size %jd exceeds the limit of %zu bytes", shown,
		           (intmax_t)size, r->lim.max_entry);
		goto cleanup;
	}
	if ((uint64_t)size > r->lim.max_total - r->total) {
		errbuf_set(r->err, r->errlen,
		           "bundle entry '%s': total size exceeds the limit of %zu bytes", shown,
		           r->lim.max_total);
		goto cleanup;
	}
	r->total += (uint64_t)size;
	if (read_data(r, shown, (size_t)size, &data) < 0)
		goto cleanup;
	if (r->b.n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->b.entries = xrealloc(r->b.entries, r->cap * sizeof(*r->b.entries));
	}
	be = &r->b.entries[r->b.n++];
	be->name = name;
	be->data = data;
	be->len = (size_t)size;
	be->mode = archive_entry_perm(e) & 07777;
	name = NULL;
	data = NULL;
	ret = 0;
cleanup:
	free(name);
	free(data);
	return ret;
}

/* Applies the whole policy to one header; regular files are kept. */
static int take_entry(struct reader *r, struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e), *why;
	int is_dir = archive_entry_filetype(e) == AE_IFDIR;
	char shown[128], *name = NULL;
	int ret = -1;

	show_name(raw, shown, sizeof(shown));
	why = entry_refusal(e);
	if (!why)
		why = check_name(raw, is_dir, &name);
	if (why) {
		errbuf_set(r->err, r->errlen, "bundle entry '%s': %s", shown, why);
		goto cleanup;
	}
	if (!*name) { /* "." or "./": the root folder itself */
		ret = 0;
		goto cleanup;
	}
	if (strmap_put(&r->names, name, 0, NULL)) {
		errbuf_set(r->err, r->errlen, "bundle entry '%s': duplicate of an earlier entry",
		           shown);
		goto cleanup;
	}
	if (is_dir) {
		ret = 0;
		goto cleanup;
	}
	ret = take_file(r, e, shown, name);
	name = NULL;
cleanup:
	free(name);
	return ret;
}

/* Reads every entry of an opened archive into out. */
static int read_entries(struct archive *a, const struct bundle_limits *lim, struct bundle *out,
                        char *err, size_t errlen)
{
	struct reader r;
	struct archive_entry *e;
	char shown[128];
	int rc, ret = -1;

	memset(&r, 0, sizeof(r));
	r.a = a;
	r.lim = lim ? *lim : default_limits;
	r.err = err;
	r.errlen = errlen;
	for (;;) {
		rc = archive_read_next_header(a, &e);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc == ARCHIVE_WARN) {
			show_name(archive_entry_pathname(e), shown, sizeof(shown));
			errbuf_set(err, errlen, "bundle entry '%s': %s", shown, aerr(a));
			goto cleanup;
		}
		if (rc != ARCHIVE_OK) {
			corrupt(&r);
			goto cleanup;
		}
		if (++r.count > r.lim.max_entries) {
			errbuf_set(err, errlen, "bundle: more than %zu entries", r.lim.max_entries);
			goto cleanup;
		}
		if (take_entry(&r, e) < 0)
			goto cleanup;
	}
	*out = r.b;
	r.b.entries = NULL;
	r.b.n = 0;
	ret = 0;
cleanup:
	bundle_release(&r.b);
	strmap_release(&r.names);
	return ret;
}

/*
 * The tar family, and the compressions libarchive decodes in-process when it
 * was built with their libraries.  Not archive_read_support_filter_all(): that
 * also registers lrzip and grzip, which always run an external program, lzop
 * (external too without liblzo2, as on Debian) and the uu/rpm unwrappers.
 */
static struct archive *new_reader(char *err, size_t errlen)
{
	static int (*const filters[])(struct archive *) = {
	        archive_read_support_filter_gzip, archive_read_support_filter_bzip2,
	        archive_read_support_filter_xz,   archive_read_support_filter_lzma,
	        archive_read_support_filter_lzip, archive_read_support_filter_zstd,
	        archive_read_support_filter_lz4,  archive_read_support_filter_compress,
	};
	struct archive *a = archive_read_new();
	size_t i;

	if (!a) {
		errbuf_set(err, errlen, "bundle: cannot set up the archive reader");
		return NULL;
	}
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		/* ARCHIVE_WARN means libarchive would run an external program
		 * (xz -d, ...): only filters built in are used */
		struct archive *trial = archive_read_new();
		int r = trial ? filters[i](trial) : ARCHIVE_FATAL;

		archive_read_free(trial);
		if (r == ARCHIVE_OK)
			filters[i](a);
	}
	archive_read_support_format_tar(a);
	return a;
}

/* Takes the result of an archive_read_open*() on a and reads the entries. */
static int read_opened(struct archive *a, int rc, const struct bundle_limits *lim,
                       struct bundle *out, char *err, size_t errlen)
{
	if (rc != ARCHIVE_OK) {
		errbuf_set(err, errlen, "bundle: truncated or corrupt archive: %s", aerr(a));
		return -1;
	}
	return read_entries(a, lim, out, err, errlen);
}

int bundle_read(const char *path, const struct bundle_limits *lim, struct bundle *out, char *err,
                size_t errlen)
{
	struct archive *a = NULL;
	int fd = -1, ret = -1;

	out->entries = NULL;
	out->n = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		errbuf_set(err, errlen, "bundle: %s: cannot open: %s", path, strerror(errno));
		goto cleanup;
	}
	a = new_reader(err, errlen);
	if (a)
		ret = read_opened(a, archive_read_open_fd(a, fd, 65536), lim, out, err, errlen);
cleanup:
	if (a)
		archive_read_free(a);
	if (fd >= 0)
		close(fd);
	return ret;
}

int bundle_read_memory(const void *data, size_t len, const struct bundle_limits *lim,
                       struct bundle *out, char *err, size_t errlen)
{
	struct archive *a = new_reader(err, errlen);
	int ret = -1;

	out->entries = NULL;
	out->n = 0;
	if (a) {
		ret = read_opened(a, archive_read_open_memory(a, data, len), lim, out, err, errlen);
		archive_read_free(a);
	}
	return ret;
}

const struct bundle_entry *bundle_find(const struct bundle *b, const char *name)
{
	size_t i;

	for (i = 0; b && i < b->n; i++)
		if (!strcmp(b->entries[i].name, name))
			return &b->entries[i];
	return NULL;
}

void bundle_release(struct bundle *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->entries[i].name);
		free(b->entries[i].data);
	}
	free(b->entries);
	b->entries = NULL;
	b->n = 0;
}

/* ---- packing ---- */

/* State of one bundle_pack(). */
struct packer {
	struct archive *a; /* owned by bundle_pack() */
	const char *dir;   /* the source folder, for messages */
	const char *out;   /* the bundle being written, for messages */
	struct bundle_limits lim;
	size_t count;
	uint64_t total;
	dev_t out_dev; /* the temp file, which must not be packed */
	ino_t out_ino;
	char *err;
	size_t errlen;
};

static int walk_dir(struct packer *p, int dirfd, const char *rel);

/* The writer failed on entry rel (NULL: while finishing the archive).  A
 * system error (a full disk) is the output's, named with its cause;
 * anything else is the entry's. */
static int write_failed(struct packer *p, const char *rel)
{
	int e = archive_errno(p->a);

	if (e > 0 || !rel)
		errbuf_set(p->err, p->errlen, "pack: %s: cannot write: %s", p->out,
		           e > 0 ? strerror(e) : aerr(p->a));
	else
		errbuf_set(p->err, p->errlen, "pack: '%s/%s': %s", p->dir, rel, aerr(p->a));
	return -1;
}

static int cmp_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* The names in dirfd but "." and "..", sorted bytewise. */
static int list_dir(struct packer *p, int dirfd, const char *rel, char ***names_out, size_t *n_out)
{
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int fd = -1, ret = -1;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && (d = fdopendir(fd)) != NULL)
		fd = -1;
	while (d) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* what apply would refuse is not packed */
		if (has_control(de->d_name) || !utf8_valid(de->d_name, strlen(de->d_name))) {
			errbuf_set(p->err, p->errlen,
			           "pack: '%s%s%s': holds a name that is not valid UTF-8 or has a "
			           "control "
			           "character",
			           p->dir, rel ? "/" : "", rel ? rel : "");
			goto cleanup;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	if (!d || errno) {
		errbuf_set(p->err, p->errlen, "pack: '%s%s%s': cannot list: %s", p->dir,
		           rel ? "/" : "", rel ? rel : "", strerror(errno));
		goto cleanup;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_name);
	*names_out = names;
	*n_out = n;
	names = NULL;
	n = 0;
	ret = 0;
cleanup:
	free_names(names, n);
	if (d)
		closedir(d);
	if (fd >= 0)
		close(fd);
	return ret;
}

static int write_header(struct packer *p, const char *rel, unsigned type, unsigned perm,
                        la_int64_t size)
{
	struct archive_entry *e = archive_entry_new();
	int ret = -1;

	if (!e) {
		errbuf_set(p->err, p->errlen, "pack: '%s/%s': out of memory", p->dir, rel);
		goto cleanup;
	}
	archive_entry_set_pathname(e, rel);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_size(e, size);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (archive_write_header(p->a, e) < ARCHIVE_WARN) {
		write_failed(p, rel);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (e)
		archive_entry_free(e);
	return ret;
}

/* Packs one regular file, opened without following links. */
static int pack_file(struct packer *p, int dirfd, const char *base, const char *rel)
{
	char chunk[65536];
	struct stat st;
	uint64_t done = 0;
	ssize_t n;
	int fd = -1, ret = -1;

	fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		errbuf_set(p->err, p->errlen, "pack: '%s/%s': cannot open: %s", p->dir, rel,
		           strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		errbuf_set(p->err, p->errlen, "pack: '%s/%s': changed while packing", p->dir, rel);
		goto cleanup;
	}
	if ((uint64_t)st.st_size > p->lim.max_entry ||
	    (uint64_t)st.st_size > p->lim.max_total - p->total) {
		errbuf_set(p->err, p->errlen,
		           "pack: '%s/%s': exceeds the bundle size limits (%zu bytes "
		           "per file, %zu in all)",
		           p->dir, rel, p->lim.max_entry, p->lim.max_total);
		goto cleanup;
	}
	p->total += (uint64_t)st.st_size;
	if (write_header(p, rel, AE_IFREG, (st.st_mode & 0111) ? 0755 : 0644, st.st_size) < 0)
		goto cleanup;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || done + (uint64_t)n > (uint64_t)st.st_size) {
			errbuf_set(p->err, p->errlen, "pack: '%s/%s': %s", p->dir, rel,
			           n < 0 ? strerror(errno) : "changed while packing");
			goto cleanup;
		}
		if (archive_write_data(p->a, chunk, (size_t)n) != n) {
			write_failed(p, rel);
			goto cleanup;
		}
		done += (uint64_t)n;
	}
	if (done != (uint64_t)st.st_size) {
		errbuf_set(p->err, p->errlen, "pack: '%s/%s': changed while packing", p->dir, rel);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	return ret;
}

static int pack_dir(struct packer *p, int dirfd, const char *base, const char *rel)
{
	int fd = -1, ret = -1;

	if (write_header(p, rel, AE_IFDIR, 0755, 0) < 0)
		goto cleanup;
	fd = openat(dirfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		errbuf_set(p->err, p->errlen, "pack: '%s/%s': cannot open: %s", p->dir, rel,
		           strerror(errno));
		goto cleanup;
	}
	ret = walk_dir(p, fd, rel);
cleanup:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Refuses what bundle_read() would refuse, then packs one directory entry. */
static int pack_one(struct packer *p, int dirfd, const char *base, const char *rel)
{
	struct stat st;
	const char *why;
	char *norm = NULL;
	int ret = -1;

	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		errbuf_set(p->err, p->errlen, "pack: '%s/%s': %s", p->dir, rel, strerror(errno));
		goto cleanup;
	}
	why = type_refusal(st.st_mode & S_IFMT);
	if (!why && st.st_dev == p->out_dev && st.st_ino == p->out_ino)
		why = "the output file is inside the folder being packed";
	if (!why)
		why = check_name(rel, S_ISDIR(st.st_mode), &norm);
	if (why) {
		errbuf_set(p->err, p->errlen, "pack: '%s/%s': %s", p->dir, rel, why);
		goto cleanup;
	}
	if (++p->count > p->lim.max_entries) {
		errbuf_set(p->err, p->errlen, "pack: '%s': more than %zu entries", p->dir,
		           p->lim.max_entries);
		goto cleanup;
	}
	if (S_ISDIR(st.st_mode))
		ret = pack_dir(p, dirfd, base, rel);
	else
		ret = pack_file(p, dirfd, base, rel);
cleanup:
	free(norm);
	return ret;
}

/* Packs the contents of dirfd, whose path relative to the source is rel
 * (NULL for the source itself). */
static int walk_dir(struct packer *p, int dirfd, const char *rel)
{
	char **names = NULL, *child = NULL;
	size_t n = 0, i;
	int ret = -1;

	if (list_dir(p, dirfd, rel, &names, &n) < 0)
		goto cleanup;
	for (i = 0; i < n; i++) {
		free(child);
		child = rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
		if (pack_one(p, dirfd, names[i], child) < 0)
			goto cleanup;
	}
	ret = 0;
cleanup:
	free(child);
	free_names(names, n);
	return ret;
}

/* pax-restricted ustar in gzip; the gzip header gets no timestamp (libarchive
 * stores the current time unless the filter's "timestamp" option is unset). */
static int new_writer(struct packer *p, int fd)
{
	p->a = archive_write_new();
	if (!p->a) {
		errbuf_set(p->err, p->errlen, "pack: cannot set up the archive writer");
		return -1;
	}
	if (archive_write_set_format_pax_restricted(p->a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(p->a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(p->a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_open_fd(p->a, fd) != ARCHIVE_OK) {
		errbuf_set(p->err, p->errlen, "pack: cannot set up the archive writer: %s",
		           aerr(p->a));
		return -1;
	}
	return 0;
}

int bundle_pack(const char *dir, const char *out_path, char *err, size_t errlen)
{
	struct packer p;
	struct stat st;
	char *tmp = NULL;
	int dfd = -1, fd = -1, ret = -1;

	memset(&p, 0, sizeof(p));
	p.dir = dir;
	p.out = out_path;
	p.lim = default_limits;
	p.err = err;
	p.errlen = errlen;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		errbuf_set(err, errlen, "pack: %s: cannot open: %s", dir, strerror(errno));
		goto cleanup;
	}
	fd = atomic_open(out_path, &tmp);
	if (fd < 0 || fstat(fd, &st) < 0) {
		errbuf_set(err, errlen, "pack: %s: cannot create a temporary file beside it: %s",
		           out_path, strerror(errno));
		goto cleanup;
	}
	p.out_dev = st.st_dev;
	p.out_ino = st.st_ino;
	if (new_writer(&p, fd) < 0 || walk_dir(&p, dfd, NULL) < 0)
		goto cleanup;
	if (archive_write_close(p.a) != ARCHIVE_OK) {
		write_failed(&p, NULL);
		goto cleanup;
	}
	ret = atomic_commit(fd, &tmp, out_path, 0644);
	fd = -1;
	if (ret < 0)
		errbuf_set(err, errlen, "pack: %s: cannot write: %s", out_path, strerror(errno));
cleanup:
	if (p.a)
		archive_write_free(p.a);
	atomic_discard(fd, &tmp);
	if (dfd >= 0)
		close(dfd);
	return ret;
}
