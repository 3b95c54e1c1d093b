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

# ---- aliases out of the synced zones --------------------------------------
# "the internet": a named serving the targets' zones, the resolver of the
# sync config; then the hidden primary that serves the synced zones
mkdir -p "$T/up"
cat >"$T/up/elb.zone" <<'EOF2'
$TTL 300
@	IN SOA ns.elb.amazonaws.com. hostmaster.elb.amazonaws.com. 1 3600 600 86400 300
@	IN NS ns.elb.amazonaws.com.
ns	IN A 127.0.0.1
dualstack.x	IN A 192.0.2.80
dualstack.x	IN A 192.0.2.81
dualstack.x	IN AAAA 2001:db8::80
EOF2
start_named "$T/up" "zone \"elb.amazonaws.com\" { type primary; file \"$T/up/elb.zone\"; };" ||
	{ not_ok "upstream named did not start"; done_testing; exit 1; }
UP_PORT=$NAMED_PORT UP_RNDC=$RNDC
$UP_RNDC querylog on >/dev/null
start_named "$T/named" "
zone \"alias.example.com\" { type primary; file \"$Z/alias.example.com.zone\"; };
zone \"bad.example.com\" { type primary; file \"$Z/bad.example.com.zone\"; };" ||
	{ not_ok "named did not start"; done_testing; exit 1; }
ELB=Z35SXDOTRQ7X7K LB=dualstack.x.elb.amazonaws.com.
{
	echo '{"zones": ['
	zone Z5AL alias.example.com false \
		"$(alias alias.example.com. A $ELB $LB)" "$(alias alias.example.com. AAAA $ELB $LB)" \
		"$(alias www.alias.example.com. A Z2FDTNDATAQYW2 d111.cloudfront.net.)" \
		"$(alias www.alias.example.com. AAAA Z2FDTNDATAQYW2 d111.cloudfront.net.)" \
		"$(alias mixed.alias.example.com. A $ELB $LB)" \
		"$(a mixed.alias.example.com. TXT 300 '\"v=spf1 -all\"')" \
		"$(alias in.alias.example.com. A Z6BAD ok.bad.example.com.)"
	echo ,
	zone Z6BAD bad.example.com false \
		"$(alias bad.example.com. A $ELB nx.elb.amazonaws.com.)" \
		"$(a ok.bad.example.com. A 300 192.0.2.6)"
	echo ']}'
} >"$T/alias.json"
: >"$T/r53.log"
start_fake_route53 "$T/alias.json" ||
	{ not_ok "fake Route 53 did not start"; done_testing; exit 1; }
rm -f "$T/status"
config "rndc = $RNDC" "resolver = 127.0.0.1:$UP_PORT" -- \
	'[zone "alias.example.com"]' '[zone "bad.example.com"]'
sync
F=$Z/alias.example.com.zone
check "aliases: sync passes (a failed lookup is a warning)" [ "$rc" -eq 0 ]
sed 's/^/# /' "$F"
check "named-checkzone accepts the zone with aliases" \
	bash -c "named-checkzone alias.example.com $F >/dev/null"
check "apex A alias: the target's addresses, looked up, with the alias TTL" \
	[ "$(grep -Ec "^@	60	IN	A	192.0.2.8[01]$" "$F")" -eq 2 ]
check "apex AAAA alias: the target's AAAA" grep -Eq "^@	60	IN	AAAA	2001:db8::80$" "$F"
check "apex: no CNAME" bash -c "! grep -Eq '^@	.*CNAME' '$F'"
check "dig at the primary: apex A" [ "$(ask alias.example.com A | sort | tr '\n' ' ')" = "192.0.2.80 192.0.2.81 " ]
check "dig at the primary: apex AAAA" [ "$(ask alias.example.com AAAA)" = 2001:db8::80 ]
check "non-apex alias out of the synced zones: one CNAME to its DNSName" \
	[ "$(grep -c "^www	60	IN	CNAME	d111.cloudfront.net.$" "$F")" -eq 1 ]
check "dig at the primary: the CNAME" [ "$(ask www.alias.example.com CNAME)" = d111.cloudfront.net. ]
check "alias beside a TXT: addresses, no CNAME" \
	bash -c "grep -q '^mixed	60	IN	A	192.0.2.80$' '$F' && ! grep -q '^mixed.*CNAME' '$F'"
check "alias into a synced zone: its records, as before" [ "$(ask in.alias.example.com A)" = 192.0.2.6 ]
check "the lookups went to the configured resolver" \
	grep -q "client .*query: dualstack.x.elb.amazonaws.com IN A +" "$T/up/named.log"
check "failed lookup (NXDOMAIN): the apex alias left out" bash -c "! grep -q '^@	.*	A	' '$Z/bad.example.com.zone'"
check "... the rest of that zone synced" grep -q "^ok	300	IN	A	192.0.2.6$" "$Z/bad.example.com.zone"
NX='zone bad.example.com: alias bad.example.com. A -> nx.elb.amazonaws.com.: a CNAME may not be there and its A lookup failed (NXDOMAIN): left out'
check "... with a warning naming the alias and why" grep -qF "$NX" "$T/err"
sync -q
check "-q: the same failed lookup is not warned again" bash -c "! grep -q 'nx.elb' '$T/err'"
serial=$(awk '/SOA/ {print $7}' "$F")
sum=$(sha256sum "$F")
sync
check "same addresses: the file stays as it was" [ "$(sha256sum "$F")" = "$sum" ]
sed -i 's/192.0.2.81/192.0.2.82/' "$T/up/elb.zone"
sed -i 's/^@	IN SOA \(.*\) 1 3600/@	IN SOA \1 2 3600/' "$T/up/elb.zone"
$UP_RNDC reload elb.amazonaws.com >/dev/null
sleep 1
sync
check "the target's addresses changed: the next pass follows" \
	[ "$(ask alias.example.com A | sort | tr '\n' ' ')" = "192.0.2.80 192.0.2.82 " ]
check "... with a new serial" [ "$(awk '/SOA/ {print $7}' "$F")" -gt "$serial" ]
config "alias-ttl = 120" "resolver = 127.0.0.1:$(free_port), 127.0.0.1:$UP_PORT" -- \
	'[zone "alias.example.com"]'
sync
check "alias-ttl sets the TTL of CNAMEs and looked-up addresses" \
	bash -c "grep -q '^www	120	IN	CNAME	' '$F' && grep -q '^@	120	IN	A	192.0.2.80$' '$F'"
check "a resolver that does not answer: the next one is asked" [ "$rc" -eq 0 ]
config "resolver = 127.0.0.1:$(free_port)" -- '[zone "alias.example.com"]'
sum=$(sha256sum "$F")
sync
check "no resolver answers: warned, the apex addresses left out, the zone synced" \
	bash -c "[ $rc -eq 0 ] && grep -q 'alias alias.example.com. A -> $LB: a CNAME may not be there and its A lookup failed (no answer' '$T/err' && ! grep -q '^@	120	IN	A	' '$F'"
config "resolver = 127.0.0.1:99999" -- '[zone "alias.example.com"]'
sync
check "a malformed resolver: refused with file:line (exit 3)" \
	bash -c "[ $rc -eq 3 ] && grep -q \"sync.ini:6: resolver '127.0.0.1:99999' is not ADDR\" '$T/err'"
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
start_fake_route53 "$T/many.json" --throttle-every 4 --times "$T/r53.times" ||
	{ not_ok "fake Route 53 did not start"; done_testing; exit 1; }
zones=()
for i in $(seq 1 12); do zones+=("[zone \"t$i.example.com\"]" "id = Z7T$i"); done
config -- "${zones[@]}"
rm -f "$T/status"
ROLEBOOT_BACKOFF_MS=200 sync
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
