#!/usr/bin/env bash
# roleboot sync loses no name: a zone name that is both a public and a
# private hosted zone is refused unless the config picks one; aliases out
# of the synced zones become a CNAME, or at the apex the addresses a real
# named (the "internet", on 127.0.0.1) gives for the target; throttling in
# one zone slows the requests of the zones after it.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"
. "$TESTS_DIR/route53.sh"
. "$TESTS_DIR/named.sh"

if ! have_botocore || ! have_named; then
	skip_rest "needs python3-botocore and bind9"
fi
export ROLEBOOT_BACKOFF_MS=20
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
SOA='ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'
# zone ID NAME PRIVATE [RECORD-JSON...]: one hosted zone of the data file,
# with an SOA and an NS set, printed as JSON
zone() {
	local id=$1 name=$2 private=$3 recs=
	shift 3
	[ $# -eq 0 ] || recs=$(printf ',%s' "$@")
	printf '{"id": "%s", "name": "%s.", "private": %s, "records": [
	{"Name": "%s.", "Type": "SOA", "TTL": 900, "ResourceRecords": ["%s"]},
	{"Name": "%s.", "Type": "NS", "TTL": 172800, "ResourceRecords": ["ns-1.awsdns-1.com."]}%s]}' \
		"$id" "$name" "$private" "$name" "$SOA" "$name" "${recs}"
}
a() { printf '{"Name": "%s", "Type": "%s", "TTL": %s, "ResourceRecords": ["%s"]}' "$@"; }
alias() { printf '{"Name": "%s", "Type": "%s", "AliasTarget": {"HostedZoneId": "%s", "DNSName": "%s", "EvaluateTargetHealth": false}}' "$@"; }
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$R53_ACCESS_KEY" "$R53_SECRET_KEY" >"$T/aws.ini"
chmod 600 "$T/aws.ini"
Z=$T/zones
mkdir -p "$Z" "$T/node"
sync() { run_rb sync --root "$T/node" --once --config "$T/sync.ini" "$@"; }
# config [SYNC-LINES] -- ZONE-SECTION-LINES...: $T/sync.ini
config() {
	{
		printf '[sync]\ndirectory = %s\nendpoint = %s\ncredentials = %s\nstatus = %s\n' \
			"$Z" "$R53_URL" "$T/aws.ini" "$T/status"
		while [ $# -gt 0 ] && [ "$1" != -- ]; do echo "$1"; shift; done
		[ $# -gt 0 ] && shift
		for l in "$@"; do echo "$l"; done
	} >"$T/sync.ini"
}

# ---- a public and a private hosted zone of one name -----------------------
{
	echo '{"zones": ['
	zone Z9PUB dup.example.com false "$(a www.dup.example.com. A 300 192.0.2.1)"; echo ,
	zone Z9PRIV dup.example.com true "$(a www.dup.example.com. A 300 10.0.0.1)"; echo ,
	zone Z8ONE one.example.com true "$(a www.one.example.com. A 300 10.0.0.8)"
	echo ']}'
} >"$T/dup.json"
start_fake_route53 "$T/dup.json" --page-size 1 ||
	{ not_ok "fake Route 53 did not start"; done_testing; exit 1; }
config -- '[zone "dup.example.com"]' '[zone "one.example.com"]'
sync
check "public and private zone of one name: refused (exit 4)" [ "$rc" -eq 4 ]
check "... the error names both ids" \
	grep -q "hosted zones Z9PRIV (private) and Z9PUB (public) are all named dup.example.com: pick one with 'id =' or 'private = yes|no'" "$T/err"
check "... no zone file for it" [ ! -e "$Z/dup.example.com.zone" ]
check "... the other zone synced" grep -q "10.0.0.8" "$Z/one.example.com.zone"
check "... the status names the error" grep -q "^last_error route53: hosted zones Z9PRIV" "$T/status"
check "the zones of the name were listed across pages (hostedzoneid)" \
	[ "$(r53_count 'hostedzonesbyname\?dnsname=dup.example.com&hostedzoneid=Z9PUB&maxitems=10 200')" -eq 1 ]
config -- '[zone "dup.example.com"]' 'private = yes' '[zone "one.example.com"]'
sync
check "private = yes: synced" [ "$rc" -eq 0 ]
check "... from the private zone" grep -Eq "^www	300	IN	A	10.0.0.1$" "$Z/dup.example.com.zone"
check "... whose id the file names" grep -q "hosted zone Z9PRIV" "$Z/dup.example.com.zone"
config -- '[zone "dup.example.com"]' 'private = no' '[zone "one.example.com"]'
sync
check "private = no: the public zone" grep -Eq "^www	300	IN	A	192.0.2.1$" "$Z/dup.example.com.zone"
config -- '[zone "dup.example.com"]' 'id = Z9PRIV' '[zone "one.example.com"]'
sync
check "id = picks one too" grep -Eq "^www	300	IN	A	10.0.0.1$" "$Z/dup.example.com.zone"
config -- '[zone "one.example.com"]' 'private = no'
sync
check "private = no where only a private zone has the name: exit 4" [ "$rc" -eq 4 ]
check "... says so" grep -q "no public hosted zone named one.example.com" "$T/err"
stop_pid "$R53_PID"

# ---- throttling slows the zones after the throttled one -------------------
# 12 zones of one page each, every 4th request throttled (every 8th a 503).
# Each log line of the fake is stamped as it is written (tail -F), so the
# test sees the pauses between requests as the API would.
{
	echo '{"zones": ['
	for i in $(seq 1 12); do
		[ "$i" -gt 1 ] && echo ,
		zone "Z7T$i" "t$i.example.com" false
	done
	echo ']}'
} >"$T/many.json"
: >"$T/r53.log"
start_fake_route53 "$T/many.json" --throttle-every 4 ||
	{ not_ok "fake Route 53 did not start"; done_testing; exit 1; }
zones=()
for i in $(seq 1 12); do zones+=("[zone \"t$i.example.com\"]" "id = Z7T$i"); done
config -- "${zones[@]}"
rm -f "$T/status"
tail -n 0 -F --pid=$$ "$T/r53.log" 2>/dev/null |
	while IFS= read -r l; do echo "$EPOCHREALTIME $l"; done >"$T/r53.times" &
cleanup_add "stop_pid $!"
sleep 0.3
ROLEBOOT_BACKOFF_MS=200 sync
sleep 0.5
check "throttled pass: exit 0" [ "$rc" -eq 0 ]
requests=$(wc -l <"$T/r53.times")
throttles=$(grep -Ec ' (400|503) sig=ok$' "$T/r53.times")
check "the fake throttled some requests" [ "$throttles" -ge 3 ]
check "each throttled request retried once: requests = zones + throttles" \
	[ "$requests" -eq $((12 + throttles)) ]
check "roleboot counts the same requests and throttles" \
	grep -q "12 zones: 12 changed, 0 failed, 0 reloads, $requests API requests ($throttles throttled)" "$T/err"
# gaps: for each throttled request (line i), line i+1 is its retry and line
# i+2 the first request of the next zone, which must wait the carried pace
# (200 ms after a throttle, a quarter less after the retry's success: 150)
awk '{ t[NR] = $1; s[NR] = $4 }
     END { for (i = 1; i + 2 <= NR; i++) if (s[i] != 200) {
             printf "%d %d\n", (t[i + 2] - t[i + 1]) * 1000, (t[i + 1] - t[i]) * 1000 } }' \
	"$T/r53.times" >"$T/gaps"
sed 's/^/# next zone after ms, retry after ms: /' "$T/gaps"
check "the next zone after a throttled one waits the carried pace (>= 140 ms)" \
	awk '$1 < 140 { bad = 1 } END { exit bad || NR == 0 }' "$T/gaps"
check "the retry itself waits at least the pace (>= 190 ms)" \
	awk '$2 < 190 { bad = 1 } END { exit bad || NR == 0 }' "$T/gaps"
# without throttling in between, zones follow each other without pauses
awk '{ t[NR] = $1; s[NR] = $4 } END { for (i = 2; i <= NR; i++) print (t[i] - t[i - 1]) * 1000 }' \
	"$T/r53.times" | sort -n | head -1 >"$T/fastest"
check "before any throttling, requests follow without a pause (< 100 ms)" awk '$1 >= 100 { exit 1 }' "$T/fastest"
stop_pid "$R53_PID"

done_testing
