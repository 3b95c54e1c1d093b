/* r53_xml.c — see r53_xml.h */
#include "r53_xml.h"

#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *r53_xml_parent(const struct r53_xml *x, int up)
{
	int i = x->depth - 1 - up;

	/* deeper than R53_XML_DEPTH, names are not kept: they match nothing */
	return i >= 0 && i < R53_XML_DEPTH && x->path[i] ? x->path[i] : "";
}

const char *r53_xml_text(const struct r53_xml *x)
{
	return x->text.data ? x->text.data : "";
}

void r53_xml_take(const struct r53_xml *x, char **slot)
{
	free(*slot);
	*slot = xstrdup(r53_xml_text(x));
}

static void on_start(void *user, const XML_Char *name, const XML_Char **attrs)
{
	struct r53_xml *x = user;

	(void)attrs;
	if (x->depth < R53_XML_DEPTH)
		x->path[x->depth] = xstrdup(name);
	x->depth++;
	buf_reset(&x->text);
	if (x->start)
		x->start(x->user, name);
}

static void on_text(void *user, const XML_Char *s, int len)
{
	struct r53_xml *x = user;
	size_t n = (size_t)len;

	if (x->text_max && n > x->text_max - x->text.len)
		n = x->text_max - x->text.len;
	if (n)
		buf_add(&x->text, s, n);
}

static void on_end(void *user, const XML_Char *name)
{
	struct r53_xml *x = user;

	if (x->end)
		x->end(x->user, name);
	if (!strcmp(r53_xml_parent(x, 1), "Error")) {
		if (!strcmp(name, "Code"))
			r53_xml_take(x, &x->code);
		else if (!strcmp(name, "Message"))
			r53_xml_take(x, &x->message);
	}
	x->depth--;
	if (x->depth < R53_XML_DEPTH) {
		free(x->path[x->depth]);
		x->path[x->depth] = NULL;
	}
	buf_reset(&x->text);
}

void r53_xml_init(struct r53_xml *x, size_t text_max, r53_xml_element_fn *start,
                  r53_xml_element_fn *end, void *user)
{
	XML_Parser xp;

	memset(x, 0, sizeof(*x));
	x->text_max = text_max;
	x->start = start;
	x->end = end;
	x->user = user;
	xp = XML_ParserCreate("UTF-8");
	if (!xp) {
		fputs("roleboot: fatal: out of memory\n", stderr);
		abort();
	}
	XML_SetUserData(xp, x);
	XML_SetElementHandler(xp, on_start, on_end);
	XML_SetCharacterDataHandler(xp, on_text);
	x->xp = xp;
}

void r53_xml_release(struct r53_xml *x)
{
	int i;

	for (i = 0; i < R53_XML_DEPTH; i++)
		free(x->path[i]);
	buf_release(&x->text);
	free(x->code);
	free(x->message);
	if (x->xp)
		XML_ParserFree(x->xp);
	memset(x, 0, sizeof(*x));
}

int r53_xml_feed(struct r53_xml *x, const char *data, size_t len)
{
	size_t n;

	/* expat takes an int: a larger piece goes in several */
	while (!x->bad && len) {
		n = len < INT_MAX ? len : INT_MAX;
		if (XML_Parse(x->xp, data, (int)n, 0) != XML_STATUS_OK)
			x->bad = 1;
		data += n;
		len -= n;
	}
	return x->bad ? -1 : 0;
}

int r53_xml_finish(struct r53_xml *x)
{
	if (!x->bad && XML_Parse(x->xp, "", 0, 1) != XML_STATUS_OK)
		x->bad = 1;
	return x->bad ? -1 : 0;
}

int r53_xml_parse(struct r53_xml *x, const char *xml, size_t len)
{
	r53_xml_feed(x, xml, len);
	return r53_xml_finish(x);
}

size_t r53_xml_write(char *data, size_t size, size_t nmemb, void *x)
{
	size_t n = size * nmemb;

	r53_xml_feed(x, data, n);
	return n;
}
