# lib.sh — shared helpers for the end-to-end scripts tests/tNNNN-*.sh.
# Source it first; it makes $T (a temp folder removed at exit), offers TAP
# assertions and tree hashing, and signs bundles with the checked-in keys.
set -u
: "${ROLEBOOT:?set ROLEBOOT to the binary under test}"
TESTS_DIR=${TESTS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
KEYS=$TESTS_DIR/keys
PUB=$(sed -n 2p "$KEYS/test.pub")
OTHER_PUB=$(sed -n 2p "$KEYS/other.pub")
# TIME_SLACK: seconds added to the upper bound of every check on how long
# roleboot took (make valgrind-check sets it: roleboot starts slowly there).
TIME_SLACK=${TIME_SLACK:-0}
T=$(mktemp -d "${TMPDIR:-/tmp}/roleboot-test.XXXXXX")
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
_n=0

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n - $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# verdict DESCRIPTION: ok when the command just before it succeeded, for a
# check of several commands joined with && (check runs only the first):
#   [ "$rc" -eq 0 ] && grep -q x "$f"; verdict "what"
verdict() { if [ $? -eq 0 ]; then ok "$1"; else not_ok "$1"; fi; }
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
# roleboot's own report (written on failures too) and its lock file are
# left out.
tree_hash() {
	(cd "$1" && find . ! -path ./var/lib/roleboot/report.json ! -path ./var/lib/roleboot/lock \
		-printf '%p %y %m %U %G %l\n' | LC_ALL=C sort &&
		find . -type f ! -path ./var/lib/roleboot/report.json ! -path ./var/lib/roleboot/lock \
			-print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum | cut -d' ' -f1
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

# ---- roots under attack: links, crashes, locks, full disks (t05NN) ----
# These need https.sh's cleanup_add for what lies outside $T.

# private_mounts "$0" "$@": runs the script again, once, in a mount
# namespace of its own, so that its tmpfs mounts go away with it whatever
# happens.  Call it right after sourcing lib.sh; without unshare it returns.
private_mounts() {
	[ -n "${RB_PRIVATE_MOUNTS:-}" ] && return 0
	unshare -m --propagation private true 2>/dev/null || return 0
	rm -rf "$T"
	trap - EXIT
	RB_PRIVATE_MOUNTS=1 exec unshare -m --propagation private bash "$@"
}

# tmpfs_mount DIR SIZE: a tmpfs of SIZE (bytes, or with k/m) on DIR,
# unmounted at exit; 1 when it cannot be mounted here.
tmpfs_mount() {
	mkdir -p "$1" && mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" 2>/dev/null || return 1
	cleanup_add "umount -l '$1'"
}

# outside_dir: prints a new folder under /tmp, apart from every test root,
# removed at exit.  Links in the tests point into it; it must never change.
outside_dir() {
	local d
	d=$(mktemp -d /tmp/roleboot-outside.XXXXXX) || return 1
	cleanup_add "rm -rf '$d'"
	echo "$d"
}

# listing DIR: every name under DIR, one a line, sorted.
listing() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort)
}

# many_src DIR ROLE VERSION COUNT PREFIX TAG: a bundle source whose manifest
# lists COUNT plain files [file PREFIX/fNNN] (NNN from 000), each holding
# "TAG NNN" and a line of padding.
many_src() {
	local d=$1 role=$2 version=$3 count=$4 prefix=$5 tag=$6 i name
	mkdir -p "$d"
	printf '[bundle]\nrole    = %s\nversion = %s\n' "$role" "$version" >"$d/manifest.ini"
	for ((i = 0; i < count; i++)); do
		printf -v name 'f%03d' "$i"
		printf '%s %s\n%0100d\n' "$tag" "$name" 0 >"$d/$name"
		printf '\n[file %s/%s]\nsource = %s\nmode   = 0644\n' "$prefix" "$name" "$name" \
			>>"$d/manifest.ini"
	done
}

# leftovers ROOT: prints whatever an install may leave behind under ROOT
# (temps .NAME.rb-*, their .old backups, stage-* folders, the journal);
# nothing on a clean root.
leftovers() {
	find "$1" \( -name '.*.rb-*' -o -name 'stage-*' -o -name 'roleboot-stage-*' \
		-o -path '*/var/lib/roleboot/journal*' \) -print 2>/dev/null
}

# error_lines: how many "roleboot: error:" lines the last run_rb printed.
error_lines() {
	grep -c '^roleboot: error:' "$T/err"
}

# now_s: the time in seconds, with nanoseconds.
now_s() {
	date +%s.%N
}

# less_than A B: A < B, as decimal numbers (times from now_s).
less_than() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

# installer_binary: sets BIN to the binary an installer test serves (TOP: the
# checkout): the
# static one when `make static` built it, else the plain build, made here
# when missing (with SANITIZE=0 BUILD=build: under `make SANITIZE=1 check`
# the make variables would otherwise name the sanitizer build); on failure
# the test ends with a not-ok line and make's output.
installer_binary() {
	if [ -x "$TOP/build-static/roleboot" ]; then
		BIN=$TOP/build-static/roleboot
		return
	fi
	BIN=$TOP/build/roleboot
	[ -x "$BIN" ] && return
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make -s -C "$TOP" SANITIZE=0 BUILD=build build/roleboot >"$T/make.out" 2>&1 ||
		{ not_ok "make build/roleboot"; sed 's/^/# /' "$T/make.out"; done_testing; exit 1; }
}
