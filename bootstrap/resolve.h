/*
 * resolve.h — addresses of a name at sync time, with libldns: what the
 * sync agent serves for an alias at a zone apex whose target lies outside
 * the synced zones (a load balancer, a CDN), where a CNAME may not be.
 *
 * The servers are those of the config's `resolver` key (ADDR, ADDR:PORT,
 * [ADDR6]:PORT; tried in order), else the nameservers of /etc/resolv.conf.
 * Queries ask for recursion (RD), without search domains, with a 2 s
 * timeout and 2 tries per server, over UDP with TCP on truncation.  A server that
 * answers SERVFAIL or REFUSED, or not at all, passes the question to the
 * next; NOERROR and NXDOMAIN are final.
 */
#ifndef ROLEBOOT_RESOLVE_H
#define ROLEBOOT_RESOLVE_H

#include <stddef.h>

struct resolve_server {
	char addr[46]; /* numeric IPv4 or IPv6 address */
	int v6;
	unsigned port; /* 53 unless given */
};

/* Parses "ADDR", "ADDR:PORT", "ADDR6" or "[ADDR6]:PORT"; -1 when malformed
 * (nothing printed: the caller names the file and line). */
int resolve_parse_server(const char *text, struct resolve_server *out);

struct resolver {
	void **res; /* owned: ldns_resolver *, one per configured server, or
		       one for resolv.conf */
	size_t n;
	char *error; /* owned: why none could be set up, or NULL */
};

/* Sets r up for servers[0..n), or /etc/resolv.conf when n is 0.  Never
 * fails: when no resolver can be made, each lookup fails with r->error. */
void resolve_init(struct resolver *r, const struct resolve_server *servers, size_t n);
/* The type ("A" or "AAAA") records of name in the answer, in presentation
 * form, appended to *values; 0 when there is one at least, else -1 with
 * *why (owned) saying why: "NXDOMAIN", "no A record", "no answer (...)". */
int resolve_addrs(struct resolver *r, const char *name, const char *type, char ***values,
                  size_t *nvalues, char **why);
void resolve_release(struct resolver *r);

#endif
