/*
 * fuzz_dnsupdate.c — a DNS message off the wire (parsed by libldns) taken
 * as an UPDATE of corp.example.com. against a fixed Route 53 zone
 * (dnsupdate_check, dnsupdate_eval), the batch written as the API's XML.
 * Besides crashes and leaks it checks what the evaluation promises: a
 * batch only on NOERROR, every change of a name inside the zone, every
 * DELETE exactly a record set of the zone (its name, type, TTL and values),
 * deletes before creates, never the apex SOA or NS deleted.
 */
#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnsupdate.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ZONE "corp.example.com."

static const char *const zone_data[][4] = {
	{ZONE, "SOA", "900", "ns-1.awsdns-1.com. h.example.com. 1 7200 900 1209600 86400"},
	{ZONE, "NS", "172800", "ns-1.awsdns-1.com."},
	{"www." ZONE, "A", "300", "192.0.2.1"},
	{"two." ZONE, "A", "60", "192.0.2.2"},
	{"two." ZONE, "TXT", "60", "\"hello world\""},
	{"cn." ZONE, "CNAME", "300", "www.corp.example.com."},
	{"\\052.wild." ZONE, "A", "300", "192.0.2.9"},
};
#define NDATA (sizeof(zone_data) / sizeof(zone_data[0]))

static void fill(struct r53_records *z)
{
	size_t i;

	z->n = z->cap = NDATA;
	z->recs = xcalloc(NDATA, sizeof(*z->recs));
	for (i = 0; i < NDATA; i++) {
		z->recs[i].name = xstrdup(zone_data[i][0]);
		z->recs[i].type = xstrdup(zone_data[i][1]);
		z->recs[i].ttl = atol(zone_data[i][2]);
		z->recs[i].weight = -1;
		z->recs[i].values = xcalloc(1, sizeof(char *));
		z->recs[i].values[0] = xstrdup(zone_data[i][3]);
		z->recs[i].nvalues = 1;
	}
}

/* Route 53 writes '*' as \\052; a change names it '*' */
static int same_name(const char *r53, const char *name)
{
	if (!strncmp(r53, "\\052", 4) && name[0] == '*')
		return !strcmp(r53 + 4, name + 1);
	return !strcmp(r53, name);
}

static void check(const struct r53_batch *b)
{
	size_t i, j, nl = strlen(ZONE), n;
	int creating = 0;

	for (i = 0; i < b->n; i++) {
		const struct r53_change *c = &b->changes[i];

		n = strlen(c->rec.name);
		if (n < nl || strcasecmp(c->rec.name + n - nl, ZONE) || !c->rec.nvalues)
			abort();
		if (c->action == R53_CREATE) {
			creating = 1;
			continue;
		}
		if (c->action != R53_DELETE || creating)
			abort(); /* deletes first, nothing but CREATE and DELETE */
		for (j = 0; j < NDATA; j++)
			if (same_name(zone_data[j][0], c->rec.name) &&
			    !strcmp(zone_data[j][1], c->rec.type))
				break;
		if (j == NDATA || c->rec.ttl != atol(zone_data[j][2]) || c->rec.nvalues != 1 ||
		    strcmp(c->rec.values[0], zone_data[j][3]))
			abort(); /* a DELETE is exactly a set Route 53 holds */
		if (!strcmp(c->rec.name, ZONE) &&
		    (!strcmp(c->rec.type, "SOA") || !strcmp(c->rec.type, "NS"))) {
			for (j = i + 1; j < b->n; j++)
				if (b->changes[j].action == R53_CREATE &&
				    !strcmp(b->changes[j].rec.type, c->rec.type))
					break;
			if (j == b->n)
				abort(); /* the apex SOA or NS removed */
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ldns_rdf *zone = ldns_dname_new_frm_str(ZONE);
	struct r53_records cur = {NULL, 0, 0, NULL};
	struct r53_batch b;
	struct buf xml = BUF_INIT;
	ldns_pkt *p = NULL;
	char why[256];
	int rc;

	msg_set_silent(1);
	memset(&b, 0, sizeof(b));
	if (ldns_wire2pkt(&p, data, size) != LDNS_STATUS_OK)
		goto out;
	fill(&cur);
	rc = dnsupdate_eval(p, zone, &cur, &b, why, sizeof(why));
	if (rc != LDNS_RCODE_NOERROR && b.n)
		abort();
	check(&b);
	r53_batch_xml(&b, &xml);
	r53_batch_describe(&b, &xml);
out:
	buf_release(&xml);
	r53_batch_release(&b);
	r53_records_release(&cur);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(zone);
	return 0;
}
