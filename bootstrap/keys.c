/* keys.c — see keys.h */
#include "keys.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int keyring_add_dir(struct keyring *kr, const char *root)
{
	char *dir = root_path(root, "/etc/roleboot/trusted.d"), *path;
	struct dirent **list = NULL;
	int n, i, ret = 0;

	n = scandir(dir, &list, pub_filter, alphasort);
	if (n < 0) {
		if (errno != ENOENT)
			ret = error_errno("%s: cannot list trusted keys", dir);
		goto out;
	}
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, list[i]->d_name);
		if (ret == 0 && add_file(kr, path) < 0)
			ret = -1;
		free(path);
		free(list[i]);
	}
	free(list);
out:
	free(dir);
	return ret;
}

void keyring_release(struct keyring *kr)
{
	free(kr->keys);
	kr->keys = NULL;
	kr->n = 0;
}
