/*
 * r53d_slave.h — route53d's [slave] zones: after a NOTIFY from the zone's
 * primary, the zone is taken by AXFR (libldns) and mirrored into Route 53
 * (dnsupdate_mirror): record sets the primary added or changed are
 * written, those it no longer serves are deleted; the SOA, the apex NS,
 * DNSSEC records and Route 53's alias and routing-policy sets stay as they
 * are.  A transfer whose SOA serial was already mirrored by this worker
 * changes nothing.  Large differences go in several change batches
 * (R53D_BATCH_VALUES values at most each), a record set's DELETE and CREATE
 * always in the same batch.  IXFR is not asked for: the difference is taken
 * against Route 53's own data, which a full transfer gives in one pass.
 */
#ifndef ROLEBOOT_R53D_SLAVE_H
#define ROLEBOOT_R53D_SLAVE_H

#include "r53d_config.h"
#include "util.h"

#define R53D_BATCH_VALUES 500

/* Transfer and mirror; one line of what happened appended to log; 0 or -1. */
int r53d_slave_sync(const struct r53d_config *c, const struct r53d_slave *s, struct buf *log);

#endif
