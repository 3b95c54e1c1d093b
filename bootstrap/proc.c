/* proc.c — see proc.h */
#include "proc.h"

#include <errno.h>
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
			buf_puts(&word, *c == 's' ? file : *c == 'r' ? root : *c == 't' ? stage : "%");
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
		/* "roleboot" is this very program, wherever it was started from */
		if (!strcmp(argv[0], "roleboot"))
			execv("/proc/self/exe", argv);
		execvp(argv[0], argv);
		_exit(127);
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
