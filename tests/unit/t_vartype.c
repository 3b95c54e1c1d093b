/*
 * t_vartype.c — vtype_check for every scalar type, good and bad values, with
 * the edges that matter for a role file: control characters, quotes, integer
 * and port ranges, CIDR prefixes, DNS name limits and path traversal.
 * Also vtype_parse / vtype_name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vartype.h"
#include "unit.h"

struct tcase {
	enum vtype type;
	const char *value;
	int good; /* 1: must be accepted, 0: must be refused */
	const char *what;
};

static const struct tcase cases[] = {
        /* string: printable text, no control characters, no '"' or '\' */
        {VT_STRING, "hello world", 1, "plain text"},
        {VT_STRING, "", 1, "empty string"},
        {VT_STRING, "c2VjcmV0LWRlbW8=", 1, "base64 with '='"},
        {VT_STRING, "a'b", 1, "single quote is allowed"},
        {VT_STRING, "caf\xc3\xa9", 1, "UTF-8 bytes above 0x7f"},
        {VT_STRING, "{{x}}; $(y) `z`", 1, "punctuation is not a control char"},
        {VT_STRING, "a\nb", 0, "newline"},
        {VT_STRING, "a\rb", 0, "carriage return"},
        {VT_STRING, "a\tb", 0, "tab"},
        {VT_STRING, "a\x01z", 0, "control char 0x01"},
        {VT_STRING, "a\x1bz", 0, "escape 0x1b"},
        {VT_STRING, "a\x7fz", 0, "DEL 0x7f"},
        {VT_STRING, "say \"hi\"", 0, "double quote"},
        {VT_STRING, "\"", 0, "lone double quote"},
        {VT_STRING, "back\\slash", 0, "backslash"},
        {VT_STRING, "trailing\n", 0, "trailing newline"},

        /* int: 64-bit decimal */
        {VT_INT, "0", 1, "zero"},
        {VT_INT, "42", 1, "positive"},
        {VT_INT, "-17", 1, "negative"},
        {VT_INT, "-0", 1, "minus zero"},
        {VT_INT, "9223372036854775807", 1, "INT64_MAX"},
        {VT_INT, "-9223372036854775807", 1, "INT64_MIN + 1"},
        {VT_INT, "-9223372036854775808", 1, "INT64_MIN (a 64-bit integer)"},
        {VT_INT, "9223372036854775808", 0, "INT64_MAX + 1 overflows"},
        {VT_INT, "-9223372036854775809", 0, "INT64_MIN - 1 overflows"},
        {VT_INT, "99999999999999999999999", 0, "far overflow"},
        {VT_INT, "", 0, "empty"},
        {VT_INT, "-", 0, "lone minus"},
        {VT_INT, "+5", 0, "leading plus"},
        {VT_INT, " 5", 0, "leading space"},
        {VT_INT, "5 ", 0, "trailing space"},
        {VT_INT, "5\n", 0, "trailing newline"},
        {VT_INT, "1.5", 0, "decimal point"},
        {VT_INT, "0x10", 0, "hex"},
        {VT_INT, "1e3", 0, "exponent"},
        {VT_INT, "12abc", 0, "trailing letters"},
        {VT_INT, "abc", 0, "letters"},

        /* bool */
        {VT_BOOL, "yes", 1, "yes"},
        {VT_BOOL, "no", 1, "no"},
        {VT_BOOL, "true", 1, "true"},
        {VT_BOOL, "false", 1, "false"},
        {VT_BOOL, "on", 1, "on"},
        {VT_BOOL, "off", 1, "off"},
        {VT_BOOL, "1", 1, "1"},
        {VT_BOOL, "0", 1, "0"},
        {VT_BOOL, "YES", 1, "upper case YES"},
        {VT_BOOL, "False", 1, "mixed case False"},
        {VT_BOOL, "", 0, "empty"},
        {VT_BOOL, "2", 0, "2"},
        {VT_BOOL, "y", 0, "y"},
        {VT_BOOL, "enabled", 0, "enabled"},
        {VT_BOOL, "yes\n", 0, "yes with newline"},
        {VT_BOOL, " yes", 0, "yes with leading space"},

        /* ip: IPv4 or IPv6 */
        {VT_IP, "10.0.0.1", 1, "IPv4"},
        {VT_IP, "0.0.0.0", 1, "IPv4 any"},
        {VT_IP, "255.255.255.255", 1, "IPv4 broadcast"},
        {VT_IP, "::1", 1, "IPv6 loopback"},
        {VT_IP, "::", 1, "IPv6 any"},
        {VT_IP, "2001:db8::53", 1, "IPv6"},
        {VT_IP, "::ffff:192.0.2.1", 1, "IPv4-mapped IPv6"},
        {VT_IP, "", 0, "empty"},
        {VT_IP, "10.0.0", 0, "three octets"},
        {VT_IP, "10.0.0.256", 0, "octet 256"},
        {VT_IP, "10.0.0.1.2", 0, "five octets"},
        {VT_IP, "10.0.0.1/8", 0, "with prefix"},
        {VT_IP, " 10.0.0.1", 0, "leading space"},
        {VT_IP, "10.0.0.1\n", 0, "trailing newline"},
        {VT_IP, "2001:db8:::1", 0, "triple colon"},
        {VT_IP, "fe80::1%eth0", 0, "IPv6 with zone"},
        {VT_IP, "example.com", 0, "a name"},

        /* cidr: address/prefix within the family */
        {VT_CIDR, "10.0.0.0/8", 1, "IPv4 /8"},
        {VT_CIDR, "0.0.0.0/0", 1, "IPv4 /0"},
        {VT_CIDR, "192.0.2.1/32", 1, "IPv4 /32"},
        {VT_CIDR, "2001:db8::/32", 1, "IPv6 /32"},
        {VT_CIDR, "::/0", 1, "IPv6 /0"},
        {VT_CIDR, "::1/128", 1, "IPv6 /128"},
        {VT_CIDR, "10.0.0.0/33", 0, "IPv4 /33"},
        {VT_CIDR, "10.0.0.0/-1", 0, "IPv4 /-1"},
        {VT_CIDR, "10.0.0.0/-0", 0, "IPv4 /-0"},
        {VT_CIDR, "10.0.0.0/+8", 0, "IPv4 /+8"},
        {VT_CIDR, "2001:db8::/129", 0, "IPv6 /129"},
        {VT_CIDR, "10.0.0.0", 0, "no prefix"},
        {VT_CIDR, "10.0.0.0/", 0, "empty prefix"},
        {VT_CIDR, "/8", 0, "no address"},
        {VT_CIDR, "10.0.0/8", 0, "short address"},
        {VT_CIDR, "10.0.0.0/8/8", 0, "two slashes"},
        {VT_CIDR, "10.0.0.0/ 8", 0, "space in prefix"},
        {VT_CIDR, "10.0.0.0/8x", 0, "letters after prefix"},
        {VT_CIDR, "10.0.0.0/99999999999999999999", 0, "huge prefix"},
        {VT_CIDR, "example.com/8", 0, "a name with prefix"},
        {VT_CIDR, "10.0.0.0/8\n", 0, "trailing newline"},

        /* port: 1-65535 */
        {VT_PORT, "1", 1, "1"},
        {VT_PORT, "53", 1, "53"},
        {VT_PORT, "65535", 1, "65535"},
        {VT_PORT, "0", 0, "0"},
        {VT_PORT, "65536", 0, "65536"},
        {VT_PORT, "-1", 0, "-1"},
        {VT_PORT, "-53", 0, "-53"},
        {VT_PORT, "99999999999999999999", 0, "overflow"},
        {VT_PORT, "", 0, "empty"},
        {VT_PORT, "53x", 0, "trailing letter"},
        {VT_PORT, "http", 0, "service name"},
        {VT_PORT, "5 3", 0, "inner space"},
        {VT_PORT, "53\t", 0, "trailing tab"},

        /* path: absolute, no "..", whitespace, quotes or control characters */
        {VT_PATH, "/", 1, "root"},
        {VT_PATH, "/etc/bind/named.conf", 1, "ordinary path"},
        {VT_PATH, "/var/lib/x..y", 1, "'..' inside a name"},
        {VT_PATH, "/etc/..hidden", 1, "name starting with '..'"},
        {VT_PATH, "/etc/name..", 1, "name ending with '..'"},
        {VT_PATH, "/etc/.hidden", 1, "dot file"},
        {VT_PATH, "/opt/a-b_c.d/e", 1, "punctuation"},
        {VT_PATH, "/etc/../shadow", 0, "'..' component"},
        {VT_PATH, "/..", 0, "'/..'"},
        {VT_PATH, "/etc/..", 0, "trailing '..'"},
        {VT_PATH, "/../etc", 0, "leading '..'"},
        {VT_PATH, "..", 0, "bare '..'"},
        {VT_PATH, "etc/passwd", 0, "relative path"},
        {VT_PATH, "./etc", 0, "dot-relative path"},
        {VT_PATH, "", 0, "empty"},
        {VT_PATH, "/etc/a b", 0, "space"},
        {VT_PATH, "/etc/a\tb", 0, "tab"},
        {VT_PATH, "/etc/a\nb", 0, "newline"},
        {VT_PATH, "/etc/\"x\"", 0, "double quote"},
        {VT_PATH, "/etc/'x'", 0, "single quote"},
        {VT_PATH, "/etc/a\\b", 0, "backslash"},
        {VT_PATH, "/etc/a;rm", 0, "semicolon"},
        {VT_PATH, "/etc/\x7f", 0, "DEL"},
};

/* hostname cases are built at run time (long labels and names). */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* "aaa...a.aaa...a..." of exactly len bytes, labels of at most 63. */
static char *long_name(size_t len)
{
	char *s = malloc(len + 1);
	size_t i;

	if (!s)
		abort();
	for (i = 0; i < len; i++)
		s[i] = (i % 64 == 63) ? '.' : 'a';
	if (len && s[len - 1] == '.')
		s[len - 1] = 'b';
	s[len] = '\0';
	return s;
}

static void check_one(enum vtype t, const char *value, int good, const char *what)
{
	const char *why = "unset";
	char line[512];
	int r = vtype_check(t, value, &why);

	snprintf(line, sizeof(line), "%s %s: %s", vtype_name(t), good ? "accepts" : "refuses",
	         what);
	if (good) {
		OK(r == 0 && why == NULL, line);
	} else {
		OK(r == -1 && why != NULL && *why, line);
	}
}

static void hostname_cases(void)
{
	static const struct {
		const char *value;
		int good;
		const char *what;
	} fixed[] = {
	        {"ns1", 1, "single label"},
	        {"ns1.example.com", 1, "FQDN"},
	        {"ns1.example.com.", 1, "trailing dot is ok"},
	        {"10.in-addr.arpa", 1, "reverse zone"},
	        {"_dmarc.example.com", 1, "underscore label"},
	        {"a-b.example", 1, "inner hyphen"},
	        {"123.example", 1, "numeric label"},
	        {"EXAMPLE.COM", 1, "upper case"},
	        {"", 0, "empty"},
	        {".", 0, "lone dot"},
	        {"..", 0, "two dots"},
	        {".example.com", 0, "leading dot"},
	        {"a..b", 0, "empty inner label"},
	        {"example.com..", 0, "two trailing dots (empty last label)"},
	        {"-ns1.example.com", 0, "leading hyphen"},
	        {"ns1-.example.com", 0, "trailing hyphen in first label"},
	        {"ns1.-example.com", 0, "leading hyphen in inner label"},
	        {"ns1.example-", 0, "trailing hyphen at the end"},
	        {"ns1.example-.", 0, "trailing hyphen before final dot"},
	        {"-", 0, "lone hyphen"},
	        {"ns 1.example", 0, "space"},
	        {"ns1.example.com\n", 0, "trailing newline"},
	        {"ns1\t.example", 0, "tab"},
	        {"ns1.exa*mple", 0, "star"},
	        {"ns1/example", 0, "slash"},
	        {"ns1@example", 0, "at sign"},
	        {"caf\xc3\xa9.example", 0, "non-ASCII"},
	};
	size_t i;
	char *s, *t;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_one(VT_HOSTNAME, fixed[i].value, fixed[i].good, fixed[i].what);

	s = repeat('a', 63);
	check_one(VT_HOSTNAME, s, 1, "label of 63 bytes");
	t = malloc(strlen(s) + 16);
	sprintf(t, "%s.example", s);
	check_one(VT_HOSTNAME, t, 1, "first label of 63 bytes in a name");
	sprintf(t, "ns.%s", s);
	check_one(VT_HOSTNAME, t, 1, "last label of 63 bytes in a name");
	free(t);
	free(s);

	s = repeat('a', 64);
	check_one(VT_HOSTNAME, s, 0, "label of 64 bytes");
	t = malloc(strlen(s) + 16);
	sprintf(t, "%s.example", s);
	check_one(VT_HOSTNAME, t, 0, "first label of 64 bytes in a name");
	sprintf(t, "ns.%s", s);
	check_one(VT_HOSTNAME, t, 0, "last label of 64 bytes in a name");
	free(t);
	free(s);

	s = long_name(253);
	check_one(VT_HOSTNAME, s, 1, "name of 253 bytes");
	t = malloc(256);
	sprintf(t, "%s.", s);
	check_one(VT_HOSTNAME, t, 1, "name of 253 bytes plus trailing dot");
	free(t);
	free(s);

	s = long_name(254);
	check_one(VT_HOSTNAME, s, 0, "name of 254 bytes");
	free(s);
	s = long_name(400);
	check_one(VT_HOSTNAME, s, 0, "name of 400 bytes");
	free(s);
}

static void non_scalar(void)
{
	const char *why = NULL;

	OK(vtype_check(VT_SECTION, "x", &why) == -1 && why, "section is not a scalar type");
	why = NULL;
	OK(vtype_check(VT_INVALID, "x", &why) == -1 && why, "invalid type refuses everything");
	why = NULL;
	OK(vtype_check(VT_INT, "1\n", &why) == -1 && why && strstr(why, "control"),
	   "control characters are named in the reason");
	{
		static const struct {
			enum vtype t;
			const char *v;
		} c[] = {{VT_STRING, "a\tb"},       {VT_INT, "\t5"},
		         {VT_BOOL, "yes\r"},        {VT_IP, "192.0.2.1\n"},
		         {VT_CIDR, "10.0.0.0/8\n"}, {VT_HOSTNAME, "a\x7f.b"},
		         {VT_PORT, "53\x01"},       {VT_PATH, "/etc/\nx"}};
		char what[80];
		size_t i;

		for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			why = NULL;
			snprintf(what, sizeof(what), "a control character in a %s is named as such",
			         vtype_name(c[i].t));
			OK(vtype_check(c[i].t, c[i].v, &why) == -1 && why &&
			           !strcmp(why, "holds a newline or control character"),
			   what);
		}
	}
}

static void names(void)
{
	static const struct {
		const char *name;
		enum vtype t;
	} map[] = {
	        {"string", VT_STRING}, {"int", VT_INT},   {"bool", VT_BOOL},
	        {"ip", VT_IP},         {"cidr", VT_CIDR}, {"hostname", VT_HOSTNAME},
	        {"port", VT_PORT},     {"path", VT_PATH}, {"section", VT_SECTION},
	};
	static const char *const bad[] = {"",     "String", "integer", "float",
	                                  "list", "ipv4",   "string "};
	char line[128];
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		snprintf(line, sizeof(line), "vtype_parse(\"%s\")", map[i].name);
		OK(vtype_parse(map[i].name) == map[i].t, line);
		snprintf(line, sizeof(line), "vtype_name round-trips \"%s\"", map[i].name);
		STREQ(vtype_name(map[i].t), map[i].name, line);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "vtype_parse refuses \"%s\"", bad[i]);
		OK(vtype_parse(bad[i]) == VT_INVALID, line);
	}
	STREQ(vtype_name(VT_INVALID), "invalid", "vtype_name(VT_INVALID)");
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_one(cases[i].type, cases[i].value, cases[i].good, cases[i].what);
	hostname_cases();
	non_scalar();
	names();
	return unit_done();
}
