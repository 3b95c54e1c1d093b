#!/usr/bin/env bash
# The Debian 12 preseed files (preseed/debian12/*.cfg): each is read by
# Debian's own `debconf-set-selections -c` (no error, no warning), then
# parsed as it does (a line ending in a backslash joined with the next) to
# check the owners, types and the settings a node needs.  Their
# preseed/late_command is checked with `dash -n` (the installer's and the
# target's /bin/sh are POSIX shells) and run for real with dash, as the
# installer runs it, with `in-target` a stub that runs the command here
# (the chroot into /target being the one thing left out) and the settings
# (server, root, key, command line) from the environment: against a temp
# root and the loopback fault server serving the roleboot binary
# (build-static/roleboot when it exists, else build/roleboot) and the demo
# bundle signed with tests/keys/test.key.  Checked: the demo files, state,
# service, binary and pinned key land; a second run changes nothing; a wrong
# sha256 or the placeholder stop late_command before roleboot runs; a wrong
# key fails with roleboot's exit 5; roleboot.role= on the kernel command
# line wins over the preseed's role URL.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"

TOP=$(cd "$TESTS_DIR/.." && pwd)
PS=$TOP/preseed/debian12
export PATH=$PATH:/usr/sbin:/sbin
export ROLEBOOT_BACKOFF_MS=50
command -v debconf-set-selections >/dev/null || skip_rest "needs debconf-set-selections (debconf)"
command -v dash >/dev/null || skip_rest "needs dash"
command -v named-checkconf >/dev/null || skip_rest "needs named-checkconf (bind9-utils): the demo bundle's validator"
command -v curl >/dev/null || skip_rest "needs curl (late_command fetches with it)"

ROLES="dns-internal dns-sync route53d"
for r in $ROLES; do
	check "preseed/debian12/$r.cfg exists" [ -f "$PS/$r.cfg" ]
done

# ---- debconf reads them --------------------------------------------------
for r in $ROLES; do
	debconf-set-selections -c "$PS/$r.cfg" >"$T/dss.out" 2>&1
	drc=$?
	if [ "$drc" -eq 0 ] && [ ! -s "$T/dss.out" ]; then
		ok "$r: debconf-set-selections -c: no error, no warning"
	else
		not_ok "$r: debconf-set-selections -c (exit $drc)"
		sed 's/^/# /' "$T/dss.out"
	fi
done

# ---- parsed as debconf-set-selections parses ------------------------------
mkdir -p "$T/ps"
if python3 - "$PS" "$T/ps" $ROLES >"$T/parse.out" 2>&1 <<'PY'; then
import os, re, sys
src, out, roles = sys.argv[1], sys.argv[2], sys.argv[3:]
TYPES = {"select", "boolean", "string", "multiselect", "note", "password", "text", "title"}
OWNERS = {"d-i", "tasksel", "popularity-contest"}
for role in roles:
    path = os.path.join(src, role + ".cfg")
    lines = open(path).read().split("\n")
    assert lines[0] == "#_preseed_V1", (role, "first line")
    values, i = {}, 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        # debconf-set-selections: a trailing backslash joins the next line
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + lines[i].rstrip("\r")
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^\s*(\S+)\s+(\S+)\s+(\S+)(?:\s(.*))?$", line)
        assert m, (role, line)
        owner, q, t, v = m.group(1), m.group(2), m.group(3), m.group(4) or ""
        assert owner in OWNERS, (role, owner)
        assert t in TYPES, (role, q, t)
        assert q not in values, (role, "twice", q)
        values[q] = (t, v)
    def val(q):
        assert q in values, (role, "missing", q)
        return values[q][1]
    # unattended: locale, keymap, disk, root, boot loader all answered
    for q in ("debian-installer/locale", "keyboard-configuration/xkb-keymap",
              "partman-auto/method", "partman/confirm", "partman/confirm_nooverwrite",
              "passwd/root-login", "passwd/make-user", "grub-installer/bootdev",
              "finish-install/reboot_in_progress", "time/zone"):
        val(q)
    assert val("passwd/root-password-crypted") == "!", (role, "root is locked")
    assert re.match(r"^\d+\.\d+\.\d+\.\d+$", val("mirror/http/hostname")), role
    pkgs = val("pkgsel/include").split()
    want = {"curl", "ca-certificates"}
    if role.startswith("dns-"):
        want |= {"bind9", "bind9-utils"}
    assert want <= set(pkgs), (role, "pkgsel/include lacks", want - set(pkgs))
    late = val("preseed/late_command")
    assert values["preseed/late_command"][0] == "string", role
    m = re.match(r"^in-target sh -c '(.*)'$", late.strip())
    assert m, (role, "late_command is not in-target sh -c '...'")
    assert "'" not in m.group(1), role
    open(os.path.join(out, role + ".late"), "w").write(late.strip() + "\n")
    open(os.path.join(out, role + ".inner"), "w").write(m.group(1) + "\n")
    # the same script in each file, but for the role's name
    body = m.group(1).replace("/roles/%s.role" % role, "/roles/ROLE.role")
    open(os.path.join(out, role + ".norm"), "w").write(body)
    print(role, len(values), "settings")
PY
	ok "each preseed: debconf's syntax, known owners and types, unattended answers, late_command in-target sh -c ($(tr '\n' ' ' <"$T/parse.out"))"
else
	not_ok "each preseed: debconf's syntax, known owners and types, unattended answers, late_command in-target sh -c"
	sed 's/^/# /' "$T/parse.out"
	done_testing
	exit 1
fi
for r in $ROLES; do
	if dash -n "$T/ps/$r.late" 2>"$T/dashn" && dash -n "$T/ps/$r.inner" 2>>"$T/dashn"; then
		ok "$r: late_command and its script: dash -n"
	else
		not_ok "$r: late_command and its script: dash -n"
		sed 's/^/# /' "$T/dashn"
	fi
	check "$r: the sha256 placeholder and the settings are at the top of the script" \
		grep -Eq '^ *: "\$\{ROLEBOOT_SERVER:=http://[0-9.]+\}"; *: .*: "\$\{ROLEBOOT_SHA256:=0{64}\}"' "$T/ps/$r.inner"
done
check "the three late_commands are one script but for the role" \
	bash -c "cmp -s '$T/ps/dns-internal.norm' '$T/ps/dns-sync.norm' && cmp -s '$T/ps/dns-internal.norm' '$T/ps/route53d.norm'"

# ---- the binary it fetches, the server -------------------------------------
installer_binary
echo "# serving $BIN"
SHA=$(sha256sum "$BIN" | cut -d' ' -f1)
S=$T/srv
demo_src "$T/src"
mkdir -p "$S/roleboot/bundles" "$S/roleboot/roles" "$S/roleboot/bin"
pack_sign "$T/src" "$S/roleboot/bundles/demo.tar.gz"
for r in $ROLES cmdline; do demo_role "$S/roleboot/roles/$r.role" ../bundles/demo.tar.gz; done
cp "$BIN" "$S/roleboot/bin/roleboot-0.1.0-x86_64"
start_faultserver "$S" || { not_ok "fault server did not start"; done_testing; exit 1; }
SERVER=http://127.0.0.1:$FAULT_PORT/ok

# in-target: the installer's chroot into /target; here the command runs as it is
mkdir -p "$T/bin"
printf '#!/bin/sh\nexec "$@"\n' >"$T/bin/in-target"
chmod +x "$T/bin/in-target"
: >"$T/cmdline.none"

# with_sha ROLE SHA OUT: late_command with its sha256 setting edited
with_sha() {
	sed -E "s/(ROLEBOOT_SHA256:=)[0-9a-fA-F]*\}/\1$2}/" "$T/ps/$1.late" >"$3"
}
# run_late FILE ROOT [VAR=VALUE...]: late_command as the installer runs it
# (sh -c), settings from the environment; sets $rc, the log is $ROOT's
run_late() {
	local file=$1 root=$2
	shift 2
	rm -rf "$T/tmp" && mkdir "$T/tmp"
	env PATH="$T/bin:$PATH" TMPDIR="$T/tmp" ROLEBOOT_SERVER="$SERVER" ROLEBOOT_ROOT="$root" \
		ROLEBOOT_PUBKEY="$PUB" ROLEBOOT_CMDLINE="$T/cmdline.none" "$@" \
		dash -c "$(cat "$file")" >"$T/late.out" 2>&1
	rc=$?
}
late_log() { cat "$1/root/roleboot-late.log" 2>/dev/null; }
applied() { # applied ROOT DESCRIPTION
	local r=$1 what=$2
	check "$what: named.conf rendered with the role's values" \
		grep -q "forwarders { 192.0.2.1; 192.0.2.2; };" "$r/etc/roleboot-demo/named.conf"
	check "$what: service enabled in the root" systemctl --root="$r" --quiet is-enabled roleboot-demo
	check "$what: state written" grep -q demo "$r/var/lib/roleboot/state"
	check "$what: the pinned key is in trusted.d/preseed.pub" \
		[ "$(sed -n 2p "$r/etc/roleboot/trusted.d/preseed.pub" 2>/dev/null)" = "$PUB" ]
	check "$what: the binary is /usr/bin/roleboot, mode 0755, the sha256 checked" \
		bash -c "[ \"\$(sha256sum <'$r/usr/bin/roleboot' | cut -d' ' -f1)\" = $SHA ] && [ \"\$(stat -c %a '$r/usr/bin/roleboot')\" = 755 ]"
}

# ---- each preseed's late_command, for real ---------------------------------
for r in $ROLES; do
	R=$T/root-$r
	make_root "$R"
	with_sha "$r" "$SHA" "$T/$r.sh"
	run_late "$T/$r.sh" "$R"
	if [ "$rc" -eq 0 ]; then ok "$r: late_command exits 0"; else
		not_ok "$r: late_command exits 0 (exit $rc)"
		sed 's/^/# /' "$T/late.out"
		late_log "$R" | sed 's/^/# /'
	fi
	applied "$R" "$r"
	check "$r: the log says the role was applied" bash -c "grep -q 'roleboot-late: role applied' '$R/root/roleboot-late.log'"
	check "$r: its role file was fetched" [ "$(fault_count "^GET /ok/roleboot/roles/$r\\.role 200 ")" -ge 1 ]
	check "$r: no temp file left" [ -z "$(ls -A "$T/tmp")" ]
done

R=$T/root-dns-internal
h=$(tree_hash "$R/etc")
run_late "$T/dns-internal.sh" "$R"
check "again: exits 0, 0 changed" bash -c "[ $rc -eq 0 ] && grep -q '0 changed' '$R/root/roleboot-late.log'"
unchanged "$R/etc" "$h" "again: /etc"

# ---- refusals ----------------------------------------------------------------
roles_before=$(fault_count '/roles/')
R=$T/root-wrong-sha
make_root "$R"
with_sha dns-internal "$(printf 'not the binary' | sha256sum | cut -d' ' -f1)" "$T/wrong.sh"
run_late "$T/wrong.sh" "$R"
check "wrong sha256: late_command fails" [ "$rc" -ne 0 ]
check "wrong sha256: the log names the mismatch" grep -q "sha256 of .* is $SHA, not " "$R/root/roleboot-late.log"
check "wrong sha256: roleboot never ran (no role file requested)" [ "$(fault_count '/roles/')" -eq "$roles_before" ]
check "wrong sha256: nothing installed, the download removed" \
	bash -c "[ ! -e '$R/usr/bin/roleboot' ] && [ ! -e '$R/etc/roleboot' ] && [ -z \"\$(ls -A '$T/tmp')\" ]"

before=$(fault_count .)
R=$T/root-placeholder
make_root "$R"
run_late "$T/ps/dns-internal.late" "$R"
check "sha256 placeholder: late_command fails" [ "$rc" -ne 0 ]
check "sha256 placeholder: the log says so" grep -q 'ROLEBOOT_SHA256 is the placeholder' "$R/root/roleboot-late.log"
run_late "$T/dns-internal.sh" "$R" ROLEBOOT_PUBKEY=
check "key placeholder: late_command fails" [ "$rc" -ne 0 ]
check "key placeholder: the log says so" grep -q 'ROLEBOOT_PUBKEY is the placeholder' "$R/root/roleboot-late.log"
check "placeholders: nothing fetched, nothing installed" \
	bash -c "[ $(fault_count .) -eq $before ] && [ ! -e '$R/usr/bin/roleboot' ]"

R=$T/root-wrong-key
make_root "$R"
run_late "$T/dns-internal.sh" "$R" ROLEBOOT_PUBKEY="$OTHER_PUB"
check "wrong key: late_command fails with roleboot's signature exit 5" \
	bash -c "[ $rc -ne 0 ] && grep -q 'roleboot apply failed (exit 5)' '$R/root/roleboot-late.log'"
check "wrong key: nothing of the bundle installed" [ ! -e "$R/etc/roleboot-demo" ]

# ---- roleboot.role= of the kernel command line -----------------------------
printf 'BOOT_IMAGE=/install.amd/vmlinuz auto=true priority=critical url=http://192.0.2.5/preseed/debian12/dns-internal.cfg roleboot.role=%s "roleboot.var.forwarders=192.0.2.53, 198.51.100.53" --- quiet\n' \
	"$SERVER/roleboot/roles/cmdline.role" >"$T/cmdline.role"
R=$T/root-cmdline
make_root "$R"
run_late "$T/dns-internal.sh" "$R" ROLEBOOT_CMDLINE="$T/cmdline.role" ROLEBOOT_ROLE_URL="$SERVER/no-such.role"
if [ "$rc" -eq 0 ]; then ok "kernel command line: late_command exits 0"; else
	not_ok "kernel command line: late_command exits 0 (exit $rc)"
	late_log "$R" | sed 's/^/# /'
fi
check "kernel command line: the role came from roleboot.role=" \
	grep -q 'role from roleboot.role= of the kernel command line' "$R/root/roleboot-late.log"
check "kernel command line: roleboot.var.forwarders with a space reached roleboot" \
	grep -q "forwarders { 192.0.2.53; 198.51.100.53; };" "$R/etc/roleboot-demo/named.conf"
done_testing
