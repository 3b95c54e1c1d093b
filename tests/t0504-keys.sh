#!/usr/bin/env bash
# Trusted keys: several at once (trusted.d and --pubkey), a key rotation
# done with bundles (the old key signs a bundle that ships the new key),
# untrusted signers refused with the root unchanged, and trusted.d entries
# that are links out of the root never trusted.
. "$(dirname "$0")/lib.sh"

# keygen NAME: a throwaway key pair $T/NAME.key, $T/NAME.pub
keygen() {
	minisign -G -W -p "$T/$1.pub" -s "$T/$1.key" </dev/null >/dev/null 2>&1
}
keygen old
keygen new
keygen rogue

# bundle NAME VERSION KEY [SHIPPED.pub]: a bundle $T/NAME.tar.gz signed by
# $T/KEY.key, with a role file $T/NAME.role; with SHIPPED it also lays down
# /etc/roleboot/trusted.d/SHIPPED.pub
bundle() {
	local src=$T/src-$1
	mkdir -p "$src"
	printf '[bundle]\nrole    = keys\nversion = %s\n[file /etc/keys/hello]\nsource = hello\nmode   = 0644\n' \
		"$2" >"$src/manifest.ini"
	echo "bundle $1 version $2" >"$src/hello"
	if [ -n "${4:-}" ]; then
		cp "$T/$4.pub" "$src/$4.pub"
		printf '[file /etc/roleboot/trusted.d/%s.pub]\nsource = %s.pub\nmode   = 0644\n' "$4" "$4" \
			>>"$src/manifest.ini"
	fi
	"$ROLEBOOT" pack "$src" -o "$T/$1.tar.gz" 2>/dev/null
	sign "$T/$1.tar.gz" "$T/$3.key"
	printf '[role]\nname = keys\nbundle = %s.tar.gz\n' "$1" >"$T/$1.role"
}

# root_with DIR KEY...: a root whose trusted.d holds $T/KEY.pub for each KEY
root_with() {
	local d=$1 k; shift
	make_root "$d"
	mkdir -p "$d/etc/roleboot/trusted.d"
	for k in "$@"; do cp "$T/$k.pub" "$d/etc/roleboot/trusted.d/$k.pub"; done
}

# applied ROOT NAME: the last run succeeded and the root holds bundle NAME
applied() {
	[ "$rc" -eq 0 ] && grep -q "^bundle $2 " "$1/etc/keys/hello"
}

# several keys trusted at once
bundle by-old 1 old
bundle by-new 1 new
bundle by-rogue 1 rogue
root_with "$T/two" old new
run_rb apply --root "$T/two" "$T/by-old.role"
check "two keys in trusted.d: a bundle signed by the first applies" \
	applied "$T/two" by-old
run_rb apply --root "$T/two" "$T/by-new.role"
check "two keys in trusted.d: a bundle signed by the second applies" \
	applied "$T/two" by-new
h=$(tree_hash "$T/two")
expect_fail 5 "by-rogue.tar.gz: .*key id" "two keys in trusted.d: a third signer is refused" \
	apply --root "$T/two" "$T/by-rogue.role"
unchanged "$T/two" "$h" "third signer"

make_root "$T/args"
run_rb apply --root "$T/args" --pubkey "$T/old.pub" --pubkey "$(sed -n 2p "$T/new.pub")" \
	"$T/by-old.role"
check "several --pubkey: signed by the first applies" applied "$T/args" by-old
run_rb apply --root "$T/args" --pubkey "$T/old.pub" --pubkey "$(sed -n 2p "$T/new.pub")" \
	"$T/by-new.role"
check "several --pubkey: signed by the second applies" applied "$T/args" by-new
h=$(tree_hash "$T/args")
expect_fail 5 "key id" "several --pubkey: an untrusted signer is refused" \
	apply --root "$T/args" --pubkey "$T/old.pub" --pubkey "$T/new.pub" "$T/by-rogue.role"
unchanged "$T/args" "$h" "untrusted signer with several --pubkey"

root_with "$T/mixed" old
run_rb apply --root "$T/mixed" --pubkey "$T/new.pub" "$T/by-new.role"
check "trusted.d and --pubkey together: the --pubkey key signs" [ "$rc" -eq 0 ]
run_rb apply --root "$T/mixed" --pubkey "$T/new.pub" "$T/by-old.role"
check "trusted.d and --pubkey together: the trusted.d key signs" [ "$rc" -eq 0 ]

# rotation: v1 signed by the old key ships the new key, v2 is signed by the
# new key only, then the old key file is retired
R=$T/node
root_with "$R" old
bundle v1 1 old new
bundle v2 2 new new
bundle v3-old 3 old new
run_rb apply --root "$R" "$T/v1.role"
check "rotation: v1 (old key) applies" applied "$R" v1
check "rotation: v1 laid down the new key" cmp -s "$T/new.pub" "$R/etc/roleboot/trusted.d/new.pub"
run_rb apply --root "$R" "$T/v2.role"
check "rotation: v2 (new key only) applies without --pubkey" applied "$R" v2
# minisign writes the key id in the comment without leading zeros; the
# state has all 16 digits
newid=$(sed -n 1p "$T/new.pub" | sed 's/.* //')
while [ ${#newid} -lt 16 ]; do newid=0$newid; done
check "rotation: v2 signed by the new key (state)" \
	grep -qix "key $newid" "$R/var/lib/roleboot/state"
rm "$R/etc/roleboot/trusted.d/old.pub"
h=$(tree_hash "$R")
expect_fail 5 "v3-old.tar.gz: .*key id" "rotation: old key retired, its bundles are refused" \
	apply --root "$R" "$T/v3-old.role"
unchanged "$R" "$h" "retired key"
run_rb apply --root "$R" "$T/v2.role"
check "rotation: the new key still signs" [ "$rc" -eq 0 ]

# an untrusted signer on a fresh root: refused, nothing written
root_with "$T/fresh" old new
h=$(tree_hash "$T/fresh")
expect_fail 5 "by-rogue.tar.gz: .*key id" "fresh root: untrusted signer refused" \
	apply --root "$T/fresh" "$T/by-rogue.role"
unchanged "$T/fresh" "$h" "fresh root, untrusted signer"
check "fresh root: nothing laid down" [ ! -e "$T/fresh/etc/keys" ]

# links in trusted.d: never followed, whatever they point at
mkdir -p "$T/outside/keys"
cp "$T/rogue.pub" "$T/outside/rogue.pub"
cp "$T/rogue.pub" "$T/outside/keys/rogue.pub"

# not_trusted WHAT ROOT: the rogue bundle is refused with exit 5 and the
# root is as it was
not_trusted() {
	local h
	h=$(tree_hash "$2")
	run_rb apply --root "$2" "$T/by-rogue.role"
	check "$1: not trusted (exit 5)" [ "$rc" -eq 5 ]
	check "$1: bundle not applied" [ ! -e "$2/etc/keys/hello" ]
	unchanged "$2" "$h" "$1"
}
root_with "$T/l1" old
ln -s "$T/outside/rogue.pub" "$T/l1/etc/roleboot/trusted.d/rogue.pub"
not_trusted "trusted.d entry linked to a key outside the root" "$T/l1"
check "the refusal names the link" grep -q "trusted.d/rogue.pub" "$T/err"
root_with "$T/l2" old
ln -s ../../../../outside/rogue.pub "$T/l2/etc/roleboot/trusted.d/rogue.pub"
not_trusted "trusted.d entry linked out of the root (relative)" "$T/l2"
make_root "$T/l3"
mkdir -p "$T/l3/etc/roleboot"
ln -s "$T/outside/keys" "$T/l3/etc/roleboot/trusted.d"
not_trusted "trusted.d itself a link to a folder outside the root" "$T/l3"
root_with "$T/l4" old
mkdir -p "$T/l4/srv"
cp "$T/rogue.pub" "$T/l4/srv/rogue.pub"
ln -s ../../../srv/rogue.pub "$T/l4/etc/roleboot/trusted.d/rogue.pub"
not_trusted "trusted.d entry linked to a key inside the root" "$T/l4"
make_root "$T/l5"
mkdir -p "$T/l5/etc/roleboot"
ln -s "$T/outside" "$T/l5/etc/roleboot/link"
ln -s link/keys "$T/l5/etc/roleboot/trusted.d"
not_trusted "trusted.d reached through a linked parent" "$T/l5"
done_testing
