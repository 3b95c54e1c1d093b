/*
 * spec.c — runs the Mustache spec suite (JSON files) against the renderer.
 *
 * Usage: spec [-v] [DIR]   (DIR defaults to ../shared/mustache-spec)
 *
 * Each test's "data" becomes a struct tv tree (numbers printed the way
 * JavaScript prints them, objects keeping their key order), "template" is
 * rendered in spec mode (escape = 1, strict = 0) with the test's "partials"
 * behind the partial callback, and the output must equal "expected" byte
 * for byte.  One line per module "NAME: PASSED/TOTAL"; the optional modules
 * (names starting with '~') are counted apart and never fail the run.  The
 * last line is "mustache spec: P/N core passed".  With -v every failed test
 * is shown with its expected and actual output.
 *
 * Exit status: 0 when every core test passed, 1 when one failed, 2 when a
 * file is missing or malformed or the command line is wrong.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "valtree.h"
#include "template.h"
#include "util.h"

#define SPEC_FILE_MAX ((size_t)4 << 20) /* largest spec file read */

static const char *const core_modules[] = {
	"comments", "delimiters", "interpolation", "inverted", "partials", "sections", NULL,
};
static const char *const optional_modules[] = {"~inheritance", "~dynamic-names", NULL};

struct tally {
	int passed;
	int total;
};

static int verbose;

/* ---- JSON to value tree ----------------------------------------------- */

/* Digits and exponent of the shortest %e form that reads back as d:
 * d = 0.DIGITS x 10^n.  Returns the number of digits. */
static int shortest_digits(double d, char *digits, size_t dlen, int *n)
{
	char tmp[40], *e;
	int p, k = 0, i;

	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	e = strchr(tmp, 'e');
	*n = atoi(e + 1) + 1;
	for (i = 0; tmp + i < e && (size_t)k + 1 < dlen; i++)
		if (tmp[i] >= '0' && tmp[i] <= '9')
			digits[k++] = tmp[i];
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	return k;
}

/* A JSON number as JavaScript's Number.prototype.toString() prints it:
 * 85 -> "85", 1.210 -> "1.21", 1e21 -> "1e+21", 0.0000001 -> "1e-7". */
static void js_number(double d, struct buf *out)
{
	char digits[24];
	int k, n;

	if (d == 0) {
		buf_putc(out, '0');
		return;
	}
	if (d < 0) {
		buf_putc(out, '-');
		d = -d;
	}
	k = shortest_digits(d, digits, sizeof(digits), &n);
	if (k <= n && n <= 21) {
		buf_puts(out, digits);
		buf_printf(out, "%.*s", n - k, "000000000000000000000");
	} else if (0 < n && n <= 21) {
		buf_printf(out, "%.*s.%s", n, digits, digits + n);
	} else if (-6 < n && n <= 0) {
		buf_printf(out, "0.%.*s%s", -n, "000000", digits);
	} else {
		buf_printf(out, "%c%s%s", digits[0], k > 1 ? "." : "", digits + 1);
		buf_printf(out, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
}

/* The value tree for a JSON value; NULL (with a message) for a kind the
 * tree cannot hold.  The caller owns the result. */
static struct tv *json_to_tv(const cJSON *j, const char *where)
{
	struct tv *v = NULL, *item;
	struct buf num = BUF_INIT;
	const cJSON *c;

	if (cJSON_IsNull(j)) {
		v = tv_null();
	} else if (cJSON_IsBool(j)) {
		v = tv_bool(cJSON_IsTrue(j));
	} else if (cJSON_IsString(j)) {
		v = tv_string(j->valuestring);
	} else if (cJSON_IsNumber(j)) {
		js_number(j->valuedouble, &num);
		v = tv_stringn(num.data, num.len);
	} else if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
		v = cJSON_IsArray(j) ? tv_list() : tv_map();
		cJSON_ArrayForEach(c, j) {
			item = json_to_tv(c, where);
			if (!item) {
				tv_free(v);
				v = NULL;
				goto out;
			}
			if (v->kind == TV_LIST)
				tv_push(v, item);
			else
				tv_set(v, c->string, item);
		}
	} else {
		error("%s: missing or unsupported JSON value in \"data\"", where);
	}
out:
	buf_release(&num);
	return v;
}

/* ---- one test ----------------------------------------------------------- */

/* Partial lookup in the test's "partials" object (ctx; may be NULL). */
static int find_partial(void *ctx, const char *name, const char **text, size_t *len)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(ctx, name);

	if (!cJSON_IsString(p))
		return -1;
	*text = p->valuestring;
	*len = strlen(p->valuestring);
	return 0;
}

/* Print s with quotes, control bytes and backslashes escaped. */
static void show(const char *label, const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	printf("    %-9s \"", label);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	fputs("\"\n", stdout);
}

/* Run one test object.  Returns 1 when it passed, 0 when it failed, -1
 * when the test itself is malformed. */
static int run_test(const cJSON *t, const char *module)
{
	const cJSON *name, *tmpl, *expected;
	struct tpl_opts opts = {0};
	struct buf out = BUF_INIT;
	struct tv *data = NULL;
	char err[512] = "";
	int ret = -1, rc;

	name = cJSON_GetObjectItemCaseSensitive(t, "name");
	tmpl = cJSON_GetObjectItemCaseSensitive(t, "template");
	expected = cJSON_GetObjectItemCaseSensitive(t, "expected");
	if (!cJSON_IsString(name) || !cJSON_IsString(tmpl) || !cJSON_IsString(expected)) {
		error("%s: a test lacks a string \"name\", \"template\" or \"expected\"", module);
		goto out;
	}
	data = json_to_tv(cJSON_GetObjectItemCaseSensitive(t, "data"), module);
	if (!data)
		goto out;
	opts.escape = 1;
	opts.partial = find_partial;
	opts.partial_ctx = cJSON_GetObjectItemCaseSensitive(t, "partials");
	rc = tpl_render(name->valuestring, tmpl->valuestring, strlen(tmpl->valuestring), data,
			&opts, &out, NULL, err, sizeof(err));
	ret = rc == 0 && out.len == strlen(expected->valuestring) &&
	      !memcmp(out.data ? out.data : "", expected->valuestring, out.len);
	if (!ret && verbose) {
		printf("  FAIL %s: %s\n", module, name->valuestring);
		show("template:", tmpl->valuestring, strlen(tmpl->valuestring));
		show("expected:", expected->valuestring, strlen(expected->valuestring));
		if (rc == 0)
			show("actual:", out.data ? out.data : "", out.len);
		else
			printf("    %-9s %s\n", "error:", err);
	}
out:
	tv_free(data);
	buf_release(&out);
	return ret;
}

/* ---- one module --------------------------------------------------------- */

/* Run DIR/MODULE.json into *t.  Returns 0, or -1 when the file is missing
 * or malformed (missing_ok: a missing file is 1, with nothing counted). */
static int run_module(const char *dir, const char *module, int missing_ok, struct tally *t)
{
	struct buf text = BUF_INIT;
	cJSON *root = NULL;
	const cJSON *tests, *c;
	char *path = NULL;
	int ret = -1, r;

	path = xasprintf("%s/%s.json", dir, module);
	if (missing_ok && access(path, F_OK) != 0) {
		ret = 1;
		goto out;
	}
	if (read_file(path, SPEC_FILE_MAX, &text) < 0)
		goto out;
	root = cJSON_ParseWithLength(text.data, text.len);
	tests = cJSON_GetObjectItemCaseSensitive(root, "tests");
	if (!cJSON_IsArray(tests)) {
		error("%s: not a spec file (no \"tests\" array)", path);
		goto out;
	}
	cJSON_ArrayForEach(c, tests) {
		r = run_test(c, module);
		if (r < 0)
			goto out;
		t->passed += r;
		t->total++;
	}
	ret = 0;
out:
	cJSON_Delete(root);
	buf_release(&text);
	free(path);
	return ret;
}

int main(int argc, char **argv)
{
	const char *dir = "../shared/mustache-spec";
	struct tally core = {0, 0}, t;
	int i, r, ret = 2;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else if (argv[i][0] == '-' || i + 1 < argc) {
			fprintf(stderr, "usage: spec [-v] [DIR]\n");
			goto out;
		} else {
			dir = argv[i];
		}
	}
	for (i = 0; core_modules[i]; i++) {
		t = (struct tally){0, 0};
		if (run_module(dir, core_modules[i], 0, &t) < 0)
			goto out;
		printf("%s: %d/%d\n", core_modules[i], t.passed, t.total);
		core.passed += t.passed;
		core.total += t.total;
	}
	for (i = 0; optional_modules[i]; i++) {
		t = (struct tally){0, 0};
		r = run_module(dir, optional_modules[i], 1, &t);
		if (r < 0)
			goto out;
		if (r > 0)
			printf("%s: not present (optional)\n", optional_modules[i]);
		else
			printf("%s: %d/%d (optional)\n", optional_modules[i], t.passed, t.total);
	}
	printf("mustache spec: %d/%d core passed\n", core.passed, core.total);
	ret = core.passed == core.total ? 0 : 1;
out:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("spec: stdout");
		ret = 2;
	}
	return ret;
}
