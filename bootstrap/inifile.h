/*
 * inifile.h — strict INI reading on top of inih, shared by role files,
 * manifests, sync configs, route53d configs and AWS credentials files (not
 * the state: state.h says why).
 *
 * inih (as distributions build it) reads lines of at most 199 bytes and
 * cuts section names at 49 bytes without saying so.  inifile feeds inih
 * through its own line reader, which refuses such lines and names instead
 * of letting them be cut, refuses NUL bytes, and tracks line numbers so
 * that every message says FILE:LINE.  Parsing stops at the first error.
 *
 * The callbacks return 0 to go on, -1 to stop (after printing one error,
 * ideally with inifile_where()).  section_cb is called for every section
 * header, also for sections that hold no keys.
 */
#ifndef ROLEBOOT_INIFILE_H
#define ROLEBOOT_INIFILE_H

#include <stddef.h>

#define INIFILE_MAX_LINE 198
#define INIFILE_MAX_SECTION 49

struct inifile;
typedef int inifile_section_fn(struct inifile *ini, const char *section);
typedef int inifile_key_fn(struct inifile *ini, const char *section, const char *key,
                           const char *value);

struct inifile {
	const char *where; /* file name or URL, for messages */
	int line;          /* line being handled, 1-based */
	inifile_section_fn *section_cb;
	inifile_key_fn *key_cb;
	void *user;
	int continued; /* the current line continues the previous value */
	/* private */
	const char *pos, *end;
	const char *nul; /* the first NUL byte in the text, or NULL */
	int failed;
};

/* Parse text[0..len); returns 0 or -1 (an error was printed). */
int inifile_parse(struct inifile *ini, const char *text, size_t len);
/* The same with a reader of its own: where names text in messages,
 * section_cb (may be NULL) and key_cb are called with ini->user = user. */
int inifile_read(const char *where, const char *text, size_t len, inifile_section_fn *section_cb,
                 inifile_key_fn *key_cb, void *user);

/* Split a section name of the form `kind "name"` into its parts.  Returns 1
 * and fills kind and name (buffers of INIFILE_SECTION_BUF bytes) when it
 * has that form, 0 when the section is a plain word, -1 when it is
 * malformed or longer than INIFILE_MAX_SECTION; kind and name are "" then. */
#define INIFILE_SECTION_BUF (INIFILE_MAX_SECTION + 1)
int inifile_split_section(const char *section, char *kind, char *name);

#endif
