#!/usr/bin/env bash
# Signatures: every forgery and every untrusted key is refused with exit 5
# (a missing signature with exit 4), and the root is left as it was.
. "$(dirname "$0")/lib.sh"

demo_src "$T/src"
pack_sign "$T/src" "$T/good.tar.gz"
make_root "$T/root"
R=$T/root
h=$(tree_hash "$R")

# flip_byte FILE OFFSET: xor one byte with 0x01
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# variant NAME: a copy of the good bundle and signature to tamper with
variant() {
	cp "$T/good.tar.gz" "$T/$1.tar.gz"
	cp "$T/good.tar.gz.minisig" "$T/$1.tar.gz.minisig"
	demo_role "$T/$1.role" "$1.tar.gz"
}

variant body; flip_byte "$T/body.tar.gz" 100
expect_fail 5 "body.tar.gz: signature does not verify" "one flipped byte in the bundle" \
	apply --root "$R" --pubkey "$PUB" "$T/body.role"
unchanged "$R" "$h" "flipped bundle byte"

variant sig
line2=$(sed -n 2p "$T/sig.tar.gz.minisig")
c=${line2:40:1}; [ "$c" = A ] && n=B || n=A
sed -i "2s/^\(.\{40\}\)./\1$n/" "$T/sig.tar.gz.minisig"
expect_fail 5 "sig.tar.gz: " "one changed character in the signature" \
	apply --root "$R" --pubkey "$PUB" "$T/sig.role"
unchanged "$R" "$h" "changed signature"

variant comment
sed -i '3s/test bundle/test bundlE/' "$T/comment.tar.gz.minisig"
expect_fail 5 "comment.tar.gz: .*(global|comment)" "altered trusted comment" \
	apply --root "$R" --pubkey "$PUB" "$T/comment.role"
unchanged "$R" "$h" "altered trusted comment"

variant global
line4=$(sed -n 4p "$T/global.tar.gz.minisig")
c=${line4:10:1}; [ "$c" = A ] && n=B || n=A
sed -i "4s/^\(.\{10\}\)./\1$n/" "$T/global.tar.gz.minisig"
expect_fail 5 "global.tar.gz: " "altered global signature" \
	apply --root "$R" --pubkey "$PUB" "$T/global.role"

variant wrongkey
expect_fail 5 "key id B7A536DEFD94A5F0 .*9FA4A0695AAEC30A" "wrong key: both key ids named" \
	apply --root "$R" --pubkey "$OTHER_PUB" "$T/wrongkey.role"
unchanged "$R" "$h" "wrong key"

variant nokey
expect_fail 5 "no trusted keys" "no trusted key at all" apply --root "$R" "$T/nokey.role"

variant badkey
expect_fail 5 "--pubkey: " "malformed --pubkey" apply --root "$R" --pubkey "RWQnotakey" "$T/badkey.role"

variant nosig; rm "$T/nosig.tar.gz.minisig"
expect_fail 4 "nosig.tar.gz.minisig" "missing signature file" \
	apply --root "$R" --pubkey "$PUB" "$T/nosig.role"

variant garbage; echo "not a signature" >"$T/garbage.tar.gz.minisig"
expect_fail 5 "garbage.tar.gz: " "garbage signature file" \
	apply --root "$R" --pubkey "$PUB" "$T/garbage.role"

# a signature from the other key, trusted only by the other key
variant other; sign "$T/other.tar.gz" "$KEYS/other.key"
expect_fail 5 "key id 9FA4A0695AAEC30A" "signed by an untrusted key" \
	apply --root "$R" --pubkey "$PUB" "$T/other.role"
unchanged "$R" "$h" "untrusted signer"

# roleboot verify, both signature modes, against stock minisign output
echo "hello" >"$T/file"
sign "$T/file"
run_rb verify --pubkey "$KEYS/test.pub" "$T/file"
check "verify: prehashed signature from a .pub file" [ "$rc" -eq 0 ]
check "verify prints the trusted comment" grep -q "trusted comment: test bundle" "$T/out"
cp "$T/file" "$T/legacy"; sign "$T/legacy" "$KEYS/test.key" legacy
run_rb verify --pubkey "$PUB" "$T/legacy"
check "verify: legacy signature with a base64 key" [ "$rc" -eq 0 ]
echo "hellO" >"$T/file"
expect_fail 5 "does not verify" "verify: altered file" verify --pubkey "$PUB" "$T/file"
expect_fail 5 "9FA4A0695AAEC30A" "verify: wrong key" verify --pubkey "$OTHER_PUB" "$T/legacy"
expect_fail 2 "usage" "verify without a key" verify "$T/legacy"
# --max-size is read as apply reads it: a whole number of at least 1
for bad in -1 0 1x ""; do
	expect_fail 2 "--max-size wants a whole number of at least 1, not '$bad'" \
		"verify --max-size '$bad' refused as apply refuses it" \
		verify --pubkey "$PUB" --max-size "$bad" "$T/legacy"
	expect_fail 2 "--max-size wants a whole number of at least 1, not '$bad'" \
		"apply --max-size '$bad' refused" apply --max-size "$bad" "$T/none.role"
done
sign "$T/file"
expect_fail 4 "larger than|over|too big|exceed" "verify --max-size 3: a 6-byte download is too big" \
	verify --pubkey "$PUB" --max-size 3 "file://$T/file" "$T/file.minisig"
done_testing
