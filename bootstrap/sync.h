/*
 * sync.h — `roleboot sync`: Route 53 hosted zones to BIND zone files.
 *
 * Config (INI, default /etc/roleboot/sync.ini; errors name FILE:LINE):
 *   [sync]
 *   directory   = /var/named/roleboot   ; zone files: DIRECTORY/NAME.zone
 *   interval    = 60                    ; seconds between syncs (loop mode)
 *   jitter      = 10                    ; up to this many seconds added
 *   endpoint    = https://…             ; API endpoint (tests, other partitions)
 *   rndc        = /usr/sbin/rndc -k /etc/rndc.key   ; "reload ZONE" is added
 *   checkzone   = named-checkzone       ; "ZONE FILE" is added
 *   credentials = /etc/roleboot/aws.ini ; boto-style key file, mode 0600/0640
 *   status      = /var/lib/roleboot/sync-status
 *   alias-ttl   = 60                    ; TTL of CNAMEs and addresses made of
 *                                       ; aliases out of the synced zones (zone.h)
 *   resolver    = 10.0.0.2 [::1]:5353   ; ADDR[:PORT]...: apex alias lookups
 *                                       ; (resolve.h); default /etc/resolv.conf
 *   [zone "corp.example.com"]
 *   id = Z1ABC                          ; optional: looked up by name
 *   private = yes                       ; or no: which of the zones of
 *                                       ; that name, when not given by id
 *
 * Credentials, as AWS's own tools find them: AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; otherwise the profile
 * AWS_PROFILE (default "default") of the credentials file: the config's
 * `credentials`, else AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.
 * Endpoint: the config's, else AWS_ENDPOINT_URL_ROUTE_53, else
 * AWS_ENDPOINT_URL, else https://route53.amazonaws.com.
 *
 * A zone without id is looked up by name (r53_zone_id): when several
 * hosted zones have that name (public and private), private picks one, and
 * without it the zone fails naming every id.
 *
 * One sync lists every zone (aliases may cross zones), with one API client
 * whose backoff pace carries from zone to zone (r53.h); then it looks up
 * the addresses of the alias targets that need them (zone.h, resolve.h),
 * once per name and type, and warns for each alias left out (a failed
 * lookup, say); then for each zone
 * renders the file (zone.h); when its content changed it takes a new
 * serial, is written atomically, checked with named-checkzone before it
 * replaces the old file, and `rndc reload ZONE` runs.  Unchanged data
 * leaves the file byte-identical and runs nothing.  A zone that fails
 * keeps its old file; the status file records per zone the last success
 * with its records and serial (a failure leaves these as they were),
 * duration and last error.
 */
#ifndef ROLEBOOT_SYNC_H
#define ROLEBOOT_SYNC_H

#include <stddef.h>
#include <time.h>

#include "awscreds.h"
#include "r53.h"
#include "resolve.h"

struct sync_zone {
	char *name;       /* owned, no final dot */
	char *id;         /* owned or NULL until looked up */
	int private_zone; /* private = yes (1) | no (0); -1: not set */
	int line;
	struct r53_records recs;
	time_t last_success;  /* these three: of the last success, kept */
	unsigned long serial; /* across failures (and read back from the */
	size_t records;       /* status file on the first pass) */
	int loaded;           /* the status file was read */
	double ms;
	int changed;
	char *error; /* owned: last error, NULL when none */
};

struct sync_config {
	char *where;
	char *directory, *endpoint, *rndc, *checkzone, *credentials, *status; /* owned */
	long interval, jitter;
	long alias_ttl;                   /* alias-ttl, default ZONE_ALIAS_TTL (zone.h) */
	struct resolve_server *resolvers; /* owned: resolver = ...; none: resolv.conf */
	size_t nresolvers;
	struct sync_zone *zones; /* owned */
	size_t nzones;
	struct awscreds creds; /* owned: the AWS credentials (awscreds.h) */
};

/* unwritten: zone files that could not be written (a full disk, say), and
 * the status file when nothing else failed; such a pass exits 8. */
struct sync_counts {
	unsigned zones_changed, zones_failed, zones_unfetched, unwritten, reloads, requests,
	        throttled;
};

int sync_config_load(const char *path, struct sync_config *c);
/* The config from memory: text[0..len) parsed as the file named where (for
 * messages), defaults filled in; credentials are not looked up.
 * sync_config_load() reads the file, calls this, then finds the credentials.
 * c is overwritten; on failure (-1, one error printed) it is left released. */
int sync_config_parse(const char *where, const char *text, size_t len, struct sync_config *c);
void sync_config_release(struct sync_config *c);
/* One pass over every zone; 0 when every zone synced and the status file
 * was written, -1 otherwise. */
int sync_run(struct sync_config *c, struct sync_counts *counts);

#endif
