/* fetch.c — see fetch.h */
#include "fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "spool.h"

static struct fetch_config config = {NULL, 15, 30, 0, 6, 500, 30000};
static struct fetch_stats stats;

enum outcome { DONE, RETRY, RESTART, FAIL };

/* libcurl's receive buffer for downloads to a file (its default is 16 KiB) */
#define RECV_BUFFER (256L * 1024L)

struct sink {
	int fd;          /* write here when >= 0 */
	struct buf *mem; /* or append here */
	size_t max, got;
	size_t offset; /* bytes kept from earlier attempts when resuming */
	int too_big, write_failed;
	struct spool *spool; /* owned: writes and hashes what goes to fd */
	struct progress progress;
};

void fetch_config_defaults(struct fetch_config *c)
{
	const char *ms = getenv("ROLEBOOT_BACKOFF_MS");

	c->cacert = NULL;
	c->connect_timeout = 15;
	c->stall_timeout = 30;
	c->deadline = 0;
	c->attempts = 6;
	c->backoff_ms = ms && *ms ? (unsigned)strtoul(ms, NULL, 10) : 500;
	c->backoff_max_ms = 30000;
}

void fetch_configure(const struct fetch_config *c)
{
	config = *c;
}
const struct fetch_config *fetch_current(void)
{
	return &config;
}
const struct fetch_stats *fetch_stats(void)
{
	return &stats;
}

double fetch_now(void)
{
	return clock_now();
}

const char *fetch_find_cacert(void)
{
	static const char *const places[] = {
	        "/etc/pki/tls/certs/ca-bundle.crt",   /* RHEL, Rocky, Fedora */
	        "/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu, Alpine */
	        "/etc/ssl/ca-bundle.pem",             /* SUSE */
	        "/etc/pki/tls/cacert.pem",            /* older SUSE */
	        "/etc/ssl/cert.pem",                  /* Alpine, BSDs */
	};
	size_t i;

	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (access(places[i], R_OK) == 0)
			return places[i];
	return NULL;
}

/* The CA file for https: configured, then $SSL_CERT_FILE, then found. */
static const char *cacert(void)
{
	const char *env = getenv("SSL_CERT_FILE");

	if (config.cacert)
		return config.cacert;
	if (env && *env)
		return env;
	return fetch_find_cacert();
}

static size_t sink_write(char *data, size_t size, size_t nmemb, void *user)
{
	struct sink *s = user;
	size_t n = size * nmemb;

	if (n > s->max - s->got) {
		s->too_big = 1;
		return 0;
	}
	if (s->mem)
		buf_add(s->mem, data, n);
	else if ((s->write_failed = spool_add(s->spool, data, n)) != 0)
		return 0;
	s->got += n;
	return n;
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	struct sink *s = user;

	(void)ultotal;
	(void)ulnow;
	progress_update(&s->progress, s->offset + (size_t)dlnow,
	                dltotal ? s->offset + (size_t)dltotal : 0);
	return 0;
}

/* Milliseconds left before the deadline (LONG_MAX-ish when there is none). */
long fetch_remaining_ms(void)
{
	double left;

	if (!config.deadline)
		return 1L << 30;
	left = (config.deadline - fetch_now()) * 1000.0;
	return left > 0 ? (long)left : 0;
}

void fetch_setup_common(void *handle, const char *url, char *errbuf)
{
	CURL *h = handle;
	int tls = !strncasecmp(url, "https:", 6);
	const char *ca = tls ? cacert() : NULL;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
	/* never to file://, and never from https down to http */
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, tls ? "https" : "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, config.connect_timeout);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, config.stall_timeout);
	/* at least 1 ms: libcurl takes 0 as "no timeout" */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
	                 fetch_remaining_ms() > 0 ? fetch_remaining_ms() : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "roleboot/" ROLEBOOT_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

static void setup_handle(CURL *h, const char *url, struct sink *s, char *errbuf)
{
	fetch_setup_common(h, url, errbuf);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(s->max - s->offset));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	if (s->offset)
		curl_easy_setopt(h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)s->offset);
	/* fewer, larger reads; the spool batches the writes */
	if (s->spool)
		curl_easy_setopt(h, CURLOPT_BUFFERSIZE, (long)RECV_BUFFER);
}

/* What to do after a failed attempt. */
static enum outcome classify(CURLcode rc, long status, const struct sink *s)
{
	if (s->too_big || s->write_failed)
		return FAIL;
	switch (rc) {
	case CURLE_HTTP_RETURNED_ERROR:
		return status >= 500 || status == 429 || status == 408 ? RETRY : FAIL;
	case CURLE_RANGE_ERROR:
		return RESTART; /* the server ignored Range: start over */
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return RETRY;
	default:
		return FAIL;
	}
}

/* Full jitter: a random delay up to the doubled ceiling, or Retry-After. */
long fetch_backoff_ms(unsigned attempt, long retry_after_s)
{
	unsigned long ceiling = config.backoff_ms;
	unsigned r = 0;

	if (retry_after_s > 0)
		return retry_after_s * 1000;
	while (attempt-- > 1 && ceiling < config.backoff_max_ms)
		ceiling *= 2;
	if (ceiling > config.backoff_max_ms)
		ceiling = config.backoff_max_ms;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (unsigned)rand();
	return ceiling ? (long)(r % (ceiling + 1)) : 0;
}

void fetch_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void describe(CURLcode rc, long status, const struct sink *s, const char *errbuf, char *why,
                     size_t len)
{
	if (s->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(why, len, "larger than the limit of %zu bytes", s->max);
	else if (s->write_failed)
		snprintf(why, len, "cannot store the download: %s", strerror(s->write_failed));
	else if (rc == CURLE_HTTP_RETURNED_ERROR)
		snprintf(why, len, "HTTP status %ld", status);
	else if (rc == CURLE_UNSUPPORTED_PROTOCOL)
		snprintf(why, len, "%s (redirects stay on http/https and never leave https)",
		         errbuf[0] ? errbuf : curl_easy_strerror(rc));
	else
		snprintf(why, len, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

/* One request; *retry_after is the server's Retry-After in seconds or 0. */
static enum outcome attempt(const char *url, struct sink *s, long *retry_after, char *why,
                            size_t whylen)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = curl_easy_init();
	curl_off_t ra = 0;
	long status = 0;
	CURLcode rc;
	enum outcome o = FAIL;

	*retry_after = 0;
	if (!h) {
		snprintf(why, whylen, "cannot start a transfer");
		return FAIL;
	}
	setup_handle(h, url, s, errbuf);
	rc = curl_easy_perform(h);
	stats.requests++;
	progress_end(&s->progress);
	/* what was received is on disk before the next attempt resumes after it */
	if (s->spool && !s->write_failed)
		s->write_failed = spool_flush(s->spool);
	if (rc == CURLE_OK && !s->too_big && !s->write_failed) {
		o = DONE;
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0 &&
	    (status == 429 || status == 503))
		*retry_after = ra > 3600 ? 3600 : (long)ra;
	describe(rc, status, s, errbuf, why, whylen);
	o = classify(rc, status, s);
out:
	curl_easy_cleanup(h);
	return o;
}

static int restart(struct sink *s)
{
	s->got = 0;
	if (s->mem) {
		buf_reset(s->mem);
		return 0;
	}
	if (spool_restart(s->spool) < 0)
		return error("cannot start the download over: BLAKE2b-512 reset failed");
	if (ftruncate(s->fd, 0) < 0 || lseek(s->fd, 0, SEEK_SET) < 0)
		return error_errno("cannot start the download over");
	return 0;
}

static int transfer(const char *url, struct sink *s)
{
	char *shown = url_display(url), why[CURL_ERROR_SIZE + 128];
	unsigned n;
	long delay, retry_after;
	enum outcome o;
	int ret = -1;

	progress_init(&s->progress, shown);
	if (config.deadline && fetch_remaining_ms() <= 0) {
		/* nothing starts after the deadline (libcurl reads a timeout of 0
		 * as none at all) */
		stats.last_transient = 1;
		error("%s: the time allowed for downloads is used up", shown);
		goto out;
	}
	for (n = 1;; n++) {
		s->offset = s->mem ? 0 : s->got;
		if (s->mem && restart(s) < 0)
			goto out;
		if (s->offset) {
			stats.resumes++;
			note("fetch", "%s: resuming at byte %zu", shown, s->offset);
		}
		o = attempt(url, s, &retry_after, why, sizeof(why));
		if (o == DONE) {
			ret = 0;
			goto out;
		}
		if (o == RESTART) {
			note("fetch", "%s: the server cannot resume; starting over", shown);
			if (restart(s) < 0)
				goto out;
		}
		stats.last_transient = o != FAIL;
		if (o == FAIL || n >= config.attempts) {
			error("%s: %s", shown, why);
			goto out;
		}
		delay = o == RESTART ? 0 : fetch_backoff_ms(n, retry_after);
		if (fetch_remaining_ms() <= delay) {
			stats.last_transient = 0;
			error("%s: %s; no time left before the deadline", shown, why);
			goto out;
		}
		stats.retries++;
		note("fetch", "%s: %s; retry %u of %u in %.1f s", shown, why, n,
		     config.attempts - 1, (double)delay / 1000.0);
		fetch_sleep_ms(delay);
	}
out:
	free(shown);
	return ret;
}

int fetch_to_fd(const char *url, int fd, size_t max, struct fetch_result *res)
{
	struct sink s;
	int ret = -1;

	memset(&s, 0, sizeof(s));
	s.fd = fd;
	s.max = max;
	s.spool = spool_new(fd);
	if (!s.spool) {
		error("cannot set up hashing (BLAKE2b-512)");
		goto out;
	}
	if (transfer(url, &s) < 0)
		goto out;
	if (spool_finish(s.spool, res->blake2b) != 0) {
		error("cannot finish hashing (BLAKE2b-512)");
		goto out;
	}
	res->size = s.got;
	ret = 0;
out:
	progress_release(&s.progress);
	spool_free(s.spool);
	return ret;
}

int fetch_to_buf(const char *url, size_t max, struct buf *out)
{
	struct sink s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.fd = -1;
	s.mem = out;
	s.max = max;
	ret = transfer(url, &s);
	progress_release(&s.progress);
	return ret;
}

int fetch_post_json(const char *url, const char *body, size_t len, unsigned attempts)
{
	char *shown = url_display(url), errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	unsigned n;
	long status = 0;
	int ret = -1;

	for (n = 1; n <= attempts && ret < 0; n++) {
		CURL *h = curl_easy_init();
		CURLcode rc;

		if (!h)
			break;
		errbuf[0] = '\0';
		/* the same TLS, CA, user agent and error rules as every transfer;
		 * then the report's own: http(s) only, no redirect, and its own
		 * short timeouts rather than the downloads' deadline */
		fetch_setup_common(h, url, errbuf);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		rc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_cleanup(h);
		if (rc == CURLE_OK) {
			ret = 0;
		} else if (n == attempts) {
			warning("report: %s: %s; the apply result stands", shown,
			        rc == CURLE_HTTP_RETURNED_ERROR
			                ? "the server refused the report"
			                : (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
		} else {
			fetch_sleep_ms(fetch_backoff_ms(n, 0));
		}
	}
	curl_slist_free_all(hdr);
	free(shown);
	return ret;
}
