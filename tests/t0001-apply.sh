#!/usr/bin/env bash
# apply: the demo bundle into an empty root, then idempotency, dry-run,
# diff, overrides, status and a legacy signature.
. "$(dirname "$0")/lib.sh"

demo_src "$T/src"
pack_sign "$T/src" "$T/demo.tar.gz"
demo_role "$T/demo.role" demo.tar.gz
make_root "$T/root"
R=$T/root

run_rb apply --root "$R" --pubkey "$PUB" "$T/demo.role"
check "first apply succeeds" [ "$rc" -eq 0 ]
check "it reports 3 changed" grep -q "3 changed, 0 unchanged" "$T/err"
check "named.conf rendered with role values" grep -q "forwarders { 192.0.2.1; 192.0.2.2; };" "$R/etc/roleboot-demo/named.conf"
check "list section rendered" grep -q 'zone "corp.example.com"' "$R/etc/roleboot-demo/named.conf"
check "port override from role" grep -q "listen-on port 5353" "$R/etc/roleboot-demo/named.conf"
check "named.conf mode 0644" [ "$(stat -c %a "$R/etc/roleboot-demo/named.conf")" = 644 ]
check "secret file mode 0640" [ "$(stat -c %a "$R/etc/roleboot-demo/transfer.key")" = 640 ]
check "secret value never logged" bash -c "! grep -q c2VjcmV0LXRlc3Qta2V5 '$T/err'"
check "service enabled under --root" systemctl --root="$R" --quiet is-enabled roleboot-demo
check "no temporary files left" bash -c "[ -z \"\$(find '$R' -name '.*rb-*')\" ]"
check "trusted comment shown" grep -q "trusted comment: test bundle" "$T/err"

mtime=$(stat -c %Y.%y "$R/etc/roleboot-demo/named.conf")
smtime=$(stat -c %y "$R/var/lib/roleboot/state")
h=$(tree_hash "$R")
sleep 1
run_rb apply --root "$R" --pubkey "$PUB" "$T/demo.role"
check "second apply succeeds" [ "$rc" -eq 0 ]
check "second apply says 0 changed" grep -q "0 changed, 3 unchanged, 0 services enabled" "$T/err"
check "identical file not touched (mtime)" [ "$(stat -c %Y.%y "$R/etc/roleboot-demo/named.conf")" = "$mtime" ]
check "state of a converged node not rewritten" [ "$(stat -c %y "$R/var/lib/roleboot/state")" = "$smtime" ]
h_files=$(cd "$R" && find . -path ./var/lib/roleboot -prune -o -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)

run_rb apply --dry-run --root "$R" --pubkey "$PUB" "$T/demo.role"
check "dry-run on converged root exits 0" [ "$rc" -eq 0 ]

run_rb apply --dry-run --diff --root "$R" --pubkey "$PUB" --var listen_port=53 --var transfer_secret=b3RoZXI= "$T/demo.role"
check "dry-run with a change exits 1" [ "$rc" -eq 1 ]
check "diff shows the change" grep -q '^+	listen-on port 53 ' "$T/out"
check "diff hides secret files" grep -q "transfer.key: holds secret values, diff not shown" "$T/out"
check "secret override not in diff" bash -c "! grep -q b3RoZXI= '$T/out' '$T/err'"
check "dry-run changed nothing" [ "$(cd "$R" && find . -path ./var/lib/roleboot -prune -o -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)" = "$h_files" ]

run_rb apply --json -q --root "$R" --pubkey "$PUB" --var listen_port=53 "$T/demo.role"
check "--var override applies" grep -q "listen-on port 53 " "$R/etc/roleboot-demo/named.conf"
check "--json reports one changed file" grep -q '"files":\[{"path":"/etc/roleboot-demo/named.conf","change":"changed"}\],"changed":1,' "$T/out"
check "-q keeps stderr quiet" [ ! -s "$T/err" ]

run_rb status --root "$R"
check "status names role and version" grep -q "^role: *demo" "$T/out"
check "status lists files" grep -q "0640 root:root /etc/roleboot-demo/transfer.key" "$T/out"
run_rb status --root "$R" --json
check "status --json" grep -q '"applied":true,"role":"demo","version":1' "$T/out"
run_rb status --root "$T/nothing"
check "status on an empty root" grep -q "nothing applied" "$T/out"

# legacy (non-prehashed) signature and a key from trusted.d
cp "$T/demo.tar.gz" "$T/legacy.tar.gz"
sign "$T/legacy.tar.gz" "$KEYS/test.key" legacy
demo_role "$T/legacy.role" legacy.tar.gz
make_root "$T/root2"
mkdir -p "$T/root2/etc/roleboot/trusted.d"
cp "$KEYS/test.pub" "$T/root2/etc/roleboot/trusted.d/test.pub"
run_rb apply --root "$T/root2" "$T/legacy.role"
check "legacy signature + trusted.d key" [ "$rc" -eq 0 ]

# the role file may name the bundle by file:// URL and mirrors are tried in order
cat >"$T/mirror.role" <<ROLE
[role]
name   = demo
bundle = file://$T/missing.tar.gz
mirror = file://$T/demo.tar.gz
[vars]
transfer_secret = c2VjcmV0
ROLE
make_root "$T/root3"
run_rb apply --root "$T/root3" --pubkey "$KEYS/test.pub" "$T/mirror.role"
check "first source missing, mirror used" [ "$rc" -eq 0 ]
check "failed source named" grep -q "missing.tar.gz" "$T/err"
done_testing
