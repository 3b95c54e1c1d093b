#!/usr/bin/env bash
# The main job on an embedded default: install what is missing, build, pack
# and sign the demo bundle (templates/demo) with a throwaway key, apply it
# with roles/demo.role into ./demo-root, and show what changed.
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh build
make -s
rb=build/roleboot
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT

echo "== throwaway signing key"
minisign -G -W -p "$keys/demo.pub" -s "$keys/demo.key" >/dev/null
sed -n 2p "$keys/demo.pub"

echo "== pack and sign templates/demo"
mkdir -p build/bundles
$rb pack templates/demo -o build/bundles/demo.tar.gz
minisign -S -s "$keys/demo.key" -m build/bundles/demo.tar.gz -t "roleboot demo bundle" </dev/null >/dev/null
ls -l build/bundles/demo.tar.gz build/bundles/demo.tar.gz.minisig

echo "== apply roles/demo.role into ./demo-root"
rm -rf demo-root && mkdir -p demo-root
$rb apply --root demo-root --pubkey "$keys/demo.pub" --diff roles/demo.role

echo "== apply again: nothing to do"
$rb apply --root demo-root --pubkey "$keys/demo.pub" roles/demo.role

echo "== status"
$rb status --root demo-root
echo "== files under ./demo-root"
(cd demo-root && find . -type f -o -type l | sort)
