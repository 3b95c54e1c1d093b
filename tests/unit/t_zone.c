/* t_zone.c — Route 53 names and TXT values in BIND presentation form, and
 * how zone_render serves alias records (zone.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "zone.h"

static void name_case(const char *r53, const char *zone, const char *want)
{
	struct buf b = BUF_INIT;
	char what[256];

	zone_name(r53, zone, &b);
	snprintf(what, sizeof(what), "name %s in %s -> %s (got %s)", r53, zone, want, b.data);
	OK(b.data && !strcmp(b.data, want), what);
	buf_release(&b);
}

static void txt_case(const char *value, const char *want)
{
	struct buf b = BUF_INIT;
	char what[512];

	zone_txt(value, &b);
	snprintf(what, sizeof(what), "txt %.60s -> %.60s (got %.60s)", value, want, b.data);
	OK(b.data && !strcmp(b.data, want), what);
	buf_release(&b);
}

/* Record sets for the alias cases: (name, type, ttl, value or NULL, alias
 * zone, alias DNSName). */
static void add(struct r53_records *l, const char *name, const char *type, long ttl,
                const char *value, const char *azone, const char *aname)
{
	struct r53_record *r;

	l->recs = realloc(l->recs, (l->n + 1) * sizeof(*l->recs));
	r = &l->recs[l->n++];
	memset(r, 0, sizeof(*r));
	r->name = strdup(name);
	r->type = strdup(type);
	r->ttl = ttl;
	r->weight = -1;
	if (value) {
		r->values = malloc(sizeof(*r->values));
		r->values[0] = strdup(value);
		r->nvalues = 1;
	}
	r->alias_zone = azone ? strdup(azone) : NULL;
	r->alias_name = aname ? strdup(aname) : NULL;
	l->cap = l->n;
}

#define ELB "Z35SXDOTRQ7X7K"
#define LBNAME "dualstack.x.elb.amazonaws.com."

/* The line of out that starts with prefix, or NULL. */
static int has_line(const struct buf *out, const char *line)
{
	char *want = malloc(strlen(line) + 3);
	int found;

	sprintf(want, "\n%s\n", line);
	found = out->data && strstr(out->data, want) != NULL;
	free(want);
	return found;
}

static int count_lines(const struct buf *out, const char *part)
{
	const char *p = out->data;
	int n = 0;

	while (p && (p = strstr(p, part))) {
		n++;
		p++;
	}
	return n;
}

static void aliases(void)
{
	struct r53_records corp = {NULL, 0, 0, NULL}, lab = {NULL, 0, 0, NULL},
	                   addrs = {NULL, 0, 0, NULL};
	struct zone_src all[2] = {{"corp.example.com", "Z1CORP", &corp, &addrs, 60},
	                          {"lab.example.com", "Z2LAB", &lab, &addrs, 60}};
	struct buf out = BUF_INIT;
	size_t n;
	char *why;

	add(&lab, "web.lab.example.com.", "A", 300, "198.51.100.7", NULL, NULL);
	add(&corp, "api.corp.example.com.", "A", 0, NULL, "/hostedzone/Z2LAB",
	    "web.lab.example.com.");
	add(&corp, "gone.corp.example.com.", "A", 0, NULL, "Z2LAB", "nothere.lab.example.com.");
	add(&corp, "lb.corp.example.com.", "A", 0, NULL, ELB, LBNAME);
	add(&corp, "lb.corp.example.com.", "AAAA", 0, NULL, ELB, LBNAME);
	add(&corp, "corp.example.com.", "A", 0, NULL, ELB, LBNAME);
	add(&corp, "corp.example.com.", "AAAA", 0, NULL, ELB, LBNAME);
	add(&corp, "corp.example.com.", "MX", 0, NULL, ELB, "mx.elsewhere.example.");
	add(&corp, "mixed.corp.example.com.", "A", 0, NULL, ELB, LBNAME);
	add(&corp, "mixed.corp.example.com.", "TXT", 300, "\"hi\"", NULL, NULL);
	add(&corp, "two.corp.example.com.", "A", 0, NULL, ELB, LBNAME);
	add(&corp, "two.corp.example.com.", "AAAA", 0, NULL, ELB, "other.elb.amazonaws.com.");
	add(&corp, "cdn.corp.example.com.", "A", 0, NULL, "Z2FDTNDATAQYW2", "d111.cloudfront.net");
	add(&addrs, LBNAME, "A", 60, "192.0.2.80", NULL, NULL);

	OK(zone_alias_kind(&all[0], all, 2, 0) == ZONE_ALIAS_SYNCED, "alias into a synced zone");
	OK(zone_alias_kind(&all[0], all, 2, 1) == ZONE_ALIAS_MISSING, "alias to a name not there");
	OK(zone_alias_kind(&all[0], all, 2, 2) == ZONE_ALIAS_CNAME, "alias out, not apex: CNAME");
	OK(zone_alias_kind(&all[0], all, 2, 4) == ZONE_ALIAS_ADDRESS, "apex A alias: addresses");
	OK(zone_alias_kind(&all[0], all, 2, 5) == ZONE_ALIAS_ADDRESS, "apex AAAA alias: addresses");
	OK(zone_alias_kind(&all[0], all, 2, 6) == ZONE_ALIAS_NONE, "apex MX alias: none");
	OK(zone_alias_kind(&all[0], all, 2, 7) == ZONE_ALIAS_ADDRESS,
	   "alias beside a TXT: no CNAME, addresses");
	OK(zone_alias_kind(&all[0], all, 2, 9) == ZONE_ALIAS_ADDRESS,
	   "two aliases of one name, two targets: addresses");
	OK(zone_alias_kind(&all[0], all, 2, 8) == ZONE_ALIAS_NOT, "a plain TXT is no alias");

	OK(zone_render(&all[0], all, 2, 1, 0, &out, &n) == 0, "render with aliases");
	OK(has_line(&out, "api\t300\tIN\tA\t198.51.100.7"), "synced target: its records and TTL");
	OK(!strstr(out.data, "gone"), "missing target: left out");
	OK(has_line(&out, "lb\t60\tIN\tCNAME\t" LBNAME), "outside target: a CNAME, alias TTL");
	OK(count_lines(&out, "\nlb\t") == 1, "A and AAAA alias to one target: one CNAME");
	OK(has_line(&out, "cdn\t60\tIN\tCNAME\td111.cloudfront.net."),
	   "a DNSName without a final dot gets one");
	OK(has_line(&out, "@\t60\tIN\tA\t192.0.2.80"),
	   "apex A alias: looked-up address, alias TTL");
	OK(!strstr(out.data, "@\t60\tIN\tAAAA") && !strstr(out.data, "@\t60\tIN\tCNAME") &&
	           !strstr(out.data, "MX"),
	   "apex: no CNAME; AAAA not looked up and MX left out");
	OK(has_line(&out, "mixed\t60\tIN\tA\t192.0.2.80") &&
	           has_line(&out, "mixed\t300\tIN\tTXT\t\"hi\""),
	   "beside a TXT: the address, no CNAME");
	OK(has_line(&out, "two\t60\tIN\tA\t192.0.2.80") && !strstr(out.data, "two\t60\tIN\tCNAME"),
	   "two targets at one name: addresses, no CNAME");
	OK(n == 7, "record count: api, lb, cdn, @ A, mixed A and TXT, two A");

	why = zone_alias_problem(&all[0], all, 2, 1);
	OK(why && strstr(why, "zone corp.example.com: alias gone.corp.example.com. A -> "
	                      "nothere.lab.example.com.: its target is not in the synced zone: "
	                      "left out"),
	   "problem: missing target");
	free(why);
	why = zone_alias_problem(&all[0], all, 2, 5);
	OK(why && strstr(why, "addresses were not looked up: left out"), "problem: no addresses");
	free(why);
	why = zone_alias_problem(&all[0], all, 2, 6);
	OK(why && strstr(why, "not of type A or AAAA"), "problem: apex MX");
	free(why);
	OK(!zone_alias_problem(&all[0], all, 2, 2) && !zone_alias_problem(&all[0], all, 2, 4) &&
	           !zone_alias_problem(&all[0], all, 2, 0),
	   "no problem for a CNAME, found addresses, a synced target");

	all[0].alias_ttl = 120;
	buf_reset(&out);
	OK(zone_render(&all[0], all, 2, 1, 0, &out, &n) == 0 &&
	           has_line(&out, "lb\t120\tIN\tCNAME\t" LBNAME),
	   "alias-ttl sets the CNAME's TTL");
	all[0].addrs = NULL;
	buf_reset(&out);
	OK(zone_render(&all[0], all, 2, 1, 0, &out, &n) == 0 && !strstr(out.data, "\n@\t") &&
	           !strstr(out.data, "\nmixed\t120"),
	   "without looked-up addresses the apex alias is left out");
	buf_release(&out);
	r53_records_release(&corp);
	r53_records_release(&lab);
	r53_records_release(&addrs);
}

/* The records in Route 53's order (names with the labels reversed, types
 * by name within a name: NS before SOA), in reverse and shuffled: the same
 * zone file each time. */
static void order(void)
{
	static const char *const recs[][3] = {
	        {"corp.example.com.", "MX", "10 mx.corp.example.com."},
	        {"corp.example.com.", "NS", "ns-1.awsdns-1.com."},
	        {"corp.example.com.", "SOA",
	         "ns-1.awsdns-1.com. h.amazon.com. 1 7200 900 1209600 86400"},
	        {"a.corp.example.com.", "A", "10.0.0.1"},
	        {"A.corp.example.com.", "AAAA", "2001:db8::1"},
	        {"\\052.b.corp.example.com.", "A", "10.0.0.3"},
	        {"b.corp.example.com.", "TXT", "\"b\""},
	        {"b.corp.example.com.", "A", "10.0.0.2"},
	        {"x.b.corp.example.com.", "CNAME", "b.corp.example.com."},
	        {"z.corp.example.com.", "A", "10.0.0.9"},
	};
	static const size_t perm[][10] = {
	        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
	        {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	        {4, 0, 8, 2, 6, 9, 1, 5, 3, 7},
	};
	struct buf first = BUF_INIT, out = BUF_INIT;
	char what[64];
	size_t p, i, n;

	for (p = 0; p < sizeof(perm) / sizeof(perm[0]); p++) {
		struct r53_records l = {NULL, 0, 0, NULL};
		struct zone_src z = {"corp.example.com", "Z1CORP", &l, NULL, 60};

		for (i = 0; i < 10; i++)
			add(&l, recs[perm[p][i]][0], recs[perm[p][i]][1], 300, recs[perm[p][i]][2],
			    NULL, NULL);
		buf_reset(&out);
		snprintf(what, sizeof(what), "render, order %zu", p);
		OK(zone_render(&z, &z, 1, 5, 0, &out, &n) == 0 && n == 10, what);
		if (!p) {
			buf_add(&first, out.data, out.len);
			OK(!strncmp(out.data, "$ORIGIN corp.example.com.\n@\t300\tIN\tSOA\t", 39) &&
			           has_line(&out, "@\t300\tIN\tNS\tns-1.awsdns-1.com.") &&
			           strstr(out.data, "\nz\t") > strstr(out.data, "\nx.b\t"),
			   "SOA first, then NS, names in canonical order");
		} else {
			snprintf(what, sizeof(what), "order %zu gives the same bytes", p);
			OK(out.len == first.len && !memcmp(out.data, first.data, out.len), what);
		}
		r53_records_release(&l);
	}
	buf_release(&first);
	buf_release(&out);
}

int main(void)
{
	char *long_value = malloc(600), *want = malloc(700);

	name_case("corp.example.com.", "corp.example.com", "@");
	name_case("CORP.Example.com.", "corp.example.com", "@");
	name_case("www.corp.example.com.", "corp.example.com", "www");
	name_case("a.b.corp.example.com.", "corp.example.com", "a.b");
	name_case("\\052.corp.example.com.", "corp.example.com", "*");
	name_case("\\052.wild.corp.example.com.", "corp.example.com", "*.wild");
	name_case("a\\052b.corp.example.com.", "corp.example.com", "a\\042b");
	name_case("_sip._tcp.corp.example.com.", "corp.example.com", "_sip._tcp");
	name_case("other.example.net.", "corp.example.com", "other.example.net.");
	name_case("xcorp.example.com.", "corp.example.com", "xcorp.example.com.");
	name_case("sp\\040ace.corp.example.com.", "corp.example.com", "sp\\032ace");

	txt_case("\"v=spf1 -all\"", "\"v=spf1 -all\"");
	txt_case("\"a\" \"b\"", "\"a\" \"b\"");
	txt_case("\"say \\\"hi\\\"\"", "\"say \\\"hi\\\"\"");
	txt_case("\"back\\\\slash\"", "\"back\\\\slash\"");
	txt_case("\"tab\\011x\"", "\"tab\\009x\"");
	txt_case("bare", "\"bare\"");
	txt_case("\"\"", "\"\"");
	txt_case("", "\"\"");
	memset(long_value, 'x', 600);
	long_value[0] = '"';
	long_value[511] = '"';
	long_value[512] = '\0'; /* one string of 510 bytes */
	want[0] = '"';
	memset(want + 1, 'x', 255);
	strcpy(want + 256, "\" \"");
	memset(want + 259, 'x', 255);
	strcpy(want + 514, "\"");
	txt_case(long_value, want);
	free(long_value);
	free(want);
	aliases();
	order();
	return unit_done();
}
