/* msg.c — see msg.h */
#include "msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int quiet;
static int silent;            /* fuzzing: no error lines at all */
static char last_error[1024]; /* the last error line, for the report */

void msg_set_quiet(int q)
{
	quiet = q;
}
void msg_set_silent(int s)
{
	silent = s;
}
const char *msg_last_error(void)
{
	return last_error;
}
int msg_quiet(void)
{
	return quiet;
}

static void vreport(const char *prefix, const char *fmt, va_list ap, int err)
        __attribute__((format(printf, 2, 0)));

static void vreport(const char *prefix, const char *fmt, va_list ap, int err)
{
	char line[4096];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		line[0] = '\0';
	if (!strcmp(prefix, "error: "))
		snprintf(last_error, sizeof(last_error), "%.900s%s%.100s", line, err ? ": " : "",
		         err ? strerror(err) : "");
	if (silent)
		return;
	if (err)
		fprintf(stderr, "roleboot: %s%s: %s\n", prefix, line, strerror(err));
	else
		fprintf(stderr, "roleboot: %s%s\n", prefix, line);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, 0);
	va_end(ap);
	return -1;
}

int error_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, err ? err : EIO);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, 0);
	va_end(ap);
}

void note(const char *step, const char *fmt, ...)
{
	char prefix[64];
	va_list ap;

	if (quiet)
		return;
	snprintf(prefix, sizeof(prefix), "%s: ", step);
	va_start(ap, fmt);
	vreport(prefix, fmt, ap, 0);
	va_end(ap);
}

int errbuf_vset(char *err, size_t len, const char *fmt, va_list ap)
{
	char *p;

	if (!err || !len)
		return -1;
	vsnprintf(err, len, fmt, ap);
	for (p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return -1;
}

int errbuf_set(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, len, fmt, ap);
	va_end(ap);
	return -1;
}
