/*
 * t_fetch.c — downloads without the network (fetch.h): file:// URLs into a
 * buffer and into a descriptor, the size cap (at the limit, one byte over,
 * while streaming), a missing file and a refused scheme (one error line
 * naming the URL, not retried), a descriptor that cannot be written, the
 * digests of fetch_to_fd checked against OpenSSL (digest_cases: the one
 * place to adapt when the download hash changes), the configuration
 * defaults, fetch_backoff_ms bounds, fetch_remaining_ms and
 * fetch_find_cacert.
 */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "capture.h"
#include "cleanup.h"
#include "fetch.h"
#include "unit.h"
#include "util.h"

static char top[] = "/tmp/t fetch.XXXXXX"; /* a blank: URLs must encode it */

/* Writes len bytes of data to top/name; its file:// URL (owned). */
static char *make_file(const char *name, const void *data, size_t len)
{
	char *path = xasprintf("%s/%s", top, name), *url;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write_full(fd, data, len) < 0)
		perror(path);
	if (fd >= 0)
		close(fd);
	url = url_for_arg(path);
	free(path);
	return url;
}

/* Bytes that are not all alike (a pattern over 256 values). */
static unsigned char *pattern(size_t len)
{
	unsigned char *p = xmalloc(len ? len : 1);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 7 + i / 251) & 0xff);
	return p;
}

static void buf_cases(void)
{
	unsigned char *data = pattern(100000);
	char *url = make_file("data.bin", data, 100000),
	     *small = make_file("small.txt", "hello\n", 6);
	struct buf b = BUF_INIT;
	unsigned before;
	int r;

	capture_begin();
	r = fetch_to_buf(small, 6, &b);
	capture_end();
	check_msg(r == 0 && b.len == 6 && !strcmp(b.data, "hello\n"),
	          "buf: a file at exactly the cap");
	buf_release(&b);
	capture_begin();
	r = fetch_to_buf(url, 200000, &b);
	capture_end();
	OK(r == 0 && b.len == 100000 && !memcmp(b.data, data, 100000),
	   "buf: 100000 bytes, every byte as in the file");
	buf_release(&b);

	before = fetch_stats()->requests;
	capture_begin();
	r = fetch_to_buf(small, 5, &b);
	capture_end();
	check_msg(r == -1 && contains(errtext, "small.txt: larger than the limit of 5 bytes"),
	          "buf: one byte over the cap is refused, naming the URL and the limit");
	OK(fetch_stats()->requests == before + 1 && !fetch_stats()->last_transient,
	   "buf: a size refusal is not retried");
	buf_release(&b);
	capture_begin();
	r = fetch_to_buf(url, 0, &b);
	capture_end();
	check_msg(r == -1 && contains(errtext, "larger than the limit of 0 bytes"),
	          "buf: a cap of 0 takes no byte");
	buf_release(&b);
	free(url);
	free(data);
	free(small);
}

static void failure_cases(void)
{
	struct buf b = BUF_INIT;
	char *missing = xasprintf("%s/nothere", top), *url = url_for_arg(missing);
	unsigned before = fetch_stats()->requests, retries = fetch_stats()->retries;
	int r;

	capture_begin();
	r = fetch_to_buf(url, 1000, &b);
	capture_end();
	check_msg(r == -1 && contains(errtext, "roleboot: error: file://") &&
	                  contains(errtext, "t%20fetch") && contains(errtext, "/nothere: "),
	          "missing: refused, the URL named");
	OK(!strchr(strchr(errtext, '\n') ? strchr(errtext, '\n') + 1 : "x\n", '\n'),
	   "missing: one error line");
	OK(fetch_stats()->requests == before + 1 && fetch_stats()->retries == retries &&
	           !fetch_stats()->last_transient,
	   "missing: one request, no retry");
	buf_release(&b);

	capture_begin();
	r = fetch_to_buf("ftp://127.0.0.1:1/r.ini", 1000, &b);
	capture_end();
	check_msg(r == -1 && contains(errtext, "ftp://127.0.0.1:1/r.ini: "),
	          "scheme: ftp is refused (only http, https and file)");
	buf_release(&b);
	capture_begin();
	r = fetch_to_buf("dict://127.0.0.1:1/x", 1000, &b);
	capture_end();
	check_msg(r == -1 && contains(errtext, "dict://127.0.0.1:1/x: "),
	          "scheme: dict is refused");
	buf_release(&b);
	free(url);
	free(missing);
}

static void fd_cases(void)
{
	unsigned char *data = pattern(300000);
	char *url = make_file("fd.bin", data, 300000), *out = xasprintf("%s/out.bin", top);
	struct fetch_result res;
	struct buf got = BUF_INIT;
	int fd, r;

	memset(&res, 0, sizeof(res));
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);
	capture_begin();
	r = fetch_to_fd(url, fd, 300000, &res);
	capture_end();
	close(fd);
	check_msg(r == 0 && res.size == 300000, "fd: 300000 bytes at the cap, size reported");
	OK(read_file(out, 1 << 20, &got) == 0 && got.len == 300000 &&
	           !memcmp(got.data, data, 300000),
	   "fd: the descriptor holds every byte");
	buf_release(&got);

	memset(&res, 0, sizeof(res));
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);
	capture_begin();
	r = fetch_to_fd(url, fd, 299999, &res);
	capture_end();
	close(fd);
	check_msg(r == -1 && contains(errtext, "fd.bin: larger than the limit of 299999 bytes"),
	          "fd: one byte over the cap is refused");

	memset(&res, 0, sizeof(res));
	fd = open(out, O_RDONLY);
	capture_begin();
	r = fetch_to_fd(url, fd, 300000, &res);
	capture_end();
	close(fd);
	check_msg(r == -1 && contains(errtext, "fd.bin: cannot store the download: "),
	          "fd: a descriptor that cannot be written is an error");
	free(out);
	free(url);
	free(data);
}

/*
 * The digests fetch_to_fd fills, against OpenSSL's over the same bytes.
 * fetch.h today: SHA-256 (unless skip_sha256) and BLAKE2b-512.  When the
 * download hash changes, this function is the one to adapt.
 */
static void digest_cases(void)
{
	static const size_t sizes[] = {0, 1, 65536, 200003};
	unsigned char b2[64];
	char what[128];
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *data = pattern(sizes[i]);
		char *name = xasprintf("digest%zu.bin", i), *url = make_file(name, data, sizes[i]);
		char *out = xasprintf("%s/digest.out", top);
		struct fetch_result res;
		int fd, r;

		EVP_Digest(data, sizes[i], b2, NULL, EVP_blake2b512(), NULL);

		memset(&res, 0, sizeof(res));
		fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);
		capture_begin();
		r = fetch_to_fd(url, fd, 1 << 20, &res);
		capture_end();
		close(fd);
		snprintf(what, sizeof(what), "digest: %zu bytes: BLAKE2b-512 as OpenSSL's",
		         sizes[i]);
		OK(r == 0 && res.size == sizes[i] && !memcmp(res.blake2b, b2, 64), what);
		free(out);
		free(url);
		free(name);
		free(data);
	}
}

static void config_cases(void)
{
	struct fetch_config c;

	unsetenv("ROLEBOOT_BACKOFF_MS");
	memset(&c, 0xff, sizeof(c));
	fetch_config_defaults(&c);
	OK(!c.cacert && c.connect_timeout == 15 && c.stall_timeout == 30 && c.deadline == 0 &&
	           c.attempts == 6 && c.backoff_ms == 500 && c.backoff_max_ms == 30000,
	   "config: the documented defaults");
	setenv("ROLEBOOT_BACKOFF_MS", "25", 1);
	fetch_config_defaults(&c);
	OK(c.backoff_ms == 25, "config: $ROLEBOOT_BACKOFF_MS sets the first backoff ceiling");
	unsetenv("ROLEBOOT_BACKOFF_MS");
	c.attempts = 3;
	c.cacert = "/x/ca.pem";
	fetch_configure(&c);
	c.attempts = 9;
	OK(fetch_current()->attempts == 3 && !strcmp(fetch_current()->cacert, "/x/ca.pem"),
	   "config: fetch_configure copies the configuration");
}

/* Largest and smallest of n backoffs for attempt; 1 when they differ. */
static int backoff_range(unsigned attempt, long *lo, long *hi)
{
	long v;
	int i;

	*lo = 1L << 40;
	*hi = -1;
	for (i = 0; i < 2000; i++) {
		v = fetch_backoff_ms(attempt, 0);
		if (v < *lo)
			*lo = v;
		if (v > *hi)
			*hi = v;
	}
	return *lo != *hi;
}

static void backoff_cases(void)
{
	static const struct {
		unsigned attempt;
		long ceiling;
	} t[] = {{1, 100}, {2, 200}, {3, 400}, {4, 800}, {5, 1000}, {40, 1000}, {0, 100}};
	struct fetch_config c;
	char what[128];
	long lo, hi;
	size_t i;

	fetch_config_defaults(&c);
	c.backoff_ms = 100;
	c.backoff_max_ms = 1000;
	fetch_configure(&c);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int varies = backoff_range(t[i].attempt, &lo, &hi);

		snprintf(what, sizeof(what),
		         "backoff: try %u within 0..%ld, jittered (got %ld..%ld)", t[i].attempt,
		         t[i].ceiling, lo, hi);
		OK(lo >= 0 && hi <= t[i].ceiling && hi > t[i].ceiling / 2 && varies, what);
	}
	OK(fetch_backoff_ms(1, 7) == 7000 && fetch_backoff_ms(3, 120) == 120000,
	   "backoff: Retry-After is taken as it is, in seconds");
	c.backoff_ms = 0;
	fetch_configure(&c);
	backoff_range(4, &lo, &hi);
	OK(lo == 0 && hi == 0, "backoff: a first ceiling of 0 means no wait");
	fetch_config_defaults(&c);
	fetch_configure(&c);
}

static void deadline_cases(void)
{
	struct fetch_config c;
	double t0 = fetch_now(), t1;
	struct buf b = BUF_INIT;
	const char *m;
	char *url;
	long left;
	int r;

	t1 = fetch_now();
	OK(t1 >= t0 && t0 > 0, "now: monotonic seconds");
	fetch_config_defaults(&c);
	fetch_configure(&c);
	OK(fetch_remaining_ms() >= 1L << 30,
	   "remaining: without a deadline, practically unbounded");
	c.deadline = fetch_now() + 10.0;
	fetch_configure(&c);
	left = fetch_remaining_ms();
	OK(left > 9000 && left <= 10000, "remaining: a deadline 10 s ahead leaves about 10000 ms");
	c.deadline = fetch_now() - 1.0;
	fetch_configure(&c);
	OK(fetch_remaining_ms() == 0, "remaining: a passed deadline leaves 0");
	url = make_file("late.txt", "late\n", 5);
	capture_begin();
	r = fetch_to_buf(url, 100, &b);
	m = capture_end();
	check_msg(r < 0 && strstr(m, "the time allowed for downloads is used up"),
	          "a passed deadline: nothing starts, and the message says why");
	buf_release(&b);
	free(url);
	fetch_config_defaults(&c);
	fetch_configure(&c);
}

static void cacert_cases(void)
{
	static const char *const places[] = {
	        "/etc/pki/tls/certs/ca-bundle.crt",
	        "/etc/ssl/certs/ca-certificates.crt",
	        "/etc/ssl/ca-bundle.pem",
	        "/etc/pki/tls/cacert.pem",
	        "/etc/ssl/cert.pem",
	};
	const char *ca = fetch_find_cacert(), *first = NULL;
	size_t i;

	for (i = 0; i < sizeof(places) / sizeof(places[0]) && !first; i++)
		if (access(places[i], R_OK) == 0)
			first = places[i];
	OK(first ? ca && !strcmp(ca, first) : !ca,
	   "cacert: the first readable of the distributions' usual files, or NULL");
}

int main(void)
{
	if (!mkdtemp(top)) {
		SKIP("cannot make a temp folder");
		return unit_done();
	}
	unsetenv("ROLEBOOT_BACKOFF_MS");
	msg_set_quiet(1);
	buf_cases();
	failure_cases();
	fd_cases();
	digest_cases();
	config_cases();
	backoff_cases();
	deadline_cases();
	cacert_cases();
	remove_tree(top);
	return unit_done();
}
