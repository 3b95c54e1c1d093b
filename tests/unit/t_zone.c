/* t_zone.c — Route 53 names and TXT values in BIND presentation form. */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "zone.h"

static void name_case(const char *r53, const char *zone, const char *want)
{
	struct buf b = BUF_INIT;
	char what[256];

	zone_name(r53, zone, &b);
	snprintf(what, sizeof(what), "name %s in %s -> %s (got %s)", r53, zone, want, b.data);
	OK(b.data && !strcmp(b.data, want), what);
	buf_release(&b);
}

static void txt_case(const char *value, const char *want)
{
	struct buf b = BUF_INIT;
	char what[512];

	zone_txt(value, &b);
	snprintf(what, sizeof(what), "txt %.60s -> %.60s (got %.60s)", value, want, b.data);
	OK(b.data && !strcmp(b.data, want), what);
	buf_release(&b);
}

int main(void)
{
	char *long_value = malloc(600), *want = malloc(700);

	name_case("corp.example.com.", "corp.example.com", "@");
	name_case("CORP.Example.com.", "corp.example.com", "@");
	name_case("www.corp.example.com.", "corp.example.com", "www");
	name_case("a.b.corp.example.com.", "corp.example.com", "a.b");
	name_case("\\052.corp.example.com.", "corp.example.com", "*");
	name_case("\\052.wild.corp.example.com.", "corp.example.com", "*.wild");
	name_case("a\\052b.corp.example.com.", "corp.example.com", "a\\042b");
	name_case("_sip._tcp.corp.example.com.", "corp.example.com", "_sip._tcp");
	name_case("other.example.net.", "corp.example.com", "other.example.net.");
	name_case("xcorp.example.com.", "corp.example.com", "xcorp.example.com.");
	name_case("sp\\040ace.corp.example.com.", "corp.example.com", "sp\\032ace");

	txt_case("\"v=spf1 -all\"", "\"v=spf1 -all\"");
	txt_case("\"a\" \"b\"", "\"a\" \"b\"");
	txt_case("\"say \\\"hi\\\"\"", "\"say \\\"hi\\\"\"");
	txt_case("\"back\\\\slash\"", "\"back\\\\slash\"");
	txt_case("\"tab\\011x\"", "\"tab\\009x\"");
	txt_case("bare", "\"bare\"");
	txt_case("\"\"", "\"\"");
	txt_case("", "\"\"");
	memset(long_value, 'x', 600);
	long_value[0] = '"';
	long_value[511] = '"';
	long_value[512] = '\0'; /* one string of 510 bytes */
	want[0] = '"';
	memset(want + 1, 'x', 255);
	strcpy(want + 256, "\" \"");
	memset(want + 259, 'x', 255);
	strcpy(want + 514, "\"");
	txt_case(long_value, want);
	free(long_value);
	free(want);
	return unit_done();
}
