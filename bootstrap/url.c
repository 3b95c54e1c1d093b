/* url.c — see url.h */
#include "url.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"

static int has_scheme(const char *s, const char *scheme)
{
	size_t n = strlen(scheme);

	return !strncasecmp(s, scheme, n) && s[n] == ':';
}

static char *url_from_path(const char *path)
{
	char *abs = NULL, *url = NULL, *cwd = NULL;
	CURLU *u = curl_url();

	if (*path == '/') {
		abs = xstrdup(path);
	} else {
		cwd = getcwd(NULL, 0);
		if (!cwd) {
			error_errno("cannot find the current directory");
			goto out;
		}
		abs = xasprintf("%s/%s", cwd, path);
	}
	if (!u || curl_url_set(u, CURLUPART_SCHEME, "file", 0) ||
	    curl_url_set(u, CURLUPART_PATH, abs, CURLU_URLENCODE) ||
	    curl_url_get(u, CURLUPART_URL, &url, 0)) {
		error("%s: cannot make a file URL of this path", path);
		url = NULL;
		goto out;
	}
out:
	curl_url_cleanup(u);
	free(cwd);
	free(abs);
	return url;
}

char *url_for_arg(const char *arg)
{
	char *curl_str, *url;

	if (has_scheme(arg, "http") || has_scheme(arg, "https") || has_scheme(arg, "file"))
		return xstrdup(arg);
	if (strstr(arg, "://")) {
		error("%s: unsupported URL scheme (http, https and file are supported)", arg);
		return NULL;
	}
	curl_str = url_from_path(arg);
	if (!curl_str)
		return NULL;
	url = xstrdup(curl_str);
	curl_free(curl_str);
	return url;
}

char *url_resolve(const char *base_url, const char *ref)
{
	CURLU *u;
	char *out = NULL, *res = NULL;

	if (strstr(ref, "://"))
		return url_for_arg(ref);
	u = curl_url();
	if (!u || curl_url_set(u, CURLUPART_URL, base_url, CURLU_NON_SUPPORT_SCHEME) ||
	    curl_url_set(u, CURLUPART_URL, ref, CURLU_URLENCODE) ||
	    curl_url_get(u, CURLUPART_URL, &out, 0)) {
		error("%s: cannot resolve against %s", ref, base_url);
		goto done;
	}
	res = xstrdup(out);
done:
	curl_free(out);
	curl_url_cleanup(u);
	return res;
}

char *url_display(const char *url)
{
	CURLU *u = curl_url();
	char *out = NULL, *res;

	const char *auth, *at, *end;

	if (u && !curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) &&
	    !curl_url_set(u, CURLUPART_USER, NULL, 0) &&
	    !curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) &&
	    !curl_url_get(u, CURLUPART_URL, &out, 0)) {
		res = xstrdup(out);
	} else if ((auth = strstr(url, "://")) != NULL) {
		/* a URL libcurl cannot read (a blank, a bad port) may still hold
		 * user:password@ before its host: cut what stands there */
		auth += 3;
		end = auth + strcspn(auth, "/?#");
		at = memrchr(auth, '@', (size_t)(end - auth));
		res = at ? xasprintf("%.*s%s", (int)(auth - url), url, at + 1) : xstrdup(url);
	} else {
		res = xstrdup(url);
	}
	curl_free(out);
	curl_url_cleanup(u);
	return res;
}
