/*
 * t_cmdline.c — kcmdline_read: roleboot's words on the kernel command line,
 * read from temporary files named by $ROLEBOOT_CMDLINE; kcmdline_parse, the
 * same from memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "capture.h"
#include "unit.h"

static char tmpdir[] = "/tmp/t_cmdline.XXXXXX";
static char path[512];

/* Write text (len bytes) as the command line and read it back. */
static int read_text(const char *text, size_t len, struct kcmdline *k)
{
	FILE *f = fopen(path, "wb");
	int ret;

	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	setenv("ROLEBOOT_CMDLINE", path, 1);
	capture_begin();
	ret = kcmdline_read(k, 1);
	capture_end();
	return ret;
}

static int streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

struct var {
	const char *name, *value;
};

struct ccase {
	const char *text;
	const char *role, *pubkey; /* NULL: must be NULL */
	struct var vars[4];        /* expected roleboot.var.*, in order, NULL-terminated */
	const char *what;
};

static const struct ccase cases[] = {
        {"BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet\n",
         NULL,
         NULL,
         {{NULL, NULL}},
         "no roleboot words"},
        {"", NULL, NULL, {{NULL, NULL}}, "empty file"},
        {"roleboot.role=https://boot.example.net/dns.role\n",
         "https://boot.example.net/dns.role",
         NULL,
         {{NULL, NULL}},
         "roleboot.role"},
        {"quiet roleboot.pubkey=RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3 splash\n",
         NULL,
         "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3",
         {{NULL, NULL}},
         "roleboot.pubkey"},
        {"roleboot.var.port=5353",
         NULL,
         NULL,
         {{"port", "5353"}, {NULL, NULL}},
         "roleboot.var.NAME=VALUE without a final newline"},
        {"ro roleboot.role=a roleboot.var.x=1 roleboot.pubkey=K roleboot.var.y=2 "
         "roleboot.var.x=3\n",
         "a",
         "K",
         {{"x", "1"}, {"y", "2"}, {"x", "3"}, {NULL, NULL}},
         "all three kinds; vars kept in order, repeats kept"},
        {"roleboot.role=first roleboot.role=second roleboot.pubkey=P1 x roleboot.pubkey=P2\n",
         "second",
         "P2",
         {{NULL, NULL}},
         "last occurrence of role and pubkey wins"},
        {"\"roleboot.var.motd=hello world\" quiet\n",
         NULL,
         NULL,
         {{"motd", "hello world"}, {NULL, NULL}},
         "whole word quoted: \"a b\""},
        {"roleboot.var.motd=\"hello  world\" quiet\n",
         NULL,
         NULL,
         {{"motd", "hello  world"}, {NULL, NULL}},
         "quoted value: x=\"a b\""},
        {"roleboot.role=\"file:///srv/my roles/x.role\"\n",
         "file:///srv/my roles/x.role",
         NULL,
         {{NULL, NULL}},
         "quoted role URL with a space"},
        {"roleboot.var.e=\"\" roleboot.var.f=\n",
         NULL,
         NULL,
         {{"e", ""}, {"f", ""}, {NULL, NULL}},
         "empty values, quoted and not"},
        {"roleboot.var.a=b=c\n", NULL, NULL, {{"a", "b=c"}, {NULL, NULL}}, "value holding '='"},
        {"roleboot.var.ns.zone=x\n",
         NULL,
         NULL,
         {{"ns.zone", "x"}, {NULL, NULL}},
         "dotted variable name kept whole"},
        {"\troleboot.role=tab\t\troleboot.var.k=v\n\n",
         "tab",
         NULL,
         {{"k", "v"}, {NULL, NULL}},
         "tabs and newlines separate words"},
        {"  roleboot.role=lead   roleboot.var.k=v   \n",
         "lead",
         NULL,
         {{"k", "v"}, {NULL, NULL}},
         "runs of blanks"},
        {"roleboot.role roleboot.pubkey roleboot.var.x roleboot.var.=v roleboot.other=1 "
         "roleboot.rolex=y roleboot.roles=z xroleboot.role=w roleboot.var=q ROLEBOOT.ROLE=u\n",
         NULL,
         NULL,
         {{NULL, NULL}},
         "unrelated and malformed words ignored"},
        {"roleboot.role= roleboot.var.k=\"a\"\"b\"\n",
         "",
         NULL,
         {{"k", "ab"}, {NULL, NULL}},
         "empty role; adjacent quoted parts join"},
};

static void table(void)
{
	char what[512];
	struct kcmdline k;
	size_t i, j, n;
	int ret, vars_ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ccase *c = &cases[i];

		memset(&k, 0x5a, sizeof(k));
		ret = read_text(c->text, strlen(c->text), &k);
		snprintf(what, sizeof(what), "%s: read", c->what);
		OK(ret == 0, what);
		if (ret)
			continue;
		snprintf(what, sizeof(what), "%s: role", c->what);
		OK(streq(k.role, c->role), what);
		snprintf(what, sizeof(what), "%s: pubkey", c->what);
		OK(streq(k.pubkey, c->pubkey), what);
		for (n = 0; c->vars[n].name; n++)
			;
		vars_ok = k.nvars == n;
		for (j = 0; vars_ok && j < n; j++)
			vars_ok = streq(k.names[j], c->vars[j].name) &&
			          streq(k.values[j], c->vars[j].value);
		snprintf(what, sizeof(what), "%s: %zu var(s)", c->what, n);
		OK(vars_ok, what);
		kcmdline_release(&k);
		OK(k.role == NULL && k.pubkey == NULL && k.nvars == 0 && k.names == NULL,
		   "kcmdline_release clears the struct");
	}
}

/* kcmdline_parse on the table's texts gives what kcmdline_read gives. */
static void memory(void)
{
	char what[512];
	struct kcmdline a, b;
	size_t i, j;
	int same;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ccase *c = &cases[i];

		if (read_text(c->text, strlen(c->text), &a) < 0)
			continue;
		memset(&b, 0x5a, sizeof(b));
		same = kcmdline_parse(&b, c->text, strlen(c->text)) == 0 && streq(a.role, b.role) &&
		       streq(a.pubkey, b.pubkey) && a.nvars == b.nvars;
		for (j = 0; same && j < a.nvars; j++)
			same = streq(a.names[j], b.names[j]) && streq(a.values[j], b.values[j]);
		snprintf(what, sizeof(what), "%s: same from memory", c->what);
		OK(same, what);
		kcmdline_release(&a);
		kcmdline_release(&b);
	}
	OK(kcmdline_parse(&b, NULL, 0) == 0 && !b.role && !b.nvars, "empty text from memory");
	kcmdline_release(&b);
}

static void errors(void)
{
	static const char nul[] = "roleboot.role=a\0b roleboot.var.k=v\n";
	struct kcmdline k;
	char *missing;
	int ret;

	missing = malloc(strlen(tmpdir) + 16);
	sprintf(missing, "%s/nope", tmpdir);
	setenv("ROLEBOOT_CMDLINE", missing, 1);
	capture_begin();
	ret = kcmdline_read(&k, 1);
	capture_end();
	OK(ret == -1 && strstr(errtext, missing), "missing file refused, named in the message");
	OK(k.role == NULL && k.nvars == 0, "missing file leaves nothing set");
	kcmdline_release(&k);
	capture_begin();
	ret = kcmdline_read(&k, 0);
	capture_end();
	OK(ret == 0 && k.role == NULL && k.nvars == 0 && !errtext[0],
	   "optional read of a missing file: empty and silent");
	kcmdline_release(&k);
	free(missing);

	/* an embedded NUL ends the word early but must not crash */
	ret = read_text(nul, sizeof(nul) - 1, &k);
	OK(ret == 0 && k.nvars == 1 && streq(k.values[0], "v"),
	   "a NUL byte does not derail later words");
	if (!ret)
		kcmdline_release(&k);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/cmdline", tmpdir);
	table();
	memory();
	errors();
	unlink(path);
	rmdir(tmpdir);
	return unit_done();
}
