#!/usr/bin/env bash
# The static binary of `make static` (build-static/roleboot, or
# $ROLEBOOT_STATIC): statically linked with no program interpreter, within
# 5 MiB, `--version` runs, and the proof that it needs nothing from the
# machine: inside an empty chroot holding only the binary, the test CA, /tmp
# and the target root, it applies a signed bundle over HTTPS from a loopback
# nginx into that root.  Skipped when the binary was not built (make test
# does not build it: it takes minutes); the chroot part needs root and nginx.
ROLEBOOT_STATIC=${ROLEBOOT_STATIC:-$(cd "$(dirname "$0")/.." && pwd)/build-static/roleboot}
export ROLEBOOT=${ROLEBOOT:-$ROLEBOOT_STATIC}
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"

if [ ! -x "$ROLEBOOT_STATIC" ]; then
	skip_rest "no $ROLEBOOT_STATIC (make static builds it)"
fi
# Everything below runs the static binary, the bundle is packed by it too.
ROLEBOOT=$ROLEBOOT_STATIC
BIN=$ROLEBOOT_STATIC

# ---- the file ------------------------------------------------------------
check "file(1): statically linked" bash -c "file -b '$BIN' | grep -q 'statically linked'"
if command -v readelf >/dev/null; then
	check "no program interpreter (no PT_INTERP, no DT_NEEDED)" \
		bash -c "! readelf -lW '$BIN' | grep -q INTERP && ! readelf -dW '$BIN' 2>/dev/null | grep -q NEEDED"
else
	skip "no readelf"
fi
size=$(stat -c %s "$BIN")
check "size $size bytes <= 5 MiB" [ "$size" -le $((5 * 1024 * 1024)) ]
echo "# static binary: $size bytes"
run_rb --version
check "--version runs" [ "$rc" -eq 0 ]
check "--version names roleboot, libcurl and OpenSSL" grep -Eq '^roleboot [0-9.]+ \(libcurl/[0-9.]+ OpenSSL/3\.' "$T/out"
sed 's/^/# /' "$T/out"

# ---- the empty chroot ----------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	skip_rest "the chroot needs root"
fi
if ! have_nginx; then
	skip_rest "nginx is not installed"
fi

# A bundle without validators or services (the chroot has no named-checkconf
# and no systemctl): a template with role values, host facts read from the
# target root, and a plain file.
S=$T/srv
mkdir -p "$T/src" "$S/b"
cat >"$T/src/manifest.ini" <<'EOF'
[bundle]
role    = static
version = 3

[var greeting]
type    = string
default = hello

[var port]
type    = port
default = 53

[var peers]
type    = ip
list    = yes
default = 192.0.2.1

[file /etc/static-test/app.conf]
template = app.conf.mustache
mode     = 0644
owner    = root
group    = root

[file /etc/static-test/keep.txt]
source = keep.txt
mode   = 0600
owner  = app
group  = app

[dir /var/lib/static-test]
mode  = 0750
owner = app
group = app
EOF
cat >"$T/src/app.conf.mustache" <<'EOF'
# {{role.name}} bundle {{bundle.role}} version {{bundle.version}}
greeting = {{greeting}}
port     = {{port}}
{{#peers}}
peer     = {{.}}
{{/peers}}
os       = {{host.os.id}} ({{host.os.family}})
EOF
printf 'plain file, shipped as it is\n' >"$T/src/keep.txt"
pack_sign "$T/src" "$S/b/test.tar.gz"
[ -s "$S/b/test.tar.gz" ] && [ -s "$S/b/test.tar.gz.minisig" ]
verdict "the static binary packs the bundle (signed with stock minisign)"
cat >"$S/b/test.role" <<'EOF'
[role]
name   = static
bundle = test.tar.gz

[vars]
greeting = from the chroot
port     = 5353
peers    = 192.0.2.7, 192.0.2.8
EOF

make_ca "$T/ca"
start_nginx "$S" "$T/ca/server.crt" "$T/ca/server.key" ||
	{ not_ok "nginx did not start"; done_testing; exit 1; }
URL=https://127.0.0.1:$NGINX_PORT/b/test.role

# The chroot: the binary, the CA file, an empty /tmp (roleboot stages there)
# and the target root.  No shell, no libc, no CA bundle, no /dev, no /proc,
# no /etc of its own.
J=$T/jail
mkdir -p "$J/tmp" "$J/target"
chmod 1777 "$J/tmp"
cp "$BIN" "$J/roleboot"
cp "$T/ca/ca.crt" "$J/ca.crt"
make_root "$J/target"
printf 'app:x:990:990::/var/lib/static-test:/sbin/nologin\n' >>"$J/target/etc/passwd"
printf 'app:x:990:\n' >>"$J/target/etc/group"
printf 'ID=rocky\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n' >"$J/target/etc/os-release"
jail_files() { (cd "$J" && find . -path ./target -prune -o -print | LC_ALL=C sort | tr '\n' ' '); }
echo "# chroot holds: $(jail_files)"

# in_jail ARGS...: the static binary in the chroot with an empty environment.
CHROOT=$(PATH=$PATH:/usr/sbin:/sbin command -v chroot)
in_jail() {
	set +e
	env -i "$CHROOT" "$J" /roleboot "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

in_jail apply --root /target --pubkey "$PUB" --cacert /ca.crt "$URL"
check "apply in the empty chroot over https: exit 0" [ "$rc" -eq 0 ]
if [ "$rc" -eq 0 ]; then grep 'changed' "$T/err" | sed 's/^/# /'; else sed 's/^/# /' "$T/err"; fi
check "it fetched the role, the bundle and the signature from nginx" bash -c \
	"grep -q 'GET /b/test.role ' '$NGINX_DIR/access.log' &&
	 grep -q 'GET /b/test.tar.gz ' '$NGINX_DIR/access.log' &&
	 grep -q 'GET /b/test.tar.gz.minisig ' '$NGINX_DIR/access.log'"
check "the signature verified (trusted comment shown)" grep -q "trusted comment: test bundle" "$T/err"
cat >"$T/want.conf" <<'EOF'
# static bundle static version 3
greeting = from the chroot
port     = 5353
peer     = 192.0.2.7
peer     = 192.0.2.8
os       = rocky (rhel)
EOF
check "app.conf rendered with the role's values and the target's facts" \
	cmp -s "$T/want.conf" "$J/target/etc/static-test/app.conf"
cmp -s "$T/want.conf" "$J/target/etc/static-test/app.conf" ||
	diff "$T/want.conf" "$J/target/etc/static-test/app.conf" 2>&1 | sed 's/^/# /'
check "app.conf: mode 0644, root:root" \
	[ "$(stat -c '%a %u %g' "$J/target/etc/static-test/app.conf")" = "644 0 0" ]
check "keep.txt shipped as it is" \
	cmp -s "$T/src/keep.txt" "$J/target/etc/static-test/keep.txt"
check "keep.txt: mode 0600, owner app from the target's passwd (990)" \
	[ "$(stat -c '%a %u %g' "$J/target/etc/static-test/keep.txt")" = "600 990 990" ]
check "folder /var/lib/static-test: 0750 app:app" \
	[ "$(stat -c '%a %u %g' "$J/target/var/lib/static-test")" = "750 990 990" ]
check "state written" [ -s "$J/target/var/lib/roleboot/state" ]
check "report written, naming the bundle URL" \
	grep -q "https://127.0.0.1:$NGINX_PORT/b/test.tar.gz" "$J/target/var/lib/roleboot/report.json"
check "nothing left in the chroot's /tmp" [ -z "$(ls -A "$J/tmp")" ]

h=$(tree_hash "$J/target")
in_jail apply --root /target --pubkey "$PUB" --cacert /ca.crt "$URL"
check "second apply in the chroot: exit 0" [ "$rc" -eq 0 ]
check "second apply: 0 changed" grep -q ": 0 changed, " "$T/err"
grep 'changed' "$T/err" | sed 's/^/# /'
unchanged "$J/target" "$h" "second apply"

in_jail status --root /target
check "status in the chroot" [ "$rc" -eq 0 ]
check "status names the role" grep -q static "$T/out"

# No CA file given and none in the chroot: the binary has no CA path of the
# build machine to fall back on, so https is refused.
in_jail apply --root /target --pubkey "$PUB" "$URL"
check "no CA in the chroot: refused with exit 4" [ "$rc" -eq 4 ]
check "no CA in the chroot: a certificate error" grep -Eqi "certificate|CA" "$T/err"
sed 's/^/# /' "$T/err"
unchanged "$J/target" "$h" "no CA"

# A forged bundle is refused the same way in the chroot.
printf 'x' >>"$S/b/test.tar.gz"
in_jail apply --root /target --pubkey "$PUB" --cacert /ca.crt "$URL"
check "forged bundle in the chroot: exit 5" [ "$rc" -eq 5 ]
unchanged "$J/target" "$h" "forged bundle"
echo "# chroot holds after the runs: $(jail_files)"

# route53d in the static binary: the whole route53d test with it, hmac-sha384
# included (the static libldns has the algorithm; Debian's 1.8.3 has not)
ROLEBOOT=$ROLEBOOT_STATIC bash "$TESTS_DIR/t0600-route53d.sh" >"$T/t0600.out" 2>&1
if grep -q '# SKIP' "$T/t0600.out"; then
	skip "the route53d test cannot run here: $(grep -m1 '# SKIP' "$T/t0600.out")"
else
	! grep -q '^not ok' "$T/t0600.out" && grep -q '^ok .* - hmac-sha384: applied' "$T/t0600.out"
	verdict "route53d of the static binary passes tests/t0600-route53d.sh, hmac-sha384 included"
	grep '^not ok' "$T/t0600.out" | sed 's/^/# /'
fi
done_testing
