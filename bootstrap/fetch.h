/*
 * fetch.h — every download goes through libcurl: http, https and file only.
 *
 * Safety: redirects are capped and may not switch to file://, nor from
 * https to http.  TLS verification is always on; the CA bundle is the one
 * configured (--cacert, role "cacert =", SSL_CERT_FILE) or the first found
 * of the distributions' usual files (fetch_find_cacert).
 *
 * Bounds: a connect timeout, a low-speed limit (a stalled transfer is
 * dropped), one deadline shared by every transfer of a run, and a size cap
 * checked against Content-Length before the body and again while it
 * streams.
 *
 * Retries: connection errors, 5xx and 429 are retried with exponential
 * backoff and full jitter (429 and 503 honour Retry-After), within the
 * deadline; a transfer to a file that broke off resumes with Range when the
 * server allows it, and starts over when it does not.  While a download to
 * a file streams it is hashed once, BLAKE2b-512 (what the prehashed
 * signature checks and the state records), across resumed attempts, with
 * no second pass: libcurl receives into a 256 KiB buffer, the bytes reach
 * the file in 256 KiB writes, and the hash runs on a second thread
 * (spool.h), so that receiving, writing and hashing overlap.  Memory does
 * not grow with the download.
 *
 * Progress: on a terminal a live line (bytes, rate, ETA), otherwise a log
 * line every few seconds; nothing when quiet (util.h).
 *
 * Functions print one error line naming the URL and return -1 on failure.
 */
#ifndef ROLEBOOT_FETCH_H
#define ROLEBOOT_FETCH_H

#include <stddef.h>

#include "url.h"
#include "util.h"

struct fetch_config {
	const char *cacert;      /* CA bundle; NULL: fetch_find_cacert() */
	long connect_timeout;    /* seconds (default 15) */
	long stall_timeout;      /* seconds under 1 KiB/s before a transfer is dropped (30) */
	double deadline;         /* fetch_now() value after which nothing starts; 0: none */
	unsigned attempts;       /* tries per URL (default 6) */
	unsigned backoff_ms;     /* first backoff ceiling (500; $ROLEBOOT_BACKOFF_MS) */
	unsigned backoff_max_ms; /* backoff ceiling cap (30000) */
};

struct fetch_result {
	unsigned char blake2b[64]; /* BLAKE2b-512 of the whole download */
	size_t size;
};

/* Counters over the whole run, for the report and the tests. */
struct fetch_stats {
	unsigned requests, retries, resumes;
	int last_transient; /* the last failed transfer may succeed later */
};

void fetch_config_defaults(struct fetch_config *c);
/* Use c (copied) for every following transfer. */
void fetch_configure(const struct fetch_config *c);
const struct fetch_config *fetch_current(void);
const struct fetch_stats *fetch_stats(void);
/* Monotonic seconds: clock_now() (util.h), under the name the deadline
 * is given in. */
double fetch_now(void);
/* The first CA bundle file of the usual places, or NULL. */
const char *fetch_find_cacert(void);

int fetch_to_fd(const char *url, int fd, size_t max, struct fetch_result *res);
int fetch_to_buf(const char *url, size_t max, struct buf *out);
/* For other clients of the same rules (the Route 53 API): URL, protocols,
 * redirect policy, timeouts against the deadline, TLS and CA, user agent,
 * error buffer (CURL_ERROR_SIZE bytes) on a CURL handle. */
void fetch_setup_common(void *curl_handle, const char *url, char *errbuf);
/* Milliseconds left before the deadline. */
long fetch_remaining_ms(void);
/* Full-jitter backoff for try number attempt (1-based), or Retry-After. */
long fetch_backoff_ms(unsigned attempt, long retry_after_s);
void fetch_sleep_ms(long ms);

/* POST body as application/json; failures are warnings, never errors. */
int fetch_post_json(const char *url, const char *body, size_t len, unsigned attempts);

#endif
