#!/usr/bin/env bash
# The fleet tool end to end: fleet/fabfile.py driven by the stock fab client
# against 24 real ssh hosts (tests/sshhosts.sh), the signed demo bundle
# served over HTTP from the bridge.  Hosts 23 and 24 are down (sshd killed),
# host 22 answers ssh only after 20 s (past the connect timeout), host 2's
# named-checkconf refuses everything once version 1 is out, host 9's
# named.conf gets edited by hand.  Every run's verdicts come from its JSON
# report, its closing line and exit code are checked, and each host's files
# are read back from its own upper folder.
# shellcheck disable=SC2046,SC2016 # $(range ...), $(without ...): lists of hosts
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"
. "$TESTS_DIR/sshhosts.sh"

FLEET_DIR=${FLEET_DIR:-$(cd "$TESTS_DIR/.." && pwd)/fleet}
[ -f "$FLEET_DIR/fabfile.py" ] || skip_rest "no fleet/fabfile.py"
command -v minisign >/dev/null || skip_rest "no minisign"
command -v jq >/dev/null || skip_rest "no jq"
command -v named-checkconf >/dev/null || skip_rest "no named-checkconf (bind9-utils): the demo bundle's validator"

N=24
CT=3     # fab -t: connect timeout (s)
CMDT=60  # fab -T: command timeout (s)
SLOW_MS=20000
BROKEN=2 DRIFT=9 SLOW=22 DOWN=(23 24)
GOOD=() # every host that answers
for ((i = 1; i <= 21; i++)); do GOOD+=("$i"); done
SECRET=c2VjcmV0LXRlc3Qta2V5 # demo_role's transfer_secret

t_start=$EPOCHREALTIME
secs() { echo "scale=2; (${EPOCHREALTIME/./} - ${1/./}) / 1000000" | bc; }

if ! sshhosts_start "$N"; then
	not_ok "$N ssh hosts start"
	done_testing
	exit 1
fi
for i in "${DOWN[@]}"; do sshhost_down "$i"; done
sshhost_slow "$SLOW" "$SLOW_MS" || { not_ok "the slow host starts"; done_testing; exit 1; }
addr() { sshhost_addr "$1"; }
ALL=$(for ((i = 1; i <= N; i++)); do addr "$i"; done | paste -sd,)

# ---- bundles v1 and v2, the role file, an HTTP server on the bridge ------
S=$T/srv
mkdir -p "$S"
demo_src "$T/v1"
demo_src "$T/v2"
sed -i 's/^version = 1$/version = 2/' "$T/v2/manifest.ini"
if ! pack_sign "$T/v1" "$S/demo-1.tar.gz" || ! pack_sign "$T/v2" "$S/demo-2.tar.gz"; then
	not_ok "demo bundles v1 and v2 packed and signed"
	done_testing
	exit 1
fi
demo_role "$S/demo.role" demo-1.tar.gz # relative: next to the role file
"$SSHHOSTS_PYTHON" -u -m http.server --bind "$SSHHOSTS_GW" --directory "$S" 0 >"$T/http.log" 2>&1 &
HTTP_PID=$!
cleanup_add "stop_pid $HTTP_PID"
for _ in $(seq 50); do
	PORT=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$T/http.log")
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || { not_ok "HTTP server on $SSHHOSTS_GW"; cat "$T/http.log"; done_testing; exit 1; }
ROLE_URL=http://$SSHHOSTS_GW:$PORT/demo.role

# ---- helpers ----------------------------------------------------------------

# fleet NAME FAB_ARGS...: fab -i KEY -t CT -T CMDT FAB_ARGS... --json
# $T/NAME.json, run from fleet/; stdout $T/NAME.out, stderr $T/NAME.err,
# exit status $rc, wall time $wall (s).
fleet() {
	local name=$1 t0=$EPOCHREALTIME
	shift
	(cd "$FLEET_DIR" && "$FAB" -i "$FAB_KEY" -t "$CT" -T "$CMDT" "$@" --json "$T/$name.json") \
		>"$T/$name.out" 2>"$T/$name.err" </dev/null
	rc=$?
	wall=$(secs "$t0")
	echo "# $name: fab $* -> exit $rc in $wall s"
}

# want VERDICT I...: host I's expected verdict in the next verdicts_are.
declare -A want
want() {
	local v=$1 i
	shift
	for i in "$@"; do want[$(addr "$i")]=$v; done
}

# verdicts_are NAME WHAT: the JSON report of run NAME lists exactly the
# hosts of want, each with its verdict; want is emptied.
verdicts_are() {
	local name=$1 what=$2 got bad=() h v n=0
	declare -A seen=()
	got=$(jq -r '.hosts[] | "\(.host) \(.verdict)"' "$T/$name.json" 2>/dev/null)
	while read -r h v; do
		[ -n "$h" ] || continue
		n=$((n + 1))
		seen[$h]=1
		[ "${want[$h]:-}" = "$v" ] || bad+=("$h: $v, wanted ${want[$h]:-no entry}")
	done <<<"$got"
	for h in "${!want[@]}"; do
		[ -n "${seen[$h]:-}" ] || bad+=("$h: missing, wanted ${want[$h]}")
	done
	if [ ${#bad[@]} -eq 0 ] && [ "$n" -eq ${#want[@]} ]; then
		ok "$what: the $n verdicts in the JSON report"
	else
		not_ok "$what: verdicts (${#bad[@]} wrong of $n, ${#want[@]} wanted)"
		printf '# %s\n' "${bad[@]}"
		[ -s "$T/$name.json" ] || { echo "# no JSON report; stderr:"; sed 's/^/#   /' "$T/$name.err" | head -20; }
	fi
	want=()
}

# closing NAME LINE...: every LINE is a line of run NAME's stdout.
closing() {
	local name=$1 l miss=()
	shift
	for l in "$@"; do grep -Fxq -- "$l" "$T/$name.out" || miss+=("$l"); done
	if [ ${#miss[@]} -eq 0 ]; then
		ok "$name: prints \"$1\""
	else
		not_ok "$name: no line \"${miss[0]}\"; its last lines:"
		tail -5 "$T/$name.out" | sed 's/^/#   /'
	fi
}

exit_is() { check "$1: exit $2 (got $rc)" [ "$rc" -eq "$2" ]; }

# jfield NAME I FIELD: FIELD of host I in run NAME's JSON report.
jfield() {
	jq -r --arg h "$(addr "$2")" ".hosts[] | select(.host == \$h) | .$3" "$T/$1.json" 2>/dev/null
}

# on_host I: host I's upper folder (only what changed on it), to read;
# changes are made through in_host I, the host's root as it sees it (an
# overlay does not see files put into its upper folder behind its back)
on_host() { sshhost_up "$1"; }
in_host() { sshhost_root "$1"; }

# conf_version I: the bundle version host I's named.conf was rendered from
# ("// demo bundle version N for sshhost-I: ..."), and state_version I: the
# version its state records; "none" when there is none.
conf_version() {
	sed -n "1s|^// demo bundle version \([0-9]*\) for sshhost-$1:.*|\1|p" \
		"$(on_host "$1")/etc/roleboot-demo/named.conf" 2>/dev/null | grep . || echo none
}
state_version() {
	sed -n 's/^version //p' "$(on_host "$1")/var/lib/roleboot/state" 2>/dev/null | grep . || echo none
}

# hosts_at VERSION WHAT I...: named.conf and state of each host I say VERSION.
hosts_at() {
	local v=$1 what=$2 i bad=()
	shift 2
	for i in "$@"; do
		[ "$(conf_version "$i")" = "$v" ] && [ "$(state_version "$i")" = "$v" ] ||
			bad+=("host $i: named.conf $(conf_version "$i"), state $(state_version "$i")")
	done
	if [ ${#bad[@]} -eq 0 ]; then ok "$what: $# hosts at version $v"; else
		not_ok "$what: ${#bad[@]} of $# hosts not at version $v"
		printf '# %s\n' "${bad[@]}"
	fi
}

# files_hash I: one digest of host I's demo files and state.
files_hash() {
	(cd "$(on_host "$1")" && cat etc/roleboot-demo/named.conf etc/roleboot-demo/transfer.key \
		etc/systemd/system/roleboot-demo.service var/lib/roleboot/state 2>/dev/null) | sha256sum | cut -d' ' -f1
}

range() { seq "$1" "$2"; }
without() { # without X I...: the I that are not X
	local x=$1 i
	shift
	for i in "$@"; do [ "$i" = "$x" ] || echo "$i"; done
}

# ---- 1. version 1 everywhere ---------------------------------------------------
fleet r1-apply -H "$ALL" apply --role "$ROLE_URL"
exit_is "apply v1 with 3 hosts unreachable" 2
want applied "${GOOD[@]}"
want unreachable "$SLOW" "${DOWN[@]}"
verdicts_are r1-apply "apply v1"
closing r1-apply "fleet: 0 in sync, 21 applied, 0 failed, 3 unreachable, 0 skipped of 24"
hosts_at 1 "apply v1" "${GOOD[@]}"
touched=$(for i in "$SLOW" "${DOWN[@]}"; do ls -d "$(on_host "$i")"/etc/roleboot-demo "$(on_host "$i")"/var/lib/roleboot 2>/dev/null; done)
check "apply v1: nothing reached the unreachable hosts${touched:+ ($touched)}" [ -z "$touched" ]
check "apply v1: the JSON gives host 1 version 1" [ "$(jfield r1-apply 1 version)" = 1 ]
changed=$(jfield r1-apply 1 'changed[]' | LC_ALL=C sort | paste -sd' ')
check "apply v1: the JSON lists host 1's three new files ($changed)" [ "$changed" = \
	"/etc/roleboot-demo/named.conf /etc/roleboot-demo/transfer.key /etc/systemd/system/roleboot-demo.service" ]
err=$(jfield r1-apply 23 error)
check "apply v1: a down host has an error in the JSON (${err:0:80})" [ "${err:-null}" != null ]
check "apply v1: the slow host did not hold the run up ($wall s, -t $CT)" less_than "$wall" $((CT + 12))

# ---- 2. check, no role given: every host against the role it recorded ---------
fleet r2-check -H "$ALL" check
exit_is "check, 3 unreachable" 2
want in-sync "${GOOD[@]}"
want unreachable "$SLOW" "${DOWN[@]}"
verdicts_are r2-check "check after v1"
closing r2-check "fleet: 21 in sync, 0 drifted, 0 failed, 3 unreachable of 24"

# the reachable hosts in a hosts file, with comments and blank lines
{
	echo "# the hosts that answer"
	echo
	for i in "${GOOD[@]}"; do
		if [ $((i % 5)) -eq 0 ]; then echo "$(addr "$i")   # rack $((i / 5))"; else addr "$i"; fi
	done
	echo "   # the end"
} >"$T/good.hosts"
fleet r2-file check --hosts-file "$T/good.hosts"
exit_is "check over a hosts file with comments, all in sync" 0
want in-sync "${GOOD[@]}"
verdicts_are r2-file "check over the hosts file"
closing r2-file "fleet: 21 in sync, 0 drifted, 0 failed, 0 unreachable of 21"

# ---- 3. a hand edit: drifted, then corrected by apply ------------------------
good_conf=$(sha256sum <"$(on_host "$DRIFT")/etc/roleboot-demo/named.conf")
echo "// edited by hand" >>"$(in_host "$DRIFT")/etc/roleboot-demo/named.conf"
edited=$(sha256sum <"$(on_host "$DRIFT")/etc/roleboot-demo/named.conf")
fleet r3-check -H "$ALL" check
exit_is "check with one drifted host and 3 unreachable" 2
want in-sync $(without "$DRIFT" "${GOOD[@]}")
want drifted "$DRIFT"
want unreachable "$SLOW" "${DOWN[@]}"
verdicts_are r3-check "check after the hand edit"
closing r3-check "fleet: 20 in sync, 1 drifted, 0 failed, 3 unreachable of 24"
check "check after the hand edit: the drifted host is named as drifted in its output" \
	grep -Eq "$(addr "$DRIFT")\b.*drifted" "$T/r3-check.out"
fleet r3-file check --hosts-file "$T/good.hosts"
exit_is "check, drifted only" 1
check "check changed nothing on the drifted host" \
	[ "$(sha256sum <"$(on_host "$DRIFT")/etc/roleboot-demo/named.conf")" = "$edited" ]

fleet r3-apply apply --hosts-file "$T/good.hosts"
exit_is "apply corrects the drift" 0
want in-sync $(without "$DRIFT" "${GOOD[@]}")
want applied "$DRIFT"
verdicts_are r3-apply "apply after the hand edit"
closing r3-apply "fleet: 20 in sync, 1 applied, 0 failed, 0 unreachable, 0 skipped of 21"
check "apply after the hand edit: named.conf is back as rendered" \
	[ "$(sha256sum <"$(on_host "$DRIFT")/etc/roleboot-demo/named.conf")" = "$good_conf" ]
changed=$(jfield r3-apply "$DRIFT" 'changed[]' | paste -sd' ')
check "apply after the hand edit: the JSON lists named.conf alone as changed ($changed)" \
	[ "$changed" = /etc/roleboot-demo/named.conf ]
fleet r3-again check --hosts-file "$T/good.hosts"
exit_is "check after the correction" 0
closing r3-again "fleet: 21 in sync, 0 drifted, 0 failed, 0 unreachable of 21"

# ---- 4. version 2 out, host 2's validator broken -------------------------------
checkconf=$(sshhost_ssh "$BROKEN" 'command -v named-checkconf')
rm -f "$(in_host "$BROKEN")$checkconf"
printf '#!/bin/sh\necho "named-checkconf: refused by the test" >&2\nexit 1\n' \
	>"$(in_host "$BROKEN")$checkconf"
chmod 0755 "$(in_host "$BROKEN")$checkconf"
refused=$(sshhost_ssh "$BROKEN" "named-checkconf /etc/roleboot-demo/named.conf" 2>&1; echo "exit $?")
check "host $BROKEN's named-checkconf ($checkconf) now refuses ($(echo $refused))" \
	[ "${refused##*exit }" = 1 ]
broken_v1=$(files_hash "$BROKEN")
demo_role "$S/demo.role" demo-2.tar.gz

# canary: hosts in order 1..24, the broken host is the second of 3 canaries
fleet r4-canary -H "$ALL" apply --role "$ROLE_URL" --version 2 --canary 3
exit_is "canary of v2 with a failing canary" 3
want applied 1 3
want failed "$BROKEN"
want skipped $(range 4 "$N")
verdicts_are r4-canary "canary of v2"
closing r4-canary "fleet: 0 in sync, 2 applied, 1 failed, 0 unreachable, 21 skipped of 24"
check "canary of v2: the rollout stopped line names the broken host" \
	grep -Eq "^rollout stopped: .*$(addr "$BROKEN")\b" "$T/r4-canary.out"
check "canary of v2: stopped is \"canary\" in the JSON" [ "$(jq -r .stopped "$T/r4-canary.json")" = canary ]
hosts_at 2 "canary of v2: the canaries that passed" 1 3
hosts_at 1 "canary of v2: every host after the canaries" $(range 4 21)
check "canary of v2: the broken host's files are v1 byte for byte" [ "$(files_hash "$BROKEN")" = "$broken_v1" ]
check "canary of v2: the broken host is listed as failed" grep -Eq "$(addr "$BROKEN")\b.*failed" "$T/r4-canary.out"

# --max-failures 1, one host at a time, the broken host third: no host
# starts once it has failed
order=$(for i in 4 5 "$BROKEN" 6 $(range 7 21) 1 3 "$SLOW" "${DOWN[@]}"; do addr "$i"; done | paste -sd,)
fleet r5-maxfail -H "$order" apply --role "$ROLE_URL" --version 2 --max-failures 1 --parallel 1
exit_is "v2 with --max-failures 1" 3
want applied 4 5
want failed "$BROKEN"
want skipped $(range 6 21) 1 3 "$SLOW" "${DOWN[@]}"
verdicts_are r5-maxfail "v2 with --max-failures 1"
closing r5-maxfail "fleet: 0 in sync, 2 applied, 1 failed, 0 unreachable, 21 skipped of 24"
check "--max-failures 1: stopped is \"max-failures\" in the JSON" [ "$(jq -r .stopped "$T/r5-maxfail.json")" = max-failures ]
check "--max-failures 1: a rollout stopped line" grep -q '^rollout stopped: ' "$T/r5-maxfail.out"
hosts_at 2 "--max-failures 1: the hosts that ran" 1 3 4 5
hosts_at 1 "--max-failures 1: the skipped hosts" $(range 6 21)
check "--max-failures 1: the broken host's files are v1 byte for byte" [ "$(files_hash "$BROKEN")" = "$broken_v1" ]

# every host at v2 before the full rollout
at_v2=()
for i in $(without "$BROKEN" "${GOOD[@]}"); do [ "$(state_version "$i")" = 2 ] && at_v2+=("$i"); done

# ---- 5. the full rollout of v2 ---------------------------------------------------
fleet r6-apply -H "$ALL" apply --role "$ROLE_URL" --version 2
exit_is "full v2 rollout, one failing host and 3 unreachable" 2
want applied $(without "$BROKEN" "${GOOD[@]}")
want in-sync "${at_v2[@]}"
want failed "$BROKEN"
want unreachable "$SLOW" "${DOWN[@]}"
verdicts_are r6-apply "full v2 rollout"
n_sync=${#at_v2[@]}
closing r6-apply "fleet: $n_sync in sync, $((20 - n_sync)) applied, 1 failed, 3 unreachable, 0 skipped of 24"
hosts_at 2 "full v2 rollout" $(without "$BROKEN" "${GOOD[@]}")
check "full v2 rollout: the broken host's files are v1 byte for byte" [ "$(files_hash "$BROKEN")" = "$broken_v1" ]
check "full v2 rollout: the broken host is listed as failed" grep -Eq "$(addr "$BROKEN")\b.*failed" "$T/r6-apply.out"
check "full v2 rollout: the broken host's exit is 7 (validation)" [ "$(jfield r6-apply "$BROKEN" exit)" = 7 ]
check "full v2 rollout: stopped is null" [ "$(jq -r .stopped "$T/r6-apply.json")" = null ]

# --version 3 while the role file gives version 2: every host refuses it
hashes() { local i; for i in "${GOOD[@]}"; do files_hash "$i"; done | sha256sum; }
before=$(hashes)
fleet r6-v3 apply --hosts-file "$T/good.hosts" --role "$ROLE_URL" --version 3
exit_is "apply --version 3 of a version 2 bundle" 2
want failed "${GOOD[@]}"
verdicts_are r6-v3 "apply --version 3"
closing r6-v3 "fleet: 0 in sync, 0 applied, 21 failed, 0 unreachable, 0 skipped of 21"
check "apply --version 3: roleboot's exit is 3 on host 1 (got $(jfield r6-v3 1 exit))" [ "$(jfield r6-v3 1 exit)" = 3 ]
check "apply --version 3: no host changed" [ "$(hashes)" = "$before" ]

# ---- 6. status, run ------------------------------------------------------------
fleet r7-status -H "$ALL" status
exit_is "status with 3 unreachable" 2
want applied "${GOOD[@]}"
want unreachable "$SLOW" "${DOWN[@]}"
verdicts_are r7-status "status"
closing r7-status "fleet: 21 applied, 0 none, 0 failed, 3 unreachable of 24" "versions: demo 2: 20, demo 1: 1"
tally=$(jq -r '[.hosts[] | select(.verdict == "applied") | .version | tostring] | group_by(.) | map("\(.[0]):\(length)") | join(" ")' "$T/r7-status.json" 2>/dev/null)
check "status: versions 1:1 2:20 ($tally)" [ "$tally" = "1:1 2:20" ]
check "status: the broken host reports version 1" [ "$(jfield r7-status "$BROKEN" version)" = 1 ]

fleet r8-run -H "$ALL" run 'date -u +%Y'
exit_is "run date, 3 unreachable" 2
want ok "${GOOD[@]}"
want unreachable "$SLOW" "${DOWN[@]}"
verdicts_are r8-run "run date"
closing r8-run "fleet: 21 ok, 0 failed, 3 unreachable of 24"
year=$(date -u +%Y)
check "run date: the year is printed for each host ($(grep -c "$year" "$T/r8-run.out"))" \
	[ "$(grep -c "$year" "$T/r8-run.out")" -ge 21 ]

fleet r9-run run --hosts-file "$T/good.hosts" 'test "$(hostname)" != sshhost-5'
exit_is "run, failing on one host" 2
want ok $(without 5 "${GOOD[@]}")
want failed 5
verdicts_are r9-run "run, failing on host 5"
closing r9-run "fleet: 20 ok, 1 failed, 0 unreachable of 21"
check "run: the failing host's exit is 1" [ "$(jfield r9-run 5 exit)" = 1 ]

# ---- 7. the slow host alone: -t bounds the wait ------------------------------------
fleet r10-slow -H "$(addr "$SLOW")" check
exit_is "check of the slow host" 2
want unreachable "$SLOW"
verdicts_are r10-slow "check of the slow host"
check "check of the slow host: over in $wall s (-t $CT, the host answers after $((SLOW_MS / 1000)) s)" \
	less_than "$wall" $((CT + 4))

# ---- 8. the secret ------------------------------------------------------------------
leaks=$(grep -l -- "$SECRET" "$T"/r*.out "$T"/r*.err "$T"/r*.json 2>/dev/null)
check "the transfer secret is in no output or JSON report of fab${leaks:+ ($leaks)}" [ -z "$leaks" ]
check "the hosts do hold the secret (transfer.key)" grep -q -- "$SECRET" "$(on_host 1)/etc/roleboot-demo/transfer.key"

echo "# t0110: $(secs "$t_start") s in all"
done_testing
