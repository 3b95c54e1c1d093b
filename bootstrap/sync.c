/* sync.c — one pass of the sync agent; see sync.h. */
#include "sync.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "atomic.h"
#include "fetch.h"
#include "command.h"
#include "resolve.h"
#include "util.h"
#include "zone.h"

/* Warnings are remembered by the first hex digits of their SHA-256. */
#define WARN_HASH 16

struct header {
	char sha[65];
	unsigned long serial;
};

/* The content hash and serial of a zone file we wrote; 0 when unknown. */
static void read_header(const char *path, struct header *h)
{
	char line[256];
	FILE *fp = fopen(path, "re");
	int i;

	memset(h, 0, sizeof(*h));
	for (i = 0; fp && i < 3 && fgets(line, sizeof(line), fp); i++)
		if (sscanf(line, "; content-sha256 %64s serial %lu", h->sha, &h->serial) == 2)
			break;
	if (fp)
		fclose(fp);
	if (i == 3 || !fp)
		memset(h, 0, sizeof(*h));
}

/* Runs cmd (split as command.h says) with extra arguments; 0 when it exits 0. */
static int run_tool(const char *what, const char *cmd, const char *a1, const char *a2,
                    const char *zone)
{
	char **argv = command_split(cmd, "", "/", "");
	struct buf out = BUF_INIT;
	char *subject = NULL;
	size_t n = 0;
	int status, ret = -1;

	while (argv && argv[n])
		n++;
	if (!argv) {
		error("zone %s: empty %s command", zone, what);
		goto out;
	}
	argv = xrealloc(argv, (n + 3) * sizeof(*argv));
	argv[n++] = xstrdup(a1);
	argv[n++] = a2 ? xstrdup(a2) : NULL;
	argv[n] = NULL;
	status = command_run(argv, &out, 1);
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		ret = 0;
		goto out;
	}
	if (status >= 0) {
		subject = xasprintf("zone %s", zone);
		command_failed(subject, what, argv[0], status, command_first_line(&out));
	}
out:
	buf_release(&out);
	command_free(argv);
	free(subject);
	return ret;
}

struct check_ctx {
	const struct sync_config *c;
	const char *zone;
};

static int checkzone(const char *tmp, void *ctx)
{
	const struct check_ctx *k = ctx;

	return run_tool("named-checkzone", k->c->checkzone, k->zone, tmp, k->zone);
}

static void sha256_hex(const struct buf *b, char out[65])
{
	unsigned char md[32];

	EVP_Digest(b->data ? b->data : "", b->len, md, NULL, EVP_sha256(), NULL);
	hex_encode(md, sizeof(md), out);
}

static void set_error(struct sync_zone *z)
{
	free(z->error);
	z->error = xstrdup(msg_last_error());
}

/* Render, compare, and when changed write + check + reload one zone.  The
 * zone's records and serial change only when it succeeds, so that after a
 * failure they still describe the file named serves. */
static int apply_zone(const struct sync_config *c, struct sync_zone *z, const struct zone_src *all,
                      size_t nall, struct sync_counts *counts)
{
	const struct zone_src *src = &all[z - c->zones];
	char *path = xasprintf("%s/%s.zone", c->directory, z->name), sha[65];
	const char *what;
	struct check_ctx k = {c, z->name};
	struct buf body = BUF_INIT, file = BUF_INIT;
	struct header old;
	time_t now = time(NULL);
	unsigned long serial;
	size_t records;
	int ret = -1;

	z->changed = 0;
	if (zone_render(src, all, nall, 0, 0, &body, &records) < 0)
		goto out;
	sha256_hex(&body, sha);
	read_header(path, &old);
	if (old.serial && !strcmp(old.sha, sha)) {
		z->serial = old.serial;
		z->records = records;
		ret = 0; /* same content: the file stays byte for byte */
		goto out;
	}
	serial = (unsigned long)now > old.serial ? (unsigned long)now : old.serial + 1;
	buf_release(&body); /* not held while the file is rendered: one copy at a time */
	buf_printf(&file,
	           "; %s from Route 53 hosted zone %s, written by roleboot sync\n"
	           "; content-sha256 %s serial %lu\n",
	           z->name, z->id, sha, serial);
	if (zone_render(src, all, nall, serial, 0, &file, &records) < 0)
		goto out;
	/* what names a step that failed; none when named-checkzone refused
	 * the file (it said why): a refusal is not a failed write */
	if (write_atomic_quiet(path, file.data, file.len, 0644, checkzone, &k, &what) < 0) {
		if (what) {
			error_errno("%s: %s", path, what);
			counts->unwritten++;
		}
		goto out;
	}
	z->changed = 1;
	z->serial = serial;
	z->records = records;
	counts->zones_changed++;
	note("sync", "zone %s: %zu records, serial %lu, written", z->name, z->records, z->serial);
	if (c->rndc) {
		if (run_tool("rndc reload", c->rndc, "reload", z->name, z->name) < 0)
			goto out;
		counts->reloads++;
	}
	ret = 0;
out:
	buf_release(&body);
	buf_release(&file);
	free(path);
	return ret;
}

/* Id lookup (when the config has none) and the zone's records. */
static int fetch_zone(struct r53_client *cl, struct sync_zone *z)
{
	r53_records_release(&z->recs);
	if (!z->id && r53_zone_id(cl, z->name, z->private_zone, &z->id) < 0)
		return -1;
	return r53_list_records(cl, z->id, &z->recs);
}

/* Last successes (when, records, serial) and the warnings given, per zone,
 * from the previous status file (other fields are rebuilt); warned[i] gets
 * "HASH\n" lines.  In loop mode the zones already hold the last success. */
static void status_load(struct sync_config *c, struct buf *warned)
{
	char line[1024], name[512] = "", hash[WARN_HASH + 1];
	FILE *fp = fopen(c->status, "re");
	unsigned long serial;
	long long t;
	size_t i, n;

	while (fp && fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "zone %511s", name) == 1)
			continue;
		for (i = 0; i < c->nzones && strcmp(c->zones[i].name, name); i++)
			;
		if (i == c->nzones)
			continue;
		if (sscanf(line, "warned %16[0-9a-f]", hash) == 1 && strlen(hash) == WARN_HASH)
			buf_printf(&warned[i], "%s\n", hash);
		else if (c->zones[i].loaded)
			continue;
		else if (sscanf(line, "last_success %lld", &t) == 1)
			c->zones[i].last_success = (time_t)t;
		else if (sscanf(line, "records %zu", &n) == 1)
			c->zones[i].records = n;
		else if (sscanf(line, "serial %lu", &serial) == 1)
			c->zones[i].serial = serial;
	}
	for (i = 0; i < c->nzones; i++)
		c->zones[i].loaded = 1;
	if (fp)
		fclose(fp);
}

/* One warning: remembered in now, printed unless quiet (-q) and
 * already given in the previous pass (prev). */
static void zone_warning(const struct buf *prev, struct buf *now, const char *text)
{
	struct buf b = BUF_INIT;
	char sha[65];

	buf_puts(&b, text);
	sha256_hex(&b, sha);
	sha[WARN_HASH] = '\n';
	sha[WARN_HASH + 1] = '\0';
	if (!now->data || !strstr(now->data, sha))
		buf_puts(now, sha);
	if (!msg_quiet() || !prev->data || !strstr(prev->data, sha))
		warning("%s", text);
	buf_release(&b);
}

/* The addresses of the alias targets that need them (zone.h), looked up
 * once per pass and name: found ones go to addrs (TTL alias-ttl), failed
 * ones to failed (type in Type, the reason in SetIdentifier). */
struct lookups {
	struct r53_records addrs, failed;
	struct resolver res;
	int ready;
};

static const struct r53_record *find(const struct r53_records *l, const char *name,
                                     const char *type)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcasecmp(l->recs[i].name, name) && !strcmp(l->recs[i].type, type))
			return &l->recs[i];
	return NULL;
}

static void push(struct r53_records *l, const char *name, const char *type, long ttl, char **values,
                 size_t n, char *why)
{
	struct r53_record *r;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->recs = xrealloc(l->recs, l->cap * sizeof(*l->recs));
	}
	r = &l->recs[l->n++];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	r->type = xstrdup(type);
	r->ttl = ttl;
	r->values = values;
	r->nvalues = n;
	r->set_id = why;
	r->weight = -1;
}

static void look_up(const struct sync_config *c, struct lookups *lk, const struct zone_src *z,
                    const struct zone_src *all, size_t nall)
{
	char **values, *why;
	size_t i, n;

	for (i = 0; i < z->recs->n; i++) {
		const struct r53_record *r = &z->recs->recs[i];

		if (zone_alias_kind(z, all, nall, i) != ZONE_ALIAS_ADDRESS ||
		    find(&lk->addrs, r->alias_name, r->type) ||
		    find(&lk->failed, r->alias_name, r->type))
			continue;
		if (!lk->ready)
			resolve_init(&lk->res, c->resolvers, c->nresolvers);
		lk->ready = 1;
		values = NULL;
		n = 0;
		if (resolve_addrs(&lk->res, r->alias_name, r->type, &values, &n, &why) == 0)
			push(&lk->addrs, r->alias_name, r->type, c->alias_ttl, values, n, NULL);
		else
			push(&lk->failed, r->alias_name, r->type, 0, values, n, why);
	}
}

/* A warning for each alias record of z that gives no record. */
static void alias_warnings(const struct zone_src *z, const struct zone_src *all, size_t nall,
                           const struct lookups *lk, const struct buf *prev, struct buf *now)
{
	const struct r53_record *f;
	size_t i;
	char *text;

	for (i = 0; i < z->recs->n; i++) {
		const struct r53_record *r = &z->recs->recs[i];

		f = r->alias_name ? find(&lk->failed, r->alias_name, r->type) : NULL;
		if (f && zone_alias_kind(z, all, nall, i) == ZONE_ALIAS_ADDRESS)
			text = xasprintf("zone %s: alias %s %s -> %s: a CNAME may not be there and "
			                 "its %s lookup failed (%s): left out",
			                 z->name, r->name, r->type, r->alias_name, r->type,
			                 f->set_id);
		else
			text = zone_alias_problem(z, all, nall, i);
		if (text)
			zone_warning(prev, now, text);
		free(text);
	}
}

/* Writes the status file (write_atomic_quiet).  When a zone failed in
 * this pass (failed), the error already printed is the pass's one error
 * line, and a status that cannot be written (the same full disk, say) is
 * only a warning; otherwise it is the error, and -1. */
static int status_save(const struct sync_config *c, const struct buf *warned, int failed)
{
	struct buf b = BUF_INIT;
	char when[32];
	const char *p, *what;
	struct tm tm;
	size_t i;
	int ret;

	for (i = 0; i < c->nzones; i++) {
		const struct sync_zone *z = &c->zones[i];

		gmtime_r(&z->last_success, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		buf_printf(&b,
		           "%szone %s\nid %s\nlast_success %lld %s\nrecords %zu\nserial %lu\n"
		           "duration_ms %.0f\nchanged %s\nlast_error %s\n",
		           i ? "\n" : "", z->name, z->id ? z->id : "-", (long long)z->last_success,
		           z->last_success ? when : "never", z->records, z->serial, z->ms,
		           z->changed ? "yes" : "no", z->error ? z->error : "-");
		for (p = warned[i].data; p && *p; p = strchr(p, '\n') + 1)
			buf_printf(&b, "warned %.*s\n", WARN_HASH, p);
	}
	ret = write_atomic_quiet(c->status, b.data ? b.data : "", b.len, 0644, NULL, NULL, &what);
	if (ret < 0 && failed)
		warning("%s: status not kept: %s", c->status, strerror(errno));
	else if (ret < 0)
		error_errno("%s: %s", c->status, what);
	buf_release(&b);
	return failed ? 0 : ret;
}

/* A zone whose aliases point into a zone that failed would lose records. */
static const char *alias_into_failed(const struct sync_config *c, const struct sync_zone *z,
                                     const int *failed)
{
	size_t i, j;

	for (i = 0; i < z->recs.n; i++) {
		const char *target = z->recs.recs[i].alias_zone, *slash;

		if (!target)
			continue;
		slash = strrchr(target, '/');
		target = slash ? slash + 1 : target;
		for (j = 0; j < c->nzones; j++)
			if (failed[j] && c->zones[j].id && !strcmp(c->zones[j].id, target))
				return c->zones[j].name;
	}
	return NULL;
}

int sync_run(struct sync_config *c, struct sync_counts *counts)
{
	struct r53_client cl = {.endpoint = c->endpoint,
	                        .key_id = c->creds.key_id,
	                        .secret = c->creds.secret,
	                        .token = c->creds.token,
	                        .page_size = 300};
	struct zone_src *all = xcalloc(c->nzones, sizeof(*all));
	int *failed = xcalloc(c->nzones, sizeof(*failed));
	struct buf *prev = xcalloc(c->nzones, sizeof(*prev)),
	           *now = xcalloc(c->nzones, sizeof(*now));
	struct lookups lk;
	const char *bad;
	double t0;
	size_t i;

	memset(counts, 0, sizeof(*counts));
	memset(&lk, 0, sizeof(lk));
	status_load(c, prev);
	for (i = 0; i < c->nzones; i++) {
		t0 = fetch_now();
		failed[i] = fetch_zone(&cl, &c->zones[i]) < 0;
		if (failed[i]) {
			set_error(&c->zones[i]);
			counts->zones_unfetched++;
		}
		c->zones[i].ms = (fetch_now() - t0) * 1000.0;
		all[i].name = c->zones[i].name;
		all[i].id = c->zones[i].id ? c->zones[i].id : "";
		all[i].recs = &c->zones[i].recs;
		all[i].addrs = &lk.addrs;
		all[i].alias_ttl = c->alias_ttl;
	}
	for (i = 0; i < c->nzones; i++)
		if (!failed[i])
			look_up(c, &lk, &all[i], all, c->nzones);
	for (i = 0; i < c->nzones; i++) {
		struct sync_zone *z = &c->zones[i];

		if (failed[i]) {
			/* not listed this pass: its warnings stand as they were */
			if (prev[i].len)
				buf_add(&now[i], prev[i].data, prev[i].len);
			continue;
		}
		alias_warnings(&all[i], all, c->nzones, &lk, &prev[i], &now[i]);
		t0 = fetch_now();
		bad = alias_into_failed(c, z, failed);
		if (bad)
			error("zone %s: alias targets in zone %s, which did not sync: kept as it "
			      "was",
			      z->name, bad);
		failed[i] = bad || apply_zone(c, z, all, c->nzones, counts) < 0;
		z->ms += (fetch_now() - t0) * 1000.0;
		if (failed[i]) {
			set_error(z);
			continue;
		}
		free(z->error);
		z->error = NULL;
		z->last_success = time(NULL);
	}
	for (i = 0; i < c->nzones; i++)
		counts->zones_failed += (unsigned)failed[i];
	counts->requests = cl.requests;
	counts->throttled = cl.throttled;
	r53_client_release(&cl);
	if (status_save(c, now, counts->zones_failed > 0) < 0)
		counts->unwritten++;
	for (i = 0; i < c->nzones; i++) {
		buf_release(&prev[i]);
		buf_release(&now[i]);
	}
	r53_records_release(&lk.addrs);
	r53_records_release(&lk.failed);
	resolve_release(&lk.res);
	free(prev);
	free(now);
	free(all);
	free(failed);
	return counts->zones_failed || counts->unwritten ? -1 : 0;
}
