#!/usr/bin/env bash
# Runs every test: the C unit test binaries (UNIT_DIR) and the end-to-end
# scripts tests/tNNNN-*.sh.  Each prints TAP lines; this runner counts them
# and ends with "N passed, N failed".  A script that exits non-zero without
# reporting a failure counts as one failure.  Usage: run.sh [PATTERN]
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${ROLEBOOT:?set ROLEBOOT to the binary under test}"
: "${UNIT_DIR:?set UNIT_DIR to the folder of unit test binaries}"
export ROLEBOOT TESTS_DIR="$here"
pattern=${1:-}
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
	local name=$1; shift
	local rc p f
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with $rc" >>"$log"
	fi
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $name ($p passed, $f failed)"
		grep -v '^ok ' "$log" | sed 's/^/    /'
	else
		echo "PASS $name ($p)"
	fi
}

for t in "$UNIT_DIR"/t_*; do
	[ -x "$t" ] || continue
	case $(basename "$t") in *"$pattern"*) ;; *) continue ;; esac
	run_one "unit/$(basename "$t")" "$t"
done
for t in "$here"/t[0-9][0-9][0-9][0-9]-*.sh; do
	[ -f "$t" ] || continue
	case $(basename "$t") in *"$pattern"*) ;; *) continue ;; esac
	run_one "$(basename "$t")" bash "$t"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
