/*
 * url.h — naming sources: every source is a URL libcurl can fetch.
 * Local paths become file:// URLs, so that paths and remote sources share
 * one code path (fetch.h).  All functions print one error line on failure.
 * Every string they return is malloc'ed and the caller's to free; NULL on
 * failure.
 */
#ifndef ROLEBOOT_URL_H
#define ROLEBOOT_URL_H

/* A URL for a command-line argument: http(s):// and file:// URLs are kept,
 * other schemes refused, anything else is a path made absolute. */
char *url_for_arg(const char *arg);

/* Resolve ref (absolute URL, absolute or relative path) against base_url. */
char *url_resolve(const char *base_url, const char *ref);

/* URL with any user:password removed, for messages and reports. */
char *url_display(const char *url);

#endif
