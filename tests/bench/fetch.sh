#!/usr/bin/env bash
# make bench, part 3: fetch + verify a 200 MB bundle from a loopback HTTP
# server (`roleboot verify --pubkey KEY URL`: one download, hashed while it
# streams, signature checked), against `curl -s URL | b2sum` in the same
# run; and roleboot's peak RSS for 20 MB and 200 MB bundles, which must not
# grow with the bundle.
set -u
: "${ROLEBOOT:?set ROLEBOOT to the roleboot binary}"
here=$(cd "$(dirname "$0")/.." && pwd)
TESTS_DIR=$here
. "$here/lib.sh"
. "$here/https.sh"
runs=${BENCH_RUNS:-7}
S=$T/srv
mkdir -p "$S"
head -c $((200 * 1024 * 1024)) /dev/urandom >"$S/b200.tar.gz"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$S/b20.tar.gz"
for f in b200 b20; do sign "$S/$f.tar.gz"; done
start_faultserver "$S" >/dev/null
U=http://127.0.0.1:$FAULT_PORT/ok

rb() { "$ROLEBOOT" verify -q --pubkey "$PUB" "$U/b200.tar.gz" >/dev/null; }
base() { curl -s "$U/b200.tar.gz" | b2sum >/dev/null; }
. "$(dirname "${BASH_SOURCE[0]}")/timing.sh"
rb; base
: >"$T/rb.ms"; : >"$T/base.ms"
for _ in $(seq 1 "$runs"); do
	ms rb >>"$T/rb.ms"
	ms base >>"$T/base.ms"
done
r=$(median <"$T/rb.ms"); b=$(median <"$T/base.ms")
rss() { /usr/bin/time -f %M "$ROLEBOOT" verify -q --pubkey "$PUB" "$U/$1.tar.gz" 2>&1 >/dev/null | tail -1; }
r20=$(rss b20); r200=$(rss b200)
printf 'fetch + verify 200 MiB: roleboot %.0f ms   curl | b2sum %.0f ms   ratio %.2f (roleboot/baseline, median of %d; TMPDIR=%s)\n' \
	"$r" "$b" "$(echo "scale=4; $r / $b" | bc)" "$runs" "${TMPDIR:-/tmp}"
printf 'roleboot peak RSS: %.1f MiB for 20 MiB, %.1f MiB for 200 MiB (ratio %.2f: it must not grow with the bundle)\n' \
	"$(echo "scale=1; $r20 / 1024" | bc)" "$(echo "scale=1; $r200 / 1024" | bc)" "$(echo "scale=3; $r200 / $r20" | bc)"
