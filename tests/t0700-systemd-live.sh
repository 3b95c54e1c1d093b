#!/usr/bin/env bash
# A live systemd node: systemd runs as PID 1 in a systemd-nspawn container
# whose /usr is the host's (an overlay, so that /usr/bin/roleboot can be
# added) and whose /etc and /var are its own, under $T.  The container
# shares the host's network, so it fetches the demo bundle from the fault
# server on 127.0.0.1.  Asserted on the running system, not offline:
#   boot 1   roleboot-firstboot.service applies the role once (`apply
#            --now`), which starts the bundle's services and
#            roleboot-apply.timer (reapply = 1h: it does not fire during
#            the test); starting the unit again does nothing
#            `roleboot apply --now` of a bundle whose one template (and one
#            unit file) changed restarts only the unit those files belong
#            to (InvocationID), with systemd's view of the unit reloaded,
#            and leaves the active timer alone
#            `roleboot apply --now` starts the timer when it was stopped,
#            and restarts it when a new span (reapply = 5s) changed its
#            file: it fires 5 s after that restart (OnActiveSec), not at once
#   boot 2   the first-boot unit does not run again; roleboot-apply.timer,
#            enabled by apply, is started by timers.target and fires 5 s
#            later and re-applies: a drift made by hand is corrected and
#            only the service of the drifted file restarts
# Needs root, systemd-nspawn (Debian: systemd-container) and systemd on the
# host's /usr; skips, with the command and its error, where it cannot boot.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"

[ "$(id -u)" -eq 0 ] || skip_rest "systemd-nspawn needs root"
command -v systemd-nspawn >/dev/null ||
	skip_rest "systemd-nspawn not found (Debian: apt-get install systemd-container, or scripts/deps.sh test)"
command -v nsenter >/dev/null || skip_rest "nsenter not found (util-linux)"
[ -x /usr/lib/systemd/systemd ] || skip_rest "no /usr/lib/systemd/systemd on the host to boot"
# the binary itself is copied into the container, not a wrapper script
[ "$(head -c 4 "$ROLEBOOT" | tail -c 3)" = ELF ] ||
	skip_rest "ROLEBOOT ($ROLEBOOT) is a wrapper, not a binary to install in the container (make valgrind-check)"

# ---- the bundle: the demo with two long-running services ------------
# roleboot-demo (notified by named.conf and transfer.key) and
# roleboot-demo-b (notified by b.conf), so that a change to one file must
# restart one of them and leave the other alone.
bundle() { # bundle VERSION OUT: the demo bundle, version VERSION
	rm -rf "$T/src"
	demo_src "$T/src"
	sed -i "s/^version *= *1\$/version = $1/" "$T/src/manifest.ini"
	if [ "$1" -ge 2 ]; then
		sed -i "1s/^/\/\/ bundle version 2 changed this template\n/" "$T/src/named.conf.mustache"
	fi
	# version 2 changes roleboot-demo's unit too: systemd must re-read it
	for u in roleboot-demo roleboot-demo-b; do
		env=V=1
		[ "$u" = roleboot-demo ] && env=V=$1
		printf '[Unit]\nDescription=roleboot live test: %s\n\n[Service]\nEnvironment=%s\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n' \
			"$u" "$env" >"$T/src/$u.service"
	done
	echo "b = 1" >"$T/src/b.conf"
	cat >>"$T/src/manifest.ini" <<'EOF'

[file /etc/roleboot-demo/b.conf]
source = b.conf
mode   = 0644
notify = roleboot-demo-b

[file /etc/systemd/system/roleboot-demo-b.service]
source = roleboot-demo-b.service
mode   = 0644

[service roleboot-demo-b]
enable = yes
EOF
	pack_sign "$T/src" "$2"
}
S=$T/srv
mkdir -p "$S"
bundle 1 "$S/demo.tar.gz" || { not_ok "bundle version 1 packed and signed"; done_testing; exit 1; }
start_faultserver "$S" || { not_ok "fault server did not start"; done_testing; exit 1; }
H=http://127.0.0.1:$FAULT_PORT

# ---- the container root ---------------------------------------------
C=$T/node
UP=$T/usr-upper # the overlay's upper layer on the host's /usr
M=rb-t0700-$$
mkdir -p "$C"/{usr,etc,var/log/journal,tmp,root,proc,sys,dev,run} "$UP/bin"
for l in bin sbin lib lib64; do
	[ -e "/usr/$l" ] && ln -s "usr/$l" "$C/$l"
done
cp /etc/passwd /etc/group /etc/nsswitch.conf "$C/etc/"
cp /usr/lib/os-release "$C/etc/os-release"
# a fixed machine id, so that the journal of boot 1 is read in boot 2
tr -d - </proc/sys/kernel/random/uuid >"$C/etc/machine-id"
cp "$ROLEBOOT" "$UP/bin/roleboot"
chmod 0755 "$UP/bin/roleboot"
mkdir -p "$C/etc/roleboot/trusted.d" "$C/etc/systemd/system/multi-user.target.wants"
cp "$KEYS/test.pub" "$C/etc/roleboot/trusted.d/test.pub"
cp "$TESTS_DIR/../packaging/roleboot-firstboot.service" "$C/etc/systemd/system/"
ln -s ../roleboot-firstboot.service "$C/etc/systemd/system/multi-user.target.wants/"
# A timer elapses within AccuracySec (default 1min) of its time: systemd
# picks a moment in that window to wake up, so a 5 s timer could run a
# minute late.  The test's drop-in narrows the window; the timer is the one
# roleboot writes.
mkdir -p "$C/etc/systemd/system/roleboot-apply.timer.d"
printf '[Timer]\nAccuracySec=1s\n' >"$C/etc/systemd/system/roleboot-apply.timer.d/accuracy.conf"
demo_role "$C/etc/roleboot/role.conf" "$H/ok/demo.tar.gz"
sed -i "s|^\\[role\\]\$|[role]\\nreport = $H/report/node\\nreapply = 1h\\nreapply-delay = 1s|" \
	"$C/etc/roleboot/role.conf"

# ---- booting, entering, halting -------------------------------------
NSPAWN=(systemd-nspawn -q --register=no --keep-unit -M "$M" -D "$C" --overlay="/usr:$UP:/usr"
	--console=read-only --boot)
NSPAWN_PID= LEADER=
# in_node COMMAND...: runs COMMAND in the container, with its PATH.
in_node() {
	nsenter -t "$LEADER" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
}
# halt_node: SIGTERM makes nspawn shut the container down; at most 20 s.
halt_node() {
	local i
	[ -n "$NSPAWN_PID" ] || return 0
	kill -TERM "$NSPAWN_PID" 2>/dev/null
	for i in $(seq 200); do
		kill -0 "$NSPAWN_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$NSPAWN_PID" 2>/dev/null
	wait "$NSPAWN_PID" 2>/dev/null
	NSPAWN_PID= LEADER=
}
cleanup_add "halt_node; rm -rf '/run/systemd/nspawn/propagate/$M'"
# boot N: starts the container (console in $T/bootN.log) and waits at most
# 40 s for its boot to finish; the state in $state, 1 when it did not boot.
boot() {
	local i
	state=
	"${NSPAWN[@]}" >"$T/boot$1.log" 2>&1 </dev/null &
	NSPAWN_PID=$!
	for i in $(seq 100); do
		LEADER=$(pgrep -P "$NSPAWN_PID" -x systemd) && break
		kill -0 "$NSPAWN_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$LEADER" ] || return 1
	# systemctl needs the manager's socket, which comes a moment after exec
	wait_for 10 in_node test -S /run/systemd/private
	state=$(in_node timeout 40 systemctl is-system-running --wait 2>&1)
	case $state in running | degraded) return 0 ;; esac
	return 1
}
# prop UNIT PROPERTY: one property of a unit, from the running systemd.
prop() { in_node systemctl show -p "$2" --value "$1"; }
# wait_for SECONDS COMMAND...: polls COMMAND every 0.5 s until it succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.5
	done
}
# diag_timer: what the timer and its service did, as TAP comments.
diag_timer() {
	{
		in_node systemctl list-timers --all --no-pager roleboot-apply.timer
		in_node journalctl -q --no-pager -b -o short-monotonic -u roleboot-apply.service -u roleboot-apply.timer |
			tail -30
	} 2>&1 | sed 's/^/# /'
}
reports() { find "$S/reports" -name 'node-*.json' 2>/dev/null | wc -l; }
firstboot_runs() { # runs of the first-boot unit in the journal, every boot
	in_node journalctl -q --no-pager -o cat -u roleboot-firstboot.service |
		grep -c '^Finished roleboot-firstboot.service'
}

# ---- boot 1: the first-boot unit ------------------------------------
start=$SECONDS
if ! boot 1; then
	err=$(sed 's/\x1b\[[0-9;]*m//g' "$T/boot1.log" | grep -i 'fail\|error\|refus\|cannot\|denied' |
		head -3 | tr '\n' ' ')
	halt_node
	skip_rest "systemd does not boot in a container here: ${NSPAWN[*]} -> ${state:-no container init} ${err}"
fi
ok "boot 1: systemd runs as PID 1 in the container ($state, $((SECONDS - start)) s)"
check "the first-boot unit ran roleboot apply, which succeeded" \
	[ "$(prop roleboot-firstboot.service Result)/$(prop roleboot-firstboot.service ExecMainStatus)" = success/0 ]
check "the first-boot apply wrote the state" grep -q "^role demo" "$C/var/lib/roleboot/state"
check "and the files: named.conf of version 1" grep -q "^// demo bundle version 1 for $M" "$C/etc/roleboot-demo/named.conf"
check "one apply reported (one POST to the report URL)" [ "$(reports)" -eq 1 ]
check "the journal shows one run of the first-boot unit" [ "$(firstboot_runs)" -eq 1 ]
for u in roleboot-demo roleboot-demo-b; do
	check "apply --now started $u: active" in_node systemctl -q is-active "$u.service"
	check "and enabled" in_node systemctl -q is-enabled "$u.service"
done
check "apply wrote and enabled roleboot-apply.timer (reapply = 1h)" \
	bash -c "grep -qx 'OnActiveSec=1h' '$C/etc/systemd/system/roleboot-apply.timer' &&
		grep -qx 'OnUnitInactiveSec=1h' '$C/etc/systemd/system/roleboot-apply.timer' &&
		[ -L '$C/etc/systemd/system/timers.target.wants/roleboot-apply.timer' ]"
check "apply --now started roleboot-apply.timer: active in boot 1, before any reboot" \
	in_node systemctl -q is-active roleboot-apply.timer
in_node journalctl -q --no-pager -o cat -u roleboot-firstboot.service | grep -q 'restarted: roleboot-apply.timer$'
verdict "the first-boot apply says so (restarted: roleboot-apply.timer, its file being new)"
check "the timer did not fire at once: roleboot-apply.service has not run" \
	[ "$(prop roleboot-apply.service ExecMainStartTimestampMonotonic)" = 0 ]
id_before=$(prop roleboot-firstboot.service ExecMainStartTimestampMonotonic)
in_node systemctl start roleboot-firstboot.service
check "starting the first-boot unit again skips it: its condition fails (state exists)" \
	[ "$(prop roleboot-firstboot.service ConditionResult)" = no ]
[ "$(prop roleboot-firstboot.service ExecMainStartTimestampMonotonic)" = "$id_before" ] && [ "$(reports)" -eq 1 ]
verdict "and runs nothing: same start time, still one report"

# ---- boot 1: apply --now restarts only what changed -----------------
inv() { prop "$1.service" InvocationID; }
# when the timer (re)started last
timer_since() { prop roleboot-apply.timer ActiveEnterTimestampMonotonic; }
a1=$(inv roleboot-demo) b1=$(inv roleboot-demo-b) t0=$(timer_since)
in_node roleboot apply --now >"$T/out" 2>"$T/err"
rc=$?
check "apply --now with nothing changed exits 0" [ "$rc" -eq 0 ]
check "and restarts nothing" [ "$(inv roleboot-demo)/$(inv roleboot-demo-b)" = "$a1/$b1" ]
check "and leaves the active timer alone (same start time)" [ "$(timer_since)" = "$t0" ]
bundle 2 "$S/demo.tar.gz" || not_ok "bundle version 2 packed and signed"
in_node roleboot apply --now >"$T/out" 2>"$T/err"
rc=$?
check "apply --now of version 2 (named.conf's template and roleboot-demo.service changed) exits 0" [ "$rc" -eq 0 ]
check "named.conf is version 2's" grep -q "^// bundle version 2 changed this template" "$C/etc/roleboot-demo/named.conf"
a2=$(inv roleboot-demo) b2=$(inv roleboot-demo-b)
[ -n "$a2" ] && [ "$a2" != "$a1" ] && in_node systemctl -q is-active roleboot-demo.service
verdict "roleboot-demo (notified by named.conf) restarted: new InvocationID, active"
[ "$b2" = "$b1" ] && in_node systemctl -q is-active roleboot-demo-b.service
verdict "roleboot-demo-b (its file unchanged) did not: same InvocationID, active"
check "systemd re-read the changed unit: roleboot-demo runs with Environment=V=2" \
	[ "$(prop roleboot-demo.service Environment)/$(prop roleboot-demo.service NeedDaemonReload)" = V=2/no ]
check "apply says what it restarted, only that" \
	bash -c "grep -q 'restarted.*roleboot-demo\$' '$T/err' && ! grep -q 'restarted.*roleboot-demo-b' '$T/err'"
check "the timer (its file unchanged) is left alone" \
	bash -c "[ '$(timer_since)' = '$t0' ] && ! grep -q 'roleboot-apply.timer' '$T/err'"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"

# ---- boot 1: apply --now starts the drift timer, or restarts it -----
in_node systemctl stop roleboot-apply.timer
in_node roleboot apply --now >"$T/out" 2>"$T/err"
rc=$?
check "the timer stopped by hand: apply --now (nothing changed) exits 0" [ "$rc" -eq 0 ]
check "and starts the timer again: active" in_node systemctl -q is-active roleboot-apply.timer
check "and says so (started: roleboot-apply.timer)" grep -q "started: roleboot-apply.timer\$" "$T/err"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
sed -i 's/^reapply = 1h$/reapply = 5s/' "$C/etc/roleboot/role.conf"
a1=$(inv roleboot-demo) b1=$(inv roleboot-demo-b) t0=$(timer_since)
in_node roleboot apply --now >"$T/out" 2>"$T/err"
rc=$?
check "reapply = 5s in the role file: apply --now exits 0" [ "$rc" -eq 0 ]
check "the timer's file has the new span (OnActiveSec=5s)" \
	grep -qx 'OnActiveSec=5s' "$C/etc/systemd/system/roleboot-apply.timer"
t1=$(timer_since)
[ -n "$t1" ] && [ "$t1" != "$t0" ] && in_node systemctl -q is-active roleboot-apply.timer &&
	grep -q "restarted: roleboot-apply.timer\$" "$T/err"
verdict "apply --now restarted the timer (its file changed): new start time, active, said so"
check "and restarted nothing else" [ "$(inv roleboot-demo)/$(inv roleboot-demo-b)" = "$a1/$b1" ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err"
timer_ran() { [ "$(prop roleboot-apply.service ExecMainStartTimestampMonotonic)" != 0 ]; }
what="the live-started timer fires: roleboot-apply.service runs within 20 s of the restart"
if wait_for 20 timer_ran; then ok "$what"; else not_ok "$what"; diag_timer; fi
# 5 s after the restart (OnActiveSec), RandomizedDelaySec and AccuracySec
# add up to 1 s each; a timer counted from boot whose time is past would
# fire at once
ran=$(prop roleboot-apply.service ExecMainStartTimestampMonotonic)
delay=$(((ran - t1) / 1000))
[ "$delay" -ge 5000 ] && [ "$delay" -lt 10000 ]
verdict "the first run comes 5 s after the restart, not at once (${delay} ms)"
done_run() { [ "$(prop roleboot-apply.service ActiveState)" = inactive ]; }
wait_for 20 done_run
check "roleboot-apply.service (the live timer's run) succeeded" \
	[ "$(prop roleboot-apply.service Result)" = success ]

# ---- boot 2: no first boot again; the drift timer -------------------
halt_node
if ! boot 2; then
	not_ok "boot 2: the container boots again ($state)"
	sed 's/^/# /' "$T/boot2.log" | tail -20
	done_testing
	exit 1
fi
ok "boot 2: the container boots again ($state)"
check "the first-boot unit does not run on the next boot (condition: state exists)" \
	[ "$(prop roleboot-firstboot.service ConditionResult)/$(prop roleboot-firstboot.service ExecMainStartTimestampMonotonic)" = no/0 ]
check "the journal of both boots shows one run of the first-boot unit" [ "$(firstboot_runs)" -eq 1 ]
check "the bundle's services run again after the reboot" \
	in_node systemctl -q is-active roleboot-demo.service roleboot-demo-b.service
check "roleboot-apply.timer is active (enabled by apply, started by timers.target)" \
	in_node systemctl -q is-active roleboot-apply.timer
# the timer's first run (OnActiveSec=5s from its start at boot, up to 1 s later)
check "the timer fires: roleboot-apply.service runs within 20 s of boot" wait_for 20 timer_ran
a1=$(inv roleboot-demo) b1=$(inv roleboot-demo-b)
echo "# drift by hand" >>"$C/etc/roleboot-demo/named.conf"
# gone, and the run that wrote the file (and restarted its service) is over
drift_gone() { ! grep -q "drift by hand" "$C/etc/roleboot-demo/named.conf" &&
	[ "$(prop roleboot-apply.service ActiveState)" = inactive ]; }
what="a drift by hand in named.conf is corrected by the timer's re-apply (within 20 s)"
if wait_for 20 drift_gone; then ok "$what"; else not_ok "$what"; diag_timer; fi
check "roleboot-apply.service succeeded" [ "$(prop roleboot-apply.service Result)" = success ]
a2=$(inv roleboot-demo) b2=$(inv roleboot-demo-b)
[ -n "$a2" ] && [ "$a2" != "$a1" ]
verdict "the re-apply restarted roleboot-demo (its file drifted)"
check "and not roleboot-demo-b" [ "$b2" = "$b1" ]
# one more run on a converged node restarts nothing
t1=$(prop roleboot-apply.service ExecMainStartTimestampMonotonic)
ran_again() { [ "$(prop roleboot-apply.service ExecMainStartTimestampMonotonic)" != "$t1" ] &&
	[ "$(prop roleboot-apply.service ActiveState)" = inactive ]; }
check "the timer fires again (OnUnitInactiveSec=5s)" wait_for 20 ran_again
check "a converged re-apply restarts nothing" [ "$(inv roleboot-demo)/$(inv roleboot-demo-b)" = "$a2/$b2" ]
pid=$NSPAWN_PID
halt_node
check "the container is stopped" bash -c "! kill -0 $pid 2>/dev/null"
echo "# $((SECONDS - start)) s from boot 1 to halt 2"
done_testing
