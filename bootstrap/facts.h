/*
 * facts.h — host facts for templates.
 *
 *   host.name        short host name         host.fqdn   name as configured
 *   host.ip4         first non-loopback IPv4  host.ip6    first global IPv6
 *   host.mac         MAC of the first non-loopback interface with one
 *   host.interfaces  list of {name, mac, ip4 (list), ip6 (list)}, kernel order
 *   host.os.id, host.os.id_like, host.os.version_id, host.os.family
 *                    from ROOT/etc/os-release (or ROOT/usr/lib/os-release);
 *                    family is "rhel", "debian", "suse", "alpine" or the id
 *   host.bind.conf, .confdir, .datadir, .user, .group, .service
 *                    BIND's places on that family (Debian: /etc/bind/named.conf,
 *                    /etc/bind, /var/cache/bind, bind; RHEL: /etc/named.conf,
 *                    /etc, /var/named, named; SUSE, Alpine; others as RHEL)
 *   kernel.var.NAME  each roleboot.var.NAME=VALUE of the kernel command line
 *
 * Every fact is always defined (empty string or empty list when unknown),
 * so a template can test it without an undefined-name error.  Network facts
 * come from the running kernel, the OS from the target root.
 */
#ifndef ROLEBOOT_FACTS_H
#define ROLEBOOT_FACTS_H

#include "cmdline.h"
#include "valtree.h"

/* root: the target root ("/" for the live system); k may be NULL. */
void facts_gather(struct tv *data, const char *root, const struct kcmdline *k);

/* Parse os-release text into map (keys lower-cased: id, id_like, ...). */
void facts_os_release(const char *text, size_t len, struct tv *map);

#endif
