/* report.c — see report.h */
#include "report.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "roleboot.h"

void report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->started = time(NULL);
	r->t0 = fetch_now();
}

int report_step(struct report *r, const char *name, int (*fn)(struct apply *), struct apply *a)
{
	double t = fetch_now();
	int code = fn(a);

	if (r->nsteps < REPORT_MAX_STEPS) {
		r->steps[r->nsteps].name = name;
		r->steps[r->nsteps].code = code;
		r->steps[r->nsteps++].ms = (fetch_now() - t) * 1000.0;
	}
	if (code && !r->failed_step) {
		r->failed_step = name;
		snprintf(r->error, sizeof(r->error), "%s", msg_last_error());
	}
	return code;
}

static void put_str(struct buf *b, const char *key, const char *val)
{
	buf_printf(b, ",\"%s\":", key);
	if (val)
		json_str(b, val);
	else
		buf_puts(b, "null");
}

static void put_bundle(struct buf *b, const struct apply *a)
{
	char b2[129], id[17];

	buf_puts(b, ",\"bundle\":{\"url\":");
	if (a->bundle_url)
		json_str(b, a->bundle_url);
	else
		buf_puts(b, "null");
	if (a->manifest.role)
		buf_printf(b, ",\"version\":%lld", a->manifest.version);
	if (a->bundle_tmp) {
		hex_encode(a->fetched.blake2b, sizeof(a->fetched.blake2b), b2);
		buf_printf(b, ",\"blake2b\":\"%s\",\"size\":%zu", b2, a->fetched.size);
	}
	if (a->verified) {
		sig_keyid_str(a->sig.keyid, id);
		buf_printf(b, ",\"key\":\"%s\",\"trusted_comment\":", id);
		json_str(b, a->sig.trusted_comment);
	}
	buf_putc(b, '}');
}

static void put_files(struct buf *b, const struct apply *a)
{
	size_t i, k = 0;

	buf_puts(b, ",\"files\":[");
	for (i = 0; i < a->plan.ndirs; i++) {
		const struct plan_dir *d = &a->plan.dirs[i];

		if (d->change == CH_NONE)
			continue;
		buf_puts(b, k++ ? ",{\"path\":" : "{\"path\":");
		json_str(b, d->md->path);
		buf_printf(b, ",\"folder\":true,\"change\":\"%s\"}", apply_change_word(d->change));
	}
	for (i = 0; i < a->plan.n; i++) {
		const struct plan_file *f = &a->plan.files[i];

		if (f->change == CH_NONE)
			continue;
		buf_puts(b, k++ ? ",{\"path\":" : "{\"path\":");
		json_str(b, f->mf->path);
		buf_printf(b, ",\"change\":\"%s\"}", apply_change_word(f->change));
	}
	buf_printf(b, "],\"changed\":%zu,\"unchanged\":%zu,\"enabled\":%zu,\"restarted\":%zu", k,
	           a->plan.n + a->plan.ndirs - k, a->enabled, a->restarted);
}

void report_json(const struct report *r, const struct apply *a, int code, struct buf *out)
{
	const struct fetch_stats *fs = fetch_stats();
	char when[32], host[256] = "";
	struct tm tm;
	size_t i;

	gmtime_r(&r->started, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	gethostname(host, sizeof(host) - 1);
	buf_printf(out, "{\"roleboot\":\"%s\",\"result\":\"%s\",\"exit\":%d,\"dry_run\":%s",
	           ROLEBOOT_VERSION,
	           code == 0                            ? "ok"
	           : a->dry_run && code == EXIT_PENDING ? "pending"
	                                                : "failed",
	           code, a->dry_run ? "true" : "false");
	put_str(out, "host", host);
	put_str(out, "role", a->role.name ? a->role.name : a->role_arg);
	buf_printf(out, ",\"started\":\"%s\",\"duration_ms\":%.0f", when,
	           (fetch_now() - r->t0) * 1000.0);
	put_bundle(out, a);
	put_files(out, a);
	buf_printf(out, ",\"fetch\":{\"requests\":%u,\"retries\":%u,\"resumes\":%u}", fs->requests,
	           fs->retries, fs->resumes);
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
