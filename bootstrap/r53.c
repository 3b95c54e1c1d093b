/* r53.c — see r53.h */
#include "r53.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch.h"
#include "pool.h"
#include "r53_xml.h"
#include "util.h"

#define R53_TRIES 8

/* What one answer (a page) told us, filled by the reader's handlers;
 * the error answer (code, message) is in xml. */
struct page {
	struct r53_xml xml;      /* owned */
	struct r53_records *out; /* record sets go here */
	struct r53_record cur;   /* the one being read */
	int truncated;
	char *next_name, *next_type, *next_id; /* continuation, owned */
	struct r53_zone *zones;                /* HostedZones, owned */
	size_t nzones;
	char *next_dns, *next_zone; /* ListHostedZonesByName continuation */
};

void r53_record_free(struct r53_record *r, const struct pool *pool)
{
	size_t i;

	if (pool) {
		memset(r, 0, sizeof(*r));
		return;
	}
	for (i = 0; i < r->nvalues; i++)
		free(r->values[i]);
	free(r->values);
	free(r->name);
	free(r->type);
	free(r->set_id);
	free(r->failover);
	free(r->alias_zone);
	free(r->alias_name);
	memset(r, 0, sizeof(*r));
}

static const char *parent(const struct page *p, int up)
{
	return r53_xml_parent(&p->xml, up);
}

static void take(struct page *p, char **slot)
{
	r53_xml_take(&p->xml, slot);
}

/* A field of the record being read: from the list's pool when it has one. */
static void take_rec(struct page *p, char **slot)
{
	if (!p->out->pool) {
		take(p, slot);
		return;
	}
	*slot = pool_strndup(p->out->pool, r53_xml_text(&p->xml), p->xml.text.len);
}

static void on_start(void *user, const char *name)
{
	struct page *p = user;

	if (!strcmp(name, "ResourceRecordSet")) {
		r53_record_free(&p->cur, p->out->pool); /* a malformed answer may nest them */
		p->cur.weight = -1;
	} else if (!strcmp(name, "HostedZone") && !strcmp(parent(p, 1), "HostedZones")) {
		p->zones = xrealloc(p->zones, (p->nzones + 1) * sizeof(*p->zones));
		memset(&p->zones[p->nzones++], 0, sizeof(*p->zones));
	}
}

/* A field of the HostedZone being read (ListHostedZonesByName). */
static void zone_field(struct page *p, const char *name, const char *up)
{
	struct r53_zone *z = p->nzones ? &p->zones[p->nzones - 1] : NULL;

	if (!z)
		return;
	if (!strcmp(up, "HostedZone") && !strcmp(parent(p, 2), "HostedZones")) {
		if (!strcmp(name, "Id"))
			take(p, &z->id);
		else if (!strcmp(name, "Name"))
			take(p, &z->name);
	} else if (!strcmp(up, "Config") && !strcmp(parent(p, 2), "HostedZone") &&
	           !strcmp(name, "PrivateZone")) {
		z->private_zone = !strcmp(r53_xml_text(&p->xml), "true");
	}
}

/* Values are few (mostly one): a pooled array grows by copying. */
static void push_value(struct page *p, struct r53_record *r)
{
	struct pool *pool = p->out->pool;
	const char *t = r53_xml_text(&p->xml);
	char **v;

	if (!pool) {
		r->values = xrealloc(r->values, (r->nvalues + 1) * sizeof(*r->values));
		r->values[r->nvalues++] = xstrdup(t);
		return;
	}
	v = pool_get(pool, (r->nvalues + 1) * sizeof(*v));
	if (r->nvalues)
		memcpy(v, r->values, r->nvalues * sizeof(*v));
	r->values = v;
	r->values[r->nvalues++] = pool_strndup(pool, t, p->xml.text.len);
}

static void push_record(struct page *p)
{
	struct r53_records *o = p->out;

	if (!p->cur.name || !p->cur.type || !*p->cur.name || !*p->cur.type) {
		p->xml.bad = 1; /* not an answer Route 53 gives */
		r53_record_free(&p->cur, o->pool);
		return;
	}

	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 256;
		o->recs = xrealloc(o->recs, o->cap * sizeof(*o->recs));
	}
	o->recs[o->n++] = p->cur;
	memset(&p->cur, 0, sizeof(p->cur));
}

/* A field of the ResourceRecordSet being read. */
static void record_field(struct page *p, const char *name, const char *up)
{
	struct r53_record *r = &p->cur;
	const char *t = r53_xml_text(&p->xml);

	if (!strcmp(up, "ResourceRecordSet")) {
		if (!strcmp(name, "Name"))
			take_rec(p, &r->name);
		else if (!strcmp(name, "Type"))
			take_rec(p, &r->type);
		else if (!strcmp(name, "TTL"))
			r->ttl = strtol(t, NULL, 10);
		else if (!strcmp(name, "SetIdentifier"))
			take_rec(p, &r->set_id);
		else if (!strcmp(name, "Weight"))
			r->weight = strtol(t, NULL, 10);
		else if (!strcmp(name, "Failover"))
			take_rec(p, &r->failover);
	} else if (!strcmp(up, "ResourceRecord") && !strcmp(name, "Value")) {
		push_value(p, r);
	} else if (!strcmp(up, "AliasTarget")) {
		if (!strcmp(name, "HostedZoneId"))
			take_rec(p, &r->alias_zone);
		else if (!strcmp(name, "DNSName"))
			take_rec(p, &r->alias_name);
	}
}

static void on_end(void *user, const char *name)
{
	struct page *p = user;
	const char *up = parent(p, 1);

	if (!strcmp(name, "ResourceRecordSet"))
		push_record(p);
	else
		record_field(p, name, up);
	if (!strcmp(name, "IsTruncated"))
		p->truncated = !strcmp(r53_xml_text(&p->xml), "true");
	else if (!strcmp(name, "NextRecordName"))
		take(p, &p->next_name);
	else if (!strcmp(name, "NextRecordType"))
		take(p, &p->next_type);
	else if (!strcmp(name, "NextRecordIdentifier"))
		take(p, &p->next_id);
	else if (!strcmp(name, "NextDNSName"))
		take(p, &p->next_dns);
	else if (!strcmp(name, "NextHostedZoneId"))
		take(p, &p->next_zone);
	else
		zone_field(p, name, up);
}

void r53_zones_release(struct r53_zone *z, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(z[i].id);
		free(z[i].name);
	}
	free(z);
}

void r53_records_release(struct r53_records *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		r53_record_free(&r->recs[i], r->pool);
	free(r->recs);
	pool_free(r->pool);
	memset(r, 0, sizeof(*r));
}

static void page_init(struct page *p, struct r53_records *out)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	if (!out->n && !out->pool)
		out->pool = pool_new();
	/* no limit on text: a TXT value may be thousands of bytes */
	r53_xml_init(&p->xml, 0, on_start, on_end, p);
}

static void page_release(struct page *p)
{
	r53_xml_release(&p->xml);
	r53_record_free(&p->cur, p->out ? p->out->pool : NULL);
	free(p->next_name);
	free(p->next_type);
	free(p->next_id);
	r53_zones_release(p->zones, p->nzones);
	free(p->next_dns);
	free(p->next_zone);
	memset(p, 0, sizeof(*p));
}

/* Append "&key=value" (value escaped) to a query being built. */
static void add_param(struct buf *q, CURL *h, const char *key, const char *value)
{
	char *esc = curl_easy_escape(h, value, 0);

	buf_printf(q, "%s%s=%s", q->len ? "&" : "", key, esc ? esc : "");
	curl_free(esc);
}

enum r53_outcome { R53_OK, R53_RETRY, R53_FAIL };

/* One signed GET of url, parsed into p. */
static enum r53_outcome get_once(struct r53_client *c, const char *url, struct page *p, char *why,
                                 size_t len)
{
	enum r53_outcome o = R53_FAIL;
	long status = 0;
	int rc = r53_request(c, url, NULL, &p->xml, &status, why, len);

	if (rc != CURLE_OK) {
		o = rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT ||
		                    rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
		                    rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE
		            ? R53_RETRY
		            : R53_FAIL;
	} else if (status == 200 && !p->xml.bad) {
		o = R53_OK;
	} else {
		if (status == 200 || (p->xml.bad && status < 500))
			r53_why_not_xml(why, len, status);
		else
			snprintf(why, len, "HTTP %ld: AWS error %s: %s", status,
			         p->xml.code ? p->xml.code : "(none)",
			         p->xml.message ? p->xml.message : "(no message)");
		if (status >= 500 ||
		    (status == 400 && p->xml.code && !strcmp(p->xml.code, "Throttling"))) {
			c->throttled++;
			o = R53_RETRY;
		}
	}
	return o;
}

/* A throttled answer (Throttling, 5xx): the client's pace doubles, from
 * the first backoff ceiling up to the largest. */
static void pace_up(struct r53_client *c)
{
	const struct fetch_config *fc = fetch_current();
	long base = fc->backoff_ms, max = fc->backoff_max_ms;

	c->pace_ms = c->pace_ms < base ? base : c->pace_ms * 2;
	if (c->pace_ms > max)
		c->pace_ms = max;
}

/* An answer that was not throttled: the pace decays by a quarter and ends
 * below an eighth of the first backoff ceiling. */
static void pace_down(struct r53_client *c)
{
	c->pace_ms -= c->pace_ms / 4;
	if (c->pace_ms * 8 < (long)fetch_current()->backoff_ms)
		c->pace_ms = 0;
}

/* Waits ms (not past the deadline). */
static void wait_ms(long ms)
{
	long left = fetch_remaining_ms();

	if (ms > 0)
		fetch_sleep_ms(ms < left ? ms : left);
}

/* A page with retries; on success p holds it (the caller releases it).
 * Every request first waits the client's pace (r53.h). */
static int get_page(struct r53_client *c, const char *url, struct r53_records *out, struct page *p)
{
	char why[CURL_ERROR_SIZE + 256];
	size_t keep = out->n;
	unsigned n, throttled;
	enum r53_outcome o;
	long delay;

	wait_ms(c->pace_ms);
	for (n = 1;; n++) {
		page_init(p, out);
		throttled = c->throttled;
		o = get_once(c, url, p, why, sizeof(why));
		if (c->throttled > throttled)
			pace_up(c);
		else if (o == R53_OK)
			pace_down(c);
		if (o == R53_OK)
			return 0;
		if (o == R53_FAIL)
			return error("route53: %s: %s", url, why);
		while (out->n > keep)
			r53_record_free(&out->recs[--out->n], out->pool);
		page_release(p);
		delay = fetch_backoff_ms(n, 0);
		if (delay < c->pace_ms)
			delay = c->pace_ms;
		if (n >= R53_TRIES || fetch_remaining_ms() <= delay)
			return error("route53: %s: %s (gave up after %u tries)", url, why, n);
		note("sync", "route53: %s; retry %u in %.1f s", why, n, (double)delay / 1000.0);
		fetch_sleep_ms(delay);
	}
}

char *r53_default_endpoint(void)
{
	const char *e1 = getenv("AWS_ENDPOINT_URL_ROUTE_53"), *e2 = getenv("AWS_ENDPOINT_URL");

	return xstrdup(e1 && *e1 ? e1 : e2 && *e2 ? e2 : "https://route53.amazonaws.com");
}

int r53_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	return la == lb && !strncasecmp(a, b, la);
}

/* Every hosted zone named zone, appended to *out (ids without /hostedzone/). */
static int list_zones(struct r53_client *c, const char *zone, struct r53_zone **out, size_t *n)
{
	struct r53_records none = {NULL, 0, 0, NULL};
	struct buf q = BUF_INIT;
	struct page p;
	CURL *h = curl_easy_init();
	char *url = NULL, *next = NULL, *slash;
	size_t i;
	int ret = -1, more = 1;

	memset(&p, 0, sizeof(p));
	while (more) {
		buf_reset(&q);
		/* sorted: dnsname < hostedzoneid < maxitems */
		add_param(&q, h, "dnsname", zone);
		if (next)
			add_param(&q, h, "hostedzoneid", next);
		add_param(&q, h, "maxitems", "10");
		free(url);
		url = r53_url(c, "hostedzonesbyname", q.data);
		if (get_page(c, url, &none, &p) < 0)
			goto out;
		for (i = 0; i < p.nzones; i++) {
			if (!p.zones[i].id || !p.zones[i].name ||
			    !r53_name_eq(p.zones[i].name, zone))
				continue;
			slash = strrchr(p.zones[i].id, '/');
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			(*out)[*n].id = xstrdup(slash ? slash + 1 : p.zones[i].id);
			(*out)[*n].name = xstrdup(p.zones[i].name);
			(*out)[(*n)++].private_zone = p.zones[i].private_zone;
		}
		/* sorted by name: once a page ends past the name, none follow */
		more = p.truncated && p.next_dns && p.next_zone && r53_name_eq(p.next_dns, zone);
		free(next);
		next = more ? xstrdup(p.next_zone) : NULL;
		page_release(&p);
	}
	ret = 0;
out:
	page_release(&p);
	r53_records_release(&none);
	free(next);
	free(url);
	buf_release(&q);
	curl_easy_cleanup(h);
	return ret;
}

int r53_zone_id(struct r53_client *c, const char *zone, int private_zone, char **id)
{
	static const char *const kind[] = {"public", "private"};
	struct r53_zone *zs = NULL;
	struct buf ids = BUF_INIT;
	size_t n = 0, i, found = 0, pick = 0;
	int ret = -1;

	*id = NULL;
	if (list_zones(c, zone, &zs, &n) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (private_zone >= 0 && zs[i].private_zone != private_zone)
			continue;
		buf_printf(&ids, "%s%s (%s)", found ? " and " : "", zs[i].id,
		           kind[zs[i].private_zone]);
		pick = i;
		found++;
	}
	if (!found && n && private_zone >= 0)
		error("route53: no %s hosted zone named %s", kind[private_zone], zone);
	else if (!found)
		error("route53: no hosted zone named %s", zone);
	else if (found > 1)
		error("route53: hosted zones %s are all named %s: pick one with 'id =' or "
		      "'private = yes|no' in [zone \"%s\"]",
		      ids.data, zone, zone);
	else
		*id = xstrdup(zs[pick].id);
	ret = *id ? 0 : -1;
out:
	r53_zones_release(zs, n);
	buf_release(&ids);
	return ret;
}

/* A zone's record sets page after page: all of them (only NULL), or from
 * the name only on, while the next page still starts with it. */
static int list_pages(struct r53_client *c, const char *id, const char *only,
                      struct r53_records *out)
{
	char *path = xasprintf("hostedzone/%s/rrset", id), *url = NULL, max[16];
	char *name = only ? xstrdup(only) : NULL, *type = NULL, *ident = NULL;
	CURL *h = curl_easy_init();
	struct buf q = BUF_INIT;
	struct page p;
	int ret = -1, more = 1;

	memset(&p, 0, sizeof(p));
	/* a name's sets come first: a small page serves it */
	snprintf(max, sizeof(max), "%u", only ? 10 : c->page_size ? c->page_size : 300);
	while (more) {
		buf_reset(&q);
		/* sorted, as SigV4 in libcurl 7.88 needs: identifier maxitems name type */
		if (ident)
			add_param(&q, h, "identifier", ident);
		add_param(&q, h, "maxitems", max);
		if (name)
			add_param(&q, h, "name", name);
		if (type)
			add_param(&q, h, "type", type);
		free(url);
		url = r53_url(c, path, q.data);
		if (get_page(c, url, out, &p) < 0)
			goto out;
		more = p.truncated && p.next_name && (!only || r53_name_eq(p.next_name, only));
		free(name);
		free(type);
		free(ident);
		name = more && p.next_name ? xstrdup(p.next_name) : NULL;
		type = more && p.next_type ? xstrdup(p.next_type) : NULL;
		ident = more && p.next_id ? xstrdup(p.next_id) : NULL;
		page_release(&p);
	}
	ret = 0;
out:
	page_release(&p);
	free(name);
	free(type);
	free(ident);
	free(url);
	free(path);
	buf_release(&q);
	curl_easy_cleanup(h);
	return ret;
}

int r53_list_records(struct r53_client *c, const char *id, struct r53_records *out)
{
	return list_pages(c, id, NULL, out);
}

int r53_parse(const char *xml, size_t len, struct r53_records *out)
{
	struct page p;
	int ret;

	page_init(&p, out);
	ret = r53_xml_parse(&p.xml, xml, len);
	page_release(&p);
	return ret;
}

int r53_list_name(struct r53_client *c, const char *id, const char *name, struct r53_records *out)
{
	return list_pages(c, id, name, out);
}

char *r53_url(const struct r53_client *c, const char *path, const char *query)
{
	size_t n = strlen(c->endpoint);
	int q = query && *query;

	while (n > 0 && c->endpoint[n - 1] == '/')
		n--;
	return xasprintf("%.*s/2013-04-01/%s%s%s", (int)n, c->endpoint, path, q ? "?" : "",
	                 q ? query : "");
}

int r53_request(struct r53_client *c, const char *url, const struct buf *body, struct r53_xml *xml,
                long *status, char *why, size_t len)
{
	char errbuf[CURL_ERROR_SIZE] = "", *userpwd = xasprintf("%s:%s", c->key_id, c->secret);
	char *tok = c->token ? xasprintf("X-Amz-Security-Token: %s", c->token) : NULL;
	struct curl_slist *hdr = body ? curl_slist_append(NULL, "Content-Type: text/xml") : NULL;
	CURL *h = r53_conn(c);
	CURLcode rc = CURLE_FAILED_INIT;

	*status = 0;
	if (tok)
		hdr = curl_slist_append(hdr, tok);
	if (!h) {
		snprintf(why, len, "cannot start a transfer");
		goto out;
	}
	fetch_setup_common(h, url, errbuf);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 0L); /* errors carry XML bodies */
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:route53");
	curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
	if (hdr)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)body->len);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, r53_xml_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, xml);
	rc = curl_easy_perform(h);
	c->requests++;
	if (rc != CURLE_OK) {
		snprintf(why, len, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	r53_xml_finish(xml);
out:
	/* h stays with the client: its connection serves the next request */
	curl_slist_free_all(hdr);
	free(tok);
	explicit_bzero(userpwd, strlen(userpwd));
	free(userpwd);
	return (int)rc;
}

void r53_why_not_xml(char *why, size_t len, long status)
{
	snprintf(why, len, "HTTP %ld: answer is not well-formed XML", status);
}

void *r53_conn(struct r53_client *c)
{
	if (!c->conn)
		c->conn = curl_easy_init();
	else
		curl_easy_reset(c->conn); /* options gone, connections kept */
	return c->conn;
}

void r53_client_release(struct r53_client *c)
{
	if (c->conn)
		curl_easy_cleanup(c->conn);
	c->conn = NULL;
}
