/*
 * r53_change.h — the Route 53 API, write side: ChangeResourceRecordSets,
 * one change batch in one signed POST, applied by Route 53 all or nothing.
 *
 * The request is the XML of API version 2013-04-01, built here with every
 * text escaped; the answer is read by the shared reader (r53_xml.h):
 * ChangeInfo/Id, or Error/Code and Error/Message (cut to err's fields).
 * The POST is the read side's signed request (r53_url, r53_request in
 * r53.h): SigV4 signing, TLS, the CA bundle, timeouts and the deadline are
 * the same (fetch.h).
 * Throttling, PriorRequestNotComplete, 5xx and connection errors are
 * retried with backoff and jitter (fetch_backoff_ms) up to R53_CHANGE_TRIES
 * times within the deadline; any other AWS error is final.
 */
#ifndef ROLEBOOT_R53_CHANGE_H
#define ROLEBOOT_R53_CHANGE_H

#include <stddef.h>

#include "r53.h"
#include "util.h"

enum r53_action { R53_CREATE, R53_DELETE, R53_UPSERT };

struct r53_change {
	enum r53_action action;
	struct r53_record rec; /* owned: name, type, ttl, values (no alias, no policy) */
};

struct r53_batch {
	struct r53_change *changes; /* owned */
	size_t n, cap;
	char *comment; /* owned or NULL */
};

/* How a batch ended. */
enum r53_result {
	R53_APPLIED = 0,   /* Route 53 accepted the batch */
	R53_REJECTED = -1, /* an AWS error that no retry changes (code in err) */
	R53_CONFLICT =
	        -2, /* InvalidChangeBatch: the data changed under us, or the batch is wrong */
	R53_UNAVAILABLE = -3, /* throttled, 5xx or unreachable past every retry */
};

struct r53_change_error {
	long status;        /* HTTP status, 0 when no answer */
	char code[64];      /* AWS error code, e.g. "AccessDenied" */
	char text[512];     /* one line for the log */
	char change_id[64]; /* on success: the change id without /change/ */
};

/* Append a change; name and type are copied, values taken over (may be
 * NULL with nvalues 0 for none). */
void r53_batch_add(struct r53_batch *b, enum r53_action a, const char *name, const char *type,
                   long ttl, char **values, size_t nvalues);
void r53_batch_release(struct r53_batch *b);
const char *r53_action_name(enum r53_action a);
/* The request body of b (XML), appended to out. */
void r53_batch_xml(const struct r53_batch *b, struct buf *out);
/* One line: "UPSERT www.corp.example.com. A 300 [192.0.2.1 192.0.2.2], ..." */
void r53_batch_describe(const struct r53_batch *b, struct buf *out);
/* Send b to hosted zone id; fills err (always). */
enum r53_result r53_change(struct r53_client *c, const char *id, const struct r53_batch *b,
                           struct r53_change_error *err);
/* Parse one answer (for tests and fuzzing): 0 when well-formed. */
int r53_change_parse(const char *xml, size_t len, struct r53_change_error *err);

#endif
