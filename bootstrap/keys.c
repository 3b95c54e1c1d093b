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

static int pub_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && d->d_name[0] != '.' && !strcmp(d->d_name + n - 4, ".pub");
}

int keyring_add_dir(struct keyring *kr, struct rootfs *root)
{
	static const char dir[] = "/etc/roleboot/trusted.d";
	struct dirent **list = NULL;
	struct buf text = BUF_INIT;
	int dfd, n = 0, i, ret = 0;
	char *rel, *full;

	dfd = rootfs_dir(root, dir, 0, 0);
	if (dfd < 0)
		return errno == ENOENT ? 0 : rootfs_fail(root, dir, "cannot list trusted keys");
	full = rootfs_full(root, dir);
	/* scandir on the descriptor's own folder, never the path again */
	rel = xasprintf("/proc/self/fd/%d", dfd);
	n = scandir(rel, &list, pub_filter, alphasort);
	free(rel);
	if (n < 0)
		ret = error_errno("%s: cannot list trusted keys", full);
	for (i = 0; i < n; i++) {
		rel = xasprintf("%s/%s", dir, list[i]->d_name);
		buf_reset(&text);
		if (ret == 0 && rootfs_read(root, rel, 4096, &text) < 0)
			ret = rootfs_fail(root, rel, "cannot read trusted key");
		else if (ret == 0)
			ret = add_text(kr, rel, text.data ? text.data : "", text.len);
		free(rel);
		free(list[i]);
	}
	free(list);
	free(full);
	buf_release(&text);
	close(dfd);
	return ret;
}

void keyring_release(struct keyring *kr)
{
	free(kr->keys);
	kr->keys = NULL;
	kr->n = 0;
}
