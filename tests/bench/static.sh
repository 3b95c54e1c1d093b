#!/usr/bin/env bash
# make bench, part 6: the static binary (make static) against the dynamic one
# in the same run: cold start (`roleboot --version`) and a full apply of the
# demo bundle (validators included) into a fresh root; and the static size.
set -u
: "${ROLEBOOT:?set ROLEBOOT to the dynamic roleboot binary}"
here=$(cd "$(dirname "$0")/.." && pwd)
TESTS_DIR=$here
. "$here/lib.sh"
STATIC=${ROLEBOOT_STATIC:-$here/../build-static/roleboot}
if [ ! -x "$STATIC" ]; then
	echo "static: no $STATIC (run make static first); skipped"
	exit 0
fi
runs=${BENCH_RUNS:-21}
demo_src "$T/src"
pack_sign "$T/src" "$T/demo.tar.gz"
demo_role "$T/demo.role" demo.tar.gz
n=0
ver() { "$1" --version >/dev/null; }
apply() { n=$((n + 1)); make_root "$T/r$n"; "$1" apply -q --root "$T/r$n" --pubkey "$PUB" "$T/demo.role"; }
. "$(dirname "${BASH_SOURCE[0]}")/timing.sh"
for f in vs vd as ad; do : >"$T/$f"; done
for _ in $(seq 1 "$runs"); do
	ms ver "$STATIC" >>"$T/vs"
	ms ver "$ROLEBOOT" >>"$T/vd"
	ms apply "$STATIC" >>"$T/as"
	ms apply "$ROLEBOOT" >>"$T/ad"
done
vs=$(median <"$T/vs"); vd=$(median <"$T/vd"); as=$(median <"$T/as"); ad=$(median <"$T/ad")
strip -o "$T/stripped" "$STATIC" 2>/dev/null || cp "$STATIC" "$T/stripped"
printf 'cold start (--version): static %.1f ms   dynamic %.1f ms   ratio %.2f (median of %d)\n' "$vs" "$vd" "$(echo "scale=4; $vs / $vd" | bc)" "$runs"
printf 'full apply of the demo bundle: static %.1f ms   dynamic %.1f ms   ratio %.2f\n' "$as" "$ad" "$(echo "scale=4; $as / $ad" | bc)"
printf 'static binary: %d bytes stripped (%.2f MiB; budget 5 MiB)\n' "$(stat -c %s "$T/stripped")" "$(echo "scale=2; $(stat -c %s "$T/stripped") / 1048576" | bc)"
