#!/usr/bin/env bash
# roleboot route53d end to end: BIND's nsupdate (UDP and TCP, TSIG with
# hmac-md5, -sha256, -sha384, -sha512) -> roleboot route53d -> the fake
# Route 53 (every request's SigV4 checked by botocore, change batches
# applied all or nothing and written back to its data file).  Every refusal
# is checked for its rcode and for sending nothing to the API.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"
. "$TESTS_DIR/route53.sh"

command -v nsupdate >/dev/null && command -v tsig-keygen >/dev/null ||
	skip_rest "needs nsupdate and tsig-keygen (bind9-dnsutils, bind9-utils)"
have_botocore || skip_rest "needs python3-botocore"
export ROLEBOOT_BACKOFF_MS=20
# the endpoint for any config that names none: nothing listens there
export AWS_ENDPOINT_URL=http://127.0.0.1:9
Z=corp.example.com
cat >"$T/data.json" <<EOF2
{"zones": [{"id": "Z1ABC", "name": "$Z.", "records": [
 {"Name": "$Z.", "Type": "SOA", "TTL": 900,
  "ResourceRecords": ["ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]},
 {"Name": "$Z.", "Type": "NS", "TTL": 172800, "ResourceRecords": ["ns-1.awsdns-1.com."]},
 {"Name": "www.$Z.", "Type": "A", "TTL": 300, "ResourceRecords": ["192.0.2.1"]},
 {"Name": "two.$Z.", "Type": "A", "TTL": 60, "ResourceRecords": ["192.0.2.1", "192.0.2.2"]},
 {"Name": "gone.$Z.", "Type": "TXT", "TTL": 60, "ResourceRecords": ["\"bye\""]},
 {"Name": "gone.$Z.", "Type": "A", "TTL": 60, "ResourceRecords": ["192.0.2.3"]},
 {"Name": "cdn.$Z.", "Type": "A",
  "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111.cloudfront.net.",
                  "EvaluateTargetHealth": false}}
]}]}
EOF2
start_fake_route53 "$T/data.json" || { not_ok "fake Route 53 did not start"; done_testing; exit 1; }

key() { tsig-keygen -a "$1" "$2" | sed -n 's/.*secret "\(.*\)";.*/\1/p'; }
K256=$(key hmac-sha256 k256)
KMD5=$(key hmac-md5 kmd5)
K512=$(key hmac-sha512 k512)
K384=$(key hmac-sha384 k384)

# r53d_ini FILE [SERVER-LINES...]: a config as the route53d role writes it
r53d_ini() {
	local f=$1
	shift
	{
		printf '[server]\nprocesses = 2\nlisten_ip = 127.0.0.1\nlisten_port = 0\n'
		printf 'username = nobody\n'
		printf '%s\n' "$@"
		printf '[kludge]\ndelete_ttl = 300\n'
		printf '[hostedzone]\n%s = Z1ABC\nother.example.com = Z9NONE\n' "$Z"
		printf '[tsig]\n127.0.0.1 = k256 %s\n127.0.0.2 = kmd5 %s hmac-md5\n' "$K256" "$KMD5"
		printf '127.0.0.3 = k512 %s\n127.0.0.4 = k384 %s\n' "$K512" "$K384"
		printf '[slave]\n'
	} >"$f"
	chmod 600 "$f"
}

# r53d_start NAME INI: roleboot route53d in the foreground, its log in
# $T/NAME.log; sets PORT.  Credentials from the environment.
r53d_start() {
	local i
	AWS_ACCESS_KEY_ID=$R53_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$R53_SECRET_KEY \
		"$ROLEBOOT" route53d --config "$2" --foreground 2>"$T/$1.log" &
	cleanup_add "stop_pid $!"
	PORT=
	for i in $(seq 100); do
		PORT=$(sed -n 's/.*listening on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$T/$1.log")
		[ -n "$PORT" ] && return 0
		sleep 0.05
	done
	sed 's/^/# /' "$T/$1.log"
	return 1
}

# upd SOURCE KEY [-v] < commands: nsupdate from 127.0.0.SOURCE signed with
# KEY ("" = unsigned) to $PORT; output in $T/upd.out, exit status in $urc.
upd() {
	local src=$1 k=$2
	shift 2
	{
		echo "server 127.0.0.1 $PORT"
		echo "local 127.0.0.$src"
		echo "zone $Z"
		cat
		echo send
	} >"$T/upd.in"
	set +e
	if [ -n "$k" ]; then
		timeout 20 nsupdate "$@" -y "$k" "$T/upd.in" >"$T/upd.out" 2>&1
	else
		timeout 20 nsupdate "$@" "$T/upd.in" >"$T/upd.out" 2>&1
	fi
	urc=$?
}

# values NAME TYPE: the values of the record set in the fake's data, sorted
values() {
	"$R53_PYTHON" - "$T/data.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
out = []
for z in d["zones"]:
    for r in z["records"]:
        if r["Name"].lower() == sys.argv[2] and r["Type"] == sys.argv[3]:
            vals = [v["Value"] if isinstance(v, dict) else v for v in r.get("ResourceRecords", [])]
            out.append("%s %s" % (r.get("TTL", "-"), " ".join(sorted(vals))))
print("|".join(out))
PY
}
posts() { r53_count '^POST '; }
api() { r53_count '.'; }

r53d_ini "$T/r53d.ini" "endpoint = $R53_URL"
r53d_start main "$T/r53d.ini" || { not_ok "route53d did not start"; done_testing; exit 1; }
ok "route53d listens on 127.0.0.1 port $PORT (udp, tcp), 2 workers"
check "route53d: it switched to nobody" \
	bash -c "ps -o user= --ppid $(pgrep -f "route53d --config $T/r53d.ini" | head -1) | grep -qx nobody"

# ---- updates that reach Route 53 --------------------------------------
upd 1 "hmac-sha256:k256:$K256" <<<"update add new.$Z 120 A 192.0.2.7"
check "add a name: nsupdate succeeds" [ "$urc" -eq 0 ]
check "add a name: Route 53 has it" [ "$(values "new.$Z." A)" = "120 192.0.2.7" ]
check "add a name: one POST, one CREATE" \
	[ "$(r53_count "^POST .* 200 sig=ok.*CREATE:new\.$Z\.:A")" -eq 1 ]

upd 1 "hmac-sha256:k256:$K256" <<<"update add www.$Z 300 A 192.0.2.2"
check "add to a set: the records merge" [ "$(values "www.$Z." A)" = "300 192.0.2.1 192.0.2.2" ]

upd 1 "hmac-sha256:k256:$K256" <<<"update delete two.$Z A 192.0.2.1"
[ "$urc" -eq 0 ] && [ "$(values "two.$Z." A)" = "60 192.0.2.2" ]
verdict "delete one record: only it goes"

upd 1 "hmac-sha256:k256:$K256" <<<"update delete gone.$Z TXT"
[ "$urc" -eq 0 ] && [ -z "$(values "gone.$Z." TXT)" ] && [ "$(values "gone.$Z." A)" = "60 192.0.2.3" ]
verdict "delete an RRset: the TXT set goes, the A set stays"

upd 1 "hmac-sha256:k256:$K256" <<<"update delete gone.$Z"
[ "$urc" -eq 0 ] && [ -z "$(values "gone.$Z." A)" ]
verdict "delete a name: every set of it goes"

n=$(posts)
upd 1 "hmac-sha256:k256:$K256" <<<"update add www.$Z 300 A 192.0.2.1"
[ "$urc" -eq 0 ] && [ "$(posts)" -eq "$n" ]
verdict "an add of what is there: NOERROR and no POST"

upd 1 "hmac-sha256:k256:$K256" -v <<<"update add tcp.$Z 300 TXT \"over tcp\""
[ "$urc" -eq 0 ] && [ "$(values "tcp.$Z." TXT)" = '300 "over tcp"' ]
verdict "over TCP (nsupdate -v)"

upd 1 "hmac-sha256:k256:$K256" <<EOF2
prereq yxrrset two.$Z A 192.0.2.2
update add two.$Z 60 A 192.0.2.4
EOF2
[ "$urc" -eq 0 ] && [ "$(values "two.$Z." A)" = "60 192.0.2.2 192.0.2.4" ]
verdict "prerequisite (RRset equals) met: applied"

for alg in md5:2:kmd5:$KMD5 sha512:3:k512:$K512; do
	IFS=: read -r a src name secret <<<"$alg"
	upd "$src" "hmac-$a:$name:$secret" <<<"update add $a.$Z 300 A 192.0.2.10"
	check "hmac-$a: applied" [ "$urc" -eq 0 ] && [ "$(values "$a.$Z." A)" = "300 192.0.2.10" ]
done
upd 4 "hmac-sha384:k384:$K384" <<<"update add sha384.$Z 300 A 192.0.2.10"
# the static build carries a libldns that has hmac-sha384 (packaging/README.md)
if ! file -b "$ROLEBOOT" | grep -q 'statically linked' &&
	grep -q 'hmac-sha384. is not available' "$T/main.log"; then
	check "hmac-sha384 with a libldns that lacks it: NOTAUTH, and the log says why" \
		grep -q 'NOTAUTH' "$T/upd.out"
else
	check "hmac-sha384: applied" [ "$urc" -eq 0 ] && [ "$(values "sha384.$Z." A)" = "300 192.0.2.10" ]
fi

# ---- refusals: the rcode, and nothing sent to the API ------------------
refused() { # refused WHAT RCODE: nsupdate failed with RCODE and the API saw nothing new
	if [ "$urc" -ne 0 ] && grep -q "$2" "$T/upd.out" && [ "$(api)" -eq "$n" ]; then
		ok "$1: $2, nothing sent to the API"
	else
		not_ok "$1: wanted $2 and no API request (exit $urc, requests $n -> $(api))"
		sed 's/^/# /' "$T/upd.out"
	fi
}
n=$(api)
upd 1 "hmac-sha256:k256:$(key hmac-sha256 k256)" <<<"update add bad.$Z 300 A 192.0.2.66"
refused "a wrong secret" NOTAUTH
upd 1 "" <<<"update add bad.$Z 300 A 192.0.2.66"
refused "unsigned" NOTAUTH
upd 2 "hmac-sha256:k256:$K256" <<<"update add bad.$Z 300 A 192.0.2.66"
refused "the key of another address" NOTAUTH
upd 9 "hmac-sha256:k256:$K256" <<<"update add bad.$Z 300 A 192.0.2.66"
refused "an address with no key" NOTAUTH
upd 2 "hmac-sha256:kmd5:$KMD5" <<<"update add bad.$Z 300 A 192.0.2.66"
refused "a key pinned to hmac-md5 used with hmac-sha256" NOTAUTH
sed -i "s/^zone $Z/zone unknown.example.net/; s/bad\.$Z/bad.unknown.example.net/" "$T/upd.in"
set +e
timeout 20 nsupdate -y "hmac-sha256:k256:$K256" "$T/upd.in" >"$T/upd.out" 2>&1
urc=$?
refused "a zone not in [hostedzone]" NOTAUTH
# raw_rcode HEXBYTES: the rcode of route53d's answer to those bytes over UDP,
# "none" when it answers nothing within 2 s
raw_rcode() {
	"$R53_PYTHON" - "$PORT" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(bytes.fromhex(sys.argv[2]), ("127.0.0.1", int(sys.argv[1])))
try:
    print(s.recv(65535)[3] & 0x0F)
except socket.timeout:
    print("none")
PY
}
# a header claiming one question that is not there: FORMERR, header only
check "a malformed message: FORMERR" [ "$(raw_rcode 12340000000100000000000000)" = 1 ]
# a plain QUERY (opcode 0) for corp.example.com SOA: NOTIMP
check "a QUERY: NOTIMP" \
	[ "$(raw_rcode 12340100000100000000000004636f7270076578616d706c6503636f6d0000060001)" = 4 ]
check "a message shorter than a header: no answer" [ "$(raw_rcode 1234)" = none ]
check "... and none of these reached the API" [ "$(api)" -eq "$n" ]
check "the log names every refusal's reason" \
	grep -q 'NOTAUTH (key k256.: the signature does not verify)' "$T/main.log"
check "no secret in the log" bash -c "! grep -qF -e '$K256' -e '$KMD5' -e '$R53_SECRET_KEY' '$T/main.log'"

n=$(posts)
upd 1 "hmac-sha256:k256:$K256" <<EOF2
prereq nxdomain www.$Z
update add www.$Z 300 A 192.0.2.66
EOF2
[ "$urc" -ne 0 ] && grep -q YXDOMAIN "$T/upd.out" && [ "$(posts)" -eq "$n" ]
verdict "prerequisite 'name not in use' fails: YXDOMAIN, no POST"
upd 1 "hmac-sha256:k256:$K256" <<EOF2
prereq yxrrset two.$Z A 192.0.2.99
update delete two.$Z A
EOF2
[ "$urc" -ne 0 ] && grep -q NXRRSET "$T/upd.out" && [ "$(posts)" -eq "$n" ] &&
	[ "$(values "two.$Z." A)" = "60 192.0.2.2 192.0.2.4" ]
verdict "prerequisite 'RRset equals' fails: NXRRSET, no POST, data kept"
upd 1 "hmac-sha256:k256:$K256" <<<"update add cdn.$Z 300 A 192.0.2.66"
[ "$urc" -ne 0 ] && grep -q REFUSED "$T/upd.out" && [ "$(posts)" -eq "$n" ]
verdict "an alias is not changed by UPDATE: REFUSED, no POST"
upd 1 "hmac-sha256:k256:$K256" <<<"update add www.example.org 300 A 192.0.2.66"
[ "$urc" -ne 0 ] && grep -q NOTZONE "$T/upd.out" && [ "$(posts)" -eq "$n" ]
verdict "a name outside the zone: NOTZONE, no POST"

# ---- API failures: each with its own fake ------------------------------
# other_fake NAME ARGS...: a second fake on the same data; sets URL2 and LOG2
other_fake() {
	local name=$1 pid
	shift
	cp "$T/data.json" "$T/$name.json"
	"$R53_PYTHON" "$TESTS_DIR/fake_route53.py" --data "$T/$name.json" --log "$T/$name.r53.log" \
		--portfile "$T/$name.port" --parent $$ --access-key "$R53_ACCESS_KEY" \
		--secret-key "$R53_SECRET_KEY" "$@" 2>>"$T/$name.err" &
	pid=$!
	cleanup_add "stop_pid $pid"
	URL2=http://127.0.0.1:$(wait_portfile "$name" "$T/$name.port" "$pid" "$T/$name.err")
	LOG2=$T/$name.r53.log
}
count2() { grep -Ec -- "$1" "$LOG2" 2>/dev/null || true; }

other_fake throttled --fail-changes 2
r53d_ini "$T/throttled.ini" "endpoint = $URL2"
r53d_start throttled "$T/throttled.ini"
upd 1 "hmac-sha256:k256:$K256" <<<"update add t.$Z 300 A 192.0.2.20"
[ "$urc" -eq 0 ] && [ "$(count2 '^POST .* 400 ')" -eq 2 ] && [ "$(count2 '^POST .* 200 ')" -eq 1 ]
verdict "throttled twice, then accepted: NOERROR after 3 POSTs"

other_fake denied --change-error AccessDenied
r53d_ini "$T/denied.ini" "endpoint = $URL2"
r53d_start denied "$T/denied.ini"
upd 1 "hmac-sha256:k256:$K256" <<<"update add t.$Z 300 A 192.0.2.20"
[ "$urc" -ne 0 ] && grep -q REFUSED "$T/upd.out" && [ "$(count2 '^POST ')" -eq 1 ] &&
	grep -q 'AWS error AccessDenied' "$T/denied.log"
verdict "AccessDenied: REFUSED, one POST, the log names the AWS error"

other_fake conflict --change-error InvalidChangeBatch
r53d_ini "$T/conflict.ini" "endpoint = $URL2"
r53d_start conflict "$T/conflict.ini"
upd 1 "hmac-sha256:k256:$K256" <<<"update add t.$Z 300 A 192.0.2.20"
[ "$urc" -ne 0 ] && grep -q REFUSED "$T/upd.out" && [ "$(count2 '^POST ')" -eq 3 ]
verdict "InvalidChangeBatch: read again and tried 3 times, then REFUSED"

other_fake down --change-error ServiceUnavailable
r53d_ini "$T/down.ini" "endpoint = $URL2"
r53d_start down "$T/down.ini"
upd 1 "hmac-sha256:k256:$K256" <<<"update add t.$Z 300 A 192.0.2.20"
[ "$urc" -ne 0 ] && grep -q SERVFAIL "$T/upd.out" && grep -q 'AWS error ServiceUnavailable' "$T/down.log"
verdict "503 on every try: SERVFAIL, the log names the AWS error"

r53d_ini "$T/dead.ini" "endpoint = http://127.0.0.1:$(free_port)"
r53d_start dead "$T/dead.ini"
upd 1 "hmac-sha256:k256:$K256" <<<"update add t.$Z 300 A 192.0.2.20"
[ "$urc" -ne 0 ] && grep -q SERVFAIL "$T/upd.out"
verdict "the API unreachable: SERVFAIL"

n=$(posts)
r53d_ini "$T/dry.ini" "endpoint = $R53_URL" "dry-run = 1"
r53d_start dry "$T/dry.ini"
upd 1 "hmac-sha256:k256:$K256" <<<"update add dry.$Z 300 A 192.0.2.30"
[ "$urc" -eq 0 ] && [ "$(posts)" -eq "$n" ] && [ -z "$(values "dry.$Z." A)" ] &&
	grep -q 'CREATE dry.corp.example.com. A 300 \[192.0.2.30\] (dry-run: nothing sent)' "$T/dry.log"
verdict "dry-run: NOERROR, the batch logged, nothing sent"

# ---- the config -----------------------------------------------------------
r53d_ini "$T/noroot.ini"
sed -i '/^username/d' "$T/noroot.ini"
if [ "$(id -u)" -eq 0 ]; then
	expect_fail 3 'username is required when started as root' "as root without username: refused" \
		route53d --config "$T/noroot.ini" --foreground
else
	skip "not root: the username rule is for root"
fi
r53d_ini "$T/open.ini"
chmod 644 "$T/open.ini"
expect_fail 3 'holds TSIG secrets but others may read it' "a world-readable config with keys: refused" \
	route53d --config "$T/open.ini" --check
printf '[server]\nlisten_ip = 127.0.0.1\n[tsig]\n127.0.0.1 = k1 bm90IGJhc2U2NA=x=\n' >"$T/bad.ini"
chmod 600 "$T/bad.ini"
expect_fail 3 'bad.ini:4: .*not base64' "a secret that is not base64: FILE:LINE" \
	route53d --config "$T/bad.ini" --check
printf '[server]\nlisten_ip = 127.0.0.1\nprocesses = 0\n' >"$T/bad.ini"
expect_fail 3 'bad.ini:3: .processes. must be a number from 1 to 64' "processes = 0: FILE:LINE" \
	route53d --config "$T/bad.ini" --check
printf '[server]\nlisten_ip = 127.0.0.1\n[bogus]\n' >"$T/bad.ini"
expect_fail 3 'bad.ini:3: unknown section' "an unknown section: refused" \
	route53d --config "$T/bad.ini" --check
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY BOTO_CONFIG="$T/none.cfg" HOME="$T" \
	"$ROLEBOOT" route53d --config "$T/r53d.ini" --foreground >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 3 ] && grep -q "none.cfg: no AWS credentials" "$T/err"
verdict "no credentials anywhere: exit 3 naming where it looked"
printf '[Credentials]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$R53_ACCESS_KEY" "$R53_SECRET_KEY" >"$T/boto.cfg"
chmod 644 "$T/boto.cfg"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY BOTO_CONFIG="$T/boto.cfg" \
	"$ROLEBOOT" route53d --config "$T/r53d.ini" --check >"$T/out" 2>"$T/err"
check "--check needs no credentials" [ $? -eq 0 ]
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY BOTO_CONFIG="$T/boto.cfg" \
	"$ROLEBOOT" route53d --config "$T/r53d.ini" --foreground >"$T/out" 2>"$T/err"
check "a boto file others may read: refused" grep -q 'too open for AWS credentials' "$T/err"
chmod 600 "$T/boto.cfg"
r53d_ini "$T/boto.ini" "endpoint = $R53_URL"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY BOTO_CONFIG="$T/boto.cfg" \
	"$ROLEBOOT" route53d --config "$T/boto.ini" --foreground 2>"$T/boto.log" &
cleanup_add "stop_pid $!"
for _ in $(seq 100); do
	PORT=$(sed -n 's/.*listening on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$T/boto.log")
	[ -n "$PORT" ] && break
	sleep 0.05
done
upd 1 "hmac-sha256:k256:$K256" <<<"update add boto.$Z 300 A 192.0.2.40"
[ "$urc" -eq 0 ] && [ "$(values "boto.$Z." A)" = "300 192.0.2.40" ]
verdict "credentials from the boto file (BOTO_CONFIG): applied"

pid=$(pgrep -f "route53d --config $T/r53d.ini --foreground" | head -1)
w=$(pgrep -P "$pid" | head -1)
kill -KILL "$w"
for _ in $(seq 40); do
	[ "$(pgrep -P "$pid" | grep -cvx "$w")" -eq 2 ] && break
	sleep 0.1
done
check "a worker killed outright is replaced (2 workers again)" \
	[ "$(pgrep -P "$pid" | grep -cvx "$w")" -eq 2 ]
check "... and the log says so" grep -q "worker $w ended" "$T/main.log"
PORT=$(sed -n 's/.*listening on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$T/main.log")
upd 1 "hmac-sha256:k256:$K256" <<<"update add after.$Z 300 A 192.0.2.50"
[ "$urc" -eq 0 ] && [ "$(values "after.$Z." A)" = "300 192.0.2.50" ]
verdict "... and updates go on"
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM stops route53d and its workers" \
	bash -c "! kill -0 $pid 2>/dev/null && ! pgrep -f '[r]oute53d --config $T/r53d.ini' >/dev/null"
check "... and it says so" grep -q 'route53d: stopped' "$T/main.log"
done_testing
