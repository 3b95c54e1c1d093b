/* cli.c — see cli.h */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>

#include "util.h"

int number_arg(const char *opt, const char *arg, unsigned long long min, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(arg, &end, 10);
	if (errno || !*arg || *end || *arg == '-' || *out < min)
		return error("%s wants a whole number of at least %llu, not '%s'", opt, min, arg);
	return 0;
}
