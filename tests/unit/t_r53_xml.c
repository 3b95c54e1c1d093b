/* t_r53_xml.c — the one reader of Route 53 answers (r53_xml.h) and its two
 * users: the list parser (r53_parse) and the change parser
 * (r53_change_parse).  Normal answers, error answers, malformed and
 * truncated XML, and text past the limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r53.h"
#include "r53_change.h"
#include "r53_xml.h"
#include "unit.h"

#define XMLNS "https://route53.amazonaws.com/doc/2013-04-01/"

static const char page[] =
        "<?xml version=\"1.0\"?>\n"
        "<ListResourceRecordSetsResponse xmlns=\"" XMLNS "\"><ResourceRecordSets>"
        "<ResourceRecordSet><Name>corp.example.com.</Name><Type>SOA</Type><TTL>900</TTL>"
        "<ResourceRecords><ResourceRecord><Value>ns-1.awsdns-1.com. h.amazon.com. 1 7200 900 "
        "1209600 86400</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>"
        "<ResourceRecordSet><Name>w.corp.example.com.</Name><Type>A</Type>"
        "<SetIdentifier>x</SetIdentifier><Weight>3</Weight><TTL>60</TTL><ResourceRecords>"
        "<ResourceRecord><Value>192.0.2.1</Value></ResourceRecord>"
        "<ResourceRecord><Value>192.0.2.2</Value></ResourceRecord></ResourceRecords>"
        "</ResourceRecordSet>"
        "<ResourceRecordSet><Name>app.corp.example.com.</Name><Type>A</Type><AliasTarget>"
        "<HostedZoneId>Z1</HostedZoneId><DNSName>\\052.corp.example.com.</DNSName>"
        "</AliasTarget></ResourceRecordSet></ResourceRecordSets>"
        "<IsTruncated>true</IsTruncated><NextRecordName>x.corp.example.com.</NextRecordName>"
        "<NextRecordType>A</NextRecordType><MaxItems>3</MaxItems>"
        "</ListResourceRecordSetsResponse>\n";

static const char change_ok[] = "<?xml version=\"1.0\"?>\n"
                                "<ChangeResourceRecordSetsResponse xmlns=\"" XMLNS "\"><ChangeInfo>"
                                "<Id>/change/C2682N5HXP0BZ4</Id><Status>PENDING</Status>"
                                "<SubmittedAt>2017-02-10T01:36:41.958Z</SubmittedAt></ChangeInfo>"
                                "</ChangeResourceRecordSetsResponse>\n";

static const char get_change[] =
        "<?xml version=\"1.0\"?>\n"
        "<GetChangeResponse xmlns=\"" XMLNS "\"><ChangeInfo><Id>/change/C1</Id>"
        "<Status>INSYNC</Status></ChangeInfo></GetChangeResponse>";

static const char error_answer[] =
        "<?xml version=\"1.0\"?>\n"
        "<ErrorResponse xmlns=\"" XMLNS "\"><Error><Type>Sender</Type>"
        "<Code>InvalidChangeBatch</Code><Message>[Tried to delete resource record set "
        "[name='x.corp.example.com.', type='A']\nbut it was not found]</Message></Error>"
        "<RequestId>1</RequestId></ErrorResponse>\n";

/* What the handlers saw: "+name" at a start, "-parent/name=text" at an end. */
struct trace {
	struct r53_xml xml;
	struct buf log;
	size_t longest; /* text seen at an end */
};

static void t_start(void *user, const char *name)
{
	struct trace *t = user;

	buf_printf(&t->log, "+%s", name);
}

static void t_end(void *user, const char *name)
{
	struct trace *t = user;
	const char *text = r53_xml_text(&t->xml);

	if (strlen(text) > t->longest)
		t->longest = strlen(text);
	buf_printf(&t->log, "-%s/%s=%s", r53_xml_parent(&t->xml, 1), name, text);
}

/* Reads xml in pieces of step bytes (0: whole) with a text limit; the
 * result of r53_xml_finish.  The caller releases t. */
static int trace_read(struct trace *t, const char *xml, size_t len, size_t step, size_t max)
{
	size_t off, n;

	memset(t, 0, sizeof(*t));
	r53_xml_init(&t->xml, max, t_start, t_end, t);
	if (!step)
		return r53_xml_parse(&t->xml, xml, len);
	for (off = 0; off < len; off += n) {
		n = len - off < step ? len - off : step;
		r53_xml_feed(&t->xml, xml + off, n);
	}
	return r53_xml_finish(&t->xml);
}

static void trace_release(struct trace *t)
{
	r53_xml_release(&t->xml);
	buf_release(&t->log);
}

static void reader_cases(void)
{
	static const char nested[] = "<A><Code>X</Code><B><Error><Code>Y</Code></Error></B></A>";
	struct trace whole, bytes;
	int a, b;

	a = trace_read(&whole, page, strlen(page), 0, 0);
	b = trace_read(&bytes, page, strlen(page), 1, 0);
	OK(a == 0 && b == 0, "reader: a list answer is well-formed, whole and byte by byte");
	OK(whole.log.data && bytes.log.data && !strcmp(whole.log.data, bytes.log.data),
	   "reader: pieces of any size give the same elements and texts");
	OK(strstr(whole.log.data, "+ResourceRecord+Value-ResourceRecord/Value=192.0.2.2") != NULL,
	   "reader: start and end handlers see the element, its parent and its text");
	OK(strstr(whole.log.data, "-ListResourceRecordSetsResponse/IsTruncated=true") != NULL,
	   "reader: an element under the root has the root as parent");
	OK(!whole.xml.code && !whole.xml.message, "reader: no error code in a normal answer");
	OK(whole.xml.depth == 0 && !strcmp(r53_xml_parent(&whole.xml, 0), ""),
	   "reader: the path is empty after the answer");
	trace_release(&whole);
	trace_release(&bytes);

	a = trace_read(&whole, error_answer, strlen(error_answer), 7, 0);
	OK(a == 0, "reader: an ErrorResponse is well-formed");
	STREQ(whole.xml.code, "InvalidChangeBatch", "reader: Error/Code");
	OK(whole.xml.message && !strncmp(whole.xml.message, "[Tried to delete", 16) &&
	           strchr(whole.xml.message, '\n'),
	   "reader: Error/Message, as written");
	trace_release(&whole);

	a = trace_read(&whole, nested, strlen(nested), 0, 0);
	OK(a == 0, "reader: Code elsewhere parses");
	STREQ(whole.xml.code, "Y", "reader: only a Code right under Error is the error code");
	OK(!whole.xml.message, "reader: no Message, none taken");
	trace_release(&whole);

	memset(&whole, 0, sizeof(whole));
	r53_xml_release(&whole.xml); /* never initialised: nothing to free */
	OK(whole.xml.xp == NULL, "reader: releasing a zeroed reader is harmless");
}

static void malformed_cases(void)
{
	static const char *const bad[] = {
	        "",
	        "<A>",
	        "<A></B>",
	        "<A><B></A></B>",
	        "<A/><B/>",
	        "text",
	        "<A>&nope;</A>",
	        "<A>\xff\xfe</A>",
	        "<Error><Code>Throttling</Code><Message>slow down</Message></Error><",
	};
	static const char noname[] = "<R><ResourceRecordSet><Type>A</Type></ResourceRecordSet></R>";
	struct r53_records recs = {NULL, 0, 0, NULL};
	struct r53_change_error e;
	struct trace t;
	size_t i, cut, len = strlen(page), short_ok = 0, all_bad = 1;
	char what[128];

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		snprintf(what, sizeof(what), "malformed %zu: reader, r53_parse, r53_change_parse",
		         i);
		OK(trace_read(&t, bad[i], strlen(bad[i]), 0, 0) < 0 && t.xml.bad &&
		           r53_parse(bad[i], strlen(bad[i]), &recs) < 0 &&
		           r53_change_parse(bad[i], strlen(bad[i]), &e) < 0,
		   what);
		trace_release(&t);
		r53_records_release(&recs);
	}

	/* an error answer cut short still names its code, as far as it came */
	i = sizeof(bad) / sizeof(*bad) - 1;
	OK(r53_change_parse(bad[i], strlen(bad[i]), &e) < 0 && !strcmp(e.code, "Throttling") &&
	           !strcmp(e.text, "slow down"),
	   "malformed: the code read before the error is kept");

	/* every truncation of a list answer is refused */
	for (cut = 0; cut < len - 1; cut++) { /* len - 1: the final newline is optional */
		if (r53_parse(page, cut, &recs) == 0)
			all_bad = 0;
		r53_records_release(&recs);
		if (trace_read(&t, page, cut, 3, 0) == 0)
			short_ok++;
		trace_release(&t);
	}
	OK(all_bad, "truncated: r53_parse refuses every prefix of a list answer");
	OK(short_ok == 0, "truncated: the reader refuses every prefix, fed in pieces");
	OK(r53_change_parse(change_ok, strlen(change_ok) / 2, &e) < 0,
	   "truncated: r53_change_parse refuses half an answer");

	/* once bad, later pieces are not parsed */
	trace_read(&t, "<A></B>", 7, 0, 0);
	OK(r53_xml_feed(&t.xml, "<C/>", 4) < 0 && r53_xml_finish(&t.xml) < 0,
	   "bad: feeding after an error stays bad");
	OK(r53_xml_write("<C/>", 1, 4, &t.xml) == 4,
	   "bad: the curl write callback still takes every byte");
	trace_release(&t);

	/* a record set without a name: marked bad by r53.c's handler */
	OK(r53_parse(noname, strlen(noname), &recs) < 0,
	   "bad: a record set without a name is not an answer");
	r53_records_release(&recs);
}

static void answer_cases(void)
{
	static const char stray_id[] = "<R><Id>/change/C9</Id></R>";
	struct r53_records recs = {NULL, 0, 0, NULL};
	struct r53_change_error e;
	struct r53_record *r;

	OK(r53_parse(page, strlen(page), &recs) == 0 && recs.n == 3,
	   "r53_parse: three record sets");
	if (recs.n == 3) {
		r = &recs.recs[1];
		OK(!strcmp(r->name, "w.corp.example.com.") && !strcmp(r->type, "A") &&
		           r->ttl == 60 && r->weight == 3 && r->set_id && !strcmp(r->set_id, "x") &&
		           r->nvalues == 2 && !strcmp(r->values[1], "192.0.2.2"),
		   "r53_parse: a weighted set with two values");
		r = &recs.recs[2];
		OK(r->alias_zone && !strcmp(r->alias_zone, "Z1") && r->alias_name &&
		           !strcmp(r->alias_name, "\\052.corp.example.com.") && r->nvalues == 0,
		   "r53_parse: an alias");
		OK(recs.recs[0].weight == -1 && recs.recs[0].ttl == 900,
		   "r53_parse: a plain set, no weight");
	}
	r53_records_release(&recs);

	OK(r53_parse(error_answer, strlen(error_answer), &recs) == 0 && recs.n == 0,
	   "r53_parse: an error answer is well-formed, no record sets");
	r53_records_release(&recs);

	OK(r53_change_parse(change_ok, strlen(change_ok), &e) == 0, "change: accepted answer");
	STREQ(e.change_id, "C2682N5HXP0BZ4", "change: the id without /change/");
	OK(!e.code[0] && !e.text[0], "change: no error");

	OK(r53_change_parse(get_change, strlen(get_change), &e) == 0 && !strcmp(e.change_id, "C1"),
	   "change: a GetChange answer names its change");

	OK(r53_change_parse(stray_id, strlen(stray_id), &e) == 0 && !e.change_id[0],
	   "change: an Id outside ChangeInfo is no change id");

	OK(r53_change_parse(error_answer, strlen(error_answer), &e) == 0, "change: error answer");
	STREQ(e.code, "InvalidChangeBatch", "change: the AWS code");
	OK(!strncmp(e.text, "[Tried to delete", 16) && !strchr(e.text, '\n') &&
	           strstr(e.text, "type='A'] but"),
	   "change: the message on one line");
	OK(!e.change_id[0], "change: no change id in an error");
}

static void oversize_cases(void)
{
	struct r53_records recs = {NULL, 0, 0, NULL};
	struct r53_change_error e;
	struct buf x = BUF_INIT, big = BUF_INIT;
	struct trace t;
	size_t i;
	int ret;

	for (i = 0; i < 100000; i++)
		buf_putc(&big, (char)('a' + i % 26));

	/* the reader's limit cuts an element's text, exactly, however fed */
	buf_printf(&x, "<A><B>%s</B><C>short</C></A>", big.data);
	ret = trace_read(&t, x.data, x.len, 1000, 16);
	OK(ret == 0 && t.longest == 16, "oversize: text cut at the limit, fed in pieces");
	OK(strstr(t.log.data, "-A/B=abcdefghijklmnop+C") && strstr(t.log.data, "-A/C=short"),
	   "oversize: the cut text is the start; the next element reads whole");
	trace_release(&t);
	ret = trace_read(&t, x.data, x.len, 0, 0);
	OK(ret == 0 && t.longest == 100000, "oversize: no limit, the whole text");
	trace_release(&t);

	/* a change answer's message is cut to err's field, the code kept */
	buf_reset(&x);
	buf_printf(&x,
	           "<ErrorResponse><Error><Code>Throttling</Code><Message>%s</Message></Error>"
	           "</ErrorResponse>",
	           big.data);
	OK(r53_change_parse(x.data, x.len, &e) == 0 && !strcmp(e.code, "Throttling") &&
	           strlen(e.text) == sizeof(e.text) - 1 && !strncmp(e.text, "abcdef", 6),
	   "oversize: a long AWS message cut to one log line");

	/* a long code is cut to its field, not past it */
	buf_reset(&x);
	buf_printf(&x, "<E><Error><Code>%s</Code></Error></E>", big.data);
	OK(r53_change_parse(x.data, x.len, &e) == 0 && strlen(e.code) == sizeof(e.code) - 1,
	   "oversize: a long AWS code cut to its field");

	/* record values have no limit (TXT values run to thousands of bytes) */
	buf_reset(&x);
	buf_printf(&x,
	           "<L><ResourceRecordSets><ResourceRecordSet><Name>t.</Name><Type>TXT</Type>"
	           "<ResourceRecords><ResourceRecord><Value>%s</Value></ResourceRecord>"
	           "</ResourceRecords></ResourceRecordSet></ResourceRecordSets></L>",
	           big.data);
	OK(r53_parse(x.data, x.len, &recs) == 0 && recs.n == 1 && recs.recs[0].nvalues == 1 &&
	           strlen(recs.recs[0].values[0]) == 100000,
	   "oversize: a 100,000-byte value is kept whole");
	r53_records_release(&recs);

	/* deeper than R53_XML_DEPTH: names not kept, they match nothing */
	buf_reset(&x);
	for (i = 0; i < R53_XML_DEPTH + 4; i++)
		buf_puts(&x, "<D>");
	buf_puts(&x, "<Error><Code>Deep</Code></Error>");
	for (i = 0; i < R53_XML_DEPTH + 4; i++)
		buf_puts(&x, "</D>");
	ret = trace_read(&t, x.data, x.len, 0, 0);
	OK(ret == 0 && !t.xml.code && strstr(t.log.data, "-/Code=Deep"),
	   "oversize: too deep, the parent is \"\" and no error code is taken");
	trace_release(&t);

	buf_release(&x);
	buf_release(&big);
}

int main(void)
{
	msg_set_silent(1);
	reader_cases();
	malformed_cases();
	answer_cases();
	oversize_cases();
	return unit_done();
}
