/*
 * facts.h — host facts for templates, under the "host" key:
 *   host.name  short host name        host.fqdn  name as configured
 *   host.ip4   first non-loopback IPv4 address ("" when none)
 *   host.ip6   first global IPv6 address ("" when none)
 * Facts come from the running kernel; they are never an error.
 */
#ifndef ROLEBOOT_FACTS_H
#define ROLEBOOT_FACTS_H

#include "data.h"

void facts_gather(struct tv *root);

#endif
