#!/usr/bin/env bash
# The RPM: `make rpm` (packaging/rpm.mk, packaging/roleboot.spec) builds the
# source and binary packages once, in a private _topdir, signed with a gpg
# key made here.  Checked: the file list (binary, man page, trusted.d, the
# first-boot and sync units), the scriptlets (preset / disable / reload),
# the requirements, the packaged binary and units (systemd-analyze verify;
# the first-boot unit's conditions evaluated for a fresh node, a node with
# a role file and a node already applied; its ExecStart run with a stub),
# and rpmlint with 0 errors (make rpmlint, packaging/roleboot.rpmlintrc),
# signed (the signature checked against the key) and unsigned.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"

TOP=$(cd "$TESTS_DIR/.." && pwd)
command -v rpmbuild >/dev/null || skip_rest "rpmbuild is missing (Debian package rpm)"
command -v rpm2cpio >/dev/null && command -v cpio >/dev/null || skip_rest "needs rpm2cpio and cpio"
git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || skip_rest "not a git work tree (make rpm archives it)"

# a signing key of this test only, like tests/keys for minisign
sign_args=()
if command -v gpg >/dev/null; then
	export GNUPGHOME=$T/gnupg
	mkdir -m 0700 "$GNUPGHOME"
	cleanup_add "gpgconf --homedir '$GNUPGHOME' --kill all"
	if gpg --batch --quiet --passphrase '' --quick-gen-key \
		'roleboot rpm test <rpm-test@example.com>' ed25519 sign never 2>"$T/gpg.err"; then
		sign_args=(RPM_GPG_NAME=rpm-test@example.com RPM_GPG_HOME="$GNUPGHOME")
	else
		sed 's/^/# /' "$T/gpg.err"
	fi
fi

# One build.  The test's make must not inherit `make SANITIZE=1 check`'s
# variables.
R=$T/rpm
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	make -s -C "$TOP" rpm RPM_TOPDIR="$R" RPM_STATIC="${RPM_STATIC:-no}" "${sign_args[@]}" >"$T/make.out" 2>&1; then
	ok "make rpm builds"
else
	not_ok "make rpm builds"
	sed 's/^/# /' "$T/make.out"
	done_testing
	exit 1
fi
sed 's/^/# /' "$T/make.out"
# rpm reads the signature with every query: the test key goes into a
# private rpm database (HOME/.rpmmacros), never the host's
mkdir -p "$T/home"
printf '%%_dbpath %s\n' "$T/rpmdb" >"$T/home/.rpmmacros"
rpm() { HOME=$T/home command rpm "$@"; }
rpm --initdb
if [ ${#sign_args[@]} -gt 0 ]; then
	gpg --export --armor rpm-test@example.com >"$T/key.asc"
	rpm --import "$T/key.asc"
fi
SRPM=$(ls "$R"/SRPMS/roleboot-*.src.rpm 2>/dev/null)
RPM=$(ls "$R"/RPMS/*/roleboot-*.rpm 2>/dev/null)
check "one source package" [ -f "$SRPM" ]
check "one binary package" [ -f "$RPM" ]
static=no
grep -q 'packaging the static binary' "$T/make.out" && static=yes
echo "# static binary packaged: $static"

# ---- contents ----------------------------------------------------------
rpm -qlp "$RPM" >"$T/files" 2>"$T/rpm.err"
has_file() { grep -qx -- "$1" "$T/files"; }
for f in /usr/bin/roleboot /etc/roleboot/trusted.d \
	/usr/lib/systemd/system/roleboot-firstboot.service \
	/usr/lib/systemd/system/roleboot-sync.service \
	/usr/lib/systemd/system/roleboot-sync.timer; do
	check "rpm -qlp lists $f" has_file "$f"
done
check "rpm -qlp lists the man page roleboot(8)" grep -Eqx '/usr/share/man/man8/roleboot\.8(\.gz|\.bz2|\.xz)?' "$T/files"
rpm -qlpv "$RPM" >"$T/files-v"
check "trusted.d is a folder" grep -Eq '^d.* /etc/roleboot/trusted.d$' "$T/files-v"
rpm -qlp "$SRPM" >"$T/srcfiles"
check "the source package holds the spec and the tarball" \
	bash -c "grep -qx roleboot.spec '$T/srcfiles' && grep -Eqx 'roleboot-[0-9.]+\.tar\.gz' '$T/srcfiles'"

# ---- scriptlets --------------------------------------------------------
rpm -qp --scripts "$RPM" >"$T/scripts"
sed 's/^/# /' "$T/scripts"
# scriptlet NAME: the body of one scriptlet of `rpm -qp --scripts`
scriptlet() { awk -v s="$1 scriptlet" 'index($0, s) == 1 { on = 1; next } / scriptlet .*:$/ { on = 0 } on' "$T/scripts"; }
scriptlet postinstall >"$T/post"
scriptlet preuninstall >"$T/preun"
scriptlet postuninstall >"$T/postun"
check "%post presets the units on first install" \
	grep -Eq '(preset|install-system-units).*roleboot-firstboot\.service' "$T/post"
check "%preun disables and stops them on removal" \
	grep -Eq '(disable --now|remove-system-units).*roleboot-firstboot\.service.*roleboot-sync\.timer' "$T/preun"
check "%postun reloads systemd" grep -Eq 'daemon-reload|mark-reload-system-units' "$T/postun"
check "%postun restarts only the timer on upgrade" grep -Eq '(try-restart|mark-restart-system-units) roleboot-sync\.timer' "$T/postun"
check "%postun never restarts the first-boot unit" bash -c "! grep -Eq '(try-restart|mark-restart-system-units).*firstboot' '$T/postun'"
check "the scriptlets are valid sh" bash -c "sh -n '$T/post' && sh -n '$T/preun' && sh -n '$T/postun'"

# ---- requirements ------------------------------------------------------
rpm -qp --requires "$RPM" >"$T/requires"
sed 's/^/# /' "$T/requires"
check "requires ca-certificates (TLS is always verified)" grep -qx ca-certificates "$T/requires"
check "requires systemd for the scriptlets" grep -qx systemd "$T/requires"
if [ "$static" = yes ]; then
	check "static binary: no shared library requirements" bash -c "! grep -q '\.so' '$T/requires'"
else
	check "dynamic binary: requires libcurl and libarchive" \
		bash -c "grep -q '^libcurl\.so' '$T/requires' && grep -q '^libarchive\.so' '$T/requires'"
fi
rpm -qp --provides "$RPM" >"$T/provides"
check "provides roleboot = version" grep -Eq '^roleboot(\(x86-64\))? = [0-9.]+-' "$T/provides"

# ---- the packaged files ------------------------------------------------
X=$T/x
mkdir -p "$X"
(cd "$X" && HOME=$T/home rpm2cpio "$RPM" | cpio -idm --quiet 2>/dev/null)
check "the packaged binary runs" bash -c "'$X/usr/bin/roleboot' --version | grep -q '$("$ROLEBOOT" --version | head -1)'"
if [ "$static" = yes ] && command -v file >/dev/null; then
	check "the packaged binary is static" bash -c "file '$X/usr/bin/roleboot' | grep -q 'statically linked'"
fi
U=$X/usr/lib/systemd/system
fb=$U/roleboot-firstboot.service
check "first-boot: Type=oneshot" grep -qx 'Type=oneshot' "$fb"
check "first-boot: after and wanting network-online.target" \
	bash -c "grep -qx 'After=network-online.target' '$fb' && grep -qx 'Wants=network-online.target' '$fb'"
check "first-boot: not once /var/lib/roleboot/state exists" grep -qx 'ConditionPathExists=!/var/lib/roleboot/state' "$fb"
check "first-boot: runs with role.conf or roleboot.role= on the kernel command line" \
	bash -c "grep -qx 'ConditionPathExists=|/etc/roleboot/role.conf' '$fb' && grep -qx 'ConditionKernelCommandLine=|roleboot.role' '$fb'"
check "first-boot: wanted by multi-user.target" grep -qx 'WantedBy=multi-user.target' "$fb"
check "sync: one pass per start" bash -c "grep -qx 'Type=oneshot' '$U/roleboot-sync.service' && grep -qx 'ExecStart=/usr/bin/roleboot sync --once' '$U/roleboot-sync.service'"
check "sync timer: wanted by timers.target" grep -qx 'WantedBy=timers.target' "$U/roleboot-sync.timer"
check "the preset enables the first-boot unit" \
	grep -qx 'enable roleboot-firstboot.service' "$X/usr/lib/systemd/system-preset/80-roleboot.preset"

if command -v systemd-analyze >/dev/null; then
	# the units as systemd reads them; /usr/bin/roleboot is not on this
	# host, so the copies point at the binary under test
	mkdir -p "$T/units"
	for u in "$U"/roleboot-*; do
		sed "s|/usr/bin/roleboot|$ROLEBOOT|g" "$u" >"$T/units/${u##*/}"
	done
	if systemd-analyze verify --man=no "$T/units"/* >"$T/verify" 2>&1; then
		ok "systemd-analyze verify: the three units"
	else
		not_ok "systemd-analyze verify: the three units"
		sed 's/^/# /' "$T/verify"
	fi

	# the first-boot unit's conditions, its paths moved under $N
	N=$T/node
	mkdir -p "$N/etc/roleboot" "$N/var/lib/roleboot"
	conds=()
	while IFS= read -r line; do
		conds+=("$(printf '%s' "$line" | sed -E "s#^(ConditionPath[A-Za-z]*=[|!]*)/#\\1$N/#")")
	done < <(grep '^Condition' "$fb")
	runs() { systemd-analyze condition "${conds[@]}" >/dev/null 2>&1; }
	not() { ! "$@"; }
	if grep -qw 'roleboot\.role' /proc/cmdline 2>/dev/null; then
		skip "this host's kernel command line has roleboot.role="
	else
		check "first-boot: does not run without a role" not runs
	fi
	: >"$N/etc/roleboot/role.conf"
	check "first-boot: runs with /etc/roleboot/role.conf" runs
	: >"$N/var/lib/roleboot/state"
	check "first-boot: does not run after a successful apply" not runs
	rm -f "$N/var/lib/roleboot/state" "$N/etc/roleboot/role.conf"
else
	skip "systemd-analyze is missing"
fi

# the ExecStart wrapper, run by sh with a stub for roleboot: the role file
# when there is one, else the kernel command line; ROLEBOOT_OPTS word-split
cat >"$T/stub" <<'STUB'
#!/bin/sh
printf '%s\n' "$@" >"$STUB_OUT"
STUB
chmod +x "$T/stub"
script=$(python3 -c 'import shlex, sys
line = [l for l in open(sys.argv[1]) if l.startswith("ExecStart=")][0]
argv = shlex.split(line[len("ExecStart="):])
assert argv[:2] == ["/bin/sh", "-c"], argv
print(argv[2].replace("$$", "$"))' "$fb")
script=${script//\/usr\/bin\/roleboot/$T/stub}
script=${script//\/etc\/roleboot\/role.conf/$N/etc/roleboot/role.conf}
: >"$N/etc/roleboot/role.conf"
STUB_OUT=$T/argv1 ROLEBOOT_OPTS="--cacert /etc/pki/site.crt" sh -c "$script"
check "ExecStart with role.conf: apply --now OPTS ROLE" \
	[ "$(tr '\n' ' ' <"$T/argv1")" = "apply --now --cacert /etc/pki/site.crt $N/etc/roleboot/role.conf " ]
rm -f "$N/etc/roleboot/role.conf"
STUB_OUT=$T/argv2 sh -c "$script"
check "ExecStart without role.conf: apply --now (kernel command line)" \
	[ "$(tr '\n' ' ' <"$T/argv2")" = "apply --now " ]

# ---- rpmlint -----------------------------------------------------------
# `make rpmlint` (rpm.mk): rpmlint -r packaging/roleboot.rpmlintrc, which
# filters statically-linked-binary (the static binary, on purpose), plus
# no-signature only for unsigned packages.  Run on this test's build
# (signed when gpg is here) and on an unsigned build of the static binary
# (build-static/roleboot when it exists), as a developer builds locally.
lint() { # lint TOPDIR OUT: sets $lrc
	HOME=$T/home env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make -s -C "$TOP" rpmlint RPM_TOPDIR="$1" >"$2" 2>&1
	lrc=$?
	sed 's/^/# /' "$2"
}
check "packaging/roleboot.rpmlintrc filters statically-linked-binary, with its reason" \
	bash -c "grep -q '^addFilter(.*statically-linked-binary' '$TOP/packaging/roleboot.rpmlintrc' && grep -qi '^#.*static' '$TOP/packaging/roleboot.rpmlintrc'"
if ! command -v rpmlint >/dev/null; then
	skip "rpmlint is missing (Debian package rpmlint)"
else
	# rpmlint checks the signature with `rpm -Kv`, in the private database
	if [ ${#sign_args[@]} -gt 0 ]; then
		rpmK() { rpm -K "$@" >/dev/null; }
		check "the packages are signed with the test key" rpmK "$RPM" "$SRPM"
	else
		skip "signing: gpg is missing (this build is unsigned too)"
	fi
	lint "$R" "$T/lint"
	check "make rpmlint exits 0" [ "$lrc" -eq 0 ]
	check "rpmlint: 0 errors" grep -q ' 0 errors, ' "$T/lint"
	if [ ${#sign_args[@]} -gt 0 ]; then
		check "signed build: no-signature is not filtered" bash -c "! grep -q '^rpmlint: unsigned' '$T/lint'"
	fi

	U=$T/rpm-unsigned
	if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make -s -C "$TOP" rpm RPM_TOPDIR="$U" RPM_STATIC=auto >"$T/make-unsigned.out" 2>&1; then
		ok "make rpm: an unsigned local build"
		sed 's/^/# /' "$T/make-unsigned.out"
		lint "$U" "$T/lint-unsigned"
		check "unsigned build: make rpmlint exits 0" [ "$lrc" -eq 0 ]
		check "unsigned build: rpmlint 0 errors" grep -q ' 0 errors, ' "$T/lint-unsigned"
		check "unsigned build: make rpmlint says the packages are unsigned" grep -q '^rpmlint: unsigned: ' "$T/lint-unsigned"
		if grep -q 'packaging the static binary' "$T/make-unsigned.out"; then
			check "unsigned static build: statically-linked-binary was there and filtered" \
				bash -c "HOME='$T/home' rpmlint '$U'/RPMS/*/*.rpm 2>&1 | grep -q 'E: statically-linked-binary'"
		else
			skip "no build-static/roleboot (make static): the unsigned build is dynamic"
		fi
	else
		not_ok "make rpm: an unsigned local build"
		sed 's/^/# /' "$T/make-unsigned.out"
	fi
fi
done_testing
