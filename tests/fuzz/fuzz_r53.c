/* fuzz_r53.c — the Route 53 answer parser and the zone renderer: the input
 * is parsed as a ListResourceRecordSets answer and, when it parses, the
 * records are rendered as a zone file. */
#include <stddef.h>
#include <stdint.h>

#include "r53.h"
#include "util.h"
#include "zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct r53_records recs = {NULL, 0, 0, NULL};
	struct zone_src z = {"corp.example.com", "Z1", &recs, &recs, 60};
	struct buf out = BUF_INIT;
	size_t n;

	msg_set_silent(1);
	if (size < (1u << 20) && r53_parse((const char *)data, size, &recs) == 0)
		zone_render(&z, &z, 1, 7, 0, &out, &n);
	buf_release(&out);
	r53_records_release(&recs);
	return 0;
}
