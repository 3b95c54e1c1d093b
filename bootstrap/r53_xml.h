/*
 * r53_xml.h — the one reader of Route 53 API answers (XML, expat), for the
 * read side (r53.c: ListResourceRecordSets, ListHostedZonesByName) and the
 * write side (r53_change.c: ChangeResourceRecordSets, GetChange).
 *
 * An answer is fed in pieces as it streams in (r53_xml_write is a libcurl
 * write callback) or whole (r53_xml_parse).  The reader keeps the path of
 * element names from the root (R53_XML_DEPTH deep; deeper names are not
 * kept and match nothing) and the text of the element being read, and
 * calls the caller's start and end handlers with both at hand.  It reads
 * the error answer itself: ErrorResponse/Error/Code and .../Message land in
 * code and message, whatever the answer.
 *
 * Once an answer is bad (not well-formed, or marked bad by a handler: not
 * an answer Route 53 gives), later pieces are not parsed.
 *
 * Ownership: the reader owns the expat parser, the path, the text and
 * code and message; r53_xml_release() frees them all.  Handlers get the
 * reader's strings on loan, valid until the handler returns.
 */
#ifndef ROLEBOOT_R53_XML_H
#define ROLEBOOT_R53_XML_H

#include <stddef.h>

#include "buf.h"

#define R53_XML_DEPTH 16

/* Called with the element's name; the element is on the path
 * (r53_xml_parent(x, 0)).  At its end, its text is r53_xml_text(x). */
typedef void r53_xml_element_fn(void *user, const char *name);

struct r53_xml {
	void *xp;                  /* owned: the expat parser */
	char *path[R53_XML_DEPTH]; /* owned: element names from the root */
	int depth;                 /* may exceed R53_XML_DEPTH */
	struct buf text;           /* owned: text of the element being read */
	size_t text_max;           /* text beyond it is dropped; 0: no limit */
	char *code, *message;      /* owned or NULL: Error/Code, Error/Message */
	int bad;                   /* not well-formed, or set by a handler */
	r53_xml_element_fn *start; /* may be NULL */
	r53_xml_element_fn *end;   /* may be NULL */
	void *user;                /* handed to start and end, not owned */
};

/* A reader for one answer; aborts when out of memory. */
void r53_xml_init(struct r53_xml *x, size_t text_max, r53_xml_element_fn *start,
                  r53_xml_element_fn *end, void *user);
/* Frees what x owns; x may be all zeros (never initialised). */
void r53_xml_release(struct r53_xml *x);
/* A piece of the answer; -1 once it is bad. */
int r53_xml_feed(struct r53_xml *x, const char *data, size_t len);
/* The end of the answer; 0 when it was well-formed and not marked bad. */
int r53_xml_finish(struct r53_xml *x);
/* A whole answer: r53_xml_feed then r53_xml_finish. */
int r53_xml_parse(struct r53_xml *x, const char *xml, size_t len);
/* libcurl's CURLOPT_WRITEFUNCTION, with the reader as CURLOPT_WRITEDATA:
 * takes every byte (a bad answer is told by r53_xml_finish, not by
 * failing the transfer). */
size_t r53_xml_write(char *data, size_t size, size_t nmemb, void *x);
/* The name up levels above the element being read (0: itself), "" above
 * the root or deeper than R53_XML_DEPTH. */
const char *r53_xml_parent(const struct r53_xml *x, int up);
/* The text of the element being read, "" when none. */
const char *r53_xml_text(const struct r53_xml *x);
/* Replaces *slot (malloc'd or NULL, freed) with a malloc'd copy of the text. */
void r53_xml_take(const struct r53_xml *x, char **slot);

#endif
