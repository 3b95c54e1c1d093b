#!/usr/bin/env bash
# The whole write-and-read loop, end to end with real clients on 127.0.0.1:
#   nsupdate -y (TSIG) -> roleboot route53d -> the fake Route 53 (its data
#   file) -> roleboot sync --once (zone file, named-checkzone, rndc reload)
#   -> a hidden primary named (also-notify, allow-transfer) -> NOTIFY + IXFR
#   -> an internal named holding the zone as a secondary -> dig @internal.
# An added record, a deleted one, a merged RRset, a TXT with spaces and one
# with bytes outside ASCII each reach the internal server; its SOA serial
# rises after every sync that changed data and stays after one that changed
# nothing; an update route53d refuses (bad TSIG) changes nothing anywhere.
# Propagation is awaited by polling dig with a bound, never by fixed sleeps.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"
. "$TESTS_DIR/route53.sh"
. "$TESTS_DIR/named.sh"

have_named && command -v rndc >/dev/null && command -v dig >/dev/null ||
	skip_rest "needs named, rndc and dig (bind9, bind9-dnsutils)"
command -v nsupdate >/dev/null && command -v tsig-keygen >/dev/null ||
	skip_rest "needs nsupdate and tsig-keygen (bind9-dnsutils, bind9-utils)"
have_botocore || skip_rest "needs python3-botocore"
export ROLEBOOT_BACKOFF_MS=20
# nothing may reach a real endpoint: whatever names none gets a dead port
export AWS_ENDPOINT_URL=http://127.0.0.1:9
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
Z=corp.example.com
# the bound on propagation to the internal server, in tenths of a second
WAIT=${LOOP_WAIT:-100}

fail_setup() {
	not_ok "$1"
	[ $# -gt 1 ] && sed 's/^/# /' "$2" | tail -20
	done_testing
	exit 1
}

# ---- Route 53 (the fake) ------------------------------------------------
cat >"$T/data.json" <<EOF2
{"zones": [{"id": "Z1ABC", "name": "$Z.", "records": [
 {"Name": "$Z.", "Type": "SOA", "TTL": 900,
  "ResourceRecords": ["ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]},
 {"Name": "$Z.", "Type": "NS", "TTL": 172800, "ResourceRecords": ["ns-1.awsdns-1.com."]},
 {"Name": "www.$Z.", "Type": "A", "TTL": 300, "ResourceRecords": ["192.0.2.1"]}
]}]}
EOF2
start_fake_route53 "$T/data.json" || fail_setup "fake Route 53 did not start"

# ---- the hidden primary and the internal secondary ------------------------
ZD=$T/zones
mkdir -p "$ZD" "$T/internal"
# as the dns-sync first boot lays it down: a placeholder, serial 1
cat >"$ZD/$Z.zone" <<EOF2
\$TTL 300
@ IN SOA ns.$Z. hostmaster.$Z. 1 3600 600 86400 300
@ IN NS ns.$Z.
ns IN A 127.0.0.1
EOF2
SEC_PORT=$(free_port)
# notify explicit: NOTIFY goes to also-notify only, never to the zone's NS
# names (AWS's); notify-delay 0: one NOTIFY per reload, however close;
# max-ixfr-ratio unlimited: IXFR even where this small zone's diff is big
start_named "$T/primary" "
zone \"$Z\" {
	type primary;
	file \"$ZD/$Z.zone\";
	notify explicit;
	notify-delay 0;
	also-notify { 127.0.0.1 port $SEC_PORT; };
	allow-transfer { 127.0.0.1; };
	ixfr-from-differences yes;
	max-ixfr-ratio unlimited;
};" || fail_setup "the primary named did not start"
[ "$NAMED_PORT" != "$SEC_PORT" ] && [ "$NAMED_CTL" != "$SEC_PORT" ] ||
	fail_setup "the primary took the port meant for the internal server"
PRI_PORT=$NAMED_PORT PRI_RNDC=$RNDC PRI_LOG=$NAMED_LOG
start_named "$T/internal" "
zone \"$Z\" {
	type secondary;
	file \"$T/internal/$Z.db\";
	primaries { 127.0.0.1 port $PRI_PORT; };
};" "$SEC_PORT" || fail_setup "the internal named did not start"
SEC_LOG=$NAMED_LOG

# at SERVER-PORT NAME TYPE: the answer, one record per line, sorted
at() { dig @127.0.0.1 -p "$1" +short +time=1 +tries=1 "$2" "$3" | LC_ALL=C sort; }
internal() { at "$SEC_PORT" "$@"; }
# status_of NAME TYPE: the rcode the internal server gives (NOERROR, ...)
status_of() {
	dig @127.0.0.1 -p "$SEC_PORT" +time=1 +tries=1 +noall +comments "$1" "$2" |
		sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}
serial_at() { at "$1" "$Z" SOA | awk '{print $3}'; }
file_serial() { sed -n 's/^; content-sha256 [0-9a-f]* serial \([0-9]*\)$/\1/p' "$ZD/$Z.zone"; }
# until_internal COMMAND...: polls (at most WAIT tenths) until COMMAND holds
until_internal() {
	local i
	for ((i = 0; i < WAIT; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}
serial_is() { [ "$(serial_at "$SEC_PORT")" = "$1" ]; }
answer_is() { [ "$(internal "$1" "$2" | tr '\n' ' ')" = "$3" ]; }

until_internal serial_is 1 || fail_setup "the internal server did not load the zone from the primary" "$SEC_LOG"

# ---- route53d --------------------------------------------------------------
K=$(tsig-keygen -a hmac-sha256 loop-key | sed -n 's/.*secret "\(.*\)";.*/\1/p')
{
	printf '[server]\nprocesses = 2\nlisten_ip = 127.0.0.1\nlisten_port = 0\nusername = nobody\n'
	printf 'endpoint = %s\n' "$R53_URL"
	printf '[kludge]\ndelete_ttl = 300\n'
	printf '[hostedzone]\n%s = Z1ABC\n' "$Z"
	printf '[tsig]\n127.0.0.1 = loop-key %s\n' "$K"
	printf '[slave]\n'
} >"$T/r53d.ini"
chmod 600 "$T/r53d.ini"
[ "$(id -u)" -eq 0 ] || sed -i '/^username/d' "$T/r53d.ini"
AWS_ACCESS_KEY_ID=$R53_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$R53_SECRET_KEY \
	"$ROLEBOOT" route53d --config "$T/r53d.ini" --foreground 2>"$T/r53d.log" &
cleanup_add "stop_pid $!"
R53D_PORT=
for _ in $(seq 100); do
	R53D_PORT=$(sed -n 's/.*listening on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$T/r53d.log")
	[ -n "$R53D_PORT" ] && break
	sleep 0.05
done
[ -n "$R53D_PORT" ] || fail_setup "route53d did not start" "$T/r53d.log"

# upd KEY-SECRET < commands: nsupdate -y, TSIG with loop-key and KEY-SECRET,
# to route53d; its output in $T/upd.out, its exit status in $urc
upd() {
	{
		echo "server 127.0.0.1 $R53D_PORT"
		echo "local 127.0.0.1"
		echo "zone $Z"
		cat
		echo send
	} >"$T/upd.in"
	set +e
	timeout 20 nsupdate -y "hmac-sha256:loop-key:$1" "$T/upd.in" >"$T/upd.out" 2>&1
	urc=$?
}

# ---- sync -------------------------------------------------------------------
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$R53_ACCESS_KEY" "$R53_SECRET_KEY" >"$T/aws.ini"
chmod 600 "$T/aws.ini"
cat >"$T/sync.ini" <<EOF2
[sync]
directory   = $ZD
endpoint    = $R53_URL
credentials = $T/aws.ini
status      = $T/status
rndc        = $PRI_RNDC
resolver    = 127.0.0.1:$PRI_PORT
[zone "$Z"]
id = Z1ABC
EOF2
mkdir -p "$T/node"
sync() { run_rb sync --root "$T/node" --once --config "$T/sync.ini"; }
reloads() { grep -c "received control channel command 'reload $Z'" "$PRI_LOG" || true; }

# step WHAT: a sync that must change the zone; afterwards the internal
# server must serve the primary's new serial, higher than the one before
last=1
moves=()
step() {
	local new
	sync
	if [ "$rc" -ne 0 ] || ! grep -q '^changed yes$' "$T/status"; then
		not_ok "$1: sync --once (exit $rc) did not write the zone"
		sed 's/^/# /' "$T/err"
		return
	fi
	new=$(file_serial)
	if until_internal serial_is "$new" && [ "$new" -gt "$last" ]; then
		ok "$1: the internal server's serial rose ($last -> $new)"
	else
		not_ok "$1: the internal server's serial is $(serial_at "$SEC_PORT"), wanted $new (> $last)"
		grep -Ei 'notify|transfer' "$SEC_LOG" | tail -5 | sed 's/^/# /'
	fi
	moves+=("$last $new")
	last=$new
}

step "first sync replaces the placeholder"
check "first sync: the internal server answers Route 53's data" answer_is "www.$Z" A "192.0.2.1 "

# ---- an added A record ----------------------------------------------------
upd "$K" <<<"update add new.$Z 300 A 192.0.2.7"
check "add: nsupdate is answered NOERROR" [ "$urc" -eq 0 ]
step "add"
check "add: the new A record reaches the internal server" answer_is "new.$Z" A "192.0.2.7 "

# ---- a merged RRset ---------------------------------------------------------
upd "$K" <<<"update add www.$Z 300 A 192.0.2.2"
check "merge: nsupdate is answered NOERROR" [ "$urc" -eq 0 ]
step "merge"
check "merge: the internal server gives both values of the RRset" \
	answer_is "www.$Z" A "192.0.2.1 192.0.2.2 "

# ---- a TXT with spaces -------------------------------------------------------
# leading, inner (several) and trailing blanks, two strings, a semicolon
TXT=${LOOP_TXT:-'"  spaced   out  text ; with a semicolon " "and a second   string"'}
# and one with bytes outside printable ASCII (UTF-8 e-acute, DEL): decimal
# escapes in DNS presentation format, octal ones in Route 53's values
UTF='"caf\195\169 \127"'
upd "$K" <<EOF2
update add txt.$Z 300 TXT $TXT
update add utf.$Z 300 TXT $UTF
EOF2
check "TXT: nsupdate is answered NOERROR" [ "$urc" -eq 0 ]
step "TXT"
check "TXT: the internal server gives it byte for byte" answer_is "txt.$Z" TXT "$TXT "
check "TXT outside ASCII: Route 53 holds octal escapes" \
	grep -qF '"\"caf\\303\\251 \\177\""' "$T/data.json"
check "TXT outside ASCII: the internal server gives the same bytes" answer_is "utf.$Z" TXT "$UTF "

# ---- a deleted record ---------------------------------------------------------
upd "$K" <<<"update delete new.$Z A 192.0.2.7"
check "delete: nsupdate is answered NOERROR" [ "$urc" -eq 0 ]
step "delete"
gone() { [ -z "$(internal "$1" A)" ] && [ "$(status_of "$1" A)" = NXDOMAIN ]; }
check "delete: the record is gone from the internal server (NXDOMAIN)" gone "new.$Z"

# ---- a sync with nothing to do ---------------------------------------------------
sum=$(sha256sum <"$ZD/$Z.zone")
mt=$(stat -c %y "$ZD/$Z.zone")
n=$(reloads)
sync
quiet_sync() { [ "$rc" -eq 0 ] && grep -q '^changed no$' "$T/status"; }
file_kept() { [ "$(sha256sum <"$ZD/$Z.zone")" = "$sum" ] && [ "$(stat -c %y "$ZD/$Z.zone")" = "$mt" ]; }
check "unchanged: sync --once succeeds and says nothing changed" quiet_sync
check "unchanged: the zone file is not written (bytes, mtime)" file_kept
check "unchanged: no rndc reload" [ "$(reloads)" -eq "$n" ]
# nothing is sent that could move it: its serial must hold for a while
stays() {
	local i
	for i in $(seq 10); do
		serial_is "$last" && [ "$(serial_at "$PRI_PORT")" = "$last" ] || return 1
		sleep 0.1
	done
}
check "unchanged: the internal server's serial stays $last" stays

# ---- an update route53d refuses ------------------------------------------------
data_sum=$(sha256sum <"$T/data.json")
posts=$(r53_count '^POST ')
BAD=$(tsig-keygen -a hmac-sha256 loop-key | sed -n 's/.*secret "\(.*\)";.*/\1/p')
upd "$BAD" <<<"update add bad.$Z 300 A 192.0.2.66"
if [ "$urc" -ne 0 ] && grep -q NOTAUTH "$T/upd.out"; then
	ok "bad TSIG: route53d answers NOTAUTH"
else
	not_ok "bad TSIG: wanted NOTAUTH, got exit $urc"
	sed 's/^/# /' "$T/upd.out"
fi
check "bad TSIG: nothing sent to Route 53" [ "$(r53_count '^POST ')" -eq "$posts" ]
check "bad TSIG: the fake's data file unchanged" [ "$(sha256sum <"$T/data.json")" = "$data_sum" ]
sync
check "bad TSIG: the next sync succeeds and changes nothing" quiet_sync
check "bad TSIG: the zone file unchanged (bytes, mtime)" file_kept
check "bad TSIG: dig @internal finds no such name" gone "bad.$Z"
check "bad TSIG: the internal server's serial stays $last" serial_is "$last"
signed() { [ "$(r53_count '.')" -gt 0 ] && [ "$(r53_count ' sig=(bad|none)')" -eq 0 ]; }
check "every Route 53 request was signed correctly" signed
# each change went by NOTIFY (the SOA refresh is 7200 s) and IXFR from the
# serial before it
by_ixfr() {
	local m a b
	for m in "${moves[@]}"; do
		read -r a b <<<"$m"
		grep -q "notify from 127.0.0.1#[0-9]*: serial $b\$" "$SEC_LOG" &&
			grep -q "transfer of '$Z/IN': IXFR started (serial $a -> $b)" "$PRI_LOG" || {
			echo "# no NOTIFY of $b or IXFR $a -> $b"
			return 1
		}
	done
}
check "each change reached the internal server by NOTIFY and IXFR (${#moves[@]} steps)" by_ixfr
done_testing
