/*
 * zone.h — Route 53 record sets to a BIND zone file.
 *
 * Every type Route 53 serves (A, AAAA, CAA, CNAME, DS, MX, NAPTR, NS, PTR,
 * SOA, SPF, SRV, TXT).  Names are made relative to the zone ("@" for the
 * apex) and Route 53's octal escapes (\052 for '*') become BIND's
 * presentation form; TXT and SPF strings are re-quoted and split at 255
 * bytes.  The SOA serial is roleboot's own.
 *
 * Alias records are resolved to the target's record sets of the same type
 * when the target is in a synced zone, otherwise left out with a warning.
 *
 * Record sets with a SetIdentifier (weighted, latency, geolocation,
 * failover, multivalue) are merged, per name and type, by one rule:
 * failover sets keep only PRIMARY when there is one; weighted sets keep
 * only those with a weight above 0 (all of them when every weight is 0);
 * the kept sets' values are united, duplicates dropped, with the smallest
 * TTL.  A resolver then sees every answer a client could have been given.
 *
 * Output is sorted (canonical name order, then type, then value), so the
 * same data always gives the same bytes.
 */
#ifndef ROLEBOOT_ZONE_H
#define ROLEBOOT_ZONE_H

#include <stddef.h>

#include "r53.h"
#include "util.h"

struct zone_src {
	const char *name;            /* "corp.example.com", no final dot */
	const char *id;              /* hosted zone id */
	const struct r53_records *recs;
};

/* Renders zone z (one of all[0..nall), for alias targets) with the given
 * serial; *nrecords is the number of records written.  With warn, prints
 * a warning for each alias record left out.  Returns -1 (after an error) on records it cannot
 * write, e.g. an SOA without seven fields. */
int zone_render(const struct zone_src *z, const struct zone_src *all, size_t nall,
		unsigned long serial, int warn, struct buf *out, size_t *nrecords);

/* Route 53 name ("\052.corp.example.com.") in BIND presentation, relative
 * to zone when it lies inside it. */
void zone_name(const char *r53name, const char *zone, struct buf *out);

/* A TXT/SPF value ("a" "b" as Route 53 gives it) re-quoted for BIND, with
 * strings longer than 255 bytes split. */
void zone_txt(const char *value, struct buf *out);

#endif
