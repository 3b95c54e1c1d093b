/* lock.c — see lock.h */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void holder(int fd, char *out, size_t size)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

	if (n <= 0) {
		snprintf(out, size, "another roleboot");
		return;
	}
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	snprintf(out, size, "roleboot pid %s", text);
}

int lock_take(struct rootfs *r, int create, double wait, int *fd)
{
	struct timespec pause = {0, 50 * 1000 * 1000};
	double until = now() + wait;
	char who[64], pid[32];
	int dfd, n;

	*fd = -1;
	dfd = rootfs_dir(r, "/var/lib/roleboot", create, 0755);
	if (dfd < 0 && errno == ENOENT && !create)
		return LOCK_OK;
	if (dfd < 0)
		return rootfs_fail(r, LOCK_PATH, "cannot take the lock");
	*fd = openat(dfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dfd);
	if (*fd < 0)
		return rootfs_fail(r, LOCK_PATH, "cannot take the lock");
	while (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rootfs_fail(r, LOCK_PATH, "cannot take the lock");
			goto fail;
		}
		if (now() >= until) {
			char *full = rootfs_full(r, LOCK_PATH);

			holder(*fd, who, sizeof(who));
			error("%s: lock held by %s for more than %g s; not waiting longer "
			      "(--lock-wait)",
			      full, who, wait);
			free(full);
			close(*fd);
			*fd = -1;
			return LOCK_BUSY;
		}
		nanosleep(&pause, NULL);
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(*fd, 0) < 0 || pwrite(*fd, pid, (size_t)n, 0) != n) {
		rootfs_fail(r, LOCK_PATH, "cannot write the lock");
		goto fail;
	}
	return LOCK_OK;
fail:
	close(*fd);
	*fd = -1;
	return LOCK_FAILED;
}

void lock_drop(int fd)
{
	if (fd >= 0)
		close(fd);
}

int lock_wait_arg(const char *arg, double *wait)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || !*arg || *end || *arg == '-' || n > 86400)
		return error("--lock-wait wants whole seconds (0-86400), not '%s'", arg);
	*wait = (double)n;
	return 0;
}
