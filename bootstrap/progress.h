/*
 * progress.h — download progress for people watching a console.
 * On a terminal: one live line (bytes, rate, ETA) redrawn a few times a
 * second; otherwise a log line every few seconds.  Nothing for transfers
 * that end within a second, and nothing at all when quiet (util.h).
 * $ROLEBOOT_PROGRESS=log forces log lines; $ROLEBOOT_PROGRESS_INTERVAL sets
 * the seconds between them.
 */
#ifndef ROLEBOOT_PROGRESS_H
#define ROLEBOOT_PROGRESS_H

#include <stddef.h>

struct progress {
	char *label;        /* owned: what is being fetched */
	double start, last; /* fetch_now() values */
	double interval;    /* seconds between lines */
	int tty, drawn;
};

void progress_init(struct progress *p, const char *label);
void progress_update(struct progress *p, size_t now, size_t total);
/* Ends a live line (a newline) when one was drawn. */
void progress_end(struct progress *p);
void progress_release(struct progress *p);

#endif
