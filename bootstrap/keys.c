/* keys.c — see keys.h */
#include "keys.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int add_text(struct keyring *kr, const char *where, const char *text, size_t len)
{
	char err[256];
	struct sig_pubkey k;

	if (sig_pubkey_parse(text, len, &k, err, sizeof(err)) < 0)
		return error("%s: %s", where, err);
	kr->keys = xrealloc(kr->keys, (kr->n + 1) * sizeof(*kr->keys));
	kr->keys[kr->n++] = k;
	return 0;
}

static int add_file(struct keyring *kr, const char *path)
{
	struct buf text = BUF_INIT;
	int ret = -1;

	if (read_file(path, 4096, &text) == 0)
		ret = add_text(kr, path, text.data ? text.data : "", text.len);
	buf_release(&text);
	return ret;
}

int keyring_add_arg(struct keyring *kr, const char *arg)
{
	struct stat st;

	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode))
		return add_file(kr, arg);
	return add_text(kr, "--pubkey", arg, strlen(arg));
}

static int is_pub(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && name[0] != '.' && !strcmp(name + n - 4, ".pub");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A key reached through a link is not trusted: said once, then skipped,
 * so that the other keys still decide. */
static void not_trusted(struct rootfs *root, const char *rel)
{
	char *full = rootfs_full(root, rel), *link = rootfs_full(root, root->link);

	warning("%s: not trusted: %s is a symbolic link; links under the root are not followed",
	        full, root->link[0] ? link : full);
	free(link);
	free(full);
}

/* The names of dir's *.pub files, sorted; NULL-terminated, owned. */
static char **pub_names(int dfd)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d = fdopendir(dfd);

	if (!d)
		return NULL;
	names = xcalloc(1, sizeof(*names));
	while ((de = readdir(d))) {
		if (!is_pub(de->d_name))
			continue;
		names = xrealloc(names, (n + 2) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
		names[n] = NULL;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	return names;
}

int keyring_add_dir(struct keyring *kr, struct rootfs *root)
{
	static const char dir[] = "/etc/roleboot/trusted.d";
	struct buf text = BUF_INIT;
	char **names = NULL, *rel;
	int dfd, i, ret = 0;

	dfd = rootfs_dir(root, dir, 0, 0);
	if (dfd < 0 && errno == ELOOP)
		not_trusted(root, dir);
	if (dfd < 0)
		return errno == ENOENT || errno == ELOOP
		               ? 0
		               : rootfs_fail(root, dir, "cannot list trusted keys");
	names = pub_names(dfd);
	if (!names) {
		close(dfd);
		return rootfs_fail(root, dir, "cannot list trusted keys");
	}
	for (i = 0; names[i]; i++) {
		rel = xasprintf("%s/%s", dir, names[i]);
		buf_reset(&text);
		if (ret < 0) {
			/* an earlier key failed: only free what is left */
		} else if (rootfs_read(root, rel, 4096, &text) < 0) {
			if (errno == ELOOP)
				not_trusted(root, rel);
			else
				ret = rootfs_fail(root, rel, "cannot read trusted key");
		} else {
			char *full = rootfs_full(root, rel);

			ret = add_text(kr, full, text.data ? text.data : "", text.len);
			free(full);
		}
		free(rel);
		free(names[i]);
	}
	free(names);
	buf_release(&text);
	return ret;
}

void keyring_release(struct keyring *kr)
{
	free(kr->keys);
	kr->keys = NULL;
	kr->n = 0;
}
