/* r53_change.c — see r53_change.h */
#include "r53_change.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "r53_xml.h"

#define R53_CHANGE_TRIES 8
#define TEXT_MAX 4096 /* of an element's text: err's fields are shorter */
#define XMLNS "https://route53.amazonaws.com/doc/2013-04-01/"

void r53_batch_add(struct r53_batch *b, enum r53_action a, const char *name, const char *type,
                   long ttl, char **values, size_t nvalues)
{
	struct r53_change *c;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->changes = xrealloc(b->changes, b->cap * sizeof(*b->changes));
	}
	c = &b->changes[b->n++];
	memset(c, 0, sizeof(*c));
	c->action = a;
	c->rec.name = xstrdup(name);
	c->rec.type = xstrdup(type);
	c->rec.ttl = ttl;
	c->rec.values = values;
	c->rec.nvalues = nvalues;
	c->rec.weight = -1;
}

void r53_batch_release(struct r53_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		r53_record_free(&b->changes[i].rec, NULL);
	free(b->changes);
	free(b->comment);
	memset(b, 0, sizeof(*b));
}

const char *r53_action_name(enum r53_action a)
{
	return a == R53_CREATE ? "CREATE" : a == R53_DELETE ? "DELETE" : "UPSERT";
}

static void xml_text(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		default:
			buf_putc(out, *s);
		}
	}
}

static void xml_elem(struct buf *out, const char *tag, const char *text)
{
	buf_printf(out, "<%s>", tag);
	xml_text(out, text);
	buf_printf(out, "</%s>", tag);
}

void r53_batch_xml(const struct r53_batch *b, struct buf *out)
{
	size_t i, j;

	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	              "<ChangeResourceRecordSetsRequest xmlns=\"" XMLNS "\"><ChangeBatch>");
	if (b->comment)
		xml_elem(out, "Comment", b->comment);
	buf_puts(out, "<Changes>");
	for (i = 0; i < b->n; i++) {
		const struct r53_record *r = &b->changes[i].rec;

		buf_printf(out, "<Change><Action>%s</Action><ResourceRecordSet>",
		           r53_action_name(b->changes[i].action));
		xml_elem(out, "Name", r->name);
		xml_elem(out, "Type", r->type);
		buf_printf(out, "<TTL>%ld</TTL><ResourceRecords>", r->ttl);
		for (j = 0; j < r->nvalues; j++) {
			buf_puts(out, "<ResourceRecord>");
			xml_elem(out, "Value", r->values[j]);
			buf_puts(out, "</ResourceRecord>");
		}
		buf_puts(out, "</ResourceRecords></ResourceRecordSet></Change>");
	}
	buf_puts(out, "</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>\n");
}

void r53_batch_describe(const struct r53_batch *b, struct buf *out)
{
	size_t i, j;

	for (i = 0; i < b->n; i++) {
		const struct r53_record *r = &b->changes[i].rec;

		buf_printf(out, "%s%s %s %s %ld [", i ? ", " : "",
		           r53_action_name(b->changes[i].action), r->name, r->type, r->ttl);
		for (j = 0; j < r->nvalues; j++)
			buf_printf(out, "%s%s", j ? " " : "", r->values[j]);
		buf_putc(out, ']');
	}
}

/* The parts of an answer that matter: the change id (filled as it is
 * read) or the error (r53_xml: code, message; answer_error copies them). */
struct answer {
	struct r53_xml xml;           /* owned */
	struct r53_change_error *err; /* not owned */
};

static void on_end(void *user, const char *name)
{
	struct answer *a = user;
	const char *t = r53_xml_text(&a->xml), *slash;

	if (!strcmp(name, "Id") && !strcmp(r53_xml_parent(&a->xml, 1), "ChangeInfo")) {
		slash = strrchr(t, '/');
		snprintf(a->err->change_id, sizeof(a->err->change_id), "%s", slash ? slash + 1 : t);
	}
}

static void answer_init(struct answer *a, struct r53_change_error *err)
{
	a->err = err;
	r53_xml_init(&a->xml, TEXT_MAX, NULL, on_end, a);
}

static void answer_release(struct answer *a)
{
	r53_xml_release(&a->xml);
}

static void copy_field(char *dst, size_t size, const char *text)
{
	snprintf(dst, size, "%s", text);
	for (; *dst; dst++)
		if ((unsigned char)*dst < 0x20)
			*dst = ' '; /* one line in the log */
}

/* The error answer read so far, into err (code, text), each on one line. */
static void answer_error(const struct answer *a)
{
	if (a->xml.code)
		copy_field(a->err->code, sizeof(a->err->code), a->xml.code);
	if (a->xml.message)
		copy_field(a->err->text, sizeof(a->err->text), a->xml.message);
}

int r53_change_parse(const char *xml, size_t len, struct r53_change_error *err)
{
	struct answer a;
	int ret;

	memset(err, 0, sizeof(*err));
	answer_init(&a, err);
	ret = r53_xml_parse(&a.xml, xml, len);
	answer_error(&a);
	answer_release(&a);
	return ret;
}

static int retryable(const struct r53_change_error *e)
{
	return e->status >= 500 || !strcmp(e->code, "Throttling") ||
	       !strcmp(e->code, "PriorRequestNotComplete");
}

/* One signed POST; -1 when no answer came (err->text says why). */
static int post_once(struct r53_client *c, const char *url, const struct buf *body,
                     struct r53_change_error *err)
{
	char why[CURL_ERROR_SIZE];
	struct answer a;
	int ret = -1;

	memset(err, 0, sizeof(*err));
	answer_init(&a, err);
	if (r53_request(c, url, body, &a.xml, &err->status, why, sizeof(why)) != CURLE_OK) {
		answer_error(&a); /* a transfer cut short may have brought a code */
		snprintf(err->text, sizeof(err->text), "%s", why);
		goto out;
	}
	answer_error(&a);
	if (a.xml.bad && err->status != 200)
		r53_why_not_xml(err->text, sizeof(err->text), err->status);
	ret = 0;
out:
	answer_release(&a);
	return ret;
}

enum r53_result r53_change(struct r53_client *c, const char *id, const struct r53_batch *b,
                           struct r53_change_error *err)
{
	char *path = xasprintf("hostedzone/%s/rrset/", id), *url = r53_url(c, path, NULL);
	struct buf body = BUF_INIT;
	enum r53_result res = R53_UNAVAILABLE;
	unsigned attempt;
	long delay;

	r53_batch_xml(b, &body);
	for (attempt = 1;; attempt++) {
		if (post_once(c, url, &body, err) == 0) {
			if (err->status == 200 && err->change_id[0]) {
				res = R53_APPLIED;
				break;
			}
			if (err->status == 200)
				snprintf(err->text, sizeof(err->text),
				         "HTTP 200 without a ChangeInfo");
			if (!retryable(err)) {
				res = !strcmp(err->code, "InvalidChangeBatch") ? R53_CONFLICT
				                                               : R53_REJECTED;
				break;
			}
			c->throttled++;
		}
		delay = fetch_backoff_ms(attempt, 0);
		if (attempt >= R53_CHANGE_TRIES || fetch_remaining_ms() <= delay)
			break;
		note("route53d", "route53: %s%s%s; retry %u in %.1f s", err->code,
		     err->code[0] ? ": " : "", err->text, attempt, (double)delay / 1000.0);
		fetch_sleep_ms(delay);
	}
	free(url);
	free(path);
	buf_release(&body);
	return res;
}
