/*
 * t_url.c — naming sources (url.h): url_for_arg keeps http(s) and file
 * URLs, refuses other schemes and makes paths absolute file:// URLs
 * (percent-encoded); url_resolve against http(s) and file:// bases
 * (relative paths, ./ and ../, absolute paths, absolute URLs, network-path
 * references); url_display drops user and password.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "unit.h"
#include "url.h"
#include "util.h"

struct pair {
	const char *in, *want; /* want NULL: refused with a message */
	const char *msg;
};

static const struct pair url_fors[] = {
        {"http://h/r.ini", "http://h/r.ini", NULL},
        {"https://h:8443/r.ini?x=1", "https://h:8443/r.ini?x=1", NULL},
        {"HTTPS://h/r.ini", "HTTPS://h/r.ini", NULL},
        {"file:///srv/r.ini", "file:///srv/r.ini", NULL},
        {"/srv/roles/r.ini", "file:///srv/roles/r.ini", NULL},
        {"/srv/my roles/r#1.ini", "file:///srv/my%20roles/r%231.ini", NULL},
        {"ftp://h/r.ini", NULL, "ftp://h/r.ini: unsupported URL scheme"},
        {"git+ssh://h/r", NULL, "git+ssh://h/r: unsupported URL scheme"},
};

static void url_for_cases(void)
{
	char what[256], *got;
	size_t i;

	for (i = 0; i < sizeof(url_fors) / sizeof(url_fors[0]); i++) {
		const struct pair *c = &url_fors[i];

		capture_begin();
		got = url_for_arg(c->in);
		capture_end();
		snprintf(what, sizeof(what), "url_for %s -> %s (got %s)", c->in,
		         c->want ? c->want : "refused", got ? got : "NULL");
		if (c->want)
			OK(got && !strcmp(got, c->want) && !errtext[0], what);
		else
			check_msg(!got && contains(errtext, c->msg), what);
		free(got);
	}
}

/* Relative paths are taken from the current folder (one with a space). */
static void relative_cases(void)
{
	char dir[] = "/tmp/t url.XXXXXX", *cwd, *want, *got, *old = getcwd(NULL, 0);

	if (!old || !mkdtemp(dir) || chdir(dir) < 0) {
		SKIP("cannot make and enter a temp folder");
		free(old);
		return;
	}
	cwd = getcwd(NULL, 0);
	*strchr(cwd, ' ') = '\0';
	want = xasprintf("file://%s%%20%s/roles/r.ini", cwd, cwd + strlen(cwd) + 1);
	got = url_for_arg("roles/r.ini");
	OK(got && !strcmp(got, want), "url_for: a relative path is made absolute, encoded");
	free(got);
	got = url_for_arg("httpish/r.ini");
	OK(got && !strncmp(got, "file:///", 8) && strstr(got, "/httpish/r.ini"),
	   "url_for: a path that starts like a scheme name is still a path");
	free(got);
	free(want);
	free(cwd);
	if (chdir(old) < 0)
		perror(old);
	rmdir(dir);
	free(old);
}

struct res {
	const char *base, *ref, *want;
};

static const struct res resolves[] = {
        {"https://h/dir/role.ini", "b.tar", "https://h/dir/b.tar"},
        {"https://h/dir/role.ini", "./b.tar", "https://h/dir/b.tar"},
        {"https://h/dir/sub/role.ini", "../b.tar", "https://h/dir/b.tar"},
        {"https://h/dir/role.ini", "../../../b.tar", "https://h/b.tar"},
        {"https://h/dir/role.ini", "/top/b.tar", "https://h/top/b.tar"},
        {"https://h/dir/role.ini?t=1", "b.tar", "https://h/dir/b.tar"},
        {"https://h:8443/dir/role.ini", "b.tar", "https://h:8443/dir/b.tar"},
        {"https://u:p@h/dir/role.ini", "b.tar", "https://u:p@h/dir/b.tar"},
        {"https://h/dir/role.ini", "my b.tar", "https://h/dir/my%20b.tar"},
        {"https://h/dir/role.ini", "http://o/b.tar", "http://o/b.tar"},
        {"https://h/dir/role.ini", "//o/b.tar", "https://o/b.tar"},
        {"file:///srv/roles/role.ini", "bundles/b.tar", "file:///srv/roles/bundles/b.tar"},
        {"file:///srv/roles/role.ini", "../b.tar", "file:///srv/b.tar"},
        {"file:///srv/roles/role.ini", "../../../../b.tar", "file:///b.tar"},
        {"file:///srv/roles/role.ini", "/opt/b.tar", "file:///opt/b.tar"},
        {"file:///srv/roles/role.ini", "https://h/b.tar", "https://h/b.tar"},
        {"http://h/role.ini", "sub/dir/b.tar", "http://h/sub/dir/b.tar"},
};

static void resolve_cases(void)
{
	char what[256], *got;
	size_t i;

	for (i = 0; i < sizeof(resolves) / sizeof(resolves[0]); i++) {
		const struct res *c = &resolves[i];

		capture_begin();
		got = url_resolve(c->base, c->ref);
		capture_end();
		snprintf(what, sizeof(what), "resolve %s against %s -> %s (got %s)", c->ref,
		         c->base, c->want, got ? got : "NULL");
		OK(got && !strcmp(got, c->want) && !errtext[0], what);
		free(got);
	}
	capture_begin();
	got = url_resolve("https://h/role.ini", "ftp://h/b.tar");
	capture_end();
	check_msg(!got && contains(errtext, "ftp://h/b.tar: unsupported URL scheme"),
	          "resolve: an absolute URL of another scheme is refused");
	free(got);
	capture_begin();
	got = url_resolve("not a url", "b.tar");
	capture_end();
	check_msg(!got && contains(errtext, "b.tar: cannot resolve against not a url"),
	          "resolve: a base that is no URL is refused, naming both");
	free(got);
}

static const struct pair displays[] = {
        {"https://user:secret@h/r.ini", "https://h/r.ini", NULL},
        {"https://user@h:8443/r.ini?q=1#f", "https://h:8443/r.ini?q=1#f", NULL},
        {"https://:secret@h/r.ini", "https://h/r.ini", NULL},
        {"http://user:secret@h/", "http://h/", NULL},
        {"https://h/r.ini", "https://h/r.ini", NULL},
        {"file:///srv/r.ini", "file:///srv/r.ini", NULL},
        /* URLs libcurl cannot read keep no password either */
        {"http://u:secret@h/a b", "http://h/a b", NULL},
        {"https://u:secret@h:99999/x", "https://h:99999/x", NULL},
        {"https://u:se@cret@h/x", "https://h/x", NULL},
};

static void display_cases(void)
{
	char what[256], *got;
	size_t i;

	for (i = 0; i < sizeof(displays) / sizeof(displays[0]); i++) {
		got = url_display(displays[i].in);
		snprintf(what, sizeof(what), "display %s -> %s (got %s)", displays[i].in,
		         displays[i].want, got);
		OK(got && !strcmp(got, displays[i].want) && !strstr(got, "secret"), what);
		free(got);
	}
}

int main(void)
{
	url_for_cases();
	relative_cases();
	resolve_cases();
	display_cases();
	return unit_done();
}
