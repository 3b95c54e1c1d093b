#!/usr/bin/env bash
# Install as one transaction: a failing validator, a template error, an
# unknown owner, a failed rename half-way and a full disk all leave every
# file on the target as it was.
. "$(dirname "$0")/lib.sh"

demo_src "$T/src"
pack_sign "$T/src" "$T/demo.tar.gz"
demo_role "$T/demo.role" demo.tar.gz
make_root "$T/root"
R=$T/root
run_rb apply --root "$R" --pubkey "$PUB" "$T/demo.role"
check "baseline apply" [ "$rc" -eq 0 ]
h=$(tree_hash "$R")

# variant NAME SED-SCRIPT FILE: the demo bundle with one file edited
variant() {
	rm -rf "$T/$1"; cp -r "$T/src" "$T/$1"
	sed -i "$2" "$T/$1/$3"
	pack_sign "$T/$1" "$T/$1.tar.gz"
	demo_role "$T/$1.role" "$1.tar.gz"
}

variant badconf 's/recursion {{#recursion}}yes/recursion {{#recursion}}perhaps/' named.conf.mustache
expect_fail 7 "validate /etc/roleboot-demo/named.conf: 'named-checkconf %s' failed \(exit 1\)" \
	"named-checkconf refuses the rendered config" apply --root "$R" --pubkey "$PUB" "$T/badconf.role"
unchanged "$R" "$h" "failing validator"

variant badkey 's/algorithm hmac-sha256;/algorithm hmac-sha256/' transfer.key.mustache
expect_fail 7 "validate /etc/roleboot-demo/transfer.key: 'named-checkconf %s' failed \(exit 1\)$" \
	"validator output of a secret file is not shown" apply --root "$R" --pubkey "$PUB" "$T/badkey.role"
check "secret not in validator message" bash -c "! grep -q c2VjcmV0 '$T/err'"

variant novalidator 's/^validate = named-checkconf %s/validate = \/nonexistent\/checker %s/' manifest.ini
sed -i 's/^validate *= named-checkconf %s/validate = \/nonexistent\/checker %s/' "$T/novalidator/manifest.ini"
pack_sign "$T/novalidator" "$T/novalidator.tar.gz"
expect_fail 7 "cannot run '/nonexistent/checker'" "validator that cannot run" \
	apply --root "$R" --pubkey "$PUB" "$T/novalidator.role"

variant undefined 's/{{listen_port}}/{{listen_prot}}/' named.conf.mustache
expect_fail 7 "named.conf.mustache:[0-9]+: undefined variable 'listen_prot'" "undefined template variable" \
	apply --root "$R" --pubkey "$PUB" "$T/undefined.role"

variant unclosed 's/{{\/zone}}//' named.conf.mustache
expect_fail 7 "named.conf.mustache:[0-9]+: .*'zone'.*(not closed|unclosed)" "unclosed section" \
	apply --root "$R" --pubkey "$PUB" "$T/unclosed.role"

variant owner 's/^mode     = 0640/mode     = 0640\nowner    = bind/' manifest.ini
expect_fail 8 "user 'bind' is not in .*/etc/passwd" "owner unknown to the target's passwd" \
	apply --root "$R" --pubkey "$PUB" "$T/owner.role"
unchanged "$R" "$h" "template, owner and validator refusals"

variant named 's/^mode     = 0640/mode     = 0640\ngroup    = named/' manifest.ini
run_rb apply --root "$R" --pubkey "$PUB" "$T/named.role"
check "group resolved from the target's /etc/group" [ "$(stat -c %g "$R/etc/roleboot-demo/transfer.key")" = 103 ]
run_rb apply --root "$R" --pubkey "$PUB" "$T/demo.role"
check "group change reverted" [ "$(stat -c %g "$R/etc/roleboot-demo/transfer.key")" = 0 ]
h=$(tree_hash "$R")

# the second rename of a commit fails: the first file is put back
ROLEBOOT_FAIL_RENAME=2 expect_fail 8 "transfer.key: cannot rename into place" "rename fails half-way" \
	apply --root "$R" --pubkey "$PUB" --var listen_port=53 --var transfer_secret=bmV3 "$T/demo.role"
unchanged "$R" "$h" "failed rename: earlier renames rolled back"

# the same on an empty root: new files and new folders are removed again
make_root "$T/fresh"
hf=$(tree_hash "$T/fresh")
ROLEBOOT_FAIL_RENAME=3 expect_fail 8 "roleboot-demo.service: cannot rename into place" "rename fails on a fresh root" \
	apply --root "$T/fresh" --pubkey "$PUB" "$T/demo.role"
unchanged "$T/fresh" "$hf" "failed rename on a fresh root"

# a target path that is a folder
make_root "$T/dirroot"; mkdir -p "$T/dirroot/etc/roleboot-demo/named.conf"
hd=$(tree_hash "$T/dirroot")
expect_fail 8 "named.conf: exists and is not a regular file" "target is a folder" \
	apply --root "$T/dirroot" --pubkey "$PUB" "$T/demo.role"
unchanged "$T/dirroot" "$hd" "target is a folder"

# a full disk: the root is a small tmpfs and one file does not fit
if mkdir -p "$T/full" && mount -t tmpfs -o size=256k tmpfs "$T/full" 2>/dev/null; then
	trap 'umount "$T/full" 2>/dev/null; rm -rf "$T"' EXIT
	make_root "$T/full"
	run_rb apply --root "$T/full" --pubkey "$PUB" "$T/demo.role"
	rm -rf "$T/bigsrc"; cp -r "$T/src" "$T/bigsrc"
	head -c 400000 /dev/urandom | base64 >"$T/bigsrc/big.txt"
	printf '\n[file /etc/roleboot-demo/big.txt]\nsource = big.txt\n' >>"$T/bigsrc/manifest.ini"
	pack_sign "$T/bigsrc" "$T/big.tar.gz"; demo_role "$T/big.role" big.tar.gz
	hfull=$(tree_hash "$T/full")
	expect_fail 8 "big.txt: cannot (write|stage).*: No space left on device" "full disk" \
		apply --root "$T/full" --pubkey "$PUB" --var listen_port=53 "$T/big.role"
	unchanged "$T/full" "$hfull" "full disk"
	umount "$T/full"
else
	skip "full disk: cannot mount a tmpfs here"
fi
# SIGTERM while a validator runs: no staged copy (they may hold secrets)
# and no temporary file is left, and the root is unchanged
variant slow 's/^validate = named-checkconf %s/validate = sleep 3/' manifest.ini
sed -i 's/^validate *= named-checkconf %s/validate = sleep 3/' "$T/slow/manifest.ini"
pack_sign "$T/slow" "$T/slow.tar.gz"
mkdir -p "$T/tmp"
h=$(tree_hash "$R")
TMPDIR=$T/tmp "$ROLEBOOT" apply -q --root "$R" --pubkey "$PUB" "$T/slow.role" 2>/dev/null &
pid=$!
for _ in $(seq 1 50); do [ -n "$(ls -A "$T/tmp")" ] && break; sleep 0.1; done
sleep 0.5
kill -TERM "$pid"; wait "$pid"; src=$?
check "SIGTERM ends the apply (status $src)" [ "$src" -eq 143 ]
check "nothing left in TMPDIR after SIGTERM" [ -z "$(ls -A "$T/tmp")" ]
unchanged "$R" "$h" "SIGTERM during validation"
done_testing
