#!/usr/bin/env bash
# SIGKILL at any moment of an apply: the next roleboot run recovers.
# v1 of a 201-file bundle (one file a template holding a secret value) is
# applied; then, TRIALS times, the v1 root is restored, an apply of v2
# (every file's content changed) starts and is killed with SIGKILL after a
# random delay in [0, D], D being the time one full v2 apply took here.
# `roleboot status --root` then runs recovery, and afterwards every managed
# file holds exactly its v1 or its v2 content, all of them the same version,
# no temp (.NAME.rb-*), stage-* or journal is left, and an apply of v2
# converges (a second one says "0 changed").  Last, one apply is killed
# while its journal exists and the next apply itself must recover.
#
# Each property gets one ok line over all trials; a failing trial adds a
# not ok line with its details.  The summary is a TAP comment:
#   # crash: N trials, N killed before install, N during, N after, N all-old, N all-new, N failures
#
# The long run (200 trials; each takes about 2 D + 1 s):
#   TRIALS=200 ROLEBOOT=$PWD/build/roleboot UNIT_DIR=$PWD/build/unit tests/run.sh t0501
# or, to see every line: TRIALS=200 ROLEBOOT=$PWD/build/roleboot bash tests/t0501-crash.sh
# SEED=N repeats the delays of an earlier run (its seed is printed).
# Under make valgrind-check (TIME_SLACK set) TRIALS defaults to 5.
. "$(dirname "$0")/lib.sh"

# under valgrind (TIME_SLACK set) every run is slow: 5 trials unless told
if [ "${TIME_SLACK:-0}" = 0 ]; then TRIALS=${TRIALS:-30}; else TRIALS=${TRIALS:-5}; fi
case $TRIALS in '' | *[!0-9]* | 0) not_ok "TRIALS must be a whole number above 0"; done_testing; exit 1 ;; esac
SEED=${SEED:-$$}
RANDOM=$SEED
SECRET=Y3Jhc2gtdGVzdC1zZWNyZXQtdG9rZW4=

# v1 and v2: 200 plain files and the secret template
for v in 1 2; do
	many_src "$T/v$v" crash "$v" 200 /etc/crash "crash v$v"
	cat >>"$T/v$v/manifest.ini" <<EOF2

[var token]
type   = string
secret = yes

[file /etc/crash/secret.conf]
template = secret.conf.mustache
mode     = 0640
EOF2
	printf 'token={{token}}\nversion=%s\n' "$v" >"$T/v$v/secret.conf.mustache"
	pack_sign "$T/v$v" "$T/v$v.tar.gz"
	printf '[role]\nname = crash\nbundle = v%s.tar.gz\n[vars]\ntoken = %s\n' "$v" "$SECRET" \
		>"$T/v$v.role"
done
MANAGED=$(cd "$T/v1" && ls f[0-9]* | sed 's|^|etc/crash/|'; echo etc/crash/secret.conf)
NFILES=$(wc -w <<<"$MANAGED")

P=$T/pristine
make_root "$P"
run_rb apply --root "$P" --pubkey "$PUB" "$T/v1.role"
if [ "$rc" -ne 0 ]; then
	not_ok "v1 apply failed (exit $rc)"
	sed 's/^/# /' "$T/err"
	done_testing
	exit 1
fi
ok "v1 applied ($NFILES files)"
(cd "$P" && sha256sum $MANAGED) >"$T/v1.sums"

# D: one full apply of v2 onto a copy of the v1 root
cp -a "$P" "$T/measure"
t0=$(now_s)
run_rb apply --root "$T/measure" --pubkey "$PUB" "$T/v2.role"
t1=$(now_s)
D=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
check "v2 applied onto a copy of v1 in $D s" [ "$rc" -eq 0 ]
(cd "$T/measure" && sha256sum $MANAGED) >"$T/v2.sums"
check "v2 changes every file" [ -z "$(join <(awk '{print $2, $1}' "$T/v1.sums" | sort) \
	<(awk '{print $2, $1}' "$T/v2.sums" | sort) | awk '$2 == $3')" ]
echo "# seed $SEED, D = $D s, $TRIALS trials"

# versions ROOT: "OLD NEW OTHER MISSING", how many managed files hold their
# v1 content, their v2 content, something else, or are missing.
versions() {
	(cd "$1" && sha256sum $MANAGED 2>/dev/null) | awk -v v1="$T/v1.sums" -v v2="$T/v2.sums" -v n="$NFILES" '
		BEGIN {
			while ((getline l < v1) > 0) { split(l, a, "  "); o[a[2]] = a[1] }
			while ((getline l < v2) > 0) { split(l, a, "  "); w[a[2]] = a[1] }
		}
		{ seen++; if ($1 == o[$2]) old++; else if ($1 == w[$2]) nw++; else other++ }
		END { print old + 0, nw + 0, other + 0, n - seen }'
}

# per-property failures: fails_NAME holds "trial K: details" lines
props="content oneversion clean tmpdir recover secret converge"
declare -A what fails
what[content]="every managed file holds its v1 or its v2 content"
what[oneversion]="all managed files are of one version"
what[clean]="no .*.rb-*, stage-* or journal left under the root"
what[tmpdir]="no staged copy left in TMPDIR"
what[recover]="status recovers an interrupted install (exit 0, 'roleboot: recover:' line)"
what[secret]="the secret value is never printed"
what[converge]="apply of v2 then converges: 0 changed, version 2"
for p in $props; do fails[$p]=""; done
fail() { fails[$1]+="trial $k ($info): $2"$'\n'; trial_failed=1; }

n_before=0 n_during=0 n_after=0 n_old=0 n_new=0 n_fail=0
R=$T/root
mkdir -p "$T/tmp"
for ((k = 1; k <= TRIALS; k++)); do
	rm -rf "$R" "$T/tmp"/* "$T/tmp"/.[!.]* 2>/dev/null
	cp -a "$P" "$R"
	delay=$(awk -v d="$D" -v r="$RANDOM" 'BEGIN { printf "%.3f", d * r / 32767 }')
	TMPDIR=$T/tmp "$ROLEBOOT" apply -q --root "$R" --pubkey "$PUB" "$T/v2.role" \
		>"$T/kill.out" 2>"$T/kill.err" &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null
	st=$?
	# where was it when it died?
	read -r old new other missing <<<"$(versions "$R")"
	journal=no
	[ -e "$R/var/lib/roleboot/journal" ] && journal=yes
	temps=$(find "$R" -name '.*.rb-*' | wc -l)
	if [ "$st" -ne 137 ]; then
		phase=after
	elif [ "$journal" = yes ] || [ "$temps" -gt 0 ] || [ "$other" -gt 0 ] || [ "$missing" -gt 0 ] ||
		{ [ "$old" -gt 0 ] && [ "$new" -gt 0 ]; }; then
		phase=during
	elif [ "$new" -eq "$NFILES" ]; then
		phase=after
	else
		phase=before
	fi
	case $phase in before) n_before=$((n_before + 1)) ;; during) n_during=$((n_during + 1)) ;;
	after) n_after=$((n_after + 1)) ;; esac
	info="killed after ${delay}s, exit $st, $phase: $old old, $new new, $other other, $missing missing, journal $journal, $temps temps"
	trial_failed=0

	# recovery
	TMPDIR=$T/tmp run_rb status --root "$R"
	cp "$T/err" "$T/status.err"
	if [ "$rc" -ne 0 ]; then
		fail recover "status exited $rc: $(head -c 300 "$T/err" | tr '\n' '|')"
	elif [ "$journal" = yes ] && ! grep -q '^roleboot: recover:' "$T/err"; then
		fail recover "a journal was left but status printed no 'roleboot: recover:' line"
	fi
	if grep -q "$SECRET" "$T/out" "$T/err" "$T/kill.out" "$T/kill.err"; then
		fail secret "the secret value was printed"
	fi
	read -r old new other missing <<<"$(versions "$R")"
	[ "$other" -eq 0 ] && [ "$missing" -eq 0 ] ||
		fail content "after recovery: $other files with other content, $missing missing"
	if [ "$old" -eq "$NFILES" ]; then
		n_old=$((n_old + 1))
	elif [ "$new" -eq "$NFILES" ]; then
		n_new=$((n_new + 1))
	else
		fail oneversion "after recovery: $old old, $new new"
	fi
	left=$(leftovers "$R")
	[ -z "$left" ] || fail clean "left: $(sed "s|^$R||" <<<"$left" | head -5 | tr '\n' ' ')"
	staged=$(find "$T/tmp" -mindepth 1 -maxdepth 1 -name '*stage*' | wc -l)
	[ "$staged" -eq 0 ] || fail tmpdir "$staged staging folders left in TMPDIR"
	[ "$(stat -c %a "$R/etc/crash/secret.conf" 2>/dev/null)" = 640 ] ||
		fail secret "secret.conf mode $(stat -c %a "$R/etc/crash/secret.conf" 2>&1)"

	# convergence
	TMPDIR=$T/tmp run_rb apply --root "$R" --pubkey "$PUB" "$T/v2.role"
	if [ "$rc" -ne 0 ]; then
		fail converge "apply of v2 exited $rc: $(grep -m1 error "$T/err")"
	else
		TMPDIR=$T/tmp run_rb apply --root "$R" --pubkey "$PUB" "$T/v2.role"
		read -r old new other missing <<<"$(versions "$R")"
		if [ "$rc" -ne 0 ] || ! grep -q ' 0 changed' "$T/err"; then
			fail converge "second apply: exit $rc, $(grep -m1 -E 'changed|error' "$T/err")"
		elif [ "$new" -ne "$NFILES" ]; then
			fail converge "after converging: $new of $NFILES files are v2"
		else
			run_rb status --root "$R" --json
			grep -q '"version":2' "$T/out" || fail converge "status does not say version 2"
		fi
	fi
	[ -z "$(leftovers "$R")" ] || fail clean "leftovers after converging"
	[ "$trial_failed" -eq 0 ] || n_fail=$((n_fail + 1))
done

for p in $props; do
	if [ -z "${fails[$p]}" ]; then
		ok "${what[$p]} ($TRIALS trials)"
	else
		while IFS= read -r line; do
			[ -n "$line" ] && not_ok "${what[$p]}: $line"
		done <<<"${fails[$p]}"
	fi
done
# apply recovers too: killed while the journal exists, then apply of v2
rm -rf "$R"
cp -a "$P" "$R"
TMPDIR=$T/tmp "$ROLEBOOT" apply -q --root "$R" --pubkey "$PUB" "$T/v2.role" >/dev/null 2>&1 &
pid=$!
end=$(awk -v t="$(now_s)" -v s="${TIME_SLACK:-0}" 'BEGIN { printf "%.3f", t + 30 + s }')
while ! [ -e "$R/var/lib/roleboot/journal" ] && kill -0 "$pid" 2>/dev/null &&
	less_than "$(now_s)" "$end"; do
	sleep 0.005
done
kill -KILL "$pid" 2>/dev/null
{ wait "$pid"; } 2>/dev/null
if [ -e "$R/var/lib/roleboot/journal" ]; then
	run_rb apply --root "$R" --pubkey "$PUB" "$T/v2.role"
	check "apply after a kill with the journal left: recovers first" grep -q '^roleboot: recover:' "$T/err"
	check "... and succeeds" [ "$rc" -eq 0 ]
	read -r old new other missing <<<"$(versions "$R")"
	check "... all files v2 ($old old, $new new, $other other, $missing missing)" [ "$new" -eq "$NFILES" ]
	check "... nothing left behind" [ -z "$(leftovers "$R")" ]
	run_rb apply --root "$R" --pubkey "$PUB" "$T/v2.role"
	check "... and the next apply says 0 changed" grep -q ' 0 changed' "$T/err"
else
	not_ok "no journal seen during an apply of v2 (ROOT/var/lib/roleboot/journal)"
fi

echo "# crash: $TRIALS trials, $n_before killed before install, $n_during during, $n_after after, $n_old all-old, $n_new all-new, $n_fail failures"
done_testing
