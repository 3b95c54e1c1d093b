/*
 * t_role.c — role_parse on in-memory role files: the good shape (mirrors,
 * relative URLs, continuation lines, list sections) and every refusal with
 * the FILE:LINE its message must carry.  Messages go to stderr; they are
 * caught by pointing fd 2 at a temporary file around each call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "role.h"
#include "capture.h"
#include "unit.h"

#define WHERE "x.role"
#define BASE "file:///srv/roles/x.role"

/* Parse text (len bytes) with stderr caught; returns role_parse's result. */
static int parse_len(const char *text, size_t len, struct role *r)
{
	int ret;

	capture_begin();
	ret = role_parse(WHERE, BASE, text, len, r);
	capture_end();
	return ret;
}

static int parse(const char *text, struct role *r)
{
	return parse_len(text, strlen(text), r);
}

static const char *var(const struct role *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->nvars; i++)
		if (!strcmp(r->vars[i].key, key))
			return r->vars[i].value;
	return NULL;
}

static const char *skv(const struct role_section *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->kv[i].key, key))
			return s->kv[i].value;
	return NULL;
}

/* ---- good role files ---- */

static void good_full(void)
{
	static const char text[] =
	        "; a role file\n"                                                /* 1 */
	        "[role]\n"                                                       /* 2 */
	        "name      = dns-internal\n"                                     /* 3 */
	        "bundle    = https://boot.example.net/b/dns-internal-7.tar.gz\n" /* 4 */
	        "mirror    = https://m1.example.net/b/dns-internal-7.tar.gz\n"   /* 5 */
	        "mirror    = bundles/local.tar.gz\n"                             /* 6 */
	        "mirror    = /abs/copy.tar.gz\n"                                 /* 7 */
	        "report    = https://boot.example.net/report ; phone home\n"     /* 8 */
	        "\n"                                                             /* 9 */
	        "[vars]\n"                                                       /* 10 */
	        "forwarders = 10.0.0.2, 10.0.0.3\n"                              /* 11 */
	        "allow_query = 10.0.0.0/8\n"                                     /* 12 */
	        "long_list = 10.0.0.1\n"                                         /* 13 */
	        "    10.0.0.2\n"                                                 /* 14 */
	        "\t10.0.0.3\n"                                                   /* 15 */
	        "# a comment between\n"                                          /* 16 */
	        "after = x\n"                                                    /* 17 */
	        "empty_first =\n"                                                /* 18 */
	        "  one\n"                                                        /* 19 */
	        "  two\n"                                                        /* 20 */
	        "\n"                                                             /* 21 */
	        "[zone \"corp.example.com\"]\n"                                  /* 22 */
	        "primaries = 10.0.1.10, 10.0.1.11\n"                             /* 23 */
	        "also = a\n"                                                     /* 24 */
	        "  b\n"                                                          /* 25 */
	        "[zone \"10.in-addr.arpa\"]\n"                                   /* 26 */
	        "primaries = 10.0.1.10\n"                                        /* 27 */
	        "[acl internal]\n"                                               /* 28 */
	        "[vars]\n"                                                       /* 29 */
	        "late = 1\n";                                                    /* 30 */
	struct role r;
	int ret = parse(text, &r);

	check_msg(ret == 0, "full role file parses");
	if (ret)
		return;
	STREQ(r.name, "dns-internal", "name");
	STREQ(r.bundle, "https://boot.example.net/b/dns-internal-7.tar.gz",
	      "absolute bundle URL kept");
	STREQ(r.where, BASE, "where is the base URL");
	STREQ(r.source, WHERE, "source is the name as given");
	OK(r.signature == NULL, "signature defaults to NULL");
	STREQ(r.report, "https://boot.example.net/report", "report, inline comment stripped");
	OK(r.nmirrors == 3, "mirror is repeatable (3 mirrors)");
	if (r.nmirrors == 3) {
		STREQ(r.mirrors[0], "https://m1.example.net/b/dns-internal-7.tar.gz",
		      "mirror 1 kept in order");
		STREQ(r.mirrors[1], "file:///srv/roles/bundles/local.tar.gz",
		      "relative mirror resolved against the base");
		STREQ(r.mirrors[2], "file:///abs/copy.tar.gz", "absolute-path mirror resolved");
	}
	OK(r.nvars == 6, "six [vars] keys (two [vars] sections merge)");
	STREQ(var(&r, "forwarders"), "10.0.0.2, 10.0.0.3", "list value kept as text");
	STREQ(var(&r, "allow_query"), "10.0.0.0/8", "cidr value kept as text");
	STREQ(var(&r, "long_list"), "10.0.0.1, 10.0.0.2, 10.0.0.3",
	      "indented continuation lines joined with ', '");
	STREQ(var(&r, "after"), "x", "key after a continuation and a comment");
	STREQ(var(&r, "empty_first"), "one, two",
	      "continuation of an empty value has no leading ', '");
	STREQ(var(&r, "late"), "1", "key in a second [vars] section");
	if (r.nvars >= 3) {
		OK(r.vars[0].line == 11, "line of forwarders is 11");
		OK(r.vars[2].line == 13, "line of a continued key is its first line");
	}
	OK(r.nsections == 3, "three list sections");
	if (r.nsections == 3) {
		STREQ(r.sections[0].kind, "zone", "section 1 kind");
		STREQ(r.sections[0].name, "corp.example.com", "section 1 name without quotes");
		OK(r.sections[0].line == 22, "section 1 line");
		OK(r.sections[0].n == 2, "section 1 has two keys");
		STREQ(skv(&r.sections[0], "primaries"), "10.0.1.10, 10.0.1.11",
		      "section 1 primaries");
		STREQ(skv(&r.sections[0], "also"), "a, b", "continuation inside a list section");
		STREQ(r.sections[1].name, "10.in-addr.arpa", "section 2 name");
		STREQ(skv(&r.sections[1], "primaries"), "10.0.1.10", "section 2 primaries");
		OK(r.sections[1].n == 1 && r.sections[1].kv[0].line == 27, "section 2 key line");
		STREQ(r.sections[2].kind, "acl", "unquoted list section kind");
		STREQ(r.sections[2].name, "internal", "unquoted list section name");
		OK(r.sections[2].n == 0, "a list section may be empty");
	}
	role_release(&r);
	OK(r.name == NULL && r.nvars == 0 && r.nsections == 0, "role_release clears the struct");
}

static void good_urls(void)
{
	static const struct {
		const char *bundle, *sig, *expect_bundle, *expect_sig, *what;
	} cases[] = {
	        {"bundles/x.tar.gz", NULL, "file:///srv/roles/bundles/x.tar.gz", NULL,
	         "relative bundle resolved against the role file's folder"},
	        {"x.tar.gz", "x.tar.gz.sig", "file:///srv/roles/x.tar.gz",
	         "file:///srv/roles/x.tar.gz.sig", "relative signature resolved too"},
	        {"../bundles/x.tar.gz", NULL, "file:///srv/bundles/x.tar.gz", NULL,
	         "'..' in a relative bundle URL"},
	        {"/data/x.tar.gz", NULL, "file:///data/x.tar.gz", NULL, "absolute path bundle"},
	        {"http://h.example/x.tar.gz", "https://s.example/x.minisig",
	         "http://h.example/x.tar.gz", "https://s.example/x.minisig", "absolute URLs kept"},
	};
	char text[1024], what[256];
	struct role r;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "[role]\nname = x\nbundle = %s\n%s%s%s",
		         cases[i].bundle, cases[i].sig ? "signature = " : "",
		         cases[i].sig ? cases[i].sig : "", cases[i].sig ? "\n" : "");
		ret = parse(text, &r);
		snprintf(what, sizeof(what), "%s: parses", cases[i].what);
		check_msg(ret == 0, what);
		if (ret)
			continue;
		snprintf(what, sizeof(what), "%s: bundle", cases[i].what);
		STREQ(r.bundle, cases[i].expect_bundle, what);
		snprintf(what, sizeof(what), "%s: signature", cases[i].what);
		if (cases[i].expect_sig)
			STREQ(r.signature, cases[i].expect_sig, what);
		else
			OK(r.signature == NULL, what);
		OK(r.nmirrors == 0 && r.report == NULL, "no mirrors, no report");
		role_release(&r);
	}
}

/* The line-length and section-name limits, exactly at the edge. */
static void limits(void)
{
	char text[1024], what[256], name[128];
	struct role r;
	size_t n;
	int ret;

	/* a [vars] line of exactly 198 bytes: "k = " + 194 'v' */
	n = (size_t)snprintf(text, sizeof(text), "[role]\nname = x\nbundle = b\n[vars]\nk = ");
	memset(text + n, 'v', 194);
	strcpy(text + n + 194, "\n");
	ret = parse(text, &r);
	check_msg(ret == 0, "line of exactly 198 bytes is accepted");
	if (!ret) {
		OK(var(&r, "k") && strlen(var(&r, "k")) == 194, "198-byte line's value is whole");
		role_release(&r);
	}
	/* the same without a final newline */
	text[strlen(text) - 1] = '\0';
	ret = parse(text, &r);
	check_msg(ret == 0, "last line of 198 bytes without newline is accepted");
	if (!ret)
		role_release(&r);

	/* 199 bytes on line 5 */
	n = (size_t)snprintf(text, sizeof(text), "[role]\nname = x\nbundle = b\n[vars]\nk = ");
	memset(text + n, 'v', 195);
	strcpy(text + n + 195, "\nz = 1\n");
	ret = parse(text, &r);
	check_msg(ret == -1 && contains(errtext, WHERE ":5: line longer than 198 bytes"),
	          "line of 199 bytes refused with x.role:5");
	/* 199 bytes as the last line, no newline */
	text[n + 195] = '\0';
	ret = parse(text, &r);
	check_msg(ret == -1 && contains(errtext, WHERE ":5: line longer"),
	          "last line of 199 bytes without newline refused");
	/* a very long line */
	n = (size_t)snprintf(text, sizeof(text), "[role]\nname = ");
	memset(text + n, 'n', 600);
	strcpy(text + n + 600, "\nbundle = b\n");
	ret = parse(text, &r);
	check_msg(ret == -1 && contains(errtext, WHERE ":2: line longer"),
	          "line of 608 bytes refused with x.role:2");

	/* section name of 49 bytes: zone "<42>" */
	memset(name, 'a', 42);
	name[42] = '\0';
	snprintf(text, sizeof(text), "[role]\nname = x\nbundle = b\n[zone \"%s\"]\nk = v\n", name);
	ret = parse(text, &r);
	check_msg(ret == 0, "section name of 49 bytes is accepted");
	if (!ret) {
		OK(r.nsections == 1 && r.sections[0].name && strlen(r.sections[0].name) == 42,
		   "49-byte section name kept whole");
		OK(r.nsections == 1 && skv(&r.sections[0], "k"), "key in a 49-byte section kept");
		role_release(&r);
	}
	/* 50 bytes */
	memset(name, 'a', 43);
	name[43] = '\0';
	snprintf(text, sizeof(text), "[role]\nname = x\nbundle = b\n[zone \"%s\"]\nk = v\n", name);
	ret = parse(text, &r);
	check_msg(ret == -1 && contains(errtext, WHERE ":4: section name longer than 49 bytes"),
	          "section name of 50 bytes refused with x.role:4");

	/* a key name longer than inih's 49-byte name buffer, continued */
	memset(name, 'k', 60);
	name[60] = '\0';
	snprintf(text, sizeof(text), "[role]\nname = x\nbundle = b\n[vars]\n%s = a\n  b\n", name);
	ret = parse(text, &r);
	snprintf(what, sizeof(what), "60-byte key with a continuation: refused, or one key 'a, b'");
	if (ret == 0) {
		check_msg(r.nvars == 1 && var(&r, name) && !strcmp(var(&r, name), "a, b"), what);
		role_release(&r);
	} else {
		check_msg(contains(errtext, WHERE ":"), what);
	}
}

struct refusal {
	const char *text;
	const char *msg; /* must appear in stderr */
	const char *what;
};

static const struct refusal refusals[] = {
        {"[role]\nname = x\nbundle = b\n[extra]\nk = v\n", WHERE ":4: unknown section [extra]",
         "unknown section"},
        {"[roles]\nname = x\n", WHERE ":1: unknown section [roles]", "unknown section on line 1"},
        {"[role]\nname = x\nbundle = b\nsignatures = s\n",
         WHERE ":4: unknown key 'signatures' in [role]", "unknown key in [role]"},
        {"[role]\nname = x\nbundle = b\nname = y\n",
         WHERE ":4: 'name' is set twice (first on line 2)", "name set twice"},
        {"[role]\nname = x\nbundle = b\nreport = r\n\nreport = r\n",
         WHERE ":6: 'report' is set twice (first on line 4)", "report set twice"},
        {"[role]\nname = x\nbundle = b\nsignature = s\nsignature = t\n",
         WHERE ":5: 'signature' is set twice (first on line 4)", "signature set twice"},
        {"[role]\nname = x\nbundle = b\n[role]\nbundle = c\n",
         WHERE ":5: 'bundle' is set twice (first on line 3)",
         "bundle set twice across [role] sections"},
        {"[role]\nname = x\nbundle = b\n[vars]\na = 1\nb = 2\na = 3\n",
         WHERE ":7: 'a' is set twice (first on line 5)", "[vars] key set twice"},
        {"[role]\nname = x\nbundle = b\n[vars]\na = 1\n[vars]\na = 3\n",
         WHERE ":7: 'a' is set twice (first on line 5)", "[vars] key set twice across sections"},
        {"[role]\nname = x\nbundle = b\n[zone \"z\"]\np = 1\np = 2\n",
         WHERE ":6: 'p' is set twice (first on line 5)", "list-section key set twice"},
        {"[role]\nname = x\nbundle =\n", WHERE ":3: 'bundle' is empty", "empty bundle"},
        {"[role]\nname = x\nbundle = b\nmirror =\n", WHERE ":4: 'mirror' is empty", "empty mirror"},
        {"[role]\nbundle = b\n", WHERE ": [role] needs 'name' and 'bundle'", "missing name"},
        {"[role]\nname = x\n", WHERE ": [role] needs 'name' and 'bundle'", "missing bundle"},
        {"", WHERE ": [role] needs 'name' and 'bundle'", "empty file"},
        {"[vars]\na = 1\n", WHERE ": [role] needs 'name' and 'bundle'", "no [role] section"},
        {"name = x\n[role]\nbundle = b\n", WHERE ":1: 'name' outside of any section",
         "key before any section"},
        {"[role]\nname = x\nbundle = b\n  [vars]\n", WHERE ":4: indented section header",
         "indented section header (spaces)"},
        {"[role]\nname = x\nbundle = b\n\t[zone \"a\"]\n", WHERE ":4: indented section header",
         "indented section header (tab)"},
        {"[role]\nname = x\nbundle = b\n[zone \"x]\n", WHERE ":4: unknown section [zone \"x]",
         "malformed section [zone \"x]"},
        {"[role]\nname = x\nbundle = b\n[zone x\"]\n", WHERE ":4: unknown section",
         "malformed section [zone x\"]"},
        {"[role]\nname = x\nbundle = b\n[zone \"\"]\n", WHERE ":4: unknown section",
         "list section with empty name"},
        {"[role]\nname = x\nbundle = b\n[zone \"a\"b\"]\n", WHERE ":4: unknown section",
         "list section name holding a quote"},
        {"[role]\nname = x\nbundle = b\n[\"zone\"]\n", WHERE ":4: unknown section",
         "quoted plain section"},
        {"[role]\nname = x\nbundle = b\n[zone \"a\"\nk = v\n",
         WHERE ":4: section header without ']'", "section header without ']'"},
        {"[role]\nname = x\nbundle = b\n[zone \"a\"]\n[zone \"b\"]\n[zone \"a\"]\n",
         WHERE ":6: section [zone \"a\"] appears twice (first on line 4)",
         "duplicate list section"},
        {"[role]\nname = x\nbundle = b\n[acl a]\n[acl \"a\"]\n",
         WHERE ":5: section [acl \"a\"] appears twice (first on line 4)",
         "duplicate list section, quoted and not"},
        {"[role]\nname = x\nbundle = b\n[zone \"b\"]\n[zone \"a\"]\n[zone \"a\"]\n[zone "
         "\"b\"]\n[zone \"a\"]\n",
         WHERE ":6: section [zone \"a\"] appears twice (first on line 5)",
         "of two duplicated sections, the one that repeats first is named"},
        {"[role]\nname = x\nbundle = b\n[acl \"a\"]\n[zone \"a\"]\n[acl \"a\"]\n[acl \"a\"]\n",
         WHERE ":6: section [acl \"a\"] appears twice (first on line 4)",
         "a section thrice: its second appearance is named; kinds kept apart"},
        {"[role]\nname = x\nbundle = b\nthis line has no equals sign\n", WHERE ":4: syntax error",
         "line without '='"},
};

static void refusals_table(void)
{
	char what[512];
	struct role r;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		memset(&r, 0x5a, sizeof(r));
		ret = parse(refusals[i].text, &r);
		snprintf(what, sizeof(what), "refused: %s", refusals[i].what);
		check_msg(ret == -1 && contains(errtext, refusals[i].msg), what);
		snprintf(what, sizeof(what), "left empty after refusal: %s", refusals[i].what);
		OK(r.name == NULL && r.bundle == NULL && r.vars == NULL && r.sections == NULL &&
		           r.mirrors == NULL,
		   what);
		if (ret == 0)
			role_release(&r);
	}
}

/* Controls and NUL bytes. */
static void bytes(void)
{
	static const char nul[] = "[role]\nname = x\nbundle = b\n[vars]\na = 1\0 2\n";
	static const char nul_last[] = "[role]\nname = x\nbundle = b\0";
	struct role r;
	int ret;

	ret = parse_len(nul, sizeof(nul) - 1, &r);
	check_msg(ret == -1 && contains(errtext, WHERE ":5: NUL byte"),
	          "NUL byte refused with x.role:5");
	ret = parse_len(nul_last, sizeof(nul_last) - 1, &r);
	check_msg(ret == -1 && contains(errtext, WHERE ":3: NUL byte"),
	          "NUL byte on a last line without newline refused");
	ret = parse("[role]\nname = x\x01y\nbundle = b\n", &r);
	check_msg(ret == -1 && contains(errtext, WHERE ":2: 'name' holds a control character"),
	          "control character in name refused");
	ret = parse("[role]\nname = x\nbundle = b\x1b\n", &r);
	check_msg(ret == -1 && contains(errtext, WHERE ":3: 'bundle' holds a control character"),
	          "control character in bundle refused");
	ret = parse("[role]\r\nname = x\r\nbundle = b\r\n", &r);
	check_msg(ret == 0, "CRLF line ends are accepted");
	if (!ret) {
		STREQ(r.name, "x", "CRLF: name has no '\\r'");
		role_release(&r);
	}
}

/* Parsing stops at the first error: its line is the one named. */
static void first_error(void)
{
	struct role r;
	int ret;

	ret = parse("[role]\nname = x\nbundle = b\nno equals here\nunknown = 1\n", &r);
	check_msg(ret == -1 && contains(errtext, WHERE ":4:") && !contains(errtext, WHERE ":5:"),
	          "syntax error on line 4 is reported, not a later line");
	ret = parse("[role]\nname = x\nbundle = b\n[bogus]\n[bogus2]\n", &r);
	check_msg(ret == -1 && contains(errtext, "[bogus]") && !contains(errtext, "bogus2"),
	          "only the first bad section is reported");
}

int main(void)
{
	good_full();
	good_urls();
	limits();
	refusals_table();
	bytes();
	first_error();
	return unit_done();
}
