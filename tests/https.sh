# https.sh — test servers for the network tests: a test CA made with the
# openssl CLI, the fault-injecting HTTP server tests/faultserver.py, and
# Debian's nginx over https.  Source it after lib.sh (which makes $T).
# Every server listens on 127.0.0.1 only and is stopped when the script
# exits: lib.sh's EXIT trap is kept and runs after the servers are stopped.
# A test that needs more done at exit calls cleanup_add rather than trap.
#
#   make_ca DIR                  ca.key ca.crt server.key server.crt
#                                wrong-ca.key wrong-ca.crt
#                                wrongname.key wrongname.crt
#   start_faultserver DIR [ARGS...]   sets FAULT_PORT FAULT_PID
#   have_nginx                   0 when /usr/sbin/nginx exists
#   start_nginx DIR CERT KEY [EXTRA_SERVER_CONF]   sets NGINX_PORT NGINX_PID
#   fault_count PATTERN          lines of $T/fault.log matching an ERE
: "${T:?source lib.sh before https.sh}"
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
PYTHON=${PYTHON:-python3}

# ---- cleanup: a list of commands run at exit, before lib.sh's own trap ----
if [ -z "${_cleanup_installed:-}" ]; then
	_cleanup_installed=1
	_cleanup_cmds=()
	# the command lib.sh (or whoever came before) set on EXIT
	_prev_exit_trap=
	_t=$(trap -p EXIT) # trap -- 'COMMAND' EXIT
	if [ -n "$_t" ]; then
		eval "_t=( $_t )"
		_prev_exit_trap=${_t[2]}
	fi
	unset _t
	_run_cleanup() {
		local i
		for ((i = ${#_cleanup_cmds[@]} - 1; i >= 0; i--)); do
			eval "${_cleanup_cmds[i]}" 2>/dev/null
		done
		[ -n "$_prev_exit_trap" ] && eval "$_prev_exit_trap"
	}
	trap _run_cleanup EXIT
fi

# cleanup_add COMMAND: runs COMMAND at exit (last added, first run).
cleanup_add() { _cleanup_cmds+=("$1"); }

# stop_pid PID: SIGTERM, up to 3 s for it to go, then SIGKILL.
stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# free_port: a port on 127.0.0.1 nobody listens on right now.
free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# ---- certificates ----------------------------------------------------

# make_ca DIR: a test CA and certificates signed by it, EC P-256.
#   ca.crt/ca.key              the test CA
#   server.crt/server.key      CN 127.0.0.1, SAN IP:127.0.0.1 DNS:localhost
#   wrong-ca.crt/wrong-ca.key  another self-signed CA nothing is signed by
#   wrongname.crt/wrongname.key  SAN DNS:wrong.example only, signed by ca
make_ca() {
	local d=$1
	mkdir -p "$d" || return 1
	cat >"$d/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt             = no
[dn]
CN = roleboot test
[ca_ext]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
[server_ext]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = IP:127.0.0.1, DNS:localhost
[wrongname_ext]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:wrong.example
CNF
	(
		cd "$d" || exit 1
		set -e
		key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
		selfsigned() { # selfsigned NAME CN
			key "$1.key"
			openssl req -config openssl.cnf -new -x509 -days 3650 -key "$1.key" \
				-subj "/CN=$2" -extensions ca_ext -out "$1.crt" 2>/dev/null
		}
		leaf() { # leaf NAME CN EXTENSIONS
			key "$1.key"
			openssl req -config openssl.cnf -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
			openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -days 825 \
				-set_serial "0x$(openssl rand -hex 8)" \
				-extfile openssl.cnf -extensions "$3" -out "$1.crt" 2>/dev/null
			rm -f "$1.csr"
		}
		selfsigned ca "roleboot test CA"
		selfsigned wrong-ca "roleboot wrong CA"
		leaf server 127.0.0.1 server_ext
		leaf wrongname wrong.example wrongname_ext
	)
}

# ---- the fault server ------------------------------------------------

# wait_portfile NAME FILE PID ERRFILE: the port a server wrote into FILE,
# waiting at most 5 s while PID lives; on failure prints ERRFILE and returns 1.
wait_portfile() {
	local i
	for i in $(seq 50); do
		if [ -s "$2" ]; then
			cat "$2"
			return 0
		fi
		kill -0 "$3" 2>/dev/null || break
		sleep 0.1
	done
	echo "# $1 did not start:" >&2
	sed 's/^/# /' "$4" >&2
	return 1
}

# start_faultserver DIR [ARGS...]: tests/faultserver.py serving DIR, its log
# in $T/fault.log; sets FAULT_PORT and FAULT_PID.  Returns 1 when it did not
# come up within 5 s (its stderr is in $T/fault.err).
start_faultserver() {
	local root=$1
	shift
	rm -f "$T/fault.port"
	"$PYTHON" "$TESTS_DIR/faultserver.py" --root "$root" --log "$T/fault.log" \
		--portfile "$T/fault.port" --parent $$ "$@" 2>>"$T/fault.err" &
	FAULT_PID=$!
	cleanup_add "stop_pid $FAULT_PID"
	FAULT_PORT=$(wait_portfile faultserver "$T/fault.port" "$FAULT_PID" "$T/fault.err")
}

# fault_count PATTERN: how many lines of $T/fault.log match the ERE PATTERN.
fault_count() {
	if [ -f "$T/fault.log" ]; then
		grep -Ec -- "$1" "$T/fault.log"
	else
		echo 0
	fi
	return 0
}

# ---- nginx over https ------------------------------------------------

have_nginx() { [ -x "$NGINX_BIN" ]; }

_nginx_n=0
# start_nginx DIR CERT KEY [EXTRA_SERVER_CONF]: nginx in the foreground
# (background job) serving DIR over https on 127.0.0.1:$NGINX_PORT;
# EXTRA_SERVER_CONF goes into the server block as it is.  Sets NGINX_PORT,
# NGINX_PID and NGINX_DIR (config, logs, temp files).  Returns 1 when it did
# not answer within 5 s (three ports tried).
start_nginx() {
	local root cert key extra=${4:-} d try i user=
	root=$(cd "$1" && pwd) || return 1
	cert=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	key=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
	_nginx_n=$((_nginx_n + 1))
	d=$T/nginx.$_nginx_n
	NGINX_DIR=$d
	mkdir -p "$d/tmp" || return 1
	[ "$(id -u)" -eq 0 ] && user="user root;"
	for try in 1 2 3; do
		NGINX_PORT=$(free_port)
		{
			printf '%s\n' \
				"daemon off;" "master_process off;" "worker_processes 1;" "$user" \
				"pid $d/nginx.pid;" "error_log $d/error.log warn;" \
				"events { worker_connections 1024; }" \
				"http {" \
				"  access_log $d/access.log;" \
				"  client_body_temp_path $d/tmp/body;" \
				"  proxy_temp_path $d/tmp/proxy;" \
				"  fastcgi_temp_path $d/tmp/fastcgi;" \
				"  uwsgi_temp_path $d/tmp/uwsgi;" \
				"  scgi_temp_path $d/tmp/scgi;" \
				"  types { application/gzip gz; text/plain txt minisig; }" \
				"  default_type application/octet-stream;" \
				"  server {" \
				"    listen 127.0.0.1:$NGINX_PORT ssl;" \
				"    server_name localhost;" \
				"    ssl_certificate $cert;" \
				"    ssl_certificate_key $key;" \
				"    root $root;"
			printf '    %s\n' "$extra"
			printf '%s\n' "  }" "}"
		} >"$d/nginx.conf"
		"$NGINX_BIN" -p "$d" -e "$d/error.log" -c "$d/nginx.conf" >>"$d/stderr" 2>&1 &
		NGINX_PID=$!
		cleanup_add "stop_pid $NGINX_PID"
		for i in $(seq 50); do
			kill -0 "$NGINX_PID" 2>/dev/null || break
			if [ "$(curl -ks -o /dev/null -w '%{http_code}' --max-time 2 \
				"https://127.0.0.1:$NGINX_PORT/")" != 000 ]; then
				return 0
			fi
			sleep 0.1
		done
		stop_pid "$NGINX_PID"
	done
	echo "# nginx did not start:" >&2
	sed 's/^/# /' "$d/stderr" "$d/error.log" >&2 2>/dev/null
	return 1
}
