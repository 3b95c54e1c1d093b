#!/usr/bin/env bash
# Host facts in templates: the OS family from the target root's os-release
# (RHEL and Debian paths), network facts from the kernel, kernel command
# line values; render and apply see the same data.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/b"
cat >"$T/b/manifest.ini" <<'EOF2'
[bundle]
role = facts
version = 1
[file /etc/facts.txt]
template = facts.mustache
EOF2
cat >"$T/b/facts.mustache" <<'EOF2'
family={{host.os.family}} id={{host.os.id}} version={{host.os.version_id}}
name={{host.name}} ip4={{host.ip4}} mac={{host.mac}}
{{#host.interfaces}}if={{name}} {{#ip4}}{{.}} {{/ip4}}
{{/host.interfaces}}
EOF2
printf 'kernel={{kernel.var.site}}\n' >"$T/b/kernel.mustache"

mkdir -p "$T/rocky/etc" "$T/deb/usr/lib"
cat >"$T/rocky/etc/os-release" <<'EOF2'
NAME="Rocky Linux"
VERSION_ID="9.4"
ID="rocky"
ID_LIKE="rhel centos fedora"
EOF2
cat >"$T/deb/usr/lib/os-release" <<'EOF2'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
VERSION_ID="12"
ID=debian
EOF2
echo 'ro roleboot.var.site=lon1' >"$T/cmdline"

ROLEBOOT_CMDLINE=$T/cmdline run_rb render --root "$T/rocky" "$T/b/facts.mustache"
check "render succeeds" [ "$rc" -eq 0 ]
check "Rocky is of the rhel family (from ID_LIKE)" grep -q "^family=rhel id=rocky version=9.4$" "$T/out"
check "host.name is the short host name" grep -q "^name=$(hostname | cut -d. -f1) " "$T/out"
ip4=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -1)
if [ -n "$ip4" ]; then
	check "host.ip4 is the first global address" grep -q "ip4=$ip4 " "$T/out"
	check "host.interfaces lists it" grep -q "^if=.* $ip4 " "$T/out"
else
	check "no global IPv4: host.ip4 empty" grep -q "ip4= " "$T/out"
fi
ROLEBOOT_CMDLINE=$T/cmdline run_rb render --root "$T/rocky" "$T/b/kernel.mustache"
check "kernel.var from the kernel command line" grep -q "^kernel=lon1$" "$T/out"
run_rb render --root "$T/deb" "$T/b/facts.mustache"
check "Debian from /usr/lib/os-release" grep -q "^family=debian id=debian version=12$" "$T/out"
run_rb render --root "$T/empty" "$T/b/facts.mustache"
check "no os-release: facts empty, not an error" grep -q "^family= id= version=$" "$T/out"
echo ro >"$T/cmdline0"
ROLEBOOT_CMDLINE=$T/cmdline0 expect_fail 7 "kernel.mustache:1: undefined variable 'kernel.var.site'" \
	"a kernel value that was not given is undefined" render "$T/b/kernel.mustache"

# apply writes what render printed, with the same facts
pack_sign "$T/b" "$T/facts.tar.gz"
printf '[role]\nname = facts\nbundle = facts.tar.gz\n' >"$T/facts.role"
cp -r "$T/rocky" "$T/root"
ROLEBOOT_CMDLINE=$T/cmdline run_rb render --root "$T/root" "$T/b/facts.mustache"
cp "$T/out" "$T/rendered"
ROLEBOOT_CMDLINE=$T/cmdline run_rb apply --root "$T/root" --pubkey "$PUB" "$T/facts.role"
check "apply succeeds" [ "$rc" -eq 0 ]
check "apply and render give the same bytes" cmp -s "$T/rendered" "$T/root/etc/facts.txt"

# a role cannot shadow the facts
cat >>"$T/b/manifest.ini" <<'EOF2'
[var host]
type = string
default = x
EOF2
expect_fail 7 "'host' is reserved for facts" "a variable named host is refused" render "$T/b/facts.mustache"
done_testing
