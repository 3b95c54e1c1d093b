/*
 * role.h — role files: which bundle a node gets and the site's values.
 *
 *   [role]
 *   name      = dns-internal          ; must equal the bundle's role
 *   bundle    = https://…/x.tar.gz    ; relative to the role file's location
 *   mirror    = https://…/x.tar.gz    ; repeatable, tried in order
 *   signature = …/x.tar.gz.minisig    ; default: bundle + ".minisig"
 *   report    = https://…/report      ; optional: POST the JSON report here
 *   cacert    = /etc/pki/…/site-ca.pem ; optional: CA bundle for https
 *   reapply   = 1h                    ; optional: roleboot-apply.timer re-applies
 *                                     ; the role this often (off: disables it)
 *   reapply-delay = 15min             ; its RandomizedDelaySec (default 15min)
 *   [vars]
 *   name = value                      ; indented lines continue a value
 *   [zone "corp.example.com"]          ; list sections, one object each
 *   primaries = 10.0.1.10, 10.0.1.11
 *   [fleet]                           ; read by the fleet tool (fleet/), not here
 *   hosts = dns1.example.net, dns2.example.net
 *
 * Unknown sections and keys, keys set twice and missing name/bundle are
 * refused with FILE:LINE.  Values are kept as text here; their types are
 * checked against the bundle's declarations by vars.c.
 */
#ifndef ROLEBOOT_ROLE_H
#define ROLEBOOT_ROLE_H

#include <stddef.h>

/* Keys, values and the kv arrays are cut from the role's pool: they live
 * until role_release(), are never freed one by one, and are not to be
 * realloc'ed. */
struct role_kv {
	char *key;   /* pool */
	char *value; /* pool */
	int line;
};

struct role_section {
	char *kind; /* pool: "zone" */
	char *name; /* pool: "corp.example.com" */
	int line;
	struct role_kv *kv; /* pool */
	size_t n;
};

struct role {
	char *where;         /* owned: the role file's URL */
	char *source;        /* owned: the role file as the user named it */
	char *name;          /* owned */
	char *bundle;        /* owned: absolute URL */
	char *signature;     /* owned: absolute URL or NULL for the default */
	char *report;        /* owned: absolute URL or NULL */
	char *cacert;        /* owned: CA bundle file for https, or NULL */
	char *reapply;       /* owned: time span or "off", NULL when not set */
	char *reapply_delay; /* owned: time span or NULL */
	char **mirrors;      /* owned: absolute URLs */
	size_t nmirrors;
	struct role_kv *vars; /* pool: [vars] */
	size_t nvars;
	struct role_section *sections; /* owned */
	size_t nsections;
	struct pool *pool; /* owned: what the kv arrays and their strings are cut from */
};

#define ROLE_MAX_SIZE (1u << 20)

/* Parse role text; where names it in messages, base_url (see url_for_arg)
 * is the base for relative URLs. */
int role_parse(const char *where, const char *base_url, const char *text, size_t len,
               struct role *out);
/* Fetch (path or URL) and parse: 0, or why not (an error was printed). */
enum { ROLE_BAD_URL = -1, ROLE_UNFETCHED = -2, ROLE_REFUSED = -3 };
int role_load(const char *src, struct role *out);
void role_release(struct role *r);

#endif
