#!/usr/bin/env bash
# pack is reproducible and refuses what bundles may not hold; the command
# line reports usage errors with exit 2; a service that cannot be enabled
# exits 9; render prints what apply would write.
. "$(dirname "$0")/lib.sh"

demo_src "$T/src"
run_rb pack "$T/src" -o "$T/a.tar.gz"
check "pack succeeds" [ "$rc" -eq 0 ]
touch -d '2001-02-03 04:05:06' "$T/src/manifest.ini"
chmod 0600 "$T/src/named.conf.mustache"
sleep 1
run_rb pack "$T/src" -o "$T/b.tar.gz"
check "packing twice gives the same bytes" cmp -s "$T/a.tar.gz" "$T/b.tar.gz"
meta=$(tar -tvzf "$T/a.tar.gz" --numeric-owner | awk '{print $2, $4, $5}' | sort -u)
check "entries owned by 0/0 with mtime 0" [ "$meta" = "0/0 1970-01-01 00:00" ]
check "names sorted bytewise" bash -c "tar -tzf '$T/a.tar.gz' | LC_ALL=C sort -c"
ln -s /etc/passwd "$T/src/link"
expect_fail 6 "link" "pack refuses a symlink" pack "$T/src" -o "$T/c.tar.gz"
check "no output left after a refused pack" [ ! -e "$T/c.tar.gz" ]
rm "$T/src/link"
# a name that apply would refuse (overlong UTF-8) is not packed either
touch "$T/src/bad-$(printf '\300\257')"
expect_fail 6 "not valid UTF-8" "pack refuses a name that is not valid UTF-8" pack "$T/src" -o "$T/c.tar.gz"
check "no output left after a refused name" [ ! -e "$T/c.tar.gz" ]
rm "$T/src/bad-"*
check "no temp file left beside the output" \
	bash -c "! ls -A '$T' | grep -q '^\.[abc]\.tar\.gz\.rb-'"

# a pack stopped by a signal leaves neither the bundle nor its temp file
mkdir "$T/big" "$T/packed" && cp "$T/src/manifest.ini" "$T/big/"
for i in 1 2 3 4; do head -c 15M /dev/urandom >"$T/big/blob$i"; done
"$ROLEBOOT" pack "$T/big" -o "$T/packed/big.tar.gz" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do
	ls -A "$T/packed" 2>/dev/null | grep -q '^\.big\.tar\.gz\.rb-' && break
	sleep 0.02
done
check "pack writes to a temp file beside the output" \
	bash -c "ls -A '$T/packed' | grep -q '^\.big\.tar\.gz\.rb-'"
kill -TERM "$pid"; wait "$pid"; src=$?
check "pack ended by SIGTERM ($src)" [ "$src" -ne 0 ]
check "nothing left in the output folder after SIGTERM" [ -z "$(ls -A "$T/packed")" ]
rm -rf "$T/big"

expect_fail 2 "usage" "pack without -o" pack "$T/src"
expect_fail 2 "not a roleboot command" "unknown subcommand" frobnicate
expect_fail 2 "usage" "unknown option" apply --frobnicate
expect_fail 2 "apply takes one ROLE" "two roles" apply a.role b.role
run_rb --help
check "--help lists the exit codes" grep -q "9  services" "$T/out"
run_rb --version
check "--version" grep -q "^roleboot [0-9]" "$T/out"
run_rb
check "no arguments: usage, exit 2" [ "$rc" -eq 2 ]

# render: same data as apply, verbatim values, errors with template:line
demo_role "$T/demo.role" unused.tar.gz
run_rb render --role "$T/demo.role" --var listen_port=1053 "$T/src/named.conf.mustache"
check "render prints the template with role values" grep -q "listen-on port 1053 " "$T/out"
check "render includes host facts" grep -q "for $(hostname | cut -d. -f1)" "$T/out"
printf '{{nosuch}}\n' >"$T/src/bad.mustache"
expect_fail 7 "bad.mustache:1: undefined variable 'nosuch'" "render of an undefined name" \
	render --role "$T/demo.role" "$T/src/bad.mustache"

# a service whose unit does not exist cannot be enabled: exit 9
cp -r "$T/src" "$T/svc"
printf '\n[service no-such-unit]\nenable = yes\n' >>"$T/svc/manifest.ini"
pack_sign "$T/svc" "$T/svc.tar.gz"; demo_role "$T/svc.role" svc.tar.gz
make_root "$T/root"
expect_fail 9 "enable no-such-unit failed" "service that cannot be enabled" \
	apply --root "$T/root" --pubkey "$PUB" "$T/svc.role"
done_testing
