# lib.sh — shared helpers for the end-to-end scripts tests/tNNNN-*.sh.
# Source it first; it makes $T (a temp folder removed at exit), offers TAP
# assertions and tree hashing, and signs bundles with the checked-in keys.
set -u
: "${ROLEBOOT:?set ROLEBOOT to the binary under test}"
TESTS_DIR=${TESTS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
KEYS=$TESTS_DIR/keys
PUB=$(sed -n 2p "$KEYS/test.pub")
OTHER_PUB=$(sed -n 2p "$KEYS/other.pub")
T=$(mktemp -d "${TMPDIR:-/tmp}/roleboot-test.XXXXXX")
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
_n=0

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n - $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
done_testing() { echo "1..$_n"; }
# skip REASON: one test not run, and why (TAP "# SKIP"; tests/run.sh counts
# it apart and fails a skip without a reason).  The script goes on.
skip() { _n=$((_n + 1)); echo "ok $_n - skipped # SKIP $*"; }
# skip_rest REASON: the rest of the script cannot run here: one skip, the
# plan, exit 0.
skip_rest() {
	skip "$@"
	done_testing
	exit 0
}

# run_rb ARGS...: runs roleboot, keeps stdout in $T/out, stderr in $T/err,
# the exit status in $rc.
run_rb() {
	set +e
	"$ROLEBOOT" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# expect_fail CODE PATTERN DESCRIPTION ARGS...: roleboot must exit with CODE,
# and its stderr must match the extended regex PATTERN.
expect_fail() {
	local code=$1 pat=$2 what=$3; shift 3
	run_rb "$@"
	if [ "$rc" -eq "$code" ] && grep -Eq -- "$pat" "$T/err"; then
		ok "$what (exit $code)"
	else
		not_ok "$what: wanted exit $code and /$pat/, got exit $rc"
		sed 's/^/# /' "$T/err"
	fi
}

# tree_hash DIR: one digest of every name, type, mode, owner and content;
# roleboot's own report (written on failures too) is left out.
tree_hash() {
	(cd "$1" && find . ! -path ./var/lib/roleboot/report.json -printf '%p %y %m %U %G %s %l\n' |
		LC_ALL=C sort &&
		find . -type f ! -path ./var/lib/roleboot/report.json -print0 | LC_ALL=C sort -z |
		xargs -0r sha256sum) | sha256sum | cut -d' ' -f1
}

# sign FILE [KEY] [LEGACY]: stock minisign signature FILE.minisig.
sign() {
	local key=${2:-$KEYS/test.key}
	if [ "${3:-}" = legacy ]; then
		minisign -S -l -s "$key" -m "$1" -t "test bundle" </dev/null >/dev/null
	else
		minisign -S -s "$key" -m "$1" -t "test bundle" </dev/null >/dev/null
	fi
}

# make_root DIR: a minimal target root with passwd/group for owners.
make_root() {
	mkdir -p "$1/etc" "$1/var/lib/roleboot"
	printf 'root:x:0:0:root:/root:/bin/sh\nnamed:x:101:103::/var/cache/bind:/usr/sbin/nologin\n' >"$1/etc/passwd"
	printf 'root:x:0:\nnamed:x:103:\n' >"$1/etc/group"
}

# pack_sign SRC OUT [legacy]: a signed bundle from a source folder.
pack_sign() {
	"$ROLEBOOT" pack "$1" -o "$2" 2>/dev/null && sign "$2" "$KEYS/test.key" "${3:-}"
}

# demo_src DIR: a copy of the demo bundle source to modify in a test.
demo_src() {
	cp -r "$TESTS_DIR/../templates/demo" "$1"
}

# demo_role FILE BUNDLE: a role file for the demo bundle.
demo_role() {
	cat >"$1" <<ROLE
[role]
name   = demo
bundle = $2

[vars]
forwarders      = 192.0.2.1, 192.0.2.2
transfer_secret = c2VjcmV0LXRlc3Qta2V5
listen_port     = 5353

[zone "corp.example.com"]
primaries = 192.0.2.10, 192.0.2.11
ROLE
}

# unchanged DIR HASH DESCRIPTION: the tree still hashes to HASH.
unchanged() {
	check "$3: root unchanged" [ "$(tree_hash "$1")" = "$2" ]
}
