#!/usr/bin/env bash
# The fake Route 53 endpoint itself, without roleboot: botocore as the
# client lists the hosted zones and ~250 record sets (weighted, latency,
# failover, geolocation, multivalue, alias, wildcard, TXT with quotes) over
# many small pages and gets back exactly the data; throttling answers reach
# botocore as Throttling and ServiceUnavailable; wrong credentials, a wrong
# secret and unsigned requests are refused with 403; curl's own SigV4
# (what roleboot uses) is accepted; an edit to the data shows at once.
# ChangeResourceRecordSets, POSTed and signed by curl as roleboot route53d
# does: CREATE, UPSERT, exact DELETE; whole batches refused (InvalidChangeBatch
# with every problem listed) and nothing of them applied; CNAME and apex
# rules; the signature covers the body; applied batches land in the data
# file, where another process finds them; GetChange; the fault flags
# --fail-changes, --change-error, --throttle-every on POSTs; --bodies.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"
. "$TESTS_DIR/route53.sh"

if ! have_botocore; then
	skip_rest "$R53_PYTHON has no botocore (apt-get install python3-botocore)"
fi

# ---- the data: five zones, ~250 record sets in corp.example.com ----------
nrec=$("$R53_PYTHON" - "$T/zones.json" <<'PY'
import json, sys
z = "corp.example.com."
recs = [
    {"Name": z, "Type": "SOA", "TTL": 900, "ResourceRecords": [
        "ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]},
    {"Name": z, "Type": "NS", "TTL": 172800, "ResourceRecords": [
        "ns-1.awsdns-01.org.", "ns-2.awsdns-02.co.uk.", "ns-3.awsdns-03.com.", "ns-4.awsdns-04.net."]},
    {"Name": z, "Type": "MX", "TTL": 300, "ResourceRecords": ["10 mx1.corp.example.com.", "20 mx2.corp.example.com."]},
    {"Name": z, "Type": "TXT", "TTL": 300, "ResourceRecords": ['"v=spf1 -all"', '"a<b & c>d" "second string"']},
    {"Name": z, "Type": "CAA", "TTL": 3600, "ResourceRecords": ['0 issue "letsencrypt.org"']},
    {"Name": "\\052." + z, "Type": "A", "TTL": 60, "ResourceRecords": ["192.0.2.99"]},
    {"Name": "_sip._tcp." + z, "Type": "SRV", "TTL": 300, "ResourceRecords": ["10 60 5060 sip.corp.example.com."]},
    {"Name": "www." + z, "Type": "CNAME", "TTL": 300, "ResourceRecords": ["web.corp.example.com."]},
    {"Name": "apex-alias." + z, "Type": "A", "AliasTarget": {
        "HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111111abcdef8.cloudfront.net.", "EvaluateTargetHealth": False}},
    {"Name": "lb." + z, "Type": "AAAA", "AliasTarget": {
        "HostedZoneId": "Z35SXDOTRQ7X7K", "DNSName": "dualstack.my-lb-123.us-east-1.elb.amazonaws.com.",
        "EvaluateTargetHealth": True}},
]
for i in range(200):
    recs.append({"Name": "host%03d.%s" % (i, z), "Type": "A", "TTL": 300 + i,
                 "ResourceRecords": ["10.1.%d.%d" % (i // 250, i % 250 + 1)]})
for i in range(0, 200, 10):
    recs.append({"Name": "host%03d.%s" % (i, z), "Type": "AAAA", "TTL": 300,
                 "ResourceRecords": ["2001:db8::%x" % (i + 1)]})
# weighted: 12 record sets with one name and type, so pages split them
for i in range(12):
    recs.append({"Name": "weighted." + z, "Type": "A", "SetIdentifier": "w-%02d" % i,
                 "Weight": i * 10, "TTL": 60, "ResourceRecords": ["198.51.100.%d" % (i + 1)]})
for region, ip in (("us-east-1", "203.0.113.1"), ("eu-west-1", "203.0.113.2"), ("ap-southeast-2", "203.0.113.3")):
    recs.append({"Name": "latency." + z, "Type": "A", "SetIdentifier": region, "Region": region,
                 "TTL": 60, "ResourceRecords": [ip]})
recs.append({"Name": "failover." + z, "Type": "A", "SetIdentifier": "primary", "Failover": "PRIMARY",
             "HealthCheckId": "abcdef11-2222-3333-4444-555555fedcba", "TTL": 60, "ResourceRecords": ["192.0.2.1"]})
recs.append({"Name": "failover." + z, "Type": "A", "SetIdentifier": "secondary", "Failover": "SECONDARY",
             "TTL": 60, "ResourceRecords": ["192.0.2.2"]})
for ident, geo, ip in (("eu", {"ContinentCode": "EU"}, "192.0.2.11"),
                       ("de", {"CountryCode": "DE"}, "192.0.2.12"),
                       ("us-wa", {"CountryCode": "US", "SubdivisionCode": "WA"}, "192.0.2.13"),
                       ("default", {"CountryCode": "*"}, "192.0.2.14")):
    recs.append({"Name": "geo." + z, "Type": "A", "SetIdentifier": ident, "GeoLocation": geo,
                 "TTL": 60, "ResourceRecords": [ip]})
for i in range(3):
    recs.append({"Name": "multi." + z, "Type": "A", "SetIdentifier": "mv-%d" % i, "MultiValueAnswer": True,
                 "TTL": 60, "ResourceRecords": ["192.0.2.%d" % (30 + i)]})
data = {"zones": [
    {"id": "Z1ABC", "name": z, "records": recs},
    {"id": "Z2EXAMPLE", "name": "example.com.", "comment": "parent zone",
     "records": [{"Name": "example.com.", "Type": "A", "TTL": 300, "ResourceRecords": ["192.0.2.200"]}]},
    {"id": "Z3ORG", "name": "a.example.org.", "records": []},
    {"id": "Z4BCORP", "name": "b-corp.example.com.", "records": []},
    {"id": "Z5PRIV", "name": z, "private": True, "records": []},
]}
json.dump(data, open(sys.argv[1], "w"), indent=1)
print(len(recs))
PY
)
echo "# $nrec record sets in corp.example.com."

# ---- the botocore client ------------------------------------------------------
cat >"$T/client.py" <<'PY'
"""client.py MODE URL [KEY SECRET [TOKEN]]: botocore against the fake endpoint."""
import json, sys, time
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.paginate import TokenEncoder

mode, url = sys.argv[1], sys.argv[2]
key = sys.argv[3] if len(sys.argv) > 3 else "AKIDEXAMPLE"
secret = sys.argv[4] if len(sys.argv) > 4 else "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
token = (sys.argv[5] if len(sys.argv) > 5 else "") or None
client = botocore.session.get_session().create_client(
    "route53", region_name="us-east-1", endpoint_url=url,
    aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
    config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                  connect_timeout=5, read_timeout=30))
stats = {"calls": 0, "Throttling": 0, "ServiceUnavailable": 0}


def call(fn, **kw):
    """fn(**kw), trying again (bounded) on Throttling and ServiceUnavailable."""
    for attempt in range(50):
        stats["calls"] += 1
        try:
            return fn(**kw)
        except ClientError as e:
            code = e.response["Error"]["Code"]
            if code not in ("Throttling", "ServiceUnavailable"):
                raise
            stats[code] += 1
    raise SystemExit("still throttled after 50 tries")


def norm(r):
    """A record set as a comparable JSON string, from data or from botocore."""
    out = {k: r[k] for k in ("Name", "Type", "TTL", "SetIdentifier", "Weight", "Region", "Failover",
                             "GeoLocation", "MultiValueAnswer", "HealthCheckId", "AliasTarget") if k in r}
    if "ResourceRecords" in r:
        out["ResourceRecords"] = [v["Value"] if isinstance(v, dict) else v for v in r["ResourceRecords"]]
    return json.dumps(out, sort_keys=True)


def list_zones(max_items, dns_name=None):
    zones, kw, pages = [], {"MaxItems": str(max_items)}, 0
    if dns_name:
        kw["DNSName"] = dns_name
    for _ in range(1000):
        page = call(client.list_hosted_zones_by_name, **kw)
        pages += 1
        zones += page["HostedZones"]
        if not page["IsTruncated"]:
            return zones, pages
        kw["DNSName"], kw["HostedZoneId"] = page["NextDNSName"], page["NextHostedZoneId"]
    raise SystemExit("zone listing did not end")


def list_records(zone_id, page_size):
    """All record sets through botocore's paginator, resumed after throttling."""
    paginator = client.get_paginator("list_resource_record_sets")
    got, pages, starting = [], 0, None
    for _ in range(100000):
        cfg = {"PageSize": page_size}
        if starting:
            cfg["StartingToken"] = starting
        try:
            for page in paginator.paginate(HostedZoneId=zone_id, PaginationConfig=cfg):
                stats["calls"] += 1
                pages += 1
                got += page["ResourceRecordSets"]
                if page["IsTruncated"]:
                    starting = TokenEncoder().encode({
                        "StartRecordName": page["NextRecordName"],
                        "StartRecordType": page["NextRecordType"],
                        "StartRecordIdentifier": page.get("NextRecordIdentifier")})
            return got, pages
        except ClientError as e:
            code = e.response["Error"]["Code"]
            if code not in ("Throttling", "ServiceUnavailable"):
                raise
            stats["calls"] += 1
            stats[code] += 1
    raise SystemExit("record listing did not end")


if mode == "list":  # list DATA PAGESIZE: zones and all of Z1ABC, compared with DATA
    data = json.load(open(sys.argv[6]))
    page_size = int(sys.argv[7])
    zones, zpages = list_zones(2)
    print("zones %s pages=%d" % (" ".join(z["Id"] + "=" + z["Name"] for z in zones), zpages))
    zones2, _ = list_zones(100, "corp.example.com.")
    print("from-corp %s" % " ".join(z["Id"] for z in zones2))
    for z in zones:
        print("zone %s private=%s count=%d" % (z["Id"], z["Config"]["PrivateZone"], z["ResourceRecordSetCount"]))
    want = sorted(norm(r) for r in data["zones"][0]["records"])
    got, pages = list_records("Z1ABC", page_size)
    have = [norm(r) for r in got]
    print("records=%d want=%d pages=%d" % (len(have), len(want), pages))
    print("order %s" % " ".join("%s/%s/%s" % (r["Name"], r["Type"], r.get("SetIdentifier", "")) for r in got[:12]))
    if sorted(have) == want:
        print("records equal")
    else:
        for line in sorted(set(want) - set(have))[:10]:
            print("missing %s" % line)
        for line in sorted(set(have) - set(want))[:10]:
            print("unexpected %s" % line)
        if len(set(have)) != len(have):
            print("duplicates")
    print("stats calls=%(calls)d throttling=%(Throttling)d unavailable=%(ServiceUnavailable)d" % stats)
elif mode == "count":  # count ZONEID PAGESIZE: record sets, pages and seconds
    t0 = time.monotonic()
    got, pages = list_records(sys.argv[6], int(sys.argv[7]))
    print("records=%d pages=%d seconds=%.2f" % (len(got), pages, time.monotonic() - t0))
elif mode == "change":  # change ZONEID ACTION NAME: one A record set, then GetChange
    try:
        r = client.change_resource_record_sets(HostedZoneId=sys.argv[6], ChangeBatch={"Changes": [
            {"Action": sys.argv[7], "ResourceRecordSet": {"Name": sys.argv[8], "Type": "A", "TTL": 60,
                                                          "ResourceRecords": [{"Value": "192.0.2.53"}]}}]})
        got = client.get_change(Id=r["ChangeInfo"]["Id"])
        print("ok %s %s" % (r["ChangeInfo"]["Status"], got["ChangeInfo"]["Status"]))
    except ClientError as e:
        print("error %s %d %s" % (e.response["Error"]["Code"],
                                   e.response["ResponseMetadata"]["HTTPStatusCode"],
                                   e.response["Error"].get("Message", "").splitlines()[0]))
elif mode == "error":  # error OPERATION [ZONEID]: prints the error botocore sees
    try:
        if sys.argv[6] == "zones":
            client.list_hosted_zones_by_name(MaxItems="1")
        else:
            client.list_resource_record_sets(HostedZoneId=sys.argv[7])
        print("no error")
    except ClientError as e:
        print("error %s %d %s" % (e.response["Error"]["Code"],
                                   e.response["ResponseMetadata"]["HTTPStatusCode"],
                                   e.response["Error"].get("Message", "").splitlines()[0]))
PY
client() { "$R53_PYTHON" "$T/client.py" "$@"; }
# like STRING GLOB: STRING matches the shell pattern GLOB
# shellcheck disable=SC2053 # GLOB is a pattern on purpose
like() { [[ $1 == $2 ]]; }
# answered CODE ERROR: the last curl got HTTP CODE and, unless ERROR is -,
# an ErrorResponse with that Code
answered() { [ "$code" = "$1" ] && { [ "$2" = - ] || grep -q "<Code>$2</Code>" "$T/curl.xml"; }; }
creds=("$R53_ACCESS_KEY" "$R53_SECRET_KEY" "")

# ---- listing over many small pages --------------------------------------------
start_fake_route53 "$T/zones.json" --page-size 7 || { not_ok "fake_route53 did not start"; done_testing; exit 1; }
ok "fake_route53 listens on 127.0.0.1:$R53_PORT"
client list "$R53_URL" "${creds[@]}" "$T/zones.json" 7 >"$T/list.out" 2>"$T/list.err"
sed 's/^/# /' "$T/list.out"
check "botocore lists every record set, equal to the data" grep -qx "records equal" "$T/list.out"
check "about 250 record sets over many pages of 7" \
	grep -Eqx "records=2[0-9]{2} want=2[0-9]{2} pages=3[5-9]" "$T/list.out"
check "zones sorted by reversed name then ID, pages of 2 by NextDNSName/NextHostedZoneId" grep -Fqx \
	"zones /hostedzone/Z2EXAMPLE=example.com. /hostedzone/Z4BCORP=b-corp.example.com. /hostedzone/Z1ABC=corp.example.com. /hostedzone/Z5PRIV=corp.example.com. /hostedzone/Z3ORG=a.example.org. pages=3" \
	"$T/list.out"
check "dnsname starts the zone listing at that name" grep -Fqx "from-corp /hostedzone/Z1ABC /hostedzone/Z5PRIV /hostedzone/Z3ORG" "$T/list.out"
check "zone Config/PrivateZone and ResourceRecordSetCount" \
	grep -Eq "^zone /hostedzone/Z5PRIV private=True count=0$" "$T/list.out"
check "Route 53 order: apex by type, then the wildcard (escaped \\052) before _sip and apex-alias" grep -Fqx \
	'order corp.example.com./CAA/ corp.example.com./MX/ corp.example.com./NS/ corp.example.com./SOA/ corp.example.com./TXT/ \052.corp.example.com./A/ _sip._tcp.corp.example.com./SRV/ apex-alias.corp.example.com./A/ failover.corp.example.com./A/primary failover.corp.example.com./A/secondary geo.corp.example.com./A/de geo.corp.example.com./A/default' \
	"$T/list.out"
check "no throttling without --throttle-every" grep -qx "stats calls=[0-9]* throttling=0 unavailable=0" "$T/list.out"
pages=$(sed -n 's/^records=.* pages=\([0-9]*\)$/\1/p' "$T/list.out")
check "one log line per page, all signed: sig=ok" \
	[ "$(r53_count '^GET /2013-04-01/hostedzone/Z1ABC/rrset\?[^ ]* 200 sig=ok$')" -eq "${pages:-0}" ]
check "pages after the first start at name/type (and identifier inside weighted sets)" \
	[ "$(r53_count 'rrset\?[^ ]*identifier=w-[0-9]+[^ ]* 200 sig=ok$')" -ge 1 ]
check "no request was refused" [ "$(r53_count ' sig=(bad|none)$')" -eq 0 ]
[ -s "$T/list.err" ] && sed 's/^/# client: /' "$T/list.err"

# ---- errors ------------------------------------------------------------------------
out=$(client error "$R53_URL" "${creds[@]}" rrset BAD)
check "unknown zone: 404 NoSuchHostedZone ($out)" like "$out" "error NoSuchHostedZone 404 *"
before=$(r53_count ' 403 sig=bad$')
out=$(client error "$R53_URL" "$R53_ACCESS_KEY" "not-the-secret" "" zones)
check "wrong secret: botocore gets 403 SignatureDoesNotMatch ($out)" like "$out" "error SignatureDoesNotMatch 403 *"
check "wrong secret: logged as sig=bad" [ "$(r53_count '^GET /2013-04-01/hostedzonesbyname\?maxitems=1 403 sig=bad$')" -eq 1 ]
check "wrong secret: the expected canonical request on stderr" grep -q "^--- canonical request" "$T/r53.err"
out=$(client error "$R53_URL" AKIDWRONGKEY "$R53_SECRET_KEY" "" zones)
check "unknown access key: 403 InvalidClientTokenId ($out)" like "$out" "error InvalidClientTokenId 403 *"
out=$(client error "$R53_URL" "$R53_ACCESS_KEY" "$R53_SECRET_KEY" "some-token" zones)
check "a session token the server does not expect: 403 InvalidClientTokenId" like "$out" "error InvalidClientTokenId 403 *"
check "three refusals logged as sig=bad" [ "$(r53_count ' 403 sig=bad$')" -eq $((before + 3)) ]

code=$(curl -s -o "$T/unsigned.xml" -w '%{http_code}' --max-time 10 "$R53_URL/2013-04-01/hostedzonesbyname")
check "unsigned curl request: 403" [ "$code" = 403 ]
check "unsigned: ErrorResponse MissingAuthenticationToken" \
	grep -q '<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code>' "$T/unsigned.xml"
check "unsigned: logged as sig=none" [ "$(r53_count '^GET /2013-04-01/hostedzonesbyname 403 sig=none$')" -eq 1 ]

# curl's own SigV4, as roleboot signs (CURLOPT_AWS_SIGV4 "aws:amz:us-east-1:route53")
sigv4() { # sigv4 PATH?QUERY [SECRET]: status code, body in $T/curl.xml
	curl -s -o "$T/curl.xml" -w '%{http_code}' --max-time 10 \
		--aws-sigv4 "aws:amz:us-east-1:route53" --user "$R53_ACCESS_KEY:${2:-$R53_SECRET_KEY}" "$R53_URL$1"
}
code=$(sigv4 "/2013-04-01/hostedzonesbyname?dnsname=corp.example.com.&maxitems=1")
check "curl --aws-sigv4 is accepted: 200" [ "$code" = 200 ]
check "curl --aws-sigv4: one zone, truncated, NextHostedZoneId" grep -q \
	'<HostedZones><HostedZone><Id>/hostedzone/Z1ABC</Id><Name>corp.example.com.</Name>.*</HostedZones><DNSName>corp.example.com.</DNSName><IsTruncated>true</IsTruncated><NextDNSName>corp.example.com.</NextDNSName><NextHostedZoneId>Z5PRIV</NextHostedZoneId><MaxItems>1</MaxItems>' "$T/curl.xml"
# libcurl 7.88 signs the query string as it is, neither sorted nor re-encoded:
# the parameters go in sorted by name, already percent-encoded
code=$(sigv4 "/2013-04-01/hostedzone/Z1ABC/rrset?identifier=w-05&maxitems=3&name=weighted.corp.example.com.&type=A")
check "curl --aws-sigv4 with name/type/identifier: 200" [ "$code" = 200 ]
check "starts at the identifier, NextRecordIdentifier given" grep -q \
	'<SetIdentifier>w-05</SetIdentifier><Weight>50</Weight>.*<NextRecordName>weighted.corp.example.com.</NextRecordName><NextRecordType>A</NextRecordType><NextRecordIdentifier>w-08</NextRecordIdentifier><MaxItems>3</MaxItems>' "$T/curl.xml"
code=$(sigv4 "/2013-04-01/hostedzone/Z1ABC/rrset?maxitems=2&name=%5C052.corp.example.com.&type=A")
check "a start name with an escaped wildcard: 200" [ "$code" = 200 ]
check "that page starts at the wildcard" grep -q '<ResourceRecordSets><ResourceRecordSet><Name>\\052.corp.example.com.</Name><Type>A</Type>' "$T/curl.xml"
code=$(sigv4 "/2013-04-01/hostedzone/Z1ABC/rrset?maxitems=5")
check "apex page: TXT values XML-escaped with their quotes" \
	grep -q '<Value>"v=spf1 -all"</Value></ResourceRecord><ResourceRecord><Value>"a&lt;b &amp; c&gt;d" "second string"</Value>' "$T/curl.xml"
code=$(sigv4 "/2013-04-01/hostedzone/Z1ABC/rrset?maxitems=1" wrong-secret)
check "curl signing with a wrong secret: 403 SignatureDoesNotMatch" answered 403 SignatureDoesNotMatch
code=$(sigv4 "/2013-04-01/hostedzone/BAD/rrset")
check "curl: unknown zone 404 NoSuchHostedZone" answered 404 NoSuchHostedZone
code=$(sigv4 "/2013-04-01/hostedzone/Z1ABC/rrset?type=A")
check "type without name: 400 InvalidInput" answered 400 InvalidInput

# the data is read again when it changes
"$R53_PYTHON" - "$T/zones.json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
d["zones"][0]["records"].append({"Name": "added.corp.example.com.", "Type": "A", "TTL": 5,
                                 "ResourceRecords": ["192.0.2.250"]})
json.dump(d, open(sys.argv[1] + ".new", "w"))
os.rename(sys.argv[1] + ".new", sys.argv[1])
PY
out=$(client count "$R53_URL" "${creds[@]}" Z1ABC 300)
check "an added record shows on the next listing ($out)" like "$out" "records=$((nrec + 1)) *"
stop_pid "$R53_PID"

# ---- throttling ----------------------------------------------------------------------
: >"$T/r53.log"
start_fake_route53 "$T/zones.json" --page-size 7 --throttle-every 5 ||
	{ not_ok "fake_route53 did not start again"; done_testing; exit 1; }
client list "$R53_URL" "${creds[@]}" "$T/zones.json" 7 >"$T/throttle.out" 2>"$T/throttle.err"
sed 's/^/# /' "$T/throttle.out"
check "throttled: botocore still gets every record set in the end" grep -qx "records equal" "$T/throttle.out"
check "throttled: botocore saw Throttling and ServiceUnavailable" \
	grep -Eqx "stats calls=[0-9]+ throttling=[1-9][0-9]* unavailable=[1-9][0-9]*" "$T/throttle.out"
n400=$(r53_count ' 400 sig=ok$')
n503=$(r53_count ' 503 sig=ok$')
total=$(r53_count ' sig=ok$')
check "every 5th request 400 Throttling, every 10th 503 ($n400 + $n503 of $total)" \
	[ "$n400" -eq $((total / 5 - total / 10)) -a "$n503" -eq $((total / 10)) ]
stop_pid "$R53_PID"

# ---- ChangeResourceRecordSets: signed POSTs with curl, as roleboot route53d -----
"$R53_PYTHON" - "$T/write.json" <<'PY'
import json, sys
z = "corp.example.com."
json.dump({"zones": [
    {"id": "Z1ABC", "name": z, "records": [
        {"Name": z, "Type": "SOA", "TTL": 900, "ResourceRecords": [
            "ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]},
        {"Name": z, "Type": "NS", "TTL": 172800, "ResourceRecords": ["ns-1.awsdns-01.org.", "ns-2.awsdns-02.net."]},
        {"Name": "old." + z, "Type": "TXT", "TTL": 300, "ResourceRecords": ['"one"', '"two"']},
        {"Name": "www." + z, "Type": "CNAME", "TTL": 300, "ResourceRecords": ["web.corp.example.com."]},
        {"Name": "web." + z, "Type": "A", "TTL": 300, "ResourceRecords": ["192.0.2.80"]}]},
    {"id": "Z3ORG", "name": "a.example.org.", "records": []}]}, open(sys.argv[1], "w"), indent=1)
PY
# change ACTION NAME TYPE TTL VALUE...: one <Change> element
change() {
	local a=$1 n=$2 t=$3 ttl=$4 v
	shift 4
	printf '<Change><Action>%s</Action><ResourceRecordSet><Name>%s</Name><Type>%s</Type><TTL>%s</TTL><ResourceRecords>' \
		"$a" "$n" "$t" "$ttl"
	for v; do printf '<ResourceRecord><Value>%s</Value></ResourceRecord>' "$v"; done
	printf '</ResourceRecords></ResourceRecordSet></Change>'
}
# batch CHANGE...: a ChangeResourceRecordSetsRequest around the changes
batch() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Comment>t0200</Comment><Changes>%s</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>\n' "$*"
}
# post ZONE BODY [SECRET [CURL ARGS...]]: the body POSTed to ZONE's rrset/,
# signed by curl; the status in $code, the answer in $T/curl.xml
post() {
	local zone=$1 secret=${3:-$R53_SECRET_KEY}
	printf '%s' "$2" >"$T/body.xml"
	shift 3 2>/dev/null || shift $#
	code=$(curl -s -o "$T/curl.xml" -w '%{http_code}' --max-time 10 \
		--aws-sigv4 "aws:amz:us-east-1:route53" --user "$R53_ACCESS_KEY:$secret" \
		-H "Content-Type: text/xml" "$@" --data-binary @"$T/body.xml" "$R53_URL/2013-04-01/hostedzone/$zone/rrset/")
}
# said TEXT: the last answer's Message holds TEXT (fixed string)
said() { grep -Fq -- "$1" "$T/curl.xml" || { sed 's/^/# answer: /' "$T/curl.xml"; false; }; }
# rrsets: corp.example.com's record sets in the data file, "NAME TYPE TTL
# VALUES" sorted
rrsets() {
	"$R53_PYTHON" - "$T/write.json" <<'PY'
import json, sys
for r in sorted(json.load(open(sys.argv[1]))["zones"][0]["records"], key=lambda r: (r["Name"], r["Type"])):
    print(r["Name"], r["Type"], r.get("TTL"), ",".join(sorted(r.get("ResourceRecords", []))))
PY
}
: >"$T/r53.log"
mkdir "$T/bodies"
start_fake_route53 "$T/write.json" --bodies "$T/bodies" ||
	{ not_ok "fake_route53 did not start for writes"; done_testing; exit 1; }
tab=$'\t'

body1=$(batch "$(change CREATE New.Corp.Example.COM A 300 192.0.2.10)")
post Z1ABC "$body1"
check "CREATE: 200" answered 200 -
check "CREATE: ChangeInfo /change/C..., PENDING, SubmittedAt, the Comment" grep -Eq \
	'<ChangeResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/C[A-Z0-9]+</Id><Status>PENDING</Status><SubmittedAt>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z</SubmittedAt><Comment>t0200</Comment></ChangeInfo>' "$T/curl.xml"
change_id=$(sed -n 's|.*<Id>/change/\([A-Z0-9]*\)</Id>.*|\1|p' "$T/curl.xml")
check "CREATE: logged with the batch as sent" \
	grep -Fqx "POST /2013-04-01/hostedzone/Z1ABC/rrset/ 200 sig=ok${tab}changes=CREATE:New.Corp.Example.COM:A" "$T/r53.log"
check "CREATE: stored lower case with the final dot, in the data file" \
	grep -Fqx "new.corp.example.com. A 300 192.0.2.10" <(rrsets)
code=$(sigv4 "/2013-04-01/hostedzone/Z1ABC/rrset?maxitems=1&name=new.corp.example.com.&type=A")
check "CREATE: ListResourceRecordSets shows it" grep -q \
	'<ResourceRecordSet><Name>new.corp.example.com.</Name><Type>A</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.10</Value>' "$T/curl.xml"
code=$(sigv4 "/2013-04-01/change/$change_id")
check "GetChange: 200 INSYNC" grep -q "<GetChangeResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeInfo><Id>/change/$change_id</Id><Status>INSYNC</Status>" "$T/curl.xml"
code=$(sigv4 "/2013-04-01/change/CNOSUCHCHANGE")
check "GetChange of an unknown change: 404 NoSuchChange" answered 404 NoSuchChange
check "--bodies: the body as sent, in 0001.xml" cmp -s "$T/bodies/0001.xml" <(printf '%s' "$body1")

cp "$T/write.json" "$T/before.json"
post Z1ABC "$(batch "$(change CREATE new.corp.example.com. A 300 192.0.2.10)")"
check "CREATE of an existing set: 400 InvalidChangeBatch" answered 400 InvalidChangeBatch
check "  ... Tried to create [name='new.corp.example.com.', type='A'] but it already exists" \
	said "<Type>Sender</Type><Code>InvalidChangeBatch</Code><Message>[Tried to create resource record set [name='new.corp.example.com.', type='A'] but it already exists]</Message>"
post Z1ABC "$(batch "$(change CREATE good.corp.example.com A 60 192.0.2.20)$(change DELETE old.corp.example.com TXT 60 '"one"' '"two"')")"
check "a good CREATE with a DELETE whose TTL differs: 400 InvalidChangeBatch" answered 400 InvalidChangeBatch
check "  ... but the values provided do not match the current values" \
	said "[Tried to delete resource record set [name='old.corp.example.com.', type='TXT'] but the values provided do not match the current values]"
post Z1ABC "$(batch "$(change CREATE good.corp.example.com A 60 192.0.2.20)$(change DELETE old.corp.example.com TXT 300 '"one"')")"
check "a DELETE with one value of two: refused as well" said "but the values provided do not match the current values"
post Z1ABC "$(batch "$(change UPSERT good.corp.example.com A 60 192.0.2.20)$(change DELETE gone.corp.example.com A 60 192.0.2.1)")"
check "a DELETE of a set that is not there: but it was not found" \
	said "[Tried to delete resource record set [name='gone.corp.example.com.', type='A'] but it was not found]"
check "refused batches changed nothing, the good changes in them included (atomic)" \
	cmp -s "$T/before.json" "$T/write.json"
post Z1ABC "$(batch "$(change CREATE x.example.org A 60 192.0.2.1)$(change CREATE bad.corp.example.com A 60 192.0.2.256)")"
check "every problem of a batch in one message: outside the zone, a bad IPv4 value" \
	said "[RRSet with DNS name x.example.org. is not permitted in zone corp.example.com., Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '192.0.2.256'']"

post Z1ABC "$(batch "$(change DELETE OLD.corp.example.com. TXT 300 '"two"' '"one"')")"
check "DELETE matching exactly (name case and value order aside): 200" answered 200 -
check "DELETE: the set is gone from the data" [ -z "$(rrsets | grep '^old\.')" ]
post Z1ABC "$(batch "$(change UPSERT new.corp.example.com A 60 192.0.2.11 192.0.2.12)$(change UPSERT fresh.corp.example.com AAAA 60 2001:db8::1)")"
check "UPSERT of an existing set and of a new one: 200" answered 200 -
check "UPSERT replaced the set (TTL and values)" grep -Fqx "new.corp.example.com. A 60 192.0.2.11,192.0.2.12" <(rrsets)
check "UPSERT created the other" grep -Fqx "fresh.corp.example.com. AAAA 60 2001:db8::1" <(rrsets)
check "UPSERT: one set per name and type" [ "$(rrsets | grep -c '^new\.corp\.example\.com\. A ')" -eq 1 ]

cp "$T/write.json" "$T/before.json"
post Z1ABC "$(batch "$(change CREATE new.corp.example.com CNAME 60 web.corp.example.com.)")"
check "a CNAME where an A is: 400 InvalidChangeBatch" answered 400 InvalidChangeBatch
check "  ... RRSet of type CNAME with DNS name new.corp.example.com. is not permitted as it conflicts" \
	said "RRSet of type CNAME with DNS name new.corp.example.com. is not permitted as it conflicts with other records with the same DNS name in zone corp.example.com."
post Z1ABC "$(batch "$(change UPSERT www.corp.example.com TXT 60 '"x"')")"
check "another type where a CNAME is: refused" said "RRSet of type TXT with DNS name www.corp.example.com. is not permitted because a conflicting RRSet of type  CNAME"
post Z1ABC "$(batch "$(change UPSERT corp.example.com CNAME 60 web.corp.example.com.)")"
check "a CNAME at the apex: refused" said "RRSet of type CNAME with DNS name corp.example.com. is not permitted at apex in zone corp.example.com."
post Z1ABC "$(batch "$(change DELETE corp.example.com NS 172800 ns-1.awsdns-01.org. ns-2.awsdns-02.net.)")"
check "DELETE of the apex NS: refused" said "[A HostedZone must contain at least one NS record for the zone itself.]"
post Z1ABC "$(batch "$(change DELETE corp.example.com SOA 900 'ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400')")"
check "DELETE of the apex SOA: refused" said "[A HostedZone must contain exactly one SOA record.]"
post Z1ABC "$(batch "$(change UPSERT new.corp.example.com A 60 192.0.2.1)$(change UPSERT new.corp.example.com A 60 192.0.2.2)")"
check "two changes of one set in a batch: refused" \
	said "The request contains an invalid set of changes for a resource record set 'A new.corp.example.com.'"
check "none of these changed the data" cmp -s "$T/before.json" "$T/write.json"
post Z1ABC "$(batch "$(change DELETE www.corp.example.com CNAME 300 web.corp.example.com.)$(change CREATE www.corp.example.com A 300 192.0.2.80)")"
check "DELETE of a CNAME and CREATE of an A at its name in one batch: 200" answered 200 -
check "  ... the A replaced the CNAME" [ "$(rrsets | grep '^www\.')" = "www.corp.example.com. A 300 192.0.2.80" ]
post Z1ABC "$(batch "$(change UPSERT corp.example.com SOA 900 'ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 2 7200 900 1209600 86400')")"
check "UPSERT of the apex SOA: 200" answered 200 -

post NOSUCHZONE "$(batch "$(change UPSERT a.corp.example.com A 60 192.0.2.1)")"
check "an unknown zone: 404 NoSuchHostedZone" answered 404 NoSuchHostedZone
post Z1ABC "$(batch "$(change UPSERT a.corp.example.com A 60 192.0.2.1)" | sed 's|</Changes>||')"
check "malformed XML: 400 InvalidInput" answered 400 InvalidInput
post Z1ABC "$(batch "$(change UPSERT a.corp.example.com A 60 192.0.2.1)" | sed 's|<Type>A</Type><TTL>60</TTL>|<TTL>60</TTL><Type>A</Type>|')"
check "elements out of the schema's order: 400 InvalidInput" answered 400 InvalidInput
post Z1ABC "$(batch "$(change UPSERT a.corp.example.com A 60 192.0.2.1)" | sed 's|https://route53.amazonaws.com/doc/2013-04-01/|https://route53.amazonaws.com/doc/2012-12-12/|')"
check "another namespace: 400 InvalidInput" answered 400 InvalidInput
post Z1ABC "$(batch "$(change UPSERT a.corp.example.com A 60 192.0.2.1)" | sed 's|<TTL>60</TTL>||')"
check "no TTL and no AliasTarget: 400 InvalidInput, Expected exactly one of" said "<Code>InvalidInput</Code><Message>Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]"

# the signature covers the body
cp "$T/write.json" "$T/before.json"
bodyA=$(batch "$(change UPSERT signed.corp.example.com A 60 192.0.2.1)")
post Z1ABC "$bodyA" wrong-secret
check "a POST signed with a wrong secret: 403 SignatureDoesNotMatch" answered 403 SignatureDoesNotMatch
check "  ... logged as sig=bad with its batch" grep -Fqx \
	"POST /2013-04-01/hostedzone/Z1ABC/rrset/ 403 sig=bad${tab}changes=UPSERT:signed.corp.example.com:A" "$T/r53.log"
other_hash=$(printf '%s' "$(batch "$(change UPSERT other.corp.example.com A 60 192.0.2.1)")" | sha256sum | cut -d' ' -f1)
post Z1ABC "$bodyA" "$R53_SECRET_KEY" -H "x-amz-content-sha256: $other_hash"
check "x-amz-content-sha256 of another body (signed with it): 403 SignatureDoesNotMatch" answered 403 SignatureDoesNotMatch
post Z1ABC "$bodyA" "$R53_SECRET_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD"
check "x-amz-content-sha256 UNSIGNED-PAYLOAD: 403 SignatureDoesNotMatch" answered 403 SignatureDoesNotMatch
check "refused signatures changed nothing" cmp -s "$T/before.json" "$T/write.json"
post Z1ABC "$bodyA" "$R53_SECRET_KEY" -H "x-amz-content-sha256: $(printf '%s' "$bodyA" | sha256sum | cut -d' ' -f1)"
check "x-amz-content-sha256 of this body: accepted, 200" answered 200 -

# persistence: written by rename, seen by another process; a test's edit is seen
check "no temporary files left next to the data" eval '! compgen -G "$T/write.json.*" >/dev/null'
"$R53_PYTHON" - "$T/write.json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
d["zones"][0]["records"].append({"Name": "edited.corp.example.com.", "Type": "A", "TTL": 5, "ResourceRecords": ["192.0.2.5"]})
json.dump(d, open(sys.argv[1] + ".new", "w"))
os.rename(sys.argv[1] + ".new", sys.argv[1])
PY
code=$(sigv4 "/2013-04-01/hostedzone/Z1ABC/rrset?maxitems=1&name=edited.corp.example.com.&type=A")
check "an edit of the data file after a write is seen" grep -q '<Name>edited.corp.example.com.</Name>' "$T/curl.xml"
post Z1ABC "$(batch "$(change DELETE edited.corp.example.com A 5 192.0.2.5)$(change CREATE later.corp.example.com A 60 192.0.2.6)")"
check "a batch on the edited data: 200" answered 200 -
check "  ... the file has the batch and the edits before it" \
	[ "$(rrsets | grep -Ec '^(later|signed|fresh|www)\.corp')" -eq 4 -a -z "$(rrsets | grep '^edited\.')" ]
nposts=$(r53_count '^POST ')
check "--bodies: one file per POST ($nposts)" [ "$(ls "$T/bodies" | wc -l)" -eq "$nposts" ]
stop_pid "$R53_PID"
: >"$T/r53.log"
start_fake_route53 "$T/write.json" || { not_ok "fake_route53 did not start again"; done_testing; exit 1; }
code=$(sigv4 "/2013-04-01/hostedzone/Z1ABC/rrset?maxitems=2&name=later.corp.example.com.&type=A")
check "a new server process serves the written data" grep -q '<Name>later.corp.example.com.</Name><Type>A</Type><TTL>60</TTL>' "$T/curl.xml"
out=$(client change "$R53_URL" "${creds[@]}" Z1ABC UPSERT botocore.corp.example.com)
check "botocore's ChangeResourceRecordSets and GetChange ($out)" [ "$out" = "ok PENDING INSYNC" ]
out=$(client change "$R53_URL" "${creds[@]}" Z1ABC CREATE botocore.corp.example.com)
check "botocore reads the refusal as InvalidChangeBatch ($out)" \
	like "$out" "error InvalidChangeBatch 400 *but it already exists]"
stop_pid "$R53_PID"

# fault injection
cp "$T/write.json" "$T/before.json"
: >"$T/r53.log"
start_fake_route53 "$T/write.json" --fail-changes 2 || { not_ok "fake_route53 --fail-changes did not start"; done_testing; exit 1; }
body=$(batch "$(change UPSERT retry.corp.example.com A 60 192.0.2.7)")
post Z1ABC "$body"
c1=$code
code=$(sigv4 "/2013-04-01/hostedzone/Z1ABC/rrset?maxitems=1")
g=$code
post Z1ABC "$body"
check "--fail-changes 2: two 400 Throttling, listing unaffected ($c1 $g $code)" \
	[ "$c1" = 400 -a "$g" = 200 -a "$code" = 400 ]
check "  ... Throttling" answered 400 Throttling
check "  ... and nothing applied meanwhile" cmp -s "$T/before.json" "$T/write.json"
post Z1ABC "$body"
check "  ... then the change goes through: 200" answered 200 -
check "  ... all three logged with their batch" \
	[ "$(r53_count "^POST /2013-04-01/hostedzone/Z1ABC/rrset/ (400|200) sig=ok${tab}changes=UPSERT:retry.corp.example.com:A$")" -eq 3 ]
stop_pid "$R53_PID"
cp "$T/write.json" "$T/before.json"
for spec in AccessDenied:403 InvalidChangeBatch:400 ServiceUnavailable:503 Conflicting:409; do
	ec=${spec%:*} st=${spec#*:}
	arg=$ec
	[ "$ec" = Conflicting ] && arg=$spec
	start_fake_route53 "$T/write.json" --change-error "$arg" ||
		{ not_ok "fake_route53 --change-error $arg did not start"; continue; }
	post Z1ABC "$body"
	check "--change-error $arg: $st $ec" answered "$st" "$ec"
	stop_pid "$R53_PID"
done
check "  ... nothing applied" cmp -s "$T/before.json" "$T/write.json"
: >"$T/r53.log"
start_fake_route53 "$T/write.json" --throttle-every 2 || { not_ok "fake_route53 --throttle-every did not start"; done_testing; exit 1; }
codes=
for i in 1 2 3 4; do
	post Z1ABC "$(batch "$(change UPSERT t$i.corp.example.com A 60 192.0.2.$i)")"
	codes="$codes $code"
done
check "--throttle-every 2 applies to POSTs: 200 400 200 503 ($codes)" [ "$codes" = " 200 400 200 503" ]
check "  ... only the answered ones applied" [ "$(rrsets | grep -Ec '^t[13]\.corp')" -eq 2 -a "$(rrsets | grep -Ec '^t[24]\.corp')" -eq 0 ]
stop_pid "$R53_PID"

# ---- a session token ---------------------------------------------------------------
start_fake_route53 "$T/zones.json" --session-token "tok/en+1==" ||
	{ not_ok "fake_route53 did not start with a token"; done_testing; exit 1; }
out=$(client error "$R53_URL" "$R53_ACCESS_KEY" "$R53_SECRET_KEY" "tok/en+1==" zones)
check "with the session token: accepted ($out)" [ "$out" = "no error" ]
out=$(client error "$R53_URL" "${creds[@]}" zones)
check "without the session token: 403 InvalidClientTokenId" like "$out" "error InvalidClientTokenId 403 *"
kill -TERM "$R53_PID"
for i in $(seq 30); do
	kill -0 "$R53_PID" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$R53_PID" 2>/dev/null; then
	not_ok "SIGTERM ends the server: still running after 3 s"
	stop_pid "$R53_PID"
else
	wait "$R53_PID"
	check "SIGTERM ends the server with status 0" [ $? -eq 0 ]
fi

done_testing
