/* fetch.c — see fetch.h */
#include "fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct sink {
	int fd;             /* write here when >= 0 */
	struct buf *mem;    /* or append here */
	size_t max, got;
	int too_big, write_failed;
	EVP_MD_CTX *sha, *b2;
};

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

char *fetch_url_for(const char *arg)
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

char *fetch_resolve(const char *base_url, const char *ref)
{
	CURLU *u;
	char *out = NULL, *res = NULL;

	if (strstr(ref, "://"))
		return fetch_url_for(ref);
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

char *fetch_display_url(const char *url)
{
	CURLU *u = curl_url();
	char *out = NULL, *res;

	if (u && !curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) &&
	    !curl_url_set(u, CURLUPART_USER, NULL, 0) &&
	    !curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) &&
	    !curl_url_get(u, CURLUPART_URL, &out, 0))
		res = xstrdup(out);
	else
		res = xstrdup(url);
	curl_free(out);
	curl_url_cleanup(u);
	return res;
}

static size_t sink_write(char *data, size_t size, size_t nmemb, void *user)
{
	struct sink *s = user;
	size_t n = size * nmemb, done = 0;
	ssize_t w;

	if (n > s->max - s->got) {
		s->too_big = 1;
		return 0;
	}
	s->got += n;
	if (s->sha)
		EVP_DigestUpdate(s->sha, data, n);
	if (s->b2)
		EVP_DigestUpdate(s->b2, data, n);
	if (s->mem) {
		buf_add(s->mem, data, n);
		return n;
	}
	while (done < n) {
		w = write(s->fd, data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			s->write_failed = errno ? errno : EIO;
			return 0;
		}
		done += (size_t)w;
	}
	return n;
}

static void setup_handle(CURL *h, const char *url, struct sink *s, char *errbuf)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->max);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "roleboot/" ROLEBOOT_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

static int run_transfer(const char *url, struct sink *s)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	char *shown = fetch_display_url(url);
	CURL *h = curl_easy_init();
	CURLcode rc;
	int ret = -1;

	if (!h) {
		error("%s: cannot start a transfer", shown);
		goto out;
	}
	setup_handle(h, url, s, errbuf);
	rc = curl_easy_perform(h);
	if (s->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		error("%s: larger than the limit of %zu bytes", shown, s->max);
	} else if (s->write_failed) {
		errno = s->write_failed;
		error_errno("%s: cannot store the download", shown);
	} else if (rc != CURLE_OK) {
		error("%s: %s", shown, errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else {
		ret = 0;
	}
out:
	curl_easy_cleanup(h);
	free(shown);
	return ret;
}

int fetch_to_fd(const char *url, int fd, size_t max, struct fetch_result *res)
{
	struct sink s = {fd, NULL, max, 0, 0, 0, NULL, NULL};
	int ret = -1;

	s.sha = EVP_MD_CTX_new();
	s.b2 = EVP_MD_CTX_new();
	if (!s.sha || !s.b2 || !EVP_DigestInit_ex(s.sha, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(s.b2, EVP_blake2b512(), NULL)) {
		error("cannot set up hashing");
		goto out;
	}
	if (run_transfer(url, &s) < 0)
		goto out;
	if (!EVP_DigestFinal_ex(s.sha, res->sha256, NULL) ||
	    !EVP_DigestFinal_ex(s.b2, res->blake2b, NULL)) {
		error("cannot finish hashing");
		goto out;
	}
	res->size = s.got;
	ret = 0;
out:
	EVP_MD_CTX_free(s.sha);
	EVP_MD_CTX_free(s.b2);
	return ret;
}

int fetch_to_buf(const char *url, size_t max, struct buf *out)
{
	struct sink s = {-1, out, max, 0, 0, 0, NULL, NULL};

	return run_transfer(url, &s);
}
