# sshhosts.sh — real ssh hosts for the fleet tests and the fleet benchmark.
# Source it after lib.sh (which makes $T).  Each host is a stock sshd in a
# network namespace of its own, on a bridge made for the run, chrooted into
# an overlay of the machine's / whose upper folder is the host's own: what
# the fleet tool changes on a host lands in that upper folder, never in the
# machine's /.  Every host holds $ROLEBOOT as /usr/bin/roleboot and trusts
# tests/keys/test.pub (/etc/roleboot/trusted.d/test.pub).
#
#   sshhosts_start N          N hosts, up and accepting ssh; skip_rest (with
#                             the reason) when this machine cannot run them
#   sshhost_addr I            host I's address (I from 1)
#   sshhost_up I              host I's upper folder: every file it changed
#   sshhost_root I            host I's root as the host sees it (/proc/PID/root)
#   sshhost_ssh I CMD...      runs CMD on host I as root with the test key
#   sshhost_down I            its sshd killed: connection refused
#   sshhost_blackhole I       its packets dropped: connecting times out
#   sshhost_slow I MS         every ssh connection to it waits MS ms before
#                             the server speaks (TCP accepts at once)
#   sshhosts_file FILE [I...] a hosts file, one address a line (all hosts
#                             when no I is given)
#   sshhosts_stop             everything undone; also runs at exit
#
# Set by sshhosts_start: SSHHOSTS_N, SSHHOSTS_PREFIX (say 10.231),
# SSHHOSTS_GW (the machine's address on the bridge, PREFIX.0.1: serve the
# hosts from there), FAB_KEY (the client key: fab -i "$FAB_KEY"), HOME (a
# folder in $T, so that ~/.ssh/known_hosts is a temp one), FAB (the fab
# client, /usr/bin/fab).  SSH_AUTH_SOCK is unset.
#
# The hosts use PREFIX.0.0/16, PREFIX from SSHHOSTS_NET (default 10.231;
# when that /16 is already routed here and SSHHOSTS_NET is not set,
# 10.233 to 10.239 are tried in turn).  Host I is PREFIX.(I/250).(I%250+10).
# Nothing else is ever contacted.  The names are rb<pid>b (bridge),
# rb<pid>v<I> (host side of each veth) and rbf-<pid>-<I> (namespaces).
# A run killed outright (SIGKILL: no trap runs) leaves its namespaces,
# veths and bridge; the next sshhosts_start removes those whose PID is gone
# and in which no process is left.
# SSHHOSTS_WAIT: seconds the hosts get to start (default 60).
: "${T:?source lib.sh before sshhosts.sh}"
SSHHOSTS_SSHD=${SSHHOSTS_SSHD:-/usr/sbin/sshd}
FAB=${FAB:-/usr/bin/fab}
SSHHOSTS_PYTHON=${SSHHOSTS_PYTHON:-/usr/bin/python3}
SSHHOSTS_N=0
_sh_dir=$T/sshhosts
_sh_br=
_sh_pid=() _sh_relay=() _sh_ns=() _sh_veth=() _sh_addr=()

# ---- exit: hosts first, then whatever was set on EXIT before -------------
_sh_prev_trap=
_sh_t=$(trap -p EXIT) # trap -- 'COMMAND' EXIT
if [ -n "$_sh_t" ]; then
	eval "_sh_t=( $_sh_t )"
	_sh_prev_trap=${_sh_t[2]}
fi
unset _sh_t
_sshhosts_exit() {
	sshhosts_stop
	[ -n "$_sh_prev_trap" ] && eval "$_sh_prev_trap"
}
trap _sshhosts_exit EXIT
# a signal ends the script through exit, so the EXIT trap runs
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ---- what the machine must have --------------------------------------------

# _sshhosts_missing: prints why hosts cannot run here; nothing when they can.
_sshhosts_missing() {
	local c
	[ "$(id -u)" -eq 0 ] || { echo "not root (network namespaces, mounts)"; return; }
	[ -x "$FAB" ] || { echo "no $FAB (Debian python3-fabric)"; return; }
	[ -x "$SSHHOSTS_SSHD" ] || { echo "no $SSHHOSTS_SSHD (Debian openssh-server)"; return; }
	for c in ip unshare chroot ssh ssh-keygen mount; do
		command -v "$c" >/dev/null || { echo "no $c"; return; }
	done
	[ -x "$SSHHOSTS_PYTHON" ] || { echo "no $SSHHOSTS_PYTHON"; return; }
	unshare -m --propagation private true 2>/dev/null ||
		{ echo "unshare -m fails here (no mount namespaces)"; return; }
	mkdir -p "$_sh_dir/probe/up" "$_sh_dir/probe/work" "$_sh_dir/probe/root"
	unshare -m --propagation private mount -t overlay overlay \
		-o "lowerdir=/,upperdir=$_sh_dir/probe/up,workdir=$_sh_dir/probe/work" \
		"$_sh_dir/probe/root" 2>/dev/null ||
		{ echo "no overlay mount of / here"; return; }
	rm -rf "$_sh_dir/probe"
	ip netns add "rbf-$$-probe" 2>/dev/null || { echo "ip netns add fails here"; return; }
	ip netns del "rbf-$$-probe"
}

# _sshhosts_net_free PREFIX: nothing here is routed into PREFIX.0.0/16.
_sshhosts_net_free() {
	local p=${1//./\\.}
	! ip -4 route show table all | grep -Eq "(^|[[:space:]])$p\." &&
		! ip -4 -o addr show | grep -Eq "inet $p\."
}

# _sshhosts_sweep: what runs killed outright (SIGKILL: no trap) left: the
# namespaces rbf-PID-I, veths and bridge of a PID that is gone, once no
# process is left in them.  Nothing of a live run, nothing named otherwise.
_sshhosts_sweep() {
	local ns pid br batch=$_sh_dir/sweep.batch
	: >"$batch"
	for ns in $(ip netns list | sed -n 's/^\(rbf-[0-9]*-[0-9]*\)\( .*\)\?$/\1/p'); do
		pid=${ns#rbf-}
		pid=${pid%-*}
		kill -0 "$pid" 2>/dev/null && continue
		[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] || continue
		printf 'link del rb%sv%s\nnetns del %s\n' "$pid" "${ns##*-}" "$ns" >>"$batch"
	done
	[ -s "$batch" ] && ip -force -b "$batch" >/dev/null 2>&1
	for br in $(ip -o link show type bridge | sed -n 's/^[0-9]*: \(rb[0-9]*b\)[:@].*/\1/p'); do
		pid=${br#rb}
		pid=${pid%b}
		kill -0 "$pid" 2>/dev/null && continue
		[ -z "$(ls "/sys/class/net/$br/brif" 2>/dev/null)" ] && ip link del "$br"
	done
	return 0
}

# ---- start -----------------------------------------------------------------

# sshhosts_start N
sshhosts_start() {
	local n=$1 why cands net lock i h t0 t1
	why=$(_sshhosts_missing)
	[ -z "$why" ] || skip_rest "ssh hosts: $why"
	t0=$EPOCHREALTIME
	# keys: one client key and one host key for the whole run
	ssh-keygen -q -t ed25519 -N '' -C sshhosts-client -f "$_sh_dir/client_key" </dev/null || return 1
	ssh-keygen -q -t ed25519 -N '' -C sshhosts-host -f "$_sh_dir/host_key" </dev/null || return 1
	FAB_KEY=$_sh_dir/client_key
	export HOME=$T/home FAB_KEY
	mkdir -p "$HOME/.ssh" && chmod 700 "$HOME" "$HOME/.ssh"
	unset SSH_AUTH_SOCK

	# what every host starts with in its upper folder
	local s=$_sh_dir/skel
	mkdir -p "$s/usr/bin" "$s/etc/roleboot/trusted.d" "$s/etc/ssh" "$s/root/.ssh"
	cp "$ROLEBOOT" "$s/usr/bin/roleboot" && chmod 0755 "$s/usr/bin/roleboot"
	cp "$KEYS/test.pub" "$s/etc/roleboot/trusted.d/test.pub"
	install -m 0600 "$_sh_dir/host_key" "$s/etc/ssh/sshhosts_host_key"
	install -m 0600 "$_sh_dir/client_key.pub" "$s/root/.ssh/authorized_keys"
	chmod 0700 "$s/root" "$s/root/.ssh"
	# /root of a host is its own (opaque): none of the machine's dotfiles,
	# shell start-up files that do nothing
	"$SSHHOSTS_PYTHON" -c 'import os, sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")' \
		"$s/root" || return 1
	echo '# test host: nothing to set up' | tee "$s/root/.bashrc" >"$s/root/.profile"
	cat >"$s/etc/ssh/sshhosts_config" <<'CONF'
# sshd of a test host (tests/sshhosts.sh); ListenAddress is given with -o
HostKey /etc/ssh/sshhosts_host_key
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
MaxStartups 200
MaxSessions 100
LogLevel INFO
Subsystem sftp internal-sftp
CONF
	# the script each host runs in its namespaces: network, mounts, sshd
	cat >"$_sh_dir/boot.sh" <<'BOOT'
# boot.sh HOSTDIR ADDR LISTEN SSHD NAME: inside the host's network namespace
# and private mount and UTS namespaces; ends by becoming the host's sshd.
set -e
h=$1 addr=$2 listen=$3 sshd=$4
hostname "$5"
ip link set lo up
ip addr replace "$addr/16" dev eth0
ip link set eth0 up
mount -t overlay overlay -o "lowerdir=/,upperdir=$h/up,workdir=$h/work" "$h/root"
mount -t proc proc "$h/root/proc"
mount --rbind /dev "$h/root/dev"
mount -t tmpfs -o mode=1777 tmpfs "$h/root/tmp"
mount -t tmpfs -o mode=0755 tmpfs "$h/root/run"
mkdir -p -m 0755 "$h/root/run/sshd"
exec chroot "$h/root" "$sshd" -D -e -f /etc/ssh/sshhosts_config -o "ListenAddress=$listen"
BOOT

	# a free /16: under a lock, so that runs at the same time pick apart
	if [ -n "${SSHHOSTS_NET:-}" ]; then cands=$SSHHOSTS_NET; else cands="10.231 10.233 10.234 10.235 10.236 10.237 10.238 10.239"; fi
	if [ -d /run/lock ]; then exec {lock}</run/lock; else exec {lock}<"${TMPDIR:-/tmp}"; fi
	flock -w 30 "$lock"
	_sshhosts_sweep
	SSHHOSTS_PREFIX=
	for net in $cands; do
		if _sshhosts_net_free "$net"; then SSHHOSTS_PREFIX=$net; break; fi
	done
	if [ -z "$SSHHOSTS_PREFIX" ]; then
		exec {lock}<&-
		echo "sshhosts: $cands.0.0/16 already in use here:" >&2
		ip -4 -o addr show | grep -E "inet (${cands// /|})\." >&2
		return 1
	fi
	SSHHOSTS_GW=$SSHHOSTS_PREFIX.0.1
	_sh_br=rb$$b
	ip link add "$_sh_br" type bridge &&
		ip addr add "$SSHHOSTS_GW/16" dev "$_sh_br" &&
		ip link set "$_sh_br" up
	local brc=$?
	exec {lock}<&-
	[ "$brc" -eq 0 ] || { echo "sshhosts: cannot make the bridge $_sh_br" >&2; return 1; }
	export SSHHOSTS_PREFIX SSHHOSTS_GW

	# namespaces and veths in one ip batch, addresses inside each boot
	: >"$_sh_dir/links.batch"
	for ((i = 1; i <= n; i++)); do
		_sh_ns[i]=rbf-$$-$i
		_sh_veth[i]=rb$$v$i
		_sh_addr[i]=$SSHHOSTS_PREFIX.$((i / 250)).$((i % 250 + 10))
		printf 'netns add %s\nlink add %s type veth peer name eth0 netns %s\nlink set %s master %s up\n' \
			"${_sh_ns[i]}" "${_sh_veth[i]}" "${_sh_ns[i]}" "${_sh_veth[i]}" "$_sh_br" \
			>>"$_sh_dir/links.batch"
	done
	SSHHOSTS_N=$n
	ip -b "$_sh_dir/links.batch" || { echo "sshhosts: ip -b links.batch failed" >&2; return 1; }
	for ((i = 1; i <= n; i++)); do
		h=$_sh_dir/h$i
		mkdir -p "$h/work" "$h/root" && cp -a "$s" "$h/up" || return 1
		_sshhost_boot "$i" "${_sh_addr[i]}"
	done
	_sshhosts_wait $(seq 1 "$n") || return 1
	t1=$EPOCHREALTIME
	printf '# sshhosts: %d hosts on %s.0.0/16 up in %.2f s\n' "$n" "$SSHHOSTS_PREFIX" \
		"$(echo "(${t1/./} - ${t0/./}) / 1000000" | bc -l)"
}

# _sshhost_boot I LISTEN: starts host I's sshd (background job) on LISTEN.
_sshhost_boot() {
	local i=$1 h=$_sh_dir/h$1
	rm -f "$h/sshd.log"
	ip netns exec "${_sh_ns[i]}" unshare -m -u --propagation private \
		sh "$_sh_dir/boot.sh" "$h" "${_sh_addr[i]}" "$2" "$SSHHOSTS_SSHD" "sshhost-$i" \
		</dev/null >"$h/sshd.log" 2>&1 &
	_sh_pid[i]=$!
}

# _sshhosts_wait I...: until each host's sshd says it listens; 1 (with its
# log) when one died or SSHHOSTS_WAIT seconds went by.
_sshhosts_wait() {
	local i left=("$@") still end
	end=$(($(date +%s) + ${SSHHOSTS_WAIT:-60}))
	while [ ${#left[@]} -gt 0 ]; do
		still=()
		for i in "${left[@]}"; do
			if grep -q '^Server listening on' "$_sh_dir/h$i/sshd.log" 2>/dev/null; then
				continue
			fi
			if ! kill -0 "${_sh_pid[i]}" 2>/dev/null; then
				echo "sshhosts: host $i (${_sh_addr[i]}) did not start:" >&2
				sed 's/^/  /' "$_sh_dir/h$i/sshd.log" >&2
				return 1
			fi
			still+=("$i")
		done
		left=(${still[@]+"${still[@]}"})
		[ ${#left[@]} -eq 0 ] && break
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "sshhosts: ${#left[@]} hosts not listening after ${SSHHOSTS_WAIT:-60} s (first: ${left[0]})" >&2
			return 1
		fi
		sleep 0.05
	done
}

# ---- one host ----------------------------------------------------------------

sshhost_addr() { echo "${_sh_addr[$1]}"; }
sshhost_up() { echo "$_sh_dir/h$1/up"; }
sshhost_root() { echo "/proc/${_sh_pid[$1]}/root"; }

# the ssh options every client call uses: nothing from $HOME or ssh_config
SSHHOST_SSH_OPTS=(-F /dev/null -o IdentitiesOnly=yes -o StrictHostKeyChecking=no
	-o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null -o BatchMode=yes
	-o ConnectTimeout=5 -o LogLevel=ERROR)

sshhost_ssh() {
	local i=$1
	shift
	ssh "${SSHHOST_SSH_OPTS[@]}" -i "$FAB_KEY" "root@${_sh_addr[i]}" -- "$@"
}

# _sshhost_kill I: every process in host I's network namespace, gone.
_sshhost_kill() {
	local i=$1 pids
	pids=$(ip netns pids "${_sh_ns[i]}" 2>/dev/null)
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	wait "${_sh_pid[i]}" 2>/dev/null
	[ -n "${_sh_relay[i]:-}" ] && wait "${_sh_relay[i]}" 2>/dev/null
	_sh_relay[i]=
	return 0
}

sshhost_down() {
	_sshhost_kill "$1"
}

# sshhost_blackhole I: its bridge port down and its address pinned in the
# neighbour table, so that nothing answers, not even "no route to host".
sshhost_blackhole() {
	local i=$1 mac
	mac=$(ip netns exec "${_sh_ns[i]}" cat /sys/class/net/eth0/address)
	ip neigh replace "${_sh_addr[i]}" lladdr "$mac" dev "$_sh_br" nud permanent
	ip link set "${_sh_veth[i]}" down
}

# sshhost_slow I MS: host I's sshd moves to its loopback, and a relay on
# its address holds every new connection MS ms before passing it on: the
# TCP handshake is at once, the ssh banner MS ms later (an overloaded host).
sshhost_slow() {
	local i=$1 ms=$2 h=$_sh_dir/h$1
	_sshhost_kill "$i"
	_sshhost_boot "$i" 127.0.0.1
	_sshhosts_wait "$i" || return 1
	rm -f "$h/relay.ready"
	ip netns exec "${_sh_ns[i]}" "$SSHHOSTS_PYTHON" -c '
import os, socket, sys, threading, time
addr, ms, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
def serve(c):
    time.sleep(ms / 1000)
    try:
        u = socket.create_connection(("127.0.0.1", 22))
    except OSError:
        c.close()
        return
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
    pump(c, u)
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((addr, 22))
l.listen(128)
open(ready, "w").close()
while True:
    c, _ = l.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' "${_sh_addr[i]}" "$ms" "$h/relay.ready" </dev/null >"$h/relay.log" 2>&1 &
	_sh_relay[i]=$!
	for _ in $(seq 100); do
		[ -e "$h/relay.ready" ] && return 0
		kill -0 "${_sh_relay[i]}" 2>/dev/null || break
		sleep 0.05
	done
	echo "sshhosts: the relay of host $i did not start:" >&2
	cat "$h/relay.log" >&2
	return 1
}

# sshhosts_file FILE [I...]
sshhosts_file() {
	local f=$1 i
	shift
	[ $# -gt 0 ] || set -- $(seq 1 "$SSHHOSTS_N")
	for i in "$@"; do echo "${_sh_addr[i]}"; done >"$f"
}

# ---- stop ----------------------------------------------------------------------

sshhosts_stop() {
	local i
	[ -n "$_sh_br" ] || return 0
	: >"$_sh_dir/down.batch"
	for ((i = 1; i <= SSHHOSTS_N; i++)); do
		_sshhost_kill "$i"
		printf 'link del %s\nnetns del %s\n' "${_sh_veth[i]}" "${_sh_ns[i]}" >>"$_sh_dir/down.batch"
	done
	ip -force -b "$_sh_dir/down.batch" >/dev/null 2>&1
	ip link del "$_sh_br" 2>/dev/null
	_sh_br=
	SSHHOSTS_N=0
}
