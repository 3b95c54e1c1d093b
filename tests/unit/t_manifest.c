/*
 * t_manifest.c — manifest_parse: a full good manifest with its defaults,
 * then every refusal with the FILE:LINE its message must carry, and
 * parse_utc in both of its formats.  stderr is caught around each call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "manifest.h"
#include "capture.h"
#include "unit.h"

#define WHERE "manifest.ini"

static int parse(const char *text, struct manifest *m)
{
	int ret;

	capture_begin();
	ret = manifest_parse(WHERE, text, strlen(text), m);
	capture_end();
	return ret;
}

static const struct mfile *find_file(const struct manifest *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		if (!strcmp(m->files[i].path, path))
			return &m->files[i];
	return NULL;
}

static const struct mservice *find_service(const struct manifest *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nservices; i++)
		if (!strcmp(m->services[i].name, name))
			return &m->services[i];
	return NULL;
}

/* ---- a good manifest ---- */

static const char good_text[] = "; the dns-internal bundle\n"      /* 1 */
                                "[bundle]\n"                       /* 2 */
                                "role    = dns-internal\n"         /* 3 */
                                "version = 7\n"                    /* 4 */
                                "expires = 2027-06-30T00:00:00Z\n" /* 5 */
                                "\n"                               /* 6 */
                                "[var forwarders]\n"               /* 7 */
                                "type    = ip\n"                   /* 8 */
                                "list    = yes\n"                  /* 9 */
                                "default = 10.0.0.2, 10.0.0.3\n"   /* 10 */
                                "\n"                               /* 11 */
                                "[var tsig_secret]\n"              /* 12 */
                                "type   = string\n"                /* 13 */
                                "secret = yes\n"                   /* 14 */
                                "\n"                               /* 15 */
                                "[var port]\n"                     /* 16 */
                                "type = port\n"                    /* 17 */
                                "\n"                               /* 18 */
                                "[var zone.primaries]\n"           /* 19: child before parent */
                                "type = ip\n"                      /* 20 */
                                "list = yes\n"                     /* 21 */
                                "\n"                               /* 22 */
                                "[var zone]\n"                     /* 23 */
                                "type     = section\n"             /* 24 */
                                "key-type = hostname\n"            /* 25 */
                                "\n"                               /* 26 */
                                "[var zone.type]\n"                /* 27 */
                                "type    = string\n"               /* 28 */
                                "default = secondary\n"            /* 29 */
                                "\n"                               /* 30 */
                                "[var acl]\n"                      /* 31 */
                                "type = section\n"                 /* 32 */
                                "\n"                               /* 33 */
                                "[file /etc/bind/named.conf]\n"    /* 34 */
                                "template = named.conf.mustache\n" /* 35 */
                                "mode     = 0640\n"                /* 36 */
                                "owner    = root\n"                /* 37 */
                                "group    = bind\n"                /* 38 */
                                "validate = named-checkconf %s\n"  /* 39 */
                                "notify   = named, sync-agent\n"   /* 40 */
                                "\n"                               /* 41 */
                                "[file /etc/systemd/system/sync-agent.service]\n" /* 42 */
                                "source = sync-agent.service\n"                   /* 43 */
                                "\n"                                              /* 44 */
                                "[file \"/etc/quoted path.conf\"]\n"              /* 45 */
                                "source = q\n"                                    /* 46 */
                                "mode = 4755\n"                                   /* 47 */
                                "\n"                                              /* 48 */
                                "[service named]\n"                               /* 49 */
                                "enable            = yes\n"                       /* 50 */
                                "restart-on-change = yes\n"                       /* 51 */
                                "\n"                                              /* 52 */
                                "[service sync-agent]\n"                          /* 53 */
                                "enable = no\n"                                   /* 54 */
                                "\n"                                              /* 55 */
                                "[service roleboot-sync@dns.timer]\n";            /* 56 */

static void good(void)
{
	struct manifest m;
	const struct mvar *v;
	const struct mfile *f;
	const struct mservice *s;
	int ret = parse(good_text, &m);

	check_msg(ret == 0, "good manifest parses");
	if (ret)
		return;
	STREQ(m.where, WHERE, "where");
	STREQ(m.role, "dns-internal", "role");
	OK(m.version == 7, "version 7");
	OK(m.has_expires && m.expires == (time_t)1814313600, "expires 2027-06-30T00:00:00Z");
	OK(m.nvars == 7 && m.nfiles == 3 && m.nservices == 3, "7 vars, 3 files, 3 services");

	v = manifest_var(&m, "forwarders");
	OK(v && v->type == VT_IP && v->list == 1 && v->secret == 0, "forwarders: ip list");
	OK(v && v->def && !strcmp(v->def, "10.0.0.2, 10.0.0.3"), "forwarders: default");
	OK(v && v->line == 7, "forwarders: line 7");
	v = manifest_var(&m, "tsig_secret");
	OK(v && v->type == VT_STRING && v->secret == 1 && v->list == 0 && v->def == NULL,
	   "tsig_secret: secret string without default");
	v = manifest_var(&m, "port");
	OK(v && v->type == VT_PORT && !v->list && !v->secret && !v->def,
	   "port: defaults list=no secret=no no default");
	v = manifest_var(&m, "zone");
	OK(v && v->type == VT_SECTION && v->key_type == VT_HOSTNAME,
	   "zone: section keyed by hostname");
	v = manifest_var(&m, "zone.primaries");
	OK(v && v->type == VT_IP && v->list && v->line == 19,
	   "zone.primaries: dotted field declared before its section");
	v = manifest_var(&m, "zone.type");
	OK(v && v->type == VT_STRING, "zone.type: a field may be called 'type'");
	OK(v && v->def && !strcmp(v->def, "secondary"), "zone.type: default");
	v = manifest_var(&m, "acl");
	OK(v && v->type == VT_SECTION && v->key_type == VT_STRING,
	   "acl: key-type defaults to string");
	OK(manifest_var(&m, "nothing") == NULL, "manifest_var of an undeclared name is NULL");
	OK(manifest_var(&m, "zone.") == NULL && manifest_var(&m, "primaries") == NULL,
	   "manifest_var matches whole names only");

	f = find_file(&m, "/etc/bind/named.conf");
	OK(f != NULL, "named.conf listed");
	if (f) {
		STREQ(f->template, "named.conf.mustache", "named.conf: template");
		OK(f->source == NULL, "named.conf: no source");
		OK(f->mode == 0640, "named.conf: mode 0640");
		STREQ(f->owner, "root", "named.conf: owner");
		STREQ(f->group, "bind", "named.conf: group");
		STREQ(f->validate, "named-checkconf %s", "named.conf: validate keeps %s");
		OK(f->nnotify == 2, "named.conf: notifies two services");
		if (f->nnotify == 2) {
			STREQ(f->notify[0], "named", "notify 1 trimmed");
			STREQ(f->notify[1], "sync-agent", "notify 2 trimmed");
		}
		OK(f->line == 34, "named.conf: line 34");
	}
	f = find_file(&m, "/etc/systemd/system/sync-agent.service");
	OK(f != NULL, "unit file listed");
	if (f) {
		STREQ(f->source, "sync-agent.service", "unit: source");
		OK(f->template == NULL, "unit: no template");
		OK(f->mode == 0644, "unit: mode defaults to 0644");
		STREQ(f->owner, "root", "unit: owner defaults to root");
		STREQ(f->group, "root", "unit: group defaults to root");
		OK(f->validate == NULL && f->nnotify == 0, "unit: no validate, no notify");
	}
	f = find_file(&m, "/etc/quoted path.conf");
	OK(f != NULL, "quoted file path with a space, quotes removed");
	OK(f && f->mode == 04755, "mode 4755 is octal with setuid");

	s = find_service(&m, "named");
	OK(s && s->enable == 1 && s->restart == 1 && s->line == 49,
	   "named: enable, restart-on-change");
	s = find_service(&m, "sync-agent");
	OK(s && s->enable == 0 && s->restart == 0, "sync-agent: enable = no");
	s = find_service(&m, "roleboot-sync@dns.timer");
	OK(s && s->enable == 1 && s->restart == 0,
	   "service defaults: enable yes, restart-on-change no");

	manifest_release(&m);
	OK(m.role == NULL && m.nvars == 0 && m.nfiles == 0 && m.nservices == 0,
	   "manifest_release clears the struct");
}

static void minimal(void)
{
	struct manifest m;
	int ret = parse("[bundle]\nrole = r\nversion = 0\n", &m);

	check_msg(ret == 0, "minimal manifest (version 0, nothing else)");
	if (ret)
		return;
	OK(m.version == 0 && !m.has_expires && m.nvars == 0 && m.nfiles == 0 && m.nservices == 0,
	   "minimal: version 0, no expires, no entries");
	manifest_release(&m);

	ret = parse("[bundle]\nrole = r\nversion = 3\nexpires = 2000-01-01\n", &m);
	check_msg(ret == 0, "date-only expires");
	if (!ret) {
		OK(m.has_expires && m.expires == (time_t)946684800,
		   "expires 2000-01-01 is midnight UTC");
		manifest_release(&m);
	}

	ret = parse("[bundle]\nrole = r\nversion = 9223372036854775807\n", &m);
	check_msg(ret == 0, "largest version");
	if (!ret) {
		OK(m.version == 9223372036854775807LL, "version INT64_MAX");
		manifest_release(&m);
	}
}

struct refusal {
	const char *body; /* appended to a good [bundle] of 3 lines */
	const char *msg;
	const char *what;
};

#define HEAD "[bundle]\nrole = r\nversion = 1\n" /* lines 1-3 */

static const struct refusal refusals[] = {
        /* [bundle] */
        {"![bundle]\nversion = 1\n", WHERE ": [bundle] needs 'role' and 'version'", "missing role"},
        {"![bundle]\nrole = r\n", WHERE ": [bundle] needs 'role' and 'version'", "missing version"},
        {"!", WHERE ": [bundle] needs 'role' and 'version'", "empty manifest"},
        {"![bundle]\nrole = r\nversion = x\n", WHERE ":3: version must be a non-negative integer",
         "version not a number"},
        {"![bundle]\nrole = r\nversion = -1\n", WHERE ":3: version must be a non-negative integer",
         "negative version"},
        {"![bundle]\nrole = r\nversion = 7x\n", WHERE ":3: version must be", "version 7x"},
        {"![bundle]\nrole = r\nversion =\n", WHERE ":3: version must be", "empty version"},
        {"![bundle]\nrole = r\nversion = 1.5\n", WHERE ":3: version must be", "version 1.5"},
        {"![bundle]\nrole = r\nversion = 9223372036854775808\n", WHERE ":3: version must be",
         "version overflow"},
        {"expires = 2027-06-30 00:00\n", WHERE ":4: expires must be", "expires with a space"},
        {"expires = 2027-06-30T00:00:00\n", WHERE ":4: expires must be", "expires without Z"},
        {"expires = 2027-06-30T00:00Z\n", WHERE ":4: expires must be", "expires without seconds"},
        {"expires = 2027-13-01\n", WHERE ":4: expires must be", "expires month 13"},
        {"expires = 2027-02-30\n", WHERE ":4: expires must be", "expires on February 30"},
        {"expires = tomorrow\n", WHERE ":4: expires must be", "expires a word"},
        {"expires = 2027-06-30Z\n", WHERE ":4: expires must be", "expires date with Z"},
        {"expires = 2027-06-30T25:00:00Z\n", WHERE ":4: expires must be", "expires hour 25"},
        {"owner = me\n", WHERE ":4: unknown key 'owner' in [bundle]", "unknown key in [bundle]"},
        {"role = s\n", WHERE ":4: 'role' is set twice", "role set twice"},
        {"!key = v\n[bundle]\nrole = r\nversion = 1\n", WHERE ":1: 'key' outside of any section",
         "key before any section"},
        /* sections */
        {"[vars]\n", WHERE ":4: unknown section [vars]", "unknown section"},
        {"[template x]\n", WHERE ":4: unknown section [template x]", "unknown section kind"},
        {"[var \"a]\n", WHERE ":4: unknown section", "malformed section"},
        {"  [var a]\ntype = int\n", WHERE ":4: indented section header", "indented section header"},
        /* vars */
        {"[var a]\ntype = float\n", WHERE ":5: unknown type 'float'", "unknown type"},
        {"[var a]\ntype = String\n", WHERE ":5: unknown type 'String'",
         "type names are case-sensitive"},
        {"[var a]\ntype = section\nkey-type = section\n", WHERE ":6: unknown type 'section'",
         "key-type section"},
        {"[var a]\ntype = int\nkey-type = blob\n", WHERE ":6: unknown type 'blob'",
         "unknown key-type"},
        {"[var a]\ntype = int\nrequired = yes\n", WHERE ":6: unknown key 'required' in [var a]",
         "unknown key in [var]"},
        {"[var a]\ntype = int\nlist = maybe\n", WHERE ":6: 'list' must be yes or no, not 'maybe'",
         "list not a boolean"},
        {"[var a]\ntype = int\nsecret = 2\n", WHERE ":6: 'secret' must be yes or no",
         "secret not a boolean"},
        {"[var a]\ntype = int\ndefault = 1\ndefault = 2\n", WHERE ":7: 'default' is set twice",
         "default set twice"},
        {"[var a]\nlist = yes\n", WHERE ":4: [var a] needs a type", "var without a type"},
        {"[var a]\ntype = int\n[var b]\ntype = ip\n[var a]\ntype = int\n",
         WHERE ":8: variable 'a' declared twice", "duplicate var"},
        {"[var a-b]\ntype = int\n", WHERE ":4: bad variable name 'a-b'", "hyphen in a var name"},
        {"[var .a]\ntype = int\n", WHERE ":4: bad variable name '.a'",
         "var name starting with '.'"},
        {"[var a..b]\ntype = int\n", WHERE ":4: bad variable name 'a..b'", "var name with '..'"},
        {"[var z.p]\ntype = ip\n", WHERE ":4: [var z.p]: 'z' is not declared with type = section",
         "dotted var without its section parent"},
        {"[var z]\ntype = string\n[var z.p]\ntype = ip\n",
         WHERE ":6: [var z.p]: 'z' is not declared with type = section",
         "dotted var whose parent is not a section"},
        {"[var z]\ntype = section\n[var z.name]\ntype = string\n",
         WHERE ":6: [var z.name]: 'name' is the section's own name",
         "var named 'name' under a section"},
        {"[var z]\ntype = section\n[var z.a.b]\ntype = string\n",
         WHERE ":6: [var z.a.b]: only one level", "two levels of dots"},
        {"[var z]\ntype = section\nlist = yes\n",
         WHERE ":4: [var z] of type section takes only key-type", "section var with list"},
        {"[var z]\ntype = section\ndefault = a\n", WHERE ":4: [var z] of type section takes only",
         "section var with default"},
        {"[var z]\ntype = section\nsecret = yes\n", WHERE ":4: [var z] of type section takes only",
         "section var with secret"},
        /* files */
        {"[file etc/x.conf]\nsource = x\n", WHERE ":4: file path 'etc/x.conf' must be absolute",
         "relative file path"},
        {"[file /etc/../shadow]\nsource = x\n", WHERE ":4: file path '/etc/../shadow' must be",
         "file path with '..'"},
        {"[file /etc/..]\nsource = x\n", WHERE ":4: file path '/etc/..' must be",
         "file path ending in '..'"},
        {"[file /etc//x]\nsource = x\n", WHERE ":4: file path '/etc//x' must be",
         "file path with '//'"},
        {"[file /etc/./x]\nsource = x\n", WHERE ":4: file path '/etc/./x' must be",
         "file path with '.'"},
        {"[file /etc/x/]\nsource = x\n", WHERE ":4: file path '/etc/x/' must be",
         "file path with a trailing '/'"},
        {"[file /]\nsource = x\n", WHERE ":4: file path '/' must be", "file path '/'"},
        {"[file /etc/x]\ntemplate = t\nsource = s\n",
         WHERE ":4: [file /etc/x] needs exactly one of template, source or generate",
         "file with both template and source"},
        {"[file /etc/x]\nmode = 0600\n",
         WHERE ":4: [file /etc/x] needs exactly one of template, source or generate",
         "file with neither template nor source"},
        {"[file /etc/x]\nsource = s\nsource = t\n", WHERE ":6: 'source' is set twice",
         "source set twice"},
        {"[file /etc/x]\nsource = s\nmode = 0999\n", WHERE ":6: mode must be octal",
         "mode with a 9"},
        {"[file /etc/x]\nsource = s\nmode = 10000\n", WHERE ":6: mode must be octal",
         "mode over 07777"},
        {"[file /etc/x]\nsource = s\nmode = rw\n", WHERE ":6: mode must be octal",
         "mode not a number"},
        {"[file /etc/x]\nsource = s\nmode =\n", WHERE ":6: mode must be octal", "empty mode"},
        {"[file /etc/x]\nsource = s\nmode = -1\n", WHERE ":6: mode must be octal", "negative mode"},
        {"[file /etc/x]\nsource = s\nuser = root\n",
         WHERE ":6: unknown key 'user' in [file /etc/x]", "unknown key in [file]"},
        {"[file /etc/x]\nsource = s\nnotify = named\n",
         WHERE ":4: [file /etc/x] notifies 'named', which has no [service] section",
         "notify of an undeclared service"},
        {"[file /etc/x]\nsource = s\nnotify = named, nope\n[service named]\n",
         WHERE ":4: [file /etc/x] notifies 'nope'", "second notify undeclared"},
        {"[file /etc/x]\nsource = s\n[file /etc/y]\nsource = s\n[file /etc/x]\nsource = t\n",
         WHERE ":8: file '/etc/x' listed twice", "duplicate file"},
        {"[file /etc/x]\nsource = s\nreplace = sometimes\n",
         WHERE ":6: 'replace' must be yes or no, not 'sometimes'", "replace not a boolean"},
        {"[file /z/{{name}}.zone]\nsource = s\nforeach = zone\n",
         WHERE ":4: [file /z/{{name}}.zone]: foreach 'zone' is not declared with type = section",
         "foreach of an undeclared variable"},
        {"[var zone]\ntype = hostname\n[file /z/{{name}}.zone]\nsource = s\nforeach = zone\n",
         WHERE ":6: [file /z/{{name}}.zone]: foreach 'zone' is not declared with type = section",
         "foreach of a variable that is not a section"},
        {"[var zone]\ntype = section\n[file /z/all.zone]\nsource = s\nforeach = zone\n",
         WHERE ":6: [file /z/all.zone]: a foreach path holds {{name}} in its last part",
         "foreach path without {{name}}"},
        {"[var zone]\ntype = section\n[file /z/{{name}}/db]\nsource = s\nforeach = zone\n",
         WHERE ":6: [file /z/{{name}}/db]: a foreach path holds {{name}} in its last part",
         "foreach path with {{name}} in a folder"},
        {"[var zone]\ntype = section\n[file /z/{{name}}.zone]\ngenerate = true\nforeach = zone\n",
         WHERE ":6: [file /z/{{name}}.zone]: foreach takes a template or a source",
         "foreach with generate"},
        {"[file /z/{{name}}.zone]\nsource = s\n",
         WHERE ":4: [file /z/{{name}}.zone]: {{name}} in a path needs foreach = SECTION",
         "{{name}} without foreach"},
        {"[var zone]\ntype = section\n[file /z/{{name}}.zone]\nsource = s\nforeach = zone\nforeach "
         "= zone\n",
         WHERE ":9: 'foreach' is set twice", "foreach set twice"},
        /* services */
        {"[service named]\nenable = perhaps\n",
         WHERE ":5: 'enable' must be yes or no, not 'perhaps'", "enable not a boolean"},
        {"[service named]\nrestart-on-change = 2\n",
         WHERE ":5: 'restart-on-change' must be yes or no", "restart-on-change not a boolean"},
        {"[service named]\nrestart = yes\n", WHERE ":5: unknown key 'restart' in [service named]",
         "unknown key in [service]"},
        {"[service named]\n[service bind]\n[service named]\n",
         WHERE ":6: service 'named' listed twice", "duplicate service"},
        {"[service na/med]\n", WHERE ":4: bad service name 'na/med'", "service name with '/'"},
        {"[service \"a b\"]\n", WHERE ":4: bad service name 'a b'", "service name with a space"},
};

/* replace = no and foreach, and the path a foreach entry gets */
static void file_options(void)
{
	static const char text[] = HEAD "[var zone]\n"                         /* 4 */
	                                "type     = section\n"                 /* 5 */
	                                "key-type = hostname\n"                /* 6 */
	                                "[file /var/named/rb/{{name}}.zone]\n" /* 7 */
	                                "foreach  = zone\n"                    /* 8 */
	                                "template = zone.mustache\n"           /* 9 */
	                                "replace  = no\n"                      /* 10 */
	                                "[file /etc/x]\n"                      /* 11 */
	                                "source  = x\n"                        /* 12 */
	                                "replace = yes\n"                      /* 13 */
	                                "[file /etc/y]\n"                      /* 14 */
	                                "source  = y\n";                       /* 15 */
	const struct mfile *f;
	struct manifest m;
	char *p;
	int ret = parse(text, &m);

	check_msg(ret == 0, "manifest with replace and foreach parses");
	if (ret)
		return;
	f = find_file(&m, "/var/named/rb/{{name}}.zone");
	OK(f && f->foreach && !strcmp(f->foreach, "zone") && f->replace == 0 && f->line == 7,
	   "foreach = zone, replace = no");
	f = find_file(&m, "/etc/x");
	OK(f && f->replace == 1 && f->foreach == NULL, "replace = yes");
	f = find_file(&m, "/etc/y");
	OK(f && f->replace == 1, "replace defaults to yes");

	f = find_file(&m, "/var/named/rb/{{name}}.zone");
	if (f) {
		p = manifest_foreach_path(f, "corp.example.com");
		STREQ(p ? p : "(null)", "/var/named/rb/corp.example.com.zone",
		      "foreach path: {{name}} replaced by the section's name");
		free(p);
		p = manifest_foreach_path(f, "2.0.192.in-addr.arpa");
		STREQ(p ? p : "(null)", "/var/named/rb/2.0.192.in-addr.arpa.zone",
		      "foreach path: reverse zone");
		free(p);
		capture_begin();
		p = manifest_foreach_path(f, "a/b");
		capture_end();
		OK(p == NULL && contains(errtext, "section name 'a/b' cannot be part of a path"),
		   "foreach path: a name with '/' refused");
		free(p);
		capture_begin();
		p = manifest_foreach_path(f, "");
		capture_end();
		OK(p == NULL, "foreach path: an empty name refused");
		free(p);
	}
	manifest_release(&m);

	ret = parse(HEAD "[var s]\ntype = section\n[file /d/{{name}}]\nsource = s\nforeach = s\n",
	            &m);
	check_msg(ret == 0, "foreach path that is only {{name}} in its folder");
	if (!ret) {
		capture_begin();
		p = manifest_foreach_path(&m.files[0], "..");
		capture_end();
		OK(p == NULL, "foreach path: '..' as the whole last part refused");
		free(p);
		capture_begin();
		p = manifest_foreach_path(&m.files[0], ".");
		capture_end();
		OK(p == NULL, "foreach path: '.' as the whole last part refused");
		free(p);
		p = manifest_foreach_path(&m.files[0], "x..y");
		STREQ(p ? p : "(null)", "/d/x..y", "foreach path: dots inside a name are a name");
		free(p);
		manifest_release(&m);
	}
}

static void refusals_table(void)
{
	char text[2048], what[512];
	struct manifest m;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const char *body = refusals[i].body;

		if (body[0] == '!') /* whole text, no [bundle] head */
			snprintf(text, sizeof(text), "%s", body + 1);
		else
			snprintf(text, sizeof(text), HEAD "%s", body);
		memset(&m, 0x5a, sizeof(m));
		ret = parse(text, &m);
		snprintf(what, sizeof(what), "refused: %s", refusals[i].what);
		check_msg(ret == -1 && contains(errtext, refusals[i].msg), what);
		if (ret == 0) {
			manifest_release(&m);
			continue;
		}
		snprintf(what, sizeof(what), "left empty: %s", refusals[i].what);
		OK(m.role == NULL && m.vars == NULL && m.files == NULL && m.services == NULL &&
		           m.where == NULL,
		   what);
	}
}

static void utc(void)
{
	static const struct {
		const char *s;
		int ok;
		long long t;
	} cases[] = {
	        {"1970-01-01", 1, 0},
	        {"1970-01-01T00:00:00Z", 1, 0},
	        {"2000-01-01T12:34:56Z", 1, 946730096},
	        {"2027-06-30", 1, 1814313600},
	        {"2027-06-30T00:00:00Z", 1, 1814313600},
	        {"2024-02-29T23:59:59Z", 1, 1709251199},
	        {"", 0, 0},
	        {"2027", 0, 0},
	        {"2027-06", 0, 0},
	        {"2027-06-30T", 0, 0},
	        {"2027-06-30T00:00:00", 0, 0},
	        {"2027-06-30T00:00:00+00:00", 0, 0},
	        {"2027-06-30T00:00:00Zjunk", 0, 0},
	        {"2027-06-30 ", 0, 0},
	        {"2027/06/30", 0, 0},
	        {"30-06-2027", 0, 0},
	        {"2027-00-10", 0, 0},
	        {"2027-06-32", 0, 0},
	        {"2027-02-30", 0, 0},
	        {"2023-02-29", 0, 0},
	};
	char what[128];
	size_t i;
	time_t t;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = (time_t)-12345;
		r = parse_utc(cases[i].s, &t);
		if (cases[i].ok) {
			snprintf(what, sizeof(what), "parse_utc(\"%s\") = %lld", cases[i].s,
			         cases[i].t);
			OK(r == 0 && (long long)t == cases[i].t, what);
		} else {
			snprintf(what, sizeof(what), "parse_utc(\"%s\") refused", cases[i].s);
			OK(r == -1, what);
		}
	}
}

int main(void)
{
	good();
	minimal();
	file_options();
	refusals_table();
	utc();
	return unit_done();
}
