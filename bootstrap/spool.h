/*
 * spool.h — a download's bytes into a file, BLAKE2b-512 hashed on a second
 * thread.
 *
 * Bytes given to spool_add are copied into one of a few fixed chunks
 * (SPOOL_CHUNK bytes each, SPOOL_CHUNKS of them).  A full chunk is written
 * to the file with one write() on the caller's thread and handed to the
 * hashing thread, which runs BLAKE2b-512 over the chunks in order while the
 * caller goes on receiving.  Memory stays at the chunks whatever the size of
 * the download.  When the thread cannot be started the chunks are hashed on
 * the caller's thread: slower, same result.
 *
 * Everything but spool_new is called from one thread.  Write failures are
 * returned as errno values; nothing is printed.
 */
#ifndef ROLEBOOT_SPOOL_H
#define ROLEBOOT_SPOOL_H

#include <stddef.h>

#define SPOOL_CHUNK (256u * 1024u)
#define SPOOL_CHUNKS 4

struct spool;

/* A spool writing to fd, or NULL (out of memory, digest unavailable). */
struct spool *spool_new(int fd);
/* Append n bytes: 0, or the errno of a failed write. */
int spool_add(struct spool *s, const void *data, size_t n);
/* Write and queue the bytes of the chunk being filled: after it the file
 * holds everything added.  0 or an errno value. */
int spool_flush(struct spool *s);
/* Forget everything added (the caller empties the file): the digest starts
 * over.  0, or -1 when the digest cannot be reset. */
int spool_restart(struct spool *s);
/* Flush, wait for the hashing thread, and give the BLAKE2b-512 of every
 * byte added since spool_new or the last spool_restart.  0, an errno value
 * of a failed write, or -1 when the digest failed. */
int spool_finish(struct spool *s, unsigned char out[64]);
/* Stop the thread and free; NULL is fine. */
void spool_free(struct spool *s);

#endif
