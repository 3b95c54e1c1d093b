/* inifile.c — see inifile.h */
#include "inifile.h"

#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bytes.h"
#include "util.h"

/* Refuse here what inih would report late (it goes on after an error) or
 * would cut silently (key names over INIFILE_MAX_SECTION bytes). */
static int check_line(struct inifile *ini, const char *start)
{
	size_t key;

	if (!*start || *start == '\n' || *start == '\r' || *start == ';' || *start == '#' ||
	    *start == '[' || ini->continued)
		return 0;
	for (key = 0; start[key] && start[key] != '=' && start[key] != ':'; key++)
		;
	if (!start[key])
		return error("%s:%d: syntax error (expected [section] or name = value)", ini->where,
		             ini->line);
	while (key > 0 && (start[key - 1] == ' ' || start[key - 1] == '\t'))
		key--;
	if (key > INIFILE_MAX_SECTION)
		return error("%s:%d: name longer than %d bytes", ini->where, ini->line,
		             INIFILE_MAX_SECTION);
	return 0;
}

/* fgets-like reader over the in-memory text that refuses what inih would cut. */
static char *line_reader(char *str, int num, void *stream)
{
	struct inifile *ini = stream;
	const char *nl, *start, *p;
	size_t len;

	if (ini->failed || ini->pos >= ini->end)
		return NULL;
	nl = memchr(ini->pos, '\n', (size_t)(ini->end - ini->pos));
	len = nl ? (size_t)(nl - ini->pos) + 1 : (size_t)(ini->end - ini->pos);
	ini->line++;
	if (ini->nul && ini->nul < ini->pos + len) {
		error("%s:%d: NUL byte in line", ini->where, ini->line);
		goto fail;
	}
	if (len - (nl ? 1 : 0) > INIFILE_MAX_LINE || (int)len >= num) {
		error("%s:%d: line longer than %d bytes (continue long values on indented lines)",
		      ini->where, ini->line, INIFILE_MAX_LINE);
		goto fail;
	}
	copy_bytes(str, ini->pos, len);
	str[len] = '\0';
	ini->pos += len;
	for (start = str; *start == ' ' || *start == '\t'; start++)
		;
	ini->continued = start != str && *start && *start != '\n' && *start != '\r' &&
	                 *start != ';' && *start != '#';
	if (check_line(ini, start) < 0)
		goto fail;
	if (*start == '[' && start != str) {
		error("%s:%d: indented section header", ini->where, ini->line);
		goto fail;
	}
	if (*start == '[') {
		p = strchr(start, ']');
		if (p && p - start - 1 > INIFILE_MAX_SECTION) {
			error("%s:%d: section name longer than %d bytes", ini->where, ini->line,
			      INIFILE_MAX_SECTION);
			goto fail;
		}
		if (!p) {
			error("%s:%d: section header without ']'", ini->where, ini->line);
			goto fail;
		}
		if (ini->section_cb) {
			char name[INIFILE_MAX_SECTION + 1];
			size_t n = (size_t)(p - start - 1);

			if (n > INIFILE_MAX_SECTION) /* refused above; for the compiler */
				n = INIFILE_MAX_SECTION;
			copy_bytes(name, start + 1, n);
			name[n] = '\0';
			if (ini->section_cb(ini, strtrim(name)) < 0)
				goto fail;
		}
	}
	return str;
fail:
	ini->failed = 1;
	return NULL;
}

static int ini_handler_cb(void *user, const char *section, const char *name, const char *value)
{
	struct inifile *ini = user;

	if (ini->failed)
		return 0;
	if (ini->key_cb(ini, section, name, value) < 0) {
		ini->failed = 1;
		return 0;
	}
	return 1;
}

int inifile_parse(struct inifile *ini, const char *text, size_t len)
{
	int r;

	ini->pos = text;
	ini->end = text + len;
	ini->nul = memchr(text, '\0', len); /* the line holding it is refused */
	ini->line = 0;
	ini->failed = 0;
	r = ini_parse_stream(line_reader, ini, ini_handler_cb, ini);
	if (ini->failed)
		return -1;
	if (r != 0) {
		error("%s:%d: syntax error (expected [section] or name = value)", ini->where,
		      r > 0 ? r : ini->line);
		return -1;
	}
	return 0;
}

int inifile_read(const char *where, const char *text, size_t len, inifile_section_fn *section_cb,
                 inifile_key_fn *key_cb, void *user)
{
	struct inifile ini;

	memset(&ini, 0, sizeof(ini));
	ini.where = where;
	ini.section_cb = section_cb;
	ini.key_cb = key_cb;
	ini.user = user;
	return inifile_parse(&ini, text, len);
}

int inifile_split_section(const char *section, char *kind, char *name)
{
	const char *sp = strchr(section, ' ');
	const char *q1, *q2;
	size_t klen, nlen;

	*kind = *name = '\0';
	if (strlen(section) > INIFILE_MAX_SECTION)
		return -1;
	if (!sp && !strchr(section, '"'))
		return 0;
	if (!sp)
		return -1;
	q1 = sp;
	while (*q1 == ' ')
		q1++;
	q2 = q1 + strlen(q1);
	if (*q1 == '"') {
		if (q2 - q1 < 2 || q2[-1] != '"')
			return -1;
		q1++;
		q2--;
	}
	if (q2 == q1 || memchr(q1, '"', (size_t)(q2 - q1)) ||
	    memchr(section, '"', (size_t)(sp - section)))
		return -1;
	klen = (size_t)(sp - section);
	nlen = (size_t)(q2 - q1);
	copy_bytes(kind, section, klen);
	kind[klen] = '\0';
	copy_bytes(name, q1, nlen);
	name[nlen] = '\0';
	return 1;
}
