#!/usr/bin/env bash
# The three DNS role bundles (templates/dns-sync, dns-internal, route53d):
# each is packed, signed and applied to a Debian-layout target root (and
# dns-internal and dns-sync to a RHEL-layout one too) with a role file
# written here;
# files, modes, owners from the root's passwd, folders, services, the
# generated rndc key, the staged named-checkconf validator, convergence
# ("0 changed") and secrets kept out of stderr and the report are checked;
# for dns-sync also the placeholder zones (named-checkconf -z on the fresh
# root), the first-sync unit ordered before named, and re-applies that keep
# the zone files the sync agent wrote.
# route53d.ini is read with Python's configparser as route53d reads it.
# The example role files in roles/ must render against their bundles.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"
. "$TESTS_DIR/named.sh"

SRC=$TESTS_DIR/../templates
export PATH=$PATH:/usr/sbin:/sbin
if ! command -v named-checkconf >/dev/null || ! command -v tsig-keygen >/dev/null; then
	skip_rest "needs bind9-utils (named-checkconf, tsig-keygen)"
fi

# ids that the build host is unlikely to share: owners must come from the
# target root's passwd and group, never the host's
BIND_UID=1104 BIND_GID=1106 NAMED_UID=1025 NAMED_GID=1025

# users ROOT: passwd and group with the accounts the bundles name.
users() {
	make_root "$1"
	cat >"$1/etc/passwd" <<EOF2
root:x:0:0:root:/root:/bin/bash
bind:x:$BIND_UID:$BIND_GID::/var/cache/bind:/usr/sbin/nologin
named:x:$NAMED_UID:$NAMED_GID:Named:/var/named:/sbin/nologin
route53d:x:1990:1990:route53d:/nonexistent:/usr/sbin/nologin
EOF2
	cat >"$1/etc/group" <<EOF2
root:x:0:
bind:x:$BIND_GID:
named:x:$NAMED_GID:
route53d:x:1990:
EOF2
}

# named_unit ROOT: the unit file the BIND package installs, so that
# `systemctl --root` can enable it.
named_unit() {
	mkdir -p "$1/usr/lib/systemd/system"
	cat >"$1/usr/lib/systemd/system/named.service" <<'EOF2'
[Unit]
Description=BIND Domain Name Server
After=network.target

[Service]
ExecStart=/usr/sbin/named -f -u bind

[Install]
WantedBy=multi-user.target
EOF2
}

# deb_root ROOT: Debian 12 with bind9 installed.
deb_root() {
	users "$1"
	mkdir -p "$1/usr/lib"
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' \
		>"$1/usr/lib/os-release"
	ln -s ../usr/lib/os-release "$1/etc/os-release"
	named_unit "$1"
}

# rhel_root ROOT: Rocky Linux 9 with bind installed.
rhel_root() {
	users "$1"
	printf 'NAME="Rocky Linux"\nVERSION_ID="9.4"\nID="rocky"\nID_LIKE="rhel centos fedora"\n' \
		>"$1/etc/os-release"
	named_unit "$1"
}

# absent PATH...: none of the paths exists.
absent() {
	local p
	for p in "$@"; do [ ! -e "$p" ] || return 1; done
}

# mode_owner PATH: "MODE UID:GID" of PATH.
mode_owner() { stat -c '%a %u:%g' "$1" 2>/dev/null; }

# has FILE TEXT: FILE holds the line fragment TEXT (fixed string).
has() { grep -qF -- "$2" "$1"; }

# secrets_hidden WHAT SECRET...: none of the secrets in stderr, stdout or
# the report.
secrets_hidden() {
	local what=$1 s leaked=
	shift
	for s in "$@"; do
		[ -n "$s" ] || continue
		if grep -qF -- "$s" "$T/err" "$T/out" "$R/var/lib/roleboot/report.json" 2>/dev/null; then
			leaked="$leaked ${s:0:6}..."
		fi
	done
	check "$what: no secret in stderr, stdout or report.json${leaked:+ (leaked:$leaked)}" [ -z "$leaked" ]
}

# apply_role ROOT ROLEFILE [ARGS...]
apply_role() {
	local root=$1 role=$2
	shift 2
	run_rb apply --root "$root" --pubkey "$PUB" "$@" "$role"
}

# converges WHAT ROOT ROLEFILE: a second apply changes nothing.
converges() {
	local h
	h=$(tree_hash "$2")
	apply_role "$2" "$3"
	check "$1: second apply succeeds" [ "$rc" -eq 0 ]
	check "$1: second apply reports 0 changed" grep -q "0 changed," "$T/err"
	check "$1: second apply leaves the root as it was" [ "$(tree_hash "$2")" = "$h" ]
}

key_secret() { sed -n 's/.*secret "\(.*\)";.*/\1/p' "$1"; }

for b in dns-sync dns-internal route53d; do
	if ! pack_sign "$SRC/$b" "$T/$b.tar.gz"; then
		not_ok "pack and sign $b"
	fi
done

TSIG=$(tsig-keygen -a hmac-sha256 transfer | sed -n 's/.*secret "\(.*\)";.*/\1/p')
AWS_ID=AKIDROLEBOOTTEST7Q2X
AWS_SECRET=r0leb00t/Test+Secret/9a8b7c6d5e4f3a2b1c0d
PORT_S=$(free_port) CTL_S=$(free_port) PORT_I=$(free_port) CTL_I=$(free_port)

# ---- dns-sync on Debian ------------------------------------------------
cat >"$T/sync.role" <<EOF2
[role]
name   = dns-sync
bundle = dns-sync.tar.gz
[vars]
listen_on             = 127.0.0.1
listen_port           = $PORT_S
control_port          = $CTL_S
internal_servers      = 127.0.0.1
internal_port         = $PORT_I
transfer_secret       = $TSIG
sync_interval         = 30
sync_jitter           = 5
sync_endpoint         = http://127.0.0.1:9/
aws_access_key_id     = $AWS_ID
aws_secret_access_key = $AWS_SECRET
[zone "corp.example.com"]
id = Z1CORPEXAMPLE
[zone "lab.example.com"]
EOF2
R=$T/sync
deb_root "$R"
apply_role "$R" "$T/sync.role"
check "dns-sync: apply succeeds" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
C=$R/etc/bind/named.conf
check "dns-sync: named.conf 0644 root:bind" [ "$(mode_owner "$C")" = "644 0:$BIND_GID" ]
check "dns-sync: named.conf includes the rndc and transfer keys" \
	bash -c "grep -qF 'include \"/etc/bind/rndc.key\";' '$C' && grep -qF 'include \"/etc/bind/named.transfer.key\";' '$C'"
check "dns-sync: listen-on the test address and port" has "$C" "listen-on port $PORT_S { 127.0.0.1; };"
check "dns-sync: no IPv6 listener unless asked" has "$C" "listen-on-v6 port $PORT_S { none; };"
check "dns-sync: rndc control channel on the control port" \
	has "$C" "inet 127.0.0.1 port $CTL_S allow { 127.0.0.1; } keys { \"rndc-key\"; };"
check "dns-sync: notify explicit" has "$C" "notify explicit;"
check "dns-sync: also-notify the internal servers with the key" \
	has "$C" "also-notify { 127.0.0.1 port $PORT_I key transfer; };"
check "dns-sync: transfers only with the key" has "$C" "allow-transfer { key transfer; };"
check "dns-sync: no recursion" has "$C" "recursion no;"
check "dns-sync: primary zone per role section, file in the sync folder" \
	bash -c "grep -A3 'zone \"corp.example.com\"' '$C' | grep -q 'type primary;' &&
		grep -qF 'file \"/var/cache/bind/roleboot/corp.example.com.zone\";' '$C' &&
		grep -qF 'file \"/var/cache/bind/roleboot/lab.example.com.zone\";' '$C'"
check "dns-sync: named-checkconf accepts the installed config" named-checkconf -t "$R" /etc/bind/named.conf
K=$R/etc/bind/named.transfer.key
check "dns-sync: transfer key 0640 root:bind" [ "$(mode_owner "$K")" = "640 0:$BIND_GID" ]
check "dns-sync: transfer key holds the role's secret" [ "$(key_secret "$K")" = "$TSIG" ]
RK=$R/etc/bind/rndc.key
check "dns-sync: rndc key generated, 0640 root:bind" [ "$(mode_owner "$RK")" = "640 0:$BIND_GID" ]
check "dns-sync: rndc key is a hmac-sha256 key named rndc-key" \
	bash -c "grep -q 'key \"rndc-key\"' '$RK' && grep -q 'algorithm hmac-sha256;' '$RK'"
RNDC_SECRET=$(key_secret "$RK")
check "dns-sync: rndc key has a secret" [ -n "$RNDC_SECRET" ]
check "dns-sync: rndc.conf uses the key and the control port" \
	bash -c "grep -qF 'include \"/etc/bind/rndc.key\";' '$R/etc/bind/rndc.conf' &&
		grep -qF 'default-port $CTL_S;' '$R/etc/bind/rndc.conf'"
check "dns-sync: /var/cache/bind 0775 root:bind" [ "$(mode_owner "$R/var/cache/bind")" = "775 0:$BIND_GID" ]
check "dns-sync: sync folder 0750 root:bind" [ "$(mode_owner "$R/var/cache/bind/roleboot")" = "750 0:$BIND_GID" ]
check "dns-sync: managed-keys folder 0770 bind:bind" \
	[ "$(mode_owner "$R/var/cache/bind/dynamic")" = "770 $BIND_UID:$BIND_GID" ]
S=$R/etc/roleboot/sync.ini
check "dns-sync: sync.ini 0644 root:root" [ "$(mode_owner "$S")" = "644 0:0" ]
check "dns-sync: sync.ini directory is where named.conf looks" has "$S" "directory   = /var/cache/bind/roleboot"
check "dns-sync: sync.ini interval and jitter" bash -c "grep -qx 'interval    = 30' '$S' && grep -qx 'jitter      = 5' '$S'"
check "dns-sync: sync.ini endpoint from the role" grep -qx "endpoint    = http://127.0.0.1:9/" "$S"
check "dns-sync: sync.ini rndc with the node's key and control port" \
	grep -qx "rndc        = /usr/sbin/rndc -k /etc/bind/rndc.key -s 127.0.0.1 -p $CTL_S" "$S"
check "dns-sync: sync.ini credentials and status" \
	bash -c "grep -qx 'credentials = /etc/roleboot/aws-credentials' '$S' && grep -q '^status *= /var/lib/roleboot/sync-status$' '$S'"
check "dns-sync: sync.ini zone with id" bash -c "grep -A1 -x '\\[zone \"corp.example.com\"\\]' '$S' | grep -qx 'id = Z1CORPEXAMPLE'"
check "dns-sync: sync.ini zone without id looked up by name" \
	bash -c "grep -qx '\\[zone \"lab.example.com\"\\]' '$S' && [ \$(grep -c '^id' '$S') -eq 1 ]"
A=$R/etc/roleboot/aws-credentials
check "dns-sync: aws-credentials 0600 root:root" [ "$(mode_owner "$A")" = "600 0:0" ]
check "dns-sync: aws-credentials in the shared-credentials format" \
	bash -c "grep -qx '\\[default\\]' '$A' && grep -qx 'aws_access_key_id     = $AWS_ID' '$A' &&
		grep -qxF 'aws_secret_access_key = $AWS_SECRET' '$A'"
U=$R/etc/systemd/system/roleboot-sync.service
check "dns-sync: sync service is a oneshot of roleboot sync --once after named" \
	bash -c "grep -qx 'Type=oneshot' '$U' && grep -qx 'ExecStart=/usr/bin/roleboot sync --once' '$U' &&
		grep -q '^After=.*named.service' '$U'"
check "dns-sync: timer runs at the interval" \
	bash -c "grep -qx 'OnBootSec=30s' '$R/etc/systemd/system/roleboot-sync.timer' &&
		grep -qx 'OnUnitActiveSec=30s' '$R/etc/systemd/system/roleboot-sync.timer'"
check "dns-sync: named enabled" systemctl --root="$R" --quiet is-enabled named
check "dns-sync: roleboot-sync.timer enabled" systemctl --root="$R" --quiet is-enabled roleboot-sync.timer
check "dns-sync: no RHEL paths on Debian" absent "$R/etc/named.conf" "$R/etc/rndc.key" "$R/var/named"

# first boot: every synced zone has a file before named starts (a
# placeholder until the first sync), and the first sync runs before named
HOST=$(hostname)
for z in corp.example.com lab.example.com; do
	P=$R/var/cache/bind/roleboot/$z.zone
	check "dns-sync: placeholder for $z where sync writes it, 0644 root:root" [ "$(mode_owner "$P")" = "644 0:0" ]
	check "dns-sync: placeholder for $z passes named-checkzone with serial 1" \
		bash -c "named-checkzone '$z' '$P' | grep -qx 'zone $z/IN: loaded serial 1'"
	check "dns-sync: placeholder for $z: SOA and NS name this node ($HOST)" \
		bash -c "named-checkzone -D -o - '$z' '$P' 2>/dev/null >'$T/dump' &&
			grep -qP '^$z\.\s+\d+\s+IN\s+SOA\s+$HOST\. hostmaster\.$HOST\. 1 ' '$T/dump' &&
			grep -qP '^$z\.\s+\d+\s+IN\s+NS\s+$HOST\.$' '$T/dump'"
done
check "dns-sync: no placeholder for a zone the role does not have" \
	[ "$(ls "$R/var/cache/bind/roleboot")" = "$(printf 'corp.example.com.zone\nlab.example.com.zone')" ]
check "dns-sync: placeholders recorded in the state without a hash" \
	[ "$(grep -c '^file keep 0644 root root /var/cache/bind/roleboot/.*\.zone$' "$R/var/lib/roleboot/state")" -eq 2 ]
check "dns-sync: named-checkconf -z loads every zone of the fresh root" \
	bash -c "named-checkconf -z -t '$R' /etc/bind/named.conf >'$T/checkconf.out' 2>&1"
U=$R/etc/systemd/system/roleboot-presync.service
check "dns-sync: first-sync unit is a oneshot of roleboot sync --once, its failure ignored" \
	bash -c "grep -qx 'Type=oneshot' '$U' && grep -qx 'ExecStart=-/usr/bin/roleboot sync --once' '$U'"
check "dns-sync: first sync ordered before named (named.service, and bind9.service of older Debian)" \
	bash -c "grep '^Before=' '$U' | tr ' =' '\n\n' | grep -qx named.service &&
		grep '^Before=' '$U' | tr ' =' '\n\n' | grep -qx bind9.service"
check "dns-sync: first sync after the network, bounded in time" \
	bash -c "grep -qx 'After=network-online.target' '$U' && grep -qx 'TimeoutStartSec=90' '$U'"
check "dns-sync: named never requires the first sync (ordering only)" \
	bash -c "! grep -Eq '^(Requires|BindsTo|Requisite|RequiredBy)=' '$U' &&
		! grep -rqs roleboot-presync '$R/usr/lib/systemd/system/named.service' '$R/etc/systemd/system/named.service.d'"
check "dns-sync: first sync and named enabled in the same target (one boot transaction)" \
	bash -c "[ -L '$R/etc/systemd/system/multi-user.target.wants/roleboot-presync.service' ] &&
		[ -L '$R/etc/systemd/system/multi-user.target.wants/named.service' ]"
check "dns-sync: first-sync unit enabled (systemctl --root)" \
	systemctl --root="$R" --quiet is-enabled roleboot-presync.service
if command -v systemd-analyze >/dev/null; then
	check "dns-sync: systemd-analyze verify accepts the first-sync unit" \
		systemd-analyze verify --man=no "$U"
else
	skip "dns-sync: systemd-analyze verify: no systemd-analyze here"
fi
check "dns-sync: no mode wider than the bundle's (no world-readable secret)" \
	[ -z "$(find "$R/etc/roleboot" "$R/etc/bind" -type f -perm /0004 ! -name named.conf ! -name rndc.conf ! -name sync.ini)" ]
secrets_hidden "dns-sync" "$TSIG" "$AWS_SECRET" "$AWS_ID" "$RNDC_SECRET"
converges "dns-sync" "$R" "$T/sync.role"
check "dns-sync: the generated rndc key is kept" [ "$(key_secret "$RK")" = "$RNDC_SECRET" ]
secrets_hidden "dns-sync (second apply)" "$TSIG" "$AWS_SECRET" "$AWS_ID" "$RNDC_SECRET"

# a changed secret changes the key file and no diff shows it
apply_role "$R" "$T/sync.role" --dry-run --diff --var transfer_secret=c2Vjb25kLXNlY3JldC1mb3ItdGhlLXRlc3Q=
check "dns-sync: dry-run with a new transfer secret is pending (exit 1)" [ "$rc" -eq 1 ]
secrets_hidden "dns-sync dry-run --diff" "$TSIG" "c2Vjb25kLXNlY3JldC1mb3ItdGhlLXRlc3Q=" "$RNDC_SECRET"

# a zone file the sync agent wrote (higher serial, its own header and
# mode) is kept by a re-apply, and a dry run finds nothing to do
Z=$R/var/cache/bind/roleboot/corp.example.com.zone
cat >"$Z" <<'EOF2'
; corp.example.com from Route 53 hosted zone Z1CORPEXAMPLE, written by roleboot sync
; content-sha256 0000000000000000000000000000000000000000000000000000000000000000 serial 1764979200
$TTL 300
@	IN SOA	ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 1764979200 7200 900 1209600 86400
@	IN NS	ns-1.awsdns-1.com.
www	IN A	192.0.2.71
EOF2
chmod 0640 "$Z"
ZSUM=$(sha256sum <"$Z")
h=$(tree_hash "$R")
apply_role "$R" "$T/sync.role" --dry-run --diff
check "dns-sync: dry-run over a synced zone: nothing to do (exit 0)" [ "$rc" -eq 0 ]
check "dns-sync: ... no diff of the synced zone" bash -c "! grep -q 'corp.example.com.zone' '$T/out' '$T/err'"
apply_role "$R" "$T/sync.role"
check "dns-sync: re-apply over a synced zone succeeds with 0 changed" \
	bash -c "[ $rc -eq 0 ] && grep -q '0 changed,' '$T/err'"
check "dns-sync: ... the synced zone is kept byte for byte" [ "$(sha256sum <"$Z")" = "$ZSUM" ]
check "dns-sync: ... with its mode" [ "$(stat -c %a "$Z")" = 640 ]
check "dns-sync: ... and the root (state included) is unchanged" [ "$(tree_hash "$R")" = "$h" ]
rm "$R/var/cache/bind/roleboot/lab.example.com.zone"
apply_role "$R" "$T/sync.role"
check "dns-sync: a zone file that went missing gets its placeholder back" \
	bash -c "[ $rc -eq 0 ] && named-checkzone lab.example.com '$R/var/cache/bind/roleboot/lab.example.com.zone' | grep -q 'loaded serial 1'"
check "dns-sync: ... and the synced one is still kept" [ "$(sha256sum <"$Z")" = "$ZSUM" ]

# named.conf's validator loads the zones (-z): a zone file named cannot
# load refuses the apply, and nothing is written
R=$T/sync-badzone
deb_root "$R"
mkdir -p "$R/var/cache/bind/roleboot"
echo 'this is not a zone' >"$R/var/cache/bind/roleboot/lab.example.com.zone"
h=$(tree_hash "$R")
apply_role "$R" "$T/sync.role"
check "dns-sync: a zone file that does not load fails validation (exit 7)" [ "$rc" -eq 7 ]
check "dns-sync: ... named-checkconf is named" grep -q "validate /etc/bind/named.conf: 'named-checkconf -z" "$T/err"
check "dns-sync: ... and the root is unchanged" [ "$(tree_hash "$R")" = "$h" ]

# the key a package already made is kept as it is
R=$T/sync-pkg
deb_root "$R"
mkdir -p "$R/etc/bind"
tsig-keygen -a hmac-sha256 rndc-key >"$R/etc/bind/rndc.key"
chmod 640 "$R/etc/bind/rndc.key"
chown 0:$BIND_GID "$R/etc/bind/rndc.key"
PKG_KEY=$(sha256sum <"$R/etc/bind/rndc.key")
apply_role "$R" "$T/sync.role"
check "dns-sync over an existing rndc key: apply succeeds" [ "$rc" -eq 0 ]
check "dns-sync over an existing rndc key: it is kept" [ "$(sha256sum <"$R/etc/bind/rndc.key")" = "$PKG_KEY" ]
secrets_hidden "dns-sync over an existing rndc key" "$(key_secret "$R/etc/bind/rndc.key")"

# the staged validator refuses a broken key, and nothing is written
R=$T/sync-bad
deb_root "$R"
h=$(tree_hash "$R")
apply_role "$R" "$T/sync.role" --var 'transfer_secret=not*base64!'
check "dns-sync: a transfer secret named-checkconf refuses fails validation (exit 7)" [ "$rc" -eq 7 ]
check "dns-sync: ... the failing validator is named" grep -q "named-checkconf" "$T/err"
check "dns-sync: ... and the root is unchanged" [ "$(tree_hash "$R")" = "$h" ]
secrets_hidden "dns-sync refused" "not*base64!"

# ---- dns-internal on Debian ----------------------------------------------
cat >"$T/internal.role" <<EOF2
[role]
name   = dns-internal
bundle = dns-internal.tar.gz
[vars]
listen_on         = 127.0.0.1
listen_port       = $PORT_I
control_port      = $CTL_I
primaries         = 127.0.0.1
primary_port      = $PORT_S
transfer_secret   = $TSIG
internal_networks = 127.0.0.0/8, 192.0.2.0/24
allow_query       = 198.51.100.0/24
forwarders        = 192.0.2.53, 192.0.2.54
forward_only      = yes
dnssec_validation = no
[zone "corp.example.com"]
[zone "lab.example.com"]
EOF2
R=$T/internal
deb_root "$R"
apply_role "$R" "$T/internal.role"
check "dns-internal: apply succeeds" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
C=$R/etc/bind/named.conf
check "dns-internal: named.conf 0644 root:bind" [ "$(mode_owner "$C")" = "644 0:$BIND_GID" ]
check "dns-internal: every zone a secondary of the primaries with the key" \
	bash -c "[ \$(grep -c 'type secondary;' '$C') -eq 2 ] &&
		[ \$(grep -cF 'primaries { 127.0.0.1 port $PORT_S key transfer; };' '$C') -eq 2 ]"
check "dns-internal: zone copies in the slaves folder" \
	has "$C" "file \"/var/cache/bind/slaves/corp.example.com.db\";"
check "dns-internal: internal ACL from the role" \
	bash -c "grep -A4 'acl \"internal\"' '$C' | grep -q '127.0.0.0/8;' && grep -A4 'acl \"internal\"' '$C' | grep -q '192.0.2.0/24;'"
check "dns-internal: recursion only for the internal networks" \
	bash -c "grep -qF 'allow-recursion { internal; };' '$C' && grep -qF 'allow-query-cache { internal; };' '$C'"
check "dns-internal: allow-query adds the extra networks" has "$C" "allow-query { internal; 198.51.100.0/24; };"
check "dns-internal: forwarders and forward only" \
	bash -c "grep -qF 'forwarders { 192.0.2.53; 192.0.2.54; };' '$C' && grep -qF 'forward only;' '$C'"
check "dns-internal: dnssec-validation no from the role" has "$C" "dnssec-validation no;"
check "dns-internal: listen-on and controls on the test ports" \
	bash -c "grep -qF 'listen-on port $PORT_I { 127.0.0.1; };' '$C' && grep -qF 'inet 127.0.0.1 port $CTL_I ' '$C'"
check "dns-internal: named-checkconf accepts the installed config" named-checkconf -t "$R" /etc/bind/named.conf
check "dns-internal: transfer key 0640 root:bind with the secret" \
	bash -c "[ \"\$(stat -c '%a %u:%g' '$R/etc/bind/named.transfer.key')\" = '640 0:$BIND_GID' ] &&
		[ \"\$(sed -n 's/.*secret \"\\(.*\\)\";.*/\\1/p' '$R/etc/bind/named.transfer.key')\" = '$TSIG' ]"
check "dns-internal: rndc key generated 0640 root:bind" [ "$(mode_owner "$R/etc/bind/rndc.key")" = "640 0:$BIND_GID" ]
check "dns-internal: zone copies folder 0770 bind:bind" \
	[ "$(mode_owner "$R/var/cache/bind/slaves")" = "770 $BIND_UID:$BIND_GID" ]
check "dns-internal: named enabled" systemctl --root="$R" --quiet is-enabled named
check "dns-internal: no sync agent here" [ ! -e "$R/etc/roleboot/sync.ini" ]
secrets_hidden "dns-internal" "$TSIG" "$(key_secret "$R/etc/bind/rndc.key")"
converges "dns-internal" "$R" "$T/internal.role"

# ---- dns-internal on RHEL ------------------------------------------------
R=$T/rocky
rhel_root "$R"
apply_role "$R" "$T/internal.role"
check "dns-internal on Rocky: apply succeeds" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
C=$R/etc/named.conf
check "dns-internal on Rocky: /etc/named.conf 0640 root:named" [ "$(mode_owner "$C")" = "640 0:$NAMED_GID" ]
check "dns-internal on Rocky: includes /etc/rndc.key and /etc/named.transfer.key" \
	bash -c "grep -qF 'include \"/etc/rndc.key\";' '$C' && grep -qF 'include \"/etc/named.transfer.key\";' '$C'"
check "dns-internal on Rocky: directory /var/named" has "$C" 'directory "/var/named";'
check "dns-internal on Rocky: zone copies in /var/named/slaves" \
	has "$C" 'file "/var/named/slaves/corp.example.com.db";'
check "dns-internal on Rocky: named-checkconf accepts it" named-checkconf -t "$R" /etc/named.conf
check "dns-internal on Rocky: rndc key 0640 root:named" [ "$(mode_owner "$R/etc/rndc.key")" = "640 0:$NAMED_GID" ]
check "dns-internal on Rocky: transfer key 0640 root:named" \
	[ "$(mode_owner "$R/etc/named.transfer.key")" = "640 0:$NAMED_GID" ]
check "dns-internal on Rocky: rndc.conf in /etc" has "$R/etc/rndc.conf" 'include "/etc/rndc.key";'
check "dns-internal on Rocky: /var/named 1770 root:named" [ "$(mode_owner "$R/var/named")" = "1770 0:$NAMED_GID" ]
check "dns-internal on Rocky: /var/named/slaves 0770 named:named" \
	[ "$(mode_owner "$R/var/named/slaves")" = "770 $NAMED_UID:$NAMED_GID" ]
check "dns-internal on Rocky: no Debian paths" absent "$R/etc/bind" "$R/var/cache/bind"
check "dns-internal on Rocky: named enabled" systemctl --root="$R" --quiet is-enabled named
secrets_hidden "dns-internal on Rocky" "$TSIG" "$(key_secret "$R/etc/rndc.key")"
converges "dns-internal on Rocky" "$R" "$T/internal.role"

# ---- dns-sync on RHEL ----------------------------------------------------
R=$T/rocky-sync
rhel_root "$R"
apply_role "$R" "$T/sync.role"
check "dns-sync on Rocky: apply succeeds" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
C=$R/etc/named.conf
check "dns-sync on Rocky: zone files in /var/named/roleboot" \
	has "$C" 'file "/var/named/roleboot/corp.example.com.zone";'
check "dns-sync on Rocky: named-checkconf accepts it" named-checkconf -t "$R" /etc/named.conf
check "dns-sync on Rocky: placeholders in /var/named/roleboot pass named-checkzone" \
	bash -c "named-checkzone corp.example.com '$R/var/named/roleboot/corp.example.com.zone' | grep -q 'loaded serial 1' &&
		named-checkzone lab.example.com '$R/var/named/roleboot/lab.example.com.zone' | grep -q 'loaded serial 1'"
check "dns-sync on Rocky: named-checkconf -z loads every zone" \
	bash -c "named-checkconf -z -t '$R' /etc/named.conf >'$T/checkconf.out' 2>&1"
check "dns-sync on Rocky: first sync enabled, ordered before named" \
	bash -c "systemctl --root='$R' --quiet is-enabled roleboot-presync.service &&
		grep -q '^Before=.*named.service' '$R/etc/systemd/system/roleboot-presync.service'"
check "dns-sync on Rocky: sync folder 0750 root:named" [ "$(mode_owner "$R/var/named/roleboot")" = "750 0:$NAMED_GID" ]
check "dns-sync on Rocky: sync.ini writes where named reads" \
	grep -qx "directory   = /var/named/roleboot" "$R/etc/roleboot/sync.ini"
check "dns-sync on Rocky: sync.ini rndc with /etc/rndc.key" \
	grep -qx "rndc        = /usr/sbin/rndc -k /etc/rndc.key -s 127.0.0.1 -p $CTL_S" "$R/etc/roleboot/sync.ini"
check "dns-sync on Rocky: named starts before the first sync (no zone check)" \
	grep -qx "Environment=DISABLE_ZONE_CHECKING=yes" "$R/etc/systemd/system/named.service.d/rb.conf"
check "dns-sync on Rocky: named and the timer enabled" \
	bash -c "systemctl --root='$R' --quiet is-enabled named && systemctl --root='$R' --quiet is-enabled roleboot-sync.timer"
secrets_hidden "dns-sync on Rocky" "$TSIG" "$AWS_SECRET" "$AWS_ID" "$(key_secret "$R/etc/rndc.key")"
converges "dns-sync on Rocky" "$R" "$T/sync.role"
check "dns-sync on Debian has no RHEL drop-in" absent "$T/sync/etc/systemd/system/named.service.d"

# ---- route53d on Debian --------------------------------------------------
R53_PORT=$(free_port)
TSIG1=$(tsig-keygen -a hmac-sha256 dhcp1 | sed -n 's/.*secret "\(.*\)";.*/\1/p')
TSIG2=$(tsig-keygen -a hmac-sha256 dhcp2 | sed -n 's/.*secret "\(.*\)";.*/\1/p')
cat >"$T/route53d.role" <<EOF2
[role]
name   = route53d
bundle = route53d.tar.gz
[vars]
listen_ip             = 127.0.0.1
listen_port           = $R53_PORT
processes             = 3
dry_run               = yes
user                  = route53d
delete_ttl            = 600
aws_access_key_id     = $AWS_ID
aws_secret_access_key = $AWS_SECRET
[zone "corp.example.com"]
id = Z35M1DXIV1SK14
[zone "2.0.192.in-addr.arpa"]
id = Z27HFGY546JU76
[tsig "127.0.0.1"]
key    = dhcp1-update
secret = $TSIG1
[tsig "192.0.2.42"]
key    = dhcp2-update
secret = $TSIG2
[slave "lab.example.com"]
master = 192.0.2.53
EOF2
R=$T/route53d
deb_root "$R"
apply_role "$R" "$T/route53d.role"
check "route53d: apply succeeds" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
I=$R/etc/route53d/route53d.ini
check "route53d: route53d.ini 0600 root:root" [ "$(mode_owner "$I")" = "600 0:0" ]
check "route53d: boto.cfg 0600 root:root" [ "$(mode_owner "$R/etc/route53d/boto.cfg")" = "600 0:0" ]
U=$R/etc/systemd/system/route53d.service
check "route53d: unit runs roleboot route53d with the config" \
	grep -qx "ExecStart=/usr/bin/roleboot route53d --config /etc/route53d/route53d.ini --foreground" "$U"
check "route53d: unit makes the account first (systemd-sysusers)" \
	grep -qx "ExecStartPre=-/usr/bin/systemd-sysusers /etc/sysusers.d/roleboot-route53d.conf" "$U"
check "route53d: sysusers.d names the account" \
	grep -q '^u route53d - ' "$R/etc/sysusers.d/roleboot-route53d.conf"
check "route53d: roleboot route53d --check accepts the config" "$ROLEBOOT" route53d --check --config "$I"
check "route53d: unit points boto at its config" grep -qx "Environment=BOTO_CONFIG=/etc/route53d/boto.cfg" "$U"
check "route53d: service enabled" systemctl --root="$R" --quiet is-enabled route53d
# route53d reads the file with ConfigParser (interpolating get, getint):
# every key it reads, with the type it reads it as
cat >"$T/check_route53d.py" <<'PY'
import base64, binascii, configparser, ipaddress, sys

ini, boto, port, aws_id, aws_secret, s1, s2 = sys.argv[1:8]
bad = []
def expect(what, cond):
    if not cond:
        bad.append(what)

c = configparser.ConfigParser()       # as route53d's SafeConfigParser: % interpolation
with open(ini) as f:
    c.read_file(f)
expect("sections", set(c.sections()) >= {"server", "kludge", "hostedzone", "tsig", "slave"})
expect("processes int >= 1", c.getint("server", "processes") == 3)
expect("dry-run 0 or 1", c.get("server", "dry-run") in ("0", "1") and c.getint("server", "dry-run") == 1)
ipaddress.ip_address(c.get("server", "listen_ip"))
expect("listen_ip", c.get("server", "listen_ip") == "127.0.0.1")
expect("listen_port int", c.getint("server", "listen_port") == int(port))
expect("username", c.get("server", "username") == "route53d")
expect("delete_ttl int", c.getint("kludge", "delete_ttl") == 600)
expect("hostedzone corp", c.get("hostedzone", "corp.example.com") == "Z35M1DXIV1SK14")
expect("hostedzone reverse", c.get("hostedzone", "2.0.192.in-addr.arpa") == "Z27HFGY546JU76")
expect("hostedzone: only the role's zones", len(c.options("hostedzone")) == 2)
tsig = dict(c.items("tsig"))
expect("tsig clients", sorted(tsig) == ["127.0.0.1", "192.0.2.42"])
for ip, value in tsig.items():
    ipaddress.ip_address(ip)
    parts = value.split()
    expect("tsig %s: key name and secret" % ip, len(parts) == 2)
    try:
        base64.b64decode(parts[1], validate=True)
    except (binascii.Error, IndexError):
        bad.append("tsig %s: secret is not base64" % ip)
expect("tsig 127.0.0.1", tsig.get("127.0.0.1") == "dhcp1-update " + s1)
expect("tsig 192.0.2.42", tsig.get("192.0.2.42") == "dhcp2-update " + s2)
slave = dict(c.items("slave"))
expect("slave", slave == {"lab.example.com": "192.0.2.53"})
for ip in slave.values():
    ipaddress.ip_address(ip)

b = configparser.ConfigParser()
with open(boto) as f:
    b.read_file(f)
expect("boto [Credentials] key id", b.get("Credentials", "aws_access_key_id") == aws_id)
expect("boto [Credentials] secret", b.get("Credentials", "aws_secret_access_key") == aws_secret)
if bad:
    print("# " + "; ".join(bad))
    sys.exit(1)
PY
check "route53d: route53d.ini and boto.cfg read as route53d reads them, every key with its type" \
	python3 "$T/check_route53d.py" "$I" "$R/etc/route53d/boto.cfg" "$R53_PORT" "$AWS_ID" "$AWS_SECRET" "$TSIG1" "$TSIG2"
secrets_hidden "route53d" "$AWS_SECRET" "$AWS_ID" "$TSIG1" "$TSIG2"
converges "route53d" "$R" "$T/route53d.role"
apply_role "$R" "$T/route53d.role" --var dry_run=no --var processes=8
check "route53d: dry_run=no and processes=8 from --var" \
	bash -c "[ $rc -eq 0 ] && grep -qx 'dry-run = 0' '$I' && grep -qx 'processes = 8' '$I'"
secrets_hidden "route53d (changed)" "$AWS_SECRET" "$AWS_ID" "$TSIG1" "$TSIG2"
apply_role "$R" "$T/route53d.role" --var listen_ip=localhost
check "route53d: a listen_ip that is not an address is refused (exit 7)" [ "$rc" -eq 7 ]
cp "$I" "$T/route53d.ini.before"
sed 's/^secret = .*/secret = not-base64!/' "$T/route53d.role" >"$T/route53d-badkey.role"
grep -q 'not-base64' "$T/route53d-badkey.role" || echo "# route53d-badkey.role has no secret line" >&2
apply_role "$R" "$T/route53d-badkey.role"
check "route53d: a TSIG secret that is not base64 is refused by the validator (exit 7)" [ "$rc" -eq 7 ]
check "route53d: ... and route53d.ini is as it was" cmp -s "$I" "$T/route53d.ini.before"

# a role with no zones, keys or slaves still gives a file route53d reads
cat >"$T/route53d-min.role" <<EOF2
[role]
name   = route53d
bundle = route53d.tar.gz
[vars]
aws_access_key_id     = $AWS_ID
aws_secret_access_key = $AWS_SECRET
EOF2
R=$T/route53d-min
deb_root "$R"
apply_role "$R" "$T/route53d-min.role"
check "route53d with defaults only: apply succeeds" [ "$rc" -eq 0 ]
check "route53d with defaults only: configparser reads it" python3 -c '
import configparser, sys
c = configparser.ConfigParser()
c.read_file(open(sys.argv[1]))
assert c.getint("server", "processes") >= 1 and c.getint("server", "dry-run") == 0
assert c.getint("server", "listen_port") == 53 and c.getint("kludge", "delete_ttl") > 0
assert not c.options("hostedzone") and not c.options("tsig") and not c.options("slave")
' "$R/etc/route53d/route53d.ini"

# ---- the example role files render against their bundles ----------------
deb_root "$T/example-deb"
rhel_root "$T/example-rhel"
for b in dns-sync dns-internal route53d; do
	for root in "$T/example-deb" "$T/example-rhel"; do
		fails=
		for tpl in "$SRC/$b"/*.mustache; do
			run_rb render --role "$SRC/../roles/$b.role" --bundle "$SRC/$b" --root "$root" "$(basename "$tpl")"
			[ "$rc" -eq 0 ] || fails="$fails $(basename "$tpl")"
		done
		check "roles/$b.role renders every template ($(basename "$root"))${fails:+: failed$fails}" [ -z "$fails" ]
	done
done
done_testing
