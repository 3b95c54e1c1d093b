/*
 * buf.h — struct buf: a byte buffer that always travels with its length;
 * data is kept NUL-terminated for convenience, the terminator is not
 * counted.  A buffer owns its data until buf_release() or buf_detach().
 */
#ifndef ROLEBOOT_BUF_H
#define ROLEBOOT_BUF_H

#include <stddef.h>

#include "bytes.h"
#include "msg.h" /* PRINTF */

struct buf {
	char *data; /* owned; NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};
#define BUF_INIT \
	{ \
		NULL, 0, 0 \
	}

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Room for extra more bytes and the NUL. */
void buf_grow(struct buf *b, size_t extra);
/* Appends data[0..len); inline, for the renderer calls it per token. */
static inline void buf_add(struct buf *b, const void *data, size_t len)
{
	if (len >= b->cap - b->len) /* no room for len bytes and the NUL */
		buf_grow(b, len);
	copy_bytes(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF(2, 3);
void buf_reset(struct buf *b);
/* The data (the caller's to free; never NULL), the buffer left empty. */
char *buf_detach(struct buf *b);

#endif
