/*
 * t_sync_config.c — sync_config_parse: the sync agent's config from memory.
 * Zone names become file names (DIRECTORY/NAME.zone), so only domain names
 * are accepted; the inputs marked "fuzz" were found by fuzz_sync_config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "sync.h"
#include "unit.h"

struct scase {
	const char *text;
	int ok;           /* 1: parses */
	const char *zone; /* the first zone's name after parsing, or a word of the error */
	const char *what;
};

static const struct scase cases[] = {
        {"[sync]\ndirectory = /srv/z\n[zone \"corp.example.com\"]\nid = Z1\n", 1,
         "corp.example.com", "one zone with an id"},
        {"[sync]\ndirectory = /srv/z\n[zone \"corp.example.com.\"]\n", 1, "corp.example.com",
         "one final dot is dropped"},
        {"[sync]\ndirectory = /srv/z\n[zone \"10.in-addr.arpa\"]\n[zone \"_tcp.example\"]\n", 1,
         "10.in-addr.arpa", "reverse zone and underscore label"},
        {"[sync]\ndirectory = [z\n[zone \"A..\"]\n[zone \".\"]\n", 0, "fuzz.ini:3: zone \"A..\"",
         "fuzz: two final dots refused (would leave a final dot)"},
        {"[sync]\ndirectory = /srv/z\n[zone \".\"]\n", 0, "zone \".\" is not a valid",
         "the root zone refused (file \"..zone\")"},
        {"[sync]\ndirectory = /srv/z\n[zone \"../../etc/cron.d/x\"]\n", 0, "../../etc/cron.d/x",
         "a path as zone name refused"},
        {"[sync]\ndirectory = /srv/z\n[zone \"a/b.example\"]\n", 0, "a/b.example",
         "a slash refused"},
        {"[sync]\ndirectory = /srv/z\n[zone \"a..example\"]\n", 0, "a..example",
         "an empty label refused"},
        {"[sync]\ndirectory = /srv/z\n[zone \"a.example\"]\n[zone \"A.EXAMPLE.\"]\n", 0, "twice",
         "the same zone twice (case and final dot aside)"},
        {"[sync]\ndirectory = /srv/z\n", 0, "at least one", "no zone"},
        {"[sync]\ndirectory = /srv/z\n[zone \"a.example\"]\nprivate = yes\n", 1, "a.example",
         "private = yes"},
        {"[sync]\ndirectory = /srv/z\n[zone \"a.example\"]\nprivate = true\n", 0,
         "fuzz.ini:4: 'private' must be yes or no", "private = true refused"},
        {"[sync]\ndirectory = /srv/z\n[zone \"a.example\"]\nprivate = no\nprivate = no\n", 0,
         "fuzz.ini:5: 'private' is set twice", "private twice refused"},
        {"[sync]\ndirectory = /srv/z\n[zone \"a.example\"]\nid = Z1\nprivate = no\n", 0,
         "'id' and 'private' both pick", "id and private together refused"},
        {"[sync]\ndirectory = /srv/z\nprivate = no\n[zone \"a.example\"]\n", 0,
         "unknown key 'private' in [sync]", "private in [sync] refused"},
        {"[sync]\ndirectory = /srv/z\nresolver = 10.0.0.1:0\n[zone \"a.example\"]\n", 0,
         "fuzz.ini:3: resolver '10.0.0.1:0' is not ADDR", "resolver port 0 refused"},
        {"[sync]\ndirectory = /srv/z\nresolver = ns1.example\n[zone \"a.example\"]\n", 0,
         "resolver 'ns1.example'", "resolver by name refused (no lookup to find the resolver)"},
        {"[sync]\ndirectory = /srv/z\nresolver = ::1:53\n[zone \"a.example\"]\n", 1, "a.example",
         "::1:53 is an IPv6 address (ports need brackets)"},
        {"[sync]\ndirectory = /srv/z\nresolver = [::1\n[zone \"a.example\"]\n", 0, "'[::1'",
         "unclosed bracket refused"},
        {"[sync]\ndirectory = /srv/z\nresolver = ,\n[zone \"a.example\"]\n", 0,
         "'resolver' is empty", "empty resolver list refused"},
        {"[sync]\ndirectory = /srv/z\nalias-ttl = -1\n[zone \"a.example\"]\n", 0,
         "'alias-ttl' must be seconds", "negative alias-ttl refused"},
};

/* Exactly one message line. */
static int one_line(const char *text)
{
	const char *nl = strchr(text, '\n');

	return nl && !nl[1];
}

static void table(void)
{
	char what[512];
	struct sync_config c;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct scase *s = &cases[i];

		capture_begin();
		ret = sync_config_parse("fuzz.ini", s->text, strlen(s->text), &c);
		capture_end();
		if (s->ok) {
			snprintf(what, sizeof(what), "%s: parses", s->what);
			check_msg(ret == 0 && c.nzones && !strcmp(c.zones[0].name, s->zone), what);
			if (!ret)
				sync_config_release(&c);
			continue;
		}
		snprintf(what, sizeof(what), "%s: refused, said so", s->what);
		check_msg(ret == -1 && contains(errtext, s->zone) && one_line(errtext), what);
		snprintf(what, sizeof(what), "%s: config left released", s->what);
		OK(ret == -1 && !c.where && !c.zones && !c.nzones && !c.directory, what);
	}
}

static void defaults(void)
{
	static const char text[] = "[sync]\ndirectory = /srv/z\n[zone \"a.example\"]\n";
	struct sync_config c;

	unsetenv("AWS_ENDPOINT_URL_ROUTE_53");
	unsetenv("AWS_ENDPOINT_URL");
	OK(sync_config_parse("x.ini", text, sizeof(text) - 1, &c) == 0, "minimal config parses");
	OK(c.interval == 60 && c.jitter == 10, "interval and jitter default to 60 and 10");
	STREQ(c.endpoint, "https://route53.amazonaws.com", "endpoint defaults to Route 53");
	STREQ(c.checkzone, "named-checkzone", "checkzone defaults to named-checkzone");
	STREQ(c.where, "x.ini", "where names the source");
	OK(!c.creds.key_id && !c.creds.secret && !c.creds.token, "no credentials looked up");
	sync_config_release(&c);
}

/* Which hosted zone of a name: private = yes|no, unset is -1. */
static void private_key(void)
{
	static const char text[] =
	        "[sync]\ndirectory = /srv/z\n[zone \"a.example\"]\nprivate = yes\n"
	        "[zone \"b.example\"]\nprivate = no\n[zone \"c.example\"]\n";
	struct sync_config c;

	OK(sync_config_parse("x.ini", text, sizeof(text) - 1, &c) == 0, "private keys parse");
	OK(c.nzones == 3 && c.zones[0].private_zone == 1 && c.zones[1].private_zone == 0 &&
	           c.zones[2].private_zone == -1,
	   "private = yes is 1, no is 0, unset -1");
	sync_config_release(&c);
}

/* alias-ttl and resolver: defaults and forms. */
static void alias_keys(void)
{
	static const char plain[] = "[sync]\ndirectory = /srv/z\n[zone \"a.example\"]\n";
	static const char text[] = "[sync]\ndirectory = /srv/z\nalias-ttl = 300\n"
	                           "resolver = 127.0.0.1:5353, [::1]:53 10.0.0.2 fd00::53\n"
	                           "[zone \"a.example\"]\n";
	struct sync_config c;

	OK(sync_config_parse("x.ini", plain, sizeof(plain) - 1, &c) == 0 && c.alias_ttl == 60 &&
	           c.nresolvers == 0,
	   "alias-ttl defaults to 60, no resolver (resolv.conf)");
	sync_config_release(&c);
	OK(sync_config_parse("x.ini", text, sizeof(text) - 1, &c) == 0, "alias keys parse");
	OK(c.alias_ttl == 300, "alias-ttl = 300");
	OK(c.nresolvers == 4, "four resolvers, spaces and commas");
	OK(c.nresolvers == 4 && !strcmp(c.resolvers[0].addr, "127.0.0.1") &&
	           c.resolvers[0].port == 5353 && !c.resolvers[0].v6,
	   "ADDR:PORT");
	OK(c.nresolvers == 4 && !strcmp(c.resolvers[1].addr, "::1") && c.resolvers[1].port == 53 &&
	           c.resolvers[1].v6,
	   "[ADDR6]:PORT");
	OK(c.nresolvers == 4 && c.resolvers[2].port == 53 &&
	           !strcmp(c.resolvers[3].addr, "fd00::53") && c.resolvers[3].port == 53,
	   "ADDR and ADDR6 default to port 53");
	sync_config_release(&c);
}

int main(void)
{
	table();
	private_key();
	alias_keys();
	defaults();
	return unit_done();
}
