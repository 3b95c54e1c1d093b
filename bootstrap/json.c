/* json.c — see json.h */
#include "json.h"

void json_str(struct buf *b, const char *s)
{
	const unsigned char *c;

	buf_putc(b, '"');
	for (c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)*c);
		} else if (*c == '\n') {
			buf_puts(b, "\\n");
		} else if (*c == '\t') {
			buf_puts(b, "\\t");
		} else if (*c < 0x20 || *c == 0x7f) {
			buf_printf(b, "\\u%04x", *c);
		} else {
			buf_putc(b, (char)*c);
		}
	}
	buf_putc(b, '"');
}
