/* facts.c — see facts.h */
#include "facts.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

static void first_addresses(struct tv *host)
{
	struct ifaddrs *ifa = NULL, *i;
	char ip4[INET_ADDRSTRLEN] = "", ip6[INET6_ADDRSTRLEN] = "";

	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i; i = i->ifa_next) {
			if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK))
				continue;
			if (i->ifa_addr->sa_family == AF_INET && !ip4[0]) {
				inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
					  ip4, sizeof(ip4));
			} else if (i->ifa_addr->sa_family == AF_INET6 && !ip6[0]) {
				struct in6_addr *a = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;

				if (!IN6_IS_ADDR_LINKLOCAL(a))
					inet_ntop(AF_INET6, a, ip6, sizeof(ip6));
			}
		}
		freeifaddrs(ifa);
	}
	tv_set(host, "ip4", tv_string(ip4));
	tv_set(host, "ip6", tv_string(ip6));
}

void facts_gather(struct tv *root)
{
	struct tv *host = tv_submap(root, "host");
	char name[256] = "", *dot;

	if (gethostname(name, sizeof(name) - 1) < 0)
		strcpy(name, "localhost");
	tv_set(host, "fqdn", tv_string(name));
	dot = strchr(name, '.');
	if (dot)
		*dot = '\0';
	tv_set(host, "name", tv_string(name));
	first_addresses(host);
}
