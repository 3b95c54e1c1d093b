/* report.c — see report.h */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "roleboot.h"

void report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->started = time(NULL);
	r->t0 = clock_now();
}

void report_step(struct report *r, const char *name, int code, double since)
{
	if (r->nsteps < REPORT_MAX_STEPS) {
		r->steps[r->nsteps].name = name;
		r->steps[r->nsteps].code = code;
		r->steps[r->nsteps++].ms = (clock_now() - since) * 1000.0;
	}
	if (code && !r->failed_step) {
		r->failed_step = name;
		snprintf(r->error, sizeof(r->error), "%s", msg_last_error());
	}
}

void report_add_change(struct report_facts *f, const char *path, int folder, const char *change)
{
	f->changes = xrealloc(f->changes, (f->nchanges + 1) * sizeof(*f->changes));
	f->changes[f->nchanges].path = path;
	f->changes[f->nchanges].folder = folder;
	f->changes[f->nchanges++].change = change;
}

void report_facts_release(struct report_facts *f)
{
	free(f->changes);
	f->changes = NULL;
	f->nchanges = 0;
}

static void put_str(struct buf *b, const char *key, const char *val)
{
	buf_printf(b, ",\"%s\":", key);
	if (val)
		json_str(b, val);
	else
		buf_puts(b, "null");
}

static void put_bundle(struct buf *b, const struct report_facts *f)
{
	buf_puts(b, ",\"bundle\":{\"url\":");
	if (f->bundle_url)
		json_str(b, f->bundle_url);
	else
		buf_puts(b, "null");
	if (f->has_version)
		buf_printf(b, ",\"version\":%lld", f->version);
	if (f->fetched)
		buf_printf(b, ",\"blake2b\":\"%s\",\"size\":%zu", f->blake2b, f->size);
	if (f->verified) {
		buf_printf(b, ",\"key\":\"%s\",\"trusted_comment\":", f->key);
		json_str(b, f->trusted_comment);
	}
	buf_putc(b, '}');
}

static void put_files(struct buf *b, const struct report_facts *f)
{
	size_t i;

	buf_puts(b, ",\"files\":[");
	for (i = 0; i < f->nchanges; i++) {
		const struct report_change *c = &f->changes[i];

		buf_puts(b, i ? ",{\"path\":" : "{\"path\":");
		json_str(b, c->path);
		buf_printf(b, "%s,\"change\":\"%s\"}", c->folder ? ",\"folder\":true" : "",
		           c->change);
	}
	buf_printf(b, "],\"changed\":%zu,\"unchanged\":%zu,\"enabled\":%zu,\"restarted\":%zu",
	           f->nchanges, f->total - f->nchanges, f->enabled, f->restarted);
}

void report_json(const struct report *r, const struct report_facts *f, int code, struct buf *out)
{
	char when[32], host[256] = "";
	struct tm tm;
	size_t i;

	gmtime_r(&r->started, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	gethostname(host, sizeof(host) - 1);
	buf_printf(out, "{\"roleboot\":\"%s\",\"result\":\"%s\",\"exit\":%d,\"dry_run\":%s",
	           ROLEBOOT_VERSION,
	           code == 0                            ? "ok"
	           : f->dry_run && code == EXIT_PENDING ? "pending"
	                                                : "failed",
	           code, f->dry_run ? "true" : "false");
	put_str(out, "host", host);
	put_str(out, "role", f->role);
	buf_printf(out, ",\"started\":\"%s\",\"duration_ms\":%.0f", when,
	           (clock_now() - r->t0) * 1000.0);
	put_bundle(out, f);
	put_files(out, f);
	buf_printf(out, ",\"fetch\":{\"requests\":%u,\"retries\":%u,\"resumes\":%u}", f->requests,
	           f->retries, f->resumes);
	buf_puts(out, ",\"steps\":[");
	for (i = 0; i < r->nsteps; i++)
		buf_printf(out, "%s{\"step\":\"%s\",\"status\":\"%s\",\"ms\":%.1f}", i ? "," : "",
		           r->steps[i].name, r->steps[i].code ? "failed" : "ok", r->steps[i].ms);
	buf_puts(out, "]");
	if (r->failed_step) {
		buf_printf(out, ",\"error\":{\"step\":\"%s\",\"message\":", r->failed_step);
		json_str(out, r->error);
		buf_putc(out, '}');
	}
	buf_puts(out, "}\n");
}
