#!/usr/bin/env bash
# Fetching against real servers on 127.0.0.1: the fault-injecting HTTP
# server (retries, Retry-After, resume, caps, redirects, mirrors, report
# POST) and nginx over TLS with a CA made here.  Each case asserts the
# outcome, the requests the server saw, and an unchanged root on failure.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"

export ROLEBOOT_BACKOFF_MS=50
S=$T/srv
mkdir -p "$S/b"
demo_src "$T/src"
pack_sign "$T/src" "$S/b/demo.tar.gz"
start_faultserver "$S" || { not_ok "fault server did not start"; done_testing; exit 1; }
H=http://127.0.0.1:$FAULT_PORT
make_root "$T/root"
h=$(tree_hash "$T/root")

# role NAME BUNDLE-URL [EXTRA-ROLE-LINES]: a demo role file
role() {
	printf '[role]\nname = demo\nbundle = %s\n%b[vars]\ntransfer_secret = c2VjcmV0LWZldGNo\n' \
		"$2" "${3:-}" >"$T/$1.role"
}
fresh() { rm -rf "$T/r"; make_root "$T/r"; }
# the signature from a well-behaved path, so that the bundle meets the fault
OKSIG="signature = $H/ok/b/demo.tar.gz.minisig\n"
bundle_lines() { fault_count "^GET /$1/b/demo.tar.gz "; }
# settle PATTERN: wait (at most 3 s) until the server logged a request it was
# still streaming when the client hung up
settle() {
	local i
	for i in $(seq 30); do
		[ "$(fault_count "$1")" -gt 0 ] && return 0
		sleep 0.1
	done
}

role ok "$H/ok/b/demo.tar.gz"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/ok.role"
check "plain http apply" [ "$rc" -eq 0 ]
check "one request each for bundle and signature" [ "$(fault_count '^GET /ok/b/demo.tar.gz(.minisig)? 200 ')" -eq 2 ]
check "report kept on the root" grep -q '"result":"ok"' "$T/r/var/lib/roleboot/report.json"

role e500 "$H/500-then-200/b/demo.tar.gz"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/e500.role"
check "500 then 200: applied" [ "$rc" -eq 0 ]
check "500 then 200: server saw 500 then 200" [ "$(bundle_lines '500-then-200' | tr -d ' ')" -eq 2 ]
check "500 then 200: retry logged" grep -q "HTTP status 500; retry 1 of 5" "$T/err"
check "500 then 200: report counts the retries" grep -q '"retries":2' "$T/r/var/lib/roleboot/report.json"

role e429 "$H/429/b/demo.tar.gz"; fresh
t0=$(date +%s%N)
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/e429.role"
t1=$(date +%s%N)
check "429 with Retry-After: applied" [ "$rc" -eq 0 ]
check "429: Retry-After (1 s) honoured" [ $(((t1 - t0) / 1000000)) -ge 1000 ]
check "429: retry logged with 1.0 s" grep -q "HTTP status 429; retry 1 of 5 in 1.0 s" "$T/err"

role reset "$H/reset/b/demo.tar.gz"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/reset.role"
check "reset mid-body: applied" [ "$rc" -eq 0 ]
check "reset: resumed with Range, answered 206" [ "$(fault_count '^GET /reset/b/demo.tar.gz 206 range=bytes=[0-9]+-')" -eq 1 ]
check "reset: report counts one resume" grep -q '"resumes":1' "$T/r/var/lib/roleboot/report.json"

role norange "$H/norange/b/demo.tar.gz"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/norange.role"
check "server without Range support: started over, applied" [ "$rc" -eq 0 ]
check "norange: said so" grep -q "the server cannot resume; starting over" "$T/err"

role short "$H/short/b/demo.tar.gz" "$OKSIG"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/short.role"
check "body shorter than Content-Length: exit 4" [ "$rc" -eq 4 ]
check "short: every source failed" grep -q "bundle for role 'demo': every source failed" "$T/err"
check "short: 6 tries in each of 3 rounds" [ "$(bundle_lines short)" -eq 18 ]
unchanged "$T/r" "$(cd "$T" && rm -rf r0 && make_root r0 && tree_hash r0)" "short body"

role stall "$H/stall/b/demo.tar.gz" "$OKSIG"; fresh
t0=$(date +%s)
run_rb apply --root "$T/r" --pubkey "$PUB" --stall-timeout 1 --timeout 6 "$T/stall.role"
t1=$(date +%s)
check "stalled body: exit 4" [ "$rc" -eq 4 ]
check "stalled body: dropped by the stall limit" grep -q "too slow" "$T/err"
check "stalled body: the deadline ends it (took $((t1 - t0)) s)" [ $((t1 - t0)) -le $((9 + TIME_SLACK)) ]

role big "$H/big/b/demo.tar.gz" "$OKSIG"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" --max-size 1000000 "$T/big.role"
check "Content-Length over the cap: exit 4" [ "$rc" -eq 4 ]
settle "^GET /big/"
check "big: refused before the body, not retried, no second round" [ "$(bundle_lines big)" -eq 1 ]
check "big: says the limit" grep -q "larger than the limit of 1000000 bytes" "$T/err"

role chunked "$H/chunked-big/b/demo.tar.gz" "$OKSIG"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" --max-size 100000 "$T/chunked.role"
check "no Content-Length, stream over the cap: exit 4" [ "$rc" -eq 4 ]
check "chunked: cap enforced while streaming" grep -q "larger than the limit of 100000 bytes" "$T/err"

role tofile "$H/redirect-file/b/demo.tar.gz" "$OKSIG"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/tofile.role"
check "redirect to file://: exit 4" [ "$rc" -eq 4 ]
check "redirect to file:// refused, named" grep -q 'Protocol "file" not supported' "$T/err"
check "redirect to file://: not retried, no second round" [ "$(bundle_lines redirect-file)" -eq 1 ]

role loop "$H/loop/b/demo.tar.gz" "$OKSIG"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/loop.role"
check "redirect loop: exit 4" [ "$rc" -eq 4 ]
check "redirect loop: capped" grep -q "Maximum (5) redirects followed" "$T/err"

role redir "$H/redirect-ok/b/demo.tar.gz"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/redir.role"
check "redirect within http: applied" [ "$rc" -eq 0 ]

port=$(free_port)
role mirror "http://127.0.0.1:$port/b/demo.tar.gz" "mirror = $H/ok/b/demo.tar.gz?m=1\n"
sed -i "s|^mirror = .*|mirror = $H/ok/b/demo.tar.gz|" "$T/mirror.role"
fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/mirror.role"
check "first mirror down, second up: applied" [ "$rc" -eq 0 ]
check "first source: connection refused, retried" grep -q "127.0.0.1:$port.*retry 5 of 5" "$T/err"

# the role file itself comes over the same code: retried too
cp "$T/ok.role" "$S/b/remote.role"
fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$H/500-then-200/b/remote.role"
check "role file URL: retried and applied" [ "$rc" -eq 0 ]
check "role file URL: 500 then 200" [ "$(fault_count '^GET /500-then-200/b/remote.role ')" -eq 2 ]

# the report is POSTed, success or failure; a report server down never fails
role rep "$H/ok/b/demo.tar.gz" "report = $H/report/node1\n"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/rep.role"
check "apply with report URL" [ "$rc" -eq 0 ]
check "report POSTed" grep -q '"result":"ok"' "$S/reports/node1-1.json"
check "report names the bundle version and key" grep -q '"version":1,.*"key":"B7A536DEFD94A5F0"' "$S/reports/node1-1.json"
check "no secret in the report" bash -c "! grep -q c2VjcmV0LWZldGNo '$S/reports/node1-1.json'"
role repfail "$H/ok/b/demo.tar.gz" "report = $H/report/node2\n"; fresh
run_rb apply --root "$T/r" --pubkey "$OTHER_PUB" "$T/repfail.role"
check "failed apply: exit 5" [ "$rc" -eq 5 ]
check "failed apply still reported, with step and message" \
	grep -q '"result":"failed","exit":5.*"error":{"step":"verify","message":".*does not match' "$S/reports/node2-1.json"
role repdown "$H/ok/b/demo.tar.gz" "report = $H/report-down/x\n"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/repdown.role"
check "report server down: apply still succeeds" [ "$rc" -eq 0 ]
check "report server down: a warning" grep -q "warning: report: .*the apply result stands" "$T/err"
check "report server down: tried 3 times" [ "$(fault_count '^POST /report-down/x 503')" -eq 3 ]

# verify downloads a URL once and checks it
run_rb verify --pubkey "$PUB" "$H/ok/b/demo.tar.gz"
check "verify URL" [ "$rc" -eq 0 ]

unchanged "$T/root" "$h" "untouched root"
done_testing
