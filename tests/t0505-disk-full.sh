#!/usr/bin/env bash
# A full disk during an apply: the root is a small tmpfs.  A file that does
# not fit is refused with exit 8 and one line saying "No space left on
# device" and naming it; the root is as before and holds no temp.  Then the
# tmpfs is sized page by page around what an update needs, so that the disk
# fills at every step in turn (temps, stage, journal, state): at each size
# the apply either succeeds or refuses cleanly with the root unchanged, and
# once there is room again the next apply converges.
# Runs in a mount namespace of its own (unshare) when it can.
. "$(dirname "$0")/lib.sh"
private_mounts "$0" "$@"
. "$TESTS_DIR/https.sh"

if ! tmpfs_mount "$T/full" 256k; then
	skip_rest "cannot mount a tmpfs here"
fi

# ---- one file that does not fit ----
for v in 1 2; do
	mkdir -p "$T/b$v"
	printf '[bundle]\nrole = df\nversion = %s\n' "$v" >"$T/b$v/manifest.ini"
	for f in a b; do
		echo "df $f v$v" >"$T/b$v/$f.conf"
		printf '\n[file /etc/df/%s.conf]\nsource = %s.conf\n' "$f" "$f" >>"$T/b$v/manifest.ini"
	done
done
head -c 400000 /dev/urandom | base64 >"$T/b2/big.txt"
printf '\n[file /etc/df/big.txt]\nsource = big.txt\n' >>"$T/b2/manifest.ini"
for v in 1 2; do
	pack_sign "$T/b$v" "$T/b$v.tar.gz"
	printf '[role]\nname = df\nbundle = b%s.tar.gz\n' "$v" >"$T/b$v.role"
done

F=$T/full
make_root "$F"
run_rb apply --root "$F" --pubkey "$PUB" "$T/b1.role"
check "baseline apply onto the small tmpfs" [ "$rc" -eq 0 ]
h=$(tree_hash "$F")
run_rb apply --root "$F" --pubkey "$PUB" "$T/b2.role"
n=$(grep -c 'No space left on device' "$T/err")
line=$(grep -m1 'No space left on device' "$T/err")
if [ "$rc" -eq 8 ] && [ "$n" -eq 1 ] && [[ $line == *etc/df/big.txt* ]]; then
	ok "a file that does not fit: exit 8, one line naming it"
else
	not_ok "a file that does not fit: wanted exit 8 and one 'No space left on device' line naming big.txt, got exit $rc, $n lines"
	sed 's/^/# /' "$T/err"
fi
unchanged "$F" "$h" "full disk"
check "full disk: no temp, stage or journal left" [ -z "$(leftovers "$F")" ]
check "full disk: the old files stay" grep -qx 'df a v1' "$F/etc/df/a.conf"
umount "$F"

# ---- the disk fills at each step of an update in turn ----
# s1 -> s2: eight files of 6 KiB (two pages each), every one changed;
# s1 -> s3: the same eight files and 300 new empty ones, which take no
# page: only roleboot's own files (stage, journal, state) need room then.
for v in 1 2; do
	many_src "$T/s$v" sweep "$v" 8 /etc/sweep "sweep v$v"
	for f in "$T/s$v"/f[0-9]*; do
		head -c 6000 /dev/zero | tr '\0' "$v" >>"$f"
	done
done
cp -r "$T/s1" "$T/s3"
sed -i 's/^version = 1$/version = 3/' "$T/s3/manifest.ini"
: >"$T/s3/empty"
for ((i = 0; i < 300; i++)); do
	printf '\n[file /etc/sweep/empty/e%03d]\nsource = empty\n' "$i" >>"$T/s3/manifest.ini"
done
for v in 1 2 3; do
	pack_sign "$T/s$v" "$T/s$v.tar.gz"
	printf '[role]\nname = sweep\nbundle = s%s.tar.gz\n' "$v" >"$T/s$v.role"
done

S=$T/sweep
mkdir -p "$S"
cleanup_add "umount -l '$S'"
# pages_used DIR: 4 KiB pages in use on the file system of DIR
pages_used() { stat -f -c '%b %f %S' "$1" | awk '{ print int(($1 - $2) * $3 / 4096) }'; }
# is_v2 / is_v3: the update is on the root
is_v2() { [ "$(head -1 "$S/etc/sweep/f000")" = 'sweep v2 f000' ] && [ "$(head -1 "$S/etc/sweep/f007")" = 'sweep v2 f007' ]; }
is_v3() { [ -f "$S/etc/sweep/empty/e000" ] && [ -f "$S/etc/sweep/empty/e299" ]; }

# sweep NAME ROLE IS_NEW: from 0 free pages up, one page more each time,
# until three sizes in a row succeed; the results go to bad[NAME-*]
sweep() {
	local name=$1 role=$2 is_new=$3 k used h left streak=0 n_ok=0 n_refused=0 msg
	bad[$name-clean]="" bad[$name-converge]=""
	for ((k = 0; k <= 120 && streak < 3; k++)); do
		umount "$S" 2>/dev/null
		mount -t tmpfs -o size=4m tmpfs "$S" || { bad[$name-clean]+="+$k pages: cannot mount"$'\n'; break; }
		make_root "$S"
		"$ROLEBOOT" apply -q --root "$S" --pubkey "$PUB" "$T/s1.role" 2>/dev/null ||
			{ bad[$name-clean]+="+$k pages: v1 apply failed"$'\n'; continue; }
		used=$(pages_used "$S")
		h=$(tree_hash "$S")
		mount -o remount,size=$(((used + k) * 4096)) "$S" ||
			{ bad[$name-clean]+="+$k pages: cannot shrink the tmpfs"$'\n'; continue; }
		run_rb apply --root "$S" --pubkey "$PUB" "$role"
		msg=$(grep -m1 'error' "$T/err")
		echo "# $name +$k pages: exit $rc${msg:+: $msg}"
		left=$(leftovers "$S" | sed "s|^$S||" | head -3 | tr '\n' ' ')
		if [ "$rc" -eq 0 ]; then
			n_ok=$((n_ok + 1)) streak=$((streak + 1))
			if ! $is_new; then
				bad[$name-clean]+="+$k pages: exit 0 but the update is not on the root"$'\n'
			elif [ -n "$left" ]; then
				bad[$name-clean]+="+$k pages: exit 0, left: $left"$'\n'
			fi
		elif [ "$rc" -eq 8 ]; then
			n_refused=$((n_refused + 1)) streak=0
			if [ "$(tree_hash "$S")" != "$h" ]; then
				bad[$name-clean]+="+$k pages: refused but the root changed ($msg)"$'\n'
			elif [ -n "$left" ]; then
				bad[$name-clean]+="+$k pages: refused, left: $left"$'\n'
			elif ! grep -q 'No space left on device' "$T/err"; then
				bad[$name-clean]+="+$k pages: refused without 'No space left on device': $msg"$'\n'
			fi
		else
			streak=0
			bad[$name-clean]+="+$k pages: exit $rc: $msg"$'\n'
		fi
		# room again: the next apply converges
		mount -o remount,size=4m "$S"
		run_rb apply --root "$S" --pubkey "$PUB" "$role"
		if [ "$rc" -ne 0 ]; then
			bad[$name-converge]+="+$k pages: apply with room exited $rc: $(grep -m1 error "$T/err")"$'\n'
		else
			run_rb apply --root "$S" --pubkey "$PUB" "$role"
			grep -q ' 0 changed' "$T/err" ||
				bad[$name-converge]+="+$k pages: second apply: $(grep -m1 -E 'changed|error' "$T/err")"$'\n'
			[ -z "$(leftovers "$S")" ] || bad[$name-converge]+="+$k pages: leftovers after converging"$'\n'
		fi
	done
	umount "$S" 2>/dev/null
	echo "# $name: $k sizes, $n_refused refused, $n_ok applied"
	check "$name: the sweep went from refusals to success" [ "$n_refused" -gt 0 -a "$n_ok" -gt 0 ]
	report_sweep "$name" clean "$name: every size: success, or exit 8 with the root unchanged and no leftovers ($k sizes)"
	report_sweep "$name" converge "$name: with room again the next apply converges ($k sizes)"
}

# report_sweep NAME PROPERTY WHAT: one ok line, or a not ok line per size
report_sweep() {
	local l
	if [ -z "${bad[$1-$2]}" ]; then
		ok "$3"
	else
		while IFS= read -r l; do [ -n "$l" ] && not_ok "$3: $l"; done <<<"${bad[$1-$2]}"
	fi
}

# ---- pack onto a full disk: exit 6, one line, the old bundle kept, no temp ----
if tmpfs_mount "$T/packfull" 96k; then
	mkdir -p "$T/packsrc"
	printf '[bundle]\nrole = df\nversion = 1\n' >"$T/packsrc/manifest.ini"
	head -c 300000 /dev/urandom >"$T/packsrc/blob" # random: gzip cannot shrink it
	echo "the bundle packed before" >"$T/packfull/df.tar.gz"
	run_rb pack "$T/packsrc" -o "$T/packfull/df.tar.gz"
	check "pack onto a full disk: exit 6 ($rc)" [ "$rc" -eq 6 ]
	check "pack onto a full disk: one error line naming the cause" \
		bash -c "[ \$(grep -c '^roleboot: error:' '$T/err') -eq 1 ] &&
			grep -q 'No space left on device' '$T/err'"
	check "pack onto a full disk: the bundle there is as it was" \
		grep -qx "the bundle packed before" "$T/packfull/df.tar.gz"
	check "pack onto a full disk: no temp left beside it" [ -z "$(leftovers "$T/packfull")" ]
else
	skip "pack onto a full disk: cannot mount a tmpfs here"
fi

declare -A bad
sweep contents "$T/s2.role" is_v2
sweep metadata "$T/s3.role" is_v3
done_testing
