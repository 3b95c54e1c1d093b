/* t_dnsupdate.c — RFC 2136 UPDATEs against Route 53 record sets: rcodes
 * and the exact change batches. */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsupdate.h"
#include "unit.h"

#define ZONE "corp.example.com."

/* The zone as Route 53 holds it for every case. */
static void zone_data(struct r53_records *z)
{
	static const char *const data[][4] = {
	        {ZONE, "SOA", "900",
	         "ns-1.awsdns-1.com. hostmaster.example.com. 1 7200 900 1209600 86400"},
	        {ZONE, "NS", "172800", "ns-1.awsdns-1.com."},
	        {"www." ZONE, "A", "300", "192.0.2.1"},
	        {"two." ZONE, "A", "60", "192.0.2.1|192.0.2.2"},
	        {"two." ZONE, "TXT", "60", "\"hello world\""},
	        {"cn." ZONE, "CNAME", "300", "www.corp.example.com."},
	        {"\\052.wild." ZONE, "A", "300", "192.0.2.9"},
	        {"alias." ZONE, "A", "0", "@alias"},
	        {"mx." ZONE, "MX", "300", "10 Mail.Example.com."},
	        {"u." ZONE, "TXT", "60", "\"caf\\303\\251 \\\"q\\\" \\\\1\""},
	};
	size_t i;
	char *v, *save = NULL, *tok;

	memset(z, 0, sizeof(*z));
	z->cap = 16;
	z->recs = calloc(z->cap, sizeof(*z->recs));
	for (i = 0; i < sizeof(data) / sizeof(data[0]); i++) {
		struct r53_record *r = &z->recs[z->n++];

		r->name = strdup(data[i][0]);
		r->type = strdup(data[i][1]);
		r->ttl = atol(data[i][2]);
		r->weight = -1;
		if (!strcmp(data[i][3], "@alias")) {
			r->alias_zone = strdup("Z2FDTNDATAQYW2");
			r->alias_name = strdup("d111.cloudfront.net.");
			continue;
		}
		v = strdup(data[i][3]);
		for (tok = strtok_r(v, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
			r->values = realloc(r->values, (r->nvalues + 1) * sizeof(char *));
			r->values[r->nvalues++] = strdup(tok);
		}
		free(v);
	}
}

/* "owner ttl CLASS TYPE [rdata]" with CLASS IN, ANY or NONE. */
static ldns_rr *rr(const char *text)
{
	char owner[256], cls[16], type[16], rest[256] = "";
	unsigned long ttl;
	ldns_rr *r = NULL;
	char *line;

	if (sscanf(text, "%255s %lu %15s %15s %255[^\n]", owner, &ttl, cls, type, rest) < 4)
		return NULL;
	if (rest[0]) {
		line = xasprintf("%s %lu IN %s %s", owner, ttl, type, rest);
		if (ldns_rr_new_frm_str(&r, line, 0, NULL, NULL) != LDNS_STATUS_OK)
			r = NULL;
		free(line);
	} else {
		r = ldns_rr_new();
		ldns_rr_set_owner(r, ldns_dname_new_frm_str(owner));
		ldns_rr_set_type(r, ldns_get_rr_type_by_name(type));
		ldns_rr_set_ttl(r, (uint32_t)ttl);
	}
	if (r)
		ldns_rr_set_class(r, !strcmp(cls, "ANY")    ? LDNS_RR_CLASS_ANY
		                     : !strcmp(cls, "NONE") ? LDNS_RR_CLASS_NONE
		                                            : LDNS_RR_CLASS_IN);
	return r;
}

/* pre and upd: RRs separated by ';'. */
static void check(const char *what, const char *pre, const char *upd, int want_rc, const char *want)
{
	ldns_rr_list *pl = ldns_rr_list_new(), *ul = ldns_rr_list_new();
	ldns_rdf *zone = ldns_dname_new_frm_str(ZONE);
	struct r53_records cur;
	struct r53_batch b;
	struct buf d = BUF_INIT;
	char why[512] = "", label[1024], *s, *tok, *save = NULL;
	ldns_pkt *p;
	int rc;

	zone_data(&cur);
	memset(&b, 0, sizeof(b));
	s = strdup(pre);
	for (tok = strtok_r(s, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
		ldns_rr_list_push_rr(pl, rr(tok));
	free(s);
	s = strdup(upd);
	for (tok = strtok_r(s, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
		ldns_rr_list_push_rr(ul, rr(tok));
	free(s);
	p = ldns_update_pkt_new(ldns_rdf_clone(zone), LDNS_RR_CLASS_IN, pl, ul, NULL);
	rc = dnsupdate_eval(p, zone, &cur, &b, why, sizeof(why));
	r53_batch_describe(&b, &d);
	snprintf(label, sizeof(label), "%s: rcode %d (want %d) [%s] batch: %s", what, rc, want_rc,
	         why, d.data ? d.data : "");
	OK(rc == want_rc && !strcmp(d.data ? d.data : "", want), label);
	buf_release(&d);
	r53_batch_release(&b);
	r53_records_release(&cur);
	ldns_pkt_free(p); /* it holds copies of the records */
	ldns_rr_list_deep_free(pl);
	ldns_rr_list_deep_free(ul);
	ldns_rdf_deep_free(zone);
}

int main(void)
{
	check("add to a set", "", "www." ZONE " 300 IN A 192.0.2.2", 0,
	      "DELETE www.corp.example.com. A 300 [192.0.2.1], "
	      "CREATE www.corp.example.com. A 300 [192.0.2.1 192.0.2.2]");
	check("add a new name", "", "new." ZONE " 120 IN A 192.0.2.7", 0,
	      "CREATE new.corp.example.com. A 120 [192.0.2.7]");
	check("add what is there", "", "www." ZONE " 300 IN A 192.0.2.1", 0, "");
	check("add with a new TTL", "", "www." ZONE " 60 IN A 192.0.2.1", 0,
	      "DELETE www.corp.example.com. A 300 [192.0.2.1], "
	      "CREATE www.corp.example.com. A 60 [192.0.2.1]");
	check("delete one record", "", "two." ZONE " 0 NONE A 192.0.2.1", 0,
	      "DELETE two.corp.example.com. A 60 [192.0.2.1 192.0.2.2], "
	      "CREATE two.corp.example.com. A 60 [192.0.2.2]");
	check("delete the last record", "", "www." ZONE " 0 NONE A 192.0.2.1", 0,
	      "DELETE www.corp.example.com. A 300 [192.0.2.1]");
	check("delete a record that is not there", "", "www." ZONE " 0 NONE A 192.0.2.99", 0, "");
	check("delete an RRset", "", "two." ZONE " 0 ANY TXT", 0,
	      "DELETE two.corp.example.com. TXT 60 [\"hello world\"]");
	check("delete a name", "", "two." ZONE " 0 ANY ANY", 0,
	      "DELETE two.corp.example.com. A 60 [192.0.2.1 192.0.2.2], "
	      "DELETE two.corp.example.com. TXT 60 [\"hello world\"]");
	check("delete the apex keeps SOA and NS", "", ZONE " 0 ANY ANY", 0, "");
	check("the last NS stays", "", ZONE " 0 NONE NS ns-1.awsdns-1.com.", 0, "");
	check("SOA adds are ignored", "", ZONE " 900 IN SOA a.example. b.example. 9 1 1 1 1", 0,
	      "");
	check("a wildcard: its DELETE and CREATE name it alike", "", "*.wild." ZONE " 0 ANY A", 0,
	      "DELETE *.wild.corp.example.com. A 300 [192.0.2.9]");
	check("names compare without case", "", "WWW.Corp.Example.COM. 0 NONE A 192.0.2.1", 0,
	      "DELETE www.corp.example.com. A 300 [192.0.2.1]");
	check("rdata names compare without case", "", "mx." ZONE " 0 NONE MX 10 mail.example.com.",
	      0, "DELETE mx.corp.example.com. MX 300 [10 Mail.Example.com.]");
	check("TXT in presentation form", "", "t." ZONE " 300 IN TXT \"a b\" \"c\"", 0,
	      "CREATE t.corp.example.com. TXT 300 [\"a b\" \"c\"]");
	check("TXT bytes outside ASCII go to Route 53 as octal escapes, a tab too", "",
	      "t." ZONE " 300 IN TXT \"caf\\195\\169\\127\" \"a\\009b \\\"\\\\\"", 0,
	      "CREATE t.corp.example.com. TXT 300 [\"caf\\303\\251\\177\" \"a\\011b \\\"\\\\\"]");
	check("a Route 53 TXT with octal escapes matches the same bytes", "",
	      "u." ZONE " 0 NONE TXT \"caf\\195\\169 \\\"q\\\" \\\\1\"", 0,
	      "DELETE u.corp.example.com. TXT 60 [\"caf\\303\\251 \\\"q\\\" \\\\1\"]");
	check("a Route 53 TXT with octal escapes keeps its form in a merge", "",
	      "u." ZONE " 60 IN TXT \"x\"", 0,
	      "DELETE u.corp.example.com. TXT 60 [\"caf\\303\\251 \\\"q\\\" \\\\1\"], "
	      "CREATE u.corp.example.com. TXT 60 [\"caf\\303\\251 \\\"q\\\" \\\\1\" \"x\"]");
	check("a CNAME beside data is ignored", "", "www." ZONE " 300 IN CNAME x.example.com.", 0,
	      "");
	check("data beside a CNAME is ignored", "", "cn." ZONE " 300 IN A 192.0.2.5", 0, "");
	check("a new CNAME replaces the old", "", "cn." ZONE " 300 IN CNAME x.example.com.", 0,
	      "DELETE cn.corp.example.com. CNAME 300 [www.corp.example.com.], "
	      "CREATE cn.corp.example.com. CNAME 300 [x.example.com.]");
	check("an alias is not changed", "", "alias." ZONE " 300 IN A 192.0.2.5",
	      LDNS_RCODE_REFUSED, "");
	check("an alias is not deleted", "", "alias." ZONE " 0 ANY ANY", LDNS_RCODE_REFUSED, "");
	check("updates in order: add then delete the set", "",
	      "n." ZONE " 300 IN A 192.0.2.1;n." ZONE " 0 ANY A", 0, "");

	check("prerequisite: name in use", "www." ZONE " 0 ANY ANY",
	      "www." ZONE " 300 IN TXT \"x\"", 0, "CREATE www.corp.example.com. TXT 300 [\"x\"]");
	check("prerequisite: name in use, fails", "nope." ZONE " 0 ANY ANY",
	      "nope." ZONE " 300 IN A 192.0.2.1", LDNS_RCODE_NXDOMAIN, "");
	check("prerequisite: an alias puts a name in use", "alias." ZONE " 0 ANY ANY",
	      "x." ZONE " 300 IN A 192.0.2.1", 0, "CREATE x.corp.example.com. A 300 [192.0.2.1]");
	check("prerequisite: name not in use, fails", "www." ZONE " 0 NONE ANY",
	      "www." ZONE " 300 IN A 192.0.2.3", LDNS_RCODE_YXDOMAIN, "");
	check("prerequisite: RRset exists, fails", "www." ZONE " 0 ANY TXT",
	      "www." ZONE " 300 IN A 192.0.2.3", LDNS_RCODE_NXRRSET, "");
	check("prerequisite: RRset does not exist, fails", "www." ZONE " 0 NONE A",
	      "www." ZONE " 300 IN A 192.0.2.3", LDNS_RCODE_YXRRSET, "");
	check("prerequisite: RRset equals",
	      "two." ZONE " 0 IN A 192.0.2.2;two." ZONE " 0 IN A 192.0.2.1", "two." ZONE " 0 ANY A",
	      0, "DELETE two.corp.example.com. A 60 [192.0.2.1 192.0.2.2]");
	check("prerequisite: RRset equals, fails on a subset", "two." ZONE " 0 IN A 192.0.2.2",
	      "two." ZONE " 0 ANY A", LDNS_RCODE_NXRRSET, "");
	check("prerequisite with a TTL", "www." ZONE " 5 ANY ANY", "www." ZONE " 0 ANY A",
	      LDNS_RCODE_FORMERR, "");
	check("prerequisite outside the zone", "www.example.org. 0 ANY ANY", "www." ZONE " 0 ANY A",
	      LDNS_RCODE_NOTZONE, "");
	check("update outside the zone", "", "www.example.org. 300 IN A 192.0.2.1",
	      LDNS_RCODE_NOTZONE, "");
	check("delete with a TTL", "", "www." ZONE " 300 ANY A", LDNS_RCODE_FORMERR, "");
	check("a name Route 53 would write otherwise", "", "a\\032b." ZONE " 300 IN A 192.0.2.1",
	      LDNS_RCODE_REFUSED, "");
	return unit_done();
}
