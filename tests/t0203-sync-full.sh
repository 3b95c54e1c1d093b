#!/usr/bin/env bash
# roleboot sync onto a full disk: the zone folder and the status file are
# on a small tmpfs.  A zone that grows past the room left is refused with
# exit 8 and one error line saying "No space left on device" and naming its
# zone file; every zone file is as before, no temp is left, and the status
# keeps the last good records and serial beside the error.  With no room
# even for the status, the zone's line is still the one error (the status
# only warns) and the disk is as it was; a status that cannot be written
# when every zone synced is the error itself, exit 8.  Once there is room
# again the next pass converges.
# Runs in a mount namespace of its own (unshare) when it can.
. "$(dirname "$0")/lib.sh"
private_mounts "$0" "$@"
. "$TESTS_DIR/https.sh"
. "$TESTS_DIR/route53.sh"

if ! have_botocore || ! command -v named-checkzone >/dev/null; then
	skip_rest "needs python3-botocore and named-checkzone"
fi
D=$T/disk
if ! tmpfs_mount "$D" 64k; then
	skip_rest "cannot mount a tmpfs here"
fi
export ROLEBOOT_BACKOFF_MS=20
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE

# data COUNT: $T/data.json, two zones: small.example.com, and big.example.com
# with COUNT A records besides its SOA and NS
data() {
	python3 - "$T/data.json" "$1" <<'PY'
import json, sys
SOA = "ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"
def zone(zid, name, recs):
    return {"id": zid, "name": name + ".", "private": False, "records": [
        {"Name": name + ".", "Type": "SOA", "TTL": 900, "ResourceRecords": [SOA]},
        {"Name": name + ".", "Type": "NS", "TTL": 172800, "ResourceRecords": ["ns-1.awsdns-1.com."]},
    ] + recs}
a = lambda name, ip: {"Name": name, "Type": "A", "TTL": 300, "ResourceRecords": [ip]}
big = [a("host%05d.big.example.com." % i, "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255))
       for i in range(int(sys.argv[2]))]
json.dump({"zones": [zone("Z1SMALL", "small.example.com", [a("www.small.example.com.", "192.0.2.1")]),
                     zone("Z2BIG", "big.example.com", big)]}, open(sys.argv[1], "w"))
PY
}
data 10
start_fake_route53 "$T/data.json" ||
	{ not_ok "fake Route 53 did not start"; done_testing; exit 1; }
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$R53_ACCESS_KEY" "$R53_SECRET_KEY" >"$T/aws.ini"
chmod 600 "$T/aws.ini"
Z=$D/zones
ST=$D/sync-status
cat >"$T/sync.ini" <<EOF2
[sync]
directory   = $Z
endpoint    = $R53_URL
credentials = $T/aws.ini
status      = $ST
[zone "small.example.com"]
[zone "big.example.com"]
EOF2
mkdir -p "$T/node"
sync() { run_rb sync --root "$T/node" --once --config "$T/sync.ini"; }
# status_field ZONE KEY: that zone's KEY line of the status file
status_field() { awk -v z="$1" -v k="$2" '$1 == "zone" {cur = $2} cur == z && $1 == k {print $2}' "$ST"; }
# disk_hash: every name under the tmpfs with its content
disk_hash() { (cd "$D" && find . -printf '%p %y %m\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum; }
# records FILE: the A records of a zone file
records() { grep -c '	IN	A	' "$1"; }
# zone_files: the zone folder's names, modes and contents
zone_files() { (cd "$Z" && find . -printf '%p %y %m\n' | LC_ALL=C sort && sha256sum ./*); }
# one_error SUBJECT WHAT: ok when the last run printed one error line, and
# it starts with SUBJECT and says "No space left on device"
one_error() {
	local n line
	n=$(error_lines)
	line=$(grep '^roleboot: error:' "$T/err")
	if [ "$n" -eq 1 ] && [[ $line == "roleboot: error: $1: "*"No space left on device" ]]; then
		ok "$2"
	else
		not_ok "$2: wanted one error line on $1 saying 'No space left on device', got $n"
		sed 's/^/# /' "$T/err"
	fi
}

sync
check "first sync onto the small tmpfs succeeds" [ "$rc" -eq 0 ]
[ -s "$Z/small.example.com.zone" ] && [ "$(records "$Z/big.example.com.zone")" -eq 10 ]
verdict "... both zone files written"
check "... named-checkzone accepts them" bash -c "named-checkzone big.example.com '$Z/big.example.com.zone' >/dev/null"
check "... the status records big.example.com" [ "$(status_field big.example.com records)" = 12 ]
good_serial=$(status_field big.example.com serial)
small=$(sha256sum <"$Z/small.example.com.zone")
zones=$(zone_files)

# ---- the big zone grows past the room: its file does not fit ----
data 4000
sleep 1
sync
check "a zone file that does not fit: exit 8 ($rc)" [ "$rc" -eq 8 ]
one_error "$Z/big.example.com.zone" "... one error line, naming the zone file"
check "... which names no temp" bash -c "! grep -q '\\.rb-' '$T/err'"
check "... every zone file as it was" [ "$(zone_files)" = "$zones" ]
check "... no temp left" [ -z "$(leftovers "$D")" ]
check "... the status keeps the last good records and serial" \
	[ "$(status_field big.example.com records) $(status_field big.example.com serial)" = "12 $good_serial" ]
check "... with the error beside them" \
	grep -q "^last_error $Z/big.example.com.zone: cannot write: No space left on device$" "$ST"
[ "$(status_field small.example.com last_error)" = - ] && [ "$(status_field small.example.com changed)" = no ]
verdict "... the other zone synced, unchanged"

# ---- no room even for the status file ----
head -c 1m /dev/zero >"$D/filler" 2>/dev/null
h=$(disk_hash)
sync
check "full to the last page: exit 8 ($rc)" [ "$rc" -eq 8 ]
one_error "$Z/big.example.com.zone" "... the one error line names the zone file"
check "... the status not kept: a warning" \
	grep -q "^roleboot: warning: $ST: status not kept: No space left on device$" "$T/err"
check "... the disk as it was" [ "$(disk_hash)" = "$h" ]
check "... no temp left" [ -z "$(leftovers "$D")" ]

# the zones as they are on the disk: only the status changes, and fails
data 10
sleep 1
sync
check "only the status does not fit: exit 8 ($rc)" [ "$rc" -eq 8 ]
one_error "$ST" "... one error line, naming the status file"
check "... the disk as it was" [ "$(disk_hash)" = "$h" ]
check "... no temp left" [ -z "$(leftovers "$D")" ]

# ---- room again: the next pass converges ----
rm -f "$D/filler"
mount -o remount,size=1m "$D"
data 4000
sleep 1
sync
check "room again: sync succeeds" [ "$rc" -eq 0 ]
check "... the grown zone written" [ "$(records "$Z/big.example.com.zone")" -eq 4000 ]
check "... named-checkzone accepts it" bash -c "named-checkzone big.example.com '$Z/big.example.com.zone' >/dev/null"
check "... with a new serial" [ "$(status_field big.example.com serial)" -gt "$good_serial" ]
check "... the status records it, with no error" \
	[ "$(status_field big.example.com records) $(status_field big.example.com last_error)" = "4002 -" ]
check "... the other zone untouched" [ "$(sha256sum <"$Z/small.example.com.zone")" = "$small" ]
check "... no temp left" [ -z "$(leftovers "$D")" ]
sync
[ "$rc" -eq 0 ] && [ "$(grep -c '^changed no$' "$ST")" -eq 2 ]
verdict "next pass: nothing to write"
done_testing
