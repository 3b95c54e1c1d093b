#!/usr/bin/env bash
# Self-test of the network test servers, with the curl CLI only: every
# behaviour of tests/faultserver.py, its request log and report sink, 250
# connections at once, a clean SIGTERM; nginx over https with the test CA
# from https.sh (skipped when nginx is not installed).  127.0.0.1 only.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"

W=$T/www
mkdir -p "$W/b"
head -c 100000 /dev/urandom >"$W/b/demo.tar.gz"
printf 'role file\n' >"$W/b/small.txt"
SIZE=100000 HALF=50000

if ! start_faultserver "$W" --seed 7 --fail-rate 0.5 --stall-seconds 5 --stream-seconds 20; then
	not_ok "faultserver starts"
	done_testing
	exit 1
fi
check "faultserver writes its port ($FAULT_PORT)" [ "$FAULT_PORT" -gt 0 ]
U=http://127.0.0.1:$FAULT_PORT

# get PATH [CURL ARGS...]: GET into $T/body, headers in $T/hdr; sets
# $got ("CODE SIZE") and $crc (curl's exit status).
get() {
	local p=$1
	shift
	rm -f "$T/body" "$T/hdr"
	got=$(curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code} %{size_download}' "$@" "$U/$p")
	crc=$?
}
# is WHAT WANT: $got must be WANT
is() {
	if [ "$got" = "$2" ]; then ok "$1 ($got)"; else not_ok "$1: wanted '$2', got '$got' (curl $crc)"; fi
}
# header NAME: the value of response header NAME in $T/hdr
header() { sed -n "s/^$1: *//Ip" "$T/hdr" | tr -d '\r' | tail -n 1; }
# logged PATTERN N WHAT: fault.log has N lines matching PATTERN
logged() {
	local c
	c=$(fault_count "$1")
	if [ "$c" -eq "$2" ]; then ok "$3"; else not_ok "$3: $c lines match /$1/, wanted $2"; fi
}
# wait_logged PATTERN: up to 5 s for a log line matching PATTERN
wait_logged() {
	local i
	for i in $(seq 50); do
		[ "$(fault_count "$1")" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- /ok ----
get ok/b/demo.tar.gz
is "/ok: whole file" "200 $SIZE"
check "/ok: same bytes" cmp -s "$T/body" "$W/b/demo.tar.gz"
check "/ok: Content-Length" [ "$(header Content-Length)" = "$SIZE" ]
get ok/b/demo.tar.gz -H 'Range: bytes=1000-'
is "/ok: Range bytes=1000- gives 206" "206 $((SIZE - 1000))"
check "/ok: Content-Range" [ "$(header Content-Range)" = "bytes 1000-$((SIZE - 1))/$SIZE" ]
check "/ok: the tail's bytes" cmp -s "$T/body" <(tail -c +1001 "$W/b/demo.tar.gz")
get ok/b/demo.tar.gz -H "Range: bytes=$SIZE-"
is "/ok: Range past the end gives 416" "416 0"
get ok/b/missing
is "/ok: missing file" "404 10"
get ok/../../etc/passwd --path-as-is
check "/ok: no way out of the root ($got)" [ "${got%% *}" = 404 ]
logged "^GET /ok/b/demo.tar.gz 200 range=- bytes=$SIZE\$" 1 "log: a plain 200 line"
logged "^GET /ok/b/demo.tar.gz 206 range=bytes=1000- bytes=$((SIZE - 1000))\$" 1 "log: the Range header and bytes sent"

# ---- retried statuses ----
get 500-then-200/b/small.txt
is "/500-then-200: first 500" "500 17"
get 500-then-200/b/small.txt
is "/500-then-200: then 200" "200 10"
get 429/b/small.txt
is "/429: first 429" "429 10"
check "/429: Retry-After: 1" [ "$(header Retry-After)" = 1 ]
get 429/b/small.txt
is "/429: then 200" "200 10"
for i in 1 2; do
	get 503/b/small.txt
	is "/503: request $i is 503" "503 12"
	check "/503: request $i has Retry-After: 1" [ "$(header Retry-After)" = 1 ]
done
get 503/b/small.txt
is "/503: third request 200" "200 10"
get "503/b/small.txt?fresh=1"
is "/503: counters are per full path, query included" "503 12"
logged '^GET /503/b/small.txt 503 ' 2 "log: two 503 lines"
for i in 1 2 3; do get down/b/small.txt; done
is "/down: 503 every time" "503 5"
check "/down: Retry-After: 1" [ "$(header Retry-After)" = 1 ]

# ---- broken transfers ----
get reset/b/demo.tar.gz
check "/reset: first transfer aborted (curl $crc)" [ "$crc" -eq 56 ] || [ "$crc" -eq 18 ]
is "/reset: 200 and half the body" "200 $HALF"
check "/reset: Content-Length was the full size" [ "$(header Content-Length)" = "$SIZE" ]
cp "$T/body" "$T/partial"
got=$(curl -s -C - -o "$T/partial" -w '%{http_code} %{size_download}' "$U/reset/b/demo.tar.gz")
is "/reset: resume with Range gives 206" "206 $HALF"
check "/reset: resumed file is whole" cmp -s "$T/partial" "$W/b/demo.tar.gz"
logged "^GET /reset/b/demo.tar.gz 200 range=- bytes=$HALF\$" 1 "log: the reset's 200 with half the bytes"
logged "^GET /reset/b/demo.tar.gz 206 range=bytes=$HALF- bytes=$HALF\$" 1 "log: the resume's 206"

get norange/b/demo.tar.gz
check "/norange: first transfer aborted (curl $crc)" [ "$crc" -eq 56 ] || [ "$crc" -eq 18 ]
is "/norange: half the body" "200 $HALF"
get norange/b/demo.tar.gz -H "Range: bytes=$HALF-"
is "/norange: Range ignored, whole file with 200" "200 $SIZE"
check "/norange: no Content-Range" [ -z "$(header Content-Range)" ]
check "/norange: same bytes" cmp -s "$T/body" "$W/b/demo.tar.gz"

for i in 1 2; do
	get short/b/demo.tar.gz
	check "/short: request $i ends early (curl $crc is 18)" [ "$crc" -eq 18 ]
	is "/short: request $i has half the body" "200 $HALF"
done

start=$(date +%s)
get stall/b/demo.tar.gz --max-time 3
check "/stall: curl --max-time 3 gives up (curl $crc is 28)" [ "$crc" -eq 28 ]
is "/stall: 1024 bytes then silence" "200 1024"
check "/stall: took the 3 s" [ $(($(date +%s) - start)) -ge 2 ]
check "/stall: logged once the client left" wait_logged '^GET /stall/b/demo.tar.gz 200 range=- bytes=1024$'

# ---- endless bodies ----
get big/any --max-filesize 1048576
check "/big: curl refuses the announced size (curl $crc is 63)" [ "$crc" -eq 63 ]
check "/big: Content-Length 10 GiB" [ "$(header Content-Length)" = 10737418240 ]
get big/any --max-time 2
check "/big: streams until the client goes (curl $crc is 28)" [ "$crc" -eq 28 ]
check "/big: zeros came ($got)" [ "${got#* }" -gt 65536 ]
check "/big: only zeros" [ -z "$(tr -d '\0' <"$T/body" | head -c 1)" ]
get chunked-big/any --max-time 2
check "/chunked-big: streams until the client goes (curl $crc is 28)" [ "$crc" -eq 28 ]
check "/chunked-big: chunked" grep -qi '^Transfer-Encoding: chunked' "$T/hdr"
check "/chunked-big: no Content-Length" [ -z "$(header Content-Length)" ]
check "/chunked-big: zeros came ($got)" [ "${got#* }" -gt 65536 ]
check "/big and /chunked-big: logged once the clients left" \
	wait_logged '^GET /chunked-big/any 200 range=- bytes=[1-9][0-9]*$'

# ---- redirects ----
get redirect-file/b/small.txt
is "/redirect-file: 302" "302 0"
check "/redirect-file: Location file:///etc/passwd" [ "$(header Location)" = file:///etc/passwd ]
get redirect-ok/b/small.txt
check "/redirect-ok: Location /ok/b/small.txt" [ "$(header Location)" = /ok/b/small.txt ]
get redirect-ok/b/small.txt -L
is "/redirect-ok: followed to the file" "200 10"
get loop/b/small.txt
check "/loop: Location is the same path" [ "$(header Location)" = /loop/b/small.txt ]
get loop/b/small.txt -L --max-redirs 5
check "/loop: curl gives up after 5 redirects (curl $crc is 47)" [ "$crc" -eq 47 ]
logged '^GET /loop/b/small.txt 302 ' 7 "log: 7 loop requests"

# ---- /random (fail rate 0.5, seed 7) ----
good=0 e500=0 cut=0 other=0
for i in $(seq 40); do
	get random/b/demo.tar.gz
	case "$crc $got" in
	"0 200 $SIZE") good=$((good + 1)) ;;
	"0 500 15") e500=$((e500 + 1)) ;;
	"18 200 $HALF" | "56 200 $HALF") cut=$((cut + 1)) ;;
	*) other=$((other + 1)) ;;
	esac
done
mixed=no
[ "$good" -gt 0 ] && [ "$e500" -gt 0 ] && [ "$cut" -gt 0 ] && [ "$other" -eq 0 ] && mixed=yes
check "/random: 40 answers: $good whole, $e500 500s, $cut cut, $other other" [ $mixed = yes ]

# ---- reports ----
printf '{"role":"demo","ok":true}\n' >"$T/r1.json"
printf '{"role":"demo","ok":false}\n' >"$T/r2.json"
got=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$T/r1.json" "$U/report/run")
check "POST /report/run: 204 ($got)" [ "$got" = 204 ]
got=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$T/r2.json" "$U/report/run")
check "POST /report/run again: 204 ($got)" [ "$got" = 204 ]
check "report 1 stored as reports/run-1.json" cmp -s "$T/r1.json" "$W/reports/run-1.json"
check "report 2 stored as reports/run-2.json" cmp -s "$T/r2.json" "$W/reports/run-2.json"
got=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T/r1.json" "$U/report-down/run")
check "POST /report-down/run: 503 ($got)" [ "$got" = 503 ]
check "nothing stored for /report-down" [ ! -e "$W/reports/run-3.json" ]
got=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T/r1.json" "$U/report/..%2Fevil")
check "POST /report with a bad name: 400 ($got)" [ "$got" = 400 ]

# ---- 250 connections at once, each held by /stall ----
urls=()
for i in $(seq 250); do urls+=(-o /dev/null "$U/stall/b/demo.tar.gz?c=$i"); done
start=$(date +%s)
curl -s -Z --parallel-immediate --parallel-max 250 --max-time 4 -w '%{http_code} %{size_download}\n' \
	"${urls[@]}" >"$T/par" 2>/dev/null
n=$(grep -c '^200 1024$' "$T/par")
check "250 connections at once: each got its 1024 bytes ($n)" [ "$n" -eq 250 ]
check "250 connections at once: in about 4 s ($(($(date +%s) - start)) s)" [ $(($(date +%s) - start)) -le 8 ]
get ok/b/small.txt
is "still serving after them" "200 10"

# ---- the log ----
bad=$(grep -Evc '^(GET|POST|HEAD) /[^ ]* [0-9]{3} range=[^ ]+ bytes=[0-9]+$' "$T/fault.log")
check "every log line has the format ($bad do not)" [ "$bad" -eq 0 ]
check "fault_count on no match says 0" [ "$(fault_count '^NOTHING')" = 0 ]

# ---- nginx over https ----
if ! have_nginx; then
	skip "nginx over https: /usr/sbin/nginx not installed"
elif ! make_ca "$T/ca"; then
	not_ok "make_ca makes the certificates"
else
	C=$T/ca
	verifies() { openssl verify -CAfile "$1" "$2" >/dev/null 2>&1; }
	check "make_ca: server.crt verifies against ca.crt" verifies "$C/ca.crt" "$C/server.crt"
	check "make_ca: wrongname.crt verifies against ca.crt" verifies "$C/ca.crt" "$C/wrongname.crt"
	check "make_ca: wrong-ca.crt is self-signed" verifies "$C/wrong-ca.crt" "$C/wrong-ca.crt"
	check "make_ca: wrongname.crt names only wrong.example" \
		[ "$(openssl x509 -in "$C/wrongname.crt" -noout -ext subjectAltName | tail -n 1 | tr -d ' ')" = DNS:wrong.example ]
	check "make_ca: server.crt does not verify against wrong-ca.crt" \
		[ "$(verifies "$C/wrong-ca.crt" "$C/server.crt" && echo yes)" != yes ]
	if start_nginx "$W" "$C/server.crt" "$C/server.key" \
		"location /tohttp/ { rewrite ^/tohttp/(.*)\$ http://127.0.0.1:$FAULT_PORT/ok/\$1 redirect; }"; then
		N=https://127.0.0.1:$NGINX_PORT
		got=$(curl -s --cacert "$C/ca.crt" -o "$T/body" -w '%{http_code} %{size_download}' "$N/b/demo.tar.gz")
		is "nginx: https with --cacert ca.crt" "200 $SIZE"
		check "nginx: same bytes" cmp -s "$T/body" "$W/b/demo.tar.gz"
		got=$(curl -s --cacert "$C/ca.crt" -r 1000- -o /dev/null -w '%{http_code} %{size_download}' "$N/b/demo.tar.gz")
		is "nginx: Range gives 206" "206 $((SIZE - 1000))"
		got=$(curl -s --cacert "$C/ca.crt" --resolve "localhost:$NGINX_PORT:127.0.0.1" -o /dev/null \
			-w '%{http_code}' "https://localhost:$NGINX_PORT/b/small.txt")
		check "nginx: the name localhost matches too ($got)" [ "$got" = 200 ]
		curl -s -o /dev/null "$N/b/small.txt"
		crc=$?
		check "nginx: without --cacert curl refuses (curl $crc is 60)" [ "$crc" -eq 60 ]
		curl -s --cacert "$C/wrong-ca.crt" -o /dev/null "$N/b/small.txt"
		crc=$?
		check "nginx: with wrong-ca.crt curl refuses (curl $crc is 60)" [ "$crc" -eq 60 ]
		got=$(curl -s --cacert "$C/ca.crt" -o /dev/null -w '%{http_code} %{redirect_url}' "$N/tohttp/b/small.txt")
		is "nginx: extra server config redirects to http" "302 $U/ok/b/small.txt"
		got=$(curl -s --cacert "$C/ca.crt" -L -o /dev/null -w '%{http_code} %{size_download}' "$N/tohttp/b/small.txt")
		is "nginx: the redirect followed to the faultserver" "200 10"
	else
		not_ok "nginx starts with server.crt"
	fi
	if start_nginx "$W" "$C/wrongname.crt" "$C/wrongname.key"; then
		curl -s --cacert "$C/ca.crt" -o /dev/null "https://127.0.0.1:$NGINX_PORT/b/small.txt"
		crc=$?
		check "nginx with wrongname.crt: hostname mismatch (curl $crc is 60)" [ "$crc" -eq 60 ]
	else
		not_ok "nginx starts with wrongname.crt"
	fi
fi

# ---- SIGTERM ----
kill -TERM "$FAULT_PID"
wait "$FAULT_PID"
src=$?
check "faultserver exits 0 on SIGTERM ($src)" [ "$src" -eq 0 ]
check "faultserver said nothing on stderr" [ ! -s "$T/fault.err" ]
done_testing
