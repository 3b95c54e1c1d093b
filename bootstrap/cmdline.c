/* cmdline.c — see cmdline.h */
#include "cmdline.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static void take_word(struct kcmdline *k, const char *w)
{
	const char *eq = strchr(w, '=');

	if (!eq)
		return;
	if (!strncmp(w, "roleboot.role=", 14)) {
		free(k->role);
		k->role = xstrdup(eq + 1);
	} else if (!strncmp(w, "roleboot.pubkey=", 16)) {
		free(k->pubkey);
		k->pubkey = xstrdup(eq + 1);
	} else if (!strncmp(w, "roleboot.var.", 13) && eq > w + 13) {
		k->names = xrealloc(k->names, (k->nvars + 1) * sizeof(*k->names));
		k->values = xrealloc(k->values, (k->nvars + 1) * sizeof(*k->values));
		k->names[k->nvars] = xstrndup(w + 13, (size_t)(eq - w - 13));
		k->values[k->nvars++] = xstrdup(eq + 1);
	}
}

int kcmdline_parse(struct kcmdline *k, const char *text, size_t len)
{
	struct buf word = BUF_INIT;
	int quote = 0;
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i <= len; i++) {
		char c = i < len ? text[i] : ' ';

		if (c == '"') {
			quote = !quote;
		} else if (!quote && (c == ' ' || c == '\t' || c == '\n')) {
			if (word.len)
				take_word(k, word.data);
			buf_reset(&word);
		} else {
			buf_putc(&word, c);
		}
	}
	buf_release(&word);
	return 0;
}

int kcmdline_read(struct kcmdline *k, int required)
{
	const char *path = getenv("ROLEBOOT_CMDLINE");
	struct buf text = BUF_INIT;
	int ret = -1;

	memset(k, 0, sizeof(*k));
	if (!path || !*path)
		path = "/proc/cmdline";
	if (!required && access(path, R_OK) < 0) {
		ret = 0;
		goto out;
	}
	if (read_file(path, 65536, &text) < 0)
		goto out;
	ret = kcmdline_parse(k, text.data, text.len);
out:
	buf_release(&text);
	return ret;
}

void kcmdline_release(struct kcmdline *k)
{
	size_t i;

	for (i = 0; i < k->nvars; i++) {
		free(k->names[i]);
		free(k->values[i]);
	}
	free(k->names);
	free(k->values);
	free(k->role);
	free(k->pubkey);
	memset(k, 0, sizeof(*k));
}
