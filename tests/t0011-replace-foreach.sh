#!/usr/bin/env bash
# Manifest [file] options for files the node takes over once laid down:
# replace = no (laid down only when absent, kept as it is after: counted as
# unchanged, recorded in the state without a hash, left out of dry-run and
# --diff) and foreach = SECTION (one file per role section, {{name}} in the
# path, the section's keys in the template).
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/b"
cat >"$T/b/manifest.ini" <<'EOF2'
[bundle]
role    = keep
version = 1
[var zone]
type     = section
key-type = hostname
[var zone.id]
type    = string
default = none
[var motd]
type    = string
default = hello
[file /srv/zones/{{name}}.zone]
foreach  = zone
template = zone.mustache
replace  = no
mode     = 0640
group    = named
[file /etc/keep/seed.conf]
template = seed.mustache
replace  = no
[file /etc/keep/always.conf]
template = seed.mustache
EOF2
printf 'zone {{name}} id {{id}} on {{host.os.id}} motd {{motd}}\n' >"$T/b/zone.mustache"
printf 'seed {{motd}}\n' >"$T/b/seed.mustache"
pack_sign "$T/b" "$T/keep.tar.gz"
cat >"$T/keep.role" <<'EOF2'
[role]
name   = keep
bundle = keep.tar.gz
[zone "corp.example.com"]
id = Z1
[zone "2.0.192.in-addr.arpa"]
EOF2
R=$T/r
make_root "$R"
printf 'ID=debian\n' >"$R/etc/os-release"
Z=$R/srv/zones
apply() { run_rb apply --root "$R" --pubkey "$PUB" "$@" "$T/keep.role"; }

apply
check "first apply succeeds" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
check "foreach: one file per role section, {{name}} in the path" \
	bash -c "[ \"\$(cd '$Z' && ls)\" = \"\$(printf '2.0.192.in-addr.arpa.zone\ncorp.example.com.zone')\" ]"
check "foreach: the section's keys and the data in the template" \
	grep -qx "zone corp.example.com id Z1 on debian motd hello" "$Z/corp.example.com.zone"
check "foreach: a section's default" grep -qx "zone 2.0.192.in-addr.arpa id none on debian motd hello" \
	"$Z/2.0.192.in-addr.arpa.zone"
check "foreach: mode and group of the entry" [ "$(stat -c '%a %g' "$Z/corp.example.com.zone")" = "640 103" ]
check "new files reported as new" grep -q "changed: /srv/zones/corp.example.com.zone (new)" "$T/err"
check "state: replace = no files recorded as keep, with the manifest's mode" \
	bash -c "grep -qx 'file keep 0640 root named /srv/zones/corp.example.com.zone' '$R/var/lib/roleboot/state' &&
		grep -qx 'file keep 0644 root root /etc/keep/seed.conf' '$R/var/lib/roleboot/state'"
check "state: a replaced file keeps its hash" \
	grep -qx "file $(sha256sum <"$R/etc/keep/always.conf" | cut -d' ' -f1) 0644 root root /etc/keep/always.conf" \
	"$R/var/lib/roleboot/state"

# the node (the sync agent) writes its own content, mode and owner
printf 'written by the node\n' >"$Z/corp.example.com.zone"
chmod 600 "$Z/corp.example.com.zone"
printf 'edited seed\n' >"$R/etc/keep/seed.conf"
printf 'edited always\n' >"$R/etc/keep/always.conf"
apply --dry-run --diff --var motd=changed
check "dry-run: only the replaced file would change (exit 1)" [ "$rc" -eq 1 ]
check "dry-run: it is listed" grep -q "would change: /etc/keep/always.conf (changed)" "$T/err"
check "dry-run: kept files are not listed" bash -c "! grep -q 'would change: /srv/zones\|would change: /etc/keep/seed' '$T/err'"
check "dry-run: 1 would change, the rest unchanged" grep -q "1 would change, 3 unchanged" "$T/err"
check "--diff: the replaced file's diff" grep -q "^+seed changed" "$T/out"
check "--diff: no diff of a kept file" bash -c "! grep -q 'srv/zones\|etc/keep/seed' '$T/out'"
printf 'seed hello\n' >"$R/etc/keep/always.conf"
h=$(tree_hash "$R")
apply --dry-run
check "dry-run: kept files differing from the template: in sync (exit 0)" [ "$rc" -eq 0 ]
apply
check "re-apply succeeds" [ "$rc" -eq 0 ]
check "re-apply: 0 changed" grep -q "0 changed, 4 unchanged" "$T/err"
unchanged "$R" "$h" "re-apply over the node's own content (state included)"
check "re-apply: the node's zone kept, with its mode" \
	bash -c "grep -qx 'written by the node' '$Z/corp.example.com.zone' && [ \$(stat -c %a '$Z/corp.example.com.zone') = 600 ]"
check "re-apply: the node's seed kept" grep -qx "edited seed" "$R/etc/keep/seed.conf"

# a missing one is laid down again, and only it
rm "$Z/2.0.192.in-addr.arpa.zone"
apply --dry-run --diff
check "dry-run: a missing kept file would be new (exit 1)" \
	bash -c "[ $rc -eq 1 ] && grep -q 'would change: /srv/zones/2.0.192.in-addr.arpa.zone (new)' '$T/err'"
check "--diff: it shows the whole new file" grep -q "^+zone 2.0.192.in-addr.arpa id none" "$T/out"
apply
check "apply: the missing file is back" grep -q "^zone 2.0.192.in-addr.arpa" "$Z/2.0.192.in-addr.arpa.zone"
check "apply: 1 changed" grep -q "1 changed, 3 unchanged" "$T/err"
check "apply: the other zone is still the node's" grep -qx 'written by the node' "$Z/corp.example.com.zone"

# a section added to the role gets its file; a kept path taken by a folder is refused
cat >>"$T/keep.role" <<'EOF2'
[zone "lab.example.com"]
EOF2
apply
check "a new section gets its file" grep -q "^zone lab.example.com" "$Z/lab.example.com.zone"
mkdir "$R/etc/keep/seed.conf.d" && rm "$R/etc/keep/seed.conf" && mkdir "$R/etc/keep/seed.conf"
h=$(tree_hash "$R")
expect_fail 8 "etc/keep/seed.conf: exists and is not a regular file" "a kept path that is a folder" \
	apply --root "$R" --pubkey "$PUB" "$T/keep.role"
unchanged "$R" "$h" "kept path taken by a folder"
rmdir "$R/etc/keep/seed.conf" "$R/etc/keep/seed.conf.d"

# a foreach path that lands on another entry's path
sed -i 's|^\[file /etc/keep/always.conf\]|[file /srv/zones/corp.example.com.zone]|' "$T/b/manifest.ini"
pack_sign "$T/b" "$T/keep2.tar.gz"
sed 's/keep.tar.gz/keep2.tar.gz/' "$T/keep.role" >"$T/keep2.role"
h=$(tree_hash "$R")
expect_fail 7 "both lay down /srv/zones/corp.example.com.zone" "two entries on one path" \
	apply --root "$R" --pubkey "$PUB" "$T/keep2.role"
unchanged "$R" "$h" "two entries on one path"

# a section name that is no hostname never reaches a path
sed -i 's/^key-type = hostname/key-type = string/' "$T/b/manifest.ini"
sed -i 's|^\[file /srv/zones/corp.example.com.zone\]|[file /etc/keep/always.conf]|' "$T/b/manifest.ini"
pack_sign "$T/b" "$T/keep3.tar.gz"
printf '[role]\nname = keep\nbundle = keep3.tar.gz\n[zone ".."]\n' >"$T/keep3.role"
h=$(tree_hash "$R")
expect_fail 7 "section name '..' cannot be part of a path" "a section named '..'" \
	apply --root "$R" --pubkey "$PUB" "$T/keep3.role"
unchanged "$R" "$h" "a section named '..'"
done_testing
