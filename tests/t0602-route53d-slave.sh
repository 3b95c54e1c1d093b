#!/usr/bin/env bash
# roleboot route53d, [slave] zones: a real named as the zone's primary sends
# NOTIFY, route53d takes the zone by AXFR and mirrors it into the fake
# Route 53 (SigV4 checked by botocore): new and changed record sets written,
# removed ones deleted, the SOA, the apex NS and Route 53's aliases kept.
# NOTIFY from another address is REFUSED and reaches no API.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"
. "$TESTS_DIR/route53.sh"
. "$TESTS_DIR/named.sh"

have_named || skip_rest "needs bind9 (named)"
have_botocore || skip_rest "needs python3-botocore"
command -v dig >/dev/null || skip_rest "needs dig (bind9-dnsutils)"
export ROLEBOOT_BACKOFF_MS=20 AWS_ENDPOINT_URL=http://127.0.0.1:9
Z=lab.example.com
cat >"$T/data.json" <<EOF2
{"zones": [{"id": "Z2LAB", "name": "$Z.", "records": [
 {"Name": "$Z.", "Type": "SOA", "TTL": 900,
  "ResourceRecords": ["ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]},
 {"Name": "$Z.", "Type": "NS", "TTL": 172800, "ResourceRecords": ["ns-1.awsdns-1.com."]},
 {"Name": "old.$Z.", "Type": "A", "TTL": 300, "ResourceRecords": ["192.0.2.99"]},
 {"Name": "same.$Z.", "Type": "A", "TTL": 300, "ResourceRecords": ["192.0.2.5"]},
 {"Name": "web.$Z.", "Type": "A", "TTL": 300, "ResourceRecords": ["192.0.2.1"]},
 {"Name": "cdn.$Z.", "Type": "A",
  "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111.cloudfront.net.",
                  "EvaluateTargetHealth": false}}
]}]}
EOF2
start_fake_route53 "$T/data.json" || { not_ok "fake Route 53 did not start"; done_testing; exit 1; }

# route53d first (named's NOTIFY goes to its port), then the primary
cat >"$T/r53d.ini.in" <<EOF2
[server]
processes = 1
listen_ip = 127.0.0.1
listen_port = 0
username = nobody
endpoint = $R53_URL
[hostedzone]
[tsig]
[slave]
$Z = 127.0.0.1:@NAMED_PORT@
EOF2
NAMED_PORT=$(free_port)
sed "s/@NAMED_PORT@/$NAMED_PORT/" "$T/r53d.ini.in" >"$T/r53d.ini"
chmod 600 "$T/r53d.ini"
AWS_ACCESS_KEY_ID=$R53_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$R53_SECRET_KEY \
	"$ROLEBOOT" route53d --config "$T/r53d.ini" --foreground 2>"$T/r53d.log" &
cleanup_add "stop_pid $!"
for _ in $(seq 100); do
	PORT=$(sed -n 's/.*listening on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$T/r53d.log")
	[ -n "$PORT" ] && break
	sleep 0.05
done
check "route53d started with one [slave] zone (no [hostedzone] entry)" [ -n "$PORT" ]

zonefile() { # zonefile SERIAL BODY
	printf '$TTL 300\n@ SOA ns1.%s. hostmaster.%s. %s 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.53\n%s\n' \
		"$Z" "$Z" "$1" "$2" >"$T/named/$Z.zone"
}
mkdir -p "$T/named"
zonefile 10 'same A 192.0.2.5
web A 192.0.2.1
web A 192.0.2.2
new 60 TXT "hello world"
*.wild A 192.0.2.7
cdn A 192.0.2.66'
start_named "$T/named" "
zone \"$Z\" { type primary; file \"$T/named/$Z.zone\"; notify explicit;
	also-notify { 127.0.0.1 port $PORT; }; allow-transfer { 127.0.0.1; }; };" "$NAMED_PORT" ||
	{ not_ok "named did not start"; done_testing; exit 1; }

# values NAME TYPE: "TTL v1 v2..." of the set in the fake's data, or ""
values() {
	"$R53_PYTHON" - "$T/data.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
out = []
for z in d["zones"]:
    for r in z["records"]:
        if r["Name"].lower() == sys.argv[2] and r["Type"] == sys.argv[3]:
            if "AliasTarget" in r:
                out.append("alias " + r["AliasTarget"]["DNSName"])
                continue
            vals = [v["Value"] if isinstance(v, dict) else v for v in r.get("ResourceRecords", [])]
            out.append("%s %s" % (r.get("TTL", "-"), " ".join(sorted(vals))))
print("|".join(out))
PY
}
# wait_log PATTERN: up to 10 s for route53d's log to match
wait_log() {
	for _ in $(seq 100); do
		grep -q -- "$1" "$T/r53d.log" && return 0
		sleep 0.1
	done
	sed 's/^/# /' "$T/r53d.log" | tail -5
	return 1
}

check "named's NOTIFY on load: route53d transferred serial 10" wait_log 'AXFR serial 10:'
check "a new name with its TXT" [ "$(values "new.$Z." TXT)" = '60 "hello world"' ]
check "a changed set: both values" [ "$(values "web.$Z." A)" = "300 192.0.2.1 192.0.2.2" ]
check "a wildcard" [ "$(values "\\052.wild.$Z." A)" = "300 192.0.2.7" ]
check "a name the primary no longer has is deleted" [ -z "$(values "old.$Z." A)" ]
check "the primary's own name ns1 is mirrored" [ "$(values "ns1.$Z." A)" = "300 192.0.2.53" ]
check "Route 53's SOA is kept" [ "$(values "$Z." SOA | cut -d' ' -f2)" = "ns-1.awsdns-1.com." ]
check "Route 53's apex NS is kept" [ "$(values "$Z." NS)" = "172800 ns-1.awsdns-1.com." ]
[ "$(values "cdn.$Z." A)" = "alias d111.cloudfront.net." ] && grep -q '1 sets left alone' "$T/r53d.log"
verdict "an alias is kept (the primary's A there is left alone)"
check "an unchanged set is not rewritten" bash -c "! grep -q 'same\\.$Z' '$T/r53.log'"
check "one change batch" [ "$(r53_count '^POST ')" -eq 1 ]
check "a [slave] zone not in [hostedzone]: its id looked up by name" \
	[ "$(r53_count '^GET /2013-04-01/hostedzonesbyname.*dnsname=lab.example.com')" -ge 1 ]

n=$(r53_count '^POST ')
$RNDC notify "$Z" >/dev/null 2>&1
check "NOTIFY again at the same serial: nothing sent" wait_log 'serial 10 already mirrored'
check "... no POST" [ "$(r53_count '^POST ')" -eq "$n" ]

zonefile 11 'same A 192.0.2.5
web A 192.0.2.2
new 60 TXT "hello again"'
$RNDC reload "$Z" >/dev/null 2>&1
check "a reload with serial 11: transferred again" wait_log 'AXFR serial 11:'
check "... web loses a value" [ "$(values "web.$Z." A)" = "300 192.0.2.2" ]
check "... the TXT changes" [ "$(values "new.$Z." TXT)" = '60 "hello again"' ]
check "... the wildcard goes" [ -z "$(values "\\052.wild.$Z." A)" ]

# a difference larger than one batch: 700 new names go in two batches
zonefile 12 "$(for i in $(seq 1 700); do echo "h$i A 192.0.2.$((i % 250 + 1))"; done)"
$RNDC reload "$Z" >/dev/null 2>&1
check "700 new names: transferred at serial 12" wait_log 'AXFR serial 12:'
check "... sent in 2 batches" grep -q 'AXFR serial 12: .* in 2 batches' "$T/r53d.log"
count_h() {
	"$R53_PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(sum(1 for z in d["zones"] for r in z["records"] if r["Name"].startswith("h")))' "$T/data.json"
}
check "... and Route 53 holds all 700" [ "$(count_h)" -eq 700 ]

n=$(r53_count '.')
dig -b 127.0.0.5 @127.0.0.1 -p "$PORT" +opcode=notify +norec +time=2 +tries=1 "$Z" SOA >"$T/dig.out" 2>&1
check "NOTIFY from another address: REFUSED" grep -q 'status: REFUSED' "$T/dig.out"
dig @127.0.0.1 -p "$PORT" +opcode=notify +norec +time=2 +tries=1 other.example.com SOA >"$T/dig.out" 2>&1
check "NOTIFY of a zone not in [slave]: NOTAUTH" grep -q 'status: NOTAUTH' "$T/dig.out"
sleep 0.5
check "... neither reached the API" [ "$(r53_count '.')" -eq "$n" ]

printf '[server]\nlisten_ip = 127.0.0.1\n[slave]\nx.example.com = primary\n' >"$T/bad.ini"
expect_fail 3 'bad.ini:4: \[slave\] expected' "a [slave] primary that is not an address: refused" \
	route53d --config "$T/bad.ini" --check
done_testing
