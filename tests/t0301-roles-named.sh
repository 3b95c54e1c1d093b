#!/usr/bin/env bash
# The DNS roles end to end with real named: dns-sync and dns-internal are
# applied to two Debian-layout roots, and each root's named runs in its own
# mount namespace (the root's /etc/bind, /var/cache/bind, /var/lib and, for
# the sync agent, /etc/roleboot mounted over the host's), so the absolute
# paths in the rendered configs resolve.  Checked: the primary serves a zone
# file written into the sync folder; the internal server transfers it with
# the TSIG key and answers; after a change and the sync config's own rndc
# command the primary's NOTIFY brings it over at once; a zone whose file
# appears after named started loads on reload; the transfer key is needed;
# the internal server's ACLs; rndc through the rendered rndc.conf; then the
# sync agent with the rendered sync.ini and aws-credentials against the
# fake Route 53: Route 53 -> zone files -> rndc reload -> NOTIFY -> dig.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"
. "$TESTS_DIR/named.sh"
. "$TESTS_DIR/route53.sh"

export PATH=$PATH:/usr/sbin:/sbin
SRC=$TESTS_DIR/../templates
have_named && command -v dig >/dev/null && command -v tsig-keygen >/dev/null ||
	skip_rest "needs bind9, bind9-utils and dig"
[ "$(id -u)" -eq 0 ] || skip_rest "needs root (mount namespaces)"
unshare -m true 2>/dev/null || skip_rest "unshare -m does not work here"
command -v nsenter >/dev/null || skip_rest "needs nsenter"
[ -d /etc/bind ] && [ -d /var/cache/bind ] || skip_rest "needs /etc/bind and /var/cache/bind to mount over"
getent passwd bind >/dev/null || skip_rest "needs the bind user (bind9 package)"
BIND_UID=$(id -u bind) BIND_GID=$(getent group bind | cut -d: -f3)
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
	AWS_SHARED_CREDENTIALS_FILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_ROUTE_53

# deb_root ROOT: Debian 12 with bind9; the bind account has the host's ids,
# because the host's named runs as bind on these files.
deb_root() {
	make_root "$1"
	printf 'root:x:0:0:root:/root:/bin/bash\nbind:x:%s:%s::/var/cache/bind:/usr/sbin/nologin\n' \
		"$BIND_UID" "$BIND_GID" >"$1/etc/passwd"
	printf 'root:x:0:\nbind:x:%s:\n' "$BIND_GID" >"$1/etc/group"
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nID=debian\n' >"$1/etc/os-release"
	mkdir -p "$1/usr/lib/systemd/system"
	printf '[Service]\nExecStart=/usr/sbin/named -f -u bind\n[Install]\nWantedBy=multi-user.target\n' \
		>"$1/usr/lib/systemd/system/named.service"
}

# NODE_MOUNTS: sh script ($1 root, $2 overlay folder, $3 flag file) that
# mounts the root's BIND folders, /var/lib and /etc/roleboot over the
# host's in a private mount namespace.  /etc/roleboot is mounted when the
# root has one: directly when the host has the folder, else over an overlay
# of /etc (the flag file says when neither worked).
NODE_MOUNTS='
	r=$1 ovl=$2 flag=$3
	if [ -d "$r/etc/roleboot" ]; then
		if [ ! -d /etc/roleboot ]; then
			mount -t tmpfs tmpfs "$ovl" && mkdir "$ovl/u" "$ovl/w" &&
			mount -t overlay overlay -o "lowerdir=/etc,upperdir=$ovl/u,workdir=$ovl/w" /etc &&
			mkdir /etc/roleboot
		fi
		mount --bind "$r/etc/roleboot" /etc/roleboot || : >"$flag"
	fi
	mount --bind "$r/etc/bind" /etc/bind &&
	mount --bind "$r/var/cache/bind" /var/cache/bind &&
	mount --bind "$r/var/lib" /var/lib &&
	mount -t tmpfs tmpfs /run && mkdir /run/named && chown bind:bind /run/named ||
		exit 111
'

# start_node NAME ROOT: named -u bind for ROOT in its own mount namespace
# (NODE_MOUNTS), log in $T/NAME.log; sets NODE_PID ($T/NAME.no-roleboot
# when /etc/roleboot could not be mounted).
start_node() {
	local name=$1 root=$2 i
	mkdir -p "$T/$name.ovl"
	unshare -m --propagation private sh -c "$NODE_MOUNTS"'
		exec named -g -n 1 -u bind -c /etc/bind/named.conf
	' sh "$root" "$T/$name.ovl" "$T/$name.no-roleboot" >"$T/$name.log" 2>&1 &
	NODE_PID=$!
	cleanup_add "stop_pid $NODE_PID"
	for i in $(seq 100); do
		grep -q "running$" "$T/$name.log" 2>/dev/null && return 0
		kill -0 "$NODE_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# named $name did not start:" >&2
	tail -20 "$T/$name.log" | sed 's/^/# /' >&2
	return 1
}

# boot_step NAME ROOT COMMAND...: COMMAND with ROOT mounted as start_node
# mounts it, before any named runs there (a unit that boot runs before
# named); its exit code, output in $T/NAME.out and $T/NAME.err.
boot_step() {
	local name=$1 root=$2
	shift 2
	mkdir -p "$T/$name.ovl"
	unshare -m --propagation private sh -c "$NODE_MOUNTS"'
		shift 3
		exec "$@"
	' sh "$root" "$T/$name.ovl" "$T/$name.no-roleboot" "$@" >"$T/$name.out" 2>"$T/$name.err"
}

# in_node PID COMMAND...: COMMAND in that node's mount namespace.
in_node() {
	local pid=$1
	shift
	nsenter -t "$pid" -m -- "$@"
}

# dig_at PORT [DIG ARGS...]: +short answer of the named on 127.0.0.1:PORT.
dig_at() {
	local port=$1
	shift
	dig @127.0.0.1 -p "$port" +short +time=2 +tries=1 "$@" 2>/dev/null
}

# status_at PORT [DIG ARGS...]: the rcode (NOERROR, REFUSED, ...).
status_at() {
	local port=$1
	shift
	dig @127.0.0.1 -p "$port" +time=2 +tries=1 "$@" 2>/dev/null |
		sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}

# eventually SECONDS COMMAND...: COMMAND succeeds within SECONDS.
eventually() {
	local n=$(($1 * 5))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

status_is() { # status_is PORT NAME TYPE RCODE
	[ "$(status_at "$1" "$2" "$3")" = "$4" ]
}

answers() { # answers PORT NAME TYPE EXPECTED
	[ "$(dig_at "$1" "$2" "$3")" = "$4" ]
}

# zone_file FILE ZONE SERIAL WWW-ADDRESS: a small zone; refresh and retry
# of an hour, so that only NOTIFY explains a fast update.
zone_file() {
	cat >"$1.tmp" <<EOF2
\$TTL 300
@	IN SOA	ns1.$2. hostmaster.$2. $3 3600 3600 1209600 300
@	IN NS	ns1.$2.
ns1	IN A	192.0.2.10
www	IN A	$4
EOF2
	chmod 644 "$1.tmp"
	mv "$1.tmp" "$1"
}

# the bundles are served over HTTP from 127.0.0.1, as a provisioning server would
mkdir -p "$T/www/bundles"
for b in dns-sync dns-internal; do
	pack_sign "$SRC/$b" "$T/www/bundles/$b.tar.gz" || { not_ok "pack and sign $b"; done_testing; exit 1; }
done
start_faultserver "$T/www" || { not_ok "bundle server did not start"; done_testing; exit 1; }
BUNDLES=http://127.0.0.1:$FAULT_PORT/ok/bundles
TSIG=$(tsig-keygen -a hmac-sha256 transfer | sed -n 's/.*secret "\(.*\)";.*/\1/p')
PORT_S=$(free_port) CTL_S=$(free_port) PORT_I=$(free_port) CTL_I=$(free_port)
R53_OK=no
if have_botocore; then
	cat >"$T/r53.json" <<'EOF2'
{"zones": [
 {"id": "Z1CORP", "name": "corp.example.com.", "records": [
  {"Name": "corp.example.com.", "Type": "SOA", "TTL": 900, "ResourceRecords":
   ["ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]},
  {"Name": "corp.example.com.", "Type": "NS", "TTL": 172800, "ResourceRecords": ["ns-1.awsdns-1.com."]},
  {"Name": "www.corp.example.com.", "Type": "A", "TTL": 60, "ResourceRecords": ["192.0.2.71"]}]},
 {"id": "Z2LAB", "name": "lab.example.com.", "records": [
  {"Name": "lab.example.com.", "Type": "SOA", "TTL": 900, "ResourceRecords":
   ["ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]},
  {"Name": "lab.example.com.", "Type": "NS", "TTL": 172800, "ResourceRecords": ["ns-1.awsdns-1.com."]},
  {"Name": "web.lab.example.com.", "Type": "A", "TTL": 120, "ResourceRecords": ["198.51.100.7"]}]}
]}
EOF2
	start_fake_route53 "$T/r53.json" && R53_OK=yes
fi

cat >"$T/sync.role" <<EOF2
[role]
name   = dns-sync
bundle = $BUNDLES/dns-sync.tar.gz
[vars]
listen_on             = 127.0.0.1
listen_port           = $PORT_S
control_port          = $CTL_S
internal_servers      = 127.0.0.1
internal_port         = $PORT_I
transfer_secret       = $TSIG
sync_endpoint         = ${R53_URL:-http://127.0.0.1:9}
aws_access_key_id     = $R53_ACCESS_KEY
aws_secret_access_key = $R53_SECRET_KEY
[zone "corp.example.com"]
id = Z1CORP
[zone "lab.example.com"]
EOF2
cat >"$T/internal.role" <<EOF2
[role]
name   = dns-internal
bundle = $BUNDLES/dns-internal.tar.gz
[vars]
listen_on         = 127.0.0.1
listen_port       = $PORT_I
control_port      = $CTL_I
primaries         = 127.0.0.1
primary_port      = $PORT_S
transfer_secret   = $TSIG
internal_networks = 127.0.0.3/32
allow_query       = 127.0.0.2/32
[zone "corp.example.com"]
[zone "lab.example.com"]
EOF2
S=$T/sync I=$T/internal
deb_root "$S"
deb_root "$I"
run_rb apply --root "$S" --pubkey "$PUB" "$T/sync.role"
check "dns-sync applied" [ "$rc" -eq 0 ]
check "... its bundle came over HTTP" [ "$(fault_count '^GET /ok/bundles/dns-sync.tar.gz 200 ')" -eq 1 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
run_rb apply --root "$I" --pubkey "$PUB" "$T/internal.role"
check "dns-internal applied" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"

# first boot, before the sync agent ever ran: every zone has its
# placeholder, named-checkconf -z passes and named answers for every zone
HOST=$(hostname)
for z in corp.example.com lab.example.com; do
	check "fresh primary: placeholder for $z passes named-checkzone" \
		named-checkzone -q "$z" "$S/var/cache/bind/roleboot/$z.zone"
done
check "fresh primary: named-checkconf -z on the provisioned root" \
	bash -c "named-checkconf -z -t '$S' /etc/bind/named.conf >'$T/checkconf.out' 2>&1"
start_node sync "$S" || { not_ok "primary named did not start"; done_testing; exit 1; }
PID_S=$NODE_PID
check "fresh primary: named loads every zone (no file missing)" \
	bash -c "grep -q 'zone corp.example.com/IN: loaded serial 1\$' '$T/sync.log' &&
		grep -q 'zone lab.example.com/IN: loaded serial 1\$' '$T/sync.log' &&
		! grep -q 'file not found' '$T/sync.log'"
for z in corp.example.com lab.example.com; do
	check "fresh primary: SOA $z answers NOERROR, not SERVFAIL" [ "$(status_at "$PORT_S" "$z" SOA)" = NOERROR ]
	check "fresh primary: SOA $z is the placeholder's (this node, serial 1)" \
		answers "$PORT_S" "$z" SOA "$HOST. hostmaster.$HOST. 1 60 60 1209600 60"
	check "fresh primary: NS $z is this node" answers "$PORT_S" "$z" NS "$HOST."
	check "fresh primary: names in $z answer NXDOMAIN, not SERVFAIL" \
		[ "$(status_at "$PORT_S" "www.$z" A)" = NXDOMAIN ]
done

# the sync agent writes a zone (a higher serial) and reloads it
RNDC_CMD=$(sed -n 's/^rndc *= *//p' "$S/etc/roleboot/sync.ini")
zone_file "$S/var/cache/bind/roleboot/corp.example.com.zone" corp.example.com 10 192.0.2.1
# shellcheck disable=SC2086 # the command line is words, as the sync agent splits it
in_node "$PID_S" $RNDC_CMD reload corp.example.com >"$T/rndc.out" 2>&1
check "primary: serves the zone file from the sync folder" eventually 10 answers "$PORT_S" www.corp.example.com A 192.0.2.1
check "primary: no zone transfer without the key" \
	bash -c "dig @127.0.0.1 -p $PORT_S +time=2 +tries=1 corp.example.com AXFR | grep -q 'Transfer failed'"
check "primary: zone transfer with the transfer key" \
	bash -c "dig @127.0.0.1 -p $PORT_S +time=2 +tries=1 -y 'hmac-sha256:transfer:$TSIG' corp.example.com AXFR | grep -q '^www.corp.example.com.*192.0.2.1$'"
check "primary: no recursion" [ "$(status_at "$PORT_S" www.example.net A)" = REFUSED ]

start_node internal "$I" || { not_ok "internal named did not start"; done_testing; exit 1; }
PID_I=$NODE_PID
check "internal: transfers the zone and answers" eventually 15 answers "$PORT_I" www.corp.example.com A 192.0.2.1
check "internal: the transfer was signed with the transfer key" \
	grep -q "zone corp.example.com/IN: transferred serial 10: TSIG 'transfer'" "$T/internal.log"
check "internal: keeps a copy in the slaves folder, as bind" \
	eventually 10 bash -c "[ \"\$(stat -c %u '$I/var/cache/bind/slaves/corp.example.com.db' 2>/dev/null)\" = $BIND_UID ]"
check "internal: authoritative answer" \
	bash -c "dig @127.0.0.1 -p $PORT_I +time=2 +tries=1 www.corp.example.com A | grep -q 'flags: qr aa'"

# a change on the primary, and the rndc command the sync agent would run:
# NOTIFY brings it to the internal server long before its refresh (1 h)
zone_file "$S/var/cache/bind/roleboot/corp.example.com.zone" corp.example.com 11 192.0.2.2
# shellcheck disable=SC2086
in_node "$PID_S" $RNDC_CMD reload corp.example.com >"$T/rndc.out" 2>&1
check "primary: the sync config's rndc command reloads the zone" grep -q "zone reload" "$T/rndc.out"
grep -q "zone reload" "$T/rndc.out" || sed 's/^/# /' "$T/rndc.out"
check "internal: NOTIFY brings the change" eventually 15 answers "$PORT_I" www.corp.example.com A 192.0.2.2
check "internal: ... it heard the primary's NOTIFY, signed" \
	bash -c "grep -q \"received notify for zone 'corp.example.com': TSIG 'transfer'\" '$T/internal.log' &&
		grep -q 'corp.example.com/IN: notify from 127.0.0.1#[0-9]*: serial 11$' '$T/internal.log'"

# the internal server has the placeholder of the zone not synced yet, so
# it answers for it too
check "internal: the placeholder zone transferred too (NOERROR)" \
	eventually 15 status_is "$PORT_I" lab.example.com SOA NOERROR
# the sync agent's first write of the other zone replaces its placeholder
zone_file "$S/var/cache/bind/roleboot/lab.example.com.zone" lab.example.com 2 192.0.2.5
# shellcheck disable=SC2086
in_node "$PID_S" $RNDC_CMD reload lab.example.com >"$T/rndc.out" 2>&1
check "primary: a placeholder replaced by a synced zone loads on reload" eventually 10 answers "$PORT_S" www.lab.example.com A 192.0.2.5
check "internal: ... and the internal server gets it" eventually 15 answers "$PORT_I" www.lab.example.com A 192.0.2.5

# a re-apply on the live primary keeps the zone files the sync agent wrote
ZSUMS=$(cat "$S"/var/cache/bind/roleboot/*.zone | sha256sum)
run_rb apply --root "$S" --pubkey "$PUB" "$T/sync.role"
check "re-apply on the live primary: succeeds, 0 changed" bash -c "[ $rc -eq 0 ] && grep -q '0 changed,' '$T/err'"
check "... the synced zone files are kept" [ "$(cat "$S"/var/cache/bind/roleboot/*.zone | sha256sum)" = "$ZSUMS" ]
# shellcheck disable=SC2086
in_node "$PID_S" $RNDC_CMD reload corp.example.com >"$T/rndc.out" 2>&1
check "... and named, reloading them, still serves the synced data" \
	bash -c "sleep 0.5; [ \"\$(dig @127.0.0.1 -p $PORT_S +short +time=2 +tries=1 www.corp.example.com A)\" = 192.0.2.2 ]"

# the internal server's ACLs (127.0.0.1 is localhost, always internal)
check "internal: allow_query network may query the zones" \
	[ "$(dig_at "$PORT_I" -b 127.0.0.2 www.corp.example.com A)" = 192.0.2.2 ]
check "internal: ... but may not recurse" [ "$(status_at "$PORT_I" -b 127.0.0.2 www.example.net A)" = REFUSED ]
check "internal: others may not query" [ "$(status_at "$PORT_I" -b 127.0.0.4 www.corp.example.com A)" = REFUSED ]
check "internal: internal networks may query" [ "$(dig_at "$PORT_I" -b 127.0.0.3 www.corp.example.com A)" = 192.0.2.2 ]
check "internal: the internal server transfers to nobody" \
	bash -c "dig @127.0.0.1 -p $PORT_I +time=2 +tries=1 -y 'hmac-sha256:transfer:$TSIG' corp.example.com AXFR | grep -q 'Transfer failed'"

# rndc with no options reads the rendered rndc.conf (key and control port)
check "internal: plain rndc works through rndc.conf" bash -c "nsenter -t $PID_I -m -- rndc status >/dev/null 2>&1"
check "primary: plain rndc works through rndc.conf" bash -c "nsenter -t $PID_S -m -- rndc zonestatus corp.example.com >/dev/null 2>&1"

# the sync agent with the rendered sync.ini and aws-credentials
if [ "$R53_OK" != yes ]; then
	skip "sync agent: needs python3-botocore for the fake Route 53"
elif [ -e "$T/sync.no-roleboot" ]; then
	skip "sync agent: /etc/roleboot could not be mounted in the namespace"
else
	in_node "$PID_S" "$ROLEBOOT" sync --once >"$T/sync.out" 2>"$T/sync.err"
	src=$?
	check "sync agent: runs with the bundle's /etc/roleboot/sync.ini" [ "$src" -eq 0 ]
	[ "$src" -eq 0 ] || sed 's/^/# /' "$T/sync.err"
	check "sync agent: signed its requests with the role's credentials" \
		[ "$(r53_count 'sig=ok$')" -gt 0 -a "$(r53_count 'sig=(bad|none)')" -eq 0 ]
	check "sync agent: zone id from the role, the other looked up by name" \
		[ "$(r53_count 'hostedzonesbyname\?dnsname=lab.example.com')" -ge 1 ]
	check "sync agent: status file under /var/lib/roleboot" [ -s "$S/var/lib/roleboot/sync-status" ]
	check "sync agent -> primary -> NOTIFY -> internal: Route 53 data served" \
		eventually 15 answers "$PORT_I" www.corp.example.com A 192.0.2.71
	check "... for the zone looked up by name too" eventually 15 answers "$PORT_I" web.lab.example.com A 198.51.100.7
	sed -i 's/192\.0\.2\.71/192.0.2.72/' "$T/r53.json"
	sleep 1
	in_node "$PID_S" "$ROLEBOOT" sync --once >"$T/sync.out" 2>"$T/sync.err"
	src=$?
	check "sync agent: second run after a change in Route 53" [ "$src" -eq 0 ]
	check "... the change reaches the internal server" eventually 15 answers "$PORT_I" www.corp.example.com A 192.0.2.72
	check "... by NOTIFY" [ "$(grep -c 'corp.example.com/IN: notify from 127.0.0.1' "$T/internal.log")" -ge 3 ]

	# the boot of a freshly provisioned primary: the first-sync unit's
	# command runs before named, then named starts on real data
	S2=$T/sync2
	deb_root "$S2"
	PORT_S2=$(free_port) CTL_S2=$(free_port)
	run_rb apply --root "$S2" --pubkey "$PUB" --var listen_port="$PORT_S2" --var control_port="$CTL_S2" "$T/sync.role"
	check "boot: second primary applied" [ "$rc" -eq 0 ]
	EXEC=$(sed -n 's/^ExecStart=//p' "$S2/etc/systemd/system/roleboot-presync.service")
	check "boot: the first-sync unit ignores its command's failure (ExecStart=-)" [ "${EXEC:0:1}" = - ]
	EXEC=${EXEC#-}
	EXEC=${EXEC/\/usr\/bin\/roleboot/$ROLEBOOT}
	# shellcheck disable=SC2086 # the command line is words, as systemd splits it
	boot_step presync "$S2" $EXEC
	prc=$?
	check "boot: the first sync finds no named to reload yet (exit 7, rndc)" \
		bash -c "[ $prc -eq 7 ] && grep -q rndc '$T/presync.err'"
	[ "$prc" -eq 7 ] || sed 's/^/# /' "$T/presync.err"
	check "boot: ... but wrote every zone from Route 53 before named starts" \
		bash -c "grep -q '192.0.2.72' '$S2/var/cache/bind/roleboot/corp.example.com.zone' &&
			grep -q '198.51.100.7' '$S2/var/cache/bind/roleboot/lab.example.com.zone'"
	if start_node sync2 "$S2"; then
		check "boot: named's first answer is Route 53's data" answers "$PORT_S2" www.corp.example.com A 192.0.2.72
		check "boot: ... for the zone looked up by name too" answers "$PORT_S2" web.lab.example.com A 198.51.100.7
		serial=$(dig_at "$PORT_S2" corp.example.com SOA | awk '{print $3}')
		check "boot: SOA serial is the sync's, above the placeholder's ($serial)" [ "${serial:-0}" -gt 1 ]
	else
		not_ok "boot: named did not start after the first sync"
	fi
fi
check "no secret in the named logs" bash -c "! grep -qF -- '$TSIG' '$T/sync.log' '$T/internal.log'"
done_testing
