/*
 * manifest.h — manifest.ini, the signed part that decides what is written.
 *
 *   [bundle]
 *   role    = dns-internal
 *   version = 7                       ; integer, compared with the applied one
 *   expires = 2027-06-30T00:00:00Z    ; optional, UTC (a date alone is midnight)
 *
 *   [var forwarders]                  ; every value the role file may set
 *   type    = ip                      ; see vartype.h
 *   list    = yes
 *   default = 10.0.0.2                ; no default: the role must set it
 *   secret  = no
 *
 *   [var zone]                        ; role sections [zone "NAME"] ...
 *   type     = section
 *   key-type = hostname               ; ... whose NAME has this type
 *   [var zone.primaries]              ; and whose keys are declared like this
 *   type = ip
 *   list = yes
 *
 *   [dir /var/cache/bind/roleboot]   ; a folder that must exist
 *   mode = 0770                       ; default 0755; owner/group as for files
 *   os-family = debian                ; only on these families (host.os.family)
 *
 *   [file /etc/bind/named.conf]      ; an absolute path under the root
 *   template = named.conf.mustache    ; or: source = plain-file, or
 *                                     ; generate = COMMAND: when the file is
 *                                     ; absent, COMMAND's stdout (secret)
 *   mode     = 0640                   ; default 0644
 *   owner    = root                   ; default root, from ROOT/etc/passwd
 *   group    = bind                   ; default root, from ROOT/etc/group
 *   validate = named-checkconf %s     ; %s: the staged file, %r: the root,
 *                                     ; %t: the staging folder (a mirror)
 *   notify   = named                  ; services to restart when it changed
 *   os-family = rhel, debian          ; only on these families
 *   replace  = no                     ; default yes; no: laid down only when
 *                                     ; the target has no such file, a file
 *                                     ; already there is left as it is
 *
 *   [file /var/named/roleboot/{{name}}.zone]  ; one file per role section:
 *   foreach  = zone                   ; a [var zone] of type = section; the
 *                                     ; path's {{name}} becomes the section's
 *                                     ; name, and its template sees the
 *                                     ; section's keys (and name) on top of
 *                                     ; the data, as inside {{#zone}}
 *
 *   [service named]
 *   enable            = yes           ; default yes
 *   restart-on-change = yes           ; restart (with --now) when any file changed
 *   os-family         = rhel          ; only on these families
 *
 * Errors name FILE:LINE; unknown sections and keys are refused.
 */
#ifndef ROLEBOOT_MANIFEST_H
#define ROLEBOOT_MANIFEST_H

#include <stddef.h>
#include <time.h>

#include "vartype.h"

struct mvar {
	char *name; /* owned: "forwarders" or "zone.primaries" */
	enum vtype type;
	enum vtype key_type; /* VT_SECTION vars: type of the section name */
	int list, secret, line;
	char *def; /* owned, NULL when there is no default */
};

struct mfamilies {
	char **names; /* owned: host.os.family values; none means every family */
	size_t n;
};

struct mdir {
	char *path; /* owned, absolute, normalised */
	unsigned mode;
	char *owner, *group; /* owned */
	struct mfamilies families;
	int line;
};

struct mfile {
	char *path;     /* owned, absolute, normalised */
	char *template; /* owned, bundle entry rendered as Mustache, or NULL */
	char *source;   /* owned, bundle entry copied verbatim, or NULL */
	char *generate; /* owned, command whose stdout makes an absent file, or NULL */
	char *content;  /* owned, fixed text of roleboot's own (reapply.h), or NULL */
	struct mfamilies families;
	unsigned mode;
	char *owner, *group; /* owned */
	char *validate;      /* owned or NULL */
	char **notify;       /* owned service names */
	size_t nnotify;
	int replace;   /* 0: only laid down when absent (replace = no) */
	char *foreach; /* owned: a section variable, or NULL */
	int line;
};

struct mservice {
	char *name; /* owned */
	int enable, restart, line;
	int start; /* started by apply --now on a live system when not active:
		    * roleboot's own timer (reapply.h), no manifest key */
	struct mfamilies families;
};

struct manifest {
	char *where; /* owned, for messages */
	char *role;  /* owned */
	long long version;
	int has_expires;
	time_t expires;
	struct mvar *vars; /* owned array of nvars, each element's strings owned */
	size_t nvars;
	struct mfile *files; /* owned array of nfiles, likewise */
	size_t nfiles;
	struct mdir *dirs; /* owned array of ndirs, likewise */
	size_t ndirs;
	struct mservice *services; /* owned array of nservices, likewise */
	size_t nservices;
};

/* Fills out (overwritten), which owns everything it points to until
 * manifest_release(); on failure (-1, one error printed) out is released.
 * Pointers that callers take from it (manifest_var, &m->files[i], ...)
 * are borrowed and live as long as the manifest. */
int manifest_parse(const char *where, const char *text, size_t len, struct manifest *out);
const struct mvar *manifest_var(const struct manifest *m, const char *name);
/* 1 when an entry with these families applies to family (NULL: unknown). */
int manifest_applies(const struct mfamilies *f, const char *family);
/* 1 when p is an absolute, normalised path (no "//", ".", ".." parts). */
int manifest_path_ok(const char *p);
/* PATH of a foreach entry with "{{name}}" replaced by name (owned); NULL
 * (an error was printed) when the result is not an acceptable path. */
char *manifest_foreach_path(const struct mfile *f, const char *name);
void manifest_release(struct manifest *m);

/* Parse "2027-06-30" or "2027-06-30T00:00:00Z" as UTC; -1 when malformed. */
int parse_utc(const char *s, time_t *out);

#endif
