/* r53d_config.c — see r53d_config.h */
#include "r53d_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "awscreds.h"
#include "inifile.h"
#include "r53.h"
#include "resolve.h"
#include "vartype.h"
#include "util.h"

#define TSIG_ALGOS "hmac-md5 hmac-sha1 hmac-sha224 hmac-sha256 hmac-sha384 hmac-sha512"

static int number(struct inifile *ini, const char *key, const char *v, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	if (errno || !*v || *end || *out < lo || *out > hi)
		return error("%s:%d: '%s' must be a number from %ld to %ld, not '%s'", ini->where,
		             ini->line, key, lo, hi, v);
	return 0;
}

static int text(struct inifile *ini, const char *key, const char *v, char **slot)
{
	if (!*v || has_control(v))
		return error("%s:%d: '%s' is empty or holds a control character", ini->where,
		             ini->line, key);
	free(*slot);
	*slot = xstrdup(v);
	return 0;
}

static int client_text(const char *s, char *out, size_t len);

static int server_key(struct inifile *ini, struct r53d_config *c, const char *key, const char *v)
{
	char addr[64];
	long n;

	if (!strcmp(key, "processes")) {
		if (number(ini, key, v, 1, 64, &n) < 0)
			return -1;
		c->processes = (unsigned)n;
	} else if (!strcmp(key, "dry-run")) {
		if (number(ini, key, v, 0, 1, &n) < 0)
			return -1;
		c->dry_run = (int)n;
	} else if (!strcmp(key, "listen_port")) {
		if (number(ini, key, v, 0, 65535, &n) < 0)
			return -1;
		c->listen_port = (unsigned)n;
	} else if (!strcmp(key, "fudge")) {
		return number(ini, key, v, 1, 3600, &c->fudge);
	} else if (!strcmp(key, "listen_ip")) {
		if (client_text(v, addr, sizeof(addr)) < 0)
			return error("%s:%d: listen_ip '%s' is not an IP address", ini->where,
			             ini->line, v);
		return text(ini, key, v, &c->listen_ip);
	} else if (!strcmp(key, "username")) {
		return text(ini, key, v, &c->username);
	} else if (!strcmp(key, "endpoint")) {
		return text(ini, key, v, &c->endpoint);
	} else {
		return error("%s:%d: unknown key '%s' in [server]", ini->where, ini->line, key);
	}
	return 0;
}

/* A domain name as ldns reads it: absolute, lower case. */
static char *dname(const char *s)
{
	ldns_rdf *r = ldns_dname_new_frm_str(s);
	char *t, *out = NULL;

	if (!r)
		return NULL;
	ldns_dname2canonical(r);
	t = ldns_rdf2str(r);
	if (t)
		out = xstrdup(t);
	free(t);
	ldns_rdf_deep_free(r);
	return out;
}

static int add_zone(struct inifile *ini, struct r53d_config *c, const char *key, const char *v)
{
	const char *why = NULL;
	char *name = NULL;
	size_t i;

	if (vtype_check(VT_HOSTNAME, key, &why) < 0 || !(name = dname(key)))
		return error("%s:%d: zone '%s' is not a domain name", ini->where, ini->line, key);
	for (i = 0; i < c->nzones; i++) {
		if (!strcmp(c->zones[i].name, name)) {
			free(name);
			return error("%s:%d: zone '%s' listed twice", ini->where, ini->line, key);
		}
	}
	if (!strncmp(v, "/hostedzone/", 12))
		v += 12;
	if (!*v || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") !=
	                   strlen(v)) {
		free(name);
		return error("%s:%d: zone '%s' needs one hosted zone id (letters and digits)",
		             ini->where, ini->line, key);
	}
	c->zones = xrealloc(c->zones, (c->nzones + 1) * sizeof(*c->zones));
	c->zones[c->nzones].name = name;
	c->zones[c->nzones].private_zone = -1;
	c->zones[c->nzones++].id = xstrdup(v);
	return 0;
}

static int client_text(const char *s, char *out, size_t len)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return inet_ntop(AF_INET, a, out, (socklen_t)len) ? 0 : -1;
	if (inet_pton(AF_INET6, s, a) == 1)
		return inet_ntop(AF_INET6, a, out, (socklen_t)len) ? 0 : -1;
	return -1;
}

/* Base64 of RFC 4648: the alphabet, padded to a multiple of 4 at the end. */
static int base64(const char *s)
{
	static const char abc[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), body = strspn(s, abc), pad = strspn(s + body, "=");

	return n && n % 4 == 0 && body + pad == n && pad <= 2;
}

static int add_key(struct inifile *ini, struct r53d_config *c, const char *key, const char *v)
{
	char client[64], *copy = xstrdup(v), *save = NULL;
	char *kname = strtok_r(copy, " \t", &save), *secret = strtok_r(NULL, " \t", &save);
	char *algo = strtok_r(NULL, " \t", &save), *name = NULL;
	unsigned char bin[512];
	struct r53d_key *k;
	int ret = -1;
	size_t i;

	if (client_text(key, client, sizeof(client)) < 0) {
		error("%s:%d: [tsig] '%s' is not an IP address", ini->where, ini->line, key);
		goto out;
	}
	if (!kname || !secret || strtok_r(NULL, " \t", &save) || !(name = dname(kname))) {
		error("%s:%d: [tsig] %s: expected 'KEYNAME BASE64SECRET [ALGORITHM]'", ini->where,
		      ini->line, client);
		goto out;
	}
	if (!base64(secret) || strlen(secret) > 4 * (sizeof(bin) / 3) ||
	    EVP_DecodeBlock(bin, (const unsigned char *)secret, (int)strlen(secret)) <= 0) {
		error("%s:%d: [tsig] %s: the secret of key %s is not base64", ini->where, ini->line,
		      client, kname);
		goto out;
	}
	if (algo &&
	    (!strstr(TSIG_ALGOS, algo) || strchr(algo, ' ') || strncasecmp(algo, "hmac-", 5))) {
		error("%s:%d: [tsig] %s: unknown algorithm '%s' (%s)", ini->where, ini->line,
		      client, algo, TSIG_ALGOS);
		goto out;
	}
	for (i = 0; i < c->nkeys; i++) {
		if (!strcmp(c->keys[i].client, client)) {
			error("%s:%d: [tsig] %s listed twice", ini->where, ini->line, client);
			goto out;
		}
	}
	c->keys = xrealloc(c->keys, (c->nkeys + 1) * sizeof(*c->keys));
	k = &c->keys[c->nkeys++];
	k->client = xstrdup(client);
	k->name = name;
	name = NULL;
	k->secret = xstrdup(secret);
	k->algorithm = algo ? xstrdup(algo) : NULL;
	ret = 0;
out:
	explicit_bzero(bin, sizeof(bin));
	explicit_bzero(copy, strlen(v));
	free(copy);
	free(name);
	return ret;
}

static int add_slave(struct inifile *ini, struct r53d_config *c, const char *key, const char *v)
{
	struct resolve_server srv;
	char addr[64], *name = dname(key);
	size_t i;

	if (!name || resolve_parse_server(v, &srv) < 0 ||
	    client_text(srv.addr, addr, sizeof(addr)) < 0) {
		free(name);
		return error("%s:%d: [slave] expected 'ZONE = MASTER-IP' (or IP:PORT, [IPv6]:PORT)",
		             ini->where, ini->line);
	}
	for (i = 0; i < c->nslaves; i++) {
		if (!strcmp(c->slaves[i].zone, name)) {
			free(name);
			return error("%s:%d: [slave] %s listed twice", ini->where, ini->line, key);
		}
	}
	c->slaves = xrealloc(c->slaves, (c->nslaves + 1) * sizeof(*c->slaves));
	c->slaves[c->nslaves].zone = name;
	c->slaves[c->nslaves].master = xstrdup(addr);
	c->slaves[c->nslaves].port = srv.port;
	c->slaves[c->nslaves++].line = ini->line;
	return 0;
}

static int section_cb(struct inifile *ini, const char *section)
{
	static const char *const known[] = {"server", "kludge", "hostedzone", "tsig", "slave"};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(section, known[i]))
			return 0;
	return error("%s:%d: unknown section [%s]", ini->where, ini->line, section);
}

static int key_cb(struct inifile *ini, const char *section, const char *key, const char *v)
{
	struct r53d_config *c = ini->user;

	if (!strcmp(section, "server"))
		return server_key(ini, c, key, v);
	if (!strcmp(section, "kludge") && !strcmp(key, "delete_ttl"))
		return number(ini, key, v, 0, 2147483647, &c->delete_ttl);
	if (!strcmp(section, "hostedzone"))
		return add_zone(ini, c, key, v);
	if (!strcmp(section, "tsig"))
		return add_key(ini, c, key, v);
	if (!strcmp(section, "slave"))
		return add_slave(ini, c, key, v);
	return error("%s:%d: unknown key '%s' in [%s]", ini->where, ini->line, key,
	             *section ? section : "(no section)");
}

int r53d_config_parse(const char *where, const char *txt, size_t len, struct r53d_config *c)
{
	int ret = -1;

	memset(c, 0, sizeof(*c));
	c->where = xstrdup(where);
	c->processes = 1;
	c->listen_port = 53;
	c->delete_ttl = 300;
	c->fudge = 300;
	if (inifile_read(where, txt, len, section_cb, key_cb, c) < 0)
		goto out;
	if (!c->listen_ip) {
		error("%s: [server] needs listen_ip", where);
		goto out;
	}
	if (!c->endpoint)
		c->endpoint = r53_default_endpoint();
	ret = 0;
out:
	if (ret < 0)
		r53d_config_release(c);
	return ret;
}

int r53d_config_credentials(struct r53d_config *c)
{
	const char *env = getenv("BOTO_CONFIG"), *home = getenv("HOME");
	struct stat st;
	char *path;
	int ret;

	if (awscreds_env(&c->creds)) {
		ret = 0;
	} else {
		if (env && *env)
			path = xstrdup(env);
		else if (stat("/etc/boto.cfg", &st) == 0)
			path = xstrdup("/etc/boto.cfg");
		else
			path = xasprintf("%s/.boto", home && *home ? home : "/root");
		ret = awscreds_file(path, "Credentials", 1, &c->creds);
		free(path);
	}
	return ret;
}

static int parse_file(const char *where, const char *txt, size_t len, void *c)
{
	return r53d_config_parse(where, txt, len, c);
}

int r53d_config_load(const char *path, struct r53d_config *c)
{
	struct stat st;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = read_file_parse(path, 1u << 20, parse_file, c);
	if (ret == 0 && c->nkeys && stat(path, &st) == 0 && (st.st_mode & 0007))
		ret = error(
		        "%s: holds TSIG secrets but others may read it (mode %04o): chmod o-rwx",
		        path, (unsigned)(st.st_mode & 07777));
	if (ret < 0)
		r53d_config_release(c);
	return ret;
}

void r53d_config_release(struct r53d_config *c)
{
	size_t i;

	r53_zones_release(c->zones, c->nzones);
	for (i = 0; i < c->nkeys; i++) {
		explicit_bzero(c->keys[i].secret, strlen(c->keys[i].secret));
		free(c->keys[i].secret);
		free(c->keys[i].client);
		free(c->keys[i].name);
		free(c->keys[i].algorithm);
	}
	for (i = 0; i < c->nslaves; i++) {
		free(c->slaves[i].zone);
		free(c->slaves[i].master);
	}
	free(c->keys);
	free(c->slaves);
	free(c->where);
	free(c->listen_ip);
	free(c->username);
	free(c->endpoint);
	awscreds_release(&c->creds);
	memset(c, 0, sizeof(*c));
}

const struct r53_zone *r53d_zone_of(const struct r53d_config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nzones; i++)
		if (!strcmp(c->zones[i].name, name))
			return &c->zones[i];
	return NULL;
}

const struct r53d_key *r53d_key_of(const struct r53d_config *c, const char *client)
{
	size_t i;

	for (i = 0; i < c->nkeys; i++)
		if (!strcmp(c->keys[i].client, client))
			return &c->keys[i];
	return NULL;
}

const struct r53d_slave *r53d_slave_of(const struct r53d_config *c, const char *zone)
{
	size_t i;

	for (i = 0; i < c->nslaves; i++)
		if (!strcmp(c->slaves[i].zone, zone))
			return &c->slaves[i];
	return NULL;
}
