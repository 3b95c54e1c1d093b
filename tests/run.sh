#!/usr/bin/env bash
# Runs every test: the C unit test binaries (UNIT_DIR) and the end-to-end
# scripts tests/tNNNN-*.sh.  Each prints TAP lines; this runner counts them
# and ends with "N passed, N failed, N skipped".
#
#   ok N - what                    a pass
#   not ok N - what                a failure
#   ok N - what # SKIP reason      a skip, listed as "SKIP name: reason";
#                                  a skip without a reason is a failure
#
# A script that exits non-zero without reporting a failure counts as one
# failure; a run that passed nothing fails too.  WRAP, when set, is a
# command put before each unit binary (a valgrind wrapper, say); the
# scripts find roleboot through ROLEBOOT.  TEST_NAME names the running test.
# Usage: run.sh [PATTERN]
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${ROLEBOOT:?set ROLEBOOT to the binary under test}"
: "${UNIT_DIR:?set UNIT_DIR to the folder of unit test binaries}"
export ROLEBOOT TESTS_DIR="$here"
pattern=${1:-}
wrap=()
[ -n "${WRAP:-}" ] && read -ra wrap <<<"$WRAP"
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# "# SKIP reason" (any case) in an ok line; BASH_REMATCH[1] is the reason.
skip_re='#[[:space:]]*[Ss][Kk][Ii][Pp][^[:space:]]*[[:space:]]*(.*[^[:space:]])?[[:space:]]*$'

run_one() {
	local name=$1; shift
	local rc p=0 f=0 s=0 line reason skips=() noreason=()
	TEST_NAME=$name "$@" >"$log" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"not ok "* | "not ok") f=$((f + 1)) ;;
		"ok "* | "ok")
			if [[ $line =~ $skip_re ]]; then
				reason=${BASH_REMATCH[1]}
				if [ -n "$reason" ]; then
					s=$((s + 1)); skips+=("$reason")
				else
					f=$((f + 1)); noreason+=("$line")
				fi
			else
				p=$((p + 1))
			fi ;;
		esac
	done <"$log"
	for line in ${noreason[@]+"${noreason[@]}"}; do
		echo "not ok - a skip without a reason: $line" >>"$log"
	done
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with $rc" >>"$log"
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $name ($p passed, $f failed, $s skipped)"
		grep -v '^ok ' "$log" | sed 's/^/    /'
	elif [ "$s" -gt 0 ] && [ "$p" -eq 0 ]; then
		echo "SKIP $name ($s skipped)"
	elif [ "$s" -gt 0 ]; then
		echo "PASS $name ($p passed, $s skipped)"
	else
		echo "PASS $name ($p)"
	fi
	for reason in ${skips[@]+"${skips[@]}"}; do
		echo "SKIP $name: $reason"
	done
}

for t in "$UNIT_DIR"/t_*; do
	[ -x "$t" ] || continue
	case $(basename "$t") in *"$pattern"*) ;; *) continue ;; esac
	run_one "unit/$(basename "$t")" ${wrap[@]+"${wrap[@]}"} "$t"
done
for t in "$here"/t[0-9][0-9][0-9][0-9]-*.sh; do
	[ -f "$t" ] || continue
	case $(basename "$t") in *"$pattern"*) ;; *) continue ;; esac
	run_one "$(basename "$t")" bash "$t"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
