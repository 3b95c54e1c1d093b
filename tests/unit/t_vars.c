/*
 * t_vars.c — vars_build: from a manifest (the declarations), a role
 * file and --var overrides to the typed value tree the templates see.
 * Manifests and roles are parsed from in-memory text; the refusal messages
 * are caught from stderr and checked for the variable, its origin, and
 * that a secret value is never echoed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "valtree.h"
#include "manifest.h"
#include "role.h"
#include "capture.h"
#include "unit.h"
#include "vars.h"

#define MWHERE "manifest.ini"
#define RWHERE "site.role"
#define RBASE "file:///srv/roles/site.role"

/* ---- fixtures ---- */

static const char manifest_text[] = "[bundle]\n"                             /* 1 */
                                    "role    = dns\n"                        /* 2 */
                                    "version = 1\n"                          /* 3 */
                                    "[var forwarders]\n"                     /* 4 */
                                    "type = ip\n"                            /* 5 */
                                    "list = yes\n"                           /* 6 */
                                    "[var allow_query]\n"                    /* 7 */
                                    "type    = cidr\n"                       /* 8 */
                                    "list    = yes\n"                        /* 9 */
                                    "default = 10.0.0.0/8, 192.168.0.0/16\n" /* 10 */
                                    "[var port]\n"                           /* 11 */
                                    "type    = port\n"                       /* 12 */
                                    "default = 53\n"                         /* 13 */
                                    "[var recursion]\n"                      /* 14 */
                                    "type    = bool\n"                       /* 15 */
                                    "default = yes\n"                        /* 16 */
                                    "[var flags]\n"                          /* 17 */
                                    "type    = bool\n"                       /* 18 */
                                    "list    = yes\n"                        /* 19 */
                                    "default = yes, off, 1\n"                /* 20 */
                                    "[var tsig]\n"                           /* 21 */
                                    "type    = string\n"                     /* 22 */
                                    "secret  = yes\n"                        /* 23 */
                                    "default = c2VjcmV0\n"                   /* 24 */
                                    "[var admin]\n"                          /* 25 */
                                    "type = hostname\n"                      /* 26 */
                                    "[var comment]\n"                        /* 27 */
                                    "type    = string\n"                     /* 28 */
                                    "default = a, b\n"                       /* 29 */
                                    "[var zone]\n"                           /* 30 */
                                    "type     = section\n"                   /* 31 */
                                    "key-type = hostname\n"                  /* 32 */
                                    "[var zone.primaries]\n"                 /* 33 */
                                    "type = ip\n"                            /* 34 */
                                    "list = yes\n"                           /* 35 */
                                    "[var zone.kind]\n"                      /* 36 */
                                    "type    = string\n"                     /* 37 */
                                    "default = secondary\n"                  /* 38 */
                                    "[var zone.notify]\n"                    /* 39 */
                                    "type    = bool\n"                       /* 40 */
                                    "default = no\n"                         /* 41 */
                                    "[var zone.key]\n"                       /* 42 */
                                    "type   = string\n"                      /* 43 */
                                    "secret = yes\n"                         /* 44 */
                                    "default = none\n"                       /* 45 */
                                    "[var acl]\n"                            /* 46 */
                                    "type = section\n";                      /* 47 */

static const char role_text[] = "[role]\n"                              /* 1 */
                                "name   = dns\n"                        /* 2 */
                                "bundle = dns.tar.gz\n"                 /* 3 */
                                "[vars]\n"                              /* 4 */
                                "forwarders = 10.0.0.2, 10.0.0.3\n"     /* 5 */
                                "    2001:db8::53\n"                    /* 6 */
                                "recursion  = no\n"                     /* 7 */
                                "tsig       = dG9wc2VjcmV0\n"           /* 8 */
                                "admin      = hostmaster.example.com\n" /* 9 */
                                "port       = 5353\n"                   /* 10 */
                                "[zone \"corp.example.com\"]\n"         /* 11 */
                                "primaries = 10.0.1.10, 10.0.1.11\n"    /* 12 */
                                "notify    = yes\n"                     /* 13 */
                                "[zone \"10.in-addr.arpa\"]\n"          /* 14 */
                                "primaries = 10.0.1.10\n"               /* 15 */
                                "kind      = primary\n";                /* 16 */

static int load_manifest(const char *text, struct manifest *m)
{
	int ret;

	capture_begin();
	ret = manifest_parse(MWHERE, text, strlen(text), m);
	capture_end();
	if (ret)
		check_msg(0, "fixture manifest parses");
	return ret;
}

static int load_role(const char *text, struct role *r)
{
	int ret;

	capture_begin();
	ret = role_parse(RWHERE, RBASE, text, strlen(text), r);
	capture_end();
	if (ret)
		check_msg(0, "fixture role parses");
	return ret;
}

/* vars_build over texts; role_txt may be NULL.  *root is set (free it). */
static int build(const char *man_txt, const char *role_txt, const struct override *ov, size_t nov,
                 struct tv **root)
{
	struct manifest m;
	struct role r;
	int ret;

	*root = tv_map();
	errtext[0] = '\0';
	if (load_manifest(man_txt, &m))
		return -2;
	if (role_txt && load_role(role_txt, &r)) {
		manifest_release(&m);
		return -2;
	}
	capture_begin();
	ret = vars_build(&m, role_txt ? &r : NULL, ov, nov, *root);
	capture_end();
	if (role_txt)
		role_release(&r);
	manifest_release(&m);
	return ret;
}

static int is_str(const struct tv *v, const char *s)
{
	return v && v->kind == TV_STRING && v->str && !strcmp(v->str, s) && v->len == strlen(s);
}

static int is_bool(const struct tv *v, int b)
{
	return v && v->kind == TV_BOOL && v->b == b;
}

static const struct tv *item(const struct tv *list, size_t i)
{
	return list && list->kind == TV_LIST && i < list->n ? list->items[i] : NULL;
}

static size_t list_len(const struct tv *v)
{
	return v && v->kind == TV_LIST ? v->n : (size_t)-1;
}

/* ---- good paths ---- */

static void good(void)
{
	struct tv *root, *v, *z;
	int ret = build(manifest_text, role_text, NULL, 0, &root);

	check_msg(ret == 0, "role values build");
	if (ret) {
		tv_free(root);
		return;
	}
	v = tv_get(root, "forwarders");
	OK(list_len(v) == 3, "forwarders: a list of 3 (continuation line included)");
	OK(is_str(item(v, 0), "10.0.0.2") && is_str(item(v, 1), "10.0.0.3") &&
	           is_str(item(v, 2), "2001:db8::53"),
	   "forwarders: items trimmed, in order");
	v = tv_get(root, "allow_query");
	OK(list_len(v) == 2 && is_str(item(v, 0), "10.0.0.0/8") &&
	           is_str(item(v, 1), "192.168.0.0/16"),
	   "allow_query: default list");
	OK(is_str(tv_get(root, "port"), "5353"), "port: role value over default");
	OK(is_bool(tv_get(root, "recursion"), 0), "recursion: 'no' is TV_BOOL false");
	v = tv_get(root, "flags");
	OK(list_len(v) == 3 && is_bool(item(v, 0), 1) && is_bool(item(v, 1), 0) &&
	           is_bool(item(v, 2), 1),
	   "flags: bool list from default is TV_BOOLs");
	v = tv_get(root, "tsig");
	OK(is_str(v, "dG9wc2VjcmV0") && v->secret == 1, "tsig: role value, marked secret");
	OK(is_str(tv_get(root, "admin"), "hostmaster.example.com"), "admin: hostname");
	OK(is_str(tv_get(root, "comment"), "a, b"), "non-list string with a comma stays whole");
	v = tv_get(root, "port");
	OK(v && v->secret == 0, "non-secret value not marked secret");
	OK(tv_get(root, "zone.primaries") == NULL && tv_get(root, "zone.kind") == NULL,
	   "section fields are not top-level values");

	v = tv_get(root, "zone");
	OK(list_len(v) == 2, "zone: a list of 2 maps, role order");
	z = (struct tv *)item(v, 0);
	OK(z && z->kind == TV_MAP, "zone 1 is a map");
	OK(is_str(tv_get(z, "name"), "corp.example.com"), "zone 1: name");
	OK(list_len(tv_get(z, "primaries")) == 2 &&
	           is_str(item(tv_get(z, "primaries"), 1), "10.0.1.11"),
	   "zone 1: primaries list");
	OK(is_str(tv_get(z, "kind"), "secondary"), "zone 1: missing key takes its default");
	OK(is_bool(tv_get(z, "notify"), 1), "zone 1: notify yes is TV_BOOL true");
	OK(is_str(tv_get(z, "key"), "none") && tv_get(z, "key")->secret == 1,
	   "zone 1: secret default marked secret");
	z = (struct tv *)item(v, 1);
	OK(is_str(tv_get(z, "name"), "10.in-addr.arpa"), "zone 2: name");
	OK(list_len(tv_get(z, "primaries")) == 1, "zone 2: one primary");
	OK(is_str(tv_get(z, "kind"), "primary"), "zone 2: kind from the role");
	OK(is_bool(tv_get(z, "notify"), 0), "zone 2: notify default no is TV_BOOL false");
	v = tv_get(root, "acl");
	OK(list_len(v) == 0, "acl: a declared section with no role sections is an empty list");
	OK(root->n == 10, "root holds the 10 top-level names");
	tv_free(root);
}

static void overrides(void)
{
	static const struct override ov[] = {
	        {"port", "1053", "--var"},    {"recursion", "yes", "--var"},
	        {"port", "2053", "--var"},    {"forwarders", "192.0.2.1", "kernel command line"},
	        {"allow_query", "", "--var"},
	};
	struct tv *root, *v;
	int ret = build(manifest_text, role_text, ov, sizeof(ov) / sizeof(ov[0]), &root);

	check_msg(ret == 0, "overrides build");
	if (!ret) {
		OK(is_str(tv_get(root, "port"), "2053"),
		   "last override wins (over role and earlier --var)");
		OK(is_bool(tv_get(root, "recursion"), 1), "override wins over the role (bool)");
		v = tv_get(root, "forwarders");
		OK(list_len(v) == 1 && is_str(item(v, 0), "192.0.2.1"),
		   "an override replaces the role's whole list");
		OK(list_len(tv_get(root, "allow_query")) == 0,
		   "an empty override gives an empty list");
		OK(is_str(tv_get(root, "admin"), "hostmaster.example.com"),
		   "role value kept when not overridden");
	}
	tv_free(root);

	/* no role at all: defaults and overrides only */
	{
		static const struct override only[] = {{"admin", "ns.example.", "--var"}};

		ret = build(manifest_text, NULL, only, 1, &root);
		check_msg(ret == 0, "no role: defaults plus an override build");
		if (!ret) {
			OK(is_str(tv_get(root, "port"), "53"), "no role: default port");
			OK(is_bool(tv_get(root, "recursion"), 1), "no role: default bool");
			OK(list_len(tv_get(root, "forwarders")) == 0,
			   "no role: list without default is empty");
			OK(is_str(tv_get(root, "admin"), "ns.example."), "no role: override");
			OK(list_len(tv_get(root, "zone")) == 0,
			   "no role: sections are empty lists");
			OK(is_str(tv_get(root, "tsig"), "c2VjcmV0") && tv_get(root, "tsig")->secret,
			   "no role: secret default marked secret");
		}
		tv_free(root);
	}
}

/* ---- refusals ---- */

#define MHEAD "[bundle]\nrole = dns\nversion = 1\n" /* 3 lines */
#define RHEAD "[role]\nname = dns\nbundle = b\n"    /* 3 lines */

struct refusal {
	const char *man;  /* NULL: manifest_text */
	const char *role; /* NULL: no role */
	const char *ov_name, *ov_value, *ov_origin;
	const char *msg, *msg2; /* both must be in stderr (msg2 may be NULL) */
	const char *secret;     /* must not be in stderr */
	const char *what;
};

static const struct refusal refusals[] = {
        /* type failures name the variable, the origin and the value */
        {NULL, RHEAD "[vars]\nadmin = a\nport = 99999\n", NULL, NULL, NULL,
         RWHERE ":6: value of 'port' is not a port (1-65535): '99999'", NULL, NULL,
         "bad role value: FILE:LINE, name, value"},
        {NULL, RHEAD "[vars]\nadmin = a\nforwarders = 10.0.0.1,\n  bogus, 10.0.0.2\n", NULL, NULL,
         NULL, RWHERE ":6: value of 'forwarders' is not an IP address: 'bogus'", NULL, NULL,
         "bad list item (on a continuation line) named with the key's line"},
        {NULL, RHEAD "[vars]\nadmin = a\nrecursion = maybe\n", NULL, NULL, NULL,
         RWHERE ":6: value of 'recursion' is not a boolean", "'maybe'", NULL, "bad bool"},
        {NULL, RHEAD "[vars]\nadmin = bad name\n", NULL, NULL, NULL,
         RWHERE ":5: value of 'admin' is not a valid host or domain name: 'bad name'", NULL, NULL,
         "bad hostname"},
        {NULL, RHEAD "[vars]\nadmin = a\n", "port", "http", "--var",
         "--var: value of 'port' is not a port (1-65535): 'http'", NULL, NULL, "bad --var value"},
        {NULL, NULL, "admin", "a b", "kernel command line", "kernel command line: value of 'admin'",
         "'a b'", NULL, "bad kernel command line value"},
        {MHEAD "[var p]\ntype = port\ndefault = 0\n", NULL, NULL, NULL, NULL,
         MWHERE ":4 (default): value of 'p' is not a port (1-65535): '0'", NULL, NULL,
         "bad default names the manifest line and (default)"},
        {MHEAD "[var l]\ntype = int\nlist = yes\ndefault = 1, 2, x3\n", NULL, NULL, NULL, NULL,
         MWHERE ":4 (default): value of 'l' is not an integer: 'x3'", NULL, NULL,
         "bad default list item"},
        /* secrets are never echoed */
        {NULL, RHEAD "[vars]\nadmin = a\ntsig = TOPSECRET\"x\n", NULL, NULL, NULL,
         RWHERE ":6: value of 'tsig' (secret)", NULL, "TOPSECRET",
         "bad secret from the role not echoed"},
        {NULL, RHEAD "[vars]\nadmin = a\ntsig = TOPSECRET\x01x\n", NULL, NULL, NULL,
         RWHERE ":6: value of 'tsig' (secret) holds a newline or control character", NULL,
         "TOPSECRET", "secret with a control character not echoed"},
        {NULL, RHEAD "[vars]\nadmin = a\n", "tsig", "TOPSECRET\\", "--var",
         "--var: value of 'tsig' (secret)", NULL, "TOPSECRET", "bad secret from --var not echoed"},
        {MHEAD "[var k]\ntype = port\nsecret = yes\ndefault = TOPSECRET\n", NULL, NULL, NULL, NULL,
         MWHERE ":4 (default): value of 'k' (secret)", NULL, "TOPSECRET",
         "bad secret default not echoed"},
        {MHEAD "[var k]\ntype = ip\nlist = yes\nsecret = yes\n",
         RHEAD "[vars]\nk = 10.0.0.1, TOPSECRET\n", NULL, NULL, NULL,
         RWHERE ":5: value of 'k' (secret)", NULL, "TOPSECRET", "bad secret list item not echoed"},
        {MHEAD "[var z]\ntype = section\n[var z.k]\ntype = port\nsecret = yes\n",
         RHEAD "[z \"a\"]\nk = TOPSECRET\n", NULL, NULL, NULL,
         RWHERE ":5: value of 'z \"a\".k' (secret)", NULL, "TOPSECRET",
         "bad secret section key not echoed"},
        /* undeclared names */
        {NULL, RHEAD "[vars]\nadmin = a\nnope = 1\n", NULL, NULL, NULL,
         RWHERE ":6: 'nope' is not a variable of bundle 'dns'", NULL, NULL, "undeclared role key"},
        {NULL, RHEAD "[vars]\nadmin = a\nzone = corp.example.com\n", NULL, NULL, NULL,
         RWHERE ":6: 'zone' is not a variable of bundle 'dns'", NULL, NULL,
         "a section name set as a plain [vars] key"},
        {NULL, RHEAD "[vars]\nadmin = a\nzone.kind = primary\n", NULL, NULL, NULL,
         RWHERE ":6: 'zone.kind' is not a variable of bundle 'dns'", NULL, NULL,
         "a dotted section field set in [vars]"},
        {NULL, RHEAD "[vars]\nadmin = a\n", "nope", "1", "--var",
         "--var: 'nope' is not a variable of bundle 'dns'", NULL, NULL, "undeclared --var"},
        {NULL, RHEAD "[vars]\nadmin = a\n", "zone", "x", "--var",
         "--var: 'zone' is not a variable of bundle 'dns'", NULL, NULL, "--var of a section"},
        {NULL, RHEAD "[vars]\nadmin = a\n", "zone.kind", "x", "--var",
         "--var: 'zone.kind' is not a variable of bundle 'dns'", NULL, NULL,
         "--var of a section field"},
        {NULL, RHEAD "[vars]\nadmin = a\n[view \"inside\"]\nx = 1\n", NULL, NULL, NULL,
         RWHERE ":6: [view \"inside\"]: bundle 'dns' declares no section 'view'", NULL, NULL,
         "undeclared section kind"},
        {NULL, RHEAD "[vars]\nadmin = a\n[port \"x\"]\n", NULL, NULL, NULL,
         RWHERE ":6: [port \"x\"]: bundle 'dns' declares no section 'port'", NULL, NULL,
         "section kind naming a scalar variable"},
        {NULL, RHEAD "[vars]\nadmin = a\n[zone \"a.example\"]\nprimaries = 10.0.0.1\nbogus = 1\n",
         NULL, NULL, NULL, RWHERE ":8: 'bogus' is not a key of section 'zone' in bundle 'dns'",
         NULL, NULL, "undeclared key in a section"},
        {NULL,
         RHEAD "[vars]\nadmin = a\n[zone \"a.example\"]\nprimaries = 10.0.0.1\n[acl \"x\"]\n"
               "[zone \"b.example\"]\nprimaries = 10.0.0.2\nbogus = 1\n",
         NULL, NULL, NULL, RWHERE ":11: 'bogus' is not a key of section 'zone' in bundle 'dns'",
         NULL, NULL, "undeclared key in a section after one of another kind"},
        {NULL,
         RHEAD "[vars]\nadmin = a\n[zone \"a.example\"]\nprimaries = 10.0.0.1\n[acl \"x\"]\n"
               "primaries = 10.0.0.2\n",
         NULL, NULL, NULL, RWHERE ":9: 'primaries' is not a key of section 'acl' in bundle 'dns'",
         NULL, NULL, "a key of one kind in a section of another"},
        {NULL, RHEAD "[vars]\nadmin = a\n[zone \"bad name!\"]\n", NULL, NULL, NULL,
         RWHERE ":6: section name of [zone \"bad name!\"] is not a valid host or domain name", NULL,
         NULL, "section name failing the key-type"},
        {NULL, RHEAD "[vars]\nadmin = a\n[zone \"a.example\"]\nprimaries = 10.0.0.1, x\n", NULL,
         NULL, NULL, RWHERE ":7: value of 'zone \"a.example\".primaries' is not an IP address: 'x'",
         NULL, NULL, "bad section value names section, key and line"},
        {NULL, RHEAD "[vars]\nadmin = a\n[zone \"a.example\"]\nnotify = sometimes\n", NULL, NULL,
         NULL, RWHERE ":7: value of 'zone \"a.example\".notify' is not a boolean", NULL, NULL,
         "bad section bool"},
        /* reserved names */
        {MHEAD "[var host]\ntype = string\n", NULL, NULL, NULL, NULL,
         MWHERE ":4: 'host' is reserved for facts", NULL, NULL, "variable 'host' reserved"},
        {MHEAD "[var a]\ntype = int\ndefault = 1\n[var role]\ntype = string\n", NULL, NULL, NULL,
         NULL, MWHERE ":7: 'role' is reserved for facts", NULL, NULL, "variable 'role' reserved"},
        {MHEAD "[var bundle]\ntype = section\n", NULL, NULL, NULL, NULL,
         MWHERE ":4: 'bundle' is reserved for facts", NULL, NULL, "section 'bundle' reserved"},
        /* missing required values */
        {NULL, RHEAD "[vars]\nport = 53\n", NULL, NULL, NULL,
         RWHERE ": no value for 'admin': the role file must set it", NULL, NULL,
         "missing required value"},
        {NULL, NULL, NULL, NULL, NULL, "no value for 'admin'", NULL, NULL,
         "missing required value without a role"},
        {MHEAD "[var z]\ntype = section\n[var z.master]\ntype = ip\n",
         RHEAD "[z \"one\"]\nmaster = 10.0.0.1\n[z \"two\"]\n", NULL, NULL, NULL,
         RWHERE ": no value for 'z \"two\".master'", NULL, NULL, "missing required section key"},
};

static void refusals_table(void)
{
	char what[512];
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *c = &refusals[i];
		struct override ov = {c->ov_name, c->ov_value, c->ov_origin};
		struct tv *root;
		int ret = build(c->man ? c->man : manifest_text, c->role, &ov, c->ov_name ? 1 : 0,
		                &root);

		snprintf(what, sizeof(what), "refused: %s", c->what);
		check_msg(ret == -1 && contains(errtext, c->msg) &&
		                  (!c->msg2 || contains(errtext, c->msg2)),
		          what);
		if (c->secret) {
			snprintf(what, sizeof(what), "secret not in the message: %s", c->what);
			OK(ret == -1 && !contains(errtext, c->secret), what);
		}
		tv_free(root);
	}
}

int main(void)
{
	good();
	overrides();
	refusals_table();
	return unit_done();
}
