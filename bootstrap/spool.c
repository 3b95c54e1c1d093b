/* spool.c — see spool.h */
#include "spool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

/*
 * The chunks form a ring.  queued chunks, oldest first from tail, wait for
 * the hashing thread (which owns the one at tail while it hashes it); the
 * caller fills the chunk at head, the one after the queued ones, and only
 * the caller moves head.  mu guards tail, queued, len[], stop and failed;
 * cv is signalled on every change of them.
 */
struct spool {
	int fd;
	unsigned char *chunks; /* owned: SPOOL_CHUNKS * SPOOL_CHUNK bytes */
	size_t len[SPOOL_CHUNKS];
	size_t fill;   /* bytes in the chunk at head */
	unsigned head; /* the caller's */
	unsigned tail, queued;
	int stop, failed, threaded;
	EVP_MD_CTX *ctx; /* owned; used by the thread while queued > 0 */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static unsigned char *chunk(const struct spool *s, unsigned i)
{
	return s->chunks + (size_t)i * SPOOL_CHUNK;
}

static void *hash_loop(void *arg)
{
	struct spool *s = arg;
	unsigned i;
	size_t n;
	int ok;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->queued && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->queued)
			break;
		i = s->tail;
		n = s->len[i];
		pthread_mutex_unlock(&s->mu);
		ok = EVP_DigestUpdate(s->ctx, chunk(s, i), n) == 1;
		pthread_mutex_lock(&s->mu);
		s->failed |= !ok;
		s->tail = (s->tail + 1) % SPOOL_CHUNKS;
		s->queued--;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Wait until the thread has hashed everything queued. */
static void drain(struct spool *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->queued)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

/* Queue the chunk at head (fill bytes) and move on to a free one. */
static void queue(struct spool *s)
{
	if (!s->threaded) {
		s->failed |= EVP_DigestUpdate(s->ctx, chunk(s, s->head), s->fill) != 1;
		s->fill = 0;
		return;
	}
	pthread_mutex_lock(&s->mu);
	s->len[s->head] = s->fill;
	s->queued++;
	pthread_cond_broadcast(&s->cv);
	while (s->queued == SPOOL_CHUNKS)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	s->head = (s->head + 1) % SPOOL_CHUNKS;
	s->fill = 0;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return errno ? errno : EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int spool_flush(struct spool *s)
{
	int err;

	if (!s->fill)
		return 0;
	err = write_all(s->fd, chunk(s, s->head), s->fill);
	if (err)
		return err;
	queue(s);
	return 0;
}

int spool_add(struct spool *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t take;
	int err;

	while (n) {
		take = SPOOL_CHUNK - s->fill < n ? SPOOL_CHUNK - s->fill : n;
		memcpy(chunk(s, s->head) + s->fill, p, take);
		s->fill += take;
		p += take;
		n -= take;
		if (s->fill == SPOOL_CHUNK && (err = spool_flush(s)) != 0)
			return err;
	}
	return 0;
}

int spool_restart(struct spool *s)
{
	drain(s);
	s->fill = 0;
	s->failed = 0;
	return EVP_DigestInit_ex(s->ctx, EVP_blake2b512(), NULL) == 1 ? 0 : -1;
}

int spool_finish(struct spool *s, unsigned char out[64])
{
	unsigned int len = 0;
	int err = spool_flush(s);

	if (err)
		return err;
	drain(s);
	if (s->failed || EVP_DigestFinal_ex(s->ctx, out, &len) != 1 || len != 64)
		return -1;
	return 0;
}

struct spool *spool_new(int fd)
{
	struct spool *s = calloc(1, sizeof(*s));
	sigset_t all, old;

	if (!s)
		return NULL;
	if (pthread_mutex_init(&s->mu, NULL)) {
		free(s);
		return NULL;
	}
	if (pthread_cond_init(&s->cv, NULL)) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		return NULL;
	}
	s->fd = fd;
	s->chunks = malloc((size_t)SPOOL_CHUNKS * SPOOL_CHUNK);
	s->ctx = EVP_MD_CTX_new();
	if (!s->chunks || !s->ctx || EVP_DigestInit_ex(s->ctx, EVP_blake2b512(), NULL) != 1) {
		spool_free(s);
		return NULL;
	}
	/* signals (and their temp-file cleanup) stay with the caller's thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s->threaded = pthread_create(&s->thread, NULL, hash_loop, s) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return s;
}

void spool_free(struct spool *s)
{
	if (!s)
		return;
	if (s->threaded) {
		pthread_mutex_lock(&s->mu);
		s->stop = 1;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
	}
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	EVP_MD_CTX_free(s->ctx);
	free(s->chunks);
	free(s);
}
