/* r53d_tsig.c — see r53d_tsig.h */
#include "r53d_tsig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const char *const accepted[] = {"hmac-md5.sig-alg.reg.int.",
                                       "hmac-sha1.",
                                       "hmac-sha224.",
                                       "hmac-sha256.",
                                       "hmac-sha384.",
                                       "hmac-sha512."};

/* 1 when this libldns computes algorithm alg (ldns 1.8.3 misspells
 * hmac-sha384: see packaging/README.md); asked once per algorithm. */
static int ldns_has(const char *alg)
{
	static int known[8]; /* 0 not asked, 1 yes, 2 no; indexed as accepted[] */
	ldns_pkt *p;
	size_t i;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]) && strcmp(accepted[i], alg); i++)
		;
	if (i == sizeof(accepted) / sizeof(accepted[0]))
		return 0;
	if (!known[i]) {
		p = ldns_pkt_new();
		known[i] = p && ldns_pkt_tsig_sign(p, "probe.", "cHJvYmU=", 300, alg, NULL) ==
		                                   LDNS_STATUS_OK
		                   ? 1
		                   : 2;
		ldns_pkt_free(p);
	}
	return known[i] == 1;
}

/* The algorithm's name as ldns knows it, when accepted for key; else NULL. */
static const char *algorithm(const struct r53d_key *key, const char *name)
{
	size_t i, n;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		if (strcasecmp(name, accepted[i]))
			continue;
		if (!key->algorithm)
			return accepted[i];
		n = strlen(key->algorithm);
		return !strncasecmp(accepted[i], key->algorithm, n) && (accepted[i][n] == '.')
		               ? accepted[i]
		               : NULL;
	}
	return NULL;
}

static uint64_t time_signed(const ldns_rdf *r)
{
	const uint8_t *d = ldns_rdf_data(r);
	uint64_t t = 0;
	size_t i;

	if (ldns_rdf_size(r) != 6)
		return 0;
	for (i = 0; i < 6; i++)
		t = (t << 8) | d[i];
	return t;
}

enum r53d_tsig r53d_tsig_check(const struct r53d_config *c, ldns_pkt *p, const uint8_t *wire,
                               size_t len, const char *client, time_t now,
                               const struct r53d_key **key, char *why, size_t wlen)
{
	ldns_rr *t = ldns_pkt_tsig(p);
	char *owner = NULL, *alg = NULL;
	enum r53d_tsig r = TSIG_BADKEY;
	const char *known;
	uint64_t signed_at;
	long fudge;

	*key = r53d_key_of(c, client);
	if (!t) {
		snprintf(why, wlen, "not signed (TSIG required)");
		return TSIG_UNSIGNED;
	}
	if (ldns_rr_rd_count(t) < 7) {
		snprintf(why, wlen, "malformed TSIG record");
		return TSIG_BADSIG;
	}
	owner = ldns_rdf2str(ldns_rr_owner(t));
	alg = ldns_rdf2str(ldns_rr_rdf(t, 0));
	if (!*key) {
		snprintf(why, wlen, "no key for this address in [tsig] (signed with %s)",
		         owner ? owner : "?");
		goto out;
	}
	if (!owner || strcasecmp(owner, (*key)->name)) {
		snprintf(why, wlen, "signed with key %s, but this address must use %s",
		         owner ? owner : "?", (*key)->name);
		goto out;
	}
	known = alg ? algorithm(*key, alg) : NULL;
	if (!known) {
		snprintf(why, wlen, "key %s: algorithm %s is not accepted", (*key)->name,
		         alg ? alg : "?");
		goto out;
	}
	if (!ldns_has(known)) {
		snprintf(why, wlen, "key %s: %s is not available in this build's libldns %s",
		         (*key)->name, known, ldns_version());
		goto out;
	}
	if (!ldns_pkt_tsig_verify(p, wire, len, (*key)->name, (*key)->secret, NULL)) {
		snprintf(why, wlen, "key %s: the signature does not verify", (*key)->name);
		r = TSIG_BADSIG;
		goto out;
	}
	signed_at = time_signed(ldns_rr_rdf(t, 1));
	fudge = ldns_rdf2native_int16(ldns_rr_rdf(t, 2));
	if (fudge > c->fudge)
		fudge = c->fudge;
	if ((int64_t)signed_at < (int64_t)now - fudge ||
	    (int64_t)signed_at > (int64_t)now + fudge) {
		snprintf(why, wlen, "key %s: signed %lld s from this clock (fudge %ld s)",
		         (*key)->name, (long long)((int64_t)signed_at - (int64_t)now), fudge);
		r = TSIG_BADTIME;
		goto out;
	}
	r = TSIG_OK;
out:
	free(owner);
	free(alg);
	return r;
}

int r53d_tsig_sign(ldns_pkt *answer, const ldns_pkt *req, const struct r53d_key *key, long fudge)
{
	ldns_rr *t = ldns_pkt_tsig(req);
	char *alg = ldns_rdf2str(ldns_rr_rdf(t, 0));
	int ret;

	ret = alg && ldns_pkt_tsig_sign(answer, key->name, key->secret, (uint16_t)fudge, alg,
	                                ldns_rr_rdf(t, 3)) == LDNS_STATUS_OK
	              ? 0
	              : -1;
	free(alg);
	return ret;
}
