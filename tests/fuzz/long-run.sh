#!/bin/sh
# long-run.sh — the long fuzz run (see README.md): each named target for
# FUZZ_LONG_SECONDS (default 1800) of wall time, FUZZ_LONG_JOBS (default 2)
# at a time, at nice 19, from the binaries `make fuzz` builds.  Each target
# keeps its corpus in build-fuzz/long/corpus-TARGET (seeds are read, never
# written), its artifacts in build-fuzz/long/TARGET/ and its log in
# build-fuzz/long/TARGET.log; a summary line per target ends the run.
# Usage: tests/fuzz/long-run.sh TARGET...   (TARGET: bundle, manifest, ...)
set -u
seconds=${FUZZ_LONG_SECONDS:-1800}
jobs=${FUZZ_LONG_JOBS:-2}
cd "$(dirname "$0")/../.." || exit 1
[ $# -gt 0 ] || { echo "usage: $0 TARGET..." >&2; exit 2; }
for t in "$@"; do
	[ -x "build-fuzz/fuzz_$t" ] || { echo "no build-fuzz/fuzz_$t (make fuzz)" >&2; exit 2; }
done

one() {
	mkdir -p "build-fuzz/long/corpus-$1" "build-fuzz/long/$1"
	echo "fuzz_$1: start $(date -u +%FT%TZ)"
	ASAN_OPTIONS=fast_unwind_on_malloc=0 LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp \
		nice -n 19 "build-fuzz/fuzz_$1" -max_total_time="$seconds" -print_final_stats=1 \
		-timeout=30 -artifact_prefix="build-fuzz/long/$1/" \
		"build-fuzz/long/corpus-$1" "tests/fuzz/seeds/fuzz_$1" >"build-fuzz/long/$1.log" 2>&1
	echo "fuzz_$1: exit $? $(date -u +%FT%TZ)"
}

summary() {
	log=build-fuzz/long/$1.log
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	printf '%s: execs %s, exec/s %s, cov %s, ft %s, corpus %s (%s files), artifacts: %s\n' "$1" \
		"$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")" \
		"$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")" \
		"$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')" \
		"$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')" \
		"$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')" \
		"$(ls "build-fuzz/long/corpus-$1" | wc -l)" \
		"$(ls "build-fuzz/long/$1" | tr '\n' ' ')"
}

n=0
for t in "$@"; do
	one "$t" &
	n=$((n + 1))
	if [ "$n" -ge "$jobs" ]; then
		wait
		n=0
	fi
done
wait
for t in "$@"; do
	summary "$t"
done
