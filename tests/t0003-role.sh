#!/usr/bin/env bash
# Role files and values: every refusal exits 3 (role) or 7 (values), names
# FILE:LINE or the variable and its origin, and leaves the root unchanged.
. "$(dirname "$0")/lib.sh"

demo_src "$T/src"
pack_sign "$T/src" "$T/demo.tar.gz"
make_root "$T/root"
R=$T/root
h=$(tree_hash "$R")

role() { # role NAME: a role file from stdin
	cat >"$T/$1.role"
}

role unknownkey <<'EOF2'
[role]
name = demo
bundle = demo.tar.gz
colour = blue
EOF2
expect_fail 3 "unknownkey.role:4: unknown key 'colour' in \[role\]" "unknown key in [role]" \
	apply --root "$R" --pubkey "$PUB" "$T/unknownkey.role"
unchanged "$R" "$h" "unknown key"

role unknownsec <<'EOF2'
[role]
name = demo
bundle = demo.tar.gz
[settings]
x = 1
EOF2
expect_fail 3 "unknownsec.role:4: unknown section \[settings\]" "unknown section" \
	apply --root "$R" --pubkey "$PUB" "$T/unknownsec.role"

role twice <<'EOF2'
[role]
name = demo
name = other
bundle = demo.tar.gz
EOF2
expect_fail 3 "twice.role:3: 'name' is set twice \(first on line 2\)" "key set twice" \
	apply --root "$R" --pubkey "$PUB" "$T/twice.role"

role nobundle <<'EOF2'
[role]
name = demo
EOF2
expect_fail 3 "nobundle.role: \[role\] needs 'name' and 'bundle'" "missing bundle" \
	apply --root "$R" --pubkey "$PUB" "$T/nobundle.role"

{ printf '[role]\nname = demo\nbundle = demo.tar.gz\n[vars]\ntransfer_secret = '; printf 'x%.0s' $(seq 1 200); echo; } >"$T/longline.role"
expect_fail 3 "longline.role:5: line longer than 198 bytes" "over-long line refused, not cut" \
	apply --root "$R" --pubkey "$PUB" "$T/longline.role"

{ printf '[role]\nname = demo\nbundle = demo.tar.gz\n[zone "'; printf 'a%.0s' $(seq 1 60); printf '.example.com"]\nprimaries = 192.0.2.1\n'; } >"$T/longsec.role"
expect_fail 3 "longsec.role:4: section name longer than 49 bytes" "over-long section name refused" \
	apply --root "$R" --pubkey "$PUB" "$T/longsec.role"

role badsec <<'EOF2'
[role]
name = demo
bundle = demo.tar.gz
[zone "corp.example.com]
primaries = 192.0.2.1
EOF2
expect_fail 3 "badsec.role:4: unknown section" "malformed list section" \
	apply --root "$R" --pubkey "$PUB" "$T/badsec.role"

role wrongrole <<'EOF2'
[role]
name = dns-internal
bundle = demo.tar.gz
EOF2
expect_fail 3 "bundle is for role 'demo', but .*wrongrole.role asks for role 'dns-internal'" \
	"role name differs from the bundle's" apply --root "$R" --pubkey "$PUB" "$T/wrongrole.role"
unchanged "$R" "$h" "wrong role"

role badip <<'EOF2'
[role]
name = demo
bundle = demo.tar.gz
[vars]
transfer_secret = c2VjcmV0
forwarders = 192.0.2.1, 192.0.2.300
EOF2
expect_fail 7 "badip.role:6: value of 'forwarders' is not an IP address: '192.0.2.300'" \
	"list item failing its type" apply --root "$R" --pubkey "$PUB" "$T/badip.role"
unchanged "$R" "$h" "bad ip"

printf '[role]\nname = demo\nbundle = demo.tar.gz\n[vars]\ntransfer_secret = abc\tdef\n' >"$T/ctrl.role"
expect_fail 7 "ctrl.role:5: value of 'transfer_secret' \(secret\) holds a newline or control character" \
	"control character refused, secret not echoed" apply --root "$R" --pubkey "$PUB" "$T/ctrl.role"
check "secret value not in the message" bash -c "! grep -q 'abc' '$T/err'"

role quote <<'EOF2'
[role]
name = demo
bundle = demo.tar.gz
[vars]
transfer_secret = abc"; allow-query { any; }; "
EOF2
expect_fail 7 "value of 'transfer_secret' \(secret\) holds" "config syntax injection refused" \
	apply --root "$R" --pubkey "$PUB" "$T/quote.role"

role undeclared <<'EOF2'
[role]
name = demo
bundle = demo.tar.gz
[vars]
transfer_secret = c2VjcmV0
listen_addr = 192.0.2.1
EOF2
expect_fail 7 "undeclared.role:6: 'listen_addr' is not a variable of bundle 'demo'" \
	"undeclared variable" apply --root "$R" --pubkey "$PUB" "$T/undeclared.role"

role badzone <<'EOF2'
[role]
name = demo
bundle = demo.tar.gz
[vars]
transfer_secret = c2VjcmV0
[zone "bad_zone-.example.com"]
primaries = 192.0.2.1
EOF2
expect_fail 7 "badzone.role:6: section name of \[zone \"bad_zone-.example.com\"\] is not a valid" \
	"section name failing its key type" apply --root "$R" --pubkey "$PUB" "$T/badzone.role"

role missing <<'EOF2'
[role]
name = demo
bundle = demo.tar.gz
EOF2
expect_fail 7 "no value for 'transfer_secret'" "required value missing" \
	apply --root "$R" --pubkey "$PUB" "$T/missing.role"

demo_role "$T/ok.role" demo.tar.gz
expect_fail 7 "--var: value of 'listen_port' is not a port" "--var failing its type" \
	apply --root "$R" --pubkey "$PUB" --var listen_port=70000 "$T/ok.role"
expect_fail 7 "--var: 'nosuch' is not a variable" "--var of an undeclared name" \
	apply --root "$R" --pubkey "$PUB" --var nosuch=1 "$T/ok.role"
expect_fail 2 "--var wants NAME=VALUE" "--var without =" \
	apply --root "$R" --pubkey "$PUB" --var nosuch "$T/ok.role"
expect_fail 4 "nothere.role" "role file that does not exist" \
	apply --root "$R" --pubkey "$PUB" "$T/nothere.role"
expect_fail 2 "unsupported URL scheme" "role URL with another scheme" \
	apply --root "$R" --pubkey "$PUB" "ftp://127.0.0.1/x.role"
unchanged "$R" "$h" "after all refusals"

# the kernel command line supplies ROLE, key and values when ROLE is omitted
demo_role "$T/k.role" demo.tar.gz
printf 'BOOT_IMAGE=/vmlinuz ro roleboot.role=%s roleboot.pubkey=%s roleboot.var.listen_port=5300 quiet "roleboot.var.forwarders=192.0.2.7, 192.0.2.8"\n' \
	"$T/k.role" "$PUB" >"$T/cmdline"
make_root "$T/kroot"
ROLEBOOT_CMDLINE=$T/cmdline run_rb apply --root "$T/kroot"
check "ROLE from the kernel command line" [ "$rc" -eq 0 ]
check "roleboot.var from the kernel command line" grep -q "listen-on port 5300" "$T/kroot/etc/roleboot-demo/named.conf"
check "quoted kernel value" grep -q "forwarders { 192.0.2.7; 192.0.2.8; };" "$T/kroot/etc/roleboot-demo/named.conf"
ROLEBOOT_CMDLINE=$T/cmdline run_rb apply --root "$T/kroot" --var listen_port=5301
check "--var wins over the kernel command line" grep -q "listen-on port 5301" "$T/kroot/etc/roleboot-demo/named.conf"
run_rb apply --root "$T/kroot" --cmdline "$T/cmdline" --var listen_port=5302
check "--cmdline FILE names the kernel command line" grep -q "listen-on port 5302" "$T/kroot/etc/roleboot-demo/named.conf"
echo "ro quiet" >"$T/cmdline2"
make_root "$T/kroot2"
ROLEBOOT_CMDLINE=$T/cmdline2 expect_fail 2 "no ROLE given, none applied on .*, and no roleboot.role=" "no ROLE anywhere" apply --root "$T/kroot2"
done_testing
