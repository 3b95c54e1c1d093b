#!/usr/bin/env bash
# make bench, part 8: `roleboot route53d` under load.  TSIG-signed DNS UPDATEs
# from 1, 8 and 64 concurrent clients (tests/bench/dnsupdate_load.py) go to
# route53d, which turns each into Route 53 calls against the fake endpoint
# tests/fake_route53.py; the baseline, in the same run, is the same UPDATE
# stream against BIND's named serving the zone as a dynamic zone (allow-update
# with the same key).  Then `roleboot sync --once` of a zone that route53d
# filled to 10,000 records (UPDATEs of 50 names), against `aws route53
# list-resource-record-sets | jq` of it, and the peak RSS of route53d's
# processes and of both sync sides.  Everything on 127.0.0.1.
set -u
: "${ROLEBOOT:?set ROLEBOOT to the roleboot binary}"
here=$(cd "$(dirname "$0")/.." && pwd)
TESTS_DIR=$here
. "$here/lib.sh"
. "$here/https.sh"
. "$here/route53.sh"
. "$here/named.sh"
. "$here/bench/timing.sh"
PY=/usr/bin/python3
AWS=/usr/bin/aws
# UPDATEs per client for 1, 8 and 64 clients: each run starts from an empty
# zone and sends about as many UPDATEs (400, 400, 448), because the fake's cost
# of a change batch grows with the size of the zone
U1=${BENCH_U1:-400}
U8=${BENCH_U8:-50}
U64=${BENCH_U64:-7}
# route53d's processes for the client runs, and the ones tried at 8 clients
PROCS=${BENCH_PROCS:-4}
SWEEP=${BENCH_SWEEP:-1 4 8}
# the zone for the sync: this many records (rounded up to 50), added by
# UPDATEs of 50 new names each, after the client runs
FILL=${BENCH_FILL:-10000}

"$PY" -c 'import dns.update, botocore.auth' 2>/dev/null ||
	{ echo "bench: needs python3-dnspython and python3-botocore" >&2; exit 1; }
have_named && command -v tsig-keygen >/dev/null && [ -x /usr/bin/time ] && [ -x "$AWS" ] &&
	command -v jq >/dev/null || { echo "bench: needs bind9, bind9-utils, time, awscli, jq" >&2; exit 1; }

Z=bench.example.com
KEY=$(tsig-keygen -a hmac-sha256 k256 | sed -n 's/.*secret "\(.*\)";.*/\1/p')
LOAD=("$PY" "$here/bench/dnsupdate_load.py" --zone "$Z" --key "k256:$KEY")
cat >"$T/data.json" <<EOF2
{"zones": [{"id": "ZBENCH", "name": "$Z.", "records": [
 {"Name": "$Z.", "Type": "SOA", "TTL": 900,
  "ResourceRecords": ["ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"]},
 {"Name": "$Z.", "Type": "NS", "TTL": 172800, "ResourceRecords": ["ns-1.awsdns-1.com."]}
]}]}
EOF2
cp "$T/data.json" "$T/empty.json"
start_fake_route53 "$T/data.json" || exit 1
# reset_zone: the fake's zone back to its SOA and NS (the fake reads the file
# again), so that every route53d run starts from the same zone size
reset_zone() { cp "$T/empty.json" "$T/data.json.new" && mv "$T/data.json.new" "$T/data.json"; }
# conns: TCP connects made so far in this network namespace (Tcp ActiveOpens
# of /proc/net/snmp); of the bench's processes only route53d opens any during
# a run (other jobs on the machine count too)
conns() {
	awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "ActiveOpens") c = i; h = 1 } else print $c }' /proc/net/snmp
}
export AWS_ACCESS_KEY_ID=$R53_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$R53_SECRET_KEY AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_MAX_ATTEMPTS=1

# ---- the baseline: named with a dynamic zone -----------------------------
mkdir -p "$T/named"
printf '$TTL 300\n@ IN SOA ns1.%s. hostmaster.%s. 1 7200 900 1209600 86400\n@ IN NS ns1.%s.\nns1 IN A 127.0.0.1\n' \
	"$Z" "$Z" "$Z" >"$T/named/$Z.zone"
start_named "$T/named" "key \"k256\" { algorithm hmac-sha256; secret \"$KEY\"; };
zone \"$Z\" { type primary; file \"$T/named/$Z.zone\"; allow-update { key k256; }; };" || exit 1

# ---- route53d --------------------------------------------------------------
# r53d_start PROCESSES: route53d in the foreground with that many workers;
# sets R53D_PID and R53D_PORT
r53d_start() {
	local i
	{
		printf '[server]\nprocesses = %s\nlisten_ip = 127.0.0.1\nlisten_port = 0\n' "$1"
		printf 'username = nobody\nendpoint = %s\n' "$R53_URL"
		printf '[hostedzone]\n%s = ZBENCH\n[tsig]\n127.0.0.1 = k256 %s\n' "$Z" "$KEY"
	} >"$T/r53d.ini"
	chmod 600 "$T/r53d.ini"
	: >"$T/r53d.log"
	"$ROLEBOOT" route53d --config "$T/r53d.ini" --foreground 2>"$T/r53d.log" &
	R53D_PID=$!
	cleanup_add "stop_pid $R53D_PID"
	R53D_PORT=
	for i in $(seq 100); do
		R53D_PORT=$(sed -n 's/.*listening on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$T/r53d.log")
		[ -n "$R53D_PORT" ] && return 0
		sleep 0.05
	done
	cat "$T/r53d.log" >&2
	return 1
}
# r53d_stop: the peak RSS (VmHWM) of the parent and of each worker, read
# before they go; sets R53D_HWM ("parent+w1+w2... kB") and R53D_HWM_SUM (kB)
r53d_stop() {
	local p hwm all=() sum=0
	for p in $R53D_PID $(pgrep -P "$R53D_PID"); do
		hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
		[ -n "$hwm" ] || continue
		all+=("$hwm")
		sum=$((sum + hwm))
	done
	R53D_HWM=$(IFS=+; echo "${all[*]}")
	R53D_HWM_SUM=$sum
	stop_pid "$R53D_PID"
}

# load PORT CLIENTS UPDATES PREFIX: one run of the driver; prints
# "UPDATES/s p50-ms p99-ms" and fails the bench on any error
load() {
	local port=$1 c=$2 u=$3 pre=$4
	shift 4
	"${LOAD[@]}" --port "$port" --clients "$c" --updates "$u" --prefix "$pre" --out "$T/lat" "$@" ||
		{ echo "bench: the load driver failed" >&2; exit 1; }
	{ grep '^wall' "$T/lat"; grep -v '^wall' "$T/lat" | sort -n; } |
		awk 'NR == 1 { wall = $2; err = $4; next } { v[n++] = $1 }
	END {
		if (err > 0 || n == 0) { print "bench: " err " UPDATEs failed" > "/dev/stderr"; exit 1 }
		printf "%.1f %.2f %.2f\n", n / wall, v[int((n - 1) * 0.50)] / 1000, v[int((n - 1) * 0.99)] / 1000
	}' || exit 1
}
posts() { r53_count '^POST '; }
gets() { r53_count '^GET '; }
# cpu PID...: the CPU time (ms) the processes used so far
cpu() {
	local p t=0 a
	for p in "$@"; do
		a=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null) || continue
		t=$((t + a))
	done
	echo $((t * 1000 / TCK))
}
TCK=$(getconf CLK_TCK)
r53d_pids() { echo "$R53D_PID" $(pgrep -P "$R53D_PID"); }
ratio() { echo "scale=4; $1 / $2" | bc; }

# rb_run CLIENTS UPDATES PREFIX [PER]: one driver run against route53d, with the
# fake's and route53d's CPU time; sets OUT ("rate p50 p99"), API ("G GET + P
# POST over C TCP connections"), FAKE ("CPU ms per request, busy %") and R53D_CPU (ms per UPDATE)
rb_run() {
	local g0 p0 f0 r0 t0 t1 wall c0
	c0=$(conns) g0=$(gets) p0=$(posts) f0=$(cpu "$R53_PID") r0=$(cpu $(r53d_pids))
	t0=$EPOCHREALTIME
	OUT=$(load "$R53D_PORT" "$1" "$2" "$3" ${4:+--per "$4"}) || exit 1
	t1=$EPOCHREALTIME
	wall=$(((${t1/./} - ${t0/./}) / 1000))
	g0=$(($(gets) - g0)) p0=$(($(posts) - p0))
	API="$g0 GET + $p0 POST, $(($(conns) - c0)) TCP connects seen"
	f0=$(($(cpu "$R53_PID") - f0)) r0=$(($(cpu $(r53d_pids)) - r0))
	FAKE=$(printf '%.2f ms CPU a request, busy %d%% of a core, its CPU alone caps this run at %d UPDATEs/s' \
		"$(echo "scale=3; $f0 / ($g0 + $p0)" | bc)" $((f0 * 100 / wall)) $(($1 * $2 * 1000 / (f0 > 0 ? f0 : 1))))
	R53D_CPU=$(printf %.2f "$(echo "scale=3; $r0 / ($1 * $2)" | bc)")
}
mib() { echo "scale=1; $1 / 1024" | bc; }
# hwm_line: route53d's peak RSS as "parent X MiB, workers Y MiB max, Z MiB in all"
hwm_line() {
	local parent=${R53D_HWM%%+*} w max=0
	for w in $(echo "${R53D_HWM#*+}" | tr + ' '); do [ "$w" -gt "$max" ] && max=$w; done
	printf 'parent %s MiB, each worker <= %s MiB, %s MiB in all' "$(mib "$parent")" "$(mib "$max")" "$(mib "$R53D_HWM_SUM")"
}

# warm-up (the driver's imports, named's first journal write, the fake's caches)
load "$NAMED_PORT" 1 5 warm >/dev/null || exit 1
total=0

# ---- 1. route53d's processes, at 8 clients -----------------------------
S8=${BENCH_SWEEP_U:-50}
for p in $SWEEP; do
	r53d_start "$p" || exit 1
	load "$R53D_PORT" 1 3 "warm$p" >/dev/null || exit 1
	reset_zone
	rb_run 8 "$S8" "p$p"
	r53d_stop
	read -r rps p50 p99 <<<"$OUT"
	printf 'processes = %d, 8 clients x %d: %6.1f UPDATEs/s  p50 %6.2f ms  p99 %7.2f ms; peak RSS %s\n' \
		"$p" "$S8" "$rps" "$p50" "$p99" "$(hwm_line)"
	printf '    fake: %s; route53d %s ms CPU an UPDATE\n' "$FAKE" "$R53D_CPU"
	SWEEP_SUM+="${SWEEP_SUM:+, }$p: $(printf %.1f "$rps")/s p50 $(printf %.0f "$p50") ms $(mib "$R53D_HWM_SUM") MiB"
done

# ---- 2. 1, 8 and 64 clients against route53d and named ---------------------
r53d_start "$PROCS" || exit 1
load "$R53D_PORT" 1 3 warm >/dev/null || exit 1
declare -A SUM
for c in 1 8 64; do
	u=$(eval echo "\$U$c")
	nb=$(load "$NAMED_PORT" "$c" "$u" "n$c") || exit 1
	reset_zone
	rb_run "$c" "$u" "r$c"
	read -r rps p50 p99 <<<"$OUT"
	read -r nrps n50 n99 <<<"$nb"
	printf 'UPDATE %2d client(s) x %3d: route53d %6.1f/s p50 %7.2f ms p99 %7.2f ms | named %6.1f/s p50 %5.2f ms p99 %6.2f ms | ratio %.3f (rate, route53d/named)\n' \
		"$c" "$u" "$rps" "$p50" "$p99" "$nrps" "$n50" "$n99" "$(ratio "$rps" "$nrps")"
	printf '    route53d: %s; fake: %s; route53d %s ms CPU an UPDATE\n' "$API" "$FAKE" "$R53D_CPU"
	FAKE_SUM+="${FAKE_SUM:+, }$c: ${FAKE%%,*}, caps at ${FAKE##*caps this run at }"
	SUM[$c]=$(printf '%2d clients: %6.1f vs %6.1f UPDATEs/s (ratio %.3f), p50 %.2f vs %.2f ms, p99 %.2f vs %.2f ms' \
		"$c" "$rps" "$nrps" "$(ratio "$rps" "$nrps")" "$p50" "$n50" "$p99" "$n99")
done

# ---- 3. a zone of FILL records, 50 names an UPDATE ------------------------
reset_zone
fill=$(((FILL + 49) / 50))
total=0
f0=$EPOCHREALTIME
rb_run 1 "$fill" fill 50
f1=$EPOCHREALTIME
read -r frps f50 f99 <<<"$OUT"
total=$((total + fill * 50))
printf 'fill: %d UPDATEs of 50 new names (%d records) from 1 client: %.1f s, p50 %.0f ms p99 %.0f ms an UPDATE\n' \
	"$fill" $((fill * 50)) "$(echo "scale=3; (${f1/./} - ${f0/./}) / 1000000" | bc)" "$f50" "$f99"
printf '    route53d: %s; fake: %s\n' "$API" "$FAKE"
rb_run 1 20 big
read -r brps b50 b99 <<<"$OUT"
total=$((total + 20))
printf 'UPDATE  1 client x 20 on the full zone: route53d %.1f/s p50 %.2f ms p99 %.2f ms\n' "$brps" "$b50" "$b99"
printf '    fake: %s (its per-batch cost grows with the zone)\n' "$FAKE"
r53d_stop
MAIN_HWM=$(hwm_line)
echo "route53d peak RSS (processes = $PROCS, every run above): $MAIN_HWM"

# ---- 4. sync of that zone ----------------------------------------------------
mkdir -p "$T/z"
printf '[sync]\ndirectory = %s\nendpoint = %s\ncheckzone = true\nstatus = %s/status\n[zone "%s"]\nid = ZBENCH\n' \
	"$T/z" "$R53_URL" "$T" "$Z" >"$T/sync.ini"
rb() { rm -f "$T/z/$Z.zone"; "$ROLEBOOT" sync -q --once --config "$T/sync.ini"; }
base() {
	"$AWS" route53 list-resource-record-sets --hosted-zone-id ZBENCH --endpoint-url "$R53_URL" \
		--output json |
		jq -r '.ResourceRecordSets[] | .Name as $n | .Type as $t | .TTL as $ttl |
			.ResourceRecords[]? | "\($n)\t\($ttl)\tIN\t\($t)\t\(.Value)"' >"$T/base.zone"
}
rb; base
got=$(grep -c '	IN	' "$T/z/$Z.zone"); want=$(wc -l <"$T/base.zone")
[ "$got" -eq "$want" ] && [ "$got" -eq $((total + 2)) ] ||
	{ echo "bench: roleboot wrote $got records, the baseline $want, UPDATEs added $total" >&2; exit 1; }
runs=${BENCH_RUNS:-3}
: >"$T/rb.ms"; : >"$T/base.ms"
for _ in $(seq 1 "$runs"); do
	ms rb >>"$T/rb.ms"
	ms base >>"$T/base.ms"
done
r=$(median <"$T/rb.ms"); b=$(median <"$T/base.ms")
rm -f "$T/z/$Z.zone"
rss=$(/usr/bin/time -f %M "$ROLEBOOT" sync -q --once --config "$T/sync.ini" 2>&1 >/dev/null | tail -1)
arss=$(/usr/bin/time -f %M "$AWS" route53 list-resource-record-sets --hosted-zone-id ZBENCH \
	--endpoint-url "$R53_URL" --output json 2>&1 >/dev/null | tail -1)
printf 'sync of that zone (%d records, %d pages): roleboot %.0f ms   aws cli + jq %.0f ms   ratio %.2f (roleboot/baseline, median of %d)\n' \
	"$got" $(((got + 299) / 300)) "$r" "$b" "$(ratio "$r" "$b")" "$runs"
printf 'sync peak RSS: roleboot %s MiB, aws cli %s MiB (GNU time -f %%M)\n' "$(mib "$rss")" "$(mib "$arss")"

echo "---- route53d summary: route53d (processes = $PROCS) + fake Route 53 vs named with a dynamic zone, same UPDATEs, same run ----"
for c in 1 8 64; do echo "${SUM[$c]}"; done
echo "fake Route 53 (one Python process) per client count: $FAKE_SUM"
echo "processes at 8 clients: $SWEEP_SUM"
printf 'sync of %d records: roleboot %.0f ms vs aws cli + jq %.0f ms, ratio %.2f; peak RSS %s vs %s MiB\n' \
	"$got" "$r" "$b" "$(ratio "$r" "$b")" "$(mib "$rss")" "$(mib "$arss")"
echo "route53d peak RSS (VmHWM, processes = $PROCS, all runs): $MAIN_HWM"
