/* vartype.c — see vartype.h */
#include "vartype.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inifile.h"
#include "util.h"

static const char *const names[] = {"string",   "int",  "bool", "ip",     "cidr",
                                    "hostname", "port", "path", "section"};

enum vtype vtype_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return (enum vtype)i;
	return VT_INVALID;
}

const char *vtype_name(enum vtype t)
{
	return t < VT_INVALID ? names[t] : "invalid";
}

static int check_int(const char *v, long long lo, long long hi)
{
	char *end;
	long long n;

	if (!*v || (*v != '-' && (*v < '0' || *v > '9')))
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < lo || n > hi)
		return -1;
	return 0;
}

static int check_ip(const char *v)
{
	unsigned char addr[16];

	if (inet_pton(AF_INET, v, addr) == 1 || inet_pton(AF_INET6, v, addr) == 1)
		return 0;
	return -1;
}

static int check_cidr(const char *v)
{
	const char *slash = strchr(v, '/');
	unsigned char addr[16];
	char *ip;
	int max, r = -1;

	if (!slash)
		return -1;
	ip = xstrndup(v, (size_t)(slash - v));
	if (inet_pton(AF_INET, ip, addr) == 1)
		max = 32;
	else if (inet_pton(AF_INET6, ip, addr) == 1)
		max = 128;
	else
		goto out;
	r = check_int(slash + 1, 0, max);
	if (r == 0 && slash[1] == '-')
		r = -1;
out:
	free(ip);
	return r;
}

static int label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static int check_hostname(const char *v)
{
	size_t len = strlen(v), label = 0;
	const char *p;

	if (len > 1 && v[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || v[len - 1] == '.')
		return -1;
	for (p = v; p < v + len; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return -1;
			label = 0;
			continue;
		}
		if (!label_char(*p) || (label == 0 && *p == '-') || ++label > 63)
			return -1;
	}
	return p[-1] == '-' ? -1 : 0;
}

static int check_path(const char *v)
{
	const char *p;

	if (*v != '/')
		return -1;
	for (p = v; *p; p++)
		if (*p == ' ' || *p == '"' || *p == '\'' || *p == '\\' || *p == ';')
			return -1;
	for (p = v; (p = strstr(p, "..")) != NULL; p += 2)
		if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
			return -1;
	return 0;
}

int vtype_check(enum vtype t, const char *v, const char **why)
{
	int r = -1;

	*why = NULL;
	/* text and paths are checked for control characters first; every other
	 * type refuses them anyway, so for those the check only picks the
	 * message of a value that failed */
	if ((t == VT_STRING || t == VT_PATH) && has_control(v)) {
		*why = "holds a newline or control character";
		return -1;
	}
	switch (t) {
	case VT_STRING:
		r = strpbrk(v, "\"\\") ? -1 : 0;
		*why = "holds '\"' or '\\'";
		break;
	case VT_INT:
		r = check_int(v, LLONG_MIN, LLONG_MAX);
		*why = "is not an integer";
		break;
	case VT_BOOL:
		r = parse_bool(v) < 0 ? -1 : 0;
		*why = "is not a boolean (yes/no, true/false, on/off, 1/0)";
		break;
	case VT_IP:
		r = check_ip(v);
		*why = "is not an IP address";
		break;
	case VT_CIDR:
		r = check_cidr(v);
		*why = "is not an address/prefix (CIDR)";
		break;
	case VT_HOSTNAME:
		r = check_hostname(v);
		*why = "is not a valid host or domain name";
		break;
	case VT_PORT:
		r = check_int(v, 1, 65535);
		*why = "is not a port (1-65535)";
		break;
	case VT_PATH:
		r = check_path(v);
		*why = "is not an absolute path without '..', spaces or quotes";
		break;
	default:
		*why = "has no scalar type";
		break;
	}
	if (r == 0)
		*why = NULL;
	else if (has_control(v))
		*why = "holds a newline or control character";
	return r;
}

int parse_bool(const char *s)
{
	static const char *yes[] = {"yes", "true", "on", "1"};
	static const char *no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}
