/* util.c — see util.h */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int read_file_why(const char *path, size_t max, struct buf *out, char *err, size_t errlen)
{
	int fd = -1, ret = -1;
	char chunk[65536];
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errbuf_set(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	buf_grow(out, 0);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			errbuf_set(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			goto out;
		}
		if (out->len + (size_t)n > max) {
			errbuf_set(err, errlen, "%s: larger than %zu bytes", path, max);
			ret = READ_TOO_BIG;
			goto out;
		}
		buf_add(out, chunk, (size_t)n);
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

int read_file(const char *path, size_t max, struct buf *out)
{
	char why[512];

	return read_file_why(path, max, out, why, sizeof(why)) < 0 ? error("%s", why) : 0;
}

int read_file_parse(const char *path, size_t max, read_parse_fn *parse, void *user)
{
	struct buf text = BUF_INIT;
	int ret = -1;

	if (read_file(path, max, &text) < 0)
		goto out;
	ret = parse(path, text.data ? text.data : "", text.len, user) < 0 ? -1 : 0;
out:
	if (text.data)
		explicit_bzero(text.data, text.len);
	buf_release(&text);
	return ret;
}

char *root_path(const char *root, const char *abs)
{
	size_t rl = root ? strlen(root) : 0;

	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	if (*abs == '/' && rl == 0)
		return xstrdup(abs);
	return xasprintf("%.*s%s%s", (int)rl, root ? root : "", *abs == '/' ? "" : "/", abs);
}

void hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

char *strtrim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 1;
	return 0;
}

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	unsigned lo, hi;
	size_t n, i;

	while (p < end) {
		lo = 0x80; /* range of the byte after the lead */
		hi = 0xbf;
		if (*p < 0x80)
			n = 0;
		else if (*p >= 0xc2 && *p <= 0xdf)
			n = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3;
		else
			return 0; /* continuation, C0/C1 (overlong) or F5..FF */
		if (*p == 0xe0)
			lo = 0xa0; /* E0 80..9F: overlong */
		else if (*p == 0xed)
			hi = 0x9f; /* ED A0..BF: surrogates */
		else if (*p == 0xf0)
			lo = 0x90; /* F0 80..8F: overlong */
		else if (*p == 0xf4)
			hi = 0x8f; /* F4 90..: above U+10FFFF */
		if ((size_t)(end - p) <= n)
			return 0;
		if (n && (p[1] < lo || p[1] > hi))
			return 0;
		for (i = 2; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n + 1;
	}
	return 1;
}

double clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
