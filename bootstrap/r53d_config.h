/*
 * r53d_config.h — the configuration of `roleboot route53d`: the INI file of
 * the Python route53d (shared/route53d.md), read unchanged, and the AWS
 * credentials found the boto 2 way.
 *
 *   [server]
 *   processes   = 4            ; worker processes (1-64)
 *   dry-run     = 0            ; 1: log each change batch, call nothing
 *   listen_ip   = 192.0.2.30   ; UDP and TCP
 *   listen_port = 53
 *   username    = route53d     ; switched to after binding; required as root
 *   endpoint    = https://...  ; optional: the API endpoint (tests, partitions)
 *   fudge       = 300          ; optional: largest TSIG clock skew accepted, s
 *   [kludge]
 *   delete_ttl  = 300          ; accepted; unused: deletes read the current TTL
 *   [hostedzone]
 *   corp.example.com = Z35M1DXIV1SK14
 *   [tsig]
 *   192.0.2.41  = KEYNAME BASE64SECRET [ALGORITHM]
 *   [slave]
 *   lab.example.com = 192.0.2.53   ; or 192.0.2.53:5353, [2001:db8::53]:53
 *
 * Errors name FILE:LINE.  A file holding [tsig] secrets that others may
 * read is refused.  Credentials: AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from the environment, else
 * [Credentials] aws_access_key_id / aws_secret_access_key of the boto file:
 * $BOTO_CONFIG, else /etc/boto.cfg, else ~/.boto (mode 0600 or 0640).
 * Endpoint: the config's, else AWS_ENDPOINT_URL_ROUTE_53, else
 * AWS_ENDPOINT_URL, else https://route53.amazonaws.com.
 */
#ifndef ROLEBOOT_R53D_CONFIG_H
#define ROLEBOOT_R53D_CONFIG_H

#include <stddef.h>

#include "awscreds.h"
#include "r53.h"

struct r53d_key {
	char *client;    /* owned: the client's address, as inet_ntop writes it */
	char *name;      /* owned: key name, absolute, lower case */
	char *secret;    /* owned: base64 */
	char *algorithm; /* owned or NULL: any of the accepted HMACs */
};

struct r53d_slave {
	char *zone;    /* owned: absolute, lower case; its id from [hostedzone],
			   else looked up by name (r53_zone_id) */
	char *master;  /* owned: the primary's address, as inet_ntop writes it */
	unsigned port; /* the primary's port (53 unless IP:PORT) */
	int line;
};

struct r53d_config {
	char *where; /* owned: the file name */
	unsigned processes, listen_port;
	int dry_run;
	long delete_ttl, fudge;
	char *listen_ip, *username, *endpoint; /* owned; username may be NULL */
	/* owned: [hostedzone]; each name absolute, lower case, id without
	 * /hostedzone/, private_zone -1 (not known) */
	struct r53_zone *zones;
	size_t nzones;
	struct r53d_key *keys; /* owned */
	size_t nkeys;
	struct r53d_slave *slaves; /* owned */
	size_t nslaves;
	struct awscreds creds; /* owned: the AWS credentials (awscreds.h) */
};

/* The config from memory (no credentials, no mode check); -1 with one
 * error printed, c left released. */
int r53d_config_parse(const char *where, const char *text, size_t len, struct r53d_config *c);
/* Read path, check its mode, parse it; -1 with one error, c released. */
int r53d_config_load(const char *path, struct r53d_config *c);
/* Find the AWS credentials (see above); -1 with one error printed. */
int r53d_config_credentials(struct r53d_config *c);
void r53d_config_release(struct r53d_config *c);

const struct r53_zone *r53d_zone_of(const struct r53d_config *c, const char *name);
const struct r53d_key *r53d_key_of(const struct r53d_config *c, const char *client);
const struct r53d_slave *r53d_slave_of(const struct r53d_config *c, const char *zone);

#endif
