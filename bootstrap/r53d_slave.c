/* r53d_slave.c — see r53d_slave.h */
#include "r53d_slave.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dnsupdate.h"
#include "fetch.h"
#include "r53.h"
#include "r53_change.h"

#define AXFR_MAX_RECORDS 2000000

/* The serial each [slave] zone was last mirrored at, in this worker. */
static struct {
	char *zone;
	uint32_t serial;
} seen[64];

static int seen_serial(const char *zone, uint32_t serial, int set)
{
	size_t i;

	for (i = 0; i < sizeof(seen) / sizeof(seen[0]) && seen[i].zone; i++) {
		if (strcmp(seen[i].zone, zone))
			continue;
		if (set)
			seen[i].serial = serial;
		return seen[i].serial == serial;
	}
	if (set && i < sizeof(seen) / sizeof(seen[0])) {
		seen[i].zone = xstrdup(zone);
		seen[i].serial = serial;
	}
	return 0;
}

/* The whole zone from its primary; -1 with why. */
static int transfer(const struct r53d_slave *s, const ldns_rdf *zone, ldns_rr_list **out, char *why,
                    size_t len)
{
	ldns_resolver *res = ldns_resolver_new();
	ldns_rdf *ns = ldns_rdf_new_frm_str(
	        strchr(s->master, ':') ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, s->master);
	struct timeval tv = {10, 0};
	ldns_status st;
	ldns_rr *rr;
	int ret = -1;

	*out = ldns_rr_list_new();
	if (!res || !ns || ldns_resolver_push_nameserver(res, ns) != LDNS_STATUS_OK) {
		snprintf(why, len, "cannot set up a transfer from %s", s->master);
		goto done;
	}
	ldns_resolver_set_port(res, (uint16_t)s->port);
	ldns_resolver_set_timeout(res, tv);
	ldns_resolver_set_retry(res, 1);
	st = ldns_axfr_start(res, zone, LDNS_RR_CLASS_IN);
	if (st != LDNS_STATUS_OK) {
		snprintf(why, len, "AXFR from %s port %u: %s", s->master, s->port,
		         ldns_get_errorstr_by_id(st));
		goto done;
	}
	while ((rr = ldns_axfr_next(res))) {
		if (ldns_rr_list_rr_count(*out) >= AXFR_MAX_RECORDS) {
			ldns_rr_free(rr);
			ldns_axfr_abort(res);
			snprintf(why, len, "AXFR from %s: more than %d records", s->master,
			         AXFR_MAX_RECORDS);
			goto done;
		}
		ldns_rr_list_push_rr(*out, rr);
	}
	if (!ldns_axfr_complete(res)) {
		snprintf(why, len,
		         "AXFR from %s port %u: incomplete (%zu records; refused or cut off)",
		         s->master, s->port, ldns_rr_list_rr_count(*out));
		goto done;
	}
	ret = 0;
done:
	if (ret < 0) {
		ldns_rr_list_deep_free(*out);
		*out = NULL;
	}
	ldns_rdf_deep_free(ns);
	ldns_resolver_deep_free(res);
	return ret;
}

static void batch_copy(struct r53_batch *to, const struct r53_change *c)
{
	char **v = c->rec.nvalues ? xcalloc(c->rec.nvalues, sizeof(*v)) : NULL;
	size_t i;

	for (i = 0; i < c->rec.nvalues; i++)
		v[i] = xstrdup(c->rec.values[i]);
	r53_batch_add(to, c->action, c->rec.name, c->rec.type, c->rec.ttl, v, c->rec.nvalues);
}

static int same_set(const struct r53_change *a, const struct r53_change *b)
{
	return !strcasecmp(a->rec.name, b->rec.name) && !strcmp(a->rec.type, b->rec.type);
}

/* Send part (when it holds changes) as one batch, then empty it. */
static int flush(struct r53_client *api, const char *id, struct r53_batch *part, unsigned *batches,
                 char *why, size_t len)
{
	struct r53_change_error err;
	int ret = 0;

	if (!part->n)
		return 0;
	part->comment = xstrdup("roleboot route53d: zone transfer");
	if (r53_change(api, id, part, &err) != R53_APPLIED) {
		snprintf(why, len, "AWS error %s: %s", err.code[0] ? err.code : "(none)", err.text);
		ret = -1;
	}
	(*batches)++;
	r53_batch_release(part);
	return ret;
}

/* Send b in batches of about R53D_BATCH_VALUES values, each set's DELETE
 * and CREATE together; 0, or -1 with why after the first refused batch. */
static int send_all(struct r53_client *api, const char *id, const struct r53_batch *b,
                    unsigned *batches, char *why, size_t len)
{
	struct r53_batch part;
	char *taken = b->n ? xcalloc(b->n, 1) : NULL;
	size_t i, j, values = 0;
	int ret = 0;

	*batches = 0;
	memset(&part, 0, sizeof(part));
	for (i = 0; i < b->n && ret == 0; i++) {
		if (taken[i])
			continue;
		/* this set's changes: its DELETE, and a CREATE later in b */
		for (j = i; j < b->n; j++) {
			if (taken[j] || (j > i && !same_set(&b->changes[i], &b->changes[j])))
				continue;
			batch_copy(&part, &b->changes[j]);
			values += b->changes[j].rec.nvalues;
			taken[j] = 1;
		}
		if (values >= R53D_BATCH_VALUES) {
			ret = flush(api, id, &part, batches, why, len);
			values = 0;
		}
	}
	if (ret == 0)
		ret = flush(api, id, &part, batches, why, len);
	r53_batch_release(&part);
	free(taken);
	return ret;
}

int r53d_slave_sync(const struct r53d_config *c, const struct r53d_slave *s, struct buf *log)
{
	struct r53_client api = {.endpoint = c->endpoint,
	                         .key_id = c->creds.key_id,
	                         .secret = c->creds.secret,
	                         .token = c->creds.token,
	                         .page_size = 300};
	const struct r53_zone *z = r53d_zone_of(c, s->zone);
	ldns_rdf *zone = ldns_dname_new_frm_str(s->zone);
	struct r53_records cur = {NULL, 0, 0, NULL};
	struct dnsupdate_mirror_counts n;
	ldns_rr_list *axfr = NULL;
	struct fetch_config fc;
	struct r53_batch b;
	char why[1200] = "";
	uint32_t serial = 0;
	unsigned batches = 0;
	char *found = NULL;
	const char *id;
	int tries;
	ldns_rr *soa;
	int ret = -1;

	memset(&b, 0, sizeof(b));
	if (!zone)
		goto out;
	/* a primary that sent NOTIFY while it starts may not take the transfer
	 * yet: two more tries, 1 and 2 s later */
	for (tries = 0; transfer(s, zone, &axfr, why, sizeof(why)) < 0; tries++) {
		if (tries == 2)
			goto out;
		sleep((unsigned)tries + 1);
	}
	why[0] = '\0';
	soa = ldns_rr_list_rr_count(axfr) ? ldns_rr_list_rr(axfr, 0) : NULL;
	if (soa && ldns_rr_get_type(soa) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(soa) > 2)
		serial = ldns_rdf2native_int32(ldns_rr_rdf(soa, 2));
	if (seen_serial(s->zone, serial, 0)) {
		buf_printf(log, " serial %u already mirrored: nothing to do", serial);
		ret = 0;
		goto out;
	}
	fetch_config_defaults(&fc);
	fc.deadline = fetch_now() + 300.0;
	fc.connect_timeout = 5;
	fetch_configure(&fc);
	if (!z && r53_zone_id(&api, s->zone, -1, &found) < 0) {
		snprintf(why, sizeof(why), "no hosted zone id: %s", msg_last_error());
		goto out;
	}
	id = z ? z->id : found;
	if (r53_list_records(&api, id, &cur) < 0) {
		snprintf(why, sizeof(why), "cannot read %s from Route 53: %s", s->zone,
		         msg_last_error());
		goto out;
	}
	dnsupdate_mirror(axfr, zone, &cur, &b, &n);
	buf_printf(log, " AXFR serial %u: %zu records, %zu record sets; %zu changes", serial,
	           ldns_rr_list_rr_count(axfr), n.sets, b.n);
	if (n.skipped)
		buf_printf(log, " (%zu sets left alone: aliases, routing policies or odd names)",
		           n.skipped);
	if (!b.n || c->dry_run) {
		if (b.n)
			buf_puts(log, " (dry-run: nothing sent)");
		ret = 0;
		seen_serial(s->zone, serial, !c->dry_run);
		goto out;
	}
	if (send_all(&api, id, &b, &batches, why, sizeof(why)) < 0)
		goto out;
	buf_printf(log, " in %u batch%s", batches, batches == 1 ? "" : "es");
	seen_serial(s->zone, serial, 1);
	ret = 0;
out:
	if (why[0])
		buf_printf(log, " (%s)", why);
	r53_client_release(&api);
	free(found);
	r53_batch_release(&b);
	r53_records_release(&cur);
	ldns_rr_list_deep_free(axfr);
	ldns_rdf_deep_free(zone);
	return ret;
}
