#!/usr/bin/env bash
# Manifest features for real roles: per-node files generated when absent
# (and kept after), entries per OS family, folders with owners and modes,
# and validators that see the whole staged tree (%t).
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/b"
cat >"$T/b/manifest.ini" <<'EOF2'
[bundle]
role    = feat
version = 1
[dir /var/cache/bind/roleboot]
mode  = 0770
group = named
os-family = debian
[dir /var/named/roleboot]
mode  = 0770
group = named
os-family = rhel
[file /etc/bind/rndc.key]
generate  = tsig-keygen -a hmac-sha256 rndc-key
group     = named
mode      = 0640
os-family = debian
[file /etc/bind/named.conf]
template  = named.conf.mustache
validate  = named-checkconf -t %t /etc/bind/named.conf
os-family = debian
[file /etc/named.conf]
template  = named.conf.mustache
os-family = rhel
[service named]
os-family = rhel
EOF2
cat >"$T/b/named.conf.mustache" <<'EOF2'
include "{{host.bind.confdir}}/rndc.key";
options { directory "{{host.bind.datadir}}"; };
EOF2
pack_sign "$T/b" "$T/feat.tar.gz"
printf '[role]\nname = feat\nbundle = feat.tar.gz\n' >"$T/feat.role"

deb() {
	make_root "$1"
	mkdir -p "$1/usr/lib" "$1/var/cache/bind"
	printf 'ID=debian\nVERSION_ID="12"\n' >"$1/usr/lib/os-release"
}
deb "$T/d"
run_rb apply --root "$T/d" --pubkey "$PUB" "$T/feat.role"
check "debian root: apply succeeds" [ "$rc" -eq 0 ]
check "generated rndc key written" grep -q 'key "rndc-key"' "$T/d/etc/bind/rndc.key"
check "generated file is secret: 0640, group named" [ "$(stat -c '%a %g' "$T/d/etc/bind/rndc.key")" = "640 103" ]
check "generated secret never logged" bash -c "! grep -q secret '$T/err'"
check "folder created with mode and group" [ "$(stat -c '%a %g' "$T/d/var/cache/bind/roleboot")" = "770 103" ]
[ ! -e "$T/d/etc/named.conf" ] && [ ! -e "$T/d/var/named" ]
verdict "rhel entries left out on debian"
check "facts: Debian BIND paths" grep -q 'include "/etc/bind/rndc.key";' "$T/d/etc/bind/named.conf"
check "named-checkconf -t %t saw the staged include" grep -q "/etc/bind/named.conf (new)" "$T/err"
key=$(sha256sum "$T/d/etc/bind/rndc.key")
run_rb apply --root "$T/d" --pubkey "$PUB" "$T/feat.role"
check "second apply: 0 changed" grep -q "0 changed" "$T/err"
check "generated key kept, not made again" [ "$(sha256sum "$T/d/etc/bind/rndc.key")" = "$key" ]
chmod 0755 "$T/d/var/cache/bind/roleboot"
run_rb apply --root "$T/d" --pubkey "$PUB" "$T/feat.role"
check "a folder's mode is fixed" [ "$(stat -c %a "$T/d/var/cache/bind/roleboot")" = 770 ]

# a folder fixed in a commit that then fails gets its old mode back
chmod 0755 "$T/d/var/cache/bind/roleboot"
rm "$T/d/etc/bind/named.conf"
h=$(tree_hash "$T/d")
ROLEBOOT_FAIL_RENAME=1 expect_fail 8 "cannot rename into place" "failed commit" \
	apply --root "$T/d" --pubkey "$PUB" "$T/feat.role"
unchanged "$T/d" "$h" "failed commit: folder mode restored"

# a validator that refuses the staged tree: nothing changes
deb "$T/bad"
mkdir -p "$T/bad/etc/bind"
echo 'garbage' >"$T/bad/etc/bind/rndc.key"
h=$(tree_hash "$T/bad")
expect_fail 7 "validate /etc/bind/named.conf: 'named-checkconf -t %t /etc/bind/named.conf' failed" \
	"the staged include is checked too" apply --root "$T/bad" --pubkey "$PUB" "$T/feat.role"
unchanged "$T/bad" "$h" "refused include"

# a [dir] whose path is a file on the target
deb "$T/f"
mkdir -p "$T/f/var/cache/bind"; echo x >"$T/f/var/cache/bind/roleboot"
h=$(tree_hash "$T/f")
expect_fail 8 "var/cache/bind/roleboot: exists and is not a folder" "folder path taken by a file" \
	apply --root "$T/f" --pubkey "$PUB" "$T/feat.role"
unchanged "$T/f" "$h" "folder path taken by a file"

# RHEL layout
make_root "$T/r"
printf 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n' >"$T/r/etc/os-release"
mkdir -p "$T/r/usr/lib/systemd/system"
printf '[Unit]\nDescription=BIND\n[Service]\nExecStart=/usr/sbin/named\n[Install]\nWantedBy=multi-user.target\n' \
	>"$T/r/usr/lib/systemd/system/named.service"
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/feat.role"
check "rhel root: apply succeeds" [ "$rc" -eq 0 ]
check "rhel: /etc/named.conf with RHEL paths" grep -q 'directory "/var/named";' "$T/r/etc/named.conf"
check "rhel: /var/named/roleboot folder" [ -d "$T/r/var/named/roleboot" ]
check "rhel: debian entries left out" [ ! -e "$T/r/etc/bind" ]
check "rhel: named enabled" systemctl --root="$T/r" --quiet is-enabled named

# a generate command that fails
sed -i 's/^generate  = tsig-keygen.*/generate  = false/' "$T/b/manifest.ini"
pack_sign "$T/b" "$T/feat2.tar.gz"; printf '[role]\nname = feat\nbundle = feat2.tar.gz\n' >"$T/feat2.role"
deb "$T/g"
h=$(tree_hash "$T/g")
expect_fail 7 "generate /etc/bind/rndc.key: 'false' failed \(exit 1\)" "failing generate command" \
	apply --root "$T/g" --pubkey "$PUB" "$T/feat2.role"
unchanged "$T/g" "$h" "failing generate"
done_testing
