#!/usr/bin/env bash
# Secrets: values of `secret = yes` variables and generated files never
# reach stdout, stderr, the report, --diff, the state, status, or the argv
# and environment of any child (validators see them only through files),
# and every file that holds them is created with mode 0600 or stricter.
. "$(dirname "$0")/lib.sh"

DB=cGFzc3dvcmQtZGItN2YzYTkx
TOK=dG9rZW4tYXBpLWUyYzhkNDA
DB2=c2Vjb25kLWRiLTQ0YjFhMg
TOK2=c2Vjb25kLXRvay05ZDA1ZTM

# The validator: dumps its argv, its environment and its parent's (roleboot)
# command line and environment; with $T/fail it prints the staged file on
# stdout and stderr and refuses it.
mkdir -p "$T/dump"
cat >"$T/v.sh" <<EOF2
#!/bin/sh
d=\$(mktemp -d "$T/dump/run.XXXXXX")
printf '%s\n' "\$0" "\$@" >"\$d/argv"
cat /proc/self/environ >"\$d/environ"
cat /proc/\$PPID/cmdline >"\$d/parent-cmdline"
cat /proc/\$PPID/environ >"\$d/parent-environ"
if [ -e "$T/fail" ]; then
	cat "\$1"
	cat "\$1" >&2
	exit 1
fi
exit 0
EOF2
chmod 0755 "$T/v.sh"

mkdir -p "$T/src"
cat >"$T/src/manifest.ini" <<EOF2
[bundle]
role    = sec
version = 1
[var db_password]
type   = string
secret = yes
[var api_token]
type   = string
secret = yes
[var tls]
type   = bool
secret = yes
[var peers]
type   = string
list   = yes
secret = yes
[var port]
type    = port
default = 53
[file /etc/sec/app.conf]
template = app.conf.mustache
mode     = 0640
validate = $T/v.sh %s
[file /etc/sec/token.env]
template = token.env.mustache
mode     = 0644
[file /etc/sec/plain.conf]
template = plain.conf.mustache
mode     = 0644
[file /etc/sec/tls.conf]
template = tls.conf.mustache
mode     = 0644
[file /etc/sec/flags.conf]
template = flags.conf.mustache
mode     = 0644
[file /etc/sec/peers.conf]
template = peers.conf.mustache
mode     = 0644
[file /etc/sec/gen.key]
generate = tsig-keygen -a hmac-sha256 gen-key
mode     = 0600
EOF2
printf 'port {{port}};\npassword "{{db_password}}";\ntoken "{{api_token}}";\n' \
	>"$T/src/app.conf.mustache"
printf 'TOKEN={{api_token}}\n' >"$T/src/token.env.mustache"
printf 'port {{port}};\n' >"$T/src/plain.conf.mustache"
printf 'ssl {{tls}};\n' >"$T/src/tls.conf.mustache"
printf '{{#peers}}peer;\n{{/peers}}' >"$T/src/peers.conf.mustache"
printf '{{#tls}}ssl-on;\n{{/tls}}{{^tls}}ssl-off;\n{{/tls}}' >"$T/src/flags.conf.mustache"
pack_sign "$T/src" "$T/sec.tar.gz"

# sec_role FILE DB TOKEN PORT TLS: a role file (mode 0600) holding the secrets
sec_role() {
	(umask 077 && printf '[role]\nname = sec\nbundle = sec.tar.gz\n[vars]\ndb_password = %s\napi_token = %s\nport = %s\ntls = %s\npeers = p1, p2\n' \
		"$2" "$3" "$4" "$5" >"$1")
}
sec_role "$T/sec.role" "$DB" "$TOK" 53 yes
sec_role "$T/sec2.role" "$DB2" "$TOK2" 5353 no
make_root "$T/root"
R=$T/root
mkdir -p "$T/log"

# keep NAME: the last run's stdout and stderr kept as $T/log/NAME.*
keep() {
	cp "$T/out" "$T/log/$1.out"
	cp "$T/err" "$T/log/$1.err"
}

# no_secret WHAT FILE...: one assertion per secret value
no_secret() {
	local what=$1 v; shift
	for v in "$DB" "$TOK" "$DB2" "$TOK2" ${GEN:+"$GEN"}; do
		check "$what: no secret $v" bash -c '! grep -qsF -- "$0" "$@"' "$v" "$@"
	done
}

# the files that hold secrets, as an extended regex of names
SECRET_FILES='(app\.conf|token\.env|tls\.conf|flags\.conf|peers\.conf|gen\.key)'

# traced NAME ARGS...: run_rb under strace, the trace kept as $T/NAME.trace
traced() {
	local name=$1; shift
	set +e
	# LeakSanitizer cannot run under a tracer (it ptraces itself)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -v -y -qq -s 65536 -o "$T/$name.trace" \
		-e trace=execve,open,openat,creat,fchmod,fchmodat,chmod,mkdir,mkdirat,write,pwrite64,writev \
		"$ROLEBOOT" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# created_strict TRACE: every file created whose name is one of the secret
# files (staged copy, temp) was created with mode 0600 or stricter; prints
# the offending lines
created_strict() {
	! grep -E "(open|openat|creat)\\(.*$SECRET_FILES[^\"]*\".*O_CREAT" "$1" |
		grep -Ev ', 0[0-6]00\) = |, 0[0-6]00\) += ' |
		grep -Ev '= -1 ' | sed 's/^/# /' | grep .
}

# fchmod_strict TRACE: a secret file's mode is only ever set to its target
# mode, never group-writable nor readable by others
fchmod_strict() {
	! grep -E "(fchmod|fchmodat|chmod)\\(.*$SECRET_FILES" "$1" |
		grep -Ev ', 0[0-7][04]0\) = ' | sed 's/^/# /' | grep .
}

# stage_strict TRACE: every folder made for staging is 0700 or stricter
stage_strict() {
	! grep -E 'mkdir(at)?\(.*stage' "$1" | grep -Ev ', 0[0-7]00\) = ' | sed 's/^/# /' | grep .
}

# writes_strict TRACE VALUE...: every write of a secret value to a regular
# file went to a file that this run created with mode 0600 or stricter
writes_strict() {
	local trace=$1 v path bad=0 seen=0; shift
	for v in "$@"; do
		while IFS= read -r path; do
			[ -n "$path" ] || continue
			seen=$((seen + 1))
			grep -F "${path##*/}\"" "$trace" | grep -E 'O_CREAT' | grep -Eq ', 0[0-6]00\) = ' ||
				{ echo "# written without a strict creation: $path"; bad=1; }
		done < <(grep -E '(write|pwrite64|writev)\([0-9]+</' "$trace" | grep -F -- "$v" |
			sed -E 's/^[0-9]+ +[a-z0-9]+\([0-9]+<([^>]*)>.*/\1/' | grep -v '^pipe:' |
			grep -v '^/dev/' | sort -u)
	done
	[ "$seen" -ge 2 ] || { echo "# only $seen files seen receiving secrets"; bad=1; }
	return $bad
}

# created_count TRACE: how many secret files' copies the run created
created_count() {
	grep -E "(open|openat|creat)\\(.*$SECRET_FILES[^\"]*\".*O_CREAT" "$1" | grep -cv '= -1 '
}

# execs TRACE: the execve lines (argv and environment of every program run)
execs() {
	grep -E '^[0-9]+ +execve\(' "$1" >"$1.exec"
	echo "$1.exec"
}

# 1. first apply, traced
traced first apply --root "$R" --pubkey "$PUB" "$T/sec.role"
keep first
check "first apply succeeds" [ "$rc" -eq 0 ]
GEN=$(sed -n 's/.*secret "\([^"]*\)".*/\1/p' "$R/etc/sec/gen.key")
check "the generated key was written" [ -n "$GEN" ]
check "app.conf holds both secrets" grep -q "password \"$DB\";" "$R/etc/sec/app.conf"
check "app.conf mode 0640" [ "$(stat -c %a "$R/etc/sec/app.conf")" = 640 ]
check "token.env declared 0644, lowered to 0640" [ "$(stat -c %a "$R/etc/sec/token.env")" = 640 ]
check "the lowered mode is announced" grep -q "token.env holds secret values: mode lowered to 0640" "$T/err"
check "a secret bool printed: file is secret (0640)" [ "$(stat -c %a "$R/etc/sec/tls.conf")" = 640 ]
check "a section over a secret bool: file is secret (0640)" [ "$(stat -c %a "$R/etc/sec/flags.conf")" = 640 ]
check "a section over a secret list: file is secret (0640)" [ "$(stat -c %a "$R/etc/sec/peers.conf")" = 640 ]
check "generated file mode 0600" [ "$(stat -c %a "$R/etc/sec/gen.key")" = 600 ]
check "plain file keeps 0644" [ "$(stat -c %a "$R/etc/sec/plain.conf")" = 644 ]
check "first apply: 6 secret files, at least 12 copies made (staged, temp)" \
	[ "$(created_count "$T/first.trace")" -ge 12 ]
check "first apply: every secret file's staged copy and temp created 0600 or stricter" \
	created_strict "$T/first.trace"
check "first apply: secret files' modes only set to their strict target modes" \
	fchmod_strict "$T/first.trace"
check "first apply: staging folders 0700 or stricter" stage_strict "$T/first.trace"
check "first apply: each secret write went to a file created 0600 or stricter" \
	writes_strict "$T/first.trace" "$DB" "$TOK" "$GEN"
check "first apply: the validator ran" [ -n "$(ls "$T/dump")" ]

# 2. converging apply
run_rb apply --root "$R" --pubkey "$PUB" "$T/sec.role"
keep again
check "second apply: 0 changed" grep -q "0 changed, 7 unchanged" "$T/err"
check "generated key kept" grep -qF "$GEN" "$R/etc/sec/gen.key"

# 3. dry run with a diff, new secret values and a non-secret change
traced diff apply --dry-run --diff --root "$R" --pubkey "$PUB" "$T/sec2.role"
keep diff
check "dry-run --diff: pending (exit 1)" [ "$rc" -eq 1 ]
check "dry-run --diff: non-secret change shown" grep -q '^+port 5353;' "$T/out"
check "dry-run --diff: app.conf diff withheld" \
	grep -q "/etc/sec/app.conf: holds secret values, diff not shown" "$T/out"
check "dry-run --diff: token.env diff withheld" \
	grep -q "/etc/sec/token.env: holds secret values, diff not shown" "$T/out"
check "dry-run --diff: tls.conf (secret bool) diff withheld" \
	grep -q "/etc/sec/tls.conf: holds secret values, diff not shown" "$T/out"
check "dry-run --diff: flags.conf (section over it) diff withheld" \
	grep -q "/etc/sec/flags.conf: holds secret values, diff not shown" "$T/out"
check "dry-run --diff: the secret bool's effect not shown" bash -c "! grep -Eq 'ssl|true|false' '$T/out'"

# a fresh root: the generated file is new and its diff withheld too
make_root "$T/fresh"
run_rb apply --dry-run --diff --root "$T/fresh" --pubkey "$PUB" "$T/sec.role"
keep fresh
check "fresh dry-run: generated file's diff withheld" \
	grep -q "/etc/sec/gen.key: holds secret values, diff not shown" "$T/out"
check "fresh dry-run: no key material shown" bash -c "! grep -q 'secret \"' '$T/out' '$T/err'"

# 4. --json apply with the new values, traced (temps beside existing files)
traced json apply --json --root "$R" --pubkey "$PUB" "$T/sec2.role"
keep json
check "--json apply succeeds" [ "$rc" -eq 0 ]
check "--json apply: the new secrets are installed" grep -q "token \"$TOK2\";" "$R/etc/sec/app.conf"
check "--json names the changed secret file" grep -q '"path":"/etc/sec/app.conf","change":"changed"' "$T/out"
check "second install: at least 10 copies made (6 staged, 4 temps)" \
	[ "$(created_count "$T/json.trace")" -ge 10 ]
check "second install: temps created 0600 or stricter" created_strict "$T/json.trace"
check "second install: modes only set to strict target modes" fchmod_strict "$T/json.trace"
check "second install: each secret write went to a file created 0600 or stricter" \
	writes_strict "$T/json.trace" "$DB2" "$TOK2"
cp "$R/var/lib/roleboot/report.json" "$T/log/report-ok.json"

# a refused secret value is not quoted in the error
sec_role "$T/bad.role" 'bad"quote-c2VjcmV0LWJhZA' "$TOK" 53 yes
expect_fail 7 "bad.role:5: value of 'db_password' \(secret\) holds" "refused secret value" \
	apply --dry-run --root "$R" --pubkey "$PUB" "$T/bad.role"
check "refused secret value not in the error" bash -c "! grep -q c2VjcmV0LWJhZA '$T/err' '$T/out'"

# 5. status
run_rb status --root "$R"
keep status
check "status lists the secret file" grep -q "0640 root:root /etc/sec/app.conf" "$T/out"
run_rb status --root "$R" --json
keep status-json
check "status --json works" grep -q '"applied":true,"role":"sec"' "$T/out"

# 6. a validator that prints the staged secrets and refuses them
sec_role "$T/sec3.role" "$DB" "$TOK" 53 yes
h=$(tree_hash "$R")
touch "$T/fail"
traced refused apply --root "$R" --pubkey "$PUB" "$T/sec3.role"
check "refusing validator that prints the secrets: exit 7" [ "$rc" -eq 7 ]
check "refusing validator: only the command is named" \
	grep -qx "roleboot: error: validate /etc/sec/app.conf: '$T/v.sh %s' failed (exit 1)" "$T/err"
keep refused
unchanged "$R" "$h" "refusing validator"
run_rb apply --json --root "$R" --pubkey "$PUB" "$T/sec3.role"
keep refused-json
check "refusing validator, --json: exit 7" [ "$rc" -eq 7 ]
rm "$T/fail"

# a secret given on the kernel command line stays secret as the fact
# kernel.var.NAME too
mkdir -p "$T/ksrc"
printf '[bundle]\nrole = sec\nversion = 1\n[var db_password]\ntype = string\nsecret = yes\n[file /etc/sec/kernel.conf]\ntemplate = kernel.conf.mustache\nmode = 0644\n' \
	>"$T/ksrc/manifest.ini"
printf 'password "{{kernel.var.db_password}}";\n' >"$T/ksrc/kernel.conf.mustache"
pack_sign "$T/ksrc" "$T/kernel.tar.gz"
printf '[role]\nname = sec\nbundle = kernel.tar.gz\n[vars]\ndb_password = %s\n' "$DB" >"$T/kernel.role"
printf 'quiet roleboot.var.db_password=%s\n' "$DB2" >"$T/cmdline"
make_root "$T/kroot"
run_rb apply --dry-run --diff --cmdline "$T/cmdline" --root "$T/kroot" --pubkey "$PUB" "$T/kernel.role"
keep kernel
check "kernel.var of a secret variable: diff withheld" \
	grep -q "/etc/sec/kernel.conf: holds secret values, diff not shown" "$T/out"
run_rb apply --cmdline "$T/cmdline" --root "$T/kroot" --pubkey "$PUB" "$T/kernel.role"
keep kernel-apply
check "kernel.var of a secret variable: the file is secret (0640)" \
	[ "$(stat -c %a "$T/kroot/etc/sec/kernel.conf")" = 640 ]

# a validator of a plain file that is given the staged tree (%t) may read
# the secret files there: its output is not repeated while any holds secrets
mkdir -p "$T/tsrc"
printf '[bundle]\nrole = sec\nversion = 1\n[var db_password]\ntype = string\nsecret = yes\n[file /etc/sec/s.conf]\ntemplate = s.mustache\nmode = 0600\n[file /etc/sec/p.conf]\ntemplate = p.mustache\nmode = 0644\nvalidate = sh -c "cat $0/etc/sec/s.conf; exit 1" %%t\n' \
	>"$T/tsrc/manifest.ini"
printf 'pw {{db_password}};\n' >"$T/tsrc/s.mustache"
printf 'plain;\n' >"$T/tsrc/p.mustache"
pack_sign "$T/tsrc" "$T/tree.tar.gz"
printf '[role]\nname = sec\nbundle = tree.tar.gz\n[vars]\ndb_password = %s\n' "$DB" >"$T/tree.role"
make_root "$T/troot"
run_rb apply --json --root "$T/troot" --pubkey "$PUB" "$T/tree.role"
keep tree
check "validator given %t, failing: exit 7, its output not repeated" \
	grep -qx "roleboot: error: validate /etc/sec/p.conf: 'sh -c \"cat \$0/etc/sec/s.conf; exit 1\" %t' failed (exit 1)" "$T/err"
cp "$T/troot/var/lib/roleboot/report.json" "$T/log/tree-report.json"

# a secret given with --var (visible in ps) is taken, with a warning
run_rb apply --dry-run --root "$R" --pubkey "$PUB" --var "db_password=argv-visible-value" "$T/sec.role"
check "--var of a secret variable warns that argv is visible" \
	grep -q "^roleboot: warning: --var: 'db_password' is a secret variable" "$T/err"
check "--var of a secret variable: the warning does not quote it" bash -c "! grep -qF argv-visible-value '$T/err' '$T/out'"

# the state keeps no hash of a secret file's content (guesses could be tested)
check "state: a secret file's hash is not recorded" \
	grep -Eq '^file secret 0640 root root /etc/sec/app.conf$' "$R/var/lib/roleboot/state"
check "state: a plain file's hash is recorded" \
	grep -Eq '^file [0-9a-f]{64} 0644 root root /etc/sec/plain.conf$' "$R/var/lib/roleboot/state"

# every output, report, state and child dump
for n in first again diff fresh json status status-json refused refused-json kernel kernel-apply tree; do
	no_secret "$n: stdout and stderr" "$T/log/$n.out" "$T/log/$n.err"
done
no_secret "report.json after success" "$T/log/report-ok.json"
no_secret "report.json of the refused %t validator" "$T/log/tree-report.json"
no_secret "report.json after the refusal" "$R/var/lib/roleboot/report.json"
no_secret "state file" "$R/var/lib/roleboot/state"
no_secret "everything under var/lib/roleboot" -r "$R/var/lib/roleboot" "$T/fresh/var/lib/roleboot"
for n in first diff json refused; do
	check "$n: programs run (validator, generator, diff)" [ "$(grep -c . "$(execs "$T/$n.trace")")" -ge 2 ]
	no_secret "$n: argv and environment of every program run" "$T/$n.trace.exec"
done
check "diff was run for the plain file" grep -q 'execve("[^"]*diff", \["diff", "-u"' "$T/diff.trace.exec"
check "the generator was run" grep -q 'tsig-keygen' "$T/first.trace.exec"
runs=$(ls "$T/dump" | wc -l)
check "validator dumps from every validating run ($runs)" [ "$runs" -ge 4 ]
no_secret "validator argv" "$T"/dump/*/argv
no_secret "validator environment" "$T"/dump/*/environ
no_secret "roleboot's own argv (role file given)" "$T"/dump/*/parent-cmdline
no_secret "roleboot's own environment" "$T"/dump/*/parent-environ
check "validator saw the staged file by path" grep -q '^/' "$(ls -d "$T"/dump/* | head -1)/argv"
done_testing
