/* t_command.c — commands without a shell: splitting, running, capturing,
 * streams, wait statuses and the one message of a failed command. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "command.h"
#include "unit.h"

static int words(char **argv, const char *const *want)
{
	size_t i;

	for (i = 0; want[i]; i++)
		if (!argv || !argv[i] || strcmp(argv[i], want[i]))
			return 0;
	return argv[i] == NULL;
}

static void split_cases(void)
{
	static const char *const w1[] = {"named-checkconf", "-t", "/stage", "/etc/x", NULL};
	static const char *const w2[] = {"sh", "-c", "echo a b; exit 1", "/r", NULL};
	static const char *const w3[] = {"x", "100%", "it's", NULL};
	char **a;

	a = command_split("named-checkconf -t %t %s", "/etc/x", "/r", "/stage");
	OK(words(a, w1), "split: %t and %s replaced, blanks separate words");
	command_free(a);
	a = command_split("  sh -c 'echo a b; exit 1'   %r ", "", "/r", "");
	OK(words(a, w2), "split: single quotes keep blanks, leading and trailing blanks dropped");
	command_free(a);
	a = command_split("x 100%% \"it's\"", "", "", "");
	OK(words(a, w3), "split: %% is a percent sign, double quotes keep a single quote");
	command_free(a);
	OK(command_split("   ", "", "", "") == NULL, "split: an empty command is NULL");
}

static void run_cases(void)
{
	char *echo[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
	char *missing[] = {"/nonexistent/prog", NULL};
	char *cat[] = {"cat", NULL};
	struct command_io io = {-1, COMMAND_DISCARD, COMMAND_DISCARD, NULL};
	struct buf out = BUF_INIT;
	int st, fd[2];

	st = command_run(echo, &out, 0);
	OK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "run: the exit status comes back");
	OK(out.data && !strcmp(out.data, "out\n"), "run: stdout captured, stderr not");
	buf_reset(&out);
	st = command_run(echo, &out, 1);
	OK(out.data && strstr(out.data, "out\n") && strstr(out.data, "err\n"),
	   "run: with_stderr captures both");
	buf_reset(&out);
	st = command_run(missing, &out, 1);
	OK(WIFEXITED(st) && WEXITSTATUS(st) == 127, "run: a program that cannot run exits 127");
	buf_release(&out);

	st = command_spawn(echo, &io);
	OK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "spawn: streams discarded, status kept");
	if (pipe(fd) == 0) {
		if (write(fd[1], "hello\n", 6) == 6) {
			close(fd[1]);
			io.in_fd = fd[0];
			st = command_spawn(cat, &io);
			OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "spawn: stdin from a descriptor");
		}
		close(fd[0]);
	}
}

static void message_cases(void)
{
	struct buf out = BUF_INIT;
	const char *m;

	capture_begin();
	OK(command_failed("validate /etc/x", "'chk %s'", "chk", 1 << 8, "line one") == -1,
	   "failed: returns -1");
	m = capture_end();
	check_msg(!strcmp(m,
	                  "roleboot: error: validate /etc/x: 'chk %s' failed (exit 1): line one\n"),
	          "failed: subject, what, exit code, detail");
	capture_begin();
	command_failed("zone z", "rndc", "rndc", 9, NULL);
	m = capture_end();
	check_msg(!strcmp(m, "roleboot: error: zone z: rndc failed (signal 9)\n"),
	          "failed: a signal, no detail");
	capture_begin();
	command_failed("validate /etc/x", "'x'", "/no/such", 127 << 8, "");
	m = capture_end();
	check_msg(!strcmp(m, "roleboot: error: validate /etc/x: cannot run '/no/such'\n"),
	          "failed: exit 127 without output is a program that cannot run");
	buf_puts(&out, "first\nsecond\n");
	OK(!strcmp(command_first_line(&out), "first"), "first line: cut at the newline");
	buf_reset(&out);
	OK(!strcmp(command_first_line(&out), ""), "first line: empty output is \"\"");
	buf_release(&out);
}

int main(void)
{
	split_cases();
	run_cases();
	message_cases();
	return unit_done();
}
