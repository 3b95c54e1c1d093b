/*
 * t_template.c — the Mustache renderer: config mode (verbatim, strict) over
 * a role-like value tree, its error messages, and a few spec-mode cases
 * copied from ../shared/mustache-spec (the full spec runner is separate),
 * inheritance ({{<parent}}, {{$block}}) and dynamic names ({{>*name}})
 * included.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "template.h"
#include "unit.h"

struct named {
	const char *name;
	const char *text;
};

static const struct named partials[] = {
        {"header", "# managed by roleboot\n"},
        {"zone", "zone \"{{name}}\" {\n\tprimaries { {{#primaries}}{{.}}; {{/primaries}}};\n};\n"},
        {"loop", "{{>loop}}"},
        {"unclosed", "ok\n{{#enabled}}\n"},
        {"undef", "line one\n{{nope}}\n"},
        {"partial", "|\n{{{content}}}\n|\n"},
        {"include", ".{{value}}."},
        {"standalone", "  {{#enabled}}\n  on\n  {{/enabled}}\n"},
        /* parents: a layout with two blocks, one indented */
        {"base", "# {{$title}}managed by roleboot{{/title}}\n"
                 "options {\n"
                 "  {{$options}}\n"
                 "  listen-on { any; };\n"
                 "  {{/options}}\n"
                 "}\n"},
        {"mid", "{{<base}}{{$title}}mid{{/title}}{{/base}}"},
        {"ploop", "{{<ploop}}{{/ploop}}"},
        {"dloop", "{{>*tmpl.dloop}}"},
        {"badbase", "ok\n{{$x}}{{nope}}{{/x}}"},
        {"sbase", "zone {\n{{$body}}{{/body}}};\n"},
        {"ibase", "x:\n  {{$b}}{{/b}}\ny\n"},
        {NULL, NULL},
};

static int find_partial(void *ctx, const char *name, const char **text, size_t *len)
{
	const struct named *p;

	for (p = ctx; p->name; p++) {
		if (!strcmp(p->name, name)) {
			*text = p->text;
			*len = strlen(p->text);
			return 0;
		}
	}
	return -1;
}

static struct tv *zone(const char *name, const char *p1, const char *p2)
{
	struct tv *z = tv_map(), *l = tv_list();

	tv_set(z, "name", tv_string(name));
	tv_push(l, tv_string(p1));
	if (p2)
		tv_push(l, tv_string(p2));
	tv_set(z, "primaries", l);
	return z;
}

/* A role-like tree, plus the few keys the spec-mode cases need. */
static struct tv *make_data(void)
{
	struct tv *d = tv_map(), *host, *zones, *tsig, *sec, *a;

	host = tv_submap(d, "host");
	tv_set(host, "name", tv_string("ns1"));
	tv_set(host, "fqdn", tv_string("ns1.example.net"));
	tv_set(d, "role", tv_string("dns-secondary"));
	tv_set(d, "enabled", tv_bool(1));
	tv_set(d, "disabled", tv_bool(0));
	tv_set(d, "nothing", tv_null());
	tv_set(d, "empty", tv_string(""));
	tv_set(d, "html", tv_string("<a & \"b\">"));
	zones = tv_list();
	tv_push(zones, zone("example.com", "192.0.2.1", "192.0.2.2"));
	tv_push(zones, zone("example.org", "192.0.2.3", NULL));
	tv_set(d, "zones", zones);
	tv_set(d, "nozones", tv_list());
	tsig = tv_submap(d, "tsig");
	tv_set(tsig, "name", tv_string("xfer"));
	sec = tv_string("c2VjcmV0");
	tv_mark_secret(sec);
	tv_set(tsig, "secret", sec);
	/* spec-mode keys */
	tv_set(d, "boolean", tv_bool(1));
	tv_set(d, "section", tv_bool(1));
	tv_set(d, "data", tv_string("I got interpolated."));
	tv_set(d, "content", tv_string("<\n->"));
	tv_set(d, "forbidden", tv_string("& \" < >"));
	tv_set(d, "value", tv_string("yes"));
	a = tv_submap(d, "a");
	tv_submap(a, "b");
	tv_set(tv_submap(d, "b"), "c", tv_string("ERROR"));
	/* dynamic names */
	tv_set(d, "kind", tv_string("header"));
	tv_set(d, "layout", tv_string("base"));
	a = tv_submap(d, "tmpl");
	tv_set(a, "zone", tv_string("zone"));
	tv_set(a, "missing", tv_string("nope"));
	tv_set(a, "bad", tv_string("a b"));
	tv_set(a, "dloop", tv_string("dloop"));
	return d;
}

struct tcase {
	const char *what;
	const char *tpl;
	const char *want; /* expected output, or NULL when an error is expected */
	const char *err;  /* expected message when want is NULL */
	int secret;       /* expected *used_secret */
	int depth;        /* max_depth, 0 for the default */
};

static const struct tcase config_cases[] = {
        {"plain text", "hello\n", "hello\n", NULL, 0, 0},
        {"empty template", "", "", NULL, 0, 0},
        {"variable verbatim", "x={{html}}", "x=<a & \"b\">", NULL, 0, 0},
        {"triple and ampersand verbatim", "{{{html}}}|{{&html}}", "<a & \"b\">|<a & \"b\">", NULL,
         0, 0},
        {"padding in tags", "{{ role }}|{{& role }}|{{{ role }}}",
         "dns-secondary|dns-secondary|dns-secondary", NULL, 0, 0},
        {"dotted name", "{{host.fqdn}}", "ns1.example.net", NULL, 0, 0},
        {"booleans interpolate", "{{enabled}}/{{disabled}}", "true/false", NULL, 0, 0},
        {"null and empty render empty", "[{{nothing}}{{empty}}]", "[]", NULL, 0, 0},
        {"boolean sections", "{{#enabled}}on{{/enabled}}{{#disabled}}off{{/disabled}}", "on", NULL,
         0, 0},
        {"inverted sections",
         "{{^disabled}}a{{/disabled}}{{^enabled}}b{{/enabled}}"
         "{{^nozones}}c{{/nozones}}{{^nothing}}d{{/nothing}}",
         "acd", NULL, 0, 0},
        {"role sections: zones with primaries",
         "{{#zones}}\n"
         "zone \"{{name}}\" {\n"
         "\tprimaries { {{#primaries}}{{.}}; {{/primaries}}};\n"
         "};\n"
         "{{/zones}}\n",
         "zone \"example.com\" {\n\tprimaries { 192.0.2.1; 192.0.2.2; };\n};\n"
         "zone \"example.org\" {\n\tprimaries { 192.0.2.3; };\n};\n",
         NULL, 0, 0},
        {"zones through a partial", "{{>header}}\n{{#zones}}\n{{>zone}}\n{{/zones}}\n",
         "# managed by roleboot\n"
         "zone \"example.com\" {\n\tprimaries { 192.0.2.1; 192.0.2.2; };\n};\n"
         "zone \"example.org\" {\n\tprimaries { 192.0.2.3; };\n};\n",
         NULL, 0, 0},
        {"outer names inside a section", "{{#zones}}{{host.name}}:{{name}} {{/zones}}",
         "ns1:example.com ns1:example.org ", NULL, 0, 0},
        {"map section pushes context", "{{#host}}{{name}}@{{role}}{{/host}}", "ns1@dns-secondary",
         NULL, 0, 0},
        {"empty list section", "[{{#nozones}}x{{/nozones}}]", "[]", NULL, 0, 0},
        {"standalone lines removed", "a\n  {{#enabled}}  \nb\n  {{/enabled}}\r\n{{! note }}\nc\n",
         "a\nb\nc\n", NULL, 0, 0},
        {"comment ends at the first }}", "x{{! ignored {{ }}y}}", "xy}}", NULL, 0, 0},
        {"set delimiter", "{{=<% %>=}}<%role%> {{role}}<%={{ }}=%> {{role}}",
         "dns-secondary {{role}} dns-secondary", NULL, 0, 0},
        {"indented standalone partial", "x:\n    {{>standalone}}y\n", "x:\n      on\ny\n", NULL, 0,
         0},
        {"secret flag set", "key {{tsig.secret}};", "key c2VjcmV0;", NULL, 1, 0},
        {"secret flag inside a section", "{{#tsig}}{{secret}}{{/tsig}}", "c2VjcmV0", NULL, 1, 0},
        {"secret flag not set", "{{tsig.name}}{{#tsig.secret}}x{{/tsig.secret}}", "xferx", NULL, 0,
         0},
        {"undefined variable", "one\ntwo {{host.nope}}\n", NULL,
         "t.conf:2: undefined variable 'host.nope'", 0, 0},
        {"undefined variable in a section", "{{#zones}}\n{{name}} {{port}}\n{{/zones}}", NULL,
         "t.conf:2: undefined variable 'port'", 0, 0},
        {"broken chain is undefined", "{{role.x}}", NULL, "t.conf:1: undefined variable 'role.x'",
         0, 0},
        {"undefined section", "\n{{#nope}}x{{/nope}}", NULL, "t.conf:2: undefined variable 'nope'",
         0, 0},
        {"undefined inverted section", "\n\n{{^nope}}x{{/nope}}", NULL,
         "t.conf:3: undefined variable 'nope'", 0, 0},
        {"unclosed section", "x\n{{#zones}}\n{{name}}\n", NULL,
         "t.conf:2: section 'zones' is not closed", 0, 0},
        {"mismatched close", "{{#zones}}\n{{#enabled}}\n{{/zones}}\n", NULL,
         "t.conf:3: closing tag 'zones' does not match section 'enabled' opened on line 2", 0, 0},
        {"close without open", "x\n{{/zones}}", NULL,
         "t.conf:2: closing tag 'zones' without an open section", 0, 0},
        {"empty tag", "{{}}", NULL, "t.conf:1: empty tag", 0, 0},
        {"blank tag", "a\n{{#  }}", NULL, "t.conf:2: empty tag", 0, 0},
        {"blank in a name", "{{a b}}", NULL, "t.conf:1: malformed tag 'a b'", 0, 0},
        {"control byte in a name", "{{a\001b}}", NULL, "t.conf:1: malformed tag 'a?b'", 0, 0},
        {"message stays on one line", "{{#zones}}{{/zones\nx}}", NULL,
         "t.conf:1: closing tag 'zones?x' does not match section 'zones' opened on line 1", 0, 0},
        {"empty name part", "{{host..name}}", NULL, "t.conf:1: malformed name 'host..name'", 0, 0},
        {"trailing dot", "{{host.}}", NULL, "t.conf:1: malformed name 'host.'", 0, 0},
        {"unclosed tag", "a\nb {{role", NULL, "t.conf:2: tag is not closed (no '}}' follows '{{')",
         0, 0},
        {"unclosed triple", "{{{role}}", NULL,
         "t.conf:1: tag is not closed (no '}}}' follows '{{')", 0, 0},
        {"bad set-delimiter: one part", "{{=<%=}}", NULL, "t.conf:1: bad set-delimiter tag '<%'", 0,
         0},
        {"bad set-delimiter: three parts", "{{=< % >=}}", NULL,
         "t.conf:1: bad set-delimiter tag '< % >'", 0, 0},
        {"bad set-delimiter: '=' inside", "{{=<= >=}}", NULL,
         "t.conf:1: bad set-delimiter tag '<= >'", 0, 0},
        {"bad set-delimiter: no closing '='", "{{=< >}}", NULL,
         "t.conf:1: tag is not closed (no '=}}' follows '{{')", 0, 0},
        {"missing partial", "x\n{{>nope}}", NULL, "t.conf:2: partial 'nope' not found", 0, 0},
        {"partial errors name the partial", "{{>undef}}", NULL,
         "undef:2: undefined variable 'nope'", 0, 0},
        {"unclosed section in a partial", "\n{{>unclosed}}", NULL,
         "unclosed:2: section 'enabled' is not closed", 0, 0},
        {"partial recursion cap", "{{>loop}}", NULL,
         "loop:1: partial 'loop' nested deeper than 16 levels", 0, 0},
        {"partial recursion cap (max_depth 3)", "{{>loop}}", NULL,
         "loop:1: partial 'loop' nested deeper than 3 levels", 0, 3},

        /* inheritance */
        {"block default at top level", "a {{$b}}default {{role}}{{/b}} z\n",
         "a default dns-secondary z\n", NULL, 0, 0},
        {"parent with defaults", "{{<base}}{{/base}}\n",
         "# managed by roleboot\noptions {\n  listen-on { any; };\n}\n", NULL, 0, 0},
        {"parent with arguments",
         "{{<base}}\n"
         "{{$title}}{{host.name}}{{/title}}\n"
         "{{$options}}\n"
         "allow-transfer { {{#zones}}{{name}}; {{/zones}}};\n"
         "also-notify { none; };\n"
         "{{/options}}\n"
         "{{/base}}\n",
         "# ns1\noptions {\n  allow-transfer { example.com; example.org; };\n"
         "  also-notify { none; };\n}\n",
         NULL, 0, 0},
        {"argument indentation is replaced",
         "{{<base}}\n"
         "    {{$options}}\n"
         "        recursion no;\n"
         "          notify yes;\n"
         "    {{/options}}\n"
         "{{/base}}\n",
         "# managed by roleboot\noptions {\n  recursion no;\n    notify yes;\n}\n", NULL, 0, 0},
        {"a closing tag just before the argument's end stands alone",
         "{{<base}}\n{{$options}}\n{{#zones}}\nzone {{name}};\n{{/zones}}{{/options}}\n{{/base}}\n",
         "# managed by roleboot\noptions {\n  zone example.com;\n  zone example.org;\n}\n", NULL, 0,
         0},
        {"text and tags between arguments are ignored",
         "{{<base}}junk {{nope}} {{>nope}}{{$title}}T{{/title}}{{#nope}}x{{/nope}}{{/base}}",
         "# T\noptions {\n  listen-on { any; };\n}\n", NULL, 0, 0},
        {"outermost argument wins", "{{<mid}}{{$title}}top{{/title}}{{/mid}}",
         "# top\noptions {\n  listen-on { any; };\n}\n", NULL, 0, 0},
        {"nested parent's argument when none outside", "{{<mid}}{{/mid}}",
         "# mid\noptions {\n  listen-on { any; };\n}\n", NULL, 0, 0},
        {"first of two arguments wins",
         "{{<mid}}{{$title}}1{{/title}}{{$title}}2{{/title}}{{/mid}}",
         "# 1\noptions {\n  listen-on { any; };\n}\n", NULL, 0, 0},
        {"argument sees the parent's context",
         "{{#zones}}{{<sbase}}{{$body}}  name {{name}};\n{{/body}}{{/sbase}}{{/zones}}",
         "zone {\n  name example.com;\n};\nzone {\n  name example.org;\n};\n", NULL, 0, 0},
        {"inline argument at an indented block", "{{<ibase}}{{$b}}one {{role}}{{/b}}{{/ibase}}",
         "x:\n  one dns-secondary\ny\n", NULL, 0, 0},
        {"argument starting with a variable", "{{<ibase}}{{$b}}{{role}} one\ntwo{{/b}}{{/ibase}}",
         "x:\n  dns-secondary one\n  two\ny\n", NULL, 0, 0},
        {"argument that renders nothing",
         "{{<ibase}}{{$b}}{{#disabled}}x{{/disabled}}{{/b}}{{/ibase}}", "x:\n\ny\n", NULL, 0, 0},
        {"indented standalone parent", "x:\n    {{<standalone}}{{/standalone}}\ny\n",
         "x:\n      on\ny\n", NULL, 0, 0},
        {"partial is a parent without arguments", "{{>badbase}}", NULL,
         "badbase:2: undefined variable 'nope'", 0, 0},
        {"an overridden default is not rendered", "{{<badbase}}{{$x}}fine{{/x}}{{/badbase}}",
         "ok\nfine", NULL, 0, 0},
        {"secret flag through an argument",
         "{{<sbase}}{{$body}}{{tsig.secret}}\n{{/body}}{{/sbase}}", "zone {\nc2VjcmV0\n};\n", NULL,
         1, 0},
        {"dynamic parent", "{{<*layout}}{{$title}}dyn{{/title}}{{/*layout}}",
         "# dyn\noptions {\n  listen-on { any; };\n}\n", NULL, 0, 0},
        {"undefined variable in an argument",
         "{{<base}}\n{{$title}}\n{{nope}}\n{{/title}}{{/base}}", NULL,
         "t.conf:3: undefined variable 'nope'", 0, 0},
        {"line numbers after standalone pairs",
         "{{<base}}{{$options}}\n{{#zones}}\n {{/zones}} {{/options}}\n{{/base}}\n"
         "{{<base}}{{/base}}\n"
         "{{nope}}",
         NULL, "t.conf:6: undefined variable 'nope'", 0, 0},
        {"missing parent", "a\n{{<nope}}{{/nope}}", NULL, "t.conf:2: parent 'nope' not found", 0,
         0},
        {"unclosed block", "x\n{{$b}}\n", NULL, "t.conf:2: block 'b' is not closed", 0, 0},
        {"unclosed parent", "{{<base}}\n{{$title}}x{{/title}}\n", NULL,
         "t.conf:1: parent 'base' is not closed", 0, 0},
        {"mismatched close in a parent", "{{<base}}\n{{$title}}x{{/base}}", NULL,
         "t.conf:2: closing tag 'base' does not match block 'title' opened on line 2", 0, 0},
        {"empty block name", "\n{{$ }}{{/ }}", NULL, "t.conf:2: empty tag", 0, 0},
        {"parent recursion cap", "{{<ploop}}{{/ploop}}", NULL,
         "ploop:1: parent 'ploop' nested deeper than 16 levels", 0, 0},
        {"parents and partials share the cap", "{{>mid}}", NULL,
         "mid:1: parent 'base' nested deeper than 1 levels", 0, 1},
        {"expanding an argument counts toward the cap", "{{<mid}}{{$title}}top{{/title}}{{/mid}}",
         NULL, "base:1: block 'title' nested deeper than 2 levels", 0, 2},
        {"... and fits one level more", "{{<mid}}{{$title}}top{{/title}}{{/mid}}",
         "# top\noptions {\n  listen-on { any; };\n}\n", NULL, 0, 3},

        /* dynamic names */
        {"dynamic partial", "{{>*kind}}", "# managed by roleboot\n", NULL, 0, 0},
        {"dynamic partial, dotted name, standalone", "{{#zones}}\n  {{>*tmpl.zone}}\n{{/zones}}\n",
         "  zone \"example.com\" {\n  \tprimaries { 192.0.2.1; 192.0.2.2; };\n  };\n"
         "  zone \"example.org\" {\n  \tprimaries { 192.0.2.3; };\n  };\n",
         NULL, 0, 0},
        {"padding in a dynamic tag", "{{> * kind }}", "# managed by roleboot\n", NULL, 0, 0},
        {"dynamic name undefined", "x\n{{>*nope}}", NULL, "t.conf:2: undefined variable 'nope'", 0,
         0},
        {"dynamic name: broken chain", "\n\n{{>*host.nope}}", NULL,
         "t.conf:3: undefined variable 'host.nope'", 0, 0},
        {"dynamic name not a string", "\n\n{{>*zones}}", NULL,
         "t.conf:3: dynamic name 'zones' is not a string", 0, 0},
        {"dynamic name is a boolean", "{{>*enabled}}", NULL,
         "t.conf:1: dynamic name 'enabled' is not a string", 0, 0},
        {"dynamic name is a secret", "a\n{{>*tsig.secret}}", NULL,
         "t.conf:2: dynamic name 'tsig.secret' is a secret, not a template name", 0, 0},
        {"dynamic name gives a bad name", "{{>*tmpl.bad}}", NULL,
         "t.conf:1: dynamic name 'tmpl.bad' gives 'a b', not a template name", 0, 0},
        {"dynamic name gives an empty name", "{{>*empty}}", NULL,
         "t.conf:1: dynamic name 'empty' gives '', not a template name", 0, 0},
        {"dynamic partial not found", "\n{{>*tmpl.missing}}", NULL,
         "t.conf:2: partial 'nope' (named by 'tmpl.missing') not found", 0, 0},
        {"dynamic parent undefined", "{{<*nope}}\n{{/*nope}}", NULL,
         "t.conf:1: undefined variable 'nope'", 0, 0},
        {"dynamic parent closed by its name", "{{<*layout}}{{/layout}}", NULL,
         "t.conf:1: closing tag 'layout' does not match parent '*layout' opened on line 1", 0, 0},
        {"empty dynamic name", "{{>*}}", NULL, "t.conf:1: empty name after '*'", 0, 0},
        {"malformed dynamic name", "{{>*a..b}}", NULL, "t.conf:1: malformed name '*a..b'", 0, 0},
        {"dynamic recursion cap", "{{>dloop}}", NULL,
         "dloop:1: partial 'dloop' nested deeper than 3 levels", 0, 3},
};

/* Spec-mode cases copied from the Mustache spec (name in `what`). */
static const struct tcase spec_cases[] = {
        {"spec interpolation: HTML Escaping",
         "These characters should be HTML escaped: {{forbidden}}\n",
         "These characters should be HTML escaped: &amp; &quot; &lt; &gt;\n", NULL, 0, 0},
        {"spec interpolation: Dotted Names - Context Precedence", "{{#a}}{{b.c}}{{/a}}", "", NULL,
         0, 0},
        {"spec interpolation: Basic Context Miss", "I ({{cannot}}) be seen!", "I () be seen!", NULL,
         0, 0},
        {"spec sections: Standalone Lines", "| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line\n",
         "| This Is\n|\n| A Line\n", NULL, 0, 0},
        {"spec sections: Indented Standalone Lines",
         "| This Is\n  {{#boolean}}\n|\n  {{/boolean}}\n| A Line\n", "| This Is\n|\n| A Line\n",
         NULL, 0, 0},
        {"spec sections: Standalone Line Endings", "|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|",
         "|\r\n|", NULL, 0, 0},
        {"spec sections: Standalone Without Newline", "#{{#boolean}}\n/\n  {{/boolean}}", "#\n/\n",
         NULL, 0, 0},
        {"spec comments: Indented Multiline Standalone",
         "Begin.\n  {{!\n    Something's going on here...\n  }}\nEnd.\n", "Begin.\nEnd.\n", NULL, 0,
         0},
        {"spec delimiters: Sections",
         "[\n{{#section}}\n  {{data}}\n  |data|\n{{/section}}\n\n{{= | | =}}\n|#section|\n"
         "  {{data}}\n  |data|\n|/section|\n]\n",
         "[\n  I got interpolated.\n  |data|\n\n  {{data}}\n  I got interpolated.\n]\n", NULL, 0,
         0},
        {"spec delimiters: Partial Inheritence", "[ {{>include}} ]\n{{= | | =}}\n[ |>include| ]\n",
         "[ .yes. ]\n[ .yes. ]\n", NULL, 0, 0},
        {"spec delimiters: Outlying Whitespace (Inline)", " | {{=@ @=}}\n", " | \n", NULL, 0, 0},
        {"spec partials: Standalone Indentation", "\\\n {{>partial}}\n/\n",
         "\\\n |\n <\n->\n |\n/\n", NULL, 0, 0},
        {"spec partials: Failed Lookup", "\"{{>text}}\"", "\"\"", NULL, 0, 0},
        {"spec partials: Standalone Line Endings", "|\r\n{{>header}}\r\n|",
         "|\r\n# managed by roleboot\n|", NULL, 0, 0},
        {"spec ~inheritance: Standalone parent", "Hi,\n  {{<standalone}}{{/standalone}}\n",
         "Hi,\n    on\n", NULL, 0, 0},
        {"spec ~inheritance: Standalone block",
         "{{<sbase}}{{$body}}\none\ntwo{{/body}}\n{{/sbase}}", "zone {\none\ntwo};\n", NULL, 0, 0},
        {"spec ~dynamic-names: Double Dereferencing", "\"{{>**kind}}\"", "\"\"", NULL, 0, 0},
        {"spec ~dynamic-names: Failed Lookup", "\"{{>*tmpl.missing}}\"", "\"\"", NULL, 0, 0},
};

static void run_case(const struct tcase *tc, const struct tv *data, int spec)
{
	struct tpl_opts o = {.escape = spec,
	                     .strict = !spec,
	                     .max_depth = tc->depth,
	                     .partial = find_partial,
	                     .partial_ctx = (void *)partials};
	struct buf out = BUF_INIT;
	char err[256], what[200];
	int secret = 0, rc;

	rc = tpl_render("t.conf", tc->tpl, strlen(tc->tpl), data, &o, &out, &secret, err,
	                sizeof(err));
	if (tc->want) {
		snprintf(what, sizeof(what), "%s: renders", tc->what);
		if (!OK(rc == 0, what))
			printf("# error: %s\n", err);
		snprintf(what, sizeof(what), "%s: output", tc->what);
		if (!STREQ(out.data ? out.data : "", tc->want, what))
			printf("# got [%s]\n", out.data ? out.data : "");
		snprintf(what, sizeof(what), "%s: secret flag", tc->what);
		OK(secret == tc->secret, what);
	} else {
		snprintf(what, sizeof(what), "%s: fails", tc->what);
		OK(rc == -1, what);
		snprintf(what, sizeof(what), "%s: message", tc->what);
		if (!OK(!strcmp(err, tc->err), what))
			printf("# got [%s]\n", err);
	}
	buf_release(&out);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A 10,000-item list of small stanzas renders in well under a second even
 * in a sanitizer build (a few milliseconds in an optimised one). */
static void test_big_list(void)
{
	static const char tpl[] = "{{#records}}\n"
	                          "{{name}} IN A {{addr}} ; {{#ttl}}ttl {{ttl}}{{/ttl}}\n"
	                          "{{/records}}\n";
	struct tpl_opts o = {.strict = 1};
	struct tv *d = tv_map(), *l = tv_list(), *r;
	struct buf out = BUF_INIT;
	char err[256], name[32];
	double t0, ms;
	int i, rc;

	for (i = 0; i < 10000; i++) {
		r = tv_map();
		snprintf(name, sizeof(name), "host%d", i);
		tv_set(r, "name", tv_string(name));
		tv_set(r, "addr", tv_string("192.0.2.10"));
		tv_set(r, "ttl", tv_string(i % 2 ? "300" : ""));
		tv_push(l, r);
	}
	tv_set(d, "records", l);
	t0 = now_ms();
	rc = tpl_render("big", tpl, strlen(tpl), d, &o, &out, NULL, err, sizeof(err));
	ms = now_ms() - t0;
	printf("# 10000-item section: %.2f ms, %zu bytes\n", ms, out.len);
	OK(rc == 0, "10000-item section renders");
	OK(out.len > 300000 && !strncmp(out.data, "host0 IN A 192.0.2.10 ; \nhost1 IN", 33),
	   "10000-item section output");
	OK(ms < 500, "10000-item section is fast");
	buf_release(&out);
	tv_free(d);
}

static void test_limits_and_misc(const struct tv *data)
{
	/* 2^7 iterations that write nothing: the work cap still stops them */
	static const char nested[] = "{{#zones}}{{#zones}}{{#zones}}{{#zones}}{{#zones}}"
	                             "{{#zones}}{{#zones}}{{/zones}}{{/zones}}{{/zones}}"
	                             "{{/zones}}{{/zones}}{{/zones}}{{/zones}}";
	static const char lenient[] = "[{{nope}}{{>nope}}{{#nope}}x{{/nope}}{{>*nope}}{{>*zones}}"
	                              "{{>*tsig.secret}}{{<nope}}{{/nope}}{{<*nope}}{{/*nope}}]";
	char longname[4 + 201 + 2];
	struct tpl_opts o = {.strict = 1, .max_output = 100};
	struct buf out = BUF_INIT;
	char err[256];
	int rc, secret = 0;

	rc = tpl_render("t", nested, strlen(nested), data, &o, &out, NULL, err, sizeof(err));
	OK(rc == -1 && strstr(err, "beyond the limit of 100 bytes"), "max_output caps work");
	buf_reset(&out);
	buf_puts(&out, "kept:");
	o.max_output = 0;
	rc = tpl_render("t", "{{role}}", 8, data, &o, &out, NULL, NULL, 0);
	OK(rc == 0 && !strcmp(out.data, "kept:dns-secondary"),
	   "output is appended, NULL err accepted");
	rc = tpl_render("t", "{{nope}}", 8, data, &o, &out, NULL, NULL, 0);
	OK(rc == -1, "failure without an err buffer");
	rc = tpl_render("t", "{{nope}}", 8, data, &o, &out, NULL, err, 12);
	OK(rc == -1 && !strcmp(err, "t:1: undefi"), "message truncated to errlen");
	o.strict = 0;
	buf_reset(&out);
	rc = tpl_render("t", lenient, strlen(lenient), data, &o, &out, &secret, err, sizeof(err));
	OK(rc == 0 && out.data && !strcmp(out.data, "[]"), "lenient mode: misses are empty");
	OK(!secret, "lenient mode: a secret dynamic name is not used");
	buf_reset(&out);
	rc = tpl_render("t", "a{{role}}b", 4, data, &o, &out, NULL, err, sizeof(err));
	OK(rc == -1 && !strcmp(err, "t:1: tag is not closed (no '}}' follows '{{')"),
	   "len bounds the template");
	memset(longname, 'n', sizeof(longname));
	memcpy(longname, "x\n{{", 4);
	memcpy(longname + sizeof(longname) - 2, "}}", 2);
	rc = tpl_render("t", longname, sizeof(longname), data, &o, &out, NULL, err, sizeof(err));
	OK(rc == -1 && !strcmp(err, "t:2: name longer than 200 bytes"), "names are limited");
	buf_release(&out);
}

/* opts.scope: one item on top of the data, as inside its section */
static void test_scope(const struct tv *data)
{
	const struct tv *zones = tv_get(data, "zones");
	struct tpl_opts o = {.strict = 1};
	struct buf out = BUF_INIT;
	char err[256];
	int rc;

	o.scope = zones->items[1];
	rc = tpl_render("t", "{{name}} {{#primaries}}{{.}}{{/primaries}} {{host.fqdn}}", 56, data,
	                &o, &out, NULL, err, sizeof(err));
	OK(rc == 0 && out.data && !strcmp(out.data, "example.org 192.0.2.3 ns1.example.net"),
	   "scope: the item's keys on top, the data below");
	buf_reset(&out);
	rc = tpl_render("t", "{{tsig.name}}", 13, data, &o, &out, NULL, err, sizeof(err));
	OK(rc == 0 && out.data && !strcmp(out.data, "xfer"), "scope: dotted names reach the data");
	buf_reset(&out);
	o.scope = NULL;
	rc = tpl_render("t", "{{name}}", 8, data, &o, &out, NULL, err, sizeof(err));
	OK(rc == -1 && strstr(err, "undefined variable 'name'"),
	   "no scope: the item's keys are not there");
	buf_release(&out);
}

int main(void)
{
	struct tv *data = make_data();
	size_t i;

	for (i = 0; i < sizeof(config_cases) / sizeof(config_cases[0]); i++)
		run_case(&config_cases[i], data, 0);
	for (i = 0; i < sizeof(spec_cases) / sizeof(spec_cases[0]); i++)
		run_case(&spec_cases[i], data, 1);
	test_limits_and_misc(data);
	test_scope(data);
	test_big_list();
	tv_free(data);
	return unit_done();
}
