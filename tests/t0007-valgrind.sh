#!/usr/bin/env bash
# No leaks and no memory errors under valgrind: a full apply, a converged
# re-apply, and a refused (forged) bundle, with the real libraries.  The
# short version of make valgrind-check, which runs the whole suite so.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null; then
	skip_rest "valgrind is not installed"
fi
if [ -n "${VG_LOG_DIR:-}" ]; then
	skip_rest "every run of roleboot is under valgrind already (make valgrind-check)"
fi
if ldd "$ROLEBOOT" 2>/dev/null | grep -q libasan; then
	skip_rest "sanitizer build: valgrind runs against the normal build"
fi
demo_src "$T/src"
pack_sign "$T/src" "$T/demo.tar.gz"
demo_role "$T/demo.role" demo.tar.gz
make_root "$T/root"
vg() {
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 --trace-children=no "$ROLEBOOT" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
vg apply --root "$T/root" --pubkey "$PUB" "$T/demo.role"
check "apply under valgrind: exit 0, no leak or error" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/err" | head -40
vg apply --root "$T/root" --pubkey "$PUB" "$T/demo.role"
check "converged re-apply under valgrind" [ "$rc" -eq 0 ]
cp "$T/demo.tar.gz" "$T/forged.tar.gz"; cp "$T/demo.tar.gz.minisig" "$T/forged.tar.gz.minisig"
printf 'x' | dd of="$T/forged.tar.gz" bs=1 seek=50 conv=notrunc status=none
demo_role "$T/forged.role" forged.tar.gz
vg apply --root "$T/root" --pubkey "$PUB" "$T/forged.role"
check "refused bundle under valgrind: exit 5, no leak" [ "$rc" -eq 5 ]
vg render --role "$T/demo.role" "$T/src/named.conf.mustache"
check "render under valgrind" [ "$rc" -eq 0 ]
done_testing
