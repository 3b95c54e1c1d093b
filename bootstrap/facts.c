/* facts.c — see facts.h */
#include "facts.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootfs.h"
#include "util.h"

/* The interface's map in list, created (with empty facts) when new. */
static struct tv *iface(struct tv *list, const char *name)
{
	struct tv *m;
	size_t i;

	for (i = 0; i < list->n; i++)
		if (!strcmp(tv_get(list->items[i], "name")->str, name))
			return list->items[i];
	m = tv_map();
	tv_set(m, "name", tv_string(name));
	tv_set(m, "mac", tv_string(""));
	tv_set(m, "ip4", tv_list());
	tv_set(m, "ip6", tv_list());
	tv_push(list, m);
	return m;
}

static void add_address(struct tv *m, const struct sockaddr *sa)
{
	char text[INET6_ADDRSTRLEN];
	const unsigned char *hw;
	int family = sa->sa_family;

	if (family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text,
		          sizeof(text));
		tv_push(tv_get(m, "ip4"), tv_string(text));
	} else if (family == AF_INET6) {
		const struct in6_addr *a =
		        &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		if (IN6_IS_ADDR_LINKLOCAL(a))
			return;
		inet_ntop(AF_INET6, a, text, sizeof(text));
		tv_push(tv_get(m, "ip6"), tv_string(text));
	} else if (family == AF_PACKET) {
		const struct sockaddr_ll *ll = (const struct sockaddr_ll *)(const void *)sa;

		if (ll->sll_halen != 6)
			return;
		hw = ll->sll_addr;
		snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", hw[0], hw[1], hw[2],
		         hw[3], hw[4], hw[5]);
		tv_set(m, "mac", tv_string(text));
	}
}

/* The first non-empty item of key over all interfaces, or "". */
static const char *first(const struct tv *list, const char *key)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		const struct tv *v = tv_get(list->items[i], key);

		if (v->kind == TV_STRING && v->len)
			return v->str;
		if (v->kind == TV_LIST && v->n)
			return v->items[0]->str;
	}
	return "";
}

static void network_facts(struct tv *host)
{
	struct ifaddrs *ifa = NULL, *i;
	struct tv *list = tv_list();

	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i; i = i->ifa_next)
			if (i->ifa_addr && !(i->ifa_flags & IFF_LOOPBACK))
				add_address(iface(list, i->ifa_name), i->ifa_addr);
		freeifaddrs(ifa);
	}
	tv_set(host, "ip4", tv_string(first(list, "ip4")));
	tv_set(host, "ip6", tv_string(first(list, "ip6")));
	tv_set(host, "mac", tv_string(first(list, "mac")));
	tv_set(host, "interfaces", list);
}

/* One os-release value: quotes removed, backslash escapes resolved. */
static void unquote(const char *v, struct buf *out)
{
	char q = (*v == '"' || *v == '\'') ? *v++ : 0;

	for (; *v && *v != q; v++) {
		if (q == '"' && *v == '\\' && v[1])
			v++;
		buf_putc(out, *v);
	}
}

void facts_os_release(const char *text, size_t len, struct tv *map)
{
	char *copy = xstrndup(text, len), *line, *save = NULL, *eq, *k;
	struct buf val = BUF_INIT;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line = strtrim(line);
		eq = strchr(line, '=');
		if (*line == '#' || !eq || eq == line)
			continue;
		*eq = '\0';
		for (k = line; *k; k++)
			*k = (char)tolower((unsigned char)*k);
		buf_reset(&val);
		unquote(eq + 1, &val);
		/* facts reach configs verbatim: only plain text is kept */
		if (!has_control(val.data ? val.data : "") &&
		    !strpbrk(val.data ? val.data : "", "\"\\"))
			tv_set(map, line, tv_string(val.data ? val.data : ""));
	}
	buf_release(&val);
	free(copy);
}

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static const char *os_family(const char *id, const char *like)
{
	static const char *const fam[][4] = {
	        {"rhel", "rhel", "fedora", "centos"},
	        {"debian", "debian", "ubuntu", "debian"},
	        {"suse", "suse", "opensuse", "sles"},
	        {"alpine", "alpine", "alpine", "alpine"},
	};
	size_t i, j;

	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
		for (j = 1; j < 4; j++)
			if (!strcmp(id, fam[i][j]) || has_word(like, fam[i][j]))
				return fam[i][0];
	return id;
}

/* Where each family's BIND packages keep things. */
static void bind_facts(struct tv *host, const char *family)
{
	static const char *const table[][6] = {
	        /* family   conf                    confdir      datadir           user    group */
	        {"debian", "/etc/bind/named.conf", "/etc/bind", "/var/cache/bind", "bind", "bind"},
	        {"suse", "/etc/named.conf", "/etc", "/var/lib/named", "named", "named"},
	        {"alpine", "/etc/bind/named.conf", "/etc/bind", "/var/bind", "named", "named"},
	        {"rhel", "/etc/named.conf", "/etc", "/var/named", "named", "named"},
	};
	static const char *const keys[] = {"conf", "confdir", "datadir", "user", "group"};
	struct tv *bind = tv_submap(host, "bind");
	size_t i, row = 3; /* unknown families get the RHEL layout */

	for (i = 0; i < 4; i++)
		if (!strcmp(family, table[i][0]))
			row = i;
	for (i = 0; i < 5; i++)
		tv_set(bind, keys[i], tv_string(table[row][i + 1]));
	tv_set(bind, "service", tv_string("named"));
}

static void os_facts(struct tv *host, const char *root)
{
	static const char *const files[] = {"/etc/os-release", "/usr/lib/os-release"};
	static const char *const keys[] = {"id", "id_like", "version_id", "pretty_name"};
	struct tv *all = tv_map(), *os = tv_submap(host, "os"), *v;
	struct buf text = BUF_INIT;
	struct rootfs fs;
	size_t i;

	/* links in the root's os-release (a link on most systems) stay inside it */
	rootfs_init(&fs, root);
	for (i = 0; i < 2 && !text.len; i++)
		if (rootfs_read_in(&fs, files[i], 65536, &text) < 0)
			buf_reset(&text);
	rootfs_release(&fs);
	facts_os_release(text.data ? text.data : "", text.len, all);
	for (i = 0; i < 4; i++) {
		v = tv_get(all, keys[i]);
		tv_set(os, keys[i], tv_string(v ? v->str : ""));
	}
	tv_set(os, "family",
	       tv_string(os_family(tv_get(os, "id")->str, tv_get(os, "id_like")->str)));
	bind_facts(host, tv_get(os, "family")->str);
	tv_free(all);
	buf_release(&text);
}

void facts_gather(struct tv *data, const char *root, const struct kcmdline *k)
{
	struct tv *host = tv_submap(data, "host"), *vars;
	char name[256] = "", *dot;
	size_t i;

	if (gethostname(name, sizeof(name) - 1) < 0 || has_control(name))
		strcpy(name, "localhost");
	tv_set(host, "fqdn", tv_string(name));
	dot = strchr(name, '.');
	if (dot)
		*dot = '\0';
	tv_set(host, "name", tv_string(name));
	network_facts(host);
	os_facts(host, root && *root ? root : "/");
	vars = tv_submap(tv_submap(data, "kernel"), "var");
	for (i = 0; k && i < k->nvars; i++)
		if (!has_control(k->values[i]) && !strpbrk(k->values[i], "\"\\"))
			tv_set(vars, k->names[i], tv_string(k->values[i]));
}
