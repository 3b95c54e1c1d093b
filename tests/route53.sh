# route53.sh — the fake Route 53 endpoint tests/fake_route53.py for the
# sync tests.  Source it after lib.sh and https.sh (it uses their $T,
# cleanup_add and stop_pid).  The server listens on 127.0.0.1 only, checks
# every request's SigV4 signature with botocore and is stopped at exit.
#
#   start_fake_route53 DATA [ARGS...]   sets R53_PORT R53_PID R53_URL
#   r53_count PATTERN                   lines of $T/r53.log matching an ERE
#
# R53_PYTHON is the interpreter that has botocore: Debian's python3-botocore
# lives in /usr/bin/python3, not in a pyenv or venv python3 found on PATH.
: "${T:?source lib.sh before route53.sh}"
declare -F cleanup_add >/dev/null || { echo "# source https.sh before route53.sh" >&2; return 1; }
R53_PYTHON=${R53_PYTHON:-/usr/bin/python3}
# the credentials fake_route53.py accepts unless told otherwise
R53_ACCESS_KEY=${R53_ACCESS_KEY:-AKIDEXAMPLE}
R53_SECRET_KEY=${R53_SECRET_KEY:-wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY}

# have_botocore: 0 when $R53_PYTHON can import botocore.
have_botocore() {
	"$R53_PYTHON" -c 'import botocore.auth' 2>/dev/null
}

# start_fake_route53 DATA [ARGS...]: tests/fake_route53.py serving the zones
# of the JSON file DATA (read again whenever it changes), its request log in
# $T/r53.log, its stderr in $T/r53.err.  ARGS go to the server as they are
# (--page-size N, --throttle-every N, --secret-key S, --session-token T...).
# Sets R53_PORT, R53_PID and R53_URL (http://127.0.0.1:PORT).  Returns 1
# when it did not come up within 5 s.
start_fake_route53() {
	local data=$1
	shift
	rm -f "$T/r53.port"
	"$R53_PYTHON" "$TESTS_DIR/fake_route53.py" --data "$data" --log "$T/r53.log" \
		--portfile "$T/r53.port" --parent $$ \
		--access-key "$R53_ACCESS_KEY" --secret-key "$R53_SECRET_KEY" "$@" 2>>"$T/r53.err" &
	R53_PID=$!
	cleanup_add "stop_pid $R53_PID"
	R53_PORT=$(wait_portfile fake_route53 "$T/r53.port" "$R53_PID" "$T/r53.err") || return 1
	R53_URL=http://127.0.0.1:$R53_PORT
}

# r53_count PATTERN: how many lines of $T/r53.log match the ERE PATTERN.
# Lines are "<METHOD> <path?query> <status> sig=ok|bad|none".
r53_count() {
	if [ -f "$T/r53.log" ]; then
		grep -Ec -- "$1" "$T/r53.log"
	else
		echo 0
	fi
	return 0
}
