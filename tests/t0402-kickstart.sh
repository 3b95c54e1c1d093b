#!/usr/bin/env bash
# The kickstart files and PXE menus (kickstart/rhel9/, kickstart/rhel8/):
# each %post body is taken out of its .ks, checked with `bash -n`, and run for real with bash against
# a temp root and the loopback fault server, which serves the roleboot
# binary (build-static/roleboot when it exists, else build/roleboot) at the
# path the %post fetches, and a role file at each role's path naming the
# demo bundle (templates/demo, packed and signed with tests/keys/test.key).
# The %post's server, root and key come from the environment; its sha256 is
# put in as an operator would, by editing the placeholder line.  Checked:
# the demo files, state and service land in the root, the binary and the
# pinned key are installed; a wrong sha256 or the placeholder stops %post
# before roleboot runs (no role file requested, nothing in the root); a
# wrong key makes %post fail; a flaky server is retried; the RPM variant
# applies with the packaged binary; all of it for RHEL 9 and RHEL 8.
# Which commands each file may use: tests/t0403-ksvalidate.sh.  The PXE menus: the GRUB entry's linux
# line is read as GRUB reads it and turned into a kernel command line as
# GRUB writes it, then given to %post as /proc/cmdline: its role URL (with
# a query string) and roleboot.var value (with a space) reach roleboot.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"

TOP=$(cd "$TESTS_DIR/.." && pwd)
KS=$TOP/kickstart
export PATH=$PATH:/usr/sbin:/sbin
export ROLEBOOT_BACKOFF_MS=50
command -v named-checkconf >/dev/null || skip_rest "needs named-checkconf (bind9-utils): the demo bundle's validator"
command -v curl >/dev/null || skip_rest "needs curl (the %post fetches with it)"
command -v sha256sum >/dev/null || skip_rest "needs sha256sum"

# ---- the binary the %post fetches -------------------------------------
installer_binary
echo "# serving $BIN"
SHA=$(sha256sum "$BIN" | cut -d' ' -f1)

# ---- the %post bodies ----------------------------------------------------
VERSIONS="rhel9 rhel8"
for v in $VERSIONS; do mkdir -p "$T/ks/$v" "$T/$v" "$T/root-$v"; done
if python3 - "$KS" "$T/ks" $VERSIONS >"$T/extract.out" 2>&1 <<'PY'; then
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
names = []
for v in sys.argv[3:]:
    names += [v + "/" + n for n in sorted(os.listdir(os.path.join(src, v))) if n.endswith(".ks")]
stray = [n for n in os.listdir(src) if n.endswith(".ks")]
if stray:
    sys.exit("kickstart/%s: each .ks belongs in a version folder" % stray[0])
for name in names:
    base = name[:-3]
    lines = open(os.path.join(src, name)).read().split("\n")
    section = None
    parts = {}
    for line in lines:
        m = re.match(r"^%(packages|post|pre|pre-install|onerror|addon)\b(.*)$", line)
        if section is None and m:
            section = m.group(1)
            if section in parts:
                sys.exit("%s: two %%%s sections" % (name, section))
            parts[section] = {"head": line, "body": []}
        elif section is not None and re.match(r"^%end\s*$", line):
            section = None
        elif section is not None:
            if line.startswith("%") and not line.startswith("%%"):
                sys.exit("%s: %s inside %%%s" % (name, line.split()[0], section))
            parts[section]["body"].append(line)
    if section is not None:
        sys.exit("%s: %%%s without %%end" % (name, section))
    for key in ("packages", "post"):
        if key not in parts:
            sys.exit("%s: no %%%s" % (name, key))
    with open(os.path.join(out, base + ".head"), "w") as f:
        f.write(parts["post"]["head"] + "\n")
    with open(os.path.join(out, base + ".post"), "w") as f:
        f.write("\n".join(parts["post"]["body"]) + "\n")
    with open(os.path.join(out, base + ".pkgs"), "w") as f:
        for l in parts["packages"]["body"]:
            l = l.split("#", 1)[0].strip()
            if l:
                f.write(l + "\n")
    print(base)
PY
	ok "each .ks: %packages and one %post, every section closed by %end"
else
	not_ok "each .ks: %packages and one %post, every section closed by %end"
	sed 's/^/# /' "$T/extract.out"
	done_testing
	exit 1
fi
KSS=$(cat "$T/extract.out")
for v in $VERSIONS; do
	for k in dns-internal dns-sync route53d dns-internal-rpm; do
		check "kickstart/$v/$k.ks exists" grep -qx "$v/$k" "$T/extract.out"
	done
	check "kickstart/$v: each file starts with #version=${v^^}" \
		bash -c "for f in '$KS/$v'/*.ks; do [ \"\$(head -n 1 \"\$f\")\" = '#version=${v^^}' ] || exit 1; done"
done

has_pkgs() { # has_pkgs KS PKG...
	local k=$1 p
	shift
	for p; do grep -qx -- "$p" "$T/ks/$k.pkgs" || return 1; done
}
no_pkg() { ! grep -qx -- "$2" "$T/ks/$1.pkgs"; }
check "rhel9/dns-internal: %packages bind bind-utils curl" has_pkgs rhel9/dns-internal bind bind-utils curl
check "rhel9/dns-sync: %packages bind bind-utils curl" has_pkgs rhel9/dns-sync bind bind-utils curl
check "rhel9/dns-internal-rpm: %packages roleboot bind bind-utils" has_pkgs rhel9/dns-internal-rpm roleboot bind bind-utils
# RHEL 8's bind is 9.11: the bundles' named.conf needs bind9.16
check "rhel8/dns-internal: %packages bind9.16 bind9.16-utils curl, not bind" \
	bash -c "$(declare -f has_pkgs no_pkg); T='$T'; has_pkgs rhel8/dns-internal bind9.16 bind9.16-utils curl && no_pkg rhel8/dns-internal bind"
check "rhel8/dns-sync: %packages bind9.16 bind9.16-utils curl, not bind" \
	bash -c "$(declare -f has_pkgs no_pkg); T='$T'; has_pkgs rhel8/dns-sync bind9.16 bind9.16-utils curl && no_pkg rhel8/dns-sync bind"
check "rhel8/dns-internal-rpm: %packages roleboot bind9.16 bind9.16-utils" has_pkgs rhel8/dns-internal-rpm roleboot bind9.16 bind9.16-utils
for v in $VERSIONS; do
	# route53d is `roleboot route53d` (the route53d bundle's unit): no Python port
	check "$v/route53d: %packages bind-utils curl, no route53d or python3 package" \
		bash -c "$(declare -f has_pkgs no_pkg); T='$T'; has_pkgs $v/route53d bind-utils curl && no_pkg $v/route53d route53d && no_pkg $v/route53d python3"
	check "$v/dns-internal-rpm: a repo line for the roleboot RPM of ${v/rhel/el}" \
		grep -Eq "^repo --name=[a-z]+ --baseurl=http://192\.0\.2\.[0-9]+/repo/${v/rhel/el}/" "$KS/$v/dns-internal-rpm.ks"
	check "$v: the install tree is /rocky/${v#rhel}/" \
		bash -c "! grep -h '^url\|^repo' '$KS/$v'/*.ks | grep -v '/rocky/${v#rhel}/\|/repo/${v/rhel/el}/'"
done

for k in $KSS; do
	check "$k: %post --log=/root/roleboot-post.log --erroronfail" \
		bash -c "grep -q -- '--log=/root/roleboot-post.log' '$T/ks/$k.head' && grep -q -- '--erroronfail' '$T/ks/$k.head'"
	if bash -n "$T/ks/$k.post" 2>"$T/bashn"; then
		ok "$k: bash -n"
	else
		not_ok "$k: bash -n"
		sed 's/^/# /' "$T/bashn"
	fi
done

# defaults KS [SERVER]: the URLs the %post uses, from its own settings lines
defaults() {
	env ${2:+ROLEBOOT_SERVER=$2} bash -c "$(grep '^: "\${ROLEBOOT_' "$T/ks/$1.post")
printf '%s\n' \"\${ROLEBOOT_BIN_URL:-}\" \"\$ROLEBOOT_ROLE_URL\""
}
for k in $KSS; do
	bad=$(defaults "$k" | grep -v '^$' | grep -Ev '^https?://[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/')
	check "$k: the default URLs are IP literals" [ -z "$bad" ]
done
for k in $(grep -v -- -rpm "$T/extract.out"); do
	check "$k: the sha256 placeholder is at the top of %post" \
		grep -Eq '^: "\$\{ROLEBOOT_SHA256:=0{64}\}"' "$T/ks/$k.post"
done

# ---- what the server holds ---------------------------------------------
S=$T/srv
demo_src "$T/src"
mkdir -p "$S/roleboot/bundles" "$S/roleboot/roles"
pack_sign "$T/src" "$S/roleboot/bundles/demo.tar.gz"
start_faultserver "$S" || { not_ok "fault server did not start"; done_testing; exit 1; }
SERVER=http://127.0.0.1:$FAULT_PORT/ok
for k in $KSS; do
	# put PATH: a server path from a URL of the %post under $SERVER
	while read -r url; do
		[ -n "$url" ] || continue
		rel=${url#"$SERVER"/}
		mkdir -p "$S/$(dirname "$rel")"
		case $rel in
		*.role) demo_role "$S/$rel" ../bundles/demo.tar.gz ;;
		*) cp "$BIN" "$S/$rel" ;;
		esac
	done < <(defaults "$k" "$SERVER")
done
: >"$T/cmdline.none"

# with_sha KS SHA OUT: the %post with its sha256 line edited
with_sha() {
	sed -E "s/^(: \"\\\$\{ROLEBOOT_SHA256:=)[0-9a-fA-F]*(\}\")/\1$2\2/" "$T/ks/$1.post" >"$3"
}
# run_post SCRIPT ROOT LOG [VAR=VALUE...]: the %post as anaconda runs it
# (bash), settings from the environment; sets $rc
run_post() {
	local script=$1 root=$2 log=$3
	shift 3
	rm -rf "$T/tmp" && mkdir "$T/tmp"
	env TMPDIR="$T/tmp" ROLEBOOT_SERVER="$SERVER" ROLEBOOT_ROOT="$root" ROLEBOOT_PUBKEY="$PUB" \
		ROLEBOOT_CMDLINE="$T/cmdline.none" "$@" bash "$script" >"$log" 2>&1
	rc=$?
}
requests() { # requests PATTERN: lines of the fault log matching an ERE
	fault_count "$1"
}
# applied ROOT DESCRIPTION: the demo bundle landed in ROOT
applied() {
	local r=$1 what=$2
	check "$what: named.conf rendered with the role's values" \
		grep -q "forwarders { 192.0.2.1; 192.0.2.2; };" "$r/etc/roleboot-demo/named.conf"
	check "$what: transfer.key mode 0640" [ "$(stat -c %a "$r/etc/roleboot-demo/transfer.key" 2>/dev/null)" = 640 ]
	check "$what: service enabled in the root" systemctl --root="$r" --quiet is-enabled roleboot-demo
	check "$what: state written" grep -q demo "$r/var/lib/roleboot/state"
	check "$what: the pinned key is in trusted.d" \
		[ "$(sed -n 2p "$r/etc/roleboot/trusted.d/kickstart.pub" 2>/dev/null)" = "$PUB" ]
}

# ---- each kickstart's %post, for real --------------------------------
for k in rhel9/dns-internal rhel9/dns-sync rhel9/route53d rhel8/dns-internal rhel8/dns-sync rhel8/route53d; do
	R=$T/root-$k
	make_root "$R"
	with_sha "$k" "$SHA" "$T/$k.sh"
	check "$k: the sha256 line takes the binary's sha256" grep -q "$SHA" "$T/$k.sh"
	server=$SERVER
	# dns-sync: every file answers 500 first (curl's and roleboot's retries)
	[ "$k" = rhel9/dns-sync ] && server=http://127.0.0.1:$FAULT_PORT/500-then-200
	run_post "$T/$k.sh" "$R" "$T/$k.log" ROLEBOOT_SERVER="$server"
	if [ "$rc" -eq 0 ]; then ok "$k: %post exits 0"; else
		not_ok "$k: %post exits 0 (exit $rc)"
		sed 's/^/# /' "$T/$k.log"
	fi
	applied "$R" "$k"
	check "$k: the binary is installed as /usr/bin/roleboot, mode 0755" \
		bash -c "[ \"\$(sha256sum <'$R/usr/bin/roleboot' | cut -d' ' -f1)\" = $SHA ] && [ \"\$(stat -c %a '$R/usr/bin/roleboot')\" = 755 ]"
	check "$k: no temp file left" [ "$(ls -A "$R/usr/bin")" = roleboot ]
	check "$k: the log says the role was applied" grep -q 'roleboot-post: role applied' "$T/$k.log"
done
check "rhel9/dns-sync: the binary was fetched again after a 500" \
	[ "$(requests '^GET /500-then-200/roleboot/bin/[^ ]* 500 ')$(requests '^GET /500-then-200/roleboot/bin/[^ ]* 200 ')" = 11 ]
check "rhel9/dns-sync: so were the role file and the bundle" \
	[ "$(requests '^GET /500-then-200/roleboot/(roles|bundles)/[^ ]* 200 ')" -ge 3 ]

# run twice: a converged node stays as it is
R=$T/root-rhel9/dns-internal
h=$(tree_hash "$R")
run_post "$T/rhel9/dns-internal.sh" "$R" "$T/again.log"
check "rhel9/dns-internal: %post again exits 0" [ "$rc" -eq 0 ]
check "rhel9/dns-internal: %post again: 0 changed" grep -q '0 changed' "$T/again.log"
unchanged "$R" "$h" "rhel9/dns-internal: %post again"

# ---- refusals before roleboot runs ---------------------------------------
roles_before=$(requests '/roles/')
R=$T/root-wrong-sha
make_root "$R"
h=$(tree_hash "$R")
with_sha rhel9/dns-internal "$(printf 'not the binary' | sha256sum | cut -d' ' -f1)" "$T/wrong.sh"
run_post "$T/wrong.sh" "$R" "$T/wrong.log"
check "wrong sha256: %post fails" [ "$rc" -ne 0 ]
check "wrong sha256: the log names the mismatch" grep -q "sha256 of .* is $SHA, not " "$T/wrong.log"
check "wrong sha256: roleboot never ran (no role file requested)" [ "$(requests '/roles/')" -eq "$roles_before" ]
check "wrong sha256: the download is removed" [ -z "$(ls -A "$T/tmp")" ]
unchanged "$R" "$h" "wrong sha256"

before=$(requests .)
R=$T/root-placeholder
make_root "$R"
h=$(tree_hash "$R")
run_post "$T/ks/rhel9/dns-internal.post" "$R" "$T/placeholder.log"
check "sha256 placeholder: %post fails" [ "$rc" -ne 0 ]
check "sha256 placeholder: the log says so" grep -q 'ROLEBOOT_SHA256 is the placeholder' "$T/placeholder.log"
check "sha256 placeholder: nothing fetched" [ "$(requests .)" -eq "$before" ]
unchanged "$R" "$h" "sha256 placeholder"

run_post "$T/rhel9/dns-internal.sh" "$R" "$T/nokey.log" ROLEBOOT_PUBKEY=
check "key placeholder: %post fails" [ "$rc" -ne 0 ]
check "key placeholder: the log says so" grep -q 'ROLEBOOT_PUBKEY is the placeholder' "$T/nokey.log"
check "key placeholder: nothing fetched" [ "$(requests .)" -eq "$before" ]
unchanged "$R" "$h" "key placeholder"

R=$T/root-wrong-key
make_root "$R"
run_post "$T/rhel9/dns-internal.sh" "$R" "$T/wrongkey.log" ROLEBOOT_PUBKEY="$OTHER_PUB"
check "wrong key: %post fails with roleboot's signature exit 5" \
	bash -c "[ $rc -ne 0 ] && grep -q 'roleboot apply failed (exit 5)' '$T/wrongkey.log'"
check "wrong key: nothing of the bundle installed" [ ! -e "$R/etc/roleboot-demo" ]

# ---- the RPM variant -----------------------------------------------------
for v in $VERSIONS; do
	R=$T/root-$v/rpm
	make_root "$R"
	run_post "$T/ks/$v/dns-internal-rpm.post" "$R" "$T/$v/rpm-missing.log"
	check "$v rpm variant: fails when the package did not install roleboot" \
		bash -c "[ $rc -ne 0 ] && grep -q 'the roleboot package did not install' '$T/$v/rpm-missing.log'"
	# what the roleboot RPM in %packages installs
	install -D -m 0755 "$BIN" "$R/usr/bin/roleboot"
	run_post "$T/ks/$v/dns-internal-rpm.post" "$R" "$T/$v/rpm.log"
	if [ "$rc" -eq 0 ]; then ok "$v rpm variant: %post exits 0"; else
		not_ok "$v rpm variant: %post exits 0 (exit $rc)"
		sed 's/^/# /' "$T/$v/rpm.log"
	fi
	applied "$R" "$v rpm variant"
done

# ---- PXE -----------------------------------------------------------------
PXE=$KS/pxe
# pxelinux: every entry boots the installer with an existing kickstart and a role
if python3 - "$PXE/pxelinux.cfg/default" "$KS" >"$T/pxelinux.out" 2>&1 <<'PY'; then
import os, re, sys
cfg, ksdir = sys.argv[1], sys.argv[2]
labels, cur = {}, None
for line in open(cfg):
    s = line.strip()
    if not s or s.startswith("#"):
        continue
    word, _, rest = s.partition(" ")
    if word.upper() == "LABEL":
        cur = labels.setdefault(rest.strip(), {})
    elif cur is not None:
        cur[word.upper()] = rest.strip()
n = 0
seen = set()
for name, e in labels.items():
    if "LOCALBOOT" in e:
        continue
    words = e.get("APPEND", "").split()
    args = dict(w.split("=", 1) for w in words if "=" in w)
    assert "KERNEL" in e, name
    assert args.get("initrd"), name
    ks = args.get("inst.ks", "")
    m = re.match(r"^http://192\.0\.2\.\d+/kickstart/(rhel(\d+)/[\w.-]+\.ks)$", ks)
    assert m, (name, ks)
    assert os.path.exists(os.path.join(ksdir, m.group(1))), ks
    v = m.group(2)
    assert e["KERNEL"] == "rocky%s/vmlinuz" % v, (name, e["KERNEL"])
    assert args["initrd"] == "rocky%s/initrd.img" % v, name
    assert "/rocky/%s/" % v in args.get("inst.repo", ""), name
    seen.add(v)
    assert re.match(r"^http://192\.0\.2\.\d+/.+\.role$", args.get("roleboot.role", "")), name
    n += 1
assert n >= 8, n
assert seen == {"8", "9"}, seen
print(n, "entries, Rocky 8 and 9")
PY
	ok "pxelinux: each entry has initrd=, inst.ks= of a kickstart here, roleboot.role= ($(cat "$T/pxelinux.out"))"
else
	not_ok "pxelinux: each entry has initrd=, inst.ks= of a kickstart here, roleboot.role="
	sed 's/^/# /' "$T/pxelinux.out"
fi

# grub.cfg: each linux line read with GRUB's quoting rules (unquoted
# metacharacters refused), written out as GRUB writes a kernel command line
# (grub_create_loader_cmdline: a word with a space in double quotes, \ ' "
# escaped); the first entry's line goes to the test
if python3 - "$PXE/grub.cfg" "$KS" "$T/grub-cmdline" >"$T/grub.out" 2>&1 <<'PY'; then
import os, re, sys
cfg, ksdir, out = sys.argv[1], sys.argv[2], sys.argv[3]

def grub_words(line):
    words, cur, have, i = [], "", False, 0
    while i < len(line):
        c = line[i]
        if c == "'":
            j = line.index("'", i + 1)
            cur += line[i + 1:j]; have = True; i = j + 1; continue
        if c == '"':
            i += 1
            while line[i] != '"':
                if line[i] == "\\" and line[i + 1] in '$"\\\n':
                    i += 1
                elif line[i] == "$":
                    raise SystemExit("unescaped $ in double quotes: " + line)
                cur += line[i]; i += 1
            have = True; i += 1; continue
        if c == "\\":
            cur += line[i + 1]; have = True; i += 2; continue
        if c in " \t":
            if have:
                words.append(cur)
            cur, have = "", False; i += 1; continue
        if c in ";&|<>(){}$":
            raise SystemExit("unquoted %r in: %s" % (c, line))
        cur += c; have = True; i += 1
    if have:
        words.append(cur)
    return words

def kernel_cmdline(args):
    out = []
    for a in args:
        e = "".join("\\" + c if c in "\\'\"" else c for c in a)
        out.append('"%s"' % e if " " in a else e)
    return " ".join(out)

lines = [l.strip() for l in open(cfg) if re.match(r"^\s*linux(efi)?\s", l)]
assert len(lines) >= 8, lines
first = None
seen = set()
for l in lines:
    w = grub_words(l)
    args = dict(x.split("=", 1) for x in w[2:] if "=" in x)
    ks = args.get("inst.ks", "")
    m = re.match(r"^http://192\.0\.2\.\d+/kickstart/(rhel(\d+)/[\w.-]+\.ks)$", ks)
    assert m, ks
    assert os.path.exists(os.path.join(ksdir, m.group(1))), ks
    v = m.group(2)
    assert w[1] == "rocky%s/vmlinuz" % v and "/rocky/%s/" % v in args.get("inst.repo", ""), w
    seen.add(v)
    assert re.match(r"^http://192\.0\.2\.\d+/\S+\.role(\?\S*)?$", args.get("roleboot.role", "")), w
    if first is None:
        first = "BOOT_IMAGE=" + w[1] + " " + kernel_cmdline(w[2:])
assert seen == {"8", "9"}, seen
open(out, "w").write(first + "\n")
print(len(lines), "entries, Rocky 8 and 9")
PY
	ok "grub.cfg: every linux line quoted for GRUB, with inst.ks= of a kickstart here and roleboot.role= ($(cat "$T/grub.out"))"
else
	not_ok "grub.cfg: every linux line quoted for GRUB, with inst.ks= of a kickstart here and roleboot.role="
	sed 's/^/# /' "$T/grub.out"
fi

# the first GRUB entry's kernel command line as /proc/cmdline of %post,
# its provisioning server moved to the loopback one
if [ -s "$T/grub-cmdline" ]; then
	sed "s|http://192\.0\.2\.5/|$SERVER/|g" "$T/grub-cmdline" >"$T/cmdline.grub"
	echo "# kernel command line: $(cat "$T/cmdline.grub")"
	role_url=$(grep -o 'roleboot\.role=[^ "]*' "$T/cmdline.grub" | cut -d= -f2-)
	rel=${role_url#"$SERVER"/}
	rel=${rel%%\?*}
	mkdir -p "$S/$(dirname "$rel")"
	[ -f "$S/$rel" ] || demo_role "$S/$rel" ../bundles/demo.tar.gz
	R=$T/root-grub
	make_root "$R"
	run_post "$T/rhel9/dns-internal.sh" "$R" "$T/grub.log" ROLEBOOT_CMDLINE="$T/cmdline.grub" \
		ROLEBOOT_ROLE_URL="$SERVER/no-such.role"
	if [ "$rc" -eq 0 ]; then ok "GRUB command line: %post exits 0"; else
		not_ok "GRUB command line: %post exits 0 (exit $rc)"
		sed 's/^/# /' "$T/grub.log"
	fi
	check "GRUB command line: the role came from roleboot.role=" \
		grep -q 'role from roleboot.role= of the kernel command line' "$T/grub.log"
	check "GRUB command line: its role URL, query string and all, was fetched" \
		[ "$(requests "^GET /ok/$rel\\?[^ ]*&[^ ]* 200 ")" -ge 1 ]
	check "GRUB command line: roleboot.var.forwarders with a space reached roleboot" \
		grep -q "forwarders { 192.0.2.53; 198.51.100.53; };" "$R/etc/roleboot-demo/named.conf"
fi
done_testing
