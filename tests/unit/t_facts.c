/*
 * t_facts.c — host facts without the network (facts.h): os-release parsing
 * (quotes, escapes, comments, keys lower-cased, unsafe values left out);
 * facts_gather over test roots: ROOT/etc/os-release, ROOT/usr/lib/os-release,
 * links resolved inside the root, the family and BIND layout per family,
 * every fact defined when nothing is known, the host name as the kernel
 * has it, and roleboot.var.* from a kernel command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmdline.h"
#include "facts.h"
#include "unit.h"
#include "util.h"

static char top[] = "/tmp/t_facts.XXXXXX";

static const char *str_at(const struct tv *m, const char *a, const char *b, const char *c)
{
	const struct tv *v = tv_get(m, a);

	if (b)
		v = tv_get(v, b);
	if (c)
		v = tv_get(v, c);
	return v && v->kind == TV_STRING ? v->str : NULL;
}

struct osr {
	const char *what, *text, *key, *want; /* want NULL: key absent */
};

static const struct osr osrs[] = {
        {"plain value", "ID=debian\n", "id", "debian"},
        {"double quotes removed", "PRETTY_NAME=\"Debian GNU/Linux 12\"\n", "pretty_name",
         "Debian GNU/Linux 12"},
        {"single quotes removed", "ID_LIKE='rhel centos'\n", "id_like", "rhel centos"},
        {"keys lower-cased", "VERSION_ID=\"9.4\"\n", "version_id", "9.4"},
        {"backslash escape in double quotes", "NAME=\"A \\$B\"\n", "name", "A $B"},
        {"blanks around the line trimmed", "  ID=alpine  \n", "id", "alpine"},
        {"empty value kept", "VARIANT=\n", "variant", ""},
        {"a comment is skipped", "#ID=x\nID=y\n", "id", "y"},
        {"a later line wins", "ID=a\nID=b\n", "id", "b"},
        {"no final newline", "X=1\nID=last", "id", "last"},
        {"CRLF", "ID=fedora\r\n", "id", "fedora"},
        {"a line without = is skipped", "garbage\nID=z\n", "id", "z"},
        {"=value without key skipped", "=x\n", "", NULL},
        {"a value with a quote left out", "NAME=\"a\\\"b\"\n", "name", NULL},
        {"a value with a backslash left out", "NAME='a\\b'\n", "name", NULL},
        {"a value with a tab left out", "NAME=\"a\tb\"\n", "name", NULL},
        {"a value with an escape char left out", "NAME=a\033b\n", "name", NULL},
        {"an escaped tab is still a tab", "NAME=\"a\\\tb\"\n", "name", NULL},
};

static void os_release_cases(void)
{
	char what[256];
	size_t i;

	for (i = 0; i < sizeof(osrs) / sizeof(osrs[0]); i++) {
		struct tv *m = tv_map();
		const char *got;

		facts_os_release(osrs[i].text, strlen(osrs[i].text), m);
		got = str_at(m, osrs[i].key, NULL, NULL);
		snprintf(what, sizeof(what), "os-release: %s (%s = %s, got %s)", osrs[i].what,
		         osrs[i].key, osrs[i].want ? osrs[i].want : "absent", got ? got : "absent");
		OK(osrs[i].want ? got && !strcmp(got, osrs[i].want) : !tv_get(m, osrs[i].key),
		   what);
		tv_free(m);
	}
	{
		static const char text[] = "ID=debian\nVERSION_ID=12\0ID=evil\n";
		struct tv *m = tv_map();

		facts_os_release(text, sizeof(text) - 1, m);
		OK(!strcmp(str_at(m, "id", NULL, NULL), "debian") && tv_get(m, "version_id"),
		   "os-release: text after a NUL byte is not read");
		tv_free(m);
	}
}

/* Writes ROOT/rel (folders made). */
static void put(const char *root, const char *rel, const char *text)
{
	char *path = xasprintf("%s%s", root, rel), *p;
	FILE *fp;

	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	fp = fopen(path, "w");
	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
	free(path);
}

static void mkdirs(const char *root, const char *rel)
{
	char *path = xasprintf("%s%s", root, rel);

	mkdir(path, 0755);
	free(path);
}

static void link_in(const char *root, const char *rel, const char *target)
{
	char *path = xasprintf("%s%s", root, rel);

	if (symlink(target, path) < 0)
		perror(path);
	free(path);
}

struct family {
	const char *what;
	const char *file; /* where os-release goes, NULL: none */
	const char *text;
	const char *id, *family, *conf, *confdir, *datadir, *user;
};

static const struct family families[] = {
        {"Debian", "/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n", "debian", "debian",
         "/etc/bind/named.conf", "/etc/bind", "/var/cache/bind", "bind"},
        {"Ubuntu by id_like", "/etc/os-release", "ID=ubuntu\nID_LIKE=debian\n", "ubuntu", "debian",
         "/etc/bind/named.conf", "/etc/bind", "/var/cache/bind", "bind"},
        {"Rocky from usr/lib", "/usr/lib/os-release",
         "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n", "rocky", "rhel", "/etc/named.conf",
         "/etc", "/var/named", "named"},
        {"Fedora", "/etc/os-release", "ID=fedora\n", "fedora", "rhel", "/etc/named.conf", "/etc",
         "/var/named", "named"},
        {"openSUSE", "/etc/os-release", "ID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\n",
         "opensuse-leap", "suse", "/etc/named.conf", "/etc", "/var/lib/named", "named"},
        {"Alpine", "/etc/os-release", "ID=alpine\n", "alpine", "alpine", "/etc/bind/named.conf",
         "/etc/bind", "/var/bind", "named"},
        {"an unknown id: its own family, RHEL layout", "/etc/os-release",
         "ID=arch\nID_LIKE=notdebian\n", "arch", "arch", "/etc/named.conf", "/etc", "/var/named",
         "named"},
        {"no os-release: empty, RHEL layout", NULL, NULL, "", "", "/etc/named.conf", "/etc",
         "/var/named", "named"},
};

static void family_cases(void)
{
	char what[256], *root;
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const struct family *f = &families[i];
		struct tv *data = tv_map();
		const char *id, *fam;

		root = xasprintf("%s/fam%zu", top, i);
		mkdir(root, 0755);
		if (f->file)
			put(root, f->file, f->text);
		facts_gather(data, root, NULL);
		id = str_at(data, "host", "os", "id");
		fam = str_at(data, "host", "os", "family");
		snprintf(what, sizeof(what), "gather: %s: id %s, family %s (got %s, %s)", f->what,
		         f->id, f->family, id ? id : "NULL", fam ? fam : "NULL");
		OK(id && fam && !strcmp(id, f->id) && !strcmp(fam, f->family), what);
		snprintf(what, sizeof(what), "gather: %s: bind %s %s %s %s", f->what, f->conf,
		         f->confdir, f->datadir, f->user);
		OK(str_at(data, "host", "bind", "conf") &&
		           !strcmp(str_at(data, "host", "bind", "conf"), f->conf) &&
		           !strcmp(str_at(data, "host", "bind", "confdir"), f->confdir) &&
		           !strcmp(str_at(data, "host", "bind", "datadir"), f->datadir) &&
		           !strcmp(str_at(data, "host", "bind", "user"), f->user) &&
		           !strcmp(str_at(data, "host", "bind", "group"), f->user) &&
		           !strcmp(str_at(data, "host", "bind", "service"), "named"),
		   what);
		tv_free(data);
		free(root);
	}
}

static void defined_cases(void)
{
	static const char *const strs[][3] = {
	        {"host", "name", NULL},    {"host", "fqdn", NULL},       {"host", "ip4", NULL},
	        {"host", "ip6", NULL},     {"host", "mac", NULL},        {"host", "os", "id"},
	        {"host", "os", "id_like"}, {"host", "os", "version_id"}, {"host", "os", "family"},
	};
	struct tv *data = tv_map();
	char *root = xasprintf("%s/empty", top), name[256] = "", what[128];
	const struct tv *ifs, *vars;
	size_t i;
	int all = 1;

	mkdir(root, 0755);
	facts_gather(data, root, NULL);
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (!str_at(data, strs[i][0], strs[i][1], strs[i][2])) {
			snprintf(what, sizeof(what), "gather: %s.%s%s%s is not defined", strs[i][0],
			         strs[i][1], strs[i][2] ? "." : "", strs[i][2] ? strs[i][2] : "");
			OK(0, what);
			all = 0;
		}
	}
	OK(all, "gather: every string fact is defined with nothing known");
	ifs = tv_get(tv_get(data, "host"), "interfaces");
	OK(ifs && ifs->kind == TV_LIST, "gather: host.interfaces is a list");
	vars = tv_get(tv_get(data, "kernel"), "var");
	OK(vars && vars->kind == TV_MAP && vars->n == 0,
	   "gather: kernel.var is an empty map without a command line");
	for (i = 0; ifs && i < ifs->n; i++) {
		const struct tv *m = ifs->items[i];

		if (!str_at(m, "name", NULL, NULL) || !str_at(m, "mac", NULL, NULL) ||
		    !tv_get(m, "ip4") || tv_get(m, "ip4")->kind != TV_LIST || !tv_get(m, "ip6") ||
		    tv_get(m, "ip6")->kind != TV_LIST)
			break;
	}
	OK(ifs && i == ifs->n, "gather: each interface has name, mac, ip4 and ip6 lists");
	if (gethostname(name, sizeof(name) - 1) == 0) {
		const char *fqdn = str_at(data, "host", "fqdn", NULL), *shortname;

		shortname = str_at(data, "host", "name", NULL);
		OK(fqdn && !strcmp(fqdn, name), "gather: host.fqdn is the kernel's host name");
		if (strchr(name, '.'))
			*strchr(name, '.') = '\0';
		OK(shortname && !strcmp(shortname, name) && !strchr(shortname, '.'),
		   "gather: host.name is it up to the first dot");
	} else {
		SKIP("gethostname failed");
	}
	tv_free(data);
	free(root);
}

/* os-release is a link on most systems: followed, but inside the root.
 * The target is in no place facts reads by itself, and the build host has
 * no such file: only a link resolved inside the root finds it. */
static void link_case(const char *target, const char *what)
{
	char *root = xasprintf("%s/links", top), *path = xasprintf("%s/etc/os-release", root);
	struct tv *data = tv_map();
	const char *id;

	unlink(path);
	link_in(root, "/etc/os-release", target);
	facts_gather(data, root, NULL);
	id = str_at(data, "host", "os", "id");
	OK(id && !strcmp(id, "alpine"), what);
	tv_free(data);
	free(path);
	free(root);
}

static void link_cases(void)
{
	char *root = xasprintf("%s/links", top);

	mkdir(root, 0755);
	put(root, "/usr/share/t_facts/os-release", "ID=alpine\n");
	mkdirs(root, "/etc");
	link_case("../usr/share/t_facts/os-release",
	          "gather: a relative os-release link is followed");
	link_case("/usr/share/t_facts/os-release",
	          "gather: an absolute os-release link starts at the root");
	link_case("../../../../../../../../usr/share/t_facts/os-release",
	          "gather: .. in a link stops at the root");
	free(root);
}

static void kernel_cases(void)
{
	static const char line[] =
	        "quiet roleboot.var.site=lab1 roleboot.var.dns=\"10.0.0.2 10.0.0.3\" "
	        "roleboot.var.bad=\"a\\b\" roleboot.role=https://h/r.ini\n";
	struct kcmdline k;
	struct tv *data = tv_map(), *vars;
	char *root = xasprintf("%s/empty", top);

	kcmdline_parse(&k, line, sizeof(line) - 1);
	facts_gather(data, root, &k);
	vars = tv_get(tv_get(data, "kernel"), "var");
	OK(str_at(vars, "site", NULL, NULL) && !strcmp(str_at(vars, "site", NULL, NULL), "lab1"),
	   "kernel.var: roleboot.var.site=lab1");
	OK(str_at(vars, "dns", NULL, NULL) &&
	           !strcmp(str_at(vars, "dns", NULL, NULL), "10.0.0.2 10.0.0.3"),
	   "kernel.var: a quoted value with a blank");
	OK(!tv_get(vars, "bad"), "kernel.var: a value with a backslash is left out");
	OK(vars && vars->n == 2, "kernel.var: only roleboot.var.* words");
	kcmdline_release(&k);
	tv_free(data);
	free(root);
}

int main(void)
{
	if (!mkdtemp(top)) {
		SKIP("cannot make a temp folder");
		return unit_done();
	}
	os_release_cases();
	family_cases();
	defined_cases();
	link_cases();
	kernel_cases();
	remove_tree(top);
	return unit_done();
}
