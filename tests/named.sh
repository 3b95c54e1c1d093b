# named.sh — a real BIND named on 127.0.0.1 for the sync and role tests.
# Source after lib.sh and https.sh (for $T, free_port, cleanup_add, stop_pid).
#
#   start_named DIR CONF-BODY [PORT]
#                               named -g in the background with DIR/named.conf
#                               holding the options below plus CONF-BODY (zones),
#                               listening on PORT (default: a free port);
#                               sets NAMED_PORT, NAMED_CTL, NAMED_PID, RNDC
#   named_reloads ZONE          how many "reload ZONE" commands named received
#   have_named                  0 when named, rndc, dig and tsig-keygen exist
: "${T:?source lib.sh before named.sh}"

have_named() {
	command -v named >/dev/null || [ -x /usr/sbin/named ]
}

start_named() {
	local d=$1 body=$2 i
	mkdir -p "$d"
	NAMED_PORT=${3:-$(free_port)}
	NAMED_CTL=$(free_port)
	tsig-keygen -a hmac-sha256 rndc-key >"$d/rndc.key"
	cat >"$d/named.conf" <<EOF2
include "$d/rndc.key";
controls { inet 127.0.0.1 port $NAMED_CTL allow { 127.0.0.1; } keys { "rndc-key"; }; };
options {
	directory "$d";
	pid-file "$d/named.pid";
	session-keyfile "$d/session.key";
	listen-on port $NAMED_PORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
};
$body
EOF2
	PATH=$PATH:/usr/sbin named -g -n 1 -c "$d/named.conf" >"$d/named.log" 2>&1 &
	NAMED_PID=$!
	cleanup_add "stop_pid $NAMED_PID"
	RNDC="rndc -k $d/rndc.key -s 127.0.0.1 -p $NAMED_CTL"
	NAMED_LOG=$d/named.log
	for i in $(seq 50); do
		grep -q "running$" "$d/named.log" 2>/dev/null && return 0
		kill -0 "$NAMED_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# named did not start:" >&2
	sed 's/^/# /' "$d/named.log" | tail -20 >&2
	return 1
}

named_reloads() {
	grep -c "received control channel command 'reload $1'" "$NAMED_LOG" 2>/dev/null || true
}

# ask NAME TYPE: the answer of the test named, one record per line
ask() {
	dig @127.0.0.1 -p "$NAMED_PORT" +short +time=2 +tries=1 "$1" "$2"
}
