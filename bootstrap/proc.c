/* proc.c — see proc.h */
#include "proc.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char **proc_split(const char *cmd, const char *file, const char *root, const char *stage)
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

void proc_free(char **argv)
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

int proc_run(char **argv, struct buf *out, int with_stderr)
{
	int pfd[2], status = -1;
	pid_t pid;
	char chunk[4096];
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return error_errno("cannot create a pipe");
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return error_errno("cannot fork");
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		if (with_stderr)
			dup2(pfd[1], 2);
		exec_argv(argv);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (out->len < 65536)
			buf_add(out, chunk, (size_t)n);
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static int child_stream(int fd, enum proc_stream how)
{
	int null;

	if (how == PROC_INHERIT)
		return 0;
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return null < 0 || dup2(null, fd) < 0 ? -1 : 0;
}

int proc_spawn(char **argv, const struct proc_io *io)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return error_errno("cannot run %s", argv[0]);
	if (pid == 0) {
		if ((io->in_fd >= 0 && dup2(io->in_fd, 0) < 0) || child_stream(1, io->out) < 0 ||
		    child_stream(2, io->err) < 0)
			_exit(126);
		exec_argv(argv);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return error_errno("cannot wait for %s", argv[0]);
	}
	return status;
}

int proc_failed(const char *subject, const char *what, const char *prog, int status,
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

const char *proc_first_line(struct buf *out)
{
	char *nl = out->data ? strchr(out->data, '\n') : NULL;

	if (nl)
		*nl = '\0';
	return out->data ? out->data : "";
}
