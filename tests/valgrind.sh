#!/bin/sh
# valgrind.sh PROGRAM [ARGS...]: runs PROGRAM under valgrind's memcheck, for
# make valgrind-check (which sets it before every unit binary as WRAP and,
# through a two-line wrapper in BUILD/valgrind/roleboot, as ROLEBOOT).
#
# A memory error or a definite or indirect leak makes the run exit 99, and
# its report goes to VG_LOG_DIR/ID.log (nothing is added to stderr, which
# the tests read), with the test and command line in VG_LOG_DIR/ID.cmd.  The process
# stays the same (exec), so signals sent to it reach PROGRAM.  Children that
# PROGRAM starts (systemctl, named-checkconf, rndc...) run natively.
#
# valgrind.sh --summary DIR: lists every run in DIR/runs.txt, drops the
# reports of clean runs, prints the others with their command lines, and
# fails when there are any.
set -u
VALGRIND=${VALGRIND:-$(command -v valgrind || echo /usr/bin/valgrind)}

if [ "${1:-}" = --summary ]; then
	dir=$2 runs=0 bad=0
	for cmd in "$dir"/*.cmd; do
		[ -e "$cmd" ] || continue
		runs=$((runs + 1))
		cat "$cmd" >>"$dir/runs.txt"
	done
	for log in "$dir"/*.log; do
		[ -e "$log" ] || continue
		# "==PID==" lines are errors and leaks; "--PID--" ones valgrind's
		# own notes (such as openat2, which 3.19 does not know: ENOSYS)
		if ! grep -q '^==[0-9]*==' "$log"; then
			rm -f "$log" "${log%.log}.cmd"
			continue
		fi
		bad=$((bad + 1))
		echo "==== $log"
		cat "${log%.log}.cmd" 2>/dev/null
		cat "$log"
	done
	find "$dir" -name '*.cmd' -exec sh -c 'for c; do [ -e "${c%.cmd}.log" ] || rm -f "$c"; done' sh {} +
	echo "valgrind: $runs runs, $bad with errors or leaks (runs and reports in $dir)"
	[ "$bad" -eq 0 ]
	exit
fi

: "${VG_LOG_DIR:?set VG_LOG_DIR to the folder for valgrind's reports}"
id=$$-$(date +%s%N)
{
	echo "test: ${TEST_NAME:-?}  cwd: $(pwd)"
	printf 'command:'
	printf ' %s' "$@"
	echo
} >"$VG_LOG_DIR/$id.cmd"
exec "$VALGRIND" -q --vgdb=no --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --trace-children=no \
	--child-silent-after-fork=yes --num-callers=30 --log-file="$VG_LOG_DIR/$id.log" "$@"
