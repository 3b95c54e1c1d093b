#!/usr/bin/env bash
# make bench, fleet part: `fab check` of fleet/fabfile.py over 20, 50 and
# 100 real ssh hosts (tests/sshhosts.sh, on 10.232.0.0/16 unless
# SSHHOSTS_NET says otherwise), against the seed's way in the same run:
# tests/bench/seedfab/fabfile.py, one plain Fabric task run by the stock fab
# client host after host.  Prints wall times, peak RSS, the ratios to the
# baseline and a projection for 700 hosts at --parallel 50.
set -u
: "${ROLEBOOT:?set ROLEBOOT to the roleboot binary}"
here=$(cd "$(dirname "$0")/.." && pwd)
TESTS_DIR=$here
. "$here/lib.sh"
# a benchmark that cannot run says why, and is not a failure
skip_rest() {
	echo "fleet bench: skipped: $*"
	exit 0
}
. "$here/https.sh"
export SSHHOSTS_NET=${SSHHOSTS_NET:-10.232}
. "$here/sshhosts.sh"
. "$(dirname "${BASH_SOURCE[0]}")/timing.sh"

FLEET_DIR=${FLEET_DIR:-$here/../fleet}
SEED_DIR=$here/bench/seedfab
SIZES=${BENCH_SIZES:-20 50 100}
runs=${BENCH_RUNS:-3}
# -t only: with Fabric 2.6, -T leaves invoke's timer running after the
# command, so that fab exits only when it fires (both sides alike)
CT=10
[ -f "$FLEET_DIR/fabfile.py" ] || skip_rest "no fleet/fabfile.py"
[ -x /usr/bin/time ] || skip_rest "no /usr/bin/time (Debian package time)"
command -v minisign >/dev/null || skip_rest "no minisign"
command -v named-checkconf >/dev/null || skip_rest "no named-checkconf (bind9-utils)"
max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done

t0=$EPOCHREALTIME
sshhosts_start "$max" >"$T/start.log" || { cat "$T/start.log"; echo "fleet bench: the hosts did not start" >&2; exit 1; }
start_ms=$(echo "scale=0; (${EPOCHREALTIME/./} - ${t0/./}) / 1000" | bc)

# the demo bundle, served from the bridge; applied once everywhere (untimed)
S=$T/srv
mkdir -p "$S"
demo_src "$T/src"
pack_sign "$T/src" "$S/demo.tar.gz" || { echo "fleet bench: pack_sign failed" >&2; exit 1; }
demo_role "$S/demo.role" demo.tar.gz
"$SSHHOSTS_PYTHON" -u -m http.server --bind "$SSHHOSTS_GW" --directory "$S" 0 >"$T/http.log" 2>&1 &
cleanup_add "stop_pid $!"
PORT=
for _ in $(seq 50); do
	PORT=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$T/http.log")
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || { cat "$T/http.log"; echo "fleet bench: no HTTP server" >&2; exit 1; }
ROLE_URL=http://$SSHHOSTS_GW:$PORT/demo.role
hosts() { for ((i = 1; i <= $1; i++)); do sshhost_addr "$i"; done | paste -sd,; }

fab_in() { # fab_in DIR ARGS...: the stock fab client, run from DIR
	local d=$1
	shift
	(cd "$d" && "$FAB" -i "$FAB_KEY" -t "$CT" "$@")
}
if ! fab_in "$FLEET_DIR" -H "$(hosts "$max")" apply --role "$ROLE_URL" --parallel 50 --json "$T/apply.json" >"$T/apply.out" 2>&1 ||
	! grep -q "^fleet: 0 in sync, $max applied, 0 failed, 0 unreachable, 0 skipped of $max\$" "$T/apply.out"; then
	grep -Ev '^[^ ]+ +applied ' "$T/apply.out" | tail -20
	echo "fleet bench: the first apply did not reach every host" >&2
	exit 1
fi

# measure NAME DIR ARGS...: runs fab ARGS from DIR under GNU time
# BENCH_RUNS times; appends "wall_ms rss_kib cpu_s" per run to $T/NAME (cpu:
# the fab client's user + system time); the last run's output is
# $T/NAME.out.  A failed run stops the benchmark.
measure() {
	local name=$1 d=$2 r t1 t2
	shift 2
	for ((r = 0; r < runs; r++)); do
		t1=$EPOCHREALTIME
		if ! (cd "$d" && /usr/bin/time -o "$T/time.txt" -f '%M %U %S' \
			"$FAB" -i "$FAB_KEY" -t "$CT" "$@") >"$T/$name.out" 2>&1; then
			tail -20 "$T/$name.out"
			echo "fleet bench: failed: $name" >&2
			exit 1
		fi
		t2=$EPOCHREALTIME
		read -r rss u sy < <(tail -1 "$T/time.txt")
		echo "$(((${t2/./} - ${t1/./}) / 1000)) $rss $(echo "$u + $sy" | bc)" >>"$T/$name"
		[ -n "${BENCH_VERBOSE:-}" ] && echo "sample $name: $(tail -1 "$T/$name") (wall ms, peak RSS KiB, CPU s)"
	done
}
med_ms() { cut -d' ' -f1 "$T/$1" | median; }
med_rss() { cut -d' ' -f2 "$T/$1" | median; }
med_cpu() { printf '%.2f' "$(cut -d' ' -f3 "$T/$1" | median)"; }

# fab start-up: the client and the fleet fabfile loaded, no host contacted
fab_list() { fab_in "$FLEET_DIR" --list >/dev/null 2>&1; }
for ((r = 0; r < 3; r++)); do ms fab_list >>"$T/startup.ms"; done
startup=$(median <"$T/startup.ms")

# one untimed warm-up of each side
fab_in "$SEED_DIR" -H "$(hosts 20)" check --role "$ROLE_URL" >/dev/null 2>&1
fab_in "$FLEET_DIR" -H "$(hosts 20)" check --role "$ROLE_URL" --json "$T/check.json" >/dev/null 2>&1
for n in $SIZES; do
	H=$(hosts "$n")
	measure "seed-$n" "$SEED_DIR" -H "$H" check --role "$ROLE_URL"
	measure "p20-$n" "$FLEET_DIR" -H "$H" check --role "$ROLE_URL" --parallel 20 --json "$T/check.json"
	grep -q "^fleet: $n in sync, 0 drifted, 0 failed, 0 unreachable of $n\$" "$T/p20-$n.out" ||
		{ grep -Ev '^[^ ]+ +in-sync ' "$T/p20-$n.out" | tail; echo "fleet bench: check --parallel 20 over $n hosts: not all in sync" >&2; exit 1; }
	if [ "$n" -eq "$max" ]; then
		measure "p50-$n" "$FLEET_DIR" -H "$H" check --role "$ROLE_URL" --parallel 50 --json "$T/check.json"
		grep -q "^fleet: $n in sync, 0 drifted, 0 failed, 0 unreachable of $n\$" "$T/p50-$n.out" ||
			{ grep -Ev '^[^ ]+ +in-sync ' "$T/p50-$n.out" | tail; echo "fleet bench: check --parallel 50 over $n hosts: not all in sync" >&2; exit 1; }
	fi
done

mib() { echo "scale=1; $1 / 1024" | bc; }
ratio() { echo "scale=3; $1 / $2" | bc | sed 's/^\./0./'; }
printf 'fleet: %d ssh hosts (network namespaces, sshd, overlay roots) up in %d ms; fab start-up %.0f ms; %d run(s) each, median\n' \
	"$max" "$start_ms" "$startup" "$runs"
line() { # line N LABEL NAME SEED
	printf 'check %3d hosts: fleet %-14s %6d ms   seed (fab -H, serial) %6d ms   ratio %s   peak RSS %s vs %s MiB   client CPU %s vs %s s\n' \
		"$1" "$2" "$(med_ms "$3")" "$(med_ms "$4")" "$(ratio "$(med_ms "$3")" "$(med_ms "$4")")" \
		"$(mib "$(med_rss "$3")")" "$(mib "$(med_rss "$4")")" "$(med_cpu "$3")" "$(med_cpu "$4")"
}
for n in $SIZES; do
	line "$n" "--parallel 20" "p20-$n" "seed-$n"
	[ "$n" -eq "$max" ] && line "$n" "--parallel 50" "p50-$n" "seed-$n"
done
# the curve: wall time less start-up, per host, at each size
per() { echo "scale=1; ($(med_ms "$1") - $startup) / $2" | bc | sed 's/^\./0./'; }
curve="per host (wall - start-up) / hosts: --parallel 20"
for n in $SIZES; do curve+=" $(per "p20-$n" "$n") ms ($n)"; done
curve+="; --parallel 50 $(per "p50-$max" "$max") ms ($max); seed"
for n in $SIZES; do curve+=" $(per "seed-$n" "$n") ms ($n)"; done
echo "$curve"
# 700 hosts at --parallel 50: the time one wave of 50 hosts took in the
# largest run (wall minus start-up, over ceil(n/50) waves), times 14 waves
# (ceil(700/50)), plus start-up; the seed: its per-host time at that size,
# times 700, plus start-up.
p5=$(med_ms "p50-$max") s=$(med_ms "seed-$max")
waves=$(((max + 49) / 50))
wave=$(echo "scale=3; ($p5 - $startup) / $waves" | bc)
proj=$(echo "scale=3; ($startup + $wave * 14) / 1000" | bc)
sproj=$(echo "scale=3; ($startup + ($s - $startup) / $max * 700) / 1000" | bc)
printf '700 hosts, projected: fleet --parallel 50 %.0f s (%.0f ms start-up + 14 waves of %.0f ms, a wave measured at %d hosts); seed %.0f s (%.0f ms a host); ratio %s\n' \
	"$proj" "$startup" "$wave" "$max" "$sproj" "$(echo "scale=3; ($s - $startup) / $max" | bc)" "$(ratio "$proj" "$sproj")"
echo "sanity: every fleet check reported all $(echo "$SIZES" | tr ' ' /) hosts in sync; seed runs exited 0"
