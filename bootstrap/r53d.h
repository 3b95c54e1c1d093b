/*
 * r53d.h — `roleboot route53d`: DNS UPDATE (RFC 2136) signed with TSIG
 * (r53d_tsig.h) turned into Route 53 change batches (dnsupdate.h,
 * r53_change.h).
 *
 * One UPDATE is one batch: the record sets of the names it touches are
 * read from Route 53, the prerequisites and updates are evaluated against
 * them, and the difference is sent in one ChangeResourceRecordSets.  The
 * answer is NOERROR only after Route 53 accepted it.  When Route 53 refuses
 * the batch because the data changed since it was read (InvalidChangeBatch)
 * the UPDATE is evaluated again, up to three times.  API errors: AccessDenied,
 * InvalidChangeBatch, InvalidInput and NoSuchHostedZone answer REFUSED;
 * throttling and 5xx past their retries, and an unreachable API, SERVFAIL.
 * Unsigned or badly signed messages answer NOTAUTH and reach no API; so do
 * zones not in [hostedzone].  With dry-run = 1 the batch is logged and
 * nothing is sent.  Every UPDATE logs one line: client, key, zone, rcode,
 * the changes and the change id or the AWS error.
 *
 * NOTIFY for a [slave] zone from its primary's address (TSIG optional; when
 * signed it must verify) is answered NOERROR, then the zone is transferred
 * and mirrored into Route 53 (r53d_slave.h); NOTIFY from another address is
 * REFUSED, for another zone NOTAUTH.  Other opcodes answer NOTIMP.
 */
#ifndef ROLEBOOT_R53D_H
#define ROLEBOOT_R53D_H

#include <stddef.h>
#include <stdint.h>

#include "r53d_config.h"

struct r53d_sockets {
	int udp, tcp;
	unsigned port; /* the port bound (listen_port, or the one picked for 0) */
};

/* Bind UDP and TCP on listen_ip:listen_port; -1 with one error printed. */
int r53d_bind(const struct r53d_config *c, struct r53d_sockets *s);
/* Messages one worker serves before it ends and a fresh one takes its
 * place: libldns 1.8.3 leaks a few bytes on some malformed messages
 * (ldns_wire2pkt), which hostile traffic must not pile up. */
#define R53D_RECYCLE 100000UL

/* Serve until *stop becomes non-zero or R53D_RECYCLE messages were
 * served; one process. */
void r53d_serve(const struct r53d_config *c, const struct r53d_sockets *s, volatile int *stop);
/* The answer to one message from client (text address), written to out
 * (wire, malloc'ed); 0, or -1 when no answer is due.  *follow (when
 * follow is not NULL) is set to a [slave] zone to transfer once the answer
 * is sent, else NULL. */
int r53d_handle(const struct r53d_config *c, const uint8_t *wire, size_t len, const char *client,
                uint8_t **out, size_t *outlen, const struct r53d_slave **follow);

#endif
