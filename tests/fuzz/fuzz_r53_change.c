/*
 * fuzz_r53_change.c — the parser of ChangeResourceRecordSets answers
 * (r53_change_parse) on arbitrary input: no crash, no leak, every field it
 * fills NUL-terminated within its buffer and free of control characters.
 *
 * Then the shared reader under both parsers (r53_xml.h) on the same input,
 * whole and in pieces of 1 to 64 bytes (the first byte picks): the same
 * elements, texts, error code and message and the same verdict either way,
 * no text past the reader's limit, and the element itself on top of the path.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "r53_change.h"
#include "r53_xml.h"
#include "util.h"

#define TEXT_MAX 100

/* A reader and a hash (FNV-1a) of what its handlers saw. */
struct seen {
	struct r53_xml xml;
	uint64_t hash;
};

static void mix(struct seen *s, const char *str, char tag)
{
	s->hash = (s->hash ^ (unsigned char)tag) * 1099511628211u;
	for (; *str; str++)
		s->hash = (s->hash ^ (unsigned char)*str) * 1099511628211u;
}

static void seen_start(void *user, const char *name)
{
	struct seen *s = user;

	if (s->xml.depth <= R53_XML_DEPTH && strcmp(r53_xml_parent(&s->xml, 0), name))
		abort();
	mix(s, name, '+');
}

static void seen_end(void *user, const char *name)
{
	struct seen *s = user;
	const char *t = r53_xml_text(&s->xml);

	if (strlen(t) > TEXT_MAX || s->xml.text.len > TEXT_MAX)
		abort();
	if (s->xml.depth <= R53_XML_DEPTH && strcmp(r53_xml_parent(&s->xml, 0), name))
		abort();
	mix(s, name, '-');
	mix(s, r53_xml_parent(&s->xml, 1), '/');
	mix(s, t, '=');
}

/* data read by a reader in pieces of step bytes (0: whole). */
static void seen_read(struct seen *s, const char *data, size_t size, size_t step)
{
	size_t off, n;

	s->hash = 14695981039346656037u;
	r53_xml_init(&s->xml, TEXT_MAX, seen_start, seen_end, s);
	if (!step) {
		r53_xml_parse(&s->xml, data, size);
		return;
	}
	for (off = 0; off < size; off += n) {
		n = size - off < step ? size - off : step;
		if (r53_xml_write((char *)data + off, 1, n, &s->xml) != n)
			abort();
	}
	r53_xml_finish(&s->xml);
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void reader(const uint8_t *data, size_t size)
{
	struct seen whole, pieces;

	seen_read(&whole, (const char *)data, size, 0);
	seen_read(&pieces, (const char *)data, size, size ? 1 + data[0] % 64 : 1);
	if (whole.xml.bad != pieces.xml.bad || whole.hash != pieces.hash ||
	    !same(whole.xml.code, pieces.xml.code) || !same(whole.xml.message, pieces.xml.message))
		abort();
	if (!whole.xml.bad && whole.xml.depth != 0)
		abort();
	r53_xml_release(&whole.xml);
	r53_xml_release(&pieces.xml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void field(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct r53_change_error e;

	msg_set_silent(1);
	if (size > (1u << 20))
		return 0;
	r53_change_parse((const char *)data, size, &e);
	field(e.code, sizeof(e.code));
	field(e.text, sizeof(e.text));
	reader(data, size);
	return 0;
}
