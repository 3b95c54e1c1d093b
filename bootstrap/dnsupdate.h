/*
 * dnsupdate.h — RFC 2136 dynamic UPDATE evaluated against Route 53's data
 * and turned into one change batch (r53_change.h).  Pure: no I/O.  Messages
 * are parsed and printed by libldns; no wire format is handled here.
 *
 * An UPDATE is taken in two steps:
 *   dnsupdate_check()  the zone section and the prescan of RFC 2136 3.2.1
 *                      and 3.4.1 (FORMERR, NOTZONE), and the owner names
 *                      whose record sets must be read;
 *   dnsupdate_eval()   the prerequisites (3.2) against the current record
 *                      sets of those names, then the updates (3.4.2) in
 *                      order on a copy, then the difference as changes:
 *                      a set that appears is CREATEd, one that disappears
 *                      is DELETEd exactly as Route 53 holds it, one that
 *                      changed is DELETEd and CREATEd in the same batch, so
 *                      that Route 53 refuses the batch (InvalidChangeBatch)
 *                      when the data changed since it was read.
 *
 * Semantics as RFC 2136: adds merge into the RRset (a duplicate record is
 * not added twice; the set takes the TTL of the last record added), a
 * CNAME is not added beside other data nor other data beside a CNAME
 * (ignored, as BIND does), deletes of single records remove exactly those
 * records, ANY deletes remove a whole RRset or every RRset of a name; the
 * apex SOA and NS are never deleted (and the last NS record is kept), SOA
 * adds are ignored (Route 53 keeps its own SOA).  Record sets with an
 * AliasTarget or a routing policy (SetIdentifier) are not touched: an
 * update that would change one is REFUSED.
 *
 * Return values are DNS rcodes (LDNS_RCODE_*); why (when non-NULL) gets a
 * one-line reason for any rcode but NOERROR.
 */
#ifndef ROLEBOOT_DNSUPDATE_H
#define ROLEBOOT_DNSUPDATE_H

#include <ldns/ldns.h>
#include <stddef.h>

#include "r53.h"
#include "r53_change.h"

struct dnsupdate_names {
	char **names; /* owned: absolute, lower case, as ldns prints them */
	size_t n;
};

/* zone: the zone section's name.  Fills names (released by the caller). */
int dnsupdate_check(const ldns_pkt *p, const ldns_rdf *zone, struct dnsupdate_names *names,
                    char *why, size_t len);
void dnsupdate_names_release(struct dnsupdate_names *names);

/* cur: Route 53's record sets (other names may be among them: ignored).
 * On NOERROR out holds the changes (none when nothing changes). */
int dnsupdate_eval(const ldns_pkt *p, const ldns_rdf *zone, const struct r53_records *cur,
                   struct r53_batch *out, char *why, size_t len);

/* A zone as a primary serves it (axfr: its records, from a transfer)
 * mirrored into Route 53: the changes that make Route 53's record sets of
 * the zone (cur: all of them) equal to the primary's, leaving alone the
 * SOA, the apex NS, DNSSEC records, and Route 53's alias and routing-policy
 * sets (a primary's set of such a name and type is counted as skipped). */
struct dnsupdate_mirror_counts {
	size_t sets;    /* record sets the primary serves that are mirrored */
	size_t skipped; /* record sets left alone (alias, policy, odd names) */
};
int dnsupdate_mirror(const ldns_rr_list *axfr, const ldns_rdf *zone, const struct r53_records *cur,
                     struct r53_batch *out, struct dnsupdate_mirror_counts *n);

/* A name or record as text, lower case: for names[] and logs (owned). */
char *dnsupdate_name_text(const ldns_rdf *name);

#endif
