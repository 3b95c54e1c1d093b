#!/usr/bin/env bash
# roleboot sync end to end: the fake Route 53 endpoint (every request's
# SigV4 signature checked by botocore, small pages, throttling) -> zone files
# -> a real named on 127.0.0.1 -> dig.  Changes reach named after the next
# sync; unchanged data rewrites nothing and reloads nothing.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"
. "$TESTS_DIR/route53.sh"
. "$TESTS_DIR/named.sh"

if ! have_botocore || ! have_named; then
	skip_rest "needs python3-botocore and bind9"
fi
export ROLEBOOT_BACKOFF_MS=20
# the shared data, and an alias at lab.example.com's apex to a load
# balancer: its addresses are looked up at sync time, from the resolver of
# the config, here the test named, which refuses names not its own
python3 - "$TESTS_DIR/data/sync/zones.json" "$T/zones.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["zones"][1]["records"].append({"Name": "lab.example.com.", "Type": "A", "AliasTarget": {
    "HostedZoneId": "Z35SXDOTRQ7X7K", "DNSName": "dualstack.x.elb.amazonaws.com.",
    "EvaluateTargetHealth": False}})
json.dump(d, open(sys.argv[2], "w"))
PY
cp "$T/zones.json" "$T/data.json"
start_fake_route53 "$T/data.json" --page-size 4 --throttle-every 5 ||
	{ not_ok "fake Route 53 did not start"; done_testing; exit 1; }
Z=$T/zones
mkdir -p "$Z" "$T/named"
start_named "$T/named" "
zone \"corp.example.com\" { type primary; file \"$Z/corp.example.com.zone\"; };
zone \"lab.example.com\" { type primary; file \"$Z/lab.example.com.zone\"; };" ||
	{ not_ok "named did not start"; done_testing; exit 1; }
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$R53_ACCESS_KEY" "$R53_SECRET_KEY" >"$T/aws.ini"
chmod 600 "$T/aws.ini"
cat >"$T/sync.ini" <<EOF2
[sync]
directory   = $Z
endpoint    = $R53_URL
credentials = $T/aws.ini
status      = $T/status
rndc        = $RNDC
resolver    = 127.0.0.1:$NAMED_PORT
[zone "corp.example.com"]
[zone "lab.example.com"]
id = Z2LAB
EOF2
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
# the node's root, whose lock each pass holds (not the host's /)
mkdir -p "$T/node"
sync() { run_rb sync --root "$T/node" --once --config "$T/sync.ini" "$@"; }

sync
check "first sync succeeds" [ "$rc" -eq 0 ]
check "every request was signed correctly" [ "$(r53_count 'sig=ok$')" -eq "$(r53_count '.')" ]
check "throttled requests were retried" [ "$(r53_count ' 400 sig=ok')" -gt 0 ]
check "pagination: several pages with continuation" [ "$(r53_count 'rrset\?.*name=')" -ge 5 ]
check "zone id looked up by name" [ "$(r53_count 'hostedzonesbyname\?dnsname=corp.example.com&maxitems=10 200')" -eq 1 ]
check "named-checkzone accepts the zone file" bash -c "named-checkzone corp.example.com $Z/corp.example.com.zone >/dev/null"
check "rndc reload ran for each zone" [ "$(named_reloads corp.example.com)" -eq 1 ]
check "dig: A" [ "$(ask www.corp.example.com A)" = 192.0.2.1 ]
check "dig: AAAA" [ "$(ask www.corp.example.com AAAA)" = 2001:db8::1 ]
check "dig: CNAME" [ "$(ask ftp.corp.example.com CNAME)" = www.corp.example.com. ]
check "dig: MX" [ "$(ask corp.example.com MX | sort | head -1)" = "10 mx1.corp.example.com." ]
check "dig: SRV" [ "$(ask _sip._tcp.corp.example.com SRV)" = "1 10 5060 sip.corp.example.com." ]
check "dig: CAA" [ "$(ask corp.example.com CAA)" = '0 issue "letsencrypt.org"' ]
check "dig: PTR" [ "$(ask 1.2.corp.example.com PTR)" = www.corp.example.com. ]
check "dig: NAPTR" grep -q 'E2U+sip' <(ask corp.example.com NAPTR)
check "dig: SPF" [ "$(ask corp.example.com SPF)" = '"v=spf1 ip4:192.0.2.0/24 -all"' ]
check "dig: wildcard from \\052" [ "$(ask anything.wild.corp.example.com A)" = 192.0.2.9 ]
check "TXT over 255 bytes split into strings" grep -q "\"$(printf 'x%.0s' $(seq 255))\" \"$(printf 'x%.0s' $(seq 45))\"" "$Z/corp.example.com.zone"
check "dig: long TXT reassembles to 300 bytes" [ "$(ask corp.example.com TXT | grep xxx | tr -d '" ' | wc -c)" -eq 301 ]
check "DS kept at the delegation" grep -Eq "^sub	300	IN	DS	12345 13 2 " "$Z/corp.example.com.zone"
check "alias in the same zone resolved" [ "$(ask app.corp.example.com A)" = 192.0.2.1 ]
check "alias into another synced zone resolved" [ "$(ask api.corp.example.com A)" = 198.51.100.7 ]
check "alias outside the synced zones: a CNAME to its target" \
	[ "$(ask lb.corp.example.com CNAME)" = dualstack.x.elb.amazonaws.com. ]
check "... with the alias TTL (60 by default)" \
	grep -Eq "^lb	60	IN	CNAME	dualstack.x.elb.amazonaws.com.$" "$Z/corp.example.com.zone"
check "apex alias whose addresses cannot be looked up: left out" [ -z "$(ask lab.example.com A)" ]
check "... with a warning" grep -q "zone lab.example.com: alias lab.example.com. A -> dualstack.x.elb.amazonaws.com.: a CNAME may not be there and its A lookup failed (REFUSED): left out" "$T/err"
check "weighted: only weight > 0 served" [ "$(ask w.corp.example.com A)" = 192.0.2.20 ]
check "failover: only PRIMARY served" [ "$(ask f.corp.example.com A)" = 192.0.2.30 ]
check "geolocation: values united, once each" [ "$(ask geo.corp.example.com A | sort | tr '\n' ' ')" = "192.0.2.40 192.0.2.41 " ]
check "geolocation: the smallest TTL" grep -Eq "^geo	60	IN	A	192.0.2.41$" "$Z/corp.example.com.zone"
check "status records zone, records and serial" \
	grep -q "^records $(grep -c '	IN	' "$Z/corp.example.com.zone")$" "$T/status"
serial1=$(awk '/SOA/ {print $7}' "$Z/corp.example.com.zone")

# nothing changed: no rewrite, no reload
sum=$(sha256sum "$Z/corp.example.com.zone"); mt=$(stat -c %y "$Z/corp.example.com.zone")
labsum=$(sha256sum "$Z/lab.example.com.zone")
check "each pass took the lock of --root (the node's), not the host's" \
	[ -e "$T/node/var/lib/roleboot/lock" ]
expect_fail 8 "$T/no-such-root/var/lib/roleboot/lock: cannot take the lock" \
	"sync --root of a missing folder" sync --root "$T/no-such-root" --once --config "$T/sync.ini"
sync
check "second sync succeeds" [ "$rc" -eq 0 ]
check "unchanged data: byte-identical file" [ "$(sha256sum "$Z/corp.example.com.zone")" = "$sum" ]
check "unchanged data: file not rewritten (mtime)" [ "$(stat -c %y "$Z/corp.example.com.zone")" = "$mt" ]
check "unchanged data: no rndc reload" [ "$(named_reloads corp.example.com)" -eq 1 ]
check "status says unchanged" grep -q "^changed no$" "$T/status"

# -q: a warning once per change.  Without -q it repeats on every pass; with
# -q a pass prints only the warnings the previous pass (its status file) did
# not give: a changed cause warns again, one that went away and came back too.
LB='alias lab.example.com. A -> dualstack.x.elb.amazonaws.com.: a CNAME may not be there and its A lookup failed'
check "without -q the warning repeats on the next pass" grep -q "$LB" "$T/err"
sed "s|^status .*|status      = $T/status-q|" "$T/sync.ini" >"$T/sync-q.ini"
syncq() { run_rb sync --root "$T/node" --once -q --config "$T/sync-q.ini"; }
set_alias() { # set_alias TARGET|none: the alias target of lab.example.com's apex
	python3 - "$T/data.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
recs = d["zones"][1]["records"]
keep = [r for r in recs if r["Name"] != "lab.example.com." or r["Type"] != "A"]
lb = [r for r in recs if r["Name"] == "lab.example.com." and r["Type"] == "A"] or [{"Name": "lab.example.com.",
    "Type": "A", "AliasTarget": {"HostedZoneId": "Z35SXDOTRQ7X7K", "EvaluateTargetHealth": False}}]
if sys.argv[2] != "none":
    lb[0]["AliasTarget"]["DNSName"] = sys.argv[2]
    keep += lb
d["zones"][1]["records"] = keep
json.dump(d, open(sys.argv[1], "w"))
PY
}
syncq
check "-q, first pass: exit 0" [ "$rc" -eq 0 ]
check "-q, first pass: the warning is given" grep -q "$LB" "$T/err"
check "-q, first pass: the status file remembers it" grep -Eq '^warned [0-9a-f]{16}$' "$T/status-q"
syncq
check "-q, second pass: exit 0" [ "$rc" -eq 0 ]
check "-q, second pass: the same warning is not repeated" [ ! -s "$T/err" ]
cat "$T/err" | sed 's/^/# /'
set_alias other.x.elb.amazonaws.com.
syncq
check "-q, changed cause: warned again, with the new target" \
	grep -q "alias lab.example.com. A -> other.x.elb.amazonaws.com.: a CNAME may not be there" "$T/err"
check "... and only that once" [ "$(grep -c warning: "$T/err")" -eq 1 ]
syncq
check "-q, changed cause, next pass: quiet again" [ ! -s "$T/err" ]
set_alias none
syncq
check "-q, cause gone: no warning" [ ! -s "$T/err" ]
check "-q, cause gone: forgotten in the status file" bash -c "! grep -q '^warned ' '$T/status-q'"
set_alias dualstack.x.elb.amazonaws.com.
syncq
check "-q, cause back: warned again" grep -q "$LB" "$T/err"
check "the zone file never changed (the alias is left out throughout)" \
	[ "$(sha256sum "$Z/lab.example.com.zone")" = "$labsum" ]
cp "$T/zones.json" "$T/data.json"
sync
check "without -q the warning is given though -q runs had given it" grep -q "$LB" "$T/err"

# a record changes in Route 53: the next sync brings it to named
python3 - "$T/data.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["zones"][0]["records"]:
    if r["Name"] == "www.corp.example.com." and r["Type"] == "A":
        r["ResourceRecords"] = ["192.0.2.99"]
json.dump(d, open(sys.argv[1], "w"))
PY
sleep 1
sync
check "changed data: sync succeeds" [ "$rc" -eq 0 ]
check "changed data: new serial" [ "$(awk '/SOA/ {print $7}' "$Z/corp.example.com.zone")" -gt "$serial1" ]
check "changed data: one more reload" [ "$(named_reloads corp.example.com)" -eq 2 ]
check "changed data: named answers the new address" [ "$(ask www.corp.example.com A)" = 192.0.2.99 ]
check "changed data: the other zone untouched" [ "$(named_reloads lab.example.com)" -eq 1 ]

# a zone named-checkzone refuses keeps its old file
sum=$(sha256sum "$Z/corp.example.com.zone")
# status_field ZONE KEY: that zone's KEY line of the status file
status_field() { awk -v z="$1" -v k="$2" '$1 == "zone" {cur = $2} cur == z && $1 == k {print $2}' "$T/status"; }
good_records=$(status_field corp.example.com records)
good_serial=$(status_field corp.example.com serial)
python3 - "$T/data.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["zones"][0]["records"].append({"Name": "www.corp.example.com.", "Type": "CNAME", "TTL": 300, "ResourceRecords": ["ftp.corp.example.com."]})
json.dump(d, open(sys.argv[1], "w"))
PY
sync
check "zone refused by named-checkzone: exit 7" [ "$rc" -eq 7 ]
check "... named in the error" grep -q "zone corp.example.com: named-checkzone failed" "$T/err"
check "... old file kept" [ "$(sha256sum "$Z/corp.example.com.zone")" = "$sum" ]
check "... no temporary file left" [ -z "$(find "$Z" -name '.*')" ]
check "... reported in the status file" grep -q "^last_error zone corp.example.com: named-checkzone failed" "$T/status"
check "... the status keeps the last good record count" [ "$(status_field corp.example.com records)" = "$good_records" ]
check "... and the last good serial" [ "$(status_field corp.example.com serial)" = "$good_serial" ]
check "... which is the serial of the file named serves" \
	[ "$(awk '/SOA/ {print $7}' "$Z/corp.example.com.zone")" = "$good_serial" ]
check "... named still answers" [ "$(ask www.corp.example.com A)" = 192.0.2.99 ]
cp "$T/zones.json" "$T/data.json"

# credentials and API errors
chmod 644 "$T/aws.ini"
sync
check "credentials file readable by others: refused (exit 3)" [ "$rc" -eq 3 ]
check "... says why" grep -q "mode 0644 is too open for AWS credentials" "$T/err"
chmod 600 "$T/aws.ini"
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = wrong\n[ops]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$R53_ACCESS_KEY" "$R53_ACCESS_KEY" "$R53_SECRET_KEY" >"$T/aws.ini"
sync
check "wrong secret: exit 4" [ "$rc" -eq 4 ]
check "... the status keeps records and serial of the last success" \
	[ "$(status_field corp.example.com records) $(status_field corp.example.com serial)" = "$good_records $good_serial" ]
check "... with the error beside them" grep -q "^last_error route53: .*SignatureDoesNotMatch" "$T/status"
check "... with the AWS error code" grep -q "AWS error SignatureDoesNotMatch" "$T/err"
AWS_PROFILE=ops sync
check "AWS_PROFILE picks the profile" [ "$rc" -eq 0 ]
sed -i "/^credentials/d" "$T/sync.ini"
AWS_ACCESS_KEY_ID=$R53_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$R53_SECRET_KEY sync
check "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY honoured" [ "$rc" -eq 0 ]
sed -i "/^endpoint/d" "$T/sync.ini"
AWS_ENDPOINT_URL_ROUTE_53=$R53_URL AWS_SHARED_CREDENTIALS_FILE=$T/aws.ini AWS_PROFILE=ops sync
check "AWS_ENDPOINT_URL_ROUTE_53 and AWS_SHARED_CREDENTIALS_FILE honoured" [ "$rc" -eq 0 ]
printf '[sync]\ndirectory = %s\nendpoint = %s\n[zone "nosuch.example.com"]\n' "$Z" "$R53_URL" >"$T/bad.ini"
AWS_PROFILE=ops AWS_SHARED_CREDENTIALS_FILE=$T/aws.ini run_rb sync --root "$T/node" --once --config "$T/bad.ini"
check "unknown zone: exit 4, named" bash -c "[ $rc -eq 4 ] && grep -q 'no hosted zone named nosuch.example.com' '$T/err'"
printf '[sync]\ndirectory = %s\nintervall = 5\n' "$Z" >"$T/typo.ini"
run_rb sync --root "$T/node" --once --config "$T/typo.ini"
check "config typo: exit 3 with file:line" bash -c "[ $rc -eq 3 ] && grep -q 'typo.ini:3: unknown key .intervall.' '$T/err'"

# loop mode ends cleanly on SIGTERM
printf '[sync]\ndirectory = %s\nendpoint = %s\ninterval = 60\nstatus = %s/status2\n[zone "lab.example.com"]\n' "$Z" "$R53_URL" "$T" >"$T/loop.ini"
AWS_PROFILE=ops AWS_SHARED_CREDENTIALS_FILE=$T/aws.ini "$ROLEBOOT" sync --root "$T/node" --config "$T/loop.ini" 2>"$T/loop.err" &
pid=$!
for _ in $(seq 50); do [ -s "$T/status2" ] && break; sleep 0.1; done
kill -TERM "$pid"; wait "$pid"; lrc=$?
check "loop mode: SIGTERM ends it with exit 0" [ "$lrc" -eq 0 ]
check "loop mode: says so" grep -q "stopped by a signal" "$T/loop.err"
done_testing
