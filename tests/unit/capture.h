/*
 * capture.h — catching what a module prints on stderr, for unit tests that
 * assert on messages.  capture_begin() redirects fd 2 into a temp file;
 * capture_end() restores it and leaves the text in errtext.
 * check_msg() is OK() with the caught message appended (on one line).
 */
#ifndef ROLEBOOT_CAPTURE_H
#define ROLEBOOT_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

static char errtext[16384];
static FILE *errfile;
static int saved_fd = -1;

static inline void capture_begin(void)
{
	fflush(stderr);
	errfile = tmpfile();
	saved_fd = dup(2);
	if (!errfile || saved_fd < 0 || dup2(fileno(errfile), 2) < 0) {
		printf("Bail out! cannot redirect stderr\n");
		exit(1);
	}
}

static inline const char *capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	saved_fd = -1;
	rewind(errfile);
	n = fread(errtext, 1, sizeof(errtext) - 1, errfile);
	errtext[n] = '\0';
	fclose(errfile);
	errfile = NULL;
	return errtext;
}

static inline int contains(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle) != NULL;
}

static inline void check_msg(int cond, const char *what)
{
	char said[1024], line[1536];
	size_t n;

	snprintf(said, sizeof(said), "%.1000s", errtext);
	for (n = 0; said[n]; n++) /* keep TAP on one line */
		if (said[n] == '\n')
			said[n] = ' ';
	while (n > 0 && said[n - 1] == ' ')
		said[--n] = '\0';
	snprintf(line, sizeof(line), "%.400s [%s]", what, said);
	OK(cond, line);
}

#endif
