/* journal.c — see journal.h */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "cleanup.h"

#define JOURNAL_MAX (16u << 20)

void journal_init(struct journal *j)
{
	unsigned char rnd[8];

	memset(j, 0, sizeof(*j));
	/* a transaction id need not be secret, only distinct: the clock and
	 * pid stand in should the generator fail */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		unsigned long long t =
		        (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);

		memcpy(rnd, &t, sizeof(rnd));
	}
	hex_encode(rnd, sizeof(rnd), j->tx);
}

void journal_add(struct journal *j, enum jkind kind, const char *path, const char *sha256,
                 unsigned mode, unsigned uid, unsigned gid)
{
	struct jentry *e;

	j->e = xrealloc(j->e, (j->n + 1) * sizeof(*j->e));
	e = &j->e[j->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->path = xstrdup(path);
	if (sha256)
		snprintf(e->sha256, sizeof(e->sha256), "%s", sha256);
	e->mode = mode;
	e->uid = uid;
	e->gid = gid;
}

char *journal_temp(const struct journal *j, const char *base, int backup)
{
	return xasprintf(".%s.rb-%s%s", base, j->tx, backup ? ".old" : "");
}

void journal_release(struct journal *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		free(j->e[i].path);
	free(j->e);
	memset(j, 0, sizeof(*j));
}

static void format(const struct journal *j, struct buf *out)
{
	static const char *const word[] = {"mkdir", "attr", "new", "replace"};
	size_t i;

	buf_printf(out, "roleboot-journal 1 %s\n", j->tx);
	for (i = 0; i < j->n; i++) {
		const struct jentry *e = &j->e[i];

		if (e->kind == J_MKDIR)
			buf_printf(out, "mkdir %s\n", e->path);
		else if (e->kind == J_ATTR)
			buf_printf(out, "attr %04o %u %u %s\n", e->mode, e->uid, e->gid, e->path);
		else
			buf_printf(out, "%s %s %s\n", word[e->kind], e->sha256, e->path);
	}
	buf_puts(out, "planned\n");
}

int journal_begin(struct rootfs *r, const struct journal *j)
{
	struct buf text = BUF_INIT;
	const char *base;
	int dfd, fd = -1, ret = -1;

	dfd = rootfs_parent(r, JOURNAL_PATH, 1, 0755, &base);
	if (dfd < 0)
		return rootfs_fail(r, JOURNAL_PATH, "cannot write the journal");
	format(j, &text);
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_full(fd, text.data, text.len) < 0 || fsync(fd) < 0 || fsync(dfd) < 0) {
		rootfs_fail(r, JOURNAL_PATH, "cannot write the journal");
		if (fd >= 0)
			unlinkat(dfd, base, 0);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	close(dfd);
	buf_release(&text);
	return ret;
}

int journal_ready(struct rootfs *r)
{
	int fd = rootfs_openat(r, JOURNAL_PATH, O_WRONLY | O_APPEND, 0), ret = 0;

	if (fd < 0 || write_full(fd, "ready\n", 6) < 0 || fsync(fd) < 0)
		ret = rootfs_fail(r, JOURNAL_PATH, "cannot write the journal");
	if (fd >= 0)
		close(fd);
	return ret;
}

static int journal_remove(struct rootfs *r)
{
	const char *base;
	int dfd = rootfs_parent(r, JOURNAL_PATH, 0, 0, &base), ret = 0;

	if (dfd < 0 || (unlinkat(dfd, base, 0) < 0 && errno != ENOENT) || fsync(dfd) < 0)
		ret = rootfs_fail(r, JOURNAL_PATH, "cannot remove the journal");
	if (dfd >= 0)
		close(dfd);
	return ret;
}

/* 1 when base in dfd is a regular file whose content has the hash. */
static int has_hash(int dfd, const char *base, const char *sha256)
{
	unsigned char md[32], chunk[65536];
	char hex[65];
	EVP_MD_CTX *ctx = NULL;
	int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), same = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || !EVP_DigestUpdate(ctx, chunk, (size_t)n))
			goto out;
	}
	if (!EVP_DigestFinal_ex(ctx, md, NULL))
		goto out;
	hex_encode(md, sizeof(md), hex);
	same = !strcmp(hex, sha256);
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return same;
}

static int gone(int dfd, const char *name)
{
	return unlinkat(dfd, name, 0) == 0 || errno == ENOENT ? 0 : -1;
}

/* Test hook: ROLEBOOT_FAIL_RENAME=N makes the Nth rename of a commit fail,
 * so that the roll-back path is exercised by the test suite. */
static int commit_rename(int dfd, const char *from, const char *to, int nth)
{
	const char *fail = getenv("ROLEBOOT_FAIL_RENAME");

	if (fail && atoi(fail) == nth) {
		errno = EIO;
		return -1;
	}
	return renameat(dfd, from, dfd, to);
}

static int finish_file(struct rootfs *r, const struct journal *j, const struct jentry *e, int *nth)
{
	char *tmp = NULL;
	const char *base;
	int dfd = rootfs_parent(r, e->path, 0, 0, &base), ret = 0;

	if (dfd < 0)
		return rootfs_fail(r, e->path, "cannot install");
	tmp = journal_temp(j, base, 0);
	/* no temp: renamed before a crash, by the run that wrote it */
	if (faccessat(dfd, tmp, F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
	    commit_rename(dfd, tmp, base, ++*nth) < 0)
		ret = rootfs_fail(r, e->path, "cannot rename into place");
	free(tmp);
	close(dfd);
	return ret;
}

/* After every rename: backups go, folders are synced. */
static int drop_backup(struct rootfs *r, const struct journal *j, const struct jentry *e)
{
	char *old = NULL;
	const char *base;
	int dfd = rootfs_parent(r, e->path, 0, 0, &base), ret = 0;

	if (dfd < 0)
		return rootfs_fail(r, e->path, "cannot finish");
	old = journal_temp(j, base, 1);
	if (gone(dfd, old) < 0 || fsync(dfd) < 0)
		ret = rootfs_fail(r, e->path, "cannot finish");
	free(old);
	close(dfd);
	return ret;
}

int journal_finish(struct rootfs *r, const struct journal *j)
{
	size_t i;
	int nth = 0;

	for (i = 0; i < j->n; i++)
		if ((j->e[i].kind == J_NEW || j->e[i].kind == J_REPLACE) &&
		    finish_file(r, j, &j->e[i], &nth) < 0)
			return -1;
	for (i = 0; i < j->n; i++)
		if ((j->e[i].kind == J_NEW || j->e[i].kind == J_REPLACE) &&
		    drop_backup(r, j, &j->e[i]) < 0)
			return -1;
	return journal_remove(r);
}

static int undo_file(struct rootfs *r, const struct journal *j, const struct jentry *e)
{
	char *tmp = NULL, *old = NULL;
	const char *base;
	int dfd = rootfs_parent(r, e->path, 0, 0, &base), ret = -1;
	struct stat st;

	if (dfd < 0)
		return errno == ENOENT ? 0 : rootfs_fail(r, e->path, "cannot roll back");
	tmp = journal_temp(j, base, 0);
	old = journal_temp(j, base, 1);
	if (gone(dfd, tmp) < 0)
		goto fail;
	if (has_hash(dfd, base, e->sha256)) {
		if (fstatat(dfd, old, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (renameat(dfd, old, dfd, base) < 0)
				goto fail;
		} else if (e->kind == J_NEW && gone(dfd, base) < 0) {
			goto fail;
		}
	}
	if (gone(dfd, old) < 0 || fsync(dfd) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	rootfs_fail(r, e->path, "cannot restore the old file");
out:
	free(tmp);
	free(old);
	close(dfd);
	return ret;
}

static int undo_dir(struct rootfs *r, const struct jentry *e)
{
	const char *base;
	int fd, ret = 0;

	if (e->kind == J_ATTR) {
		fd = rootfs_dir(r, e->path, 0, 0);
		if (fd < 0 && errno == ENOENT)
			return 0;
		if (fd < 0 || fchown(fd, e->uid, e->gid) < 0 || fchmod(fd, e->mode) < 0)
			ret = rootfs_fail(r, e->path, "cannot restore mode and owner");
		if (fd >= 0)
			close(fd);
		return ret;
	}
	fd = rootfs_parent(r, e->path, 0, 0, &base);
	if (fd < 0)
		return errno == ENOENT ? 0
		                       : rootfs_fail(r, e->path, "cannot remove the new folder");
	/* a folder that holds something not of this transaction stays */
	if (unlinkat(fd, base, AT_REMOVEDIR) < 0 && errno != ENOENT && errno != ENOTEMPTY &&
	    errno != EEXIST)
		ret = rootfs_fail(r, e->path, "cannot remove the new folder");
	close(fd);
	return ret;
}

int journal_undo(struct rootfs *r, const struct journal *j)
{
	size_t i;
	int ret = 0;

	for (i = j->n; i-- > 0;) {
		const struct jentry *e = &j->e[i];

		if ((e->kind == J_NEW || e->kind == J_REPLACE ? undo_file(r, j, e)
		                                              : undo_dir(r, e)) < 0)
			ret = -1;
	}
	if (ret == 0)
		ret = journal_remove(r);
	return ret;
}

static int parse_line(struct journal *j, char *line)
{
	static const char *const word[] = {"mkdir", "attr", "new", "replace"};
	char *sp = strchr(line, ' '), *end;
	unsigned long v[3];
	int kind, i;

	if (!strcmp(line, "planned"))
		return j->planned = 1, 0;
	if (!strcmp(line, "ready"))
		return j->planned ? (j->ready = 1, 0) : -1;
	if (!sp || j->planned)
		return -1;
	*sp++ = '\0';
	for (kind = 0; kind < 4 && strcmp(line, word[kind]); kind++)
		;
	if (kind == J_ATTR) {
		for (i = 0; i < 3; i++) {
			v[i] = strtoul(sp, &end, i ? 10 : 8);
			if (end == sp || *end != ' ')
				return -1;
			sp = end + 1;
		}
		journal_add(j, J_ATTR, sp, NULL, (unsigned)v[0], (unsigned)v[1], (unsigned)v[2]);
	} else if (kind == J_NEW || kind == J_REPLACE) {
		if (strlen(sp) < 66 || sp[64] != ' ' || strspn(sp, "0123456789abcdef") != 64)
			return -1;
		sp[64] = '\0';
		journal_add(j, (enum jkind)kind, sp + 65, sp, 0, 0, 0);
	} else if (kind == J_MKDIR) {
		journal_add(j, J_MKDIR, sp, NULL, 0, 0, 0);
	} else {
		return -1;
	}
	sp = j->e[j->n - 1].path;
	return *sp == '/' && !strstr(sp, "/../") && !has_control(sp) ? 0 : -1;
}

/* The journal as it was written; a torn last line (no newline) is left
 * out, so a journal cut before "planned" reads as not planned. */
static int journal_load(struct rootfs *r, struct journal *j, int *present)
{
	struct buf text = BUF_INIT;
	char *line, *nl, *where = NULL;
	int lineno = 0, ret = -1;

	memset(j, 0, sizeof(*j));
	*present = 0;
	if (rootfs_read(r, JOURNAL_PATH, JOURNAL_MAX, &text) < 0) {
		if (errno == ENOENT)
			ret = 0;
		else
			rootfs_fail(r, JOURNAL_PATH, "cannot read the journal");
		goto out;
	}
	*present = 1;
	where = rootfs_full(r, JOURNAL_PATH);
	for (line = text.data; line && (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		if (++lineno > 1 && parse_line(j, line) == 0)
			continue;
		if (lineno == 1 && !strncmp(line, "roleboot-journal 1 ", 19) &&
		    strlen(line + 19) == 16 && strspn(line + 19, "0123456789abcdef") == 16) {
			memcpy(j->tx, line + 19, 17);
			continue;
		}
		error("%s:%d: not a journal line; check the files it names, then remove it", where,
		      lineno);
		goto out;
	}
	ret = 0;
out:
	free(where);
	buf_release(&text);
	return ret;
}

/* Leftovers of runs killed outside a transaction: staging folders and
 * temps of atomic writes in ROOT/var/lib/roleboot. */
static void sweep(struct rootfs *r)
{
	int dfd = rootfs_dir(r, ROLEBOOT_DIR, 0, 0);
	char *dir = rootfs_full(r, ROLEBOOT_DIR), *full;
	struct dirent *de;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;

	if (!d && dfd >= 0)
		close(dfd);
	while (d && (de = readdir(d))) {
		if (!strncmp(de->d_name, "stage-", 6)) {
			full = xasprintf("%s/%s", dir, de->d_name);
			remove_tree(full);
			free(full);
		} else if (de->d_name[0] == '.' && strstr(de->d_name, ".rb-")) {
			unlinkat(dirfd(d), de->d_name, 0);
		}
	}
	if (d)
		closedir(d);
	free(dir);
}

int journal_recover(struct rootfs *r)
{
	struct journal j;
	size_t nfiles = 0, i;
	int present, ret = -1;

	if (journal_load(r, &j, &present) < 0)
		goto out;
	if (present) {
		for (i = 0; i < j.n; i++)
			nfiles += j.e[i].kind == J_NEW || j.e[i].kind == J_REPLACE;
		if (!j.planned) {
			note("recover",
			     "transaction %s was cut before its plan was whole; nothing "
			     "had changed",
			     j.tx[0] ? j.tx : "(unnamed)");
			ret = journal_remove(r);
		} else if (j.ready && journal_finish(r, &j) == 0) {
			note("recover", "finished interrupted transaction %s (%zu files)", j.tx,
			     nfiles);
			ret = 0;
		} else {
			ret = journal_undo(r, &j);
			if (ret == 0)
				note("recover",
				     "rolled back interrupted transaction %s (%zu files)", j.tx,
				     nfiles);
		}
		if (ret < 0)
			goto out;
	}
	sweep(r);
	ret = 0;
out:
	journal_release(&j);
	return ret;
}
