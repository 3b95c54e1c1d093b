#!/usr/bin/env bash
# Every subcommand answers --help and -h with its own usage on stdout and
# exit 0, also after other options; a "--" ends the search for --help.
. "$(dirname "$0")/lib.sh"

CMDS="apply verify render pack status sync route53d"
# first_line_is CMD: stdout starts with CMD's usage.
first_line_is() { head -1 "$T/out" | grep -q "^usage: roleboot $1 "; }
# only_own CMD: no other command's synopsis in stdout.
only_own() { ! grep -Eq "roleboot (${CMDS// /|}) " <(grep -v "roleboot $1 " "$T/out"); }
# lists WORD...: stdout names every WORD.
lists() {
	local w
	for w in "$@"; do grep -q -- "$w" "$T/out" || return 1; done
}

for cmd in $CMDS; do
	for flag in --help -h; do
		run_rb "$cmd" "$flag"
		check "$cmd $flag: exit 0" [ "$rc" -eq 0 ]
		check "$cmd $flag: 'usage: roleboot $cmd' first on stdout" first_line_is "$cmd"
		check "$cmd $flag: nothing on stderr" [ ! -s "$T/err" ]
		check "$cmd $flag: no other command's usage" only_own "$cmd"
	done
done

run_rb apply --root /nonexistent --var x=1 --help
check "apply --root DIR --var N=V --help: exit 0" [ "$rc" -eq 0 ]
check "... apply's usage" first_line_is apply
run_rb sync --config /nonexistent -h
check "sync --config FILE -h: exit 0" [ "$rc" -eq 0 ]
check "... sync's usage" first_line_is sync
run_rb render -- --help
check "render -- --help: --help is the TEMPLATE, not a request for help" [ "$rc" -ne 0 ]
check "... and no usage on stdout" [ ! -s "$T/out" ]

# each usage lists the options its command takes (bootstrap/cmd_*.c)
run_rb apply --help
check "apply --help lists every option" lists --root --pubkey --var --dry-run --diff --now \
	--json --allow-downgrade --cacert --timeout --connect-timeout --stall-timeout --max-size \
	--cmdline --lock-wait --quiet ROLE
run_rb verify --help
check "verify --help lists every option" lists --pubkey --cacert --max-size --quiet SIGFILE
run_rb render --help
check "render --help lists every option" lists --role --bundle --root --var TEMPLATE
run_rb pack --help
check "pack --help lists -o" lists "-o BUNDLE" --output
run_rb status --help
check "status --help lists every option" lists --root --json --lock-wait
run_rb sync --help
check "sync --help lists every option" lists --config --root --once --lock-wait --quiet
run_rb route53d --help
check "route53d --help lists every option" lists --config --foreground --check --quiet
run_rb route53d --config /nonexistent -h
[ "$rc" -eq 0 ] && first_line_is route53d
verdict "route53d --config FILE -h: exit 0 and its usage, no config read"

# the global usage lists every command and every exit code, 10 included
run_rb --help
check "--help: exit 0" [ "$rc" -eq 0 ]
for cmd in $CMDS; do
	check "--help lists $cmd" grep -q "roleboot $cmd " "$T/out"
done
check "--help lists exit code 10 (locked)" grep -Eq "^ *10  locked" "$T/out"
run_rb sync --frobnicate
check "an unknown option is still a usage error (exit 2)" [ "$rc" -eq 2 ]
check "... on stderr only" [ ! -s "$T/out" ]
done_testing
