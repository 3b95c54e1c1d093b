#!/usr/bin/env bash
# Re-applies on the node: `apply` with no ROLE takes the role applied last
# (its source and --var values, from the state), --expect-version pins the
# bundle's version, and `reapply =` in [role] lays down and enables
# roleboot-apply.timer (off disables it); offline, --now starts nothing
# (the live start is tests/t0700-systemd-live.sh's, the decisions
# tests/unit/t_reapply.c's).  [fleet] is the fleet tool's.
. "$(dirname "$0")/lib.sh"

demo_src "$T/src"
pack_sign "$T/src" "$T/demo.tar.gz"
R=$T/root
make_root "$R"
mkdir -p "$R/etc/roleboot/trusted.d"
cp "$KEYS/test.pub" "$R/etc/roleboot/trusted.d/test.pub"
demo_role "$T/demo.role" demo.tar.gz

# the role applied last, with its values; secret values are not kept
run_rb apply -q --root "$R" --var listen_port=5300 --var transfer_secret=c2VjcmV0LWNsaQ== "$T/demo.role"
check "first apply with --var" [ "$rc" -eq 0 ]
check "the state records the role's source" grep -qx "source file://$T/demo.role" "$R/var/lib/roleboot/state"
check "the state records the --var value" grep -qx "var listen_port=5300" "$R/var/lib/roleboot/state"
check "a secret --var value is not recorded" bash -c "! grep -q 'c2VjcmV0LWNsaQ\|transfer_secret' '$R/var/lib/roleboot/state'"
run_rb status --root "$R" --json
check "status --json shows the source" grep -q "\"source\":\"file://$T/demo.role\"" "$T/out"
echo "# drift by hand" >>"$R/etc/roleboot-demo/named.conf"
run_rb apply --dry-run --root "$R"
check "no ROLE: dry-run of the role applied last sees the drift (exit 1)" [ "$rc" -eq 1 ]
check "it says which role it took" grep -q "the role applied last (file://$T/demo.role)" "$T/err"
run_rb apply -q --root "$R"
check "no ROLE: re-apply exits 0" [ "$rc" -eq 0 ]
check "the drift is gone" bash -c "! grep -q 'drift by hand' '$R/etc/roleboot-demo/named.conf'"
check "the recorded value still applies" grep -q "listen-on port 5300 " "$R/etc/roleboot-demo/named.conf"
run_rb apply -q --root "$R" --var listen_port=5301
check "--var given now wins over the recorded one" grep -q "listen-on port 5301 " "$R/etc/roleboot-demo/named.conf"
check "and is recorded in its place" grep -qx "var listen_port=5301" "$R/var/lib/roleboot/state"
check "one var line per name" [ "$(grep -c '^var listen_port=' "$R/var/lib/roleboot/state")" -eq 1 ]
make_root "$T/fresh"
ROLEBOOT_CMDLINE=/dev/null expect_fail 2 "no ROLE given, none applied on .*fresh" "no ROLE on a fresh root" apply --root "$T/fresh"

# --expect-version
h=$(tree_hash "$R")
expect_fail 3 "bundle 'demo' is version 1, not the version 2 asked for" "--expect-version refuses another version" \
	apply --root "$R" --expect-version 2
check "root unchanged after --expect-version refused" [ "$(tree_hash "$R")" = "$h" ]
expect_fail 2 "expect-version wants a whole number" "--expect-version x" apply --root "$R" --expect-version x
run_rb apply -q --root "$R" --expect-version 1
check "--expect-version 1 applies version 1" [ "$rc" -eq 0 ]

# reapply = SPAN: the timer units, enabled offline with systemctl --root;
# --now starts nothing offline.  systemctl is a wrapper that logs each call
# (ROLEBOOT_SYSTEMCTL) and runs the real one.
sed -i 's/^\[role\]$/[role]\nreapply = 2h\nreapply-delay = 20min/' "$T/demo.role"
printf '\n[fleet]\nhosts = dns1.example.net,\n  dns2.example.net\n' >>"$T/demo.role"
printf '#!/bin/sh\necho "$*" >>"%s"\nexec systemctl "$@"\n' "$T/systemctl.log" >"$T/systemctl"
chmod +x "$T/systemctl"
ROLEBOOT_SYSTEMCTL=$T/systemctl run_rb apply --now --root "$R" "$T/demo.role"
check "apply --now with reapply = 2h exits 0" [ "$rc" -eq 0 ]
U=$R/etc/systemd/system
check "roleboot-apply.service written" grep -q "^ExecStart=/bin/sh -c 'exec /usr/bin/roleboot apply --now -q \$\$ROLEBOOT_OPTS'" "$U/roleboot-apply.service"
check "the timer runs 2h after it starts (at boot) and 2h after each run" \
	bash -c "grep -qx 'OnActiveSec=2h' '$U/roleboot-apply.timer' && grep -qx 'OnUnitInactiveSec=2h' '$U/roleboot-apply.timer'"
check "and does not count from boot (no OnBootSec)" bash -c "! grep -q '^OnBootSec' '$U/roleboot-apply.timer'"
check "with the randomized delay of the role" grep -qx "RandomizedDelaySec=20min" "$U/roleboot-apply.timer"
check "the timer is enabled" [ -L "$U/timers.target.wants/roleboot-apply.timer" ]
check "the units are in the state" grep -q " /etc/systemd/system/roleboot-apply.timer$" "$R/var/lib/roleboot/state"
check "apply reports the timer enabled" grep -q "enabled: roleboot-apply.timer" "$T/err"
grep -q -- "--root=$R enable roleboot-apply.timer" "$T/systemctl.log" &&
	! grep -q "start\|stop\|is-active\|daemon-reload" "$T/systemctl.log" &&
	! grep -q "started\|restarted" "$T/err"
verdict "offline, --now starts nothing: systemctl --root only enables (no start, restart, reload)"
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify --root="$R" "$U/roleboot-apply.timer" 2>&1 | grep -i "roleboot-apply" | grep -v "Cannot find\|not found\|executable\|Command 'man " || true)
	check "systemd-analyze finds nothing wrong in the units ($out)" [ -z "$out" ]
fi
run_rb apply --dry-run --root "$R" "$T/demo.role"
check "converged with the timer: dry-run exits 0" [ "$rc" -eq 0 ]
sed -i 's/^reapply = 2h$/reapply = 3h/' "$T/demo.role"
rm -f "$T/systemctl.log"
ROLEBOOT_SYSTEMCTL=$T/systemctl run_rb apply --now --root "$R" "$T/demo.role"
grep -qx 'OnActiveSec=3h' "$U/roleboot-apply.timer" && ! grep -q '=2h' "$U/roleboot-apply.timer"
verdict "a changed span is written into the timer (3h, no 2h left)"
[ "$rc" -eq 0 ] && grep -q -- "--root=$R --quiet is-enabled roleboot-apply.timer" "$T/systemctl.log" &&
	! grep -q "start\|stop\|is-active\|daemon-reload" "$T/systemctl.log" &&
	! grep -q "started\|restarted" "$T/err"
verdict "offline, --now does not restart the changed timer (systemctl --root only asks is-enabled)"
sed -i 's/^reapply = 3h$/reapply = off/' "$T/demo.role"
run_rb apply --root "$R" "$T/demo.role"
check "reapply = off: apply exits 0" [ "$rc" -eq 0 ]
check "reapply = off disables the timer" [ ! -e "$U/timers.target.wants/roleboot-apply.timer" ]
check "and says so" grep -q "disabled: roleboot-apply.timer" "$T/err"

# refusals: bad spans and [fleet] keys, each naming the line
for bad in "reapply = soon" "reapply = 0min" "reapply = 400d" "reapply-delay = off" "reapply = 1h 2min"; do
	printf '[role]\nname = demo\nbundle = demo.tar.gz\n%s\n' "$bad" >"$T/bad.role"
	expect_fail 3 "bad.role:4: reapply" "refused: $bad" apply --root "$R" "$T/bad.role"
done
printf '[role]\nname = demo\nbundle = demo.tar.gz\n[fleet]\nparallel = 3\n' >"$T/bad.role"
expect_fail 3 "bad.role:5: unknown key 'parallel' in \[fleet\]" "unknown [fleet] key" apply --root "$R" "$T/bad.role"
done_testing
