/*
 * t_inifile.c — the strict INI reader (inifile.h): sections (empty ones
 * too), keys, continuation lines, comments; the refusals (lines over
 * INIFILE_MAX_LINE, names over INIFILE_MAX_SECTION, NUL bytes, syntax
 * errors, indented or unclosed headers, a callback that stops) each with
 * FILE:LINE; inifile_split_section and parse_bool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "inifile.h"
#include "vartype.h"
#include "unit.h"
#include "util.h"

/* Every callback as one line: "[section]", "section.key=value", or
 * "section.key+=value" for a continuation line. */
struct events {
	struct buf log;
	int stop_at_line; /* a callback on this line returns -1 */
};

static int on_section(struct inifile *ini, const char *section)
{
	struct events *ev = ini->user;

	buf_printf(&ev->log, "[%s]\n", section);
	return ini->line == ev->stop_at_line ? -1 : 0;
}

static int on_key(struct inifile *ini, const char *section, const char *key, const char *value)
{
	struct events *ev = ini->user;

	buf_printf(&ev->log, "%s.%s%s=%s\n", section, key, ini->continued ? "+" : "", value);
	return ini->line == ev->stop_at_line ? -1 : 0;
}

/* Parses text[0..len) as "t.ini"; the return value, events in ev (to be
 * released) and the message in errtext. */
static int parse(const char *text, size_t len, struct events *ev, int stop_at_line)
{
	struct inifile ini;
	int r;

	memset(&ini, 0, sizeof(ini));
	memset(ev, 0, sizeof(*ev));
	ev->stop_at_line = stop_at_line;
	ini.where = "t.ini";
	ini.section_cb = on_section;
	ini.key_cb = on_key;
	ini.user = ev;
	capture_begin();
	r = inifile_parse(&ini, text, len);
	capture_end();
	return r;
}

struct good {
	const char *what, *text, *want;
};

static const struct good goods[] = {
        {"sections and keys, blanks around = trimmed",
         "[bundle]\nrole = dns\nversion=7\n[var x]\ntype = ip\n",
         "[bundle]\nbundle.role=dns\nbundle.version=7\n[var x]\nvar x.type=ip\n"},
        {"an empty section still calls section_cb", "[a]\n[b]\nk = v\n", "[a]\n[b]\nb.k=v\n"},
        {"comments and blank lines are skipped", "; c1\n# c2\n\n[s]\n  \nk = v\n", "[s]\ns.k=v\n"},
        {"a continuation line is flagged continued", "[s]\nlist = a\n  b\n\tc\nnext = d\n",
         "[s]\ns.list=a\ns.list+=b\ns.list+=c\ns.next=d\n"},
        {"CRLF line ends", "[s]\r\nk = v\r\n", "[s]\ns.k=v\n"},
        {"no final newline", "[s]\nk = v", "[s]\ns.k=v\n"},
        {"a colon separates too", "[s]\nk: v\n", "[s]\ns.k=v\n"},
        {"empty text: nothing", "", ""},
        {"spaces inside a section header trimmed", "[  zone \"x\"  ]\n", "[zone \"x\"]\n"},
};

/* The events on one line, for a TAP description. */
static const char *flat(const struct buf *log)
{
	static char out[200];
	size_t i;

	snprintf(out, sizeof(out), "%s", log->data ? log->data : "nothing");
	for (i = 0; out[i]; i++)
		if (out[i] == '\n')
			out[i] = '|';
	return out;
}

static void good_cases(void)
{
	struct events ev;
	char what[256];
	size_t i;
	int r;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		r = parse(goods[i].text, strlen(goods[i].text), &ev, 0);
		snprintf(what, sizeof(what), "parse: %s (got %s)", goods[i].what, flat(&ev.log));
		OK(r == 0 && !strcmp(ev.log.data ? ev.log.data : "", goods[i].want), what);
		OK(errtext[0] == '\0', "parse: and says nothing");
		buf_release(&ev.log);
	}
}

/* A line of n bytes: "k = vvvv..." */
static char *long_line(size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, 'v', n);
	memcpy(s, "k = ", 4);
	s[n] = '\0';
	return s;
}

static void limit_cases(void)
{
	struct events ev;
	char *line, *text, name[INIFILE_MAX_SECTION + 2];
	int r;

	line = long_line(INIFILE_MAX_LINE);
	text = xasprintf("[s]\n%s\n", line);
	r = parse(text, strlen(text), &ev, 0);
	OK(r == 0 && ev.log.data && strlen(ev.log.data) == 4 + 4 + INIFILE_MAX_LINE - 4 + 1,
	   "a line of exactly INIFILE_MAX_LINE bytes is read whole");
	buf_release(&ev.log);
	free(text);
	/* inih reads the \r as part of the line: it counts */
	text = xasprintf("[s]\n%s\r\n", line);
	r = parse(text, strlen(text), &ev, 0);
	check_msg(r == -1 && contains(errtext, "t.ini:2: line longer"),
	          "the \\r of a CRLF line counts against the limit");
	buf_release(&ev.log);
	free(text);
	line[INIFILE_MAX_LINE - 1] = '\0';
	text = xasprintf("[s]\n%s\r\n", line);
	r = parse(text, strlen(text), &ev, 0);
	OK(r == 0, "a CRLF line of INIFILE_MAX_LINE bytes with its \\r is read");
	buf_release(&ev.log);
	free(text);
	free(line);

	line = long_line(INIFILE_MAX_LINE + 1);
	text = xasprintf("[s]\na = 1\n%s\nb = 2\n", line);
	r = parse(text, strlen(text), &ev, 0);
	check_msg(r == -1 && contains(errtext, "t.ini:3: line longer than 198 bytes"),
	          "a line one byte over the limit: refused with FILE:LINE");
	OK(ev.log.data && !strstr(ev.log.data, "s.b="), "parsing stops at the long line");
	buf_release(&ev.log);
	free(text);
	/* the same line without a final newline */
	text = xasprintf("[s]\n%s", line);
	r = parse(text, strlen(text), &ev, 0);
	check_msg(r == -1 && contains(errtext, "t.ini:2: line longer"),
	          "the over-long last line without a newline: refused");
	buf_release(&ev.log);
	free(text);
	free(line);

	memset(name, 'n', sizeof(name));
	name[INIFILE_MAX_SECTION] = '\0';
	text = xasprintf("[%s]\n%s = v\n", name, name);
	r = parse(text, strlen(text), &ev, 0);
	OK(r == 0 && ev.log.data && strstr(ev.log.data, name),
	   "section and key names of INIFILE_MAX_SECTION bytes pass uncut");
	buf_release(&ev.log);
	free(text);

	name[INIFILE_MAX_SECTION] = 'n';
	name[INIFILE_MAX_SECTION + 1] = '\0';
	text = xasprintf("[ok]\n[%s]\n", name);
	r = parse(text, strlen(text), &ev, 0);
	check_msg(r == -1 && contains(errtext, "t.ini:2: section name longer than 49 bytes"),
	          "a section name one byte over: refused with FILE:LINE");
	buf_release(&ev.log);
	free(text);
	text = xasprintf("[s]\n\n%s = v\n", name);
	r = parse(text, strlen(text), &ev, 0);
	check_msg(r == -1 && contains(errtext, "t.ini:3: name longer than 49 bytes"),
	          "a key name one byte over: refused with FILE:LINE");
	buf_release(&ev.log);
	free(text);
	text = xasprintf("[s]\n%s    = v\n", name + 1);
	r = parse(text, strlen(text), &ev, 0);
	OK(r == 0, "blanks before = do not count in the name");
	buf_release(&ev.log);
	free(text);
}

struct bad {
	const char *what;
	const char *text;
	size_t len; /* 0: strlen */
	const char *msg;
};

static const struct bad bads[] = {
        {"a NUL byte", "[s]\nk = v\0w\n", 11, "t.ini:2: NUL byte in line"},
        {"a NUL byte in a comment", "[s]\n\n; \0\n", 8, "t.ini:3: NUL byte in line"},
        {"a NUL byte in a last line without a newline", "[s]\nk = 1\nk2 = v\0", 17,
         "t.ini:3: NUL byte in line"},
        {"a line without = or :", "[s]\nk = v\njunk\n", 0,
         "t.ini:3: syntax error (expected [section] or name = value)"},
        {"an indented section header", "[s]\nk = v\n  [t]\n", 0,
         "t.ini:3: indented section header"},
        {"a section header without ]", "[s]\n[t\n", 0, "t.ini:2: section header without ']'"},
};

static void bad_cases(void)
{
	struct events ev;
	char what[256];
	size_t i;
	int r;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		r = parse(bads[i].text, bads[i].len ? bads[i].len : strlen(bads[i].text), &ev, 0);
		snprintf(what, sizeof(what), "refused: %s", bads[i].what);
		check_msg(r == -1 && contains(errtext, bads[i].msg), what);
		OK(!strchr(strchr(errtext, '\n') ? strchr(errtext, '\n') + 1 : "", '\n'),
		   "refused: one error line");
		buf_release(&ev.log);
	}
}

static void stop_cases(void)
{
	static const char text[] = "[a]\nk = 1\nl = 2\n[b]\nm = 3\n";
	struct events ev;
	int r;

	r = parse(text, strlen(text), &ev, 3);
	OK(r == -1 && ev.log.data && !strcmp(ev.log.data, "[a]\na.k=1\na.l=2\n"),
	   "a key callback returning -1 stops the parse");
	buf_release(&ev.log);
	r = parse(text, strlen(text), &ev, 4);
	OK(r == -1 && ev.log.data && !strcmp(ev.log.data, "[a]\na.k=1\na.l=2\n[b]\n"),
	   "a section callback returning -1 stops the parse");
	buf_release(&ev.log);
	r = parse(text, strlen(text), &ev, 0);
	OK(r == 0 && ev.log.data && strstr(ev.log.data, "b.m=3"),
	   "and a second parse starts afresh");
	buf_release(&ev.log);
}

struct split {
	const char *section;
	int want;
	const char *kind, *name;
};

static const struct split splits[] = {
        {"zone \"example.com\"", 1, "zone", "example.com"},
        {"zone example.com", 1, "zone", "example.com"},
        {"var   \"a b\"", 1, "var", "a b"},
        {"bundle", 0, NULL, NULL},
        {"\"bundle\"", -1, NULL, NULL},
        {"zone \"x", -1, NULL, NULL},
        {"zone x\"", -1, NULL, NULL},
        {"zone \"\"", -1, NULL, NULL},
        {"zone \"a\"b\"", -1, NULL, NULL},
        {"zo\"ne x", -1, NULL, NULL},
        {"zone ", -1, NULL, NULL},
        /* 49 bytes, the most a section header holds, and one more */
        {"zone \"a23456789012345678901234567890123456789012\"", 1, "zone",
         "a23456789012345678901234567890123456789012"},
        {"zone \"a234567890123456789012345678901234567890123\"", -1, NULL, NULL},
};

static void split_cases(void)
{
	char kind[INIFILE_SECTION_BUF], name[INIFILE_SECTION_BUF], what[200];
	size_t i;
	int r, good;

	for (i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
		const struct split *s = &splits[i];

		strcpy(kind, "unset");
		strcpy(name, "unset");
		r = inifile_split_section(s->section, kind, name);
		if (s->want == 1)
			good = r == 1 && !strcmp(kind, s->kind) && !strcmp(name, s->name);
		else
			good = r == s->want && !*kind && !*name;
		snprintf(what, sizeof(what), "split [%s] -> %d %s %s (got %d)", s->section, s->want,
		         s->kind ? s->kind : "-", s->name ? s->name : "-", r);
		OK(good, what);
	}
}

static void bool_cases(void)
{
	static const struct {
		const char *s;
		int want;
	} t[] = {{"yes", 1}, {"true", 1},  {"on", 1},    {"1", 1},    {"YES", 1}, {"True", 1},
	         {"no", 0},  {"false", 0}, {"off", 0},   {"0", 0},    {"OFF", 0}, {"", -1},
	         {"y", -1},  {"2", -1},    {"yes ", -1}, {"nope", -1}};
	char what[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(what, sizeof(what), "parse_bool(\"%s\") = %d", t[i].s, t[i].want);
		OK(parse_bool(t[i].s) == t[i].want, what);
	}
}

int main(void)
{
	good_cases();
	limit_cases();
	bad_cases();
	stop_cases();
	split_cases();
	bool_cases();
	return unit_done();
}
