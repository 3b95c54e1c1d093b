/*
 * fetch.h — every download goes through libcurl: http, https and file.
 *
 * Local paths are turned into file:// URLs so that they share the one code
 * path with remote sources.  Redirects may not switch to file://, and TLS
 * verification is always on.  Downloads are size-capped: a declared
 * Content-Length over the cap is refused before the body, and the cap is
 * enforced again while streaming.  While a download streams it is hashed
 * (SHA-256 for the state, BLAKE2b-512 for the prehashed signature).
 *
 * Functions print one error line naming the URL and return -1 on failure.
 */
#ifndef ROLEBOOT_FETCH_H
#define ROLEBOOT_FETCH_H

#include <stddef.h>

#include "util.h"

struct fetch_result {
	unsigned char sha256[32];
	unsigned char blake2b[64];
	size_t size;
};

/* A URL for a command-line argument: http(s):// and file:// URLs are kept,
 * other schemes refused, anything else is a path made absolute. */
char *fetch_url_for(const char *arg);

/* Resolve ref (absolute URL, absolute or relative path) against base_url. */
char *fetch_resolve(const char *base_url, const char *ref);

/* URL with any user:password removed, for messages and reports. */
char *fetch_display_url(const char *url);

int fetch_to_fd(const char *url, int fd, size_t max, struct fetch_result *res);
int fetch_to_buf(const char *url, size_t max, struct buf *out);

#endif
