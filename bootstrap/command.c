/* command.c — see command.h */
#include "command.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char **command_split(const char *cmd, const char *file, const char *root, const char *stage)
{
	struct buf word = BUF_INIT;
	char **argv = NULL;
	size_t n = 0;
	int quote = 0, in_word = 0;
	const char *c;

	for (c = cmd;; c++) {
		if (!*c || (!quote && (*c == ' ' || *c == '\t'))) {
			if (in_word) {
				argv = xrealloc(argv, (n + 2) * sizeof(*argv));
				argv[n++] = buf_detach(&word);
				argv[n] = NULL;
			}
			in_word = 0;
			if (!*c)
				break;
			continue;
		}
		in_word = 1;
		if ((*c == '\'' || *c == '"') && (!quote || quote == *c)) {
			quote = quote ? 0 : *c;
		} else if (*c == '%' && c[1] && strchr("srt%", c[1])) {
			c++;
			buf_puts(&word, *c == 's'   ? file
			                : *c == 'r' ? root
			                : *c == 't' ? stage
			                            : "%");
		} else {
			buf_putc(&word, *c);
		}
	}
	buf_release(&word);
	return argv;
}

void command_free(char **argv)
{
	size_t i;

	for (i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* In the child: argv, PATH searched; "roleboot" is this very program,
 * wherever it was started from.  Never returns. */
static void exec_argv(char **argv)
{
	if (!strcmp(argv[0], "roleboot"))
		execv("/proc/self/exe", argv);
	execvp(argv[0], argv);
	_exit(127);
}

/* In the child: the stream fd as how says (w: the capture pipe's end). */
static int child_stream(int fd, enum command_stream how, int w)
{
	int null;

	if (how == COMMAND_INHERIT)
		return 0;
	if (how == COMMAND_CAPTURE)
		return dup2(w, fd) < 0 ? -1 : 0;
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return null < 0 || dup2(null, fd) < 0 ? -1 : 0;
}

/* Reads fd to its end into out, keeping the first 64 KiB. */
static void drain(int fd, struct buf *out)
{
	char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (out->len < 65536)
			buf_add(out, chunk, (size_t)n);
	}
}

int command_spawn(char **argv, const struct command_io *io)
{
	int pfd[2] = {-1, -1}, status = -1;
	int capture = io->out == COMMAND_CAPTURE || io->err == COMMAND_CAPTURE;
	pid_t pid;

	if (capture && pipe2(pfd, O_CLOEXEC) < 0)
		return error_errno("cannot run %s: cannot create a pipe", argv[0]);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		status = error_errno("cannot run %s", argv[0]);
		goto cleanup;
	}
	if (pid == 0) {
		if ((io->in_fd >= 0 && dup2(io->in_fd, 0) < 0) ||
		    child_stream(1, io->out, pfd[1]) < 0 || child_stream(2, io->err, pfd[1]) < 0)
			_exit(126);
		exec_argv(argv);
	}
	if (capture) {
		close(pfd[1]);
		pfd[1] = -1;
		drain(pfd[0], io->capture);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = error_errno("cannot wait for %s", argv[0]);
			break;
		}
	}
cleanup:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	return status;
}

int command_run(char **argv, struct buf *out, int with_stderr)
{
	struct command_io io = {-1, COMMAND_CAPTURE,
	                        with_stderr ? COMMAND_CAPTURE : COMMAND_INHERIT, out};

	return command_spawn(argv, &io);
}

int command_failed(const char *subject, const char *what, const char *prog, int status,
                   const char *detail)
{
	int has = detail && *detail;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !has)
		return error("%s: cannot run '%s'", subject, prog);
	return error("%s: %s failed (%s %d)%s%s", subject, what,
	             WIFEXITED(status) ? "exit" : "signal",
	             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), has ? ": " : "",
	             has ? detail : "");
}

const char *command_first_line(struct buf *out)
{
	char *nl = out->data ? strchr(out->data, '\n') : NULL;

	if (nl)
		*nl = '\0';
	return out->data ? out->data : "";
}
