#!/usr/bin/env bash
# The download's one digest, BLAKE2b-512, computed while it streams (in
# 256 KiB chunks hashed on a second thread): a download of many chunks
# verifies straight, after a resume mid-body and after a start-over; a
# forged byte fails; a legacy ("Ed") signature over a URL still verifies
# (it reads the file); the state and the report record the bundle's
# BLAKE2b-512; and a state written before that (sha256 of the bundle) still
# loads, shows, converges, and is rewritten with blake2b by the next apply.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"

export ROLEBOOT_BACKOFF_MS=50
S=$T/srv
mkdir -p "$S/b" "$S/l"
# 3 MiB and a bit: a dozen chunks, the last one partial
head -c $((3 * 1024 * 1024 + 12345)) /dev/urandom >"$S/b/big.bin"
sign "$S/b/big.bin"
cp "$S/b/big.bin" "$S/l/big.bin"
sign "$S/l/big.bin" "$KEYS/test.key" legacy
cp "$S/b/big.bin" "$S/b/forged.bin"
printf 'x' | dd of="$S/b/forged.bin" bs=1 seek=2000000 conv=notrunc 2>/dev/null
cp "$S/b/big.bin.minisig" "$S/b/forged.bin.minisig"
demo_src "$T/src"
pack_sign "$T/src" "$S/b/demo.tar.gz"
start_faultserver "$S" || { not_ok "fault server did not start"; done_testing; exit 1; }
H=http://127.0.0.1:$FAULT_PORT

run_rb verify -q --pubkey "$PUB" "$H/ok/b/big.bin"
check "verify over http: 3 MiB in many chunks" [ "$rc" -eq 0 ]
run_rb verify -q --pubkey "$PUB" "$H/reset/b/big.bin" "$H/ok/b/big.bin.minisig"
check "reset mid-body: resumed and verified" [ "$rc" -eq 0 ]
check "reset: resumed with Range" [ "$(fault_count '^GET /reset/b/big.bin 206 range=bytes=[0-9]+-')" -eq 1 ]
run_rb verify --pubkey "$PUB" "$H/norange/b/big.bin" "$H/ok/b/big.bin.minisig"
check "server without Range: started over, verified" [ "$rc" -eq 0 ]
check "norange: said so" grep -q "the server cannot resume; starting over" "$T/err"
expect_fail 5 "signature does not verify" "one byte forged in the middle" \
	verify -q --pubkey "$PUB" "$H/ok/b/forged.bin"
run_rb verify -q --pubkey "$PUB" "$H/ok/l/big.bin"
check "legacy (\"Ed\") signature over a URL verifies" [ "$rc" -eq 0 ]

# the state and the report record the bundle's BLAKE2b-512
R=$T/root
make_root "$R"
printf '[role]\nname = demo\nbundle = %s\n[vars]\ntransfer_secret = c2VjcmV0LWRpZ2VzdA==\n' \
	"$H/ok/b/demo.tar.gz" >"$T/demo.role"
run_rb apply -q --root "$R" --pubkey "$PUB" "$T/demo.role"
check "apply over http" [ "$rc" -eq 0 ]
B2=$(b2sum "$S/b/demo.tar.gz" | cut -d' ' -f1)
SHA=$(sha256sum "$S/b/demo.tar.gz" | cut -d' ' -f1)
ST=$R/var/lib/roleboot/state
check "the state records the bundle's blake2b" grep -qx "blake2b $B2" "$ST"
check "and no sha256 for the bundle" bash -c "! grep -q '^sha256 ' '$ST'"
check "the report gives the bundle's blake2b" grep -q "\"blake2b\":\"$B2\",\"size\":" "$R/var/lib/roleboot/report.json"
run_rb status --root "$R"
check "status shows the blake2b" grep -qx "blake2b: $B2" "$T/out"

# a state from before: the bundle's sha256 in place of its blake2b
sed -i "s/^blake2b .*/sha256 $SHA/" "$ST"
files=$(tree_hash "$R/etc")
run_rb status --root "$R" --json
check "older state: status --json gives its sha256" grep -q "\"blake2b\":null,\"sha256\":\"$SHA\"" "$T/out"
run_rb apply --dry-run -q --root "$R" --pubkey "$PUB" "$T/demo.role"
check "older state: dry-run finds the node converged (exit 0)" [ "$rc" -eq 0 ]
echo "# drift by hand" >>"$R/etc/roleboot-demo/named.conf"
run_rb apply --dry-run -q --root "$R" --pubkey "$PUB" "$T/demo.role"
check "older state: drift still seen (exit 1)" [ "$rc" -eq 1 ]
run_rb apply -q --root "$R" --pubkey "$PUB" "$T/demo.role"
check "older state: apply exits 0" [ "$rc" -eq 0 ]
check "older state: the drift is undone" [ "$(tree_hash "$R/etc")" = "$files" ]
check "older state: rewritten with the blake2b" grep -qx "blake2b $B2" "$ST"
check "older state: its sha256 line is gone" bash -c "! grep -q '^sha256 ' '$ST'"
smtime=$(stat -c %y "$ST")
run_rb apply -q --root "$R" --pubkey "$PUB" "$T/demo.role"
[ "$rc" -eq 0 ] && [ "$(stat -c %y "$ST")" = "$smtime" ]
verdict "then converged: exit 0 and the state untouched"

done_testing
