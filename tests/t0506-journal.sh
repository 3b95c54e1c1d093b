#!/usr/bin/env bash
# The journal read back by recovery (roleboot status runs it first), with
# journals written by hand: cut before its plan was whole (removed, nothing
# touched), ready (finished: temps renamed in, backups gone), not ready
# (rolled back from the backups), hostile (a target whose content does not
# have the journaled hash is never removed or replaced), malformed or a
# link (refused with exit 8, the journal kept), and leftovers of runs killed
# outside a transaction (stage-* folders, temps of atomic writes) swept, as
# are temps that an older roleboot left beside managed files and what a
# killed run left in $TMPDIR.
. "$(dirname "$0")/lib.sh"

TX=0123456789abcdef
R=$T/root
J=$R/var/lib/roleboot/journal
sha() { sha256sum "$1" | cut -d' ' -f1; }

fresh() {
	rm -rf "$R"
	make_root "$R"
	mkdir -p "$R/etc/app"
	printf 'old a\n' >"$R/etc/app/a.conf"
	printf 'old b\n' >"$R/etc/app/b.conf"
}

# stage_tx: the state of a transaction killed after its temps and backups
# were written: a.conf replaced, c.conf new, the folder /etc/app/d made.
NEW_A='new a'
NEW_C='new c'
stage_tx() {
	printf '%s\n' "$NEW_A" >"$R/etc/app/.a.conf.rb-$TX"
	ln "$R/etc/app/a.conf" "$R/etc/app/.a.conf.rb-$TX.old"
	printf '%s\n' "$NEW_C" >"$R/etc/app/.c.conf.rb-$TX"
	mkdir "$R/etc/app/d"
	local ha hc
	ha=$(sha "$R/etc/app/.a.conf.rb-$TX")
	hc=$(sha "$R/etc/app/.c.conf.rb-$TX")
	printf 'roleboot-journal 1 %s\nmkdir /etc/app/d\nreplace %s /etc/app/a.conf\nnew %s /etc/app/c.conf\nplanned\n' \
		"$TX" "$ha" "$hc" >"$J"
}
leftovers() { find "$R" -name '.*.rb-*' -o -name 'stage-*' -o -name journal | wc -l; }

# 1. ready: finished
fresh
stage_tx
echo ready >>"$J"
run_rb status --root "$R"
check "ready journal: status exits 0" [ "$rc" -eq 0 ]
check "ready journal: 'recover: finished' said" grep -q "^roleboot: recover: finished interrupted transaction $TX (2 files)" "$T/err"
check "ready journal: the replaced file is new" grep -qx "$NEW_A" "$R/etc/app/a.conf"
check "ready journal: the new file is there" grep -qx "$NEW_C" "$R/etc/app/c.conf"
check "ready journal: the untouched file stays" grep -qx 'old b' "$R/etc/app/b.conf"
check "ready journal: no temp, backup or journal left" [ "$(leftovers)" -eq 0 ]

# 2. planned, not ready: rolled back
fresh
h=$(tree_hash "$R")
stage_tx
run_rb status --root "$R"
check "planned journal: 'recover: rolled back' said" grep -q "^roleboot: recover: rolled back interrupted transaction $TX (2 files)" "$T/err"
check "planned journal: the root is as before the transaction" [ "$(tree_hash "$R")" = "$h" ]

# 2b. not ready, killed after a.conf was renamed: the backup comes back
fresh
h=$(tree_hash "$R")
stage_tx
mv "$R/etc/app/.a.conf.rb-$TX" "$R/etc/app/a.conf"
run_rb status --root "$R"
check "renamed, not ready: the old content is restored from the backup" grep -qx 'old a' "$R/etc/app/a.conf"
check "renamed, not ready: the root is as before" [ "$(tree_hash "$R")" = "$h" ]

# 3. cut before "planned": nothing had changed; the journal goes
fresh
h=$(tree_hash "$R")
printf 'roleboot-journal 1 %s\nnew %s /etc/app/b.conf\nrepl' "$TX" "$(sha "$R/etc/app/b.conf")" >"$J"
run_rb status --root "$R"
check "torn journal: said so" grep -q "^roleboot: recover: transaction $TX was cut before its plan was whole" "$T/err"
check "torn journal: b.conf (with the journaled hash) is left alone" grep -qx 'old b' "$R/etc/app/b.conf"
check "torn journal: the root is as before, journal gone" [ "$(tree_hash "$R")" = "$h" ]

# 4. hostile: a journal naming a file it did not write never removes it
fresh
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/shadow-like"
h=$(tree_hash "$R")
printf 'roleboot-journal 1 %s\nnew %s /etc/shadow-like\nreplace %s /etc/app/a.conf\nplanned\n' \
	"$TX" "$(printf x | sha256sum | cut -d' ' -f1)" "$(printf y | sha256sum | cut -d' ' -f1)" >"$J"
run_rb status --root "$R"
check "hostile journal: rolled back" grep -q "^roleboot: recover: rolled back" "$T/err"
check "hostile journal: a 'new' file of other content is not removed" [ -s "$R/etc/shadow-like" ]
check "hostile journal: the root is as before" [ "$(tree_hash "$R")" = "$h" ]

# 5. malformed: refused, the journal and every file kept
for bad in 'remove /etc/app/a.conf' 'new 1234 /etc/app/a.conf' 'mkdir etc/app' \
	"mkdir /etc/app/$(printf '\001')x" 'attr 9999 0 0 /etc/app'; do
	fresh
	printf 'roleboot-journal 1 %s\n%s\nplanned\n' "$TX" "$bad" >"$J"
	h=$(tree_hash "$R")
	expect_fail 8 "journal:2: not a journal line" "malformed journal line '$bad'" status --root "$R"
	check "malformed journal '$bad': root and journal kept" [ "$(tree_hash "$R")" = "$h" ]
done
fresh
printf 'not a journal\n' >"$J"
expect_fail 8 "journal:1: not a journal line" "a journal with another first line" status --root "$R"

# 6. a journal that is a link is not read
fresh
printf 'roleboot-journal 1 %s\nplanned\n' "$TX" >"$T/outside-journal"
ln -s "$T/outside-journal" "$J"
expect_fail 8 "journal: cannot read the journal: it is a symbolic link" "journal that is a link" \
	status --root "$R"
check "the outside journal is left as it was" [ "$(cat "$T/outside-journal" | wc -l)" -eq 2 ]

# 7. leftovers of runs killed outside a transaction
fresh
mkdir -p "$R/var/lib/roleboot/stage-$TX/etc"
printf 'secret\n' >"$R/var/lib/roleboot/stage-$TX/etc/x"
printf '{}' >"$R/var/lib/roleboot/.report.json.rb-abcdefgh"
run_rb status --root "$R"
check "leftovers: status succeeds" [ "$rc" -eq 0 ]
check "leftovers: stage folder and temp removed" [ "$(leftovers)" -eq 0 ]

# 8. temps that a roleboot without the journal left beside managed files
# (.NAME.rb-XXXXXX, copies of old content) are removed by the next apply;
# other dot files there stay
demo_src "$T/src"
pack_sign "$T/src" "$T/demo.tar.gz"
demo_role "$T/demo.role" demo.tar.gz
make_root "$T/d"
run_rb apply --root "$T/d" --pubkey "$PUB" "$T/demo.role"
check "demo applied" [ "$rc" -eq 0 ]
printf 'old secret\n' >"$T/d/etc/roleboot-demo/.transfer.key.rb-Ab12Cd"
printf 'old\n' >"$T/d/etc/roleboot-demo/.named.conf.rb-x9Y8z7"
printf 'keep\n' >"$T/d/etc/roleboot-demo/.unrelated.rb-Ab12Cd"
printf 'keep\n' >"$T/d/etc/roleboot-demo/.named.conf.rb-toolong1"
run_rb apply --root "$T/d" --pubkey "$PUB" "$T/demo.role"
check "stale temps: apply succeeds" [ "$rc" -eq 0 ]
check "stale temps: each removal said" [ "$(grep -c '^roleboot: removed: /etc/roleboot-demo/\.' "$T/err")" -eq 2 ]
check "stale temps of managed files removed" \
	bash -c "! ls -a '$T/d/etc/roleboot-demo' | grep -Eq '^\.(transfer\.key|named\.conf)\.rb-[A-Za-z0-9]{6}\$'"
check "other dot file kept (not a managed name)" [ -e "$T/d/etc/roleboot-demo/.unrelated.rb-Ab12Cd" ]
check "other dot file kept (not six characters)" [ -e "$T/d/etc/roleboot-demo/.named.conf.rb-toolong1" ]
printf 'old\n' >"$T/d/etc/roleboot-demo/.named.conf.rb-q1w2e3"
run_rb apply --dry-run --root "$T/d" --pubkey "$PUB" "$T/demo.role"
check "stale temps: a dry-run converged (exit 0)" [ "$rc" -eq 0 ]
check "stale temps: a dry-run removes nothing" [ -e "$T/d/etc/roleboot-demo/.named.conf.rb-q1w2e3" ]

# 9. $TMPDIR: downloads and dry-run staging folders that a killed run left
# (nobody holds their lock) are removed by the next apply; one that a live
# run holds stays
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR/roleboot-stage-dead01/etc" "$TMPDIR/roleboot-stage-live01"
printf 'secret\n' >"$TMPDIR/roleboot-stage-dead01/etc/key"
printf 'bundle\n' >"$TMPDIR/roleboot-bundle-dead02"
printf 'mine\n' >"$TMPDIR/other-file"
flock -s "$TMPDIR/roleboot-stage-live01" sleep 30 &
holder=$!
sleep 0.3
run_rb apply --dry-run --root "$T/d" --pubkey "$PUB" "$T/demo.role"
check "tmp sweep: the dry-run still converges" [ "$rc" -eq 0 ]
check "tmp sweep: a dead staging folder (secrets) is removed" [ ! -e "$TMPDIR/roleboot-stage-dead01" ]
check "tmp sweep: a dead download is removed" [ ! -e "$TMPDIR/roleboot-bundle-dead02" ]
check "tmp sweep: a folder a live run holds stays" [ -d "$TMPDIR/roleboot-stage-live01" ]
check "tmp sweep: other files stay" [ -e "$TMPDIR/other-file" ]
check "tmp sweep: the run's own temps are gone after it" \
	[ "$(find "$TMPDIR" -maxdepth 1 -name 'roleboot-*' | wc -l)" -eq 1 ]
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
done_testing
