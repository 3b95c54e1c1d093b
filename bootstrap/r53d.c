/* r53d.c — see r53d.h */
#include "r53d.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "dnsupdate.h"
#include "fetch.h"
#include "r53.h"
#include "r53_change.h"
#include "r53d_slave.h"
#include "r53d_tsig.h"
#include "util.h"

#define UPDATE_TRIES 3
#define TCP_MESSAGES 16

static int listen_addr(const struct r53d_config *c, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, c->listen_ip, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)c->listen_port);
		*len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, c->listen_ip, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)c->listen_port);
		*len = sizeof(*v6);
		return 0;
	}
	return error("%s: listen_ip '%s' is not an IP address", c->where, c->listen_ip);
}

/* UDP and TCP on one address and port; with port 0 the kernel's pick for
 * UDP may be taken for TCP: then another pick, a few times. */
int r53d_bind(const struct r53d_config *c, struct r53d_sockets *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, tries;

	s->udp = s->tcp = -1;
	if (listen_addr(c, &ss, &len) < 0)
		return -1;
	for (tries = 0; tries < 20; tries++) {
		s->udp = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		s->tcp = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s->udp < 0 || s->tcp < 0)
			break;
		setsockopt(s->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s->udp, (struct sockaddr *)&ss, len) < 0)
			break;
		if (getsockname(s->udp, (struct sockaddr *)&ss, &len) == 0 &&
		    bind(s->tcp, (struct sockaddr *)&ss, len) == 0 && listen(s->tcp, 64) == 0) {
			s->port = ntohs(ss.ss_family == AF_INET6
			                        ? ((struct sockaddr_in6 *)&ss)->sin6_port
			                        : ((struct sockaddr_in *)&ss)->sin_port);
			return 0;
		}
		if (errno != EADDRINUSE || c->listen_port != 0)
			break;
		close(s->udp);
		close(s->tcp);
		s->udp = s->tcp = -1;
		listen_addr(c, &ss, &len); /* port 0 again */
	}
	error_errno("cannot listen on %s port %u", c->listen_ip, c->listen_port);
	if (s->udp >= 0)
		close(s->udp);
	if (s->tcp >= 0)
		close(s->tcp);
	s->udp = s->tcp = -1;
	return -1;
}

static int to_wire(ldns_pkt *p, uint8_t **out, size_t *outlen)
{
	return ldns_pkt2wire(out, p, outlen) == LDNS_STATUS_OK ? 0 : -1;
}

/* An answer of rcode to a message we could not parse: header and nothing else. */
static int bare_answer(const uint8_t *wire, size_t len, int rcode, uint8_t **out, size_t *outlen)
{
	if (len < 12 || (wire[2] & 0x80))
		return -1; /* not even a header, or an answer: say nothing */
	*out = xcalloc(1, 12);
	memcpy(*out, wire, 4);
	(*out)[2] = (uint8_t)(0x80 | (wire[2] & 0x78));
	(*out)[3] = (uint8_t)(rcode & 0x0f);
	*outlen = 12;
	return 0;
}

static ldns_pkt *answer_to(const ldns_pkt *req, int rcode)
{
	ldns_pkt *a = ldns_pkt_new();
	ldns_rr_list *q = ldns_pkt_question(req);

	ldns_pkt_set_id(a, ldns_pkt_id(req));
	ldns_pkt_set_qr(a, true);
	ldns_pkt_set_opcode(a, ldns_pkt_get_opcode(req));
	ldns_pkt_set_rcode(a, (uint8_t)rcode);
	if (q && ldns_rr_list_rr_count(q) == 1) {
		ldns_pkt_push_rr(a, LDNS_SECTION_QUESTION, ldns_rr_clone(ldns_rr_list_rr(q, 0)));
	}
	return a;
}

static const char *rcode_name(int rcode)
{
	static const char *const n[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
	                                "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
	                                "NXRRSET", "NOTAUTH", "NOTZONE"};

	return rcode >= 0 && rcode < (int)(sizeof(n) / sizeof(n[0])) ? n[rcode] : "?";
}

/* Read, evaluate, send: the rcode of one UPDATE; why and desc for the log. */
static int apply_update(const struct r53d_config *c, const struct r53_zone *z, const ldns_pkt *p,
                        const ldns_rdf *zone, struct buf *log)
{
	struct r53_client api = {.endpoint = c->endpoint,
	                         .key_id = c->creds.key_id,
	                         .secret = c->creds.secret,
	                         .token = c->creds.token,
	                         .page_size = 100};
	struct dnsupdate_names nm = {NULL, 0};
	struct r53_change_error err;
	struct r53_records cur = {NULL, 0, 0, NULL};
	struct r53_batch b;
	struct fetch_config fc;
	char why[1200] = "";
	int rc, tries;
	size_t i;

	memset(&b, 0, sizeof(b));
	rc = dnsupdate_check(p, zone, &nm, why, sizeof(why));
	for (tries = 1; rc == LDNS_RCODE_NOERROR; tries++) {
		fetch_config_defaults(&fc);
		fc.deadline = fetch_now() + 30.0;
		fc.connect_timeout = 5;
		fetch_configure(&fc);
		r53_records_release(&cur);
		r53_batch_release(&b);
		for (i = 0; i < nm.n; i++) {
			if (r53_list_name(&api, z->id, nm.names[i], &cur) < 0) {
				snprintf(why, sizeof(why), "cannot read %s from Route 53: %s",
				         nm.names[i], msg_last_error());
				rc = LDNS_RCODE_SERVFAIL;
				goto out;
			}
		}
		rc = dnsupdate_eval(p, zone, &cur, &b, why, sizeof(why));
		if (rc != LDNS_RCODE_NOERROR)
			break;
		if (!b.n) {
			snprintf(why, sizeof(why), "nothing to change");
			break;
		}
		buf_puts(log, " changes: ");
		r53_batch_describe(&b, log);
		if (c->dry_run) {
			snprintf(why, sizeof(why), "dry-run: nothing sent");
			break;
		}
		b.comment = xstrdup("roleboot route53d");
		switch (r53_change(&api, z->id, &b, &err)) {
		case R53_APPLIED:
			snprintf(why, sizeof(why), "change %s", err.change_id);
			goto out;
		case R53_CONFLICT:
			if (tries < UPDATE_TRIES) {
				buf_printf(log, " (InvalidChangeBatch: %s; read again)", err.text);
				continue;
			}
			/* fall through */
		case R53_REJECTED:
			snprintf(why, sizeof(why), "AWS error %s: %s",
			         err.code[0] ? err.code : "(none)", err.text);
			rc = LDNS_RCODE_REFUSED;
			goto out;
		case R53_UNAVAILABLE:
			snprintf(why, sizeof(why), "AWS error %s: %s",
			         err.code[0] ? err.code : "(none)", err.text);
			rc = LDNS_RCODE_SERVFAIL;
			goto out;
		}
	}
out:
	if (why[0])
		buf_printf(log, " (%s)", why);
	r53_client_release(&api);
	r53_records_release(&cur);
	r53_batch_release(&b);
	dnsupdate_names_release(&nm);
	return rc;
}

static int handle_update(const struct r53d_config *c, ldns_pkt *p, const uint8_t *wire, size_t len,
                         const char *client, struct buf *log, ldns_pkt **answer)
{
	const struct r53d_key *key = NULL;
	const struct r53_zone *z = NULL;
	ldns_rr_list *q = ldns_pkt_question(p);
	ldns_rr *zrr = q && ldns_rr_list_rr_count(q) == 1 ? ldns_rr_list_rr(q, 0) : NULL;
	char why[256] = "", *zname = NULL;
	enum r53d_tsig t;
	int rc;

	t = r53d_tsig_check(c, p, wire, len, client, time(NULL), &key, why, sizeof(why));
	if (t != TSIG_OK) {
		buf_printf(log, " NOTAUTH (%s)", why);
		*answer = answer_to(p, LDNS_RCODE_NOTAUTH);
		return 0;
	}
	buf_printf(log, " key %s", key->name);
	if (!zrr || ldns_rr_get_type(zrr) != LDNS_RR_TYPE_SOA ||
	    ldns_rr_get_class(zrr) != LDNS_RR_CLASS_IN) {
		buf_puts(log, " FORMERR (the zone section must hold one SOA of class IN)");
		rc = LDNS_RCODE_FORMERR;
		goto answer;
	}
	zname = dnsupdate_name_text(ldns_rr_owner(zrr));
	buf_printf(log, " zone %s", zname);
	z = r53d_zone_of(c, zname);
	if (!z) {
		buf_puts(log, " NOTAUTH (not in [hostedzone])");
		rc = LDNS_RCODE_NOTAUTH;
		goto answer;
	}
	rc = apply_update(c, z, p, ldns_rr_owner(zrr), log);
	buf_printf(log, " -> %s", rcode_name(rc));
answer:
	*answer = answer_to(p, rc);
	if (r53d_tsig_sign(*answer, p, key, c->fudge) < 0)
		buf_puts(log, " (the answer could not be signed)");
	free(zname);
	return 0;
}

/* RFC 1996: a NOTIFY of a [slave] zone from its primary. */
static ldns_pkt *handle_notify(const struct r53d_config *c, ldns_pkt *p, const uint8_t *wire,
                               size_t len, const char *client, struct buf *log,
                               const struct r53d_slave **follow)
{
	const struct r53d_key *key = NULL;
	const struct r53d_slave *s;
	ldns_rr_list *q = ldns_pkt_question(p);
	ldns_rr *zrr = q && ldns_rr_list_rr_count(q) == 1 ? ldns_rr_list_rr(q, 0) : NULL;
	char why[256] = "", *zname;
	ldns_pkt *a;
	int rc = LDNS_RCODE_NOERROR, signed_ok = 0;

	if (!zrr) {
		buf_puts(log, " FORMERR (no zone)");
		return answer_to(p, LDNS_RCODE_FORMERR);
	}
	zname = dnsupdate_name_text(ldns_rr_owner(zrr));
	buf_printf(log, " zone %s", zname);
	s = r53d_slave_of(c, zname);
	if (!s) {
		buf_puts(log, " NOTAUTH (not in [slave])");
		rc = LDNS_RCODE_NOTAUTH;
	} else if (strcmp(s->master, client)) {
		buf_printf(log, " REFUSED (its primary is %s)", s->master);
		rc = LDNS_RCODE_REFUSED;
	} else if (ldns_pkt_tsig(p)) {
		if (r53d_tsig_check(c, p, wire, len, client, time(NULL), &key, why, sizeof(why)) !=
		    TSIG_OK) {
			buf_printf(log, " NOTAUTH (%s)", why);
			rc = LDNS_RCODE_NOTAUTH;
		} else {
			signed_ok = 1;
		}
	}
	if (rc == LDNS_RCODE_NOERROR) {
		buf_puts(log, " NOERROR");
		if (follow)
			*follow = s;
	}
	a = answer_to(p, rc);
	ldns_pkt_set_aa(a, rc == LDNS_RCODE_NOERROR);
	if (signed_ok && r53d_tsig_sign(a, p, key, c->fudge) < 0)
		buf_puts(log, " (the answer could not be signed)");
	free(zname);
	return a;
}

int r53d_handle(const struct r53d_config *c, const uint8_t *wire, size_t len, const char *client,
                uint8_t **out, size_t *outlen, const struct r53d_slave **follow)
{
	struct buf log = BUF_INIT;
	ldns_pkt *p = NULL, *a = NULL;
	int ret = -1;

	*out = NULL;
	*outlen = 0;
	if (follow)
		*follow = NULL;
	if (ldns_wire2pkt(&p, wire, len) != LDNS_STATUS_OK) {
		note("route53d", "%s: malformed message: FORMERR", client);
		return bare_answer(wire, len, LDNS_RCODE_FORMERR, out, outlen);
	}
	if (ldns_pkt_qr(p))
		goto out; /* an answer: never answered */
	buf_printf(&log, "%s:", client);
	switch (ldns_pkt_get_opcode(p)) {
	case LDNS_PACKET_UPDATE:
		buf_puts(&log, " UPDATE");
		handle_update(c, p, wire, len, client, &log, &a);
		break;
	case LDNS_PACKET_NOTIFY:
		buf_puts(&log, " NOTIFY");
		a = handle_notify(c, p, wire, len, client, &log, follow);
		break;
	default:
		buf_printf(&log, " opcode %d: NOTIMP", (int)ldns_pkt_get_opcode(p));
		a = answer_to(p, LDNS_RCODE_NOTIMPL);
	}
	note("route53d", "%s", log.data);
	ret = a ? to_wire(a, out, outlen) : -1;
out:
	ldns_pkt_free(a);
	ldns_pkt_free(p);
	buf_release(&log);
	return ret;
}

static void addr_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
	const void *a = ss->ss_family == AF_INET6
	                        ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
	                        : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
	const struct in6_addr *v6 = a;

	/* an IPv4 client on an IPv6 socket is named by its IPv4 address */
	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(v6)) {
		inet_ntop(AF_INET, &v6->s6_addr[12], out, (socklen_t)len);
		return;
	}
	if (!inet_ntop(ss->ss_family, a, out, (socklen_t)len))
		snprintf(out, len, "?");
}

/* After a NOTIFY was answered: the transfer and the mirror, one log line. */
static void follow_zone(const struct r53d_config *c, const struct r53d_slave *s)
{
	struct buf log = BUF_INIT;
	int r;

	buf_printf(&log, "zone %s from %s port %u:", s->zone, s->master, s->port);
	r = r53d_slave_sync(c, s, &log);
	note("route53d", "%s%s", log.data, r < 0 ? " -> failed" : "");
	buf_release(&log);
}

static void serve_udp(const struct r53d_config *c, int fd)
{
	const struct r53d_slave *follow = NULL;
	uint8_t in[65535], *out = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char client[INET6_ADDRSTRLEN];
	size_t outlen;
	ssize_t n;

	n = recvfrom(fd, in, sizeof(in), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
	if (n <= 0)
		return;
	addr_text(&ss, client, sizeof(client));
	if (r53d_handle(c, in, (size_t)n, client, &out, &outlen, &follow) == 0)
		sendto(fd, out, outlen, 0, (struct sockaddr *)&ss, sl);
	free(out);
	if (follow)
		follow_zone(c, follow);
}

static int read_full(int fd, uint8_t *p, size_t n)
{
	ssize_t r;

	while (n) {
		r = read(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_full_fd(int fd, const uint8_t *p, size_t n)
{
	ssize_t r;

	while (n) {
		r = write(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One TCP client: messages with a two-byte length, until it closes. */
static void serve_tcp(const struct r53d_config *c, int lfd)
{
	const struct r53d_slave *follow = NULL;
	struct timeval tv = {10, 0};
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char client[INET6_ADDRSTRLEN];
	uint8_t hdr[2], *msg = NULL, *out = NULL;
	size_t outlen, len;
	int fd, i;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	addr_text(&ss, client, sizeof(client));
	for (i = 0; i < TCP_MESSAGES; i++) {
		if (read_full(fd, hdr, 2) < 0)
			break;
		len = (size_t)hdr[0] << 8 | hdr[1];
		msg = xmalloc(len ? len : 1);
		if (read_full(fd, msg, len) < 0)
			break;
		if (r53d_handle(c, msg, len, client, &out, &outlen, &follow) == 0 &&
		    outlen <= 65535) {
			hdr[0] = (uint8_t)(outlen >> 8);
			hdr[1] = (uint8_t)outlen;
			if (write_full_fd(fd, hdr, 2) < 0 || write_full_fd(fd, out, outlen) < 0)
				break;
		}
		free(msg);
		free(out);
		msg = out = NULL;
		if (follow)
			follow_zone(c, follow);
	}
	free(msg);
	free(out);
	close(fd);
}

void r53d_serve(const struct r53d_config *c, const struct r53d_sockets *s, volatile int *stop)
{
	unsigned long served = 0;
	struct pollfd fds[2];

	fds[0].fd = s->udp;
	fds[1].fd = s->tcp;
	fds[0].events = fds[1].events = POLLIN;
	while (!*stop && served < R53D_RECYCLE) {
		if (poll(fds, 2, 1000) <= 0)
			continue;
		if (fds[0].revents & POLLIN) {
			serve_udp(c, s->udp);
			served++;
		}
		if (fds[1].revents & POLLIN) {
			serve_tcp(c, s->tcp);
			served++;
		}
	}
}
