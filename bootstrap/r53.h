/*
 * r53.h — the Route 53 API, read side: ListHostedZonesByName and
 * ListResourceRecordSets with full pagination, SigV4-signed by libcurl
 * (CURLOPT_AWS_SIGV4), answers parsed as they stream in by the shared
 * reader (r53_xml.h), so memory holds the records and never a whole answer.
 *
 * Query parameters are sent sorted, because libcurl 7.88 signs the query
 * string in the order given (curl issue 9717).  Throttling (HTTP 400
 * "Throttling"), 500 and 503 and connection errors are retried with
 * backoff and jitter within the fetch deadline (fetch.h); any other API
 * error is reported with its AWS code and message.
 *
 * Backoff spans the client, not one request: a throttled answer
 * (Throttling, 500, 503) sets the client's pace to the first backoff
 * ceiling (fetch.h; $ROLEBOOT_BACKOFF_MS) or doubles it, up to the largest
 * ceiling, and every answer that is not throttled takes a quarter off it
 * (below an eighth of the first ceiling it ends).  Every request, of any
 * zone, first waits the pace: one client for a whole sync pass, so the
 * zones after a throttled one are slowed down too, and a pass over many
 * zones does not hammer the API.
 */
#ifndef ROLEBOOT_R53_H
#define ROLEBOOT_R53_H

#include <stddef.h>

struct pool;

struct r53_record {
	char *name, *type; /* owned; name as Route 53 writes it */
	long ttl;
	char **values; /* owned */
	size_t nvalues;
	char *set_id;                  /* owned or NULL: weighted, latency, failover, geo... */
	long weight;                   /* -1 when none */
	char *failover;                /* owned or NULL: PRIMARY / SECONDARY */
	char *alias_zone, *alias_name; /* owned or NULL: an alias record */
};

/* A record's strings: freed when pool is NULL (each a malloc of its own);
 * when they are cut from pool (the list's), only forgotten: they go with
 * the pool.  r is left zeroed. */
void r53_record_free(struct r53_record *r, const struct pool *pool);

struct r53_records {
	struct r53_record *recs; /* owned */
	size_t n, cap;
	/* owned or NULL: when set, every string and value array of recs is
	 * cut from it (the parser does so for a list it starts empty: a zone
	 * of 100,000 record sets is then a few hundred blocks, not 400,000
	 * allocations); when NULL, each is a malloc of its own */
	struct pool *pool;
};

struct r53_client {
	const char *endpoint;                /* e.g. https://route53.amazonaws.com */
	const char *key_id, *secret, *token; /* token may be NULL */
	unsigned page_size;                  /* maxitems per request (default 300) */
	unsigned requests, throttled;        /* counters */
	long pace_ms;                        /* wait before each request; 0 at first (below) */
	void *conn;                          /* owned: the libcurl handle kept from request to
				 request, so that connections (and TLS sessions)
				 are reused; NULL at first; r53_client_release() */
};

/* The endpoint when the config names none: AWS_ENDPOINT_URL_ROUTE_53, else
 * AWS_ENDPOINT_URL, else https://route53.amazonaws.com; malloc'd, the
 * caller frees it. */
char *r53_default_endpoint(void);

/* A handle for the client's next request, reset to no options (the same
 * handle each time, made on first use); NULL when libcurl cannot make one. */
void *r53_conn(struct r53_client *c);
void r53_client_release(struct r53_client *c);

struct buf;
struct r53_xml;

/* The API URL of path (e.g. "hostedzone/Z1ABC/rrset") on the client's
 * endpoint (its final slashes dropped), with "?query" unless query is NULL
 * or empty; malloc'd, the caller frees it. */
char *r53_url(const struct r53_client *c, const char *path, const char *query);
/* One signed request to url on the client's handle (r53_conn): a GET, or a
 * POST of body (Content-Type: text/xml) when body is not NULL; SigV4 with
 * the client's key (and its session token as X-Amz-Security-Token); HTTP
 * errors are answers, not failures (their XML bodies say why).  The answer
 * streams into xml (the caller's, initialised) and is finished when whole.
 * The credentials string and the headers are made and freed here (the
 * string wiped).  Counts c->requests when a transfer was tried.  Returns
 * CURLE_OK (0) with *status the HTTP status, or the CURLcode of the failed
 * transfer with *status 0 and why (len bytes) saying what went wrong. */
int r53_request(struct r53_client *c, const char *url, const struct buf *body, struct r53_xml *xml,
                long *status, char *why, size_t len);
/* "HTTP 502: answer is not well-formed XML" into why (len bytes). */
void r53_why_not_xml(char *why, size_t len, long status);

struct r53_zone {
	/* owned; id as the API writes it (/hostedzone/Z1ABC) in an answer,
	 * without /hostedzone/ once listed (r53_zone_id) or configured
	 * (route53d's [hostedzone]) */
	char *id, *name;
	int private_zone; /* HostedZone/Config/PrivateZone; -1 when not known */
};

/* The hosted zone id ("Z1ABC", without /hostedzone/) of a zone name.  Every
 * hosted zone of that name is listed (ListHostedZonesByName, paginated);
 * private_zone 0 or 1 keeps only public or private ones, -1 all of them.
 * Exactly one must remain: none, or several (a public and a private zone
 * of one name, say) is an error naming each id. */
int r53_zone_id(struct r53_client *c, const char *zone, int private_zone, char **id);
void r53_zones_release(struct r53_zone *z, size_t n);
/* Every record set of a zone, appended to out in API order. */
int r53_list_records(struct r53_client *c, const char *id, struct r53_records *out);
/* The record sets of a zone from name on, page after page while the next
 * page still starts with that name; the caller keeps those whose name
 * equals it (the last page may hold later names). */
int r53_list_name(struct r53_client *c, const char *id, const char *name, struct r53_records *out);
void r53_records_release(struct r53_records *r);
/* 1 when two names are the same, case and a final dot aside. */
int r53_name_eq(const char *a, const char *b);
/* Parse one API answer into out (for tests and fuzzing); 0 when well-formed. */
int r53_parse(const char *xml, size_t len, struct r53_records *out);

#endif
