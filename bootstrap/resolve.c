/* resolve.c — see resolve.h */
#include "resolve.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int resolve_parse_server(const char *text, struct resolve_server *out)
{
	unsigned char bin[16];
	const char *addr = text, *port = NULL, *end;
	char *stop;
	size_t len;
	long p = 53;

	memset(out, 0, sizeof(*out));
	if (text[0] == '[') {
		addr = text + 1;
		end = strchr(addr, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		len = (size_t)(end - addr);
		port = end[1] ? end + 2 : NULL;
	} else if ((end = strchr(text, ':')) && !strchr(end + 1, ':')) {
		len = (size_t)(end - text); /* IPv4:PORT */
		port = end + 1;
	} else {
		len = strlen(text); /* IPv4, or IPv6 without a port */
	}
	if (len == 0 || len >= sizeof(out->addr))
		return -1;
	memcpy(out->addr, addr, len);
	out->addr[len] = '\0';
	if (port) {
		p = strtol(port, &stop, 10);
		if (!*port || *stop || p < 1 || p > 65535)
			return -1;
	}
	out->port = (unsigned)p;
	if (inet_pton(AF_INET, out->addr, bin) == 1)
		return 0;
	out->v6 = 1;
	return inet_pton(AF_INET6, out->addr, bin) == 1 && (text[0] == '[' || !port) ? 0 : -1;
}

static void settings(ldns_resolver *res)
{
	struct timeval tv = {2, 0};

	ldns_resolver_set_timeout(res, tv);
	ldns_resolver_set_retry(res, 2);
	ldns_resolver_set_recursive(res, true);
	ldns_resolver_set_dnssec(res, false);
	ldns_resolver_set_fallback(res, true);
	ldns_resolver_set_defnames(res, false);
	ldns_resolver_set_dnsrch(res, false);
	ldns_resolver_set_random(res, false);
}

/* One ldns resolver for one server, or NULL. */
static ldns_resolver *one_server(const struct resolve_server *s)
{
	ldns_rdf *ns = ldns_rdf_new_frm_str(s->v6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, s->addr);
	ldns_resolver *res = ns ? ldns_resolver_new() : NULL;

	if (res && ldns_resolver_push_nameserver(res, ns) != LDNS_STATUS_OK) {
		ldns_resolver_deep_free(res);
		res = NULL;
	}
	if (res) {
		ldns_resolver_set_port(res, (uint16_t)s->port);
		settings(res);
	}
	ldns_rdf_deep_free(ns);
	return res;
}

void resolve_init(struct resolver *r, const struct resolve_server *servers, size_t n)
{
	ldns_resolver *res = NULL;
	ldns_status st;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (n == 0) {
		st = ldns_resolver_new_frm_file(&res, NULL);
		if (st != LDNS_STATUS_OK || !res) {
			r->error = xasprintf("no resolver from /etc/resolv.conf: %s",
			                     ldns_get_errorstr_by_id(st));
			return;
		}
		settings(res);
		r->res = xcalloc(1, sizeof(*r->res));
		r->res[r->n++] = res;
		return;
	}
	r->res = xcalloc(n, sizeof(*r->res));
	for (i = 0; i < n; i++) {
		res = one_server(&servers[i]);
		if (res)
			r->res[r->n++] = res;
	}
	if (!r->n)
		r->error = xstrdup("no usable resolver address");
}

/* The answer's records of type t; 1 when the answer is final. */
static int take_answer(const ldns_pkt *pkt, ldns_rr_type t, const char *type, char ***values,
                       size_t *nvalues, char **why)
{
	ldns_pkt_rcode rc = ldns_pkt_get_rcode(pkt);
	ldns_lookup_table *name = ldns_lookup_by_id(ldns_rcodes, (int)rc);
	ldns_rr_list *list;
	size_t i;
	char *v;

	free(*why);
	*why = NULL;
	if (rc != LDNS_RCODE_NOERROR) {
		*why = xstrdup(name && name->name ? name->name : "error");
		return rc == LDNS_RCODE_NXDOMAIN;
	}
	list = ldns_pkt_rr_list_by_type(pkt, t, LDNS_SECTION_ANSWER);
	for (i = 0; list && i < ldns_rr_list_rr_count(list); i++) {
		v = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(list, i), 0));
		if (!v)
			continue;
		*values = xrealloc(*values, (*nvalues + 1) * sizeof(**values));
		(*values)[(*nvalues)++] = xstrdup(v);
		free(v);
	}
	ldns_rr_list_deep_free(list);
	if (!i)
		*why = xasprintf("no %s record", type);
	return 1;
}

int resolve_addrs(struct resolver *r, const char *name, const char *type, char ***values,
                  size_t *nvalues, char **why)
{
	ldns_rr_type t = !strcmp(type, "AAAA") ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A;
	ldns_rdf *dname = ldns_dname_new_frm_str(name);
	size_t i, had = *nvalues;
	ldns_pkt *pkt;
	ldns_status st;
	int final = 0;

	*why = NULL;
	if (r->error || !dname) {
		*why = xstrdup(r->error ? r->error : "not a domain name");
		goto out;
	}
	for (i = 0; i < r->n; i++) {
		pkt = NULL;
		st = ldns_resolver_send(&pkt, r->res[i], dname, t, LDNS_RR_CLASS_IN, LDNS_RD);
		if (st != LDNS_STATUS_OK || !pkt) {
			free(*why);
			*why = xasprintf("no answer (%s)", ldns_get_errorstr_by_id(st));
			ldns_pkt_free(pkt);
			continue;
		}
		final = take_answer(pkt, t, type, values, nvalues, why);
		ldns_pkt_free(pkt);
		if (final)
			break;
	}
out:
	ldns_rdf_deep_free(dname);
	return *nvalues > had ? 0 : -1;
}

void resolve_release(struct resolver *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		ldns_resolver_deep_free(r->res[i]);
	free(r->res);
	free(r->error);
	memset(r, 0, sizeof(*r));
}
