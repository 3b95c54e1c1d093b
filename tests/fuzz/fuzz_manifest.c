/* fuzz_manifest.c — manifest parser and value typing on arbitrary input:
 * the input is a manifest; when it parses, its defaults are typed too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "valtree.h"
#include "manifest.h"
#include "util.h"
#include "vars.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct manifest m;
	struct tv *root;

	msg_set_silent(1);
	if (manifest_parse("manifest.ini", text, size, &m) == 0) {
		root = tv_map();
		vars_build(&m, NULL, NULL, 0, root);
		tv_free(root);
		manifest_release(&m);
	}
	free(text);
	return 0;
}
