# timing.sh — what every benchmark script measures with (source it).
#   ms COMMAND ARGS...   runs COMMAND once, prints its wall time in ms
#   median [N...]        the median of the numbers given, or of stdin's lines

ms() {
	local t0=$EPOCHREALTIME t1
	"$@"
	t1=$EPOCHREALTIME
	echo "scale=3; (${t1/./} - ${t0/./}) / 1000" | bc
}

median() {
	if [ $# -gt 0 ]; then printf '%s\n' "$@"; else cat; fi | sort -n |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# timed LIST COMMAND ARGS...: runs COMMAND once, appends its wall time (µs) to
# the array LIST; a failure stops the benchmark with the command's output
# (kept in $BENCH_TMP/run.log).
timed() {
	local -n samples=$1
	local t0 t1
	shift
	t0=$EPOCHREALTIME
	if ! "$@" >"${BENCH_TMP:?}/run.log" 2>&1; then
		cat "$BENCH_TMP/run.log" >&2
		echo "bench: failed: $*" >&2
		exit 1
	fi
	t1=$EPOCHREALTIME
	samples+=($((${t1/./} - ${t0/./})))
}
