/*
 * fuzz_state.c — the state file's parser (state_parse) on arbitrary input.
 * Besides crashes and leaks it checks what the parser promises on success:
 * present, a role and a bundle (perhaps ""), no string holding a newline,
 * var names without '=', file paths absolute; and that the state written
 * back (state_format) reads back to the same state and the same text.  On
 * failure the state is released (zeroed).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s)
{
	if (!s || strchr(s, '\n'))
		abort();
}

static void check(const struct state *st)
{
	size_t i;

	if (!st->present || !st->has_version)
		abort();
	check_string(st->role);
	check_string(st->bundle);
	if (st->source)
		check_string(st->source);
	if (strchr(st->blake2b, '\n') || strchr(st->sha256, '\n') || strchr(st->keyid, '\n'))
		abort();
	for (i = 0; i < st->nvars; i++) {
		check_string(st->vars[i].name);
		check_string(st->vars[i].value);
		if (!*st->vars[i].name || strchr(st->vars[i].name, '='))
			abort();
	}
	for (i = 0; i < st->n; i++) {
		check_string(st->files[i].path);
		check_string(st->files[i].owner);
		check_string(st->files[i].group);
		if (st->files[i].path[0] != '/' || strchr(st->files[i].sha256, '\n'))
			abort();
	}
}

/* state_format of st reads back to the same state, written the same. */
static void round_trip(const struct state *st)
{
	struct buf text = BUF_INIT, again = BUF_INIT;
	struct state back;

	state_format(st, &text);
	if (state_parse("again", text.data, text.len, &back) < 0)
		abort();
	state_format(&back, &again);
	if (!state_same(st, &back) || back.time != st->time || text.len != again.len ||
	    memcmp(text.data, again.data, text.len))
		abort();
	state_release(&back);
	buf_release(&text);
	buf_release(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct state zero;
	struct state st;

	msg_set_silent(1);
	if (state_parse("state", (const char *)data, size, &st) == 0) {
		check(&st);
		round_trip(&st);
		state_release(&st);
	} else if (memcmp(&st, &zero, sizeof(st))) {
		abort();
	}
	return 0;
}
