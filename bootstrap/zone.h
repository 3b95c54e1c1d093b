/*
 * zone.h — Route 53 record sets to a BIND zone file.
 *
 * Every type Route 53 serves (A, AAAA, CAA, CNAME, DS, MX, NAPTR, NS, PTR,
 * SOA, SPF, SRV, TXT).  Names are made relative to the zone ("@" for the
 * apex) and Route 53's octal escapes (\052 for '*') become BIND's
 * presentation form; TXT and SPF strings are re-quoted and split at 255
 * bytes.  The SOA serial is roleboot's own.
 *
 * Alias records (zone_alias_kind):
 *   - target in a synced zone: the target's record sets of the same type,
 *     with their TTL (left out when the target is not there);
 *   - target outside the synced zones (CloudFront, ELB, S3, a zone not
 *     synced): a CNAME to the alias's DNSName with the TTL alias_ttl
 *     (Route 53 aliases have none), unless a CNAME may not be there: at
 *     the apex, or beside other record sets of the name (a TXT, an alias to
 *     another target).  There an A or AAAA alias gets the addresses looked
 *     up for its DNSName at sync time (zone_src.addrs, see resolve.h), with
 *     alias_ttl; without them, or of another type, it is left out.
 * Nothing here asks the network: the caller looks the addresses up first.
 * The record sets of one name must be next to each other in recs, as
 * ListResourceRecordSets gives them (sorted by name).
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
	const char *name; /* "corp.example.com", no final dot */
	const char *id;   /* hosted zone id */
	const struct r53_records *recs;
	const struct r53_records *addrs; /* or NULL: addresses of alias targets,
					    Name the DNSName, Type A or AAAA, TTL
					    and values (none: the lookup failed) */
	long alias_ttl;                  /* TTL of what aliases out of the synced zones give */
};

/* The sync agent's default alias_ttl (config key alias-ttl). */
#define ZONE_ALIAS_TTL 60

enum zone_alias {
	ZONE_ALIAS_NOT,     /* not an alias */
	ZONE_ALIAS_SYNCED,  /* target in a synced zone: its record sets */
	ZONE_ALIAS_MISSING, /* into a synced zone, which lacks the target */
	ZONE_ALIAS_CNAME,   /* outside: a CNAME to its DNSName */
	ZONE_ALIAS_ADDRESS, /* outside, no CNAME possible: looked-up A/AAAA */
	ZONE_ALIAS_NONE,    /* outside, no CNAME possible, another type */
};

/* How record i of zone z (an alias or not) is served. */
enum zone_alias zone_alias_kind(const struct zone_src *z, const struct zone_src *all, size_t nall,
                                size_t i);
/* Why alias record i of z gives no record (owned text, "zone Z: alias N T
 * -> TARGET: why: left out"), or NULL when it gives some. */
char *zone_alias_problem(const struct zone_src *z, const struct zone_src *all, size_t nall,
                         size_t i);

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
