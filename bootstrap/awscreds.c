/* awscreds.c — see awscreds.h */
#include "awscreds.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inifile.h"
#include "util.h"

int awscreds_env(struct awscreds *c)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID"), *sec = getenv("AWS_SECRET_ACCESS_KEY");
	const char *tok = getenv("AWS_SESSION_TOKEN");

	memset(c, 0, sizeof(*c));
	if (!id || !*id || !sec || !*sec)
		return 0;
	c->key_id = xstrdup(id);
	c->secret = xstrdup(sec);
	c->token = tok && *tok ? xstrdup(tok) : NULL;
	return 1;
}

struct reading {
	const char *section;
	struct awscreds *c;
	int found;
};

static int take(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
	return 0;
}

static int key_cb(struct inifile *ini, const char *section, const char *key, const char *v)
{
	struct reading *r = ini->user;

	if (strcmp(section, r->section))
		return 0;
	r->found = 1;
	if (!strcmp(key, "aws_access_key_id"))
		return take(&r->c->key_id, v);
	if (!strcmp(key, "aws_secret_access_key"))
		return take(&r->c->secret, v);
	if (!strcmp(key, "aws_session_token") || !strcmp(key, "aws_security_token"))
		return take(&r->c->token, v);
	return 0; /* region, output and friends are not ours */
}

static int parse_file(const char *where, const char *text, size_t len, void *r)
{
	return inifile_read(where, text, len, NULL, key_cb, r);
}

int awscreds_file(const char *path, const char *section, int check_mode, struct awscreds *c)
{
	struct reading r = {section, c, 0};
	struct stat st;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	if (check_mode) {
		if (stat(path, &st) < 0) {
			error_errno("%s: no AWS credentials (nor AWS_ACCESS_KEY_ID and "
			            "AWS_SECRET_ACCESS_KEY in the environment)",
			            path);
			goto out;
		}
		if (st.st_mode & 0137) {
			error("%s: mode %04o is too open for AWS credentials (0600 or 0640)", path,
			      (unsigned)(st.st_mode & 07777));
			goto out;
		}
	}
	if (read_file_parse(path, 65536, parse_file, &r) < 0)
		goto out;
	if (!c->key_id || !c->secret) {
		error("%s: [%s] %s", path, section,
		      r.found ? "lacks aws_access_key_id or aws_secret_access_key" : "not found");
		goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		awscreds_release(c);
	return ret;
}

void awscreds_release(struct awscreds *c)
{
	if (c->secret)
		explicit_bzero(c->secret, strlen(c->secret));
	free(c->key_id);
	free(c->secret);
	free(c->token);
	memset(c, 0, sizeof(*c));
}
