#!/usr/bin/env bash
# One run at a time per root: apply, status and sync take a flock on
# ROOT/var/lib/roleboot/lock, waiting up to --lock-wait seconds (0: not at
# all), then exit 10 with a message naming the lock.  Two applies at once
# are serialized: the second sees what the first laid down.  A dry-run on
# a root without ROOT/var/lib/roleboot creates nothing.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"
. "$TESTS_DIR/route53.sh"

# the validator notes when it starts and ends (with roleboot's pid) and
# takes 2 s (plus TIME_SLACK), so that a second run starts while the first
# holds the lock
SLACK=${TIME_SLACK:-0}
cat >"$T/slow.sh" <<EOF2
#!/bin/sh
echo "start \$PPID" >>"$T/validator.log"
: >"$T/validating"
sleep $(awk -v s="$SLACK" 'BEGIN { print 2 + s }')
echo "end \$PPID" >>"$T/validator.log"
EOF2
chmod +x "$T/slow.sh"
for v in 1 2; do
	mkdir -p "$T/b$v"
	printf '[bundle]\nrole = lock\nversion = %s\n' "$v" >"$T/b$v/manifest.ini"
	for f in a b c; do
		echo "lock $f v$v" >"$T/b$v/$f.conf"
		printf '\n[file /etc/lock/%s.conf]\nsource = %s.conf\n' "$f" "$f" >>"$T/b$v/manifest.ini"
		[ "$v" = 2 ] && [ "$f" = a ] && printf 'validate = %s %%s\n' "$T/slow.sh" >>"$T/b$v/manifest.ini"
	done
	pack_sign "$T/b$v" "$T/b$v.tar.gz"
	printf '[role]\nname = lock\nbundle = b%s.tar.gz\n' "$v" >"$T/v$v.role"
done

# v1_root DIR: a root with v1 applied
v1_root() {
	rm -rf "$1"
	make_root "$1"
	"$ROLEBOOT" apply -q --root "$1" --pubkey "$PUB" "$T/v1.role" 2>/dev/null
}

# start_slow NAME ROOT [ARGS...]: an apply of v2 in the background; returns
# once its validator runs (it holds the lock then).  $T/NAME.rc holds its
# exit status and $T/NAME.end the time it ended.
start_slow() {
	local name=$1 root=$2 i
	shift 2
	rm -f "$T/validating" "$T/$name.rc" "$T/$name.end"
	(
		"$ROLEBOOT" apply --root "$root" --pubkey "$PUB" "$@" "$T/v2.role" >"$T/$name.out" 2>"$T/$name.err"
		echo $? >"$T/$name.rc"
		now_s >"$T/$name.end"
	) &
	slow_pid=$!
	for i in $(seq $(awk -v s="$SLACK" 'BEGIN { print int((10 + s) * 20) }')); do
		[ -e "$T/validating" ] && return 0
		[ -e "$T/$name.rc" ] && break
		sleep 0.05
	done
	not_ok "the background apply $name did not reach its validator"
	sed 's/^/# /' "$T/$name.err"
	return 1
}

# timed ARGS...: run_rb, and $elapsed the seconds it took
timed() {
	local t0 t1
	t0=$(now_s)
	run_rb "$@"
	t1=$(now_s)
	elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}

# locked WHAT: the last run exited 10 with one error line naming the lock
locked() {
	local line
	line=$(grep -m1 '^roleboot: error:' "$T/err")
	if [ "$rc" -eq 10 ] && [ "$(error_lines)" -eq 1 ] && [[ $line == *var/lib/roleboot/lock* ]]; then
		ok "$1: exit 10 naming the lock"
	else
		not_ok "$1: wanted exit 10 and one error line naming var/lib/roleboot/lock, got exit $rc"
		head -3 "$T/err" | sed 's/^/# /'
	fi
}

# ---- two applies at once: the second waits for the first ----
R=$T/root
v1_root "$R"
check "lock file kept after an apply" [ -f "$R/var/lib/roleboot/lock" ]
rm -f "$T/validator.log"
if start_slow first "$R"; then
	timed apply --root "$R" --pubkey "$PUB" "$T/v2.role"
	b_end=$(now_s)
	wait "$slow_pid"
	check "first apply succeeds" [ "$(cat "$T/first.rc")" = 0 ]
	check "first apply changed the files" grep -q ' 3 changed' "$T/first.err"
	check "second apply (waited on the lock) succeeds" [ "$rc" -eq 0 ]
	check "second apply ended after the first" less_than "$(cat "$T/first.end")" "$b_end"
	if grep -q ' 0 changed' "$T/err"; then
		ok "second apply saw the first's result: 0 changed"
	else
		not_ok "second apply did not see the first's result: $(grep -E 'changed|error' "$T/err")"
	fi
	check "the files are v2" grep -qx 'lock b v2' "$R/etc/lock/b.conf"
	check "validators of the two runs never overlapped" awk '
		$1 == "start" { if (open != "") bad = 1; open = $2 }
		$1 == "end" { if (open != $2) bad = 1; open = "" }
		END { exit bad }' "$T/validator.log"
	check "no temporary file left" [ -z "$(leftovers "$R")" ]
fi

# ---- --lock-wait 1: the second gives up after about a second ----
v1_root "$R"
if start_slow first "$R"; then
	timed apply --lock-wait 1 --root "$R" --pubkey "$PUB" "$T/v2.role"
	locked "apply --lock-wait 1 while another apply runs"
	check "it waited about 1 s (${elapsed}s)" \
		awk -v e="$elapsed" -v s="$SLACK" 'BEGIN { exit !(e >= 0.8 && e < 1.9 + s) }'
	timed status --lock-wait 0 --root "$R"
	locked "status --lock-wait 0 while an apply runs"
	check "status --lock-wait 0 does not wait (${elapsed}s)" \
		less_than "$elapsed" "$(awk -v s="$SLACK" 'BEGIN { print 0.8 + s }')"
	wait "$slow_pid"
	check "the apply holding the lock succeeds" [ "$(cat "$T/first.rc")" = 0 ]
	run_rb status --lock-wait 0 --root "$R"
	check "status --lock-wait 0 once the lock is free" [ "$rc" -eq 0 ]
	check "... and shows version 2" grep -q '^version: *2' "$T/out"
	run_rb apply --lock-wait 0 --root "$R" --pubkey "$PUB" "$T/v2.role"
	check "apply --lock-wait 0 with the lock free" [ "$rc" -eq 0 ]
fi

# the lock is a plain flock: another holder (flock(1)) keeps roleboot out
v1_root "$R"
flock "$R/var/lib/roleboot/lock" sleep 3 &
holder=$!
cleanup_add "kill $holder"
sleep 0.3
h=$(tree_hash "$R")
timed apply --lock-wait 0 --root "$R" --pubkey "$PUB" "$T/v2.role"
locked "apply --lock-wait 0 while flock(1) holds the lock"
unchanged "$R" "$h" "apply refused on the lock"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
run_rb apply --lock-wait abc --root "$R" --pubkey "$PUB" "$T/v2.role"
check "--lock-wait abc is a usage error (exit 2)" [ "$rc" -eq 2 ]
for cmd in status sync; do
	expect_fail 2 "--lock-wait wants whole seconds \(0-86400\), not '1.5'" \
		"$cmd --lock-wait 1.5: one rule for every command" $cmd --lock-wait 1.5
done

# ---- sync against an apply: serialized on the same lock ----
if ! have_botocore; then
	skip "sync against apply: needs python3-botocore"
elif ! start_fake_route53 "$TESTS_DIR/data/sync/zones.json"; then
	not_ok "fake Route 53 did not start"
	sed 's/^/# /' "$T/r53.err"
else
	mkdir -p "$T/zones"
	printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
		"$R53_ACCESS_KEY" "$R53_SECRET_KEY" >"$T/aws.ini"
	chmod 600 "$T/aws.ini"
	cat >"$T/sync.ini" <<EOF2
[sync]
directory   = $T/zones
endpoint    = $R53_URL
credentials = $T/aws.ini
status      = $T/sync-status
rndc        = true
checkzone   = true
[zone "corp.example.com"]
EOF2
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
	v1_root "$R"
	if start_slow first "$R"; then
		run_rb sync --root "$R" --once --lock-wait 0 --config "$T/sync.ini"
		locked "sync --lock-wait 0 while an apply runs"
		check "that sync wrote no zone file" [ ! -e "$T/zones/corp.example.com.zone" ]
		check "... and asked Route 53 nothing" [ "$(r53_count .)" -eq 0 ]
		wait "$slow_pid"
		check "the apply succeeds" [ "$(cat "$T/first.rc")" = 0 ]
		run_rb sync --root "$R" --once --lock-wait 0 --config "$T/sync.ini"
		check "sync succeeds once the apply is done" [ "$rc" -eq 0 ]
		check "... and writes the zone" [ -s "$T/zones/corp.example.com.zone" ]
	fi
fi

# ---- a dry-run on a fresh root creates nothing, not even the lock ----
F=$T/fresh
mkdir -p "$F/etc"
cp "$R/etc/passwd" "$R/etc/group" "$F/etc/"
h=$(tree_hash "$F")
run_rb apply --dry-run --root "$F" --pubkey "$PUB" "$T/v1.role"
check "dry-run on a fresh root: pending (exit 1)" [ "$rc" -eq 1 ]
unchanged "$F" "$h" "dry-run on a fresh root"
check "dry-run made no var/lib/roleboot" [ ! -e "$F/var" ]
done_testing
