#!/usr/bin/env bash
# make bench, part 4: sync a 100,000-record zone from the fake Route 53
# endpoint (tests/fake_route53.py on 127.0.0.1, pages of 300) with
# `roleboot sync --once`, against what users write today in the same run:
# Debian's `aws route53 list-resource-record-sets --endpoint-url` converted
# to a zone file with jq.  Prints medians, the ratio, and the peak RSS of
# roleboot and of the aws process, with their ratio and the 32 MiB goal.
set -u
: "${ROLEBOOT:?set ROLEBOOT to the roleboot binary}"
here=$(cd "$(dirname "$0")/.." && pwd)
TESTS_DIR=$here
. "$here/lib.sh"
. "$here/https.sh"
. "$here/route53.sh"
runs=${BENCH_RUNS:-3}
records=${BENCH_RECORDS:-100000}
AWS=/usr/bin/aws
[ -x "$AWS" ] && command -v jq >/dev/null || { echo "bench: install awscli and jq" >&2; exit 1; }
/usr/bin/python3 - "$T/data.json" "$records" <<'PY'
import json, sys
n = int(sys.argv[2])
recs = [{"Name": "big.example.com.", "Type": "SOA", "TTL": 900,
         "ResourceRecords": ["ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]},
        {"Name": "big.example.com.", "Type": "NS", "TTL": 172800, "ResourceRecords": ["ns-1.awsdns-1.com."]}]
for i in range(n - 2):
    recs.append({"Name": "h%06d.big.example.com." % i, "Type": "A", "TTL": 300,
                 "ResourceRecords": ["10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)]})
json.dump({"zones": [{"id": "ZBIG", "name": "big.example.com.", "records": recs}]}, open(sys.argv[1], "w"))
PY
start_fake_route53 "$T/data.json" --page-size 300 >/dev/null || exit 1
mkdir -p "$T/z"
printf '[sync]\ndirectory = %s\nendpoint = %s\ncheckzone = true\nstatus = %s/status\n[zone "big.example.com"]\nid = ZBIG\n' \
	"$T/z" "$R53_URL" "$T" >"$T/sync.ini"
export AWS_ACCESS_KEY_ID=$R53_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$R53_SECRET_KEY AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_MAX_ATTEMPTS=1

rb() { rm -f "$T/z/big.example.com.zone"; "$ROLEBOOT" sync -q --once --config "$T/sync.ini"; }
base() {
	"$AWS" route53 list-resource-record-sets --hosted-zone-id ZBIG --endpoint-url "$R53_URL" \
		--page-size 300 --output json |
		jq -r '.ResourceRecordSets[] | .Name as $n | .Type as $t | .TTL as $ttl |
			.ResourceRecords[]? | "\($n)\t\($ttl)\tIN\t\($t)\t\(.Value)"' >"$T/base.zone"
}
. "$(dirname "${BASH_SOURCE[0]}")/timing.sh"
rb; base
got=$(grep -c '	IN	' "$T/z/big.example.com.zone"); want=$(wc -l <"$T/base.zone")
[ "$got" -eq "$want" ] || { echo "bench: roleboot wrote $got records, the baseline $want" >&2; exit 1; }
: >"$T/rb.ms"; : >"$T/base.ms"
for _ in $(seq 1 "$runs"); do
	ms rb >>"$T/rb.ms"
	ms base >>"$T/base.ms"
done
r=$(median <"$T/rb.ms"); b=$(median <"$T/base.ms")
# peak RSS (GNU time %M) of each side, the largest of BENCH_RSS_RUNS runs:
# roleboot, and the aws process of the baseline (jq, which only streams
# lines, is left out)
: >"$T/rb.rss"; : >"$T/base.rss"
for _ in $(seq 1 "${BENCH_RSS_RUNS:-3}"); do
	rm -f "$T/z/big.example.com.zone"
	/usr/bin/time -o "$T/rss" -f %M "$ROLEBOOT" sync -q --once --config "$T/sync.ini" >/dev/null && cat "$T/rss" >>"$T/rb.rss"
	/usr/bin/time -o "$T/rss" -f %M "$AWS" route53 list-resource-record-sets --hosted-zone-id ZBIG \
		--endpoint-url "$R53_URL" --page-size 300 --output json >/dev/null && cat "$T/rss" >>"$T/base.rss"
done
rss=$(sort -n "$T/rb.rss" | tail -1); brss=$(sort -n "$T/base.rss" | tail -1)
mib() { echo "scale=1; $1 / 1024" | bc; }
printf 'sync %d records (%d pages): roleboot %.0f ms   aws cli + jq %.0f ms   ratio %.2f (roleboot/baseline, median of %d)\n' \
	"$records" $(((records + 299) / 300)) "$r" "$b" "$(echo "scale=4; $r / $b" | bc)" "$runs"
printf 'sync peak RSS: roleboot %.1f MiB   aws cli %.1f MiB   ratio %.2f (roleboot/aws, largest of %d); goal at most 32 MiB: %s\n' \
	"$(mib "$rss")" "$(mib "$brss")" "$(echo "scale=4; $rss / $brss" | bc)" "${BENCH_RSS_RUNS:-3}" \
	"$([ "$rss" -le $((32 * 1024)) ] && echo met || echo missed)"
printf 'zone file %d bytes; both times include the same fake endpoint\n' "$(wc -c <"$T/z/big.example.com.zone")"
