/* dnsupdate.c — see dnsupdate.h */
#include "dnsupdate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One record: its canonical form for comparisons and its text for Route 53. */
struct item {
	ldns_rr *rr; /* owned, canonical (RFC 4034 6.2) */
	char *text;  /* owned: the value as Route 53 holds it or will */
};

/* One record set of one name, as read and as the update leaves it. */
struct rrset {
	char *name; /* owned: canonical text */
	char *type; /* owned: "A", "TXT", ... */
	ldns_rr_type rtype;
	long ttl, orig_ttl;
	struct item *items, *orig; /* owned */
	size_t n, norig;
	int existed, foreign;
};

struct model {
	struct rrset *sets; /* owned */
	size_t n, cap;
};

static int fail(char *why, size_t len, int rcode, const char *fmt, ...) PRINTF(4, 5);

/* rcode, with its reason in why. */
static int fail(char *why, size_t len, int rcode, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(why, len, fmt, ap);
	va_end(ap);
	return rcode;
}

char *dnsupdate_name_text(const ldns_rdf *name)
{
	ldns_rdf *c = ldns_rdf_clone(name);
	char *s, *out;

	ldns_dname2canonical(c);
	s = ldns_rdf2str(c);
	out = xstrdup(s ? s : "");
	free(s);
	ldns_rdf_deep_free(c);
	return out;
}

/* Route 53 writes unusual bytes of names as octal escapes ("\052" for '*');
 * DNS presentation format uses decimal ones.  Returns a name ldns reads. */
static char *r53_to_dns(const char *s)
{
	struct buf b = BUF_INIT;
	unsigned v;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			v = (unsigned)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			if (v > 0x20 && v < 0x7f && v != '.' && v != '\\' && v != ';' && v != '"' &&
			    v != '(' && v != ')')
				buf_putc(&b, (char)v);
			else
				buf_printf(&b, "\\%03u", v);
			s += 3;
		} else {
			buf_putc(&b, *s);
		}
	}
	if (!b.data)
		buf_puts(&b, "");
	return buf_detach(&b);
}

/* TXT and SPF strings: Route 53 writes a byte outside printable ASCII as an
 * octal escape ("\303\251", the UTF-8 bytes of an e-acute; sync reads them
 * so), DNS presentation format, ldns's, a decimal one ("\195\169").  "\""
 * and "\\" mean the same in both. */
static int string_type(const char *type)
{
	return !strcmp(type, "TXT") || !strcmp(type, "SPF");
}

static int octal3(const char *s)
{
	return s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
	       s[2] <= '7';
}

static int decimal3(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
	       s[2] <= '9' && (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0') <= 255;
}

/* A Route 53 TXT value as ldns reads it. */
static char *r53_strings_to_dns(const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s; s++) {
		if (s[0] != '\\' || !s[1]) {
			buf_putc(&b, *s);
		} else if (octal3(s + 1)) {
			buf_printf(&b, "\\%03u",
			           (unsigned)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
			s += 3;
		} else if (s[1] >= '0' && s[1] <= '9') {
			buf_putc(&b, *++s); /* an escaped digit is that digit */
		} else {
			buf_putc(&b, *s);
			buf_putc(&b, *++s);
		}
	}
	if (!b.data)
		buf_puts(&b, "");
	return buf_detach(&b);
}

/* ldns's text of TXT strings as Route 53 takes it: octal escapes, control
 * bytes (a tab, which ldns leaves as it is) escaped too. */
static char *dns_strings_to_r53(const char *s)
{
	struct buf b = BUF_INIT;
	unsigned v;

	for (; *s; s++) {
		if (s[0] == '\\' && decimal3(s + 1)) {
			v = (unsigned)((s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
			buf_printf(&b, "\\%03o", v);
			s += 3;
		} else if (s[0] == '\\' && s[1]) {
			buf_putc(&b, *s);
			buf_putc(&b, *++s);
		} else if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) {
			buf_printf(&b, "\\%03o", (unsigned)(unsigned char)*s);
		} else {
			buf_putc(&b, *s);
		}
	}
	if (!b.data)
		buf_puts(&b, "");
	return buf_detach(&b);
}

/* The value of rr as Route 53 holds it. */
static char *rdata_text(const ldns_rr *rr)
{
	struct buf b = BUF_INIT;
	size_t i;
	char *s;

	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		s = ldns_rdf2str(ldns_rr_rdf(rr, i));
		buf_printf(&b, "%s%s", i ? " " : "", s ? s : "");
		free(s);
	}
	if (!b.data)
		buf_puts(&b, "");
	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT || ldns_rr_get_type(rr) == LDNS_RR_TYPE_SPF) {
		s = dns_strings_to_r53(b.data);
		buf_release(&b);
		return s;
	}
	return buf_detach(&b);
}

static int rdata_eq(const ldns_rr *a, const ldns_rr *b)
{
	size_t i;

	if (ldns_rr_rd_count(a) != ldns_rr_rd_count(b))
		return 0;
	for (i = 0; i < ldns_rr_rd_count(a); i++)
		if (ldns_rdf_compare(ldns_rr_rdf(a, i), ldns_rr_rdf(b, i)) != 0)
			return 0;
	return 1;
}

static ldns_rr *canonical(const ldns_rr *rr)
{
	ldns_rr *c = ldns_rr_clone(rr);

	ldns_rr2canonical(c);
	return c;
}

static void items_free(struct item *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ldns_rr_free(it[i].rr);
		free(it[i].text);
	}
	free(it);
}

static void model_release(struct model *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		items_free(m->sets[i].items, m->sets[i].n);
		items_free(m->sets[i].orig, m->sets[i].norig);
		free(m->sets[i].name);
		free(m->sets[i].type);
	}
	free(m->sets);
	memset(m, 0, sizeof(*m));
}

static struct rrset *find(struct model *m, const char *name, ldns_rr_type t)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->sets[i].rtype == t && !strcmp(m->sets[i].name, name))
			return &m->sets[i];
	return NULL;
}

static struct rrset *add_set(struct model *m, const char *name, ldns_rr_type t)
{
	struct rrset *s;
	char *type = ldns_rr_type2str(t);

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->sets = xrealloc(m->sets, m->cap * sizeof(*m->sets));
	}
	s = &m->sets[m->n++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->type = xstrdup(type ? type : "");
	s->rtype = t;
	free(type);
	return s;
}

static void push_item(struct item **it, size_t *n, ldns_rr *rr, char *text)
{
	*it = xrealloc(*it, (*n + 1) * sizeof(**it));
	(*it)[*n].rr = rr;
	(*it)[*n].text = text;
	(*n)++;
}

/* One Route 53 record set into the model, only when it is of a name wanted. */
static void add_r53(struct model *m, const struct r53_record *r, const struct dnsupdate_names *nm)
{
	char *dns = r53_to_dns(r->name), *name = NULL, *line, *value;
	ldns_rdf *owner = ldns_dname_new_frm_str(dns);
	ldns_rr_type t = ldns_get_rr_type_by_name(r->type);
	struct rrset *s;
	ldns_rr *rr;
	size_t i;

	if (!owner || !t)
		goto out;
	name = dnsupdate_name_text(owner);
	for (i = 0; nm && i < nm->n && strcmp(nm->names[i], name); i++)
		;
	if (nm && i == nm->n)
		goto out;
	s = find(m, name, t);
	if (s && !s->foreign && !r->set_id && !r->alias_name)
		goto out; /* listed again by a later name's read */
	if (!s) {
		s = add_set(m, name, t);
		s->existed = 1;
		s->ttl = s->orig_ttl = r->ttl;
	}
	if (r->set_id || r->alias_name || s->foreign) {
		s->foreign = 1;
		goto out;
	}
	for (i = 0; i < r->nvalues; i++) {
		value = string_type(r->type) ? r53_strings_to_dns(r->values[i]) : NULL;
		line = xasprintf("%s %ld IN %s %s", dns, r->ttl, r->type,
		                 value ? value : r->values[i]);
		free(value);
		rr = NULL;
		if (ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL) != LDNS_STATUS_OK || !rr) {
			s->foreign = 1; /* a value ldns cannot read: leave the set alone */
			free(line);
			goto out;
		}
		free(line);
		ldns_rr2canonical(rr);
		push_item(&s->orig, &s->norig, ldns_rr_clone(rr), xstrdup(r->values[i]));
		push_item(&s->items, &s->n, rr, xstrdup(r->values[i]));
	}
out:
	ldns_rdf_deep_free(owner);
	free(name);
	free(dns);
}

static int in_zone(const ldns_rdf *name, const ldns_rdf *zone)
{
	return ldns_dname_compare(name, zone) == 0 || ldns_dname_is_subdomain(name, zone);
}

static int meta_type(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_ANY || t == LDNS_RR_TYPE_AXFR || t == LDNS_RR_TYPE_IXFR ||
	       t == LDNS_RR_TYPE_MAILA || t == LDNS_RR_TYPE_MAILB || t == LDNS_RR_TYPE_TSIG ||
	       t == LDNS_RR_TYPE_OPT;
}

static void names_add(struct dnsupdate_names *nm, const ldns_rdf *owner)
{
	char *s = dnsupdate_name_text(owner);
	size_t i;

	for (i = 0; i < nm->n; i++) {
		if (!strcmp(nm->names[i], s)) {
			free(s);
			return;
		}
	}
	nm->names = xrealloc(nm->names, (nm->n + 1) * sizeof(*nm->names));
	nm->names[nm->n++] = s;
}

void dnsupdate_names_release(struct dnsupdate_names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->names[i]);
	free(nm->names);
	memset(nm, 0, sizeof(*nm));
}

/* Route 53 takes names of letters, digits, '-', '_' and a leading '*'. */
static int plain_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_' || *s == '.' || *s == '*'))
			return 0;
	return 1;
}

int dnsupdate_check(const ldns_pkt *p, const ldns_rdf *zone, struct dnsupdate_names *nm, char *why,
                    size_t len)
{
	const ldns_rr_list *pre = ldns_pkt_answer(p), *upd = ldns_pkt_authority(p);
	ldns_rr_class cl;
	ldns_rr_type t;
	ldns_rr *rr;
	size_t i;
	char *s;

	memset(nm, 0, sizeof(*nm));
	for (i = 0; i < ldns_rr_list_rr_count(pre); i++) {
		rr = ldns_rr_list_rr(pre, i);
		cl = ldns_rr_get_class(rr);
		if (!in_zone(ldns_rr_owner(rr), zone))
			goto notzone;
		if (ldns_rr_ttl(rr) != 0)
			return fail(why, len, LDNS_RCODE_FORMERR, "prerequisite with a TTL");
		if (cl != LDNS_RR_CLASS_IN && cl != LDNS_RR_CLASS_ANY && cl != LDNS_RR_CLASS_NONE)
			return fail(why, len, LDNS_RCODE_FORMERR, "prerequisite of class %d",
			            (int)cl);
		if (cl != LDNS_RR_CLASS_IN && ldns_rr_rd_count(rr))
			return fail(why, len, LDNS_RCODE_FORMERR, "prerequisite with data");
		names_add(nm, ldns_rr_owner(rr));
	}
	for (i = 0; i < ldns_rr_list_rr_count(upd); i++) {
		rr = ldns_rr_list_rr(upd, i);
		cl = ldns_rr_get_class(rr);
		t = ldns_rr_get_type(rr);
		if (!in_zone(ldns_rr_owner(rr), zone))
			goto notzone;
		if (cl == LDNS_RR_CLASS_IN && meta_type(t))
			return fail(why, len, LDNS_RCODE_FORMERR, "update adds a meta type");
		if (cl == LDNS_RR_CLASS_ANY && (ldns_rr_ttl(rr) || ldns_rr_rd_count(rr) ||
		                                (meta_type(t) && t != LDNS_RR_TYPE_ANY)))
			return fail(why, len, LDNS_RCODE_FORMERR, "malformed delete");
		if (cl == LDNS_RR_CLASS_NONE && (ldns_rr_ttl(rr) || meta_type(t)))
			return fail(why, len, LDNS_RCODE_FORMERR, "malformed delete of a record");
		if (cl != LDNS_RR_CLASS_IN && cl != LDNS_RR_CLASS_ANY && cl != LDNS_RR_CLASS_NONE)
			return fail(why, len, LDNS_RCODE_FORMERR, "update of class %d", (int)cl);
		names_add(nm, ldns_rr_owner(rr));
	}
	for (i = 0; i < nm->n; i++)
		if (!plain_name(nm->names[i]))
			return fail(why, len, LDNS_RCODE_REFUSED,
			            "%s: a name Route 53 would write otherwise", nm->names[i]);
	return LDNS_RCODE_NOERROR;
notzone:
	s = dnsupdate_name_text(ldns_rr_owner(rr));
	fail(why, len, LDNS_RCODE_NOTZONE, "%s is outside the zone", s);
	free(s);
	return LDNS_RCODE_NOTZONE;
}

static int name_in_use(const struct model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->sets[i].name, name) && (m->sets[i].n || m->sets[i].foreign))
			return 1;
	return 0;
}

static int set_live(const struct rrset *s)
{
	return s && (s->n || s->foreign);
}

/* Every record of a in b, every record of b in a. */
static int same_records(const struct item *a, size_t na, const struct item *b, size_t nb)
{
	size_t i, j;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && !rdata_eq(a[i].rr, b[j].rr); j++)
			;
		if (j == nb)
			return 0;
	}
	for (j = 0; j < nb; j++) {
		for (i = 0; i < na && !rdata_eq(a[i].rr, b[j].rr); i++)
			;
		if (i == na)
			return 0;
	}
	return 1;
}

/* RFC 2136 3.2: the prerequisites against the data as read. */
static int prerequisites(const ldns_pkt *p, struct model *m, char *why, size_t len)
{
	const ldns_rr_list *pre = ldns_pkt_answer(p);
	struct model want = {NULL, 0, 0};
	struct rrset *s, *have;
	int rc = LDNS_RCODE_NOERROR;
	ldns_rr_class cl;
	ldns_rr_type t;
	ldns_rr *rr;
	size_t i;
	char *name;

	for (i = 0; i < ldns_rr_list_rr_count(pre) && rc == LDNS_RCODE_NOERROR; i++) {
		rr = ldns_rr_list_rr(pre, i);
		cl = ldns_rr_get_class(rr);
		t = ldns_rr_get_type(rr);
		name = dnsupdate_name_text(ldns_rr_owner(rr));
		if (cl == LDNS_RR_CLASS_ANY && t == LDNS_RR_TYPE_ANY && !name_in_use(m, name))
			rc = fail(why, len, LDNS_RCODE_NXDOMAIN, "prerequisite: %s is not in use",
			          name);
		else if (cl == LDNS_RR_CLASS_ANY && t != LDNS_RR_TYPE_ANY &&
		         !set_live(find(m, name, t)))
			rc = fail(why, len, LDNS_RCODE_NXRRSET,
			          "prerequisite: %s has no such records", name);
		else if (cl == LDNS_RR_CLASS_NONE && t == LDNS_RR_TYPE_ANY && name_in_use(m, name))
			rc = fail(why, len, LDNS_RCODE_YXDOMAIN, "prerequisite: %s is in use",
			          name);
		else if (cl == LDNS_RR_CLASS_NONE && t != LDNS_RR_TYPE_ANY &&
		         set_live(find(m, name, t)))
			rc = fail(why, len, LDNS_RCODE_YXRRSET, "prerequisite: %s has such records",
			          name);
		else if (cl == LDNS_RR_CLASS_IN) {
			s = find(&want, name, t);
			if (!s)
				s = add_set(&want, name, t);
			push_item(&s->items, &s->n, canonical(rr), NULL);
		}
		free(name);
	}
	for (i = 0; i < want.n && rc == LDNS_RCODE_NOERROR; i++) {
		s = &want.sets[i];
		have = find(m, s->name, s->rtype);
		if (!have || have->foreign || !same_records(s->items, s->n, have->items, have->n))
			rc = fail(why, len, LDNS_RCODE_NXRRSET,
			          "prerequisite: the %s records of %s differ", s->type, s->name);
	}
	model_release(&want);
	return rc;
}

static void clear_set(struct rrset *s)
{
	items_free(s->items, s->n);
	s->items = NULL;
	s->n = 0;
}

static int is_apex(const char *name, const char *zone)
{
	return !strcmp(name, zone);
}

static int other_data(const struct model *m, const char *name, int cname)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct rrset *s = &m->sets[i];

		if (strcmp(s->name, name) || !set_live(s))
			continue;
		if (cname ? s->rtype != LDNS_RR_TYPE_CNAME : s->rtype == LDNS_RR_TYPE_CNAME)
			return 1;
	}
	return 0;
}

static int refuse_foreign(const struct rrset *s, char *why, size_t len)
{
	return fail(why, len, LDNS_RCODE_REFUSED,
	            "%s %s is an alias or has a routing policy: not changed by UPDATE", s->name,
	            s->type);
}

/* RFC 3.4.2.2: add one record. */
static int add_record(struct model *m, const ldns_rr *rr, const char *name, char *why, size_t len)
{
	ldns_rr_type t = ldns_rr_get_type(rr);
	struct rrset *s;
	ldns_rr *c;
	size_t i;

	if (t == LDNS_RR_TYPE_SOA || other_data(m, name, t == LDNS_RR_TYPE_CNAME))
		return LDNS_RCODE_NOERROR; /* ignored, as RFC 2136 and BIND do */
	s = find(m, name, t);
	if (!s)
		s = add_set(m, name, t);
	if (s->foreign)
		return refuse_foreign(s, why, len);
	if (t == LDNS_RR_TYPE_CNAME)
		clear_set(s); /* one CNAME per name: the new one replaces it */
	c = canonical(rr);
	for (i = 0; i < s->n && !rdata_eq(s->items[i].rr, c); i++)
		;
	if (i < s->n)
		ldns_rr_free(c);
	else
		push_item(&s->items, &s->n, c, rdata_text(rr));
	s->ttl = (long)ldns_rr_ttl(rr);
	return LDNS_RCODE_NOERROR;
}

/* RFC 3.4.2.3 and 3.4.2.4: delete RRsets or records. */
static int delete_records(struct model *m, const ldns_rr *rr, const char *name, const char *zone,
                          char *why, size_t len)
{
	ldns_rr_class cl = ldns_rr_get_class(rr);
	ldns_rr_type t = ldns_rr_get_type(rr);
	int apex = is_apex(name, zone);
	struct rrset *s;
	ldns_rr *c;
	size_t i;

	if (cl == LDNS_RR_CLASS_ANY && t == LDNS_RR_TYPE_ANY) {
		for (i = 0; i < m->n; i++) {
			s = &m->sets[i];
			if (strcmp(s->name, name) || !set_live(s))
				continue;
			if (apex && (s->rtype == LDNS_RR_TYPE_SOA || s->rtype == LDNS_RR_TYPE_NS))
				continue;
			if (s->foreign)
				return refuse_foreign(s, why, len);
			clear_set(s);
		}
		return LDNS_RCODE_NOERROR;
	}
	s = find(m, name, t);
	if (!set_live(s) || t == LDNS_RR_TYPE_SOA ||
	    (apex && cl == LDNS_RR_CLASS_ANY && t == LDNS_RR_TYPE_NS))
		return LDNS_RCODE_NOERROR;
	if (s->foreign)
		return refuse_foreign(s, why, len);
	if (cl == LDNS_RR_CLASS_ANY) {
		clear_set(s);
		return LDNS_RCODE_NOERROR;
	}
	c = canonical(rr);
	for (i = 0; i < s->n; i++) {
		if (!rdata_eq(s->items[i].rr, c))
			continue;
		if (apex && t == LDNS_RR_TYPE_NS && s->n == 1)
			break; /* the last NS of the zone stays */
		ldns_rr_free(s->items[i].rr);
		free(s->items[i].text);
		s->items[i] = s->items[--s->n];
		break;
	}
	ldns_rr_free(c);
	return LDNS_RCODE_NOERROR;
}

static char **texts(const struct item *it, size_t n)
{
	char **v = n ? xcalloc(n, sizeof(*v)) : NULL;
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = xstrdup(it[i].text);
	return v;
}

/* The difference between the sets as read and as left, deletes first. */
static void difference(const struct model *m, struct r53_batch *out)
{
	const struct rrset *s;
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < m->n; i++) {
			s = &m->sets[i];
			if (s->foreign)
				continue;
			if (s->existed && s->n && s->ttl == s->orig_ttl &&
			    same_records(s->items, s->n, s->orig, s->norig))
				continue;
			if (pass == 0 && s->existed)
				r53_batch_add(out, R53_DELETE, s->name, s->type, s->orig_ttl,
				              texts(s->orig, s->norig), s->norig);
			if (pass == 1 && s->n)
				r53_batch_add(out, R53_CREATE, s->name, s->type, s->ttl,
				              texts(s->items, s->n), s->n);
		}
	}
}

int dnsupdate_eval(const ldns_pkt *p, const ldns_rdf *zone, const struct r53_records *cur,
                   struct r53_batch *out, char *why, size_t len)
{
	const ldns_rr_list *upd = ldns_pkt_authority(p);
	struct dnsupdate_names nm = {NULL, 0};
	struct model m = {NULL, 0, 0};
	char *zname = dnsupdate_name_text(zone), *name;
	int rc;
	size_t i;
	ldns_rr *rr;

	rc = dnsupdate_check(p, zone, &nm, why, len);
	if (rc != LDNS_RCODE_NOERROR)
		goto out;
	for (i = 0; i < cur->n; i++)
		add_r53(&m, &cur->recs[i], &nm);
	rc = prerequisites(p, &m, why, len);
	for (i = 0; rc == LDNS_RCODE_NOERROR && i < ldns_rr_list_rr_count(upd); i++) {
		rr = ldns_rr_list_rr(upd, i);
		name = dnsupdate_name_text(ldns_rr_owner(rr));
		if (ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN)
			rc = add_record(&m, rr, name, why, len);
		else
			rc = delete_records(&m, rr, name, zname, why, len);
		free(name);
	}
	if (rc == LDNS_RCODE_NOERROR)
		difference(&m, out);
out:
	model_release(&m);
	dnsupdate_names_release(&nm);
	free(zname);
	return rc;
}

/* Record types a mirror leaves alone: the SOA (Route 53 keeps its own),
 * DNSSEC records (Route 53 signs by itself) and meta types. */
static int not_mirrored(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_SOA || t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
	       t == LDNS_RR_TYPE_NSEC3 || t == LDNS_RR_TYPE_NSEC3PARAM ||
	       t == LDNS_RR_TYPE_DNSKEY || meta_type(t);
}

static int mirrored_set(const struct rrset *s, const char *zone)
{
	return !not_mirrored(s->rtype) && !(s->rtype == LDNS_RR_TYPE_NS && is_apex(s->name, zone));
}

int dnsupdate_mirror(const ldns_rr_list *axfr, const ldns_rdf *zone, const struct r53_records *cur,
                     struct r53_batch *out, struct dnsupdate_mirror_counts *n)
{
	struct model m = {NULL, 0, 0};
	char *zname = dnsupdate_name_text(zone), *name;
	struct rrset *s;
	ldns_rr *rr, *c;
	size_t i, j;

	memset(n, 0, sizeof(*n));
	for (i = 0; i < cur->n; i++)
		add_r53(&m, &cur->recs[i], NULL);
	for (i = 0; i < m.n; i++)
		if (!m.sets[i].foreign && mirrored_set(&m.sets[i], zname))
			clear_set(&m.sets[i]);
	for (i = 0; i < ldns_rr_list_rr_count(axfr); i++) {
		rr = ldns_rr_list_rr(axfr, i);
		if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN || !in_zone(ldns_rr_owner(rr), zone))
			continue;
		name = dnsupdate_name_text(ldns_rr_owner(rr));
		s = find(&m, name, ldns_rr_get_type(rr));
		if (!s)
			s = add_set(&m, name, ldns_rr_get_type(rr));
		if (!mirrored_set(s, zname)) {
			free(name);
			continue;
		}
		if (s->foreign || !plain_name(name)) {
			n->skipped++; /* an alias or policy set, or a name Route 53 writes otherwise */
			free(name);
			continue;
		}
		c = canonical(rr);
		for (j = 0; j < s->n && !rdata_eq(s->items[j].rr, c); j++)
			;
		if (j < s->n)
			ldns_rr_free(c); /* the closing SOA, or a duplicate */
		else
			push_item(&s->items, &s->n, c, rdata_text(rr));
		s->ttl = (long)ldns_rr_ttl(rr);
		free(name);
	}
	for (i = 0; i < m.n; i++)
		if (m.sets[i].n && mirrored_set(&m.sets[i], zname))
			n->sets++;
	difference(&m, out);
	model_release(&m);
	free(zname);
	return 0;
}
