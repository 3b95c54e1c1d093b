#!/usr/bin/env bash
# TLS against a real nginx on 127.0.0.1 with a CA made here: the CA comes
# from --cacert, SSL_CERT_FILE or the role's cacert; an unknown CA, a wrong
# host name and a redirect from https down to http are refused.  Progress
# lines on a terminal and in logs.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"

if ! have_nginx; then
	skip_rest "nginx is not installed"
fi
export ROLEBOOT_BACKOFF_MS=50
S=$T/srv
mkdir -p "$S/b"
demo_src "$T/src"
pack_sign "$T/src" "$S/b/demo.tar.gz"
make_ca "$T/ca"
start_faultserver "$S" || { not_ok "fault server did not start"; done_testing; exit 1; }
start_nginx "$S" "$T/ca/server.crt" "$T/ca/server.key" \
	"location /tohttp/ { return 302 http://127.0.0.1:$FAULT_PORT/ok/; }" ||
	{ not_ok "nginx did not start"; done_testing; exit 1; }
HS=https://127.0.0.1:$NGINX_PORT

role() { # role NAME URL [EXTRA]
	printf '[role]\nname = demo\nbundle = %s\n%b[vars]\ntransfer_secret = c2VjcmV0\n' "$2" "${3:-}" >"$T/$1.role"
}
fresh() { rm -rf "$T/r"; make_root "$T/r"; h=$(tree_hash "$T/r"); }

role tls "$HS/b/demo.tar.gz"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" --cacert "$T/ca/ca.crt" "$T/tls.role"
check "https with --cacert" [ "$rc" -eq 0 ]
fresh
SSL_CERT_FILE=$T/ca/ca.crt run_rb apply --root "$T/r" --pubkey "$PUB" "$T/tls.role"
check "https with SSL_CERT_FILE" [ "$rc" -eq 0 ]
role rolecacert "$HS/b/demo.tar.gz" "cacert = $T/ca/ca.crt\n"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/rolecacert.role"
check "https with the role's cacert" [ "$rc" -eq 0 ]

fresh
run_rb apply --root "$T/r" --pubkey "$PUB" "$T/tls.role"
check "unknown CA (the system bundle): exit 4" [ "$rc" -eq 4 ]
check "unknown CA: a certificate error, not retried" grep -q "SSL certificate problem" "$T/err"
unchanged "$T/r" "$h" "unknown CA"
fresh
run_rb apply --root "$T/r" --pubkey "$PUB" --cacert "$T/ca/wrong-ca.crt" "$T/tls.role"
check "wrong CA: exit 4" [ "$rc" -eq 4 ]
unchanged "$T/r" "$h" "wrong CA"

stop_pid "$NGINX_PID"
start_nginx "$S" "$T/ca/wrongname.crt" "$T/ca/wrongname.key" || { not_ok "nginx did not restart"; done_testing; exit 1; }
role wrongname "https://127.0.0.1:$NGINX_PORT/b/demo.tar.gz"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" --cacert "$T/ca/ca.crt" "$T/wrongname.role"
check "wrong host name: exit 4" [ "$rc" -eq 4 ]
check "wrong host name: named" grep -Eq "does not match target host name|no alternative certificate subject name matches" "$T/err"
unchanged "$T/r" "$h" "wrong host name"

stop_pid "$NGINX_PID"
start_nginx "$S" "$T/ca/server.crt" "$T/ca/server.key" \
	"location /tohttp/ { return 302 http://127.0.0.1:$FAULT_PORT/ok/; }" || { not_ok "nginx did not restart"; done_testing; exit 1; }
role down "https://127.0.0.1:$NGINX_PORT/tohttp/b/demo.tar.gz"; fresh
run_rb apply --root "$T/r" --pubkey "$PUB" --cacert "$T/ca/ca.crt" "$T/down.role"
check "https to http redirect: exit 4" [ "$rc" -eq 4 ]
check "https to http redirect: refused" grep -q 'Protocol "http" not supported' "$T/err"
check "https to http redirect: the http server never asked" [ "$(fault_count '^GET /ok/b/demo')" -eq 0 ]
unchanged "$T/r" "$h" "https to http"

# progress: log lines off a terminal, a live line on one
H=http://127.0.0.1:$FAULT_PORT
role slow "$H/chunked-big/b/demo.tar.gz" "signature = $H/ok/b/demo.tar.gz.minisig\n"; fresh
ROLEBOOT_PROGRESS_INTERVAL=0.5 run_rb apply --root "$T/r" --pubkey "$PUB" --max-size 6000000 "$T/slow.role"
check "progress: log lines with bytes and rate" grep -Eq "^roleboot: fetch: http.*chunked-big.*: [0-9.]+ (KiB|MiB), [0-9.]+ (KiB|MiB)/s$" "$T/err"
run_rb apply -q --root "$T/r" --pubkey "$PUB" --max-size 6000000 "$T/slow.role"
check "progress: silenced by -q" bash -c "! grep -q 'MiB/s' '$T/err'"
if command -v script >/dev/null; then
	script -qec "$ROLEBOOT apply --root $T/r --pubkey $PUB --max-size 6000000 $T/slow.role" /dev/null >"$T/tty" 2>&1
	check "progress on a terminal: a live line redrawn in place" \
		grep -Eq $'\r''roleboot: fetch: http.*: [0-9.]+ (KiB|MiB), [0-9.]+ (KiB|MiB)/s'$'\033''\[K' "$T/tty"
else
	skip "no script(1) for a terminal"
fi
done_testing
