/* json.h — writing JSON text (roleboot reads none). */
#ifndef ROLEBOOT_JSON_H
#define ROLEBOOT_JSON_H

#include "util.h"

/* Append s as a JSON string literal, escaping quotes, backslashes and
 * control characters. */
void json_str(struct buf *b, const char *s);

#endif
