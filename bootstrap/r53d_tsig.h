/*
 * r53d_tsig.h — TSIG (RFC 8945) for route53d, over libldns: the key must be
 * the one [tsig] names for the client's address, the algorithm one of
 * hmac-md5, -sha1, -sha224, -sha256, -sha384, -sha512 (or the key's own),
 * the MAC right (ldns_pkt_tsig_verify) and the time within the fudge.
 * Answers to a verified request are signed with the same key.
 */
#ifndef ROLEBOOT_R53D_TSIG_H
#define ROLEBOOT_R53D_TSIG_H

#include <ldns/ldns.h>
#include <stdint.h>
#include <time.h>

#include "r53d_config.h"

enum r53d_tsig {
	TSIG_OK = 0,
	TSIG_UNSIGNED = 1, /* no TSIG record */
	TSIG_BADKEY = 17,  /* RFC 8945 error codes */
	TSIG_BADSIG = 16,
	TSIG_BADTIME = 18,
};

/* Check the TSIG of p (parsed from wire[0..len)) sent by client at now;
 * *key is set when a key is known for the client.  why gets one line. */
enum r53d_tsig r53d_tsig_check(const struct r53d_config *c, ldns_pkt *p, const uint8_t *wire,
                               size_t len, const char *client, time_t now,
                               const struct r53d_key **key, char *why, size_t wlen);
/* Sign the answer to req (whose TSIG verified with key); 0 or -1. */
int r53d_tsig_sign(ldns_pkt *answer, const ldns_pkt *req, const struct r53d_key *key, long fudge);

#endif
